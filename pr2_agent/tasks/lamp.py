"""LaMP tasks 1-7 as tasks: LaMP's inputs and RAG prompts, its profile fields as items, its metrics.

Each task reads LaMP's own files (``*_questions.json`` with the ``*_outputs.json`` golds next to it,
user-based or time-based splits alike) and writes predictions in LaMP's format, which LaMP's
``eval/evaluation.py`` reads. A record's ``input`` is the question as LaMP wrote it; each profile
item becomes one profile text, rendered exactly as LaMP's RAG prompt renders it (``prompts.py`` of
LaMP-Benchmark/LaMP), so the ``rag`` baseline's prompt is LaMP's prompt over the retrieved items:

====  ==========================================  ==========================================
Task  profile item text                           RAG prompt
====  ==========================================  ==========================================
1     ``"{title}"``                               the titles inserted after the input's "title"
2     ``the tag for the movie: "{d}" is "{tag}"``  ``{items, and ...}. {input}``
3     ``{score} is the score for "{text}"``        ``{items, and ...}. {input}``
4, 6  ``"{title}" is the title for "{text}"``      ``{items, and ...}. {input}``
5     ``"{title}" is a title for "{abstract}"``    ``{items}. Following the given patterns {input}``
7     ``"{text}"``                                 ``{items} are written by a person. Following ...``
====  ==========================================  ==========================================

LaMP cuts each item to a share of a 512-token budget; a profile text here keeps the first
:data:`MAX_FIELD_CHARS` characters of its long field instead (the same purpose, no tokenizer).
The no-personalization prompt is the input alone, as in LaMP.

Outputs are parsed leniently (a small model says "The tag is comedy."): the first label of the
task's label set, the first rating 1-5, or the first non-empty line without a "Headline:" prefix or
quotes. Scores per question: accuracy (1, 2), ``1 - |error| / 4`` (3, with LaMP's farther-extreme
rule for an unparseable rating) and ROUGE-1 F1 (4-7); :meth:`LaMPTask.corpus_metrics` gives the
official numbers (accuracy + macro-F1, MAE + RMSE, ROUGE-1 + ROUGE-L) over a whole run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pr2_agent.data.lamp import LaMPExample, LaMPProfileItem, load_lamp
from pr2_agent.data.lamp_metrics import (
    LAMP2_MOVIE_TAGS,
    evaluate_lamp,
    parse_rating,
    rouge_pair,
)
from pr2_agent.data.records_file import write_json_atomic
from pr2_agent.tasks.base import Example, ProfileText, Score

if TYPE_CHECKING:
    from pr2_agent.judges import Judge

LAMP_SPLITS: tuple[str, ...] = ("train", "dev", "test")
BUNDLED_DIR = Path(__file__).resolve().parents[1] / "data" / "lamp"
"""``LaMP_<n>/<split>_questions.json`` + ``<split>_outputs.json`` per task (``tools/lampset/`` makes them)."""
MAX_FIELD_CHARS = 400
"""A profile text keeps this much of its long field (LaMP truncates to its token budget instead)."""
SCORER = "lamp-metric"

_TITLES = {
    1: "LaMP-1 citation identification",
    2: "LaMP-2 movie tagging",
    3: "LaMP-3 product rating",
    4: "LaMP-4 news headline generation",
    5: "LaMP-5 scholarly title generation",
    6: "LaMP-6 email subject generation",
    7: "LaMP-7 tweet paraphrasing",
}
_PREFIX = re.compile(r"^\s*(?:headline|title|subject|paraphrase|tweet|answer|output)\s*:\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’`"
_LAMP1 = re.compile(r"\[\s*([12])\s*\]|\b([12])\b")
_RATING = re.compile(r"(?<!\d)(?<!\d\.)([1-5])(?!\d|\.\d)")


def _cut(text: str) -> str:
    return text if len(text) <= MAX_FIELD_CHARS else text[:MAX_FIELD_CHARS].rstrip()


def render_item(task: int, item: LaMPProfileItem) -> str:
    """One profile item as LaMP's RAG prompt shows it (without the trailing space LaMP adds).

    >>> render_item(3, LaMPProfileItem("p1", {"text": "Broke in a week.", "score": "1"}))
    '1 is the score for "Broke in a week."'
    """
    f = item.fields
    if task == 1:
        return f'"{f["title"]}"'
    if task == 2:
        return f'the tag for the movie: "{_cut(f["description"])}" is "{f["tag"]}"'
    if task == 3:
        return f'{f["score"]} is the score for "{_cut(f["text"])}"'
    if task in (4, 6):
        return f'"{f["title"]}" is the title for "{_cut(f["text"])}"'
    if task == 5:
        return f'"{f["title"]}" is a title for "{_cut(f["abstract"])}"'
    return f'"{_cut(f["text"])}"'


def rag_prompt(task: int, question: str, items: Sequence[str]) -> str:
    """LaMP's RAG prompt (``create_*_prompt`` in its ``prompts.py``) over rendered items, best first.

    >>> rag_prompt(4, "Generate a headline for the following article: x", ['"A" is the title for "a"'])
    '"A" is the title for "a" . Generate a headline for the following article: x'
    """
    if not items:
        return question
    parts = [f"{text} " for text in items]  # LaMP's fragments end in a space before ", and "
    if task == 1:
        at = question.find("title")
        if at == -1:
            return question
        return question[: at + 5] + ", and " + ", and ".join(items) + question[at + 5 :]
    if task == 5:
        return f"{', and '.join(parts)}. Following the given patterns {question}"
    if task == 7:
        return f"{', and '.join(parts)} are written by a person. Following the given patterns {question}"
    return f"{', and '.join(parts)}. {question}"


def _first_label(text: str, labels: Sequence[str]) -> str | None:
    """The label that starts earliest in ``text`` (the longest one there: "dark comedy" over "comedy")."""
    lowered = text.lower()
    best: tuple[int, int, str] | None = None
    for label in labels:
        match = re.search(rf"(?<![a-z0-9]){re.escape(label)}(?![a-z0-9])", lowered)
        if match and (best is None or (match.start(), -len(label)) < best[:2]):
            best = (match.start(), -len(label), label)
    return best[2] if best else None


def parse_prediction(task: int, text: str) -> str:
    """The output LaMP's evaluator should read, from a model's free text.

    >>> parse_prediction(1, "The answer is [2]."), parse_prediction(2, "Tag: Dark comedy")
    ('[2]', 'dark comedy')
    >>> parse_prediction(3, "I'd say 4 stars"), parse_prediction(3, "great")
    ('4', 'great')
    >>> parse_prediction(4, 'Headline: "Rain"\\nx')
    'Rain'
    """
    stripped = text.strip()
    if task == 1:
        m = _LAMP1.search(stripped)
        return f"[{m.group(1) or m.group(2)}]" if m else stripped
    if task == 2:
        return _first_label(stripped, LAMP2_MOVIE_TAGS) or stripped
    if task == 3:
        m = _RATING.search(stripped)
        return m.group(1) if m else stripped  # unparseable: scored as the farther extreme
    line = next((ln for ln in stripped.splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line).strip()
    if len(line) >= 2 and line[0] in _QUOTES and line[-1] in _QUOTES:
        line = line[1:-1].strip()
    return line


def example_score(task: int, prediction: str, gold: str) -> tuple[float, dict[str, Any]]:
    """One parsed prediction's score in [0, 1] and its parts (what tables average and rewards use).

    >>> example_score(3, "2", "4")[0], example_score(3, "bad", "4")[0], example_score(2, "comedy", "comedy")[0]
    (0.5, 0.25, 1.0)
    """
    if task in (1, 2):
        return float(prediction.strip() == gold.strip()), {}
    if task == 3:
        error = abs(parse_rating(prediction, float(gold)) - float(gold))
        return max(0.0, 1.0 - error / 4.0), {"abs_error": error}
    rouge1, rouge_l = rouge_pair(prediction, gold)
    return rouge1, {"rouge-1": rouge1, "rouge-L": rouge_l}


def lamp_example(task: int, record: LaMPExample) -> Example:
    """View one LaMP record as an example: the record id is both question id and user id (as in LaMP)."""
    return Example(
        id=record.id,
        user_id=record.id,
        question=record.input,
        profile=tuple(ProfileText(item.id, render_item(task, item)) for item in record.profile),
        reference=record,
    )


def outputs_path(questions: Path) -> Path:
    """Where LaMP keeps a questions file's golds: ``dev_questions.json`` -> ``dev_outputs.json``."""
    return questions.with_name(questions.name.replace("questions", "outputs"))


