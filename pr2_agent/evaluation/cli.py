"""``pr2 eval``: the baselines and every method's graph on one task and one generator, scored, tabled and charted.

Example::

    pr2 eval --data devset:test --systems nopers,rag,rag_random,pr2 --out outputs/eval
    pr2 eval --data Society_and_Culture_test.json --judge lampqa --judge-base-url http://127.0.0.1:8011/v1

Rerunning the same command resumes: questions already scored in ``<out>/scores_<system>.jsonl``
are skipped.

Comparing generators (checkpoints) in one table: give each run into the same ``--out`` its own
``--label``; its systems are reported (and stored) as ``<system>@<label>``::

    pr2 eval --data devset:test --systems rag,pr2 --out outputs/eval
    pr2 eval --data devset:test --systems pr2 --model outputs/sft-smollm2 --label sft --out outputs/eval
    pr2 eval --data devset:test --systems pr2 --model outputs/grpo-smollm2 --label grpo --out outputs/eval
    pr2 eval --out outputs/eval --report-only

The summary written after a run covers every system scored in ``--out`` (this run's and earlier
ones'), each row naming its generator, with improvements relative to the ``rag`` row. Rows judged
by another judge, or missing some of the run's questions, are left out with a note saying why.
``--report-only`` rewrites the summary from the scores files alone: nothing is loaded, generated
or judged.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent.cli_args import add_model_args, add_store_args
from pr2_agent.context import Context
from pr2_agent.evaluation.compare import compare_results
from pr2_agent.evaluation.report import Summary, generator_label, summarize, write_summary
from pr2_agent.evaluation.runner import (
    Evaluation,
    run_name,
    select_records,
    validate_label,
    validate_system_names,
)
from pr2_agent.evaluation.systems import (
    BASELINE_NAMES,
    GraphSystem,
    NoPersonalization,
    PlanPers,
    ProfileRag,
    RandomProfileRag,
    System,
    donor_for,
    system_names,
)
from pr2_agent.policy.base import Policy
from pr2_agent.run.data import load_examples
from pr2_agent.run.judging import JUDGE_KINDS, JudgeSpec, check_judge, make_judge
from pr2_agent.tasks import Example, get_task, task_names

if TYPE_CHECKING:
    from pr2_agent.store import ProfileStore

logger = logging.getLogger(__name__)

DEFAULT_OUT = "outputs/eval"
COMPARE_HELP = """\
comparing generators (e.g. checkpoints) in one table:
  pr2 eval --data devset:test --systems rag,pr2 --out outputs/eval
  pr2 eval --data devset:test --systems pr2 --model outputs/sft-smollm2 --label sft --out outputs/eval
  pr2 eval --out outputs/eval --report-only
