"""``PR2GRPOTrainer``: TRL's GRPOTrainer with graph rollouts and PR2's baseline-relative advantage.

Two things change relative to ``GRPOTrainer`` (TRL 1.16 has no advantage hook, so both are
overrides of its internals, kept as thin as possible):

* ``_generate_and_score_completions`` exposes the batch rows as ``rollout_rows`` while TRL runs the
  rollout (``rollout_func`` itself only receives prompts, but the graph needs the user id), then
  replaces the advantages TRL computed with PR2's (``advantage="pr2"``) and logs the PR2 metrics.
* ``_calculate_rewards`` keeps the gathered per-function rewards so the advantage can separate the
  score ``s_i`` (the ``score_reward`` function: the rubric judge, or a LaMP metric) from the additive
  penalties.

``advantage="grpo"`` keeps TRL's own group-normalised advantage (the ablation without the
non-personalized baseline); the metrics are logged either way.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from typing import Any

import torch
from accelerate.utils import gather_object
from trl import GRPOTrainer

from pr2_agent.advantage import ADVANTAGE_KINDS, BASELINE_ADVANTAGES, K_SHIFT, AdvantageKind, group_advantages
from pr2_agent.rewards import SCORE_REWARD

logger = logging.getLogger(__name__)


class PR2GRPOTrainer(GRPOTrainer):
    """GRPO on PR2 graph trajectories with the non-personalized-baseline advantage.

    Args:
        *args: Passed to ``GRPOTrainer`` (model, reward_funcs, args, train_dataset, ...).
        advantage: ``"pr2"`` (PR2's formula, see :mod:`pr2_agent.advantage`), ``"contrastive"`` (one
            normalised group of personalized and non-personalized scores) or ``"grpo"`` (TRL's).
        score_reward: Name of the reward function whose value is the score ``s_i`` (``rubric_judge``,
            ``lamp_metric``); every other reward function is added to the advantage as it is (times its weight).
        k_shift: Weight of PR2's ``r_v / std_rag`` term.
        **kwargs: Passed to ``GRPOTrainer``; use ``rollout_func=GraphRollout(...)``.
    """

    def __init__(
        self,
        *args: Any,
        advantage: AdvantageKind = "pr2",
        score_reward: str = SCORE_REWARD,
        k_shift: float = K_SHIFT,
        **kwargs: Any,
    ) -> None:
        """Build the GRPO trainer, then check the PR2 options against its reward functions."""
        if advantage not in ADVANTAGE_KINDS:
            raise ValueError(f"advantage must be one of {ADVANTAGE_KINDS}, got {advantage!r}.")
        super().__init__(*args, **kwargs)
        if advantage in BASELINE_ADVANTAGES and score_reward not in self.reward_func_names:
            raise ValueError(
                f"advantage {advantage!r} needs the score reward {score_reward!r} among the reward functions, "
                f"got {self.reward_func_names}. Add it to reward_funcs, set score_reward, or use advantage 'grpo'."
            )
        self.advantage_kind: AdvantageKind = advantage
        self.score_reward = score_reward
        self.k_shift = float(k_shift)
        self.rollout_rows: list[dict[str, Any]] | None = None
        self._gathered_rewards: torch.Tensor | None = None

    def _calculate_rewards(
        self,
        inputs: list[dict[str, Any]],
        prompts: list[Any],
        completions: list[Any],
        completion_ids_list: Any,
    ) -> torch.Tensor:
        rewards: torch.Tensor = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self._gathered_rewards = rewards
        return rewards

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        self.rollout_rows = inputs
        self._gathered_rewards = None
        try:
            output: dict[str, Any] = super()._generate_and_score_completions(inputs)
        finally:
            self.rollout_rows = None
        rewards = self._gathered_rewards
        if rewards is None:
            raise RuntimeError("GRPOTrainer did not compute rewards: this TRL version is not the one PR2 targets.")
        mode = "train" if self.model.training else "eval"
        group_size = self.num_generations if mode == "train" else self.num_generations_eval

        # Per-row rollout fields were merged into `inputs` by TRL; gather them like the rewards.
        device = rewards.device
        baseline = self._gather_floats([_float(x.get("baseline_score")) for x in inputs], device)
        searches = self._gather_floats([_float(x.get("num_searches")) for x in inputs], device)
        answered = self._gather_floats([float(x.get("finish") == "answer") for x in inputs], device)
        forced = self._gather_floats([float(x.get("finish") == "forced") for x in inputs], device)
        record_ids = gather_object([str(x.get("record_id", "")) for x in inputs])

        scores = (
            rewards[:, self.reward_func_names.index(self.score_reward)].cpu()
            if self.score_reward in self.reward_func_names
            else None
        )
        if self.advantage_kind in BASELINE_ADVANTAGES:
            assert scores is not None  # checked in __init__
            advantages = self._baseline_advantages(rewards, scores, baseline, record_ids, group_size)
            local = len(inputs)
            start = self.accelerator.process_index * local
            output["advantages"] = advantages[start : start + local].to(output["advantages"].device)
            self._replace_logged_advantages(advantages)
        else:
            advantages = self.accelerator.gather(output["advantages"])

        metrics = self._metrics[mode]
        metrics["pr2/personalized_score"].append(_nanmean(scores))
        group_baselines = torch.tensor(
            [_nanmean(baseline[i : i + group_size]) for i in range(0, baseline.numel(), group_size)]
        )
        metrics["pr2/baseline_score"].append(_nanmean(group_baselines))
        metrics["pr2/personalization_gain"].append(
            _nanmean(scores) - _nanmean(group_baselines) if scores is not None else math.nan
        )
        metrics["pr2/advantage_mean"].append(advantages.float().mean().item())
        metrics["pr2/advantage_std"].append(advantages.float().std().item() if advantages.numel() > 1 else 0.0)
        metrics["pr2/searches_per_rollout"].append(_nanmean(searches))
        metrics["pr2/answer_rate"].append(_nanmean(answered))
        metrics["pr2/forced_rate"].append(_nanmean(forced))
        if scores is not None:
            # Groups whose K scores are all equal: GRPO's score term is exactly 0 there.
            flat = [float(scores[i : i + group_size].std()) == 0.0 for i in range(0, scores.numel(), group_size)]
            metrics["pr2/flat_group_rate"].append(sum(flat) / max(1, len(flat)))
        return output

    def _baseline_advantages(
        self,
        rewards: torch.Tensor,
        scores: torch.Tensor,
        baseline: torch.Tensor,
        record_ids: list[str],
        group_size: int,
    ) -> torch.Tensor:
        """Compute the baseline estimator's advantage for every gathered row (groups = consecutive rows)."""
        n = rewards.size(0)
        if n % group_size:
            raise RuntimeError(f"{n} rows do not split into groups of {group_size}: the sampler changed.")
        weights = self.reward_weights.to(rewards.device)
        others = [i for i, name in enumerate(self.reward_func_names) if name != self.score_reward]
        penalties = (
            (rewards[:, others] * weights[others]).nansum(dim=1) if others else torch.zeros(n, device=rewards.device)
        )
        out = torch.zeros(n, dtype=torch.float32)
        for start in range(0, n, group_size):
            block = slice(start, start + group_size)
            ids = set(record_ids[block])
            if len(ids) != 1:
                raise RuntimeError(
                    f"rows {start}..{start + group_size - 1} mix questions {sorted(ids)}: a PR2 group must "
                    "be the num_generations copies of one question (TRL's RepeatSampler guarantees this)."
                )
            # With several processes a group's rows can sit on different ranks, each with its own
            # baseline runs: r_v is then the mean of their estimates.
            group_rv = _nanmean(baseline[block])
            out[block] = torch.tensor(
                group_advantages(
                    self.advantage_kind,
                    scores[block].tolist(),
                    group_rv,
                    penalties[block].tolist(),
                    k_shift=self.k_shift,
                ),
                dtype=torch.float32,
            )
        return out

    def _replace_logged_advantages(self, advantages: torch.Tensor) -> None:
        """Make the completions table show the advantages actually trained on."""
        logged = self._logs.get("advantages")
        if not isinstance(logged, deque) or len(logged) < advantages.numel():
            return
        for _ in range(advantages.numel()):
            logged.pop()
        logged.extend(advantages.tolist())

    def _gather_floats(self, values: list[float], device: torch.device) -> torch.Tensor:
        return self.accelerator.gather(torch.tensor(values, dtype=torch.float32, device=device)).cpu()


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _nanmean(values: torch.Tensor | None) -> float:
    if values is None or values.numel() == 0:
        return math.nan
    finite = values[~torch.isnan(values)]
    return finite.float().mean().item() if finite.numel() else math.nan
