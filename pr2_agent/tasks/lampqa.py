"""LaMP-QA as a task: a record's question, asked for the record's own user, scored by a rubric judge."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent import prompts
from pr2_agent.data.lampqa import LaMPQARecord, load_lampqa, save_responses
from pr2_agent.tasks.base import Example, ProfileText, Score

if TYPE_CHECKING:
    from pr2_agent.judges import Judge


ANSWER_FIELD = "personalized_answer"
"""The JSON field LaMP-QA's baseline prompts ask the generator to fill."""

_JSON_BLOCK = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


def nopers_messages(question: str) -> list[dict[str, str]]:
    """LaMP-QA No-Personalization prompt for one question."""
    return [
        {"role": "system", "content": prompts.NOPERS_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.NOPERS_USER_TEMPLATE.format(question=question)},
    ]


def rag_messages(question: str, profile_texts: Sequence[str]) -> list[dict[str, str]]:
    """LaMP-QA RAG-Personalization prompt: retrieved profile texts (best first) + the question."""
    profile = prompts.RAG_PROFILE_SEPARATOR.join(profile_texts)
    return [
        {"role": "system", "content": prompts.RAG_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.RAG_USER_TEMPLATE.format(profile=profile, question=question)},
    ]


def planner_messages(question: str, profile_texts: Sequence[str]) -> list[dict[str, str]]:
    """PlanPers' planner prompt: list the aspects the user expects, from the question and retrieved profile."""
    profile = prompts.RAG_PROFILE_SEPARATOR.join(profile_texts)
    return [
        {"role": "system", "content": prompts.PLANPERS_PLANNER_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.RAG_USER_TEMPLATE.format(profile=profile, question=question)},
    ]


def planned_messages(question: str, profile_texts: Sequence[str], plan: str) -> list[dict[str, str]]:
    """PlanPers' generation prompt: the RAG prompt plus the planner's aspects."""
    profile = prompts.RAG_PROFILE_SEPARATOR.join(profile_texts)
    user = prompts.PLANPERS_USER_TEMPLATE.format(profile=profile, question=question, aspects=plan.strip())
    return [{"role": "system", "content": prompts.PLANPERS_SYSTEM_PROMPT}, {"role": "user", "content": user}]


def extract_personalized_answer(text: str) -> tuple[str, bool]:
    """Return the ``personalized_answer`` of a LaMP-QA baseline reply, and whether it parsed.

    The prompts ask for a ```json``` block holding ``{"personalized_answer": ...}``; a bare JSON
    object is accepted too. Anything else (small models rarely produce valid JSON) falls back to
    the raw text, stripped, so the judge still sees what the model said.

    Example:
        >>> extract_personalized_answer('```json\\n{"personalized_answer": "Try oat milk."}\\n```')
        ('Try oat milk.', True)
        >>> extract_personalized_answer("Just try oat milk.")
        ('Just try oat milk.', False)
    """
    candidates = [m.group(1) for m in _JSON_BLOCK.finditer(text)] + [text]
    for candidate in candidates:
        try:
            value = json.loads(candidate.strip())
        except ValueError:
            continue
        if isinstance(value, Mapping) and isinstance(value.get(ANSWER_FIELD), str):
            return value[ANSWER_FIELD].strip(), True
    return text.strip(), False


def lampqa_example(record: LaMPQARecord) -> Example:
    """View one LaMP-QA record as an example: the record id is both question id and user id."""
    return Example(
        id=record.id,
        user_id=record.id,
        question=record.question,
        profile=tuple(ProfileText(p.id, p.text) for p in record.profile),
        category=record.category,
        reference=record,
    )


class LaMPQATask:
    """LaMP-QA (and the bundled development set in its format)."""

    name = "lampqa"
    judged = True

    def load(self, path: Path) -> list[Example]:
        """Read a LaMP-QA JSON/JSONL file."""
        return [lampqa_example(r) for r in load_lampqa(path)]

    def bundled(self, split: str) -> Path:
        """The bundled synthetic development set (``devset:train|dev|test``)."""
        from pr2_agent.data.devset import DEVSET_SPLITS, devset_path

        if split not in DEVSET_SPLITS:
            raise FileNotFoundError(
                f"the bundled development set has no split {split!r}; use one of {', '.join(DEVSET_SPLITS)}."
            )
        return devset_path(split)

    def parse_output(self, text: str) -> str:
        """The answer text itself (the judge reads the whole answer)."""
        return text.strip()

    def baseline_messages(self, example: Example, profile_texts: Sequence[str] | None) -> list[dict[str, str]]:
        """LaMP-QA's No-Personalization prompt, or its RAG-Personalization prompt over ``profile_texts``."""
        if profile_texts is None:
            return nopers_messages(example.question)
        return rag_messages(example.question, profile_texts)

    def plan_messages(self, example: Example, profile_texts: Sequence[str]) -> list[dict[str, str]]:
        """PlanPers' planner prompt over the retrieved ``profile_texts`` (best first)."""
        return planner_messages(example.question, profile_texts)

    def planned_messages(self, example: Example, profile_texts: Sequence[str], plan: str) -> list[dict[str, str]]:
        """PlanPers' answer prompt: the retrieved profile, the question and the planner's ``plan``."""
        return planned_messages(example.question, profile_texts, plan)

    def parse_reply(self, text: str) -> tuple[str, bool]:
        """The ``personalized_answer`` of a baseline's JSON reply (see :func:`extract_personalized_answer`)."""
        return extract_personalized_answer(text)

    def score(self, examples: Sequence[Example], outputs: Sequence[str], judge: Judge | None) -> list[Score]:
        """Judge every output against its record's rubric aspects (one batched judge call)."""
        from pr2_agent.judges import JudgeItem

        if judge is None:
            raise ValueError("LaMP-QA is scored by a rubric judge: pass one (the offline proxy or lampqa).")
        items = [JudgeItem.from_record(_record(e), output) for e, output in zip(examples, outputs, strict=True)]
        return [
            Score(
                score=float(v.score),
                scorer=v.judge,
                is_proxy=v.is_proxy,
                details={
                    "aspect_scores": [
                        {"aspect": s.aspect, "match_score": s.match_score, "parsed": s.parsed} for s in v.scores
                    ]
                },
            )
            for v in judge.judge_batch(items)
        ]

    def reward_columns(self, example: Example) -> dict[str, Any]:
        """The rubric the judge reward reads (question, narrative, aspects) and the category."""
        record = _record(example)
        return {
            "question": record.question,
            "narrative": record.narrative,
            "rubric_aspects": [a.to_dict() for a in record.rubric_aspects],
            "category": record.category or "",
        }

    def write_predictions(self, path: Path, outputs: Mapping[str, str]) -> Path:
        """LaMP-QA's response file: ``{qid: [{"output": answer}]}``."""
        return save_responses(path, outputs)


def _record(example: Example) -> LaMPQARecord:
    if not isinstance(example.reference, LaMPQARecord):
        raise TypeError(
            f"example {example.id!r} is not a LaMP-QA example (its reference is "
            f"{type(example.reference).__name__}); build it with the lampqa task."
        )
    return example.reference
