"""Agreement of the offline judges with the hand labels of bench/data/specifics_labels.json (issue 11).

For each judge (``specifics``: :class:`~pr2_agent.judges.SpecificsJudge`; ``proxy``: the old
:class:`~pr2_agent.judges.EmbeddingProxyJudge`) it scores the 250 labelled answers of the bundled dev
split (50 questions x five kinds of answer: specific and right, specific and wrong, long and
generic, short and vague, off-topic) and reports, per half of the questions and overall:

* exact and within-one agreement of the per-aspect 0/1/2 scores with the labels,
* Spearman's rho between the judge's question score and the labels' (Σ/(2·#aspects)),
* the mean question score of each kind of answer (the long generic ones must score low),
* the judge's speed in ms per answer (batches of ``--batch`` answers, after one warm-up batch).

``--calibrate`` picks the specifics judge's thresholds on the calibration half (least mean absolute
error, then most exact agreement) and reports the held-out half with them; without it the judge's
defaults are used.

    flock /tmp/pr2-heavy.lock python bench/specifics_agreement.py --calibrate \\
        --out bench/results/specifics_agreement.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.data.devset import load_devset  # noqa: E402
from pr2_agent.judges import EmbeddingProxyJudge, JudgeItem, SpecificsJudge  # noqa: E402
from pr2_agent.judges.base import threshold_score  # noqa: E402
from pr2_agent.judges.proxy import ProxyJudge  # noqa: E402
from pr2_agent.run.environment import offline_defaults  # noqa: E402

LABELS = ROOT / "bench" / "data" / "specifics_labels.json"
HALVES = ("calibration", "held_out", "all")


def load_labelled(path: Path = LABELS) -> tuple[list[dict[str, Any]], list[JudgeItem]]:
    """The labelled rows and one judge item per row (question and rubric from the bundled split)."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    records = {r.id: r for r in load_devset(payload["split"])}
    rows = payload["answers"]
    items = []
    for row in rows:
        record = records[row["qid"]]
        if [a.aspect for a in record.rubric_aspects] != row["aspects"]:
            raise ValueError(
                f"labels of {row['qid']} were written for other aspects; rerun bench/make_specifics_labels.py"
            )
        items.append(JudgeItem.from_record(record, row["answer"]))
    return rows, items


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman's rho (Pearson on average ranks, ties shared)."""

    def ranks(values: list[float]) -> np.ndarray:
        arr = np.asarray(values, dtype=float)
        order = arr.argsort(kind="mergesort")
        out = np.empty(len(arr))
        i = 0
        while i < len(arr):
            j = i
            while j + 1 < len(arr) and arr[order[j + 1]] == arr[order[i]]:
                j += 1
            out[order[i : j + 1]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def scores_from(signals: list[list[float | None]], thresholds: tuple[float, float]) -> list[list[int]]:
    """Discrete 0/1/2 per aspect, as the judge gives them (an empty answer: 0)."""
    return [[0 if s is None else int(threshold_score(s, thresholds, continuous=False)) for s in row] for row in signals]


def metrics(rows: list[dict[str, Any]], scores: list[list[int]], half: str) -> dict[str, Any]:
    """Agreement, Spearman and per-kind means over the rows of one half."""
    chosen = [i for i, r in enumerate(rows) if half == "all" or r["half"] == half]
    pairs = [(s, lab) for i in chosen for s, lab in zip(scores[i], rows[i]["labels"], strict=True)]
    judged = [sum(scores[i]) / (2 * len(scores[i])) for i in chosen]
    labelled = [sum(rows[i]["labels"]) / (2 * len(rows[i]["labels"])) for i in chosen]
    kinds: dict[str, list[float]] = {}
    for i, value in zip(chosen, judged, strict=True):
        kinds.setdefault(rows[i]["kind"], []).append(value)
    return {
        "answers": len(chosen),
        "aspect_labels": len(pairs),
        "exact": round(sum(s == lab for s, lab in pairs) / len(pairs), 3),
        "within_one": round(sum(abs(s - lab) <= 1 for s, lab in pairs) / len(pairs), 3),
        "mae": round(sum(abs(s - lab) for s, lab in pairs) / len(pairs), 3),
        "spearman": round(spearman(judged, labelled), 3),
        "mean_score_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(kinds.items())},
        "generic_mean": round(sum(kinds.get("long_generic", [0.0])) / max(len(kinds.get("long_generic", [])), 1), 3),
    }


def calibrate(rows: list[dict[str, Any]], signals: list[list[float | None]]) -> tuple[float, float]:
    """Thresholds with the least MAE (then most exact agreement) on the calibration half."""
    cal = [i for i, r in enumerate(rows) if r["half"] == "calibration"]
    grid = np.round(np.arange(0.05, 1.0, 0.025), 3)
    best: tuple[float, float, tuple[float, float]] | None = None
    for low in grid:
        for high in grid[grid > low]:
            pair = (float(low), float(high))
            scored = scores_from([signals[i] for i in cal], pair)
            diffs = [
                abs(s - lab) for k, i in enumerate(cal) for s, lab in zip(scored[k], rows[i]["labels"], strict=True)
            ]
            key = (sum(diffs) / len(diffs), -sum(d == 0 for d in diffs) / len(diffs), pair)
            if best is None or key[:2] < best[:2]:
                best = key
    assert best is not None
    return best[2]


def timed_signals(judge: ProxyJudge, items: list[JudgeItem], batch: int) -> tuple[list[list[float | None]], float]:
    """All signals, and the ms per answer over batches of ``batch`` (one warm-up batch first, untimed)."""
    judge.signals(items[:batch])
    began = time.perf_counter()
    out: list[list[float | None]] = []
    for start in range(0, len(items), batch):
        out.extend(judge.signals(items[start : start + batch]))
    return out, 1000 * (time.perf_counter() - began) / len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true", help="fit the specifics thresholds on the calibration half")
    parser.add_argument("--batch", type=int, default=32, help="answers per judge call (a GRPO step's batch)")
    parser.add_argument("--out", type=Path, default=None, help="write the results JSON here")
    args = parser.parse_args(argv)
    offline_defaults()
    rows, items = load_labelled()
    results: dict[str, Any] = {"labels": str(LABELS.relative_to(ROOT)), "batch": args.batch, "judges": {}}
    for judge in (SpecificsJudge(), EmbeddingProxyJudge()):
        signals, ms = timed_signals(judge, items, args.batch)
        thresholds = judge.thresholds
        if args.calibrate and isinstance(judge, SpecificsJudge):
            thresholds = calibrate(rows, signals)
        scores = scores_from(signals, thresholds)
        entry = {
            "name": judge.name,
            "thresholds": list(thresholds),
            "ms_per_answer": round(ms, 1),
            **{half: metrics(rows, scores, half) for half in HALVES},
        }
        results["judges"][judge.name] = entry
        print(f"{judge.name}: thresholds {thresholds}, {ms:.1f} ms/answer (batch {args.batch})")
        for half in HALVES:
            m = entry[half]
            print(
                f"  {half:11s} exact {m['exact']:.3f} within-one {m['within_one']:.3f} spearman {m['spearman']:.3f} "
                f"generic {m['generic_mean']:.3f} | {m['mean_score_by_kind']}"
            )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
