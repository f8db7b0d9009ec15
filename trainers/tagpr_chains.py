"""TagPR's tagged-chain pipeline: generate chains, segment and label their steps, keep the good ones, export.

    python trainers/tagpr_chains.py --source offline --samples 2 --out outputs/tagpr-data/chains.jsonl
    python trainers/tagpr_chains.py --source teacher --teacher-model qwen --base-url http://127.0.0.1:8000/v1 \\
        --labeller teacher --out outputs/tagpr-data/teacher.jsonl

1. **Generate.** The TagPR graph runs over LaMP records (the bundled sets by default) with a chain
   writer: ``offline`` = :class:`~trainers.tagpr_writer.LaMPChainWriter` (reasons from the bundled sets'
   structure, no model), ``teacher`` = any model behind an OpenAI-compatible endpoint, told the whole
   tag schema with an example per tag (its system prompt; the student's prompt stays the graph's).
2. **Segment and label.** What the generator wrote is split into steps in order; a step already under a
   schema tag keeps it, and untagged text or an unknown tag is cut into sentences, each labelled with
   one of the nine tags by the teacher (``--labeller teacher``) or by keyword cues (``offline``, also the
   fallback when the teacher's label is not a tag). Neighbouring sentences with one label become one step.
3. **Filter.** A chain is kept when it is valid under the schema (:func:`pr2_agent.tags.check_chain`) and
   its answer scores at least ``--min-score`` with the task's metric against the gold.
4. **Export.** Each kept chain is replayed through the TagPR graph by a policy that writes exactly it,
   through the student's tokenizer, so the row is the serving format: ``input_ids`` and ``completion_mask``
   (0 on the prompt with the recalled history, 1 on the chain, the answer and EOS), which
   ``trainers/sft_train.py`` trains on as it is.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from pr2_agent.context import Context
from pr2_agent.run.environment import offline_defaults

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pr2_agent import prompts  # noqa: E402
from pr2_agent.policy.base import Generation, GenerationRequest, Policy  # noqa: E402
from pr2_agent.tags import SPECS, TAG_NAMES, Step, check_chain, render_chain, split_steps  # noqa: E402
from pr2_agent.tasks import Example  # noqa: E402

logger = logging.getLogger(__name__)

SOURCES = ("offline", "teacher")
LABELLERS = ("offline", "teacher")
DEFAULT_MIN_SCORE = 0.5

Labeller = Callable[[str], str]
"""Step text -> one of the schema's tag names."""

# Keyword cues of the offline labeller, tried in this order; the first tag whose cue matches wins.
CUES: tuple[tuple[str, str], ...] = (
    ("check_draft", r"\b(check|verify|matches|consistent|keeps)\b"),
    ("draft", r"\b(draft|candidate|first version)\b"),
    ("consider_alternatives", r"\b(alternative|instead|otherwise|could also|rather than|another option)\b"),
    ("weigh_evidence", r"\b(however|but|although|conflict|outlier|only one|thin|weigh)\b"),
    ("infer_preference", r"\b(prefers?|likes?|tends?|habit|style|favou?rite|usually|always writes)\b"),
    ("identify_pattern", r"\b(pattern|recurs?|repeated|common|share[sd]?|every|all of|most of|consistently)\b"),
    ("relate_to_input", r"\b(here|this (movie|review|article|paper|email|tweet|input)|current|so the user would)\b"),
    ("examine_history", r"\[\d+\]|\b(history|past|previous|earlier|profile)\b"),
    ("analyze_input", r"\b(input|asks?|question|task|the (movie|review|article|abstract|email|tweet))\b"),
)


def offline_label(step: str, previous: str | None = None) -> str:
    """Label one reasoning step by keyword cues; without a cue, the tag that follows ``previous`` in the schema.

    >>> offline_label("[2] and [3] are both tagged comedy."), offline_label("So this user prefers comedy.")
    ('examine_history', 'infer_preference')
    """
    lowered = step.lower()
    for tag, cue in CUES:
        if re.search(cue, lowered):
            return tag
    if previous in TAG_NAMES:
        return TAG_NAMES[min(TAG_NAMES.index(previous) + 1, len(TAG_NAMES) - 1)]
    return "analyze_input"