def load_lamp_examples(task: int | None, path: Path) -> list[Example]:
    """Read a LaMP questions file, joined with its outputs file when one sits next to it.

    With ``task`` None the task comes from the outputs file or a ``LaMP_<n>`` part of the path.
    """
    golds = outputs_path(path)
    has_golds = golds != path and golds.is_file()
    records = load_lamp(path, golds if has_golds else None, task=task)
    return [lamp_example(r.task, r) for r in records]


class LaMPTask:
    """One of LaMP's seven tasks (registered as ``lamp1`` ... ``lamp7``)."""

    judged = False

    def __init__(self, number: int) -> None:
        """Task ``number`` (1-7); its registry name is ``lamp<number>``."""
        if number not in _TITLES:
            raise ValueError(f"LaMP has tasks 1-7, got {number!r}.")
        self.number = number
        self.name = f"lamp{number}"
        self.title = _TITLES[number]

    def load(self, path: Path) -> list[Example]:
        """Read LaMP's ``*_questions.json`` (+ ``*_outputs.json`` next to it, when present)."""
        return load_lamp_examples(self.number, path)

    def bundled(self, split: str) -> Path:
        """The bundled LaMP-style split (``lamp:<n>:train|dev|test``)."""
        if split not in LAMP_SPLITS:
            raise FileNotFoundError(
                f"the bundled LaMP sets have no split {split!r}; use one of {', '.join(LAMP_SPLITS)}."
            )
        return BUNDLED_DIR / f"LaMP_{self.number}" / f"{split}_questions.json"

    def parse_output(self, text: str) -> str:
        """What LaMP's evaluator reads (see :func:`parse_prediction`)."""
        return parse_prediction(self.number, text)

    def baseline_messages(self, example: Example, profile_texts: Sequence[str] | None) -> list[dict[str, str]]:
        """LaMP's input alone (no profile), or LaMP's RAG prompt over ``profile_texts``."""
        content = (
            example.question if profile_texts is None else rag_prompt(self.number, example.question, profile_texts)
        )
        return [{"role": "user", "content": content}]

    def parse_reply(self, text: str) -> tuple[str, bool]:
        """The parsed output, and whether the reply was exactly that (LaMP's asked-for format)."""
        parsed = parse_prediction(self.number, text)
        return parsed, parsed == text.strip()

    def score(self, examples: Sequence[Example], outputs: Sequence[str], judge: Judge | None) -> list[Score]:
        """Each output against its gold with LaMP's metric (``judge`` is not used)."""
        scores = []
        for example, output in zip(examples, outputs, strict=True):
            gold = self.gold(example)
            prediction = parse_prediction(self.number, output)
            value, parts = example_score(self.number, prediction, gold)
            scores.append(Score(value, SCORER, details={**parts, "prediction": prediction, "gold": gold}))
        return scores

    def gold(self, example: Example) -> str:
        """The example's gold output, or a clear error when its file came without one."""
        record = example.reference
        if not isinstance(record, LaMPExample) or record.task != self.number:
            raise TypeError(
                f"example {example.id!r} is not a LaMP-{self.number} example; load it with task {self.name}."
            )
        if record.output is None:
            raise ValueError(
                f"LaMP-{self.number} example {example.id!r} has no gold output: put the outputs file next to the "
                "questions file (dev_questions.json -> dev_outputs.json) to score it."
            )
        return record.output

    def corpus_metrics(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
        """LaMP's official metrics over result rows (their ``prediction`` / ``gold`` parts), keyed as LaMP's."""
        scored = [r for r in rows if "prediction" in r and "gold" in r]
        if not scored:
            return {}
        predictions = {str(r["qid"]): str(r["prediction"]) for r in scored}
        golds = {str(r["qid"]): str(r["gold"]) for r in scored}
        return evaluate_lamp(self.number, predictions, golds)

    def reward_columns(self, example: Example) -> dict[str, Any]:
        """What :class:`pr2_agent.rewards.LaMPMetricReward` reads: the task number and the gold."""
        return {"lamp_task": self.number, "gold": self.gold(example)}

    def write_predictions(self, path: Path, outputs: Mapping[str, str]) -> Path:
        """LaMP's prediction file ``{"task": "LaMP_<n>", "golds": [{"id", "output"}]}`` (parsed outputs)."""
        golds = [{"id": qid, "output": parse_prediction(self.number, text)} for qid, text in outputs.items()]
        write_json_atomic(path, {"task": f"LaMP_{self.number}", "golds": golds})
        return path


LAMP_TASKS: tuple[LaMPTask, ...] = tuple(LaMPTask(n) for n in range(1, 8))
