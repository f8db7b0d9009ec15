"""Can the personalization reward models be fooled? Hand-written probes, per way of fooling them.

A reward model is trained on pairs it was given; this checks it on pairs written by hand
(``bench/data/rm_probes.json``): for bundled LaMP-4/5/7 test records, the user's gold against a
rejected output that is worse for this user in one named way (a plain answer, a long generic one,
the right content in another user's style, this user's style around the wrong content). Reported
per kind: the share of pairs where the model scores the gold higher (0.5 = chance, ties count half).

Models (any subset):

* ``--prlm-rm DIR``: PrLM's pair reward model (``trainers/prlm_rm_train.py``); it reads (input,
  output) only, so by design it cannot tell one user's style from another's.
* ``--prmu DIR``: TagPR's PRMU (``trainers/prmu_train.py``), which also reads the user's profile.

    .venv/bin/python bench/rm_probes.py --prlm-rm outputs/prlm-rm --prmu outputs/prmu \\
        --out bench/results/rm_probes.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pr2_agent.run.environment import offline_defaults  # noqa: E402

offline_defaults()

ROOT = Path(__file__).resolve().parent.parent
PROBES = ROOT / "bench" / "data" / "rm_probes.json"

Scorer = Callable[[Sequence["Probe"], Sequence[str]], list[float]]
"""Scores ``outputs[i]`` as the output for ``probes[i]``'s user and input."""


@dataclass(frozen=True)
class Probe:
    """One hand-written pair: this user's gold (chosen) against one rejected output of a named kind."""

    task: int
    record_id: str
    kind: str
    question: str
    profile_texts: tuple[str, ...]
    chosen: str
    rejected: str


def load_probes(path: Path, examples: Mapping[str, Any]) -> list[Probe]:
    """The probes of ``path``, with each record's question, profile and gold from ``examples`` (by id).

    Raises:
        ValueError: A case names a record that is not in ``examples``, or a kind the file does not list.
    """
    data = json.loads(path.read_text())
    kinds = list(data["kinds"])
    probes = []
    for case in data["cases"]:
        example = examples.get(str(case["id"]))
        if example is None:
            raise ValueError(f"{path}: record {case['id']} is not in the bundled LaMP-{case['task']} test split.")
        for kind, rejected in case["rejected"].items():
            if kind not in kinds:
                raise ValueError(f"{path}: record {case['id']} has kind {kind!r}; the file's kinds are {kinds}.")
            probes.append(
                Probe(
                    task=int(case["task"]),
                    record_id=str(case["id"]),
                    kind=kind,
                    question=example.question,
                    profile_texts=tuple(item.text for item in example.profile),
                    chosen=(example.reference.output or "").strip(),
                    rejected=rejected,
                )
            )
    return probes


def accuracy_by_kind(probes: Sequence[Probe], chosen: Sequence[float], rejected: Sequence[float]) -> dict[str, Any]:
    """Per kind and overall: pairs, and the share where the chosen output scores higher (ties count half).

    >>> p = [Probe(4, "1", k, "q", (), "gold", "r") for k in ("plain", "plain", "long_generic")]
    >>> accuracy_by_kind(p, [1.0, 0.5, 0.2], [0.0, 0.5, 0.9])["by_kind"]
    {'plain': {'pairs': 2, 'accuracy': 0.75}, 'long_generic': {'pairs': 1, 'accuracy': 0.0}}
    """
    wins: dict[str, list[float]] = {}
    for probe, c, r in zip(probes, chosen, rejected, strict=True):
        wins.setdefault(probe.kind, []).append(1.0 if c > r else 0.5 if c == r else 0.0)
    every = [w for ws in wins.values() for w in ws]
    return {
        "by_kind": {k: {"pairs": len(ws), "accuracy": round(sum(ws) / len(ws), 3)} for k, ws in wins.items()},
        "all": {"pairs": len(every), "accuracy": round(sum(every) / len(every), 3) if every else None},
    }


def evaluate(probes: Sequence[Probe], scorer: Scorer) -> dict[str, Any]:
    """Score both sides of every probe and report the accuracy per kind and per task."""
    chosen = scorer(probes, [p.chosen for p in probes])
    rejected = scorer(probes, [p.rejected for p in probes])
    result = accuracy_by_kind(probes, chosen, rejected)
    result["by_task"] = {
        f"lamp{t}": accuracy_by_kind(
            [p for p in probes if p.task == t],
            [c for p, c in zip(probes, chosen, strict=True) if p.task == t],
            [r for p, r in zip(probes, rejected, strict=True) if p.task == t],
        )["all"]
        for t in sorted({p.task for p in probes})
    }
    return result


def prlm_rm_scorer(directory: str) -> Scorer:
    """PrLM's pair RM: reads (input, output), never the user."""
    from pr2_agent.reward_models.pairwise import PairwiseRewardModel

    model = PairwiseRewardModel.load(directory)
    return lambda probes, outputs: model.score([p.question for p in probes], outputs)


def prmu_scorer(directory: str) -> Scorer:
    """TagPR's PRMU: reads the user's profile, the input and the output."""
    from pr2_agent.reward_models.prmu import PRMUScorer

    model = PRMUScorer(directory)
    return lambda probes, outputs: model.score(
        [list(p.profile_texts) for p in probes], [p.question for p in probes], outputs
    )


def bundled_test_examples(tasks: Sequence[int]) -> dict[str, Any]:
    """The bundled LaMP test records of ``tasks``, by record id."""
    from pr2_agent.run.data import load_examples
    from pr2_agent.tasks import get_task

    return {e.id: e for n in tasks for e in load_examples([f"lamp:{n}:test"], get_task(f"lamp{n}"))}


def main(argv: Sequence[str] | None = None) -> int:
    """Score the probes with every model given and print (and write) the accuracies."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prlm-rm", default=None, help="PrLM reward-model directory (prlm_rm_train.py)")
    parser.add_argument("--prmu", default=None, help="PRMU directory (prmu_train.py)")
    parser.add_argument("--probes", default=str(PROBES), help="hand-written probes (JSON)")
    parser.add_argument("--out", default=None, help="write the result here (JSON)")
    args = parser.parse_args(argv)
    models = {name: path for name, path in (("prlm_rm", args.prlm_rm), ("prmu", args.prmu)) if path}
    if not models:
        parser.error("give --prlm-rm DIR and/or --prmu DIR: the reward models to probe.")
    cases = json.loads(Path(args.probes).read_text())["cases"]
    probes = load_probes(Path(args.probes), bundled_test_examples(sorted({int(c["task"]) for c in cases})))
    makers = {"prlm_rm": prlm_rm_scorer, "prmu": prmu_scorer}
    result = {"probes": args.probes, "models": {}}
    for name, path in models.items():
        try:
            scorer = makers[name](path)
        except (OSError, ValueError) as err:
            print(f"rm_probes: error: --{name.replace('_', '-')} {path}: {err}", file=sys.stderr)  # noqa: T201
            return 2
        result["models"][name] = {"path": path, **evaluate(probes, scorer)}
    print(json.dumps(result, indent=2))  # noqa: T201
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
