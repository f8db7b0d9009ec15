"""Offline tagged chains for LaMP records, written from the structure of the bundled sets.

Every bundled user has one hidden habit that the profile repeats (``tools/lampset``): a research area
(LaMP-1), a favourite tag (2), a rating habit (3), a fixed frame of fixed words around slots taken
from the input (4-7). :class:`LaMPChainWriter` reasons the way a careful reader of the *recalled*
items would, and derives its answer from them, never from the gold:

* LaMP-1: the reference sharing more topic words with the user's papers;
* LaMP-2: the tag the recalled items carry most often;
* LaMP-3: the mean of the recalled ratings, rounded;
* LaMP-4..7: the words every recalled output shares are the user's frame; each slot of the frame is
  filled by analogy: the recalled item's slot text sits between some words of its own input, and the
  same words in the new input surround the new slot text.

So a chain can be wrong (thin or misleading history, a slot the analogy cannot find), and the chain
pipeline keeps only those whose answer scores well. The writer is a :class:`~pr2_agent.policy.base.Policy`
that drives the TagPR graph, so its chains come out in exactly the graph's format.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pr2_agent import prompts
from pr2_agent.data.lamp import LaMPExample, LaMPProfileItem
from pr2_agent.policy.base import Generation, GenerationRequest
from pr2_agent.tags import Step, neutralize_tags, parse_history, render_chain
from pr2_agent.tasks.lamp import render_item

OUTPUT_FIELD = {1: "title", 2: "tag", 3: "score", 4: "title", 5: "title", 6: "title", 7: "text"}
INPUT_FIELD = {4: "text", 5: "abstract", 6: "text"}
KIND = {4: "headline", 5: "paper title", 6: "email subject", 7: "tweet"}
STOPWORDS = frozenset(
    "a an and are as at be by for from in is it of on or that the their this to with we our via using under "
    "which what when why how".split()
)
CONTEXT_WORDS = 2
"""Words of the recalled input on each side of a slot that locate the same slot in the new input."""
OPTIONAL_RATE = 0.6
"""Chance of each optional step (the chains vary, as a strong reasoner's would)."""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Recalled:
    """One recalled profile item: its rank in the user turn and its fields."""

    rank: int
    item: LaMPProfileItem

    @property
    def fields(self) -> dict[str, str]:
        """The item's LaMP fields."""
        return self.item.fields


def recalled_items(task: int, record: LaMPExample, history: Sequence[str]) -> list[Recalled]:
    """Map the history lines a user turn showed back to the record's profile items (rank from 1)."""
    by_text = {" ".join(neutralize_tags(render_item(task, item)).split()): item for item in record.profile}
    return [Recalled(rank, by_text[text]) for rank, text in enumerate(history, start=1) if text in by_text]


# ---------------------------------------------------------------------------------------------- frames


def frame_words(outputs: Sequence[str]) -> set[str]:
    """Words (lower-case) that nearly every output shares: the user's fixed frame.

    >>> sorted(frame_words(["Towards fast cats", "Towards slow dogs", "Towards big cats"]))
    ['towards']
    """
    if not outputs:
        return set()
    need = max(2, math.ceil(0.75 * len(outputs))) if len(outputs) > 1 else 1
    counts = Counter(w for out in outputs for w in set(_words(out)))
    return {w for w, n in counts.items() if n >= need}


def split_frame(output: str, frame: set[str]) -> list[tuple[bool, str]]:
    """Split an output into runs: ``(True, fixed words)`` and ``(False, slot text)``, in order.

    >>> split_frame("Towards fast cats now", {"towards", "now"})
    [(True, 'Towards'), (False, 'fast cats'), (True, 'now')]
    """
    runs: list[tuple[bool, str]] = []
    for token in output.split():
        fixed = all(w in frame for w in _words(token))  # bare punctuation (":)", "-") belongs to the frame
        if runs and runs[-1][0] == fixed:
            runs[-1] = (fixed, f"{runs[-1][1]} {token}")
        else:
            runs.append((fixed, token))
    return runs


def single_slot(runs: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """Merge everything from the first slot to the last into one slot.

    >>> single_slot([(True, "Honestly,"), (False, "it"), (True, "rained"), (False, "a lot!!!")])
    [(True, 'Honestly,'), (False, 'it rained a lot!!!')]
    """
    slots = [i for i, (fixed, _) in enumerate(runs) if not fixed]
    if len(slots) < 2:
        return runs
    first, last = slots[0], slots[-1]
    return [*runs[:first], (False, " ".join(t for _, t in runs[first : last + 1])), *runs[last + 1 :]]


def skeleton(output: str, frame: set[str], *, one_slot: bool = False) -> str:
    """The frame of an output with each slot shown as ``...`` (``one_slot``: see :func:`single_slot`).

    >>> skeleton("Towards fast cats now", {"towards", "now"})
    'Towards ... now'
    """
    runs = split_frame(output, frame)
    return " ".join(text if fixed else "..." for fixed, text in (single_slot(runs) if one_slot else runs))


def _core(text: str) -> tuple[str, str, str]:
    """Split leading and trailing punctuation off a slot: ``'(Friday).'`` -> ``('(', 'Friday', ').')``."""
    m = re.match(r"^(\W*)(.*?)(\W*)$", text)
    assert m is not None  # the pattern matches any string
    return m.group(1), m.group(2), m.group(3)


def fill_by_analogy(slot: str, source: str, target: str) -> str | None:
    """Find in ``target`` the text that sits where ``slot`` sits in ``source`` (between the same words).

    >>> fill_by_analogy("Riverside", "Officials in Riverside said on Monday", "Officials in Lakeview said on Monday")
    'Lakeview'
    """
    at = source.lower().find(slot.lower())
    if at < 0 or not slot:
        return None
    before = source[:at].split(" ")[-CONTEXT_WORDS - 1 :]
    after = source[at + len(slot) :].split(" ")[: CONTEXT_WORDS + 1]
    left, right = " ".join(before), " ".join(after)
    pattern = re.escape(left) + r"(.+?)" + (re.escape(right) if right.strip() else r"$")
    match = re.search(pattern, target, flags=re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else None


def _event(question: str) -> str:
    """The tweet to paraphrase (LaMP-7's input after its colon), as a frame's slot would hold it."""
    text = question.split(":", 1)[-1].strip().rstrip(".")
    return text if text.startswith("I ") else text[:1].lower() + text[1:]


def frame_answer(task: int, question: str, recalled: Sequence[Recalled], frame: set[str]) -> tuple[str, list[str]]:
    """Fill the user's frame for ``question``; return the answer and the slot fills (``...`` where none)."""
    model = max(recalled, key=lambda r: sum(fixed for fixed, _ in split_frame(r.fields[OUTPUT_FIELD[task]], frame)))
    output = model.fields[OUTPUT_FIELD[task]]
    runs = split_frame(output, frame)
    if task == 7:  # a voice has one slot, the event: words an event shares with the frame stay inside it
        runs = single_slot(runs)
    pieces, fills = [], []
    for position, (fixed, text) in enumerate(runs):
        if fixed:
            pieces.append(text)
            continue
        lead, core, trail = _core(text)
        if task == 7:
            fill: str | None = _event(question)
        else:
            source = model.fields[INPUT_FIELD[task]]
            fill = fill_by_analogy(core, source, question.split(":", 1)[-1])
        fill = fill if fill else "..."
        fills.append(fill)
        if pieces and not lead and pieces[-1].split()[-1].lower() == fill.split()[0].lower():
            # A frame word the fill starts with too ("UPDATE: I" + "I started..."): write it once.
            pieces[-1] = " ".join(pieces[-1].split()[:-1])
            pieces = [p for p in pieces if p]
        pieces.append(f"{lead}{_cap(fill) if position == 0 else fill}{trail}")
    return " ".join(pieces), fills


# ---------------------------------------------------------------------------------------------- chains


def _maybe(rng: random.Random, step: Step) -> list[Step]:
    return [step] if rng.random() < OPTIONAL_RATE else []


def _quote_list(recalled: Sequence[Recalled], task: int, limit: int = 3) -> str:
    return "; ".join(f'[{r.rank}] "{r.fields[OUTPUT_FIELD[task]]}"' for r in recalled[:limit])


def chain_lamp1(question: str, recalled: Sequence[Recalled], rng: random.Random) -> tuple[list[Step], str]:
    """Pick the reference whose topic words the user's papers share."""
    refs = re.findall(r'\[([12])\]: "(.*?)"', question)
    history = Counter(w for r in recalled for w in set(_words(r.fields["title"])) if w not in STOPWORDS)
    common = set(_words(refs[0][1])) & set(_words(refs[1][1])) if len(refs) == 2 else set()
    overlap = {n: [w for w in dict.fromkeys(_words(t)) if w in history and w not in common] for n, t in refs}
    best = max(overlap, key=lambda n: len(overlap[n])) if overlap else "1"
    top = [w for w, _ in history.most_common(4) if w not in common][:3]
    other = "2" if best == "1" else "1"
    steps = [
        *_maybe(rng, Step("analyze_input", "Both references use the same method; they differ in topic.")),
        Step("examine_history", f"The user's papers: {_quote_list(recalled, 1)}."),
        *_maybe(rng, Step("identify_pattern", f"Recurring topic words: {', '.join(top) or 'none'}.")),
        Step("infer_preference", f"This author works on {' and '.join(top[:2]) or 'one area'}."),
        Step(
            "relate_to_input",
            f"Reference [{best}] shares {', '.join(overlap.get(best, [])) or 'nothing'} with that work; "
            f"[{other}] shares {', '.join(overlap.get(other, [])) or 'nothing'}.",
        ),
    ]
    return steps, f"[{best}]"


def chain_lamp2(question: str, recalled: Sequence[Recalled], rng: random.Random) -> tuple[list[Step], str]:
    """Pick the tag the recalled items carry most often."""
    tags = [r.fields["tag"] for r in recalled]
    counts = Counter(tags)
    favourite, k = counts.most_common(1)[0] if counts else ("", 0)
    seen = ", ".join(f'[{r.rank}] "{r.fields["tag"]}"' for r in recalled)
    steps = [
        *_maybe(rng, Step("analyze_input", f"The movie: {question.rsplit('description:', 1)[-1].strip()}")),
        Step("examine_history", f"The user tagged: {seen}."),
        *_maybe(rng, Step("identify_pattern", f'"{favourite}" is the tag of {k} of {len(tags)} items.')),
    ]
    if 0 < k < len(tags):
        steps += _maybe(rng, Step("weigh_evidence", "The other tags appear less often, so they count less."))
    steps += [
        Step("infer_preference", f'This user tags a movie "{favourite}" whenever it fits.'),
        Step("relate_to_input", f'This movie can be read as "{favourite}", so the user would pick it.'),
    ]
    return steps, favourite


def chain_lamp3(question: str, recalled: Sequence[Recalled], rng: random.Random) -> tuple[list[Step], str]:
    """Rate like the recalled ratings."""
    scores = [float(r.fields["score"]) for r in recalled]
    mean = sum(scores) / len(scores) if scores else 3.0
    rating = min(5, max(1, round(mean)))
    habit = "low" if mean < 2.5 else "high" if mean > 3.5 else "in the middle"
    seen = ", ".join(f"[{r.rank}] {r.fields['score']}" for r in recalled)
    steps = [
        *_maybe(rng, Step("analyze_input", "The review is mixed: it praises one thing and criticises another.")),
        Step("examine_history", f"The user's ratings of similar reviews: {seen}."),
        *_maybe(rng, Step("identify_pattern", f"They range from {min(scores):g} to {max(scores):g}.")),
        Step("infer_preference", f"This user rates mixed reviews {habit} (mean {mean:.1f})."),
        Step("relate_to_input", f"This mixed review would get about {rating} from them."),
    ]
    return steps, str(rating)


def chain_frame(
    task: int, question: str, recalled: Sequence[Recalled], rng: random.Random
) -> tuple[list[Step], str]:
    """Write in the user's frame, its slots filled from the input by analogy (LaMP-4..7)."""
    outputs = [r.fields[OUTPUT_FIELD[task]] for r in recalled]
    frame = frame_words(outputs)
    if not recalled:
        return [], ""
    answer, fills = frame_answer(task, question, recalled, frame)
    shape = skeleton(outputs[0], frame, one_slot=task == 7)
    kind = KIND[task]
    slots = " and ".join(f'"{f}"' for f in fills) or "nothing"
    steps = [
        *_maybe(rng, Step("analyze_input", f"The input gives the {kind} its content: {slots}.")),
        Step("examine_history", f"The user's {kind}s: {_quote_list(recalled, task, 2)}."),
        *_maybe(rng, Step("identify_pattern", f'They share the words "{shape}".')),
        Step("infer_preference", f'This user writes every {kind} in the frame "{shape}".'),
        Step("relate_to_input", f"Here the slots take {slots}."),
        *_maybe(rng, Step("consider_alternatives", f"A plain {kind} would fit the input but not this user.")),
    ]
    if rng.random() < OPTIONAL_RATE:
        steps.append(Step("draft", answer))
        steps += _maybe(rng, Step("check_draft", f'The draft keeps "{shape}" and uses the input\'s words.'))
    return steps, answer


def write_chain(task: int, question: str, recalled: Sequence[Recalled], rng: random.Random) -> str:
    """The tagged chain and answer for one record over its recalled items."""
    if not recalled:  # nothing to personalize from: say so (LaMP-4..7 then have no answer and are dropped)
        steps = [
            Step("examine_history", "No items of the user's history were recalled."),
            Step("infer_preference", "Nothing shows this user's preference."),
            Step("relate_to_input", "So the output can only follow the input."),
        ]
        return render_chain(steps, {1: "[1]", 2: "", 3: "3"}.get(task, ""))
    if task == 1:
        steps, answer = chain_lamp1(question, recalled, rng)
    elif task == 2:
        steps, answer = chain_lamp2(question, recalled, rng)
    elif task == 3:
        steps, answer = chain_lamp3(question, recalled, rng)
    else:
        steps, answer = chain_frame(task, question, recalled, rng)
    return render_chain(steps, answer)


class LaMPChainWriter:
    """A policy that writes :func:`write_chain` for one record, reading the recalled items from its turn.

    Args:
        task: The LaMP task number (1-7).
        record: The record (input and profile; the gold is not read).
        seed: Varies which optional steps a chain has.
    """

    name = "lamp-chain-writer"

    def __init__(self, task: int, record: LaMPExample, *, seed: int = 0) -> None:
        """Bind the record."""
        self.task = task
        self.record = record
        self.seed = seed

    def encode(self, text: str) -> None:
        """No tokenizer: wrap it in ``TokenizedPolicy`` for token ids."""
        return None

    def generate(self, request: GenerationRequest) -> Generation:
        """Write the chain (or, after a forced ``<answer>``, only the answer)."""
        turn = request.messages[-1]["content"]
        recalled = recalled_items(self.task, self.record, parse_history(turn))
        rng = random.Random(f"{self.seed}:{self.record.id}")
        text = write_chain(self.task, self.record.input, recalled, rng)
        segments = request.segments
        if segments and segments[-1]["text"] == prompts.FORCED_ANSWER_OBSERVATION:
            text = text.split(prompts.open_tag(prompts.ANSWER_TAG), 1)[-1]
        return Generation(text=text, token_ids=None, prompt_ids=None, finish_reason="stop")

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer each request in order."""
        return [self.generate(r) for r in requests]
