"""PR2's cold start on LaMP classification: search the user's history, cite the items that carry the gold, answer it.

    python trainers/pr2_lamp_warmup.py --out outputs/pr2-lamp-warmup/train.jsonl
    python trainers/sft_train.py --config trainers/configs/pr2_lamp_sft_cpu.yaml      # -> outputs/pr2-lamp-sft

A 60-min GRPO run of the shipped PR2 policy on LaMP-2 learned the protocol but answered "2" instead
of a tag (docs/results/lamp/lamp2_learning.md): the small policy never writes a right answer, so
GRPO has nothing to reinforce. As for PrLM (``trainers/prlm_warmup.py``), a short SFT on replies
that do first fixes that.

Each row is a real **PR2 graph** run over a bundled LaMP train record (task 2, movie tag; task 3,
product rating), on the store, k and budgets of ``trainers/configs/grpo_lamp2_cpu.yaml``, driven by
:class:`WarmupPolicy`, a scripted policy that reacts to what the graph inserted:

* turn 1: a ``<think>`` on what the answer depends on (how this user tags / rates items like this one)
  and a ``<search>`` made of the input's content words (the movie description, the review), never
  the gold;
* turn 2: it reads the ``<information>`` block the graph inserted (the items as the graph rendered
  them), and writes a ``<think>`` that cites the items whose output is the gold (and what the others
  carry), then ``<answer>GOLD</answer>``. It states only what the block shows.

A record is left out when the retrieved items do not carry the gold (nothing in the information
supports it), or when a turn would not fit the rollout's ``max_new_tokens`` (or the whole completion
GRPO's ``max_completion_length``). Wording varies with templates chosen by an RNG seeded per record.
Rows are :func:`trainers.trajectories.trajectory_row`'s: ``input_ids`` and ``completion_mask`` (0 on
the prompt and on the inserted ``<information>`` tokens, 1 on both turns and the EOS), what
``trainers/sft_train.py`` trains on as it is.

LaMP-1 (which of two papers the user cites) does not fit: its profile items are titles, not the
user's past answers, so no retrieved item can carry the gold.
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

offline_defaults()

import argparse  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Literal, cast  # noqa: E402

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pr2_agent import prompts  # noqa: E402
from pr2_agent.context import Context  # noqa: E402
from pr2_agent.data.lamp_metrics import LAMP2_MOVIE_TAGS  # noqa: E402
from pr2_agent.parsing import neutralize  # noqa: E402
from pr2_agent.policy.base import Generation, GenerationRequest  # noqa: E402
from pr2_agent.tasks import Example  # noqa: E402

logger = logging.getLogger("trainers.pr2_lamp_warmup")

SOURCE = "pr2-lamp-warmup"
MAX_QUERY_WORDS = 8
"""A search query keeps this many content words of the input (a long query only dilutes the embedding)."""
STOPWORDS = frozenset(
    """a an and are as at be been but by for from has have he her hers him his how i in into is it its me my
    of on one or our she so that the their them they this to too up was we were what when which who why will
    with you your does did do not no than then there these those out off over under about after before just
    very""".split()
)

SupportKind = Literal["all", "plurality", "top", "minority"]
SUPPORT_LEVELS: dict[str, tuple[SupportKind, ...]] = {
    "present": ("all", "plurality", "top", "minority"),
    "leading": ("all", "plurality", "top"),
}
"""``--min-support``: which support a row needs. ``present``: the gold is among the retrieved outputs;
``leading``: it is also the most frequent one or the top item's."""


# ------------------------------------------------------------------------------------------------ the tasks


