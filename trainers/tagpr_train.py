"""TagPR's multi-stage RL: run the project's GRPO trainer once per stage, each from the last one's checkpoint.

    python trainers/tagpr_train.py --config trainers/configs/tagpr_cpu.yaml
    python trainers/tagpr_train.py --config trainers/configs/tagpr_cpu.yaml --output_dir /tmp/tagpr --max_steps 1

TagPR (arXiv 2509.23140) follows SFT on tagged chains with a **guided** RL stage whose reward is
``alpha * task metric + beta * tag constraints + gamma * PRMU``, then an **exploratory** stage on the task
metric alone. One YAML holds every stage: ``common`` (any ``trainers/grpo_train.py`` option, shared),
then ``stages``, each a name, its ``rewards`` (reward name -> weight: the alphas, betas and gammas) and
any option it overrides (``max_steps``, ``learning_rate``, ``reward_model_path``...). Stage *i* starts from
stage *i-1*'s checkpoint and writes ``OUTPUT/<i>-<name>/``: a standard transformers checkpoint that
``--model PATH`` loads everywhere. ``OUTPUT/tagpr_training.json`` records each stage's config, steps,
last rewards, wall time and CPU time.

Each stage is ``python trainers/grpo_train.py --config OUTPUT/<i>-<name>.yaml`` in a child process: the
same trainer family as PR2's GRPO, and one process per stage, so a stage's memory is freed before the next.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GRPO_SCRIPT = Path(__file__).resolve().parent / "grpo_train.py"
SUMMARY_FILENAME = "tagpr_training.json"
STAGE_SUMMARY = "pr2_training.json"
"""What grpo_train.py writes into each stage's output directory."""


