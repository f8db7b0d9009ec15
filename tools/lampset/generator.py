"""Synthetic LaMP-style sets for tasks 1-7 whose gold depends on the user, not only on the input.

Every record is one user (LaMP's user-based layout: ``{id, input, profile}`` + a gold), and every user
has one hidden *habit* drawn from a small set. The input is built so that any habit could apply to it;
the profile shows the habit again and again on other inputs, so only a system that reads the profile
can recover the gold:

====  ===============================================================================================
Task  habit (what the profile reveals)
====  ===============================================================================================
1     the user's research area: the paper title fits two areas, the candidate from the user's area wins
2     the user's favourite tag: the movie fits three tags, the user tags it with the favourite one
3     the user's rating habit: mixed reviews, a harsh user gives 1-2, a generous one 4-5
4     the user's headline frame ("Explainer: why ... matters", "... : what we know so far", ...)
5     the user's title frame, one of 18 ("Towards Principled ...", "... Is All You Need for ...", ...)
6     the user's subject frame, one of 18 ("[Action needed] ...", "FYI only: ...", "Re: re: ...", ...)
7     the user's tweet voice, one of 18 ("lol ... i cant even", "Dear diary, ...", "ngl ... fr fr", ...)
====  ===============================================================================================

Inputs use LaMP's own wording (the ``input`` strings of its data files). Users are split by user into
train/dev/test; the output is a pure function of the seed and the sizes (no clock, no hash order).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pr2_agent.data.lamp_metrics import LAMP2_MOVIE_TAGS

DEFAULT_SEED = 10
SPLITS: tuple[str, ...] = ("train", "dev", "test")
PROFILE_SIZE = 6

LAMP2_TAGS = LAMP2_MOVIE_TAGS  # the label set the task scores against

Item = dict[str, str]
Record = tuple[str, list[Item], str]
"""(input, profile items without ids, gold output)."""


@dataclass(frozen=True)
class LampsetConfig:
    """How many users per split, and the seed."""

    train: int = 30
    dev: int = 10
    test: int = 20
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        """Refuse sizes that make no set."""
        for split in SPLITS:
            if getattr(self, split) < 1:
                raise ValueError(f"--{split} must be >= 1 user, got {getattr(self, split)}.")


# ----------------------------------------------------------------------------------- LaMP-1 citation
AREAS: dict[str, list[str]] = {
    "protein": ["protein folding", "enzyme design", "molecular docking", "protein structure", "drug binding"],
    "speech": ["speech recognition", "speaker diarization", "spoken language", "acoustic models", "voice conversion"],
    "vision": ["image segmentation", "object detection", "video tracking", "scene understanding", "depth estimation"],
    "robots": ["robot grasping", "legged locomotion", "motion planning", "robot navigation", "manipulation policies"],
    "finance": ["stock prediction", "credit risk", "fraud detection", "portfolio allocation", "market volatility"],
    "health": [
        "clinical notes",
        "medical imaging",
        "patient triage",
        "disease prediction",
        "electronic health records",
    ],
}
METHODS = [
    "contrastive pretraining",
    "graph neural networks",
    "few-shot learning",
    "self-supervised learning",
    "transformers",
    "active learning",
    "domain adaptation",
    "knowledge distillation",
]
PAPER_FRAMES = ["{m} for {t}", "Scaling {m} to {t}", "Revisiting {t} with {m}", "{t} via {m}", "Robust {t} using {m}"]


def _lamp1(rng: random.Random) -> Record:
    area = rng.choice(sorted(AREAS))
    other = rng.choice([a for a in sorted(AREAS) if a != area])
    method = rng.choice(METHODS)
    title = f"{method.capitalize()} under limited supervision"  # fits any area
    own = rng.choice(PAPER_FRAMES).format(m=method, t=rng.choice(AREAS[area])).capitalize()
    far = rng.choice(PAPER_FRAMES).format(m=method, t=rng.choice(AREAS[other])).capitalize()
    first_is_own = rng.random() < 0.5
    refs = (own, far) if first_is_own else (far, own)
    text = (
        f'For an author who has written the paper with the title "{title}", which reference is related? '
        f'Just answer with [1] or [2] without explanation. [1]: "{refs[0]}" [2]: "{refs[1]}"'
    )
    topics = rng.sample(AREAS[area], k=len(AREAS[area]))
    profile = []
    for i in range(PROFILE_SIZE):
        m = rng.choice(METHODS)
        t = topics[i % len(topics)]
        profile.append(
            {
                "title": rng.choice(PAPER_FRAMES).format(m=m, t=t).capitalize(),
                "abstract": f"We study {t} and show that {m} improves over strong baselines on {t} benchmarks.",
            }
        )
    return text, profile, "[1]" if first_is_own else "[2]"


# ----------------------------------------------------------------------------------- LaMP-2 tagging
MOVIES: list[tuple[str, tuple[str, str, str]]] = [
    (
        "A detective in a flooded future city hunts a machine that forges memories.",
        ("sci-fi", "dystopia", "twist ending"),
    ),
    ("Two rival chefs fake a romance to save a failing family restaurant.", ("comedy", "romance", "classic")),
    (
        "A retired boxer is pulled into one last fight to free his kidnapped brother.",
        ("action", "violence", "true story"),
    ),
    (
        "A young witch must choose between her coven and the boy from the valley.",
        ("fantasy", "romance", "based on a book"),
    ),
    (
        "A therapist slowly realises her calmest patient is rewriting her own past.",
        ("psychology", "thought-provoking", "twist ending"),
    ),
    (
        "A small town funeral turns into a bitter fight over a strange inheritance.",
        ("dark comedy", "comedy", "social commentary"),
    ),
    (
        "Factory workers stage a strike that changes labour law for a generation.",
        ("true story", "social commentary", "classic"),
    ),
    (
        "A soldier wakes every morning on the same doomed day of a robot invasion.",
        ("sci-fi", "action", "thought-provoking"),
    ),
    ("A novelist's characters escape the page and demand a better ending.", ("fantasy", "based on a book", "comedy")),
    ("A hitman on his last job keeps getting mistaken for a wedding planner.", ("dark comedy", "action", "violence")),
    ("A teenage hacker exposes how a smart city ranks its citizens.", ("dystopia", "social commentary", "sci-fi")),
    ("An aging actress and her estranged daughter tour the country in a van.", ("classic", "romance", "psychology")),
    (
        "A chess prodigy battles addiction on her way to the world title.",
        ("psychology", "true story", "based on a book"),
    ),
    (
        "Strangers trapped in a lift discover they all share the same secret.",
        ("twist ending", "thought-provoking", "dark comedy"),
    ),
    ("A gang war spills into a quiet fishing village during a storm.", ("violence", "action", "classic")),
    ("A robot nanny starts questioning the family that owns her.", ("sci-fi", "psychology", "thought-provoking")),
    ("A dragon keeper smuggles the last egg across a burning kingdom.", ("fantasy", "action", "based on a book")),
    (
        "A reporter uncovers the real story behind a famous mountain rescue.",
        ("true story", "thought-provoking", "classic"),
    ),
    ("A wedding weekend goes wrong when the groom's double shows up.", ("comedy", "twist ending", "romance")),
    (
        "Citizens of a walled city are assigned jobs by a lottery at birth.",
        ("dystopia", "based on a book", "social commentary"),
    ),
    ("A bank robber hides in a retirement home and joins the book club.", ("comedy", "dark comedy", "violence")),
    ("A grieving father builds a machine to talk to his late wife.", ("sci-fi", "romance", "psychology")),
]
TAGS_IN_USE = sorted({t for _, tags in MOVIES for t in tags})


def _lamp2(rng: random.Random) -> Record:
    favourite = rng.choice(TAGS_IN_USE)
    fitting = [m for m in MOVIES if favourite in m[1]]
    other = [m for m in MOVIES if favourite not in m[1]]
    query = rng.choice(fitting)
    history = rng.sample([m for m in fitting if m is not query], k=min(4, len(fitting) - 1))
    history += rng.sample(other, k=PROFILE_SIZE - len(history))
    rng.shuffle(history)
    profile = [
        # The user tags every movie their favourite fits with the favourite; others with one that fits.
        {"description": d, "tag": favourite if favourite in tags else rng.choice(tags)}
        for d, tags in history
    ]
    text = (
        "Which tag does this movie relate to among the following tags? Just answer with the tag name without "
        f"further explanation. tags: [{', '.join(LAMP2_TAGS)}] description: {query[0]}"
    )
    return text, profile, favourite


# ----------------------------------------------------------------------------------- LaMP-3 rating
PRODUCTS = [
    "blender",
    "backpack",
    "desk lamp",
    "phone case",
    "kettle",
    "headphones",
    "yoga mat",
    "water bottle",
    "keyboard",
    "rice cooker",
    "umbrella",
    "hair dryer",
    "office chair",
    "toaster",
    "tent",
    "power bank",
]
GOOD = ["it looks nice", "setup was easy", "the price is fair", "it arrived quickly", "it is light"]
BAD = [
    "it is louder than expected",
    "the manual is confusing",
    "one part feels flimsy",
    "the colour is off",
    "the cable is short",
]
HABITS = {"harsh": (1, 2), "fair": (3, 3), "generous": (4, 5)}
"""Ratings a user gives a mixed review (the review text is equally mixed for every habit)."""


def _review(rng: random.Random) -> str:
    return f"The {rng.choice(PRODUCTS)} does the job: {rng.choice(GOOD)}, but {rng.choice(BAD)}."


def _lamp3(rng: random.Random) -> Record:
    habit = rng.choice(sorted(HABITS))
    low, high = HABITS[habit]
    gold = rng.randint(low, high)
    profile = [{"text": _review(rng), "score": str(rng.randint(low, high))} for _ in range(PROFILE_SIZE)]
    text = (
        "What is the score of the following review on a scale of 1 to 5? just answer with 1, 2, 3, 4, or 5 "
        f"without further explanation. review: {_review(rng)}"
    )
    return text, profile, str(gold)


# ------------------------------------------------------------------------- LaMP-4/5/6 title frames
NEWS = [
    ("flooding", "Riverside"),
    ("a bus strike", "Northfield"),
    ("rising rents", "Eastport"),
    ("a heatwave", "Lakeview"),
    ("school closures", "Milltown"),
    ("a data breach", "Harbor City"),
    ("a new stadium", "Westbury"),
    ("power cuts", "Stonebridge"),
    ("a measles outbreak", "Greenvale"),
    ("bridge repairs", "Oakham"),
    ("a bank merger", "Kingsford"),
    ("wildfires", "Pine Ridge"),
]
HEADLINE_FRAMES = [
    "Explainer: why {topic} matters for {place}",
    "{place} {topic}: what we know so far",
    "Breaking: {topic} hits {place} residents",
    "Opinion: {place} must rethink its plan on {topic}",
    "Five things to know about {topic} in {place}",
]
RESEARCH = [
    ("sparse attention", "long documents"),
    ("reward models", "dialogue agents"),
    ("data augmentation", "low-resource translation"),
    ("graph pooling", "molecule property prediction"),
    ("curriculum learning", "robot control"),
    ("prompt tuning", "code generation"),
    ("retrieval augmentation", "question answering"),
    ("uncertainty estimation", "medical imaging"),
    ("federated averaging", "mobile keyboards"),
    ("causal discovery", "gene regulation"),
]
TITLE_FRAMES = [
    # Each frame's fixed words are most of its title, and no two frames share many: a user's frame is
    # then what decides ROUGE, and another user's profile shows the right one about 1 time in 18.
    "Towards Principled {method} for {problem}",
    "{method} for {problem}: A Simple but Strong Baseline",
    "On the Surprising Limits of {method} in {problem}",
    "Rethinking {problem} Through the Lens of {method}",
    "Learning {problem} with {method}: An Empirical Study",
    "When Does {method} Help {problem}? A Systematic Analysis",
    "{method} Is All You Need for {problem}",
    "Beyond Benchmarks: Revisiting {method} for Real-World {problem}",
    "A Unified Theoretical Framework of {method} for {problem}",
    "Less Is More: Cheap {method} for Low-Budget {problem}",
    "{problem} at Scale: Lessons Learned from {method}",
    "Do We Really Need {method}? Evidence from {problem}",
    "Scalable and Robust {method} Methods for Large {problem}",
    "Demystifying {method}: Why It Works for {problem}",
    "A Large-Scale Benchmark and Survey of {method} in {problem}",
    "Bridging the Gap Between {method} and {problem} in Practice",
    "Provably Efficient {method} with Guarantees for {problem}",
    "{method} Strikes Back: New Results on {problem}",
]
EMAILS = [
    ("the budget review", "Thursday"),
    ("the vendor contract", "Friday"),
    ("the offsite agenda", "Monday"),
    ("the server migration", "next week"),
    ("the hiring plan", "Wednesday"),
    ("the audit findings", "Tuesday"),
    ("the launch checklist", "tomorrow"),
    ("the travel claims", "end of month"),
    ("the security training", "Friday"),
    ("the quarterly report", "Monday"),
]
SUBJECT_FRAMES = [
    # As TITLE_FRAMES: mostly fixed words, few shared between frames (18 frames).
    "[Action needed] {topic} by {when}",
    "FYI only: {topic} update, no reply needed",
    "Quick question about {topic}",
    "{topic} - please review and sign off before {when}",
    "Friendly reminder re {topic} ({when})",
    "URGENT!! {topic} blocked, decision needed {when}",
    "Re: re: follow-up on {topic}",
    "Draft for comments: {topic} v2",
    "Heads up - {topic} moved to {when}",
    "Can we sync on {topic} before {when}?",
    "Notes and action items from today's {topic} call",
    "[Weekly digest] status of {topic}",
    "Approval required: sign {topic} by {when}",
    "Thanks all - {topic} wrap-up and next steps",
    "Proposal to change {topic} (feedback welcome)",
    "Meeting request: 30 min on {topic}",
    "{topic}: open issues, owners and deadlines",
    "Sorry for the delay - {topic} numbers attached",
]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _framed(
    rng: random.Random,
    pool: list[tuple[str, str]],
    frames: list[str],
    keys: tuple[str, str],
    body: Callable[[str, str], str],
    prompt: str,
    fields: tuple[str, str],
) -> Record:
    frame = rng.choice(frames)
    picks = rng.sample(pool, k=PROFILE_SIZE + 1)
    query, history = picks[0], picks[1:]

    def title(a: str, b: str) -> str:
        return _cap(frame.format(**{keys[0]: a, keys[1]: b}))

    profile = [{fields[0]: title(a, b), fields[1]: body(a, b)} for a, b in history]
    return f"{prompt}{body(*query)}", profile, title(*query)


def _lamp4(rng: random.Random) -> Record:
    def body(topic: str, place: str) -> str:
        return (
            f"Officials in {place} said on Monday that {topic} will affect thousands of people this month. "
            f"Local groups asked the council for a clear plan and more support."
        )

    return _framed(
        rng,
        NEWS,
        HEADLINE_FRAMES,
        ("topic", "place"),
        body,
        "Generate a headline for the following article: ",
        ("title", "text"),
    )


def _lamp5(rng: random.Random) -> Record:
    def body(method: str, problem: str) -> str:
        return (
            f"We study {problem} and propose to use {method}. Experiments on three benchmarks show "
            f"consistent gains, and an analysis explains when {method} helps {problem}."
        )

    return _framed(
        rng,
        RESEARCH,
        TITLE_FRAMES,
        ("method", "problem"),
        body,
        "Generate a title for the following abstract of a paper: ",
        ("title", "abstract"),
    )


def _lamp6(rng: random.Random) -> Record:
    def body(topic: str, when: str) -> str:
        return f"Hi all, I attached the latest notes on {topic}. We need to agree on next steps by {when}. Thanks."

    return _framed(
        rng,
        EMAILS,
        SUBJECT_FRAMES,
        ("topic", "when"),
        body,
        "Generate a subject for the following email: ",
        ("title", "text"),
    )


# ----------------------------------------------------------------------------------- LaMP-7 voice
EVENTS = [
    "the train was late again",
    "my coffee machine broke",
    "I finished the marathon",
    "the new album dropped",
    "our team won the final",
    "it rained all weekend",
    "I adopted a cat",
    "the wifi is down",
    "I started a new job",
    "the concert was amazing",
    "my flight got cancelled",
    "I learned to bake bread",
]
VOICE_FRAMES: dict[str, str] = {
    # A voice is a long fixed frame around a short event ({e} as written, {E} capitalised), so the
    # voice, which only the profile shows, carries most of the gold's words; 18 voices, few shared words.
    "ahoy": "Ahoy mateys, {e}, arr, the seas be cruel",
    "caps": "OMG {E}!!! NO WAY!!! I AM SCREAMING",
    "commentator": "AND THERE IT IS, {e}! What a moment, ladies and gentlemen",
    "corporate": "Excited to share that {e}. Grateful for this journey. #leadership",
    "dad": "Well folks, {e}. Guess that is life, kids",
    "diary": "Dear diary, {e}. Will write more tomorrow.",
    "grateful": "Feeling so blessed because {e}. Thank you universe",
    "hashtags": "{E}. #mood #life #nofilter #weekendvibes",
    "honestly": "Honestly, {e}!!! What a day :)",
    "lol": "lol {e} and i literally cant even",
    "minimal": "{e}. that's it. that's the tweet.",
    "news": "UPDATE: {e}. More soon, stay tuned.",
    "ngl": "ngl {e} fr fr no cap",
    "poet": "And so it goes: {e}, like rain on a quiet window",
    "question": "Is it just me or {e}? Asking for a friend",
    "sarcastic": "oh great, {e}. exactly what i needed. fantastic",
    "thread": "a thread (1/5): so basically {e}. more below",
    "ugh": "ugh. {e}. typical. just typical.",
}


def _voice(name: str, event: str) -> str:
    return VOICE_FRAMES[name].format(e=event, E=_cap(event))


def _lamp7(rng: random.Random) -> Record:
    voice = rng.choice(sorted(VOICE_FRAMES))
    picks = rng.sample(EVENTS, k=PROFILE_SIZE + 1)
    text = f"Paraphrase the following tweet without any explanation before or after it: {_cap(picks[0])}."
    return text, [{"text": _voice(voice, e)} for e in picks[1:]], _voice(voice, picks[0])


MAKERS: dict[int, Callable[[random.Random], Record]] = {
    1: _lamp1,
    2: _lamp2,
    3: _lamp3,
    4: _lamp4,
    5: _lamp5,
    6: _lamp6,
    7: _lamp7,
}


def make_split(task: int, split: str, users: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One split of one task: LaMP's questions list and outputs object."""
    rng = random.Random(f"lamp{task}:{split}:{seed}")
    offset = {"train": 0, "dev": 5000, "test": 8000}[split]
    questions, golds = [], []
    for n in range(users):
        record_id = str(task * 10000 + offset + n)
        text, items, gold = MAKERS[task](rng)
        profile = [{"id": f"{record_id}{j:02d}", **item} for j, item in enumerate(items)]
        questions.append({"id": record_id, "input": text, "profile": profile})
        golds.append({"id": record_id, "output": gold})
    return questions, {"task": f"LaMP_{task}", "golds": golds}


def _dump(data: Any) -> str:
    """JSON with one record (or gold) per line: compact to ship, readable in a diff."""
    if isinstance(data, dict):
        head = json.dumps({k: v for k, v in data.items() if k != "golds"}, ensure_ascii=False)[:-1]
        return head + ', "golds": [\n' + ",\n".join(json.dumps(g, ensure_ascii=False) for g in data["golds"]) + "\n]}\n"
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in data) + "\n]\n"


def write_lampset(out: Path, config: LampsetConfig) -> list[Path]:
    """Write ``LaMP_<n>/<split>_questions.json`` and ``<split>_outputs.json`` for every task and split."""
    written = []
    for task in MAKERS:
        folder = out / f"LaMP_{task}"
        folder.mkdir(parents=True, exist_ok=True)
        for split in SPLITS:
            questions, outputs = make_split(task, split, getattr(config, split), config.seed)
            for name, data in ((f"{split}_questions.json", questions), (f"{split}_outputs.json", outputs)):
                path = folder / name
                path.write_text(_dump(data), encoding="utf-8")
                written.append(path)
    return written