@dataclass(frozen=True)
class WarmupTask:
    """How one LaMP task's input, rendered items and reasoning look to the warm-up."""

    number: int
    item: str
    """What a profile item is ("movie", "review")."""
    label: str
    """What the output is ("tag", "score")."""
    subject_marker: str
    """The part of the input after this marker is what the query is made from."""
    output_pattern: re.Pattern[str]
    """Reads the output from an item as :func:`pr2_agent.tasks.lamp.render_item` renders it."""
    plans: tuple[str, ...]
    """Turn 1's thought."""
    query_forms: tuple[str, ...]
    """Turn 1's query, around the input's content words ``{words}``."""
    carry_forms: tuple[str, ...]
    """Turn 2: ``{ranks}`` carry ``{gold}`` (singular, plural variants chosen by count)."""
    all_form: str
    """Turn 2 when every one of the ``{n}`` items carries ``{gold}`` (one of the forms)."""
    other_form: str
    """Turn 2: an item that carries another output."""
    conclusions: tuple[str, ...]
    """Turn 2's last sentence, before the answer."""
    labels: tuple[str, ...] = ()
    """The task's label set, when its labels are words a thought could name (LaMP-2's tags)."""


WARMUP_TASKS: dict[int, WarmupTask] = {
    2: WarmupTask(
        number=2,
        item="movie",
        label="tag",
        subject_marker="description:",
        output_pattern=re.compile(r'^the tag for the movie: ".*" is "(?P<output>[^"]+)"$', re.DOTALL),
        plans=(
            "The tag depends on how this user tags movies like this one. I will search their past movies.",
            "This user has a way of tagging movies. Let me find the movies they tagged that are closest to this one.",
            "To pick the tag I need this user's tags for similar movies, so I search their history.",
            "Several tags could fit this movie; the user's own tags for similar movies decide. Let me search.",
        ),
        query_forms=("{words}", "movies about {words}", "movies like {words}", "tag for {words}"),
        carry_forms=(
            '{ranks} {carry} this user\'s tag "{gold}".',
            '{ranks}, retrieved as close to this movie, {carry} the tag "{gold}".',
            'This user tagged {ranks} "{gold}".',
        ),
        all_form='All {n} retrieved movies carry this user\'s tag "{gold}".',
        other_form='{ranks} {carry} "{output}"',
        conclusions=('So the tag is "{gold}".', 'So I answer "{gold}".', "Now I can answer."),
        labels=tuple(LAMP2_MOVIE_TAGS),
    ),
    3: WarmupTask(
        number=3,
        item="review",
        label="score",
        subject_marker="review:",
        output_pattern=re.compile(r'^(?P<output>[1-5]) is the score for ".*"$', re.DOTALL),
        plans=(
            "The score depends on how this user rates products like this one. I will search their past reviews.",
            "This user rates in their own way. Let me find their reviews closest to this one.",
            "To pick the score I need this user's scores for similar reviews, so I search their history.",
            "A mixed review could get several scores; the user's own past scores decide. Let me search.",
        ),
        query_forms=("{words}", "reviews of {words}", "{words} review", "score for {words}"),
        carry_forms=(
            "This user gave {ranks} a score of {gold}.",
            "{ranks}, retrieved as close to this review, {carry} the score {gold}.",
            "{ranks} {carry} this user's score {gold}.",
        ),
        all_form="All {n} retrieved reviews got this user's score {gold}.",
        other_form="{ranks} {carry} {output}",
        conclusions=("So the score is {gold}.", "So I answer {gold}.", "Now I can answer."),
    ),
}
"""The LaMP tasks whose answer is a label the user's past items carry."""


def subject_words(task: WarmupTask, question: str) -> list[str]:
    """The content words of the input's subject (the movie description, the review), in order, deduplicated.

    >>> subject_words(WARMUP_TASKS[2], "Which tag ... tags: [sci-fi] description: A robot nanny starts a robot war.")
    ['robot', 'nanny', 'starts', 'war']
    """
    _, marker, rest = question.rpartition(task.subject_marker)
    text = rest if marker else question
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", text)]
    kept = [w for w in words if w not in STOPWORDS and len(w) > 2]
    return list(dict.fromkeys(kept))[:MAX_QUERY_WORDS]


