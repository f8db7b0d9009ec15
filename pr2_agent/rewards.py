"""Reward functions for PR2 GRPO, in TRL's signature ``(prompts, completions, **kwargs) -> list[float]``.

* :class:`RubricJudgeReward` - the rubric judge's score (in [0, 1]) of the final answer only.
* :class:`LaMPMetricReward` - a LaMP task's metric (accuracy, rating closeness, ROUGE-1) of the
  final answer against the row's gold: exact, needs no judge.
* :class:`StructureReward` - PR2's structural penalty: -0.5 unless the model itself wrote a
  non-empty ``<think>`` before its ``<answer>``.

They read the per-row fields the PR2 rollout adds (``answer``, ``model_text``) and the dataset's
rubric columns (``question``, ``narrative``, ``rubric_aspects``). Both are plain classes holding
configuration only, so they pickle (TRL and ``accelerate`` may ship them to other processes).
Pick them by name from a config through :data:`REWARD_FUNCTIONS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pr2_agent.judges import Judge, JudgeItem
from pr2_agent.parsing import answer_text, has_think_before_answer

RewardFunction = Callable[..., list[float | None]]

SCORE_REWARD = "rubric_judge"
"""Name of the reward whose value is PR2's judge score ``s_i``."""
STRUCTURE_PENALTY = 0.5
"""PR2's ``struct_penalty``."""