class TeacherLabeller:
    """Label steps with a teacher model (one short request per step); fall back to :func:`offline_label`."""

    def __init__(self, policy: Policy) -> None:
        """Use ``policy`` (a chat model behind an endpoint) as the labeller."""
        from pr2_agent.tags import tag_list

        self.policy = policy
        self.system = prompts.TAGPR_LABEL_SYSTEM_PROMPT.format(tags=tag_list())
        self.fallbacks = 0

    def __call__(self, step: str) -> str:
        """Return the teacher's tag for ``step``, or the offline label when its reply names no tag."""
        request = GenerationRequest(
            messages=[
                {"role": "system", "content": self.system},
                {"role": "user", "content": prompts.TAGPR_LABEL_USER_TEMPLATE.format(step=step)},
            ],
            max_new_tokens=12,
            temperature=0.0,
        )
        reply = self.policy.generate(request).text.lower()
        found = [(reply.find(tag), tag) for tag in TAG_NAMES if tag in reply]
        if found:
            return min(found)[1]
        self.fallbacks += 1
        return offline_label(step)


def sentences(text: str) -> list[str]:
    """Cut untagged reasoning into sentences (a step is one sentence or two).

    >>> sentences("I see [1]. It is sci-fi! So: sci-fi.")
    ['I see [1].', 'It is sci-fi!', 'So: sci-fi.']
    """
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def relabel(text: str, labeller: Labeller | None = None) -> tuple[str, int]:
    """Rewrite a chain so every step carries a schema tag; return the chain and how many steps were labelled.

    Steps under a schema tag keep it; other text (untagged, or under an unknown tag) is cut into
    sentences and labelled. Tags other than the schema's are dropped, their text kept. A chain with
    no answer is returned unchanged (nothing to learn from).
    """
    check = check_chain(text)
    if check.valid or check.answer is None:
        return text, 0
    steps: list[Step] = []
    labelled = 0
    for piece in split_steps(text):
        if piece.tag in SPECS and piece.text:
            steps.append(piece)
            continue
        for sentence in sentences(re.sub(r"</?[A-Za-z_][\w-]*>", " ", piece.text)):
            previous = steps[-1].tag if steps else None
            tag = labeller(sentence) if labeller is not None else offline_label(sentence, previous)
            labelled += 1
            if steps and steps[-1].tag == tag:
                steps[-1] = Step(tag, f"{steps[-1].text} {sentence}")
            else:
                steps.append(Step(tag, sentence))
    return render_chain(steps, check.answer), labelled


# ------------------------------------------------------------------------------------------------ policies


class SystemPromptPolicy:
    """Put a system prompt in front of every request (the teacher sees the whole schema; the student's
    prompt ids, built by the ``TokenizedPolicy`` outside this wrapper, stay the graph's own)."""

    def __init__(self, inner: Policy, system: str) -> None:
        """Wrap ``inner``."""
        self.inner = inner
        self.system = system
        self.name = inner.name

    def encode(self, text: str) -> list[int] | None:
        """The inner policy's encoding."""
        return self.inner.encode(text)

    def _with_system(self, request: GenerationRequest) -> GenerationRequest:
        return replace(request, messages=[{"role": "system", "content": self.system}, *request.messages])

    def generate(self, request: GenerationRequest) -> Generation:
        """Generate with the system prompt first."""
        return self.inner.generate(self._with_system(request))

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Generate each with the system prompt first."""
        return self.inner.generate_batch([self._with_system(r) for r in requests])


class FixedChainPolicy:
    """Write one given chain (replaying a kept chain through the graph to get its exact training row)."""

    name = "fixed-chain"

    def __init__(self, text: str) -> None:
        """Keep the chain to write."""
        self.text = text

    def encode(self, text: str) -> None:
        """No tokenizer: wrap it in ``TokenizedPolicy``."""
        return None

    def generate(self, request: GenerationRequest) -> Generation:
        """Return the chain."""
        return Generation(text=self.text, token_ids=None, prompt_ids=None, finish_reason="stop")

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Return the chain for each request."""
        return [self.generate(r) for r in requests]


# ------------------------------------------------------------------------------------------------ pipeline


@dataclass
class ChainStats:
    """What happened to the chains of one task."""

    generated: int = 0
    answered: int = 0
    valid_as_generated: int = 0
    valid_after_labelling: int = 0
    kept: int = 0
    steps_labelled: int = 0
    scores: list[float] = field(default_factory=list)

    def line(self, name: str) -> str:
        """One summary line."""
        mean = sum(self.scores) / len(self.scores) if self.scores else float("nan")
        return (
            f"{name}: {self.generated} chains, {self.answered} answered, valid {self.valid_as_generated} as "
            f"generated / {self.valid_after_labelling} after labelling ({self.steps_labelled} steps labelled), "
            f"mean score {mean:.3f}, kept {self.kept}"
        )