# ------------------------------------------------------------------------------------------------ the information


_ITEM_LINE = re.compile(r"^\[(?P<rank>\d+)\] \(PROFILE, score=[^)]*\) (?P<text>.*)$")


@dataclass(frozen=True)
class SeenOutput:
    """One item of an inserted ``<information>`` block: its rank and the output it carries (None if unreadable)."""

    rank: int
    output: str | None


def information_outputs(task: WarmupTask, block: str) -> list[SeenOutput]:
    """The items of an inserted ``<information>`` block with the output each one shows, in rank order.

    >>> block = '<information>\\n[1] (PROFILE, score=0.800) 4 is the score for "Fine."\\n</information>'
    >>> information_outputs(WARMUP_TASKS[3], block)
    [SeenOutput(rank=1, output='4')]
    """
    seen = []
    for line in block.splitlines():
        match = _ITEM_LINE.match(line.strip())
        if match:
            out = task.output_pattern.match(match["text"])
            seen.append(SeenOutput(int(match["rank"]), out["output"].strip() if out else None))
    return seen


@dataclass(frozen=True)
class Support:
    """How the retrieved items bear on the gold."""

    kind: SupportKind
    gold_ranks: tuple[int, ...]
    others: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Every other output shown, with the ranks carrying it (in order of first appearance)."""


def support_for(seen: Sequence[SeenOutput], gold: str) -> Support | None:
    """How the retrieved outputs support ``gold``; None when no item carries it.

    ``all``: every item carries it; ``plurality``: more items carry it than any other output; ``top``:
    the best-ranked item carries it; ``minority``: some item does.

    >>> seen = [SeenOutput(1, "comedy"), SeenOutput(2, "romance"), SeenOutput(3, "romance")]
    >>> support_for(seen, "romance")
    Support(kind='plurality', gold_ranks=(2, 3), others={'comedy': (1,)})
    >>> support_for(seen, "comedy").kind, support_for(seen, "classic")
    ('top', None)
    """
    gold_ranks = tuple(s.rank for s in seen if s.output == gold)
    if not gold_ranks:
        return None
    others: dict[str, list[int]] = {}
    for s in seen:
        if s.output is not None and s.output != gold:
            others.setdefault(s.output, []).append(s.rank)
    kind: SupportKind
    if not others and len(gold_ranks) == len(seen):
        kind = "all"
    elif all(len(gold_ranks) > len(r) for r in others.values()):
        kind = "plurality"
    elif gold_ranks[0] == min(s.rank for s in seen):
        kind = "top"
    else:
        kind = "minority"
    return Support(kind, gold_ranks, {o: tuple(r) for o, r in others.items()})


def ranks_text(ranks: Sequence[int]) -> str:
    """``[1]``, ``[1] and [3]``, ``[1], [2] and [3]``.

    >>> ranks_text([1, 2, 3])
    '[1], [2] and [3]'
    """
    names = [f"[{r}]" for r in ranks]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _carry(ranks: Sequence[int]) -> str:
    return "carries" if len(ranks) == 1 else "carry"


# ------------------------------------------------------------------------------------------------ the turns


Probe = Callable[[str], bool]
"""Whether a search with this query (this record's user, the run's k and retriever) shows an item carrying the gold."""


def plan_turn(task: WarmupTask, question: str, rng: random.Random, probe: Probe | None = None) -> tuple[str, str]:
    """Turn 1: what the answer depends on, and a search made of the input's content words (the reply, the query).

    The query is one of the task's forms around those words, in an order the RNG picks; with ``probe`` it is
    the first form whose results carry the gold (the first form when none does). The gold never enters the
    query's text, only the choice among forms, as the LaMP-QA demonstrations' probe does.

    Raises:
        ValueError: The input has no content word to search with.
    """
    words = subject_words(task, question)
    if not words:
        raise ValueError(f"the input has no content words to search with: {question[:80]!r}")
    candidates = [form.format(words=" ".join(words)) for form in rng.sample(task.query_forms, len(task.query_forms))]
    query = next((q for q in candidates if probe(q)), candidates[0]) if probe is not None else candidates[0]
    think, search = prompts.THINK_TAG, prompts.SEARCH_TAG
    text = (
        f"{prompts.open_tag(think)}{rng.choice(task.plans)}{prompts.close_tag(think)}\n"
        f"{prompts.open_tag(search)}{query}{prompts.close_tag(search)}"
    )
    return text, query


def reasoning(task: WarmupTask, support: Support, gold: str, rng: random.Random) -> str:
    """Turn 2's thought: which retrieved items carry the gold, what the others carry, the conclusion.

    Built from the information block only: every output it names is one a retrieved item shows.

    >>> s = Support("plurality", (1, 3), {"comedy": (2,)})
    >>> print(reasoning(WARMUP_TASKS[2], s, "dark comedy", random.Random(0)))  # doctest: +NORMALIZE_WHITESPACE
    [1] and [3], retrieved as close to this movie, carry the tag "dark comedy". [2] carries "comedy".
    So I answer "dark comedy".
    """
    sentences = []
    if support.kind == "all" and len(support.gold_ranks) > 1 and rng.random() < 0.5:
        sentences.append(task.all_form.format(n=len(support.gold_ranks), gold=gold))
    else:
        form = rng.choice(task.carry_forms)
        sentences.append(form.format(ranks=ranks_text(support.gold_ranks), carry=_carry(support.gold_ranks), gold=gold))
    others = [task.other_form.format(ranks=ranks_text(r), carry=_carry(r), output=o) for o, r in support.others.items()]
    if others:
        sentences.append("; ".join(others) + ".")
    if support.kind == "top":
        sentences.append(f"[{support.gold_ranks[0]}] is the closest {task.item}.")
    sentences.append(rng.choice(task.conclusions).format(gold=gold))
    text = " ".join(sentences)
    return text[0].upper() + text[1:]


def answer_turn(thought: str, gold: str) -> str:
    """Turn 2's reply: the thought, then the gold in ``<answer>``."""
    think, answer = prompts.THINK_TAG, prompts.ANSWER_TAG
    return (
        f"{prompts.open_tag(think)}{neutralize(thought)}{prompts.close_tag(think)}\n"
        f"{prompts.open_tag(answer)}{neutralize(gold)}{prompts.close_tag(answer)}"
    )


