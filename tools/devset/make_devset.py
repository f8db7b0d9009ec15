"""Write the bundled development set (LaMP-QA format) from the persona catalog and a seed.

    python tools/devset/make_devset.py                 # regenerate pr2_agent/data/devset/*.json
    python tools/devset/make_devset.py --out /tmp/dev --seed 7 --train 40 --dev 10 --test 10

The output is a pure function of the catalog (tools/devset/catalog/*.json) and the arguments, so
regenerating with the defaults must leave the committed files unchanged
(``git diff --exit-code pr2_agent/data/devset`` checks it).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from pathlib import Path

# Run as a file, Python puts only tools/devset/ on the path; the generator is imported as tools.devset,
# and the pr2_agent it imports is the checkout's own, so the repository root goes first.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.data.devset import BUNDLED_DIR  # noqa: E402
from pr2_agent.data.lampqa import load_lampqa  # noqa: E402
from tools.devset.catalog import CATALOG_DIR, load_catalog  # noqa: E402
from tools.devset.generator import DEFAULT_SEED, DevsetConfig, write_devset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Generate the files and print a one-line summary per split."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=BUNDLED_DIR, help="output directory (default: bundled)")
    parser.add_argument(
        "--catalog", type=Path, default=CATALOG_DIR, help="persona catalog directory (default: tools/devset/catalog)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    parser.add_argument("--train", type=int, default=200, help="number of train users")
    parser.add_argument("--dev", type=int, default=50, help="number of dev users")
    parser.add_argument("--test", type=int, default=50, help="number of test users")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = DevsetConfig(seed=args.seed, n_train=args.train, n_dev=args.dev, n_test=args.test)
    for split, path in write_devset(args.out, config, load_catalog(args.catalog)).items():
        records = load_lampqa(path)
        categories = Counter(r.category for r in records)
        aspects = sum(len(r.rubric_aspects) for r in records) / max(len(records), 1)
        profile = sum(len(r.profile) for r in records) / max(len(records), 1)
        per_category = ", ".join(f"{c}={n}" for c, n in sorted(categories.items(), key=lambda kv: str(kv[0])))
        print(
            f"{split}: {len(records)} users -> {path} | aspects/user {aspects:.2f} | "
            f"profile/user {profile:.1f} | {per_category}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
