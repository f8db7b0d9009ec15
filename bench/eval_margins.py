"""Paired margins between systems of one ``pr2 eval --out`` directory (bootstrap interval and sign test).

    python bench/eval_margins.py --out outputs/eval-qa11 --pairs rag-nopers,rag-rag_random \\
        --json docs/results/eval-specifics/margins.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.evaluation.paired import paired_margin  # noqa: E402
from pr2_agent.evaluation.runner import load_run, scores_path  # noqa: E402


def _split_pair(pair: str, out: Path) -> tuple[str, str]:
    """Split "a-b" at the hyphen whose two sides both have scores in ``out`` (labels may hold hyphens)."""
    cuts = [i for i, c in enumerate(pair) if c == "-"]
    found = [
        (pair[:i], pair[i + 1 :]) for i in cuts if all(scores_path(out, n).is_file() for n in (pair[:i], pair[i + 1 :]))
    ]
    if len(found) != 1:
        raise SystemExit(f"pair {pair!r}: no single split into two systems with scores in {out}; check the names.")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="a pr2 eval output directory")
    parser.add_argument("--pairs", default="rag-nopers,rag-rag_random", help="comma-separated a-b pairs")
    parser.add_argument("--json", type=Path, default=None, help="write the margins here")
    args = parser.parse_args(argv)
    results = []
    for pair in args.pairs.split(","):
        a, b = _split_pair(pair, args.out)
        scores = {name: {r["qid"]: float(r["score"]) for r in load_run(args.out, name).rows} for name in (a, b)}
        m = paired_margin(a, b, scores[a], scores[b])
        results.append(m.to_dict())
        print(
            f"{a} - {b}: margin {m.margin:+.3f} (95% bootstrap [{m.ci_low:+.3f}, {m.ci_high:+.3f}]), "
            f"n={m.n}, wins/losses/ties {m.wins}/{m.losses}/{m.ties}, sign-test p={m.sign_p:.3f}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