@dataclass(frozen=True)
class Candidate:
    """A generated chain after labelling, with its verdict."""

    example: Example
    sample: int
    text: str
    valid: bool
    score: float
    labelled: int


def judge_chains(
    runs: Iterable[tuple[Example, int, dict[str, Any]]],
    task: Any,
    *,
    labeller: Labeller | None,
    stats: ChainStats,
) -> list[Candidate]:
    """Label each run's chain and score its answer with the task's metric (no judge)."""
    from pr2_agent.trajectory import Trajectory

    out = []
    for example, sample, state in runs:
        stats.generated += 1
        if state.get("finish") != "answer":
            continue
        stats.answered += 1
        text = Trajectory.from_state(state).model_text()
        stats.valid_as_generated += check_chain(text).valid
        text, labelled = relabel(text, labeller)
        check = check_chain(text)
        stats.valid_after_labelling += check.valid
        stats.steps_labelled += labelled
        score = task.score([example], [check.answer or ""], None)[0].score
        stats.scores.append(score)
        out.append(Candidate(example, sample, text, check.valid, float(score), labelled))
    return out


def replay_rows(
    kept: Sequence[Candidate], *, method: Any, store: Any, tokenizer: Any, context: Context, source: str
) -> list[dict[str, Any]]:
    """Run each kept chain through the graph once more, tokenized as the student sees it; return SFT rows."""
    from trainers.demonstrations import TokenizedPolicy
    from trainers.trajectories import run_context, trajectory_row

    rows = []
    for cand in kept:
        graph = method.build_graph(model=TokenizedPolicy(FixedChainPolicy(cand.text), tokenizer), store=store)
        state = dict(graph.invoke({"question": cand.example.question}, context=run_context(context, cand.example)))
        row = trajectory_row(cand.example, state, eos_token_id=int(tokenizer.eos_token_id))
        check = check_chain(cand.text)
        row.update(
            sample=cand.sample,
            source=source,
            tags=list(check.tags),
            chain_valid=check.valid,
            steps_labelled=cand.labelled,
            task_score=cand.score,
            judge_score=cand.score,
            judge="task-metric",
            prompt_version=prompts.TAGPR_PROMPT_VERSION,
        )
        rows.append(row)
    return rows


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", default="1,2,3,4,5,6,7", help="LaMP task numbers (default: %(default)s)")
    p.add_argument("--split", default="train", help="bundled split, or a LaMP questions file with one task")
    p.add_argument("--source", choices=SOURCES, default="offline", help="who writes the chains")
    p.add_argument("--labeller", choices=LABELLERS, default="offline", help="who labels untagged steps")
    p.add_argument("--out", required=True, help="output file: .jsonl/.json or .parquet")
    p.add_argument("--tokenizer", default="embedded", help="student model whose token ids to export")
    p.add_argument("--store", default=".pr2/tagpr-store", help="profile store directory (profiles are ingested)")
    p.add_argument("--embedding", default="minilm", help="store embedding: minilm or hash")
    p.add_argument("--samples", type=int, default=1, help="chains per record (offline: one seed each)")
    p.add_argument("--limit", type=int, default=None, help="first N records per task")
    p.add_argument("--top-k", type=int, default=3, help="recalled history items")
    p.add_argument("--max-new-tokens", type=int, default=320)
    p.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, help="keep chains scoring >= this")
    p.add_argument("--teacher-model", default=None, help="teacher (and teacher labeller) model at --base-url")
    p.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (.../v1)")
    p.add_argument("--temperature", type=float, default=0.7, help="teacher sampling temperature")
    p.add_argument("--workers", type=int, default=4, help="teacher: graph runs in flight")
    p.add_argument("--request-timeout", type=float, default=600.0, help="teacher: seconds per request")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def _task_examples(spec: str, split: str, limit: int | None) -> list[tuple[Any, list[Example]]]:
    from pr2_agent.run.data import load_examples
    from pr2_agent.tasks import get_task

    numbers = [int(n) for n in spec.split(",") if n.strip()]
    bad = [n for n in numbers if n not in range(1, 8)]
    if bad or not numbers:
        raise ValueError(f"--tasks takes LaMP task numbers 1-7 separated by commas, got {spec!r}.")
    out = []
    for n in numbers:
        task = get_task(f"lamp{n}")
        data = f"lamp:{n}:{split}" if "/" not in split and not split.endswith(".json") else split
        out.append((task, load_examples([data], task)[:limit]))
    return out