def _completion_text(completion: Any) -> str:
    """Return a completion's text, for standard (str) and conversational (messages) formats."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content", "")
        return content if isinstance(content, str) else ""
    return ""


def _column(kwargs: Mapping[str, Any], name: str, n: int, reward: str) -> list[Any]:
    values = kwargs.get(name)
    if values is None:
        raise ValueError(
            f"reward {reward!r} needs the {name!r} column, which this batch does not have. Train on rows "
            "built by pr2_agent.run.rows (the task's reward columns) with the graph rollout."
        )
    if len(values) != n:
        raise ValueError(f"reward {reward!r}: column {name!r} has {len(values)} values for {n} completions.")
    return list(values)


class RubricJudgeReward:
    """The judge's rubric score of each row's final answer (PR2's ``s_i``), in [0, 1].

    Only the answer is judged, never the reasoning or the inserted profile text. Rows come from
    the PR2 rollout, whose ``answer`` field holds the final answer; without it (plain TRL
    generation) the judge reads the ``<answer>`` span of the completion text. An empty answer
    scores 0 without a judge call.

    Args:
        judge: Any :class:`pr2_agent.judges.Judge` (picklable).
        name: Name TRL logs the reward under.
    """

    def __init__(self, judge: Judge, *, name: str = SCORE_REWARD) -> None:
        """Keep the judge; nothing is loaded until the first call."""
        if not isinstance(judge, Judge):
            raise TypeError(
                f"judge must implement pr2_agent.judges.Judge (judge/judge_batch), got {type(judge).__name__}."
            )
        self.judge = judge
        self.__name__ = name

    def score(
        self,
        questions: Sequence[str],
        narratives: Sequence[str],
        aspects: Sequence[Any],
        answers: Sequence[str],
    ) -> list[float]:
        """Score answers against their questions' rubrics (one batched judge call)."""
        items = [
            (i, JudgeItem(q, n, a, r))
            for i, (q, n, a, r) in enumerate(zip(questions, narratives, aspects, answers, strict=True))
            if r.strip()
        ]
        scores = [0.0] * len(answers)
        if items:
            results = self.judge.judge_batch([item for _, item in items])
            for (i, _), result in zip(items, results, strict=True):
                scores[i] = float(result.score)
        return scores

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one score per completion (TRL's reward signature)."""
        n = len(completions)
        answers = _answers(kwargs, completions, self.__name__)
        scores = self.score(
            _column(kwargs, "question", n, self.__name__),
            _column(kwargs, "narrative", n, self.__name__),
            _column(kwargs, "rubric_aspects", n, self.__name__),
            [str(a) for a in answers],
        )
        return list(scores)

    def __repr__(self) -> str:
        return f"RubricJudgeReward(judge={getattr(self.judge, 'name', type(self.judge).__name__)!r})"


class StructureReward:
    """PR2's structural penalty: ``-penalty`` unless a non-empty ``<think>`` precedes ``<answer>``, else 0.

    It checks what the model wrote (the rollout's ``model_text``): an answer the graph forced by
    opening ``<answer>`` itself therefore carries the penalty, since the model never structured
    its own answer. Without ``model_text`` the completion text is checked.
    """

    def __init__(self, penalty: float = STRUCTURE_PENALTY, *, name: str = "structure") -> None:
        """Set the penalty size (positive; it is subtracted)."""
        if not (math.isfinite(penalty) and penalty >= 0):
            raise ValueError(f"penalty must be a finite number >= 0 (it is subtracted), got {penalty!r}.")
        self.penalty = float(penalty)
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return ``-penalty`` or 0 per completion (TRL's reward signature)."""
        texts = kwargs.get("model_text")
        if texts is None:
            texts = [_completion_text(c) for c in completions]
        elif len(texts) != len(completions):
            raise ValueError(f"reward {self.__name__!r}: {len(texts)} texts for {len(completions)} completions.")
        return [0.0 if has_think_before_answer(str(t)) else -self.penalty for t in texts]

    def __repr__(self) -> str:
        return f"StructureReward(penalty={self.penalty})"


LAMP_METRIC_REWARD = "lamp_metric"


def lamp_metric_reward(task: int, answer: str, gold: str) -> float:
    """A LaMP task's per-question score of one final answer, in [0, 1] (pure).

    The answer is parsed as the task parses outputs (first label, first rating, first line), then
    scored as ``pr2 eval`` scores it: exact match (LaMP-1/2), ``1 - |error| / 4`` with LaMP's
    farther-extreme rule (LaMP-3), ROUGE-1 F1 (LaMP-4..7). An empty answer scores 0.

    >>> lamp_metric_reward(2, "It is a comedy.", "comedy"), lamp_metric_reward(3, "4", "5")
    (1.0, 0.75)
    """
    from pr2_agent.tasks.lamp import example_score, parse_prediction

    if not answer.strip():
        return 0.0
    return example_score(task, parse_prediction(task, answer), gold)[0]


class LaMPMetricReward:
    """A LaMP task's metric of each row's final answer (the ``<answer>`` span), from the row's gold.

    Reads the ``lamp_task`` and ``gold`` columns the LaMP tasks add to training rows, and the
    rollout's ``answer`` field (without it, the ``<answer>`` span of the completion text).
    """

    def __init__(self, *, name: str = LAMP_METRIC_REWARD) -> None:
        """Nothing to configure: the task and gold come with each row."""
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one score per completion (TRL's reward signature)."""
        n = len(completions)
        answers = _answers(kwargs, completions, self.__name__)
        tasks = _column(kwargs, "lamp_task", n, self.__name__)
        golds = _column(kwargs, "gold", n, self.__name__)
        return [lamp_metric_reward(int(t), str(a), str(g)) for t, a, g in zip(tasks, answers, golds, strict=True)]

    def __repr__(self) -> str:
        return "LaMPMetricReward()"


def _lamp_metric(judge: Judge | None) -> RewardFunction:
    return LaMPMetricReward()


def _rubric_judge(judge: Judge | None) -> RewardFunction:
    if judge is None:
        raise ValueError(f"reward {SCORE_REWARD!r} needs a judge: set `judge` (proxy or lampqa) in the config.")
    return RubricJudgeReward(judge)


def _structure(judge: Judge | None) -> RewardFunction:
    return StructureReward()


REWARD_FUNCTIONS: dict[str, Callable[[Judge | None], RewardFunction]] = {
    SCORE_REWARD: _rubric_judge,
    "structure": _structure,
    LAMP_METRIC_REWARD: _lamp_metric,
}
"""Reward name -> factory taking the configured judge."""


def build_reward_functions(names: Sequence[str], judge: Judge | None) -> list[RewardFunction]:
    """Instantiate rewards by name, in order.

    Raises:
        ValueError: An unknown or repeated name, or no names at all.
    """
    if not names:
        raise ValueError(f"no reward functions configured; use e.g. [{SCORE_REWARD}, structure].")
    unknown = [n for n in names if n not in REWARD_FUNCTIONS]
    if unknown:
        raise ValueError(f"unknown reward function(s) {unknown}; available: {sorted(REWARD_FUNCTIONS)}.")
    if len(set(names)) != len(names):
        raise ValueError(f"reward functions listed twice in {list(names)}; list each once (use reward_weights).")
    return [REWARD_FUNCTIONS[n](judge) for n in names]


def _answers(kwargs: dict[str, Any], completions: Sequence[Any], reward: str) -> list[str]:
    """Each row's final answer: the rollout's ``answer`` column, else the completion's ``<answer>`` span."""
    answers = kwargs.get("answer")
    if answers is None:
        return [answer_text(_completion_text(c)) for c in completions]
    if len(answers) != len(completions):
        raise ValueError(f"reward {reward!r}: {len(answers)} answers for {len(completions)} completions.")
    return list(answers)


# ---------------------------------------------------------------------------------------------
# TagPR: the tag-constraint reward (its learned PRMU reward lives in pr2_agent.reward_models.prmu).
TAG_REWARD = "tag_constraints"
TAG_PROBLEM_COST = 0.25
"""What each broken schema rule costs, from 1.0 for a valid chain down to 0."""


def tag_constraint_reward(text: str, *, cost: float = TAG_PROBLEM_COST) -> float:
    """1.0 for a chain that follows the tag schema, minus ``cost`` per broken rule, floored at 0 (pure).

    >>> ok = ("<examine_history>[1]</examine_history><infer_preference>p</infer_preference>"
    ...       "<relate_to_input>r</relate_to_input><answer>a</answer>")
    >>> tag_constraint_reward(ok), tag_constraint_reward("<answer>a</answer>")
    (1.0, 0.25)
    """
    from pr2_agent.tags import check_chain

    return max(0.0, 1.0 - cost * len(check_chain(text).problems))


class TagConstraintReward:
    """TagPR's tag-based constraint term: how well what the model wrote follows the tag schema.

    Reads the rollout's ``model_text`` (an answer the graph had to force is checked as written, so it
    pays for the missing answer); without it, the completion text.
    """

    def __init__(self, cost: float = TAG_PROBLEM_COST, *, name: str = TAG_REWARD) -> None:
        """Set the cost of one broken rule (in (0, 1])."""
        if not (math.isfinite(cost) and 0 < cost <= 1):
            raise ValueError(f"cost must be in (0, 1], got {cost!r}: it is subtracted from 1.0 per broken rule.")
        self.cost = float(cost)
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one score in [0, 1] per completion (TRL's reward signature)."""
        texts = kwargs.get("model_text")
        if texts is None:
            texts = [_completion_text(c) for c in completions]
        elif len(texts) != len(completions):
            raise ValueError(f"reward {self.__name__!r}: {len(texts)} texts for {len(completions)} completions.")
        return [tag_constraint_reward(str(t), cost=self.cost) for t in texts]

    def __repr__(self) -> str:
        return f"TagConstraintReward(cost={self.cost})"


def _tag_constraints(judge: Judge | None) -> RewardFunction:
    return TagConstraintReward()


REWARD_FUNCTIONS[TAG_REWARD] = _tag_constraints


# ---------------------------------------------------------------------------------------------
# Learned reward models: built from a trained model directory (config `reward_models: {name: DIR}`).
def _prmu_from(directory: str) -> RewardFunction:
    from pr2_agent.reward_models.prmu import PRMUReward

    return PRMUReward(directory)


LEARNED_REWARDS: dict[str, Callable[[str], RewardFunction]] = {"prmu": _prmu_from}
"""Reward name -> factory taking the trained model's directory."""


def build_rewards(
    names: Sequence[str], judge: Judge | None, models: Mapping[str, str] | None = None
) -> list[RewardFunction]:
    """Like :func:`build_reward_functions`, also building learned rewards from ``models`` (name -> directory).

    Raises:
        ValueError: A learned reward without its directory, a directory for no listed learned reward, or
            what :func:`build_reward_functions` refuses.
    """
    models = dict(models or {})
    stray = sorted(set(models) - {n for n in names if n in LEARNED_REWARDS})
    if stray:
        raise ValueError(f"reward_models names {stray}, which reward_funcs does not list as learned rewards "
                         f"(learned: {sorted(LEARNED_REWARDS)}).")
    missing = [n for n in names if n in LEARNED_REWARDS and n not in models]
    if missing:
        raise ValueError(f"reward(s) {missing} are learned reward models: give each trained directory as "
                         f"reward_models: {{{missing[0]}: DIR}} (train PRMU with trainers/prmu_train.py).")
    plain_names = [n for n in names if n not in LEARNED_REWARDS]
    plain = iter(build_reward_functions(plain_names, judge) if plain_names else [])
    if len(set(names)) != len(names):
        raise ValueError(f"reward functions listed twice in {list(names)}; list each once (use reward_weights).")
    return [LEARNED_REWARDS[n](models[n]) if n in LEARNED_REWARDS else next(plain) for n in names]
