"""Make PrLM's reward-model pairs: one generator, one input, with and without the user's profile.

    python trainers/prlm_pairs.py --tasks 4 5 7 --split train --out outputs/prlm-pairs/pairs.jsonl
    python trainers/prlm_pairs.py --tasks 7 --limit 4 --samples 1 --out /tmp/pairs.jsonl   # a quick look

For every training input the PrLM graph (:mod:`pr2_agent.methods.prlm_graph`) runs ``--samples`` times
with the user's top-k profile items (``personalized=True``) and as many times without profile access
(``personalized=False``: the input alone), all through the run layer's fan-out so each reasoning step is
one batched ``generate``. Sample i with the profile is the preferred output of pair i, sample i
without it the rejected one (PrLM's positive / zero-shot negative); the outputs are the answers the
task parses, as the reward model will read them during GRPO. Pairs with an empty side are dropped
(as PrLM does), and so are pairs whose two outputs are identical (they carry no preference).

Writes ``--out`` (pairs, JSON lines), ``<out>.outputs.jsonl`` (every generation, raw text included) and
``<out>.json`` (settings, counts, timings).
"""

from __future__ import annotations

from pr2_agent.run.environment import offline_defaults

offline_defaults()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from pr2_agent.context import Context  # noqa: E402
from pr2_agent.methods.prlm_graph import DEFAULT_TOP_K  # noqa: E402
from pr2_agent.reward_models.pairwise import PreferencePair, write_pairs  # noqa: E402
from pr2_agent.tasks import Example, get_task  # noqa: E402

logger = logging.getLogger("trainers.prlm_pairs")


def pairs_from_outputs(outputs: list[dict[str, Any]]) -> tuple[list[PreferencePair], dict[str, int]]:
    """Pair sample i with the profile against sample i without it, per input; count what was dropped.

    >>> rows = [dict(source="lamp7:1", sample=0, personalized=p, query="q", answer=a)
    ...         for p, a in ((True, "Hey!"), (False, "Hello."))]
    >>> pairs, counts = pairs_from_outputs(rows)
    >>> pairs, counts  # doctest: +ELLIPSIS
    ([PreferencePair(query='q', chosen='Hey!', rejected='Hello.', source='lamp7:1#0')], {'pairs': 1, ...})
    """
    by_key: dict[tuple[str, int], dict[bool, dict[str, Any]]] = {}
    for row in outputs:
        by_key.setdefault((row["source"], row["sample"]), {})[row["personalized"]] = row
    pairs: list[PreferencePair] = []
    counts = {"pairs": 0, "empty": 0, "identical": 0}
    for (source, sample), sides in sorted(by_key.items()):
        if True not in sides or False not in sides:
            continue
        chosen, rejected = sides[True]["answer"].strip(), sides[False]["answer"].strip()
        if not chosen or not rejected:
            counts["empty"] += 1
        elif chosen == rejected:
            counts["identical"] += 1
        else:
            pairs.append(PreferencePair(sides[True]["query"], chosen, rejected, f"{source}#{sample}"))
            counts["pairs"] += 1
    return pairs, counts


