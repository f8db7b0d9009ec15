"""Write the bundled LaMP-style sets (tasks 1-7, LaMP's file format) from a seed.

    python tools/lampset/make_lampset.py                  # regenerate pr2_agent/data/lamp/LaMP_*/
    python tools/lampset/make_lampset.py --out /tmp/lamp --seed 3 --train 8 --dev 2 --test 4

The output is a pure function of the generator and the arguments, so regenerating with the defaults
must leave the committed files unchanged (tests/unit/test_tools_lampset.py checks it byte for byte).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run as a file, Python puts only tools/lampset/ on the path; the repository root goes first so the
# generator is imported as tools.lampset and pr2_agent is the checkout's own.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pr2_agent.tasks.lamp import BUNDLED_DIR  # noqa: E402
from tools.lampset.generator import DEFAULT_SEED, LampsetConfig, write_lampset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Generate the files and print how many were written, and their total size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=BUNDLED_DIR, help="output directory (default: bundled)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    defaults = LampsetConfig()
    for split in ("train", "dev", "test"):
        parser.add_argument(f"--{split}", type=int, default=getattr(defaults, split), help=f"users in {split}")
    args = parser.parse_args(argv)
    try:
        config = LampsetConfig(train=args.train, dev=args.dev, test=args.test, seed=args.seed)
    except ValueError as err:
        parser.error(str(err))
    written = write_lampset(args.out, config)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({size / 1024:.0f} KB) under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
