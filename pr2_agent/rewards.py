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
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pr2_agent import prompts
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
        texts = _model_texts(kwargs, completions, self.__name__)
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


class GoldReward:
    """A metric of each LaMP row's final answer against its gold: ``metric(task, answer, gold)``.

    Reads the ``lamp_task`` and ``gold`` columns the LaMP tasks add to training rows, and the
    rollout's ``answer`` field (without it, the ``<answer>`` span of the completion text).
    """

    def __init__(self, metric: Callable[[int, str, str], float], *, name: str) -> None:
        """Keep the metric (a module-level function, so the reward pickles)."""
        self.metric = metric
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one score per completion (TRL's reward signature)."""
        n = len(completions)
        answers = _answers(kwargs, completions, self.__name__)
        tasks = _column(kwargs, "lamp_task", n, self.__name__)
        golds = _column(kwargs, "gold", n, self.__name__)
        return [self.metric(int(t), str(a), str(g)) for t, a, g in zip(tasks, answers, golds, strict=True)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LaMPMetricReward(GoldReward):
    """A LaMP task's metric of each row's final answer (the ``<answer>`` span), from the row's gold."""

    def __init__(self, *, name: str = LAMP_METRIC_REWARD) -> None:
        """Nothing to configure: the task and gold come with each row."""
        super().__init__(lamp_metric_reward, name=name)


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


def build_reward_functions(
    names: Sequence[str], judge: Judge | None, *, reward_model_path: str | None = None
) -> list[RewardFunction]:
    """Instantiate rewards by name, in order (``reward_model_path``: for :data:`MODEL_REWARD_FUNCTIONS`).

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
    return [
        MODEL_REWARD_FUNCTIONS[n](reward_model_path)
        if reward_model_path is not None and n in MODEL_REWARD_FUNCTIONS
        else REWARD_FUNCTIONS[n](judge)
        for n in names
    ]


def _model_texts(kwargs: dict[str, Any], completions: Sequence[Any], reward: str) -> list[str]:
    """What the model itself wrote in each row: the rollout's ``model_text`` column, else the completion text."""
    texts = kwargs.get("model_text")
    if texts is None:
        return [_completion_text(c) for c in completions]
    if len(texts) != len(completions):
        raise ValueError(f"reward {reward!r}: {len(texts)} texts for {len(completions)} completions.")
    return list(texts)


def _answers(kwargs: dict[str, Any], completions: Sequence[Any], reward: str) -> list[str]:
    """Each row's final answer: the rollout's ``answer`` column, else the completion's ``<answer>`` span."""
    answers = kwargs.get("answer")
    if answers is None:
        return [answer_text(_completion_text(c)) for c in completions]
    if len(answers) != len(completions):
        raise ValueError(f"reward {reward!r}: {len(answers)} answers for {len(completions)} completions.")
    return list(answers)


# ---------------------------------------------------------------------------------------------
# PrLM's reward terms (weights 1.0 / 0.1 / 0.1 in its code; set them with GRPOConfig.reward_weights).
PRLM_ROUGE_REWARD = "prlm_rouge"
THINK_ANSWER_FORMAT_REWARD = "think_answer_format"
PERSONALIZATION_RM_REWARD = "personalization_rm"

_ROUGE_SUM: Any = None


def rouge_f_sum(prediction: str, reference: str) -> float:
    """ROUGE-1 + ROUGE-2 + ROUGE-L F1 of one text against one reference, in [0, 3] (PrLM's ``accuracy_k``).

    ``rouge-score`` with LaMP's settings (default tokenizer, no stemming); PrLM's code tokenizes with
    jieba for ``rouge_chinese``, which on English text is the same word split.

    >>> rouge_f_sum("police kill the gunman", "police kill the gunman"), rouge_f_sum("a b", "c d")
    (3.0, 0.0)
    """
    global _ROUGE_SUM
    if _ROUGE_SUM is None:
        from rouge_score import rouge_scorer

        _ROUGE_SUM = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    scores = _ROUGE_SUM.score(reference, prediction)
    return float(sum(s.fmeasure for s in scores.values()))


def prlm_rouge_reward(task: int, answer: str, gold: str) -> float:
    """PrLM's accuracy term: ROUGE-1+2+L F1 of the task-parsed answer against the gold (0 when empty).

    >>> prlm_rouge_reward(4, 'Headline: "Rain floods Lakeview"', "Rain floods Lakeview")
    3.0
    """
    from pr2_agent.tasks.lamp import parse_prediction

    prediction = parse_prediction(task, answer) if answer.strip() else ""
    return rouge_f_sum(prediction, gold) if prediction else 0.0


class PrLMRougeReward(GoldReward):
    """PrLM's ``accuracy_k``: ROUGE-1+2+L F1 of each row's final answer against its gold, in [0, 3]."""

    def __init__(self, *, name: str = PRLM_ROUGE_REWARD) -> None:
        """Nothing to configure: the task and gold come with each row (``lamp_task``, ``gold``)."""
        super().__init__(prlm_rouge_reward, name=name)


def think_answer_format(text: str) -> float:
    """1.0 when the model wrote exactly a non-empty ``<think>`` then a non-empty ``<answer>``, else 0.0.

    PrLM's ``format`` term (its ``fixed_law_format_reward`` is not in the released code): the reply
    format its system prompt asks for, ``<think>\\n...\\n</think>\\n<answer>\\n...\\n</answer>``, with
    nothing but whitespace around the two spans.

    >>> think_answer_format("<think>\\nshort\\n</think>\\n<answer>\\nNew job!\\n</answer>")
    1.0
    >>> think_answer_format("<answer>New job!</answer>"), think_answer_format("<think>x</think> New job!")
    (0.0, 0.0)
    """
    return 1.0 if _THINK_THEN_ANSWER.fullmatch(text) else 0.0


_THINK_THEN_ANSWER = re.compile(
    rf"\s*<{prompts.THINK_TAG}>\s*\S.*?</{prompts.THINK_TAG}>\s*<{prompts.ANSWER_TAG}>\s*\S.*?</{prompts.ANSWER_TAG}>\s*",
    re.DOTALL,
)


class ThinkAnswerFormatReward:
    """PrLM's format term over what the model wrote (the rollout's ``model_text``, else the completion)."""

    def __init__(self, *, name: str = THINK_ANSWER_FORMAT_REWARD) -> None:
        """Nothing to configure."""
        self.__name__ = name

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return 1.0 or 0.0 per completion (TRL's reward signature)."""
        texts = _model_texts(kwargs, completions, self.__name__)
        return [think_answer_format(str(t)) for t in texts]

    def __repr__(self) -> str:
        return "ThinkAnswerFormatReward()"


class PersonalizationRMReward:
    """PrLM's ``person_k``: sigmoid of the pairwise reward model's score of (input, parsed answer), in (0, 1).

    The model (:class:`pr2_agent.reward_models.pairwise.PairwiseRewardModel`, a directory written by
    ``trainers/prlm_rm_train.py``) is loaded on the first call and never pickled (only its path is).
    An empty answer scores 0 without a model call. The query is the row's ``question`` (the LaMP
    input, which holds the article / abstract / tweet PrLM's code extracts from its prompt).
    """

    def __init__(self, model_path: str, *, batch_size: int = 32, name: str = PERSONALIZATION_RM_REWARD) -> None:
        """Keep the path (checked now, loaded on first use)."""
        from pathlib import Path

        if not (Path(model_path) / "config.json").is_file():
            raise ValueError(
                f"reward {name!r}: {model_path!r} is not a reward model directory (no config.json). Train one with "
                "`python trainers/prlm_rm_train.py --config trainers/configs/prlm_rm_cpu.yaml` and point "
                "reward_model_path at its output_dir."
            )
        self.model_path = str(model_path)
        self.batch_size = batch_size
        self.__name__ = name
        self._model: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_model": None}

    def scores(self, queries: Sequence[str], outputs: Sequence[str]) -> list[float]:
        """Sigmoid RM scores; 0.0 for an empty output."""
        if self._model is None:
            from pr2_agent.reward_models.pairwise import PairwiseRewardModel

            self._model = PairwiseRewardModel.load(self.model_path, batch_size=self.batch_size)
        keep = [i for i, o in enumerate(outputs) if o.strip()]
        values = [0.0] * len(outputs)
        raw = self._model.score([queries[i] for i in keep], [outputs[i] for i in keep])
        for i, r in zip(keep, raw, strict=True):
            values[i] = 1.0 / (1.0 + math.exp(-r))
        return values

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        """Return one value per completion (TRL's reward signature)."""
        from pr2_agent.tasks.lamp import parse_prediction

        n = len(completions)
        answers = [str(a) for a in _answers(kwargs, completions, self.__name__)]
        queries = [str(q) for q in _column(kwargs, "question", n, self.__name__)]
        tasks = kwargs.get("lamp_task")
        if tasks is not None:  # LaMP rows: score the output the task reads, as the RM was trained on
            answers = [parse_prediction(int(t), a) if a.strip() else "" for t, a in zip(tasks, answers, strict=True)]
        return list(self.scores(queries, answers))

    def __repr__(self) -> str:
        return f"PersonalizationRMReward(model_path={self.model_path!r})"


def _needs_model_path(name: str) -> Callable[[Judge | None], RewardFunction]:
    def refuse(judge: Judge | None) -> RewardFunction:
        raise ValueError(f"reward {name!r} needs a trained reward model: set reward_model_path in the config.")

    return refuse


MODEL_REWARD_FUNCTIONS: dict[str, Callable[[str], RewardFunction]] = {
    PERSONALIZATION_RM_REWARD: PersonalizationRMReward,
}
"""Rewards that read a trained model: name -> factory taking the model directory (``reward_model_path``)."""

REWARD_FUNCTIONS.update(
    {
        PRLM_ROUGE_REWARD: lambda judge: PrLMRougeReward(),
        THINK_ANSWER_FORMAT_REWARD: lambda judge: ThinkAnswerFormatReward(),
        PERSONALIZATION_RM_REWARD: _needs_model_path(PERSONALIZATION_RM_REWARD),
    }
)


# ---------------------------------------------------------------------------------------------
# TagPR: the tag-constraint reward, and PRMU (pr2_agent.reward_models.prmu) as a model reward.
TAG_REWARD = "tag_constraints"
PRMU_REWARD = "prmu"
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
        texts = _model_texts(kwargs, completions, self.__name__)
        return [tag_constraint_reward(str(t), cost=self.cost) for t in texts]

    def __repr__(self) -> str:
        return f"TagConstraintReward(cost={self.cost})"


def _tag_constraints(judge: Judge | None) -> RewardFunction:
    return TagConstraintReward()


def _prmu_from(directory: str) -> RewardFunction:
    from pr2_agent.reward_models.prmu import PRMUReward

    return PRMUReward(directory)


REWARD_FUNCTIONS[TAG_REWARD] = _tag_constraints
REWARD_FUNCTIONS[PRMU_REWARD] = _needs_model_path(PRMU_REWARD)
MODEL_REWARD_FUNCTIONS[PRMU_REWARD] = _prmu_from