The summary covers every system scored in --out, each row naming its generator; rows judged by
another judge or missing some of the questions are left out with a note."""


def register(sub: Any) -> None:
    """Add the ``eval`` subcommand to the ``pr2`` parser's subparsers."""
    p = sub.add_parser(
        "eval",
        help="evaluate nopers / rag / rag_random / planpers / each method on a task and write scores, responses "
        "and a summary",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=COMPARE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--data",
        action="append",
        metavar="FILE",
        help="a data file of --task (LaMP-QA JSON/JSONL; LaMP's *_questions.json), or devset:train|dev|test "
        "(LaMP: lamp:N:train|dev|test) for the bundled set; repeatable (required unless --report-only)",
    )
    p.add_argument("--task", default="lampqa", choices=task_names(), help="the task of --data (default: %(default)s)")
    p.add_argument(
        "--systems",
        default=None,
        help=f"comma-separated subset of {','.join(BASELINE_NAMES)} and every registered method, e.g. pr2 "
        "(default: all of them)",
    )
    p.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    p.add_argument(
        "--label",
        default=None,
        metavar="NAME",
        help="report this run's systems as <system>@NAME (e.g. pr2@sft), to compare generators in one --out",
    )
    p.add_argument(
        "--report-only",
        action="store_true",
        help="only rewrite summary.{md,json,png} from the scores files in --out (no model, no judge); "
        "--data/--limit, if given, fix the question set; other options are ignored",
    )
    p.add_argument("--limit", type=int, default=None, help="evaluate N questions, spread over the categories")
    p.add_argument("--rag-k", type=int, default=10, help="profile items in the rag prompts (LaMP-QA: 10)")
    p.add_argument(
        "--top-k", type=int, default=None, help="profile items per method search (default: the method's; pr2 3, prlm 5)"
    )
    p.add_argument("--max-searches", type=int, default=3, help="pr2 search budget")
    p.add_argument("--top-p", type=float, default=0.95, help="nucleus sampling mass")
    p.add_argument("--batch-size", type=int, default=8, help="questions generated together (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")
    g = p.add_argument_group("judge")
    g.add_argument(
        "--judge",
        choices=list(JUDGE_KINDS),
        default="specifics",
        help="specifics (default): offline, credits an aspect only when the answer uses the user's own facts "
        "(bundled set; LaMP-QA: its evidence), calibrated on hand labels incl. generic and wrong-specific answers; "
        "proxy: the old offline MiniLM topic similarity (rewards long generic answers; kept for comparison); "
        "lampqa: the benchmark's protocol on an OpenAI-compatible endpoint",
    )
    g.add_argument("--judge-base-url", default=None, help="endpoint of the lampqa judge, e.g. http://host:8011/v1")
    g.add_argument("--judge-model", default=None, help="model name at --judge-base-url (default: the first served)")
    g.add_argument(
        "--judge-timeout",
        type=float,
        default=60.0,
        help="seconds one lampqa judge call may take before the run stops with an error (default: %(default)s)",
    )
    add_model_args(p)
    add_store_args(p)
    # Evaluation defaults: greedy decoding, a fixed seed, and a store next to the outputs.
    p.set_defaults(func=cmd_eval, temperature=0.0, seed=0, store=None)


def load_policy(args: argparse.Namespace) -> Policy:
    """Load the generator every system shares ('embedded', a checkpoint directory, or an endpoint model).

    Without ``PR2_SERVING``, evaluation runs local models on transformers: it generates whole batches,
    which the transformers path decodes together with a KV cache per trajectory, while llama.cpp here
    decodes one sequence at a time (``pr2 eval --limit 4 --systems pr2``: 182 s on llama.cpp, 114 s on
    transformers, same scores; bench/results/eval_serving_backends.json).
    """
    from pr2_agent.policy.resolve import SERVING_ENV, resolve_policy

    serving = None if os.environ.get(SERVING_ENV) else "transformers"
    return resolve_policy(args.model, base_url=args.base_url, seed=args.seed, timeout=args.timeout, serving=serving)


def build_systems(
    names: Sequence[str],
    args: argparse.Namespace,
    policy: Policy,
    store: ProfileStore,
    donor_pool: Sequence[str],
) -> list[System]:
    """Instantiate the requested systems on one shared policy, store and run template."""
    from pr2_agent.methods import get_method

    context, task = run_template(args), get_task(args.task)
    systems: list[System] = []
    for name in names:
        if name == "nopers":
            systems.append(NoPersonalization(policy, context, args.batch_size, task=task))
        elif name == "rag":
            systems.append(ProfileRag(policy, context, store, args.rag_k, batch_size=args.batch_size, task=task))
        elif name == "rag_random":
            systems.append(
                RandomProfileRag(
                    policy,
                    context,
                    store,
                    args.rag_k,
                    pool=donor_pool,
                    seed=args.seed,
                    batch_size=args.batch_size,
                    task=task,
                )
            )
        elif name == "planpers":
            systems.append(PlanPers(policy, context, store, args.rag_k, batch_size=args.batch_size, task=task))
        else:
            method = get_method(name)
            method_context = replace(context, top_k=method_top_k(args, name))
            systems.append(GraphSystem(method, policy, store, method_context, batch_size=args.batch_size))
    return systems


