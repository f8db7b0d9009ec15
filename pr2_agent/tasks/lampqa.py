"""LaMP-QA as a task: a record's question, asked for the record's own user, scored by a rubric judge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent.data.lampqa import LaMPQARecord, load_lampqa, save_responses
from pr2_agent.tasks.base import Example, ProfileText, Score

if TYPE_CHECKING:
    from pr2_agent.judges import Judge


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
            "rubric_aspects": [
                {"aspect": a.aspect, "reason": a.reason, "evidence": a.evidence} for a in record.rubric_aspects
            ],
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
