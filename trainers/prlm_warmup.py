"""PrLM's cold-start format warm-up: SFT rows that think over the retrieved profile, then give the gold.

    python trainers/prlm_warmup.py --out outputs/prlm-warmup/train.jsonl
    python trainers/sft_train.py --config trainers/configs/prlm_sft_cpu.yaml    # -> outputs/prlm-sft

The untrained 135M policy never writes PrLM's ``<think>…</think><answer>…</answer>`` reply, so in
GRPO its format and reward-model terms give no signal. A short SFT on formatted replies first (the
cold start of DeepSeek-R1-style pipelines) fixes that. No teacher model is available, so each reply
is built from the record itself: a ``<think>`` that says what the retrieved past outputs show about
this user's style (the most similar one quoted, their shared opening and ending, their length),
then ``<answer>GOLD</answer>``.

Each row is a real PrLM graph run over the bundled LaMP train split (tasks 4, 5, 7): the graph
retrieves with the same store, k and retriever as GRPO's rollouts, and a scripted policy writes the
reply through the student's tokenizer. So the prompt is exactly what the policy is fed at rollout
time (PrLM's system prompt, the retrieved items, the input), and the row has the format
``trainers/sft_train.py`` trains on as it is: ``input_ids`` and ``completion_mask`` (0 on the prompt,
1 on the reply and EOS).
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

offline_defaults()

import argparse  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, cast  # noqa: E402

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pr2_agent import prompts  # noqa: E402
from pr2_agent.context import Context  # noqa: E402
from pr2_agent.methods.prlm_graph import DEFAULT_TOP_K, prlm_answer  # noqa: E402
from pr2_agent.parsing import neutralize  # noqa: E402
from pr2_agent.tasks import Example  # noqa: E402

logger = logging.getLogger("trainers.prlm_warmup")

SOURCE = "prlm-warmup"
MAX_QUOTE_WORDS = 30
"""A quoted past output keeps this many words (a long tweet would eat the turn's token budget)."""
MAX_SHARED_WORDS = 8
"""A shared opening or ending is quoted up to this many words."""


@dataclass(frozen=True)
class OutputField:
    """Where a LaMP task keeps a past item's output, and what the reasoning calls it."""

    field: str
    noun: str


PRLM_TASKS: dict[int, OutputField] = {
    4: OutputField("title", "headline"),
    5: OutputField("title", "title"),
    7: OutputField("text", "tweet"),
}
"""The LaMP tasks PrLM is trained on, with the profile field that holds the user's own output."""


# ------------------------------------------------------------------------------------------------ the reply


def _words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + (" ..." if len(words) > limit else "")


def shared_opening(outputs: Sequence[str]) -> list[str]:
    """The words every output starts with (none for fewer than two outputs).

    >>> shared_opening(["Well folks, a cat. Life", "Well folks, rain. Life"])
    ['Well', 'folks,']
    """
    if len(outputs) < 2:
        return []
    split = [o.split() for o in outputs]
    shared: list[str] = []
    for column in zip(*split, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return shared


def shared_ending(outputs: Sequence[str]) -> list[str]:
    """The words every output ends with (none for fewer than two outputs).

    >>> shared_ending(["Well folks, a cat. Life, kids", "Well folks, rain. Life, kids"])
    ['Life,', 'kids']
    """
    return shared_opening([" ".join(reversed(o.split())) for o in outputs])[::-1]


def style_reasoning(outputs: Sequence[str], noun: str) -> str:
    """What the retrieved past outputs (best first) show about how this user writes a ``noun``.

    Deterministic and built from the outputs only (never from the gold): the most similar one quoted,
    the opening and ending they all share, their length, lower case when every one is.

    >>> outputs = ["oh great, rain. fantastic", "oh great, the bus is late. fantastic"]
    >>> print(style_reasoning(outputs, "tweet"))  # doctest: +NORMALIZE_WHITESPACE
    The most similar past tweet of this user is "oh great, rain. fantastic". All 2 retrieved tweets open
    with "oh great," and end with "fantastic". They are about 6 words long and written in lower case.
    So I write the tweet for this input the same way.
    >>> print(style_reasoning([], "headline"))
    No past headline of this user was retrieved, so I write a plain headline for this input.
    """
    outputs = [o.strip() for o in outputs if o.strip()]
    if not outputs:
        return f"No past {noun} of this user was retrieved, so I write a plain {noun} for this input."
    sentences = [f'The most similar past {noun} of this user is "{_words(outputs[0], MAX_QUOTE_WORDS)}".']
    opening, ending = shared_opening(outputs), shared_ending(outputs)
    if len(opening) == len(outputs[0].split()):  # identical outputs: one phrase, said once
        ending = []
    shared = [
        f'open with "{_words(" ".join(opening), MAX_SHARED_WORDS)}"' if opening else "",
        f'end with "{_words(" ".join(ending), MAX_SHARED_WORDS)}"' if ending else "",
    ]
    if any(shared):
        sentences.append(f"All {len(outputs)} retrieved {noun}s {' and '.join(s for s in shared if s)}.")
    elif len(outputs) > 1:
        sentences.append(f"The {len(outputs)} retrieved {noun}s share no fixed opening or ending.")
    length = round(statistics.mean(len(o.split()) for o in outputs))
    casing = " and written in lower case" if all(o == o.lower() for o in outputs) else ""
    sentences.append(f"They are about {length} words long{casing}.")
    sentences.append(f"So I write the {noun} for this input the same way.")
    return " ".join(sentences)


def warmup_reply(reasoning: str, gold: str) -> str:
    """The reply the warm-up teaches, in the layout PrLM's system prompt asks for (think, then answer).

    >>> warmup_reply("short, like before", "New job!")
    '<think>\\nshort, like before\\n</think>\\n<answer>\\nNew job!\\n</answer>'
    """
    think, answer = prompts.THINK_TAG, prompts.ANSWER_TAG
    return (
        f"{prompts.open_tag(think)}\n{neutralize(reasoning)}\n{prompts.close_tag(think)}\n"
        f"{prompts.open_tag(answer)}\n{neutralize(gold.strip())}\n{prompts.close_tag(answer)}"
    )


def past_outputs(example: Example, item_ids: Sequence[str], task_number: int) -> list[str]:
    """The user's own outputs (headline, title, tweet) of the retrieved profile items, in retrieval order."""
    field = PRLM_TASKS[task_number].field
    by_id = {item.id: item.fields.get(field, "") for item in example.reference.profile}
    return [by_id[i] for i in item_ids if by_id.get(i)]


# ------------------------------------------------------------------------------------------------ the rows


def warmup_row(
    example: Example, task_number: int, *, store: Any, tokenizer: Any, context: Context
) -> dict[str, Any]:
    """One SFT row: the PrLM graph run on ``example`` with a scripted policy that writes the warm-up reply.

    The reply needs the retrieved items before the graph runs, so the store is searched first with the
    graph's own search (:func:`pr2_agent.resources.search_profile`, same query, k and retriever); the
    run must then retrieve the same items, and its parsed answer must be the gold.

    Raises:
        ValueError: The record has no gold, or the run did not retrieve / answer as planned.
    """
    from pr2_agent.methods import get_method
    from pr2_agent.policy.scripted import ScriptedPolicy
    from pr2_agent.resources import search_profile
    from trainers.demonstrations import TokenizedPolicy
    from trainers.trajectories import run_context, trajectory_row

    gold = (example.reference.output or "").strip()
    if not gold:
        raise ValueError(f"record {example.id} has no gold output; the warm-up needs the train split's golds.")
    run = run_context(context, example)
    hit_ids = [h.id for h in search_profile(store, example.user_id, example.question, run)]
    reasoning = style_reasoning(past_outputs(example, hit_ids, task_number), PRLM_TASKS[task_number].noun)
    reply = warmup_reply(reasoning, gold)
    writer = TokenizedPolicy(ScriptedPolicy([reply]), tokenizer)
    graph = get_method("prlm").build_graph(model=writer, store=cast(Any, store))
    state = dict(graph.invoke({"question": example.question}, context=run))
    if list(state.get("retrieved_ids", [])) != hit_ids:
        raise ValueError(
            f"record {example.id}: the graph retrieved {state.get('retrieved_ids')} but the reply was written "
            f"for {hit_ids}; the store's search must be deterministic for a warm-up row."
        )
    if state.get("finish") != "answer" or state.get("answer") != prlm_answer(reply)[0]:
        raise ValueError(f"record {example.id}: the graph parsed {state.get('answer')!r}, not the gold {gold!r}.")
    row = trajectory_row(example, state, eos_token_id=int(tokenizer.eos_token_id))
    row.update(lamp_task=task_number, gold=gold, reasoning=reasoning, source=SOURCE, sample=0)
    return row


def load_task_examples(tasks: Sequence[int], split: str, limit: int | None) -> list[tuple[int, Example]]:
    """The bundled LaMP split of each task, through the task registry (first ``limit`` records per task)."""
    from trainers.trajectories import bundled_lamp_examples

    return bundled_lamp_examples(tasks, split, limit, allowed=sorted(PRLM_TASKS), which="PrLM's LaMP tasks")


@dataclass(frozen=True)
class WarmupData:
    """The rows built, and the records left out because the reply would not fit the rollout's turn."""

    rows: list[dict[str, Any]]
    too_long: list[str]


def build_rows(
    examples: Sequence[tuple[int, Example]], *, store: Any, tokenizer: Any, context: Context
) -> WarmupData:
    """A warm-up row per example; a reply longer than ``context.max_new_tokens`` is left out.

    GRPO's rollout turn stops at ``max_new_tokens``: a longer reply would teach the policy a format
    it can never finish there.
    """
    rows, too_long = [], []
    for n, example in examples:
        row = warmup_row(example, n, store=store, tokenizer=tokenizer, context=context)
        if len(row["completion_ids"]) > context.max_new_tokens:
            too_long.append(example.id)
            continue
        rows.append(row)
    return WarmupData(rows, too_long)


def summarize(data: WarmupData, seconds: float) -> str:
    """Rows per task, prompt and reply lengths in tokens."""
    rows = data.rows
    lines = [f"rows: {len(rows)} {dict(sorted(Counter(r['lamp_task'] for r in rows).items()))}"]
    for name, key in (("prompt", "prompt_ids"), ("reply", "completion_ids")):
        lengths = sorted(len(r[key]) for r in rows)
        if lengths:
            lines.append(f"{name} tokens: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    if data.too_long:
        lines.append(f"left out (reply > max_new_tokens): {len(data.too_long)} {data.too_long[:5]}")
    lines.append(f"time {seconds:.1f} s")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options; the store, k and retriever default to trainers/configs/prlm_grpo_cpu.yaml's."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--tasks", type=int, nargs="+", default=sorted(PRLM_TASKS), help="LaMP tasks (4 5 7)")
    p.add_argument("--split", default="train", choices=["train", "dev", "test"], help="bundled LaMP split")
    p.add_argument("--limit", type=int, default=None, help="first N records per task (default: all)")
    p.add_argument("--out", required=True, help="rows file: .jsonl/.json or .parquet")
    p.add_argument("--tokenizer", default="embedded-base", help="student whose token ids to write")
    p.add_argument("--store", default=".pr2/prlm-train-store", help="profile store directory (GRPO's)")
    p.add_argument("--embedding", default="minilm", help="store embedding: minilm or hash")
    p.add_argument("--retriever", default="dense", choices=["dense", "bm25"])
    p.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="profile items retrieved (PrLM: 5)")
    p.add_argument(
        "--max-new-tokens", type=int, default=128, help="the rollout turn's budget: longer replies are left out"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Build the warm-up rows and write them."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pr2_agent.store").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    for flag, value in (("--top-k", args.top_k), ("--max-new-tokens", args.max_new_tokens), ("--limit", args.limit)):
        if value is not None and value < 1:
            print(f"prlm_warmup: error: {flag} must be >= 1, got {value}.", file=sys.stderr)  # noqa: T201
            return 2
    try:
        examples = load_task_examples(args.tasks, args.split, args.limit)
    except (ValueError, FileNotFoundError) as err:
        print(f"prlm_warmup: error: {err}", file=sys.stderr)  # noqa: T201
        return 2

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
        context = Context(top_k=args.top_k, retriever=args.retriever, max_new_tokens=args.max_new_tokens)
        data = build_rows(examples, store=store, tokenizer=tokenizer, context=context)
    except (ValueError, FileNotFoundError) as err:  # a bad --tokenizer/--embedding, a record without gold
        print(f"prlm_warmup: error: {err}", file=sys.stderr)  # noqa: T201
        return 2
    print(summarize(data, time.perf_counter() - started))  # noqa: T201
    if not data.rows:
        print("prlm_warmup: error: no row fits --max-new-tokens; raise it.", file=sys.stderr)  # noqa: T201
        return 1
    write_dataset(data.rows, args.out)
    print(f"wrote {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