@dataclass(frozen=True)
class Stage:
    """One RL stage: its reward mix and the trainer options it changes."""

    name: str
    rewards: dict[str, float]
    """Reward name -> weight (TRL's ``reward_funcs`` / ``reward_weights``)."""
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a stage that trains on nothing."""
        if not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"stage name {self.name!r}: use letters, digits, '-' and '_' (it names a directory).")
        if not self.rewards:
            raise ValueError(f"stage {self.name!r} has no rewards: give `rewards: {{lamp_metric: 1.0}}` at least.")
        bad = {k: v for k, v in self.rewards.items() if not isinstance(v, int | float)}
        if bad:
            raise ValueError(f"stage {self.name!r}: reward weights must be numbers, got {bad}.")
        clash = sorted({"reward_funcs", "reward_weights", "model_name_or_path", "output_dir"} & set(self.options))
        if clash:
            raise ValueError(
                f"stage {self.name!r} sets {clash}: rewards go in `rewards`, and the driver chains the checkpoints "
                "and output directories itself."
            )


@dataclass(frozen=True)
class Schedule:
    """The whole multi-stage run, as read from the YAML."""

    output_dir: str
    common: dict[str, Any]
    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        """Refuse what cannot run: no stages, repeated names, no starting model."""
        if not self.stages:
            raise ValueError("the config has no stages: list at least one under `stages:`.")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names repeat in {names}; give each stage its own name.")
        if "model_name_or_path" not in self.common:
            raise ValueError("common.model_name_or_path is missing: the first stage starts from it (SFT checkpoint).")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> Schedule:
        """Build from a parsed YAML; ``overrides`` (from flags) apply to every stage."""
        unknown = sorted(set(raw) - {"output_dir", "common", "stages"})
        if unknown:
            raise ValueError(f"unknown top-level keys {unknown}; use output_dir, common and stages.")
        stages = []
        for i, entry in enumerate(raw.get("stages") or []):
            if not isinstance(entry, Mapping) or "name" not in entry:
                raise ValueError(f"stages[{i}] must be a mapping with a name, rewards and options.")
            options = {k: v for k, v in entry.items() if k not in ("name", "rewards")}
            stages.append(Stage(str(entry["name"]), dict(entry.get("rewards") or {}), {**options, **(overrides or {})}))
        return cls(str(raw.get("output_dir", "outputs/tagpr-rl")), dict(raw.get("common") or {}), tuple(stages))

    def stage_config(self, index: int, model: str) -> dict[str, Any]:
        """The grpo_train.py config of stage ``index``, starting from ``model``."""
        stage = self.stages[index]
        return {
            **self.common,
            **stage.options,
            "model_name_or_path": model,
            "output_dir": str(self.stage_dir(index)),
            "reward_funcs": list(stage.rewards),
            "reward_weights": [float(w) for w in stage.rewards.values()],
        }

    def stage_dir(self, index: int) -> Path:
        """Where stage ``index`` writes its checkpoint."""
        return Path(self.output_dir) / f"{index + 1}-{self.stages[index].name}"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(schedule: Schedule, *, python: str = sys.executable) -> list[dict[str, Any]]:
    """Run every stage in order; return one record per stage (also written to ``tagpr_training.json``)."""
    import yaml

    out = Path(schedule.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = str(schedule.common["model_name_or_path"])
    records = []
    for i, stage in enumerate(schedule.stages):
        config = schedule.stage_config(i, model)
        config_path = out / f"{i + 1}-{stage.name}.yaml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        print(f"[tagpr] stage {i + 1}/{len(schedule.stages)} {stage.name}: rewards {stage.rewards}, from {model}")
        wall, cpu = time.perf_counter(), _cpu_seconds()
        done = subprocess.run([python, str(GRPO_SCRIPT), "--config", str(config_path)], check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"stage {stage.name!r} failed (exit {done.returncode}); its config is {config_path}, rerun it with "
                f"python {GRPO_SCRIPT} --config {config_path} to see the error."
            )
        summary_path = schedule.stage_dir(i) / STAGE_SUMMARY
        summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
        records.append(
            {
                "stage": stage.name,
                "rewards": stage.rewards,
                "started_from": model,
                "checkpoint": str(schedule.stage_dir(i)),
                "config": str(config_path),
                "global_steps": summary.get("global_steps"),
                "last_log": summary.get("last_log"),
                "wall_seconds": round(time.perf_counter() - wall, 1),
                "cpu_seconds": round(_cpu_seconds() - cpu, 1),
            }
        )
        model = str(schedule.stage_dir(i))
        (out / SUMMARY_FILENAME).write_text(json.dumps({"stages": records}, indent=2, default=str) + "\n")
    return records


def _flag_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``--max_steps 1 --learning_rate 1e-5`` -> options for every stage (values parsed as YAML)."""
    import yaml

    if len(pairs) % 2:
        raise ValueError(f"overrides come as --option value pairs, got {list(pairs)}.")
    out = {}
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        if not key.startswith("--"):
            raise ValueError(f"expected an --option before {value!r}, got {key!r}.")
        parsed = yaml.safe_load(value)
        if isinstance(parsed, str):  # YAML 1.1 reads 1e-5 as text
            try:
                parsed = float(parsed)
            except ValueError:
                pass
        out[key[2:]] = parsed
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Read the YAML (plus ``--output_dir`` and per-stage overrides) and run the stages."""
    import yaml

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="the multi-stage YAML (trainers/configs/tagpr_cpu.yaml)")
    p.add_argument("--output_dir", default=None, help="override the YAML's output_dir")
    args, rest = p.parse_known_args(argv)
    try:
        raw = yaml.safe_load(Path(args.config).read_text()) or {}
        if args.output_dir:
            raw["output_dir"] = args.output_dir
        schedule = Schedule.from_mapping(raw, _flag_overrides(rest))
        records = run(schedule)
    except (ValueError, RuntimeError, FileNotFoundError) as err:
        print(f"tagpr_train: error: {err}", file=sys.stderr)
        return 2
    for r in records:
        print(f"[tagpr] {r['stage']}: {r['global_steps']} steps, {r['wall_seconds']} s wall, {r['cpu_seconds']} s CPU")
    print(f"final checkpoint: {records[-1]['checkpoint']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