def _chain_policy(args: argparse.Namespace, tokenizer: Any) -> tuple[Any, Labeller | None]:
    """The teacher's graph policy (None for offline) and the labeller."""
    if args.source == "offline" and args.labeller == "offline":
        return None, None
    if not args.teacher_model or not args.base_url:
        raise ValueError("--source teacher and --labeller teacher need --teacher-model NAME and --base-url URL.")
    from pr2_agent.policy.chat import ChatModelPolicy, openai_chat_model
    from pr2_agent.tags import teacher_system_prompt
    from trainers.demonstrations import TokenizedPolicy

    chat = ChatModelPolicy(
        openai_chat_model(args.teacher_model, args.base_url, timeout=args.request_timeout), name=args.teacher_model
    )
    labeller = TeacherLabeller(chat) if args.labeller == "teacher" else None
    teacher = TokenizedPolicy(SystemPromptPolicy(chat, teacher_system_prompt()), tokenizer)
    return (teacher if args.source == "teacher" else None), labeller


def export_chains(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, ChainStats]]:
    """Run the whole pipeline; return the rows written and the per-task statistics."""
    from transformers import AutoTokenizer

    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import checkpoint_dir
    from pr2_agent.run.fanout import batched, run_jobs
    from pr2_agent.run.ingest import open_store_with_profiles
    from trainers.demonstrations import TokenizedPolicy
    from trainers.tagpr_writer import LaMPChainWriter
    from trainers.trajectories import SearchCache, model_runner, run_context, write_dataset

    if args.samples < 1:
        raise ValueError(f"--samples must be >= 1, got {args.samples}.")
    method = get_method("tagpr")
    per_task = _task_examples(args.tasks, args.split, args.limit)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir(args.tokenizer), local_files_only=True)
    every = [e for _, examples in per_task for e in examples]
    store = SearchCache(open_store_with_profiles(every, args.store, embedding=args.embedding))
    context = Context(top_k=args.top_k, max_new_tokens=args.max_new_tokens, temperature=args.temperature)
    teacher, labeller = _chain_policy(args, tokenizer)
    rows: list[dict[str, Any]] = []
    stats: dict[str, ChainStats] = {}
    for task, examples in per_task:
        jobs = [(e, s) for e in examples for s in range(args.samples)]
        if teacher is None:

            def run_one(job: tuple[Example, int], task_number: int = task.number) -> dict[str, Any]:
                example, sample = job
                writer = TokenizedPolicy(LaMPChainWriter(task_number, example.reference, seed=sample), tokenizer)
                graph = method.build_graph(model=writer, store=cast(Any, store))
                return dict(graph.invoke({"question": example.question}, context=run_context(context, example)))

            finished = run_jobs(jobs, run_one, workers=1)
        else:
            batching = batched(teacher, args.workers)
            runner = model_runner(batching, store, context, method=method)
            finished = run_jobs(jobs, runner, workers=args.workers, batching=batching, thread_name="tagpr-chains")
        runs = ((f.job[0], f.job[1], f.result) for f in finished)
        stats[task.name] = task_stats = ChainStats()
        candidates = judge_chains(runs, task, labeller=labeller, stats=task_stats)
        kept = [c for c in candidates if c.valid and c.score >= args.min_score]
        task_stats.kept = len(kept)
        source = "offline" if teacher is None else f"teacher:{args.teacher_model}"
        rows += replay_rows(kept, method=method, store=store, tokenizer=tokenizer, context=context, source=source)
    if rows:
        write_dataset(rows, args.out)
    return rows, stats


def summarize(rows: Sequence[dict[str, Any]], stats: dict[str, ChainStats], seconds: float) -> str:
    """Per-task lines, then the tags used and the row lengths."""
    lines = [s.line(name) for name, s in stats.items()]
    tags = Counter(t for r in rows for t in r["tags"])
    lengths = sorted(len(r["input_ids"]) for r in rows)
    lines.append(f"tags used: {dict(tags.most_common())}")
    if lengths:
        lines.append(f"tokens per row: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    lines.append(f"rows: {len(rows)}; time {seconds:.1f} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python trainers/tagpr_chains.py``."""
    offline_defaults()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    logging.getLogger("pr2_agent.store").setLevel(logging.WARNING)
    began = time.perf_counter()
    rows, stats = export_chains(args)
    print(summarize(rows, stats, time.perf_counter() - began))
    if not rows:
        print("tagpr_chains: no chain was kept (none valid with a good enough answer); nothing written. Lower "
              "--min-score, add --samples, or use a stronger teacher.", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