def named_labels(text: str, labels: Sequence[str] = tuple(LAMP2_MOVIE_TAGS)) -> list[str]:
    """The labels (default: LaMP-2's tags) a text names, longest first so "dark comedy" is not also "comedy".

    >>> named_labels('[1] carries "dark comedy"; [2] carries "comedy".')
    ['dark comedy', 'comedy']
    """
    found = []
    rest = text.lower()
    for label in sorted(labels, key=len, reverse=True):
        pattern = rf"(?<![a-z0-9-]){re.escape(label)}(?![a-z0-9-])"
        if re.search(pattern, rest):
            found.append(label)
            rest = re.sub(pattern, " ", rest)
    return found


class Unsupported(ValueError):
    """The inserted information does not support the gold: the record gives no row."""

    def __init__(self, reason: str, detail: str) -> None:
        """``reason`` is what the summary counts ("gold not supported"), ``detail`` what the log says."""
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class WarmupPolicy:
    """Write the two warm-up turns for one record, reading what the graph inserted in between.

    Args:
        task: The record's LaMP task.
        question: The record's input (turn 1's query is made from it).
        gold: The record's gold output (written only in ``<answer>``, after the information showed it).
        seed: Varies the wording (per record).
        min_support: ``present`` or ``leading`` (:data:`SUPPORT_LEVELS`).
        probe: Optional: turn 1 searches with the first query form whose results carry the gold.
    """

    name = "pr2-lamp-warmup"

    def __init__(
        self,
        task: WarmupTask,
        question: str,
        gold: str,
        *,
        seed: str,
        min_support: str = "present",
        probe: Probe | None = None,
    ) -> None:
        """Prepare the turns of one record."""
        if min_support not in SUPPORT_LEVELS:
            raise ValueError(f"min_support must be one of {sorted(SUPPORT_LEVELS)}, got {min_support!r}.")
        self.task, self.question, self.gold = task, question, gold
        self.seed, self.min_support, self.probe = seed, min_support, probe
        self.query = ""
        self.support: Support | None = None
        self.thought = ""

    def encode(self, text: str) -> None:
        """No tokenizer of its own: wrap it in :class:`trainers.demonstrations.TokenizedPolicy`."""
        return None

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer each request in order."""
        return [self.generate(r) for r in requests]

    def generate(self, request: GenerationRequest) -> Generation:
        """Turn 1 with no segments yet; turn 2 right after an inserted ``<information>`` block.

        Raises:
            Unsupported: No retrieved item carries the gold (or, with ``leading``, it does not lead).
            ValueError: The graph asked for anything else (a corrective or forced-answer turn).
        """
        segments = request.segments
        rng = random.Random(f"{self.seed}:{len(segments)}")
        if not segments:
            text, self.query = plan_turn(self.task, self.question, rng, self.probe)
        elif segments[-1]["kind"] == "env" and segments[-1].get("item_ids") is not None:
            seen = information_outputs(self.task, segments[-1]["text"])
            support = support_for(seen, self.gold)
            if support is None:
                shown = sorted({s.output for s in seen if s.output})
                raise Unsupported("gold not supported", f"no retrieved {self.task.item} carries it (shown: {shown})")
            if support.kind not in SUPPORT_LEVELS[self.min_support]:
                raise Unsupported(
                    "gold not leading", f"only a {support.kind} output of the retrieved {self.task.item}s"
                )
            self.support = support
            self.thought = reasoning(self.task, support, self.gold, rng)
            invented = set(named_labels(self.thought, self.task.labels)) - {s.output for s in seen}
            if invented:  # a template bug, never data: the thought may only name what the block shows
                raise ValueError(f"the thought names {sorted(invented)}, which the information does not show")
            text = answer_turn(self.thought, self.gold)
        else:
            raise ValueError(f"unexpected graph step after {[s['kind'] for s in segments]}: the warm-up searches once")
        return Generation(text=text, token_ids=None, prompt_ids=None, finish_reason="stop")


# ------------------------------------------------------------------------------------------------ the rows


def warmup_row(
    example: Example,
    task_number: int,
    *,
    store: Any,
    tokenizer: Any,
    context: Context,
    min_support: str = "present",
    probe_queries: bool = False,
) -> dict[str, Any]:
    """One SFT row: the PR2 graph run on ``example`` with :class:`WarmupPolicy`.

    With ``probe_queries`` the policy's query is the first form whose results carry the gold (searched
    first with the graph's own search, :func:`pr2_agent.resources.search_profile`: same store, k, retriever).

    Raises:
        Unsupported: The retrieved items do not support the gold.
        ValueError: The record has no gold, or the run did not end with the gold as planned.
    """
    from pr2_agent.methods import get_method
    from pr2_agent.resources import search_profile
    from pr2_agent.tasks import get_task
    from trainers.demonstrations import TokenizedPolicy
    from trainers.trajectories import run_context, trajectory_row

    gold = (example.reference.output or "").strip()
    if not gold:
        raise ValueError(f"record {example.id} has no gold output; the warm-up needs the train split's golds.")
    task, run = WARMUP_TASKS[task_number], run_context(context, example)

    def carries_gold(query: str) -> bool:
        hits = search_profile(store, example.user_id, query, run)
        return any((m := task.output_pattern.match(h.text)) and m["output"].strip() == gold for h in hits)

    policy = WarmupPolicy(
        task,
        example.question,
        gold,
        seed=f"{example.id}",
        min_support=min_support,
        probe=carries_gold if probe_queries else None,
    )
    graph = get_method("pr2").build_graph(model=TokenizedPolicy(policy, tokenizer), store=cast(Any, store))
    state = dict(graph.invoke({"question": example.question}, context=run))
    score = get_task(f"lamp{task_number}").score([example], [str(state.get("answer", ""))], None)[0]
    if state.get("finish") != "answer" or state.get("answer") != gold or score.score != 1.0:
        raise ValueError(f"record {example.id}: the graph parsed {state.get('answer')!r}, not the gold {gold!r}.")
    row = trajectory_row(example, state, eos_token_id=int(tokenizer.eos_token_id))
    assert policy.support is not None  # the run reached turn 2
    row.update(
        lamp_task=task_number,
        gold=gold,
        reasoning=policy.thought,
        support=policy.support.kind,
        turn_tokens=[len(s["token_ids"] or []) for s in state["segments"] if s["kind"] == "model"],
        source=SOURCE,
        sample=0,
    )
    return row


def load_task_examples(tasks: Sequence[int], split: str, limit: int | None) -> list[tuple[int, Example]]:
    """The bundled LaMP split of each task, through the task registry (first ``limit`` records per task)."""
    from trainers.trajectories import bundled_lamp_examples

    which = "the LaMP classification tasks"
    return bundled_lamp_examples(tasks, split, limit, allowed=sorted(WARMUP_TASKS), which=which)


@dataclass(frozen=True)
class WarmupData:
    """The rows built, and the records left out with the reason for each."""

    rows: list[dict[str, Any]]
    left_out: dict[str, list[str]]
    """Reason -> record ids."""


def build_rows(
    examples: Sequence[tuple[int, Example]],
    *,
    store: Any,
    tokenizer: Any,
    context: Context,
    max_completion_length: int = 512,
    min_support: str = "present",
    probe_queries: bool = False,
) -> WarmupData:
    """A warm-up row per supported example whose turns fit the rollout.

    GRPO's rollout stops each turn at ``context.max_new_tokens`` and the whole completion at
    ``max_completion_length``: a longer row would teach a reply the policy can never finish there.
    """
    rows: list[dict[str, Any]] = []
    left_out: dict[str, list[str]] = {}
    for n, example in examples:
        try:
            row = warmup_row(
                example,
                n,
                store=store,
                tokenizer=tokenizer,
                context=context,
                min_support=min_support,
                probe_queries=probe_queries,
            )
        except Unsupported as why:
            left_out.setdefault(why.reason, []).append(example.id)
            logger.debug("record %s left out: %s", example.id, why)
            continue
        if max(row["turn_tokens"]) > context.max_new_tokens:
            left_out.setdefault("turn > max_new_tokens", []).append(example.id)
        elif len(row["completion_ids"]) + 1 > max_completion_length:
            left_out.setdefault("completion > max_completion_length", []).append(example.id)
        else:
            rows.append(row)
    return WarmupData(rows, left_out)


def summarize(data: WarmupData, seconds: float) -> str:
    """Rows per task and support, records left out and why, token lengths."""
    rows = data.rows
    lines = [
        f"rows: {len(rows)} {dict(sorted(Counter(r['lamp_task'] for r in rows).items()))}",
        f"support: {dict(sorted(Counter(r['support'] for r in rows).items()))}",
    ]
    for name, lengths in (
        ("prompt", [len(r["prompt_ids"]) for r in rows]),
        ("completion", [len(r["completion_ids"]) for r in rows]),
        ("turn", [t for r in rows for t in r["turn_tokens"]]),
    ):
        lengths.sort()
        if lengths:
            lines.append(f"{name} tokens: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    for reason, ids in sorted(data.left_out.items()):
        lines.append(f"left out ({reason}): {len(ids)} {ids[:5]}")
    lines.append(f"time {seconds:.1f} s")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options; store, embedding, k and budgets default to trainers/configs/grpo_lamp2_cpu.yaml's."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--tasks", type=int, nargs="+", default=sorted(WARMUP_TASKS), help="LaMP tasks (2 3)")
    p.add_argument("--split", default="train", choices=["train", "dev", "test"], help="bundled LaMP split")
    p.add_argument("--limit", type=int, default=None, help="first N records per task (default: all)")
    p.add_argument("--out", required=True, help="rows file: .jsonl/.json or .parquet")
    p.add_argument("--tokenizer", default="embedded", help="student whose token ids to write (the shipped policy)")
    p.add_argument("--store", default=".pr2/lamp2-train-store", help="profile store directory (GRPO's)")
    p.add_argument("--embedding", default="minilm", help="store embedding: minilm or hash")
    p.add_argument("--retriever", default="dense", choices=["dense", "bm25"])
    p.add_argument("--top-k", type=int, default=3, help="profile items per search (grpo_lamp2_cpu.yaml: 3)")
    p.add_argument(
        "--max-new-tokens", type=int, default=64, help="tokens per turn in the rollout: longer rows left out"
    )
    p.add_argument(
        "--max-completion-length", type=int, default=512, help="GRPO's max_completion_length: longer rows left out"
    )
    p.add_argument(
        "--min-support",
        default="present",
        choices=sorted(SUPPORT_LEVELS),
        help="present: a retrieved item carries the gold; leading: it is also the top item's or the most frequent",
    )
    p.add_argument(
        "--probe-queries",
        action="store_true",
        help="search with the first query form (of the input's words) whose results carry the gold: fewer left out",
    )
    return p


def _error(message: str) -> int:
    print(f"pr2_lamp_warmup: error: {message}", file=sys.stderr)  # noqa: T201
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Build the warm-up rows and write them."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pr2_agent.store").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    for flag, value in (
        ("--top-k", args.top_k),
        ("--max-new-tokens", args.max_new_tokens),
        ("--max-completion-length", args.max_completion_length),
        ("--limit", args.limit),
    ):
        if value is not None and value < 1:
            return _error(f"{flag} must be >= 1, got {value}.")
    if Path(args.out).suffix not in (".jsonl", ".json", ".parquet"):
        return _error(f"--out {args.out} must end in .jsonl, .json or .parquet.")
    try:
        examples = load_task_examples(args.tasks, args.split, args.limit)
    except (ValueError, FileNotFoundError) as err:
        return _error(str(err))

    from transformers import AutoTokenizer

    from pr2_agent.policy.resolve import checkpoint_dir
    from pr2_agent.run.ingest import open_store_with_profiles
    from trainers.trajectories import write_dataset

    started = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir(args.tokenizer), local_files_only=True)
        store = open_store_with_profiles(
            [e for _, e in examples], args.store, embedding=args.embedding, retriever=args.retriever
        )
        # The rollout's context (grpo_lamp2_cpu.yaml): one search of top_k items, max_new_tokens per turn.
        context = Context(
            top_k=args.top_k, retriever=args.retriever, max_searches=1, max_new_tokens=args.max_new_tokens
        )
        data = build_rows(
            examples,
            store=store,
            tokenizer=tokenizer,
            context=context,
            max_completion_length=args.max_completion_length,
            min_support=args.min_support,
            probe_queries=args.probe_queries,
        )
    except (ValueError, FileNotFoundError) as err:  # a bad --tokenizer/--embedding, a record without gold
        return _error(str(err))
    print(summarize(data, time.perf_counter() - started))  # noqa: T201
    if not data.rows:
        print("pr2_lamp_warmup: error: no record gave a row (see 'left out' above).", file=sys.stderr)  # noqa: T201
        return 1
    write_dataset(data.rows, args.out)
    print(f"wrote {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