TEMPLATE_FLAGS = ("model", "base_url", "top_k", "max_searches", "max_new_tokens", "temperature", "top_p")
"""The ``pr2 eval`` flags that are Context fields of the same name."""


def run_template(args: argparse.Namespace) -> Context:
    """The template every system's runs derive from (``user_id`` is filled per question)."""
    return Context(**{name: getattr(args, name) for name in TEMPLATE_FLAGS if getattr(args, name) is not None})


def method_top_k(args: argparse.Namespace, name: str) -> int:
    """Profile items per search of method ``name``: ``--top-k``, else the method's own default."""
    from pr2_agent.methods import get_method

    return int(args.top_k) if args.top_k is not None else get_method(name).default_top_k


def system_setups(args: argparse.Namespace, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per system, the settings its results depend on (checked when a run resumes)."""
    from pr2_agent.prompts import PROMPT_VERSION

    common = {
        "model": args.model,
        "base_url": args.base_url,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "seed": args.seed,
        "prompt_version": PROMPT_VERSION,
    }
    retrieval = {"embedding": args.embedding, "retriever": args.retriever}
    extra: dict[str, dict[str, Any]] = {
        "nopers": {},
        "rag": {"rag_k": args.rag_k, **retrieval},
        "rag_random": {"rag_k": args.rag_k, **retrieval},
        "planpers": {"rag_k": args.rag_k, **retrieval},
    }
    method_setup = {"max_searches": args.max_searches, **retrieval}
    return {
        name: {**common, **(extra[name] if name in extra else {**method_setup, "top_k": method_top_k(args, name)})}
        for name in names
    }


def cmd_eval(args: argparse.Namespace) -> int:
    """Run ``pr2 eval``."""
    if args.report_only:
        return cmd_report(args)
    started = time.perf_counter()
    names, label = check_eval_args(args)
    out_dir = Path(args.out)
    task = get_task(args.task)
    loaded = load_examples(args.data, task)
    records = select_records(loaded, args.limit)
    if not records:
        raise ValueError(f"--data {' '.join(args.data)} holds no records.")
    donor_pool = [r.user_id for r in loaded if r.profile]
    donors = {donor_for(r.user_id, donor_pool, args.seed) for r in records} if "rag_random" in names else set()

    spec = JudgeSpec(args.judge, args.judge_base_url, args.judge_model, timeout=args.judge_timeout)
    judge = make_judge(spec) if task.judged else None
    check_judge(task, records[0], judge)

    from pr2_agent.store import open_profile_store

    store_dir = None if args.chroma_url else (args.store or str(out_dir / "store"))
    store = open_profile_store(
        store_dir,
        url=args.chroma_url,
        collection=args.collection,
        embedding=args.embedding,
        retriever=args.retriever,
    )
    needs_store = any(n != "nopers" for n in names)
    if needs_store:
        from pr2_agent.run.ingest import ensure_profiles

        chosen = {r.user_id for r in records}
        to_ingest = records + [r for r in loaded if r.user_id in donors and r.user_id not in chosen]
        ensure_profiles(store, to_ingest, progress=not args.no_progress)

    load_started = time.perf_counter()
    policy = load_policy(args)
    model_load_s = time.perf_counter() - load_started

    evaluation = Evaluation(
        systems=build_systems(names, args, policy, store, donor_pool),
        task=task,
        judge=judge,
        out_dir=out_dir,
        setups=system_setups(args, names),
        seed=args.seed,
        progress=not args.no_progress,
        label=label,
    )
    from pr2_agent.judges import JudgeEndpointError
    from pr2_agent.policy.resolve import serving_backend

    try:
        runs = evaluation.run(records)
    except JudgeEndpointError as err:
        raise ConnectionError(
            f"the judge failed mid-run: {err} Every question judged so far is kept in {out_dir}; "
            "rerun the same command to resume."
        ) from None
    run_info = {
        "task": task.name,
        **question_counts(records),
        **run_settings(args, [run_name(n, label) for n in names]),
        "serving": serving_backend(policy),
        "model_load_s": round(model_load_s, 1),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    scorer = judge.name if judge is not None else task.name
    comparison = compare_results(out_dir, current=runs, qids=[r.id for r in records], judge=scorer)
    summary = summarize(
        comparison.runs,
        judge=scorer,
        is_proxy=judge.is_proxy if judge is not None else False,
        model=model_label(args),
        run=run_info,
        notes=comparison.notes,
    )
    return publish(summary, out_dir)


def check_eval_args(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """Refuse bad arguments before anything loads; return the system names and the label."""
    if not args.data:
        raise ValueError(
            "--data is required: name the questions to evaluate (a LaMP-QA file, or devset:test for the bundled "
            "set). To only rewrite the summary of an earlier run, pass --report-only --out DIR."
        )
    label = None if args.label is None else validate_label(args.label)
    # The default is resolved here, not in the parser: listing the methods imports their graphs (LangGraph),
    # which `pr2 eval --help` does not need.
    systems = args.systems if args.systems is not None else ",".join(system_names())
    names = validate_system_names([n.strip() for n in systems.split(",") if n.strip()])
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be >= 1, got {args.limit}.")
    for flag, value in (("--rag-k", args.rag_k), ("--top-k", args.top_k), ("--batch-size", args.batch_size)):
        if value is not None and value < 1:
            raise ValueError(f"{flag} must be >= 1, got {value}.")
    return names, label


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``pr2 eval --report-only``: summarize the scores files already in ``--out``."""
    out_dir = Path(args.out)
    if not out_dir.is_dir():
        raise FileNotFoundError(
            f"--out {out_dir}: no such directory. --report-only summarizes what earlier `pr2 eval` runs wrote "
            "there; pass their --out."
        )
    qids = None
    if args.data:
        qids = [r.id for r in select_records(load_examples(args.data, get_task(args.task)), args.limit)]
    comparison = compare_results(out_dir, qids=qids)
    rows = comparison.runs[0].rows
    summary = summarize(
        comparison.runs,
        judge=comparison.judge,
        is_proxy=comparison.is_proxy,
        run={**question_counts(rows), **comparison.settings},
        notes=comparison.notes,
    )
    return publish(summary, out_dir, scored=False)


def question_counts(questions: Sequence[Example] | Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``questions`` and ``per_category`` of the summary, from examples or result rows."""
    per_category: dict[str, int] = {}
    for q in questions:
        category = (q.category if isinstance(q, Example) else q.get("category")) or "uncategorized"
        per_category[category] = per_category.get(category, 0) + 1
    return {"questions": len(questions), "per_category": per_category}


def run_settings(args: argparse.Namespace, systems: Sequence[str]) -> dict[str, Any]:
    """The invocation's settings, as the summary lists them."""
    return {
        "data": list(args.data),
        "limit": args.limit,
        "systems": list(systems),
        "rag_k": args.rag_k,
        "top_k": args.top_k,
        "max_searches": args.max_searches,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "retriever": f"{args.retriever}/{args.embedding}",
    }


def publish(summary: Summary, out_dir: Path, *, scored: bool = True) -> int:
    """Write the summary files and print the report (``scored``: this run also wrote result files)."""
    written = write_summary(summary, out_dir)
    print(written["md"].read_text(encoding="utf-8"))  # noqa: T201
    also = " and scores_/responses_<system> files" if scored else ""
    print(f"wrote {', '.join(str(p) for p in written.values())}{also}")  # noqa: T201
    return 0


def model_label(args: argparse.Namespace) -> str:
    """How the generator is named in reports."""
    return generator_label(args.model, args.base_url)