def generate_outputs(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the PrLM graph with and without the profile for every input and sample; return the outputs."""
    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import resolve_policy
    from pr2_agent.run.data import load_examples
    from pr2_agent.run.fanout import batched, run_jobs
    from pr2_agent.run.ingest import open_store_with_profiles

    tasks = {n: get_task(f"lamp{n}") for n in args.tasks}
    examples: list[tuple[int, Example]] = []
    for n, task in tasks.items():
        loaded = load_examples([f"lamp:{n}:{args.split}"], task)
        examples += [(n, e) for e in (loaded[: args.limit] if args.limit else loaded)]
    store = open_store_with_profiles(
        [e for _, e in examples], args.store, embedding=args.embedding, retriever=args.retriever
    )
    policy = batched(resolve_policy(args.model, seed=args.seed), args.batch_size)
    graph = get_method("prlm").build_graph(model=policy, store=store)
    template = Context(
        model=args.model,
        top_k=args.top_k,
        retriever=args.retriever,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_p=args.top_p,
    )
    # Sample-major, the tasks interleaved, both sides of a pair next to each other: a run cut by
    # --max-minutes keeps whole pairs from every task.
    by_task = {n: [e for m, e in examples if m == n] for n in tasks}
    longest = max(len(group) for group in by_task.values())
    rounds = [(n, group[i]) for i in range(longest) for n, group in by_task.items() if i < len(group)]
    jobs = [(n, e, s, p) for s in range(args.samples) for n, e in rounds for p in (True, False)]

    def run_one(job: tuple[int, Example, int, bool]) -> dict[str, Any]:
        n, example, sample, personalized = job
        context = replace(template, user_id=example.user_id, personalized=personalized)
        out = graph.invoke({"question": example.question}, context=context)
        raw = "".join(s["text"] for s in out.get("segments", []) if s["kind"] == "model")
        tokens = sum(len(s["token_ids"] or []) for s in out.get("segments", []) if s["kind"] == "model")
        return {
            "source": f"lamp{n}:{example.id}",
            "sample": sample,
            "personalized": personalized,
            "query": example.question,
            "answer": tasks[n].parse_output(str(out.get("answer", ""))) if out.get("answer") else "",
            "finish": out.get("finish"),
            "retrieved_ids": list(out.get("retrieved_ids", [])),
            "tokens": tokens,
            "raw": raw,
        }

    started = time.perf_counter()
    outputs: list[dict[str, Any]] = []
    budget_s = args.max_minutes * 60 if args.max_minutes else None
    runs = run_jobs(jobs, run_one, workers=args.batch_size, batching=policy, thread_name="prlm-pairs")
    for done in runs:
        outputs.append(done.result)
        if len(outputs) % 20 == 0:
            logger.info("%d/%d generations, %.0f s", len(outputs), len(jobs), time.perf_counter() - started)
        if budget_s is not None and time.perf_counter() - started > budget_s:
            logger.warning("--max-minutes %s reached after %d/%d generations: stopping", args.max_minutes,
                           len(outputs), len(jobs))
            runs.close()  # type: ignore[attr-defined]  # a generator: no new run starts, in-flight ones finish
            break
    seconds = time.perf_counter() - started
    tokens = sum(o["tokens"] for o in outputs)
    stats = {
        "inputs": len(examples),
        "generations": len(outputs),
        "planned_generations": len(jobs),
        "generation_seconds": round(seconds, 1),
        "generated_tokens": tokens,
        "tokens_per_second": round(tokens / seconds, 1) if seconds else None,
        "formatted_answers": sum(o["finish"] == "answer" for o in outputs),
    }
    return outputs, stats


def build_parser() -> argparse.ArgumentParser:
    """The script's options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--tasks", type=int, nargs="+", default=[4, 5, 7], choices=range(1, 8), help="LaMP tasks")
    p.add_argument("--split", default="train", choices=["train", "dev", "test"], help="bundled LaMP split")
    p.add_argument("--limit", type=int, default=None, help="first N inputs per task (default: all)")
    p.add_argument("--samples", type=int, default=2, help="pairs per input (sampled outputs on each side)")
    p.add_argument("--model", default="embedded-base", help="the generator (default: untrained SmolLM2-135M)")
    p.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="profile items retrieved (PrLM: 5)")
    p.add_argument("--retriever", default="dense", choices=["dense", "bm25"])
    p.add_argument("--embedding", default="minilm", help="store embedding: minilm or hash")
    p.add_argument("--store", default=".pr2/prlm-pairs-store", help="profile store directory")
    p.add_argument("--max-new-tokens", type=int, default=128, help="tokens of the one reasoning turn")
    p.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (PrLM: 0.7)")
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--batch-size", type=int, default=16, help="graph runs in flight (one generate batch)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=None, help="stop starting generations after this long")
    p.add_argument("--out", default="outputs/prlm-pairs/pairs.jsonl", help="pairs file (JSON lines)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Generate the outputs, pair them and write the files."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pr2_agent.store").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    for flag, value in (("--samples", args.samples), ("--top-k", args.top_k), ("--batch-size", args.batch_size)):
        if value < 1:
            print(f"prlm_pairs: error: {flag} must be >= 1, got {value}.", file=sys.stderr)  # noqa: T201
            return 2
    out = Path(args.out)
    outputs, stats = generate_outputs(args)
    pairs, counts = pairs_from_outputs(outputs)
    write_pairs(out, pairs)
    with out.with_suffix(".outputs.jsonl").open("w", encoding="utf-8") as f:
        for row in outputs:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = {"settings": vars(args), **stats, **counts}
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    logger.info("%s", json.dumps({k: v for k, v in summary.items() if k != "settings"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
