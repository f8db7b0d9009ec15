"""Summaries of an evaluation: the system x category table, relative improvements, and a chart.

Scores follow LaMP-QA: a question's score is its judge score in [0, 1]; a category's score is the
mean over its questions; the headline number is the macro mean over categories. Every summary
names its judge, and a proxy judge is labelled as such: its numbers are not comparable with
published LaMP-QA results. Each row names the generator that produced it, so one table can compare
checkpoints (``rag``, ``pr2@base``, ``pr2@sft``, ...); improvements are relative to the ``rag`` row.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pr2_agent.data.lampqa import LAMPQA_CATEGORIES
from pr2_agent.data.records_file import write_json_atomic
from pr2_agent.evaluation.runner import SystemRun, base_system

logger = logging.getLogger(__name__)

BASELINE = "rag"
"""Relative improvements are reported over LaMP-QA's RAG-Personalization baseline."""
MACRO = "macro"
UNCATEGORIZED = "uncategorized"
SEVERAL_GENERATORS = "per row (see the generator column)"
PROXY_LABEL = "PROXY judge — not comparable to published LaMP-QA numbers"
SHORT_CATEGORY = {
    "Art_and_Entertainment": "A&E",
    "Lifestyle_and_Personal_Development": "L&PD",
    "Society_and_Culture": "S&C",
}


@dataclass(frozen=True)
class SystemSummary:
    """One system's numbers."""

    system: str
    model: str
    """The generator that produced the row (``model``, or ``model @ base_url`` for an endpoint)."""
    n: int
    scores: dict[str, float]
    """Mean score per category, plus ``macro`` (mean of the category means)."""
    counts: dict[str, int]
    """Questions per category."""
    improvement_over_rag: dict[str, float | None]
    """``(score - rag) / rag`` per category and macro (rag = ``Summary.baseline``); None when there is
    no baseline row or it scores 0 there."""
    mean_seconds: float
    """Mean generation seconds attributed per question (see ``SystemAnswer.seconds``)."""
    wall_seconds: float
    """Wall time this invocation spent on the system (0 when every question was resumed)."""
    resumed: int
    json_parse_rate: float | None = None
    """Single-turn systems: share of replies whose ```json``` block parsed."""
    mean_searches: float | None = None
    """pr2: mean searches per question."""
    finish: dict[str, int] = field(default_factory=dict)
    """How generations ended (pr2: answer/forced; single-turn: stop/eos/length)."""
    unparsed_judgements: int = 0
    """Aspect verdicts the judge gave up on (scored 0)."""
    official: dict[str, float] = field(default_factory=dict)
    """The task's benchmark metrics over the whole run (LaMP: accuracy/f1, MAE/RMSE, rouge-1/rouge-L)."""


@dataclass(frozen=True)
class Summary:
    """Everything ``summary.md``/``summary.json``/``summary.png`` show."""

    judge: str
    is_proxy: bool
    model: str
    categories: list[str]
    systems: list[SystemSummary]
    run: dict[str, Any] = field(default_factory=dict)
    """Settings and counts of the invocation (data files, limit, budgets, wall time...)."""
    baseline: str | None = BASELINE
    """The row improvements are relative to (see :func:`baseline_name`); None when there is none."""
    notes: list[str] = field(default_factory=list)
    """Rows left out of the table or narrowed, and settings that differ between rows."""

    @property
    def judge_label(self) -> str:
        """The judge's name, with the proxy warning when it applies."""
        return f"{self.judge} ({PROXY_LABEL})" if self.is_proxy else self.judge

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data["judge_label"] = self.judge_label
        return data


def relative_improvement(score: float, baseline: float) -> float | None:
    """Return ``(score - baseline) / baseline``, or None when the baseline is 0.

    Example:
        >>> relative_improvement(0.44, 0.40)
        0.1
        >>> relative_improvement(0.3, 0.0) is None
        True
    """
    if baseline == 0:
        return None
    return round((score - baseline) / baseline, 12)


def baseline_name(names: Iterable[str]) -> str | None:
    """The row improvements are relative to: ``rag``, else the only labelled ``rag@...`` row.

    Example:
        >>> baseline_name(["rag@base", "pr2@sft"]), baseline_name(["rag@a", "rag@b"])
        ('rag@base', None)
    """
    names = list(names)
    if BASELINE in names:
        return BASELINE
    labelled = [n for n in names if base_system(n) == BASELINE]
    return labelled[0] if len(labelled) == 1 else None


def generator_label(model: object, base_url: object = None) -> str:
    """How a generator is named in reports: its ``--model``, plus the endpoint when there is one."""
    return f"{model} @ {base_url}" if base_url else str(model)


def is_proxy_judge(name: str) -> bool:
    """Whether a judge known only by its name is a proxy (``Judge.name`` of a proxy contains "proxy")."""
    return "proxy" in name


def ordered_categories(names: set[str]) -> list[str]:
    """LaMP-QA's categories in the benchmark's order, then any others alphabetically."""
    known = [c for c in LAMPQA_CATEGORIES if c in names]
    return known + sorted(names - set(known))


def _category(row: Mapping[str, Any]) -> str:
    return str(row.get("category") or UNCATEGORIZED)


def category_scores(
    rows: Sequence[Mapping[str, Any]], categories: Sequence[str]
) -> tuple[dict[str, float], dict[str, int]]:
    """Per-category mean score and count, and the macro mean over the categories present."""
    by_cat: dict[str, list[float]] = {c: [] for c in categories}
    for row in rows:
        by_cat[_category(row)].append(float(row["score"]))
    scores = {c: statistics.fmean(v) for c, v in by_cat.items() if v}
    counts = {c: len(v) for c, v in by_cat.items() if v}
    if scores:
        scores[MACRO] = statistics.fmean(scores.values())
    return scores, counts


def _generator(rows: Sequence[Mapping[str, Any]], default: str | None) -> str:
    setup = rows[0].get("setup", {}) if rows else {}
    if setup.get("model") is not None:
        return generator_label(setup["model"], setup.get("base_url"))
    return default or "unknown"


def summarize(
    runs: Sequence[SystemRun],
    *,
    judge: str,
    is_proxy: bool,
    model: str | None = None,
    run: Mapping[str, Any],
    notes: Sequence[str] = (),
) -> Summary:
    """Turn the systems' result rows into a :class:`Summary`.

    Each row's generator is read from its recorded setup; ``model`` names it for rows without one.
    """
    categories = ordered_categories({_category(row) for r in runs for row in r.rows})
    corpus_metrics = _corpus_metrics(str(run.get("task", "")))
    per_system = {r.system: category_scores(r.rows, categories) for r in runs}
    baseline_row = baseline_name(per_system)
    baseline = per_system[baseline_row][0] if baseline_row else {}
    generators = {r.system: _generator(r.rows, model) for r in runs}
    distinct = set(generators.values())
    systems = []
    for r in runs:
        scores, counts = per_system[r.system]
        parsed = [row["json_parsed"] for row in r.rows if row.get("json_parsed") is not None]
        searches = [len(row.get("searches", [])) for row in r.rows]
        finish: dict[str, int] = {}
        for row in r.rows:
            finish[str(row.get("finish"))] = finish.get(str(row.get("finish")), 0) + 1
        systems.append(
            SystemSummary(
                system=r.system,
                model=generators[r.system],
                n=len(r.rows),
                scores=scores,
                counts=counts,
                improvement_over_rag={
                    k: relative_improvement(v, baseline[k]) if k in baseline else None for k, v in scores.items()
                },
                mean_seconds=statistics.fmean(float(row.get("seconds", 0.0)) for row in r.rows) if r.rows else 0.0,
                wall_seconds=r.wall_seconds,
                resumed=r.resumed,
                json_parse_rate=sum(parsed) / len(parsed) if parsed else None,
                mean_searches=statistics.fmean(searches) if base_system(r.system) == "pr2" and searches else None,
                finish=finish,
                unparsed_judgements=sum(
                    not a.get("parsed", True) for row in r.rows for a in row.get("aspect_scores", [])
                ),
                official=corpus_metrics(r.rows) if corpus_metrics is not None and r.rows else {},
            )
        )
    return Summary(
        judge=judge,
        is_proxy=is_proxy,
        model=distinct.pop() if len(distinct) == 1 else SEVERAL_GENERATORS if distinct else model or "unknown",
        categories=categories,
        systems=systems,
        run=dict(run),
        baseline=baseline_row,
        notes=list(notes),
    )


def _corpus_metrics(task: str) -> Callable[[Sequence[Mapping[str, Any]]], dict[str, float]] | None:
    """The task's whole-run metrics (LaMP tasks have them), or None."""
    from pr2_agent.tasks import task_names

    if task not in task_names():
        return None
    from pr2_agent.tasks import get_task

    return getattr(get_task(task), "corpus_metrics", None)


# ------------------------------------------------------------------------------------- rendering
def _short(category: str) -> str:
    return SHORT_CATEGORY.get(category, category)


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    # Adding 0.0 turns a rounded -0.0 into 0.0, so a tie never reads as a loss.
    return f"{round(value * 100, 1) + 0.0:+.1f}%"


TASK_TITLES = {"lampqa": "LaMP-QA", **{f"lamp{n}": f"LaMP-{n}" for n in range(1, 8)}}
"""How report headlines name a task (others by their registry name)."""


def render_markdown(summary: Summary) -> str:
    """The human-readable report (``summary.md``)."""
    task = str(summary.run.get("task", "lampqa"))
    lines = [
        f"# {TASK_TITLES.get(task, task)} evaluation",
        "",
        f"- **Judge:** {summary.judge_label}",
        f"- **Generator model:** {summary.model}",
    ]
    if "questions" in summary.run:
        per_category = ", ".join(f"{_short(c)}: {n}" for c, n in summary.run.get("per_category", {}).items())
        lines.append(f"- **Questions:** {summary.run['questions']}" + (f" ({per_category})" if per_category else ""))
    what = "Aspect score" if task == "lampqa" else "Score"
    lines += ["", f"{what} in [0, 1] (mean per category; macro = mean of the categories).", ""]
    lines += _score_table(summary) + _official_table(summary) + _improvement_table(summary) + _run_table(summary)
    unparsed = {s.system: s.unparsed_judgements for s in summary.systems if s.unparsed_judgements}
    if unparsed:
        lines += ["", f"Aspect verdicts the judge could not parse (scored 0): {unparsed}."]
    if summary.notes:
        lines += ["", "Notes:", "", *(f"- {note}" for note in summary.notes)]
    settings = {k: v for k, v in summary.run.items() if k not in ("questions", "per_category")}
    if settings:
        lines += ["", "Settings: " + ", ".join(f"`{k}={v}`" for k, v in settings.items())]
    lines.append("")
    return "\n".join(lines)


def _score_table(summary: Summary) -> list[str]:
    """System x category scores; a generator column when the rows come from more than one."""
    cols = [*summary.categories, MACRO]
    by_generator = summary.model == SEVERAL_GENERATORS
    head = [
        "system",
        *(["generator"] if by_generator else []),
        *[_short(c) for c in summary.categories],
        "macro",
        f"Δ macro vs {summary.baseline or BASELINE}",
    ]
    text_cols = 2 if by_generator else 1
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] * text_cols + ["---:"] * (len(head) - text_cols)) + "|",
    ]
    for s in summary.systems:
        cells = [f"{s.scores[c]:.4f}" if c in s.scores else "—" for c in cols]
        name = f"{s.system} | {s.model}" if by_generator else s.system
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_pct(s.improvement_over_rag.get(MACRO))} |")
    return lines


def _official_table(summary: Summary) -> list[str]:
    """The task's benchmark metrics per system (LaMP's evaluator keys), when the task defines them."""
    keys = list(dict.fromkeys(k for s in summary.systems for k in s.official))
    if not keys:
        return []
    lines = ["", "Benchmark metrics over the whole run (the task's official evaluator):", ""]
    lines += ["| system | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for s in summary.systems:
        cells = [f"{s.official[k]:.4f}" if k in s.official else "—" for k in keys]
        lines.append(f"| {s.system} | " + " | ".join(cells) + " |")
    return lines


def _improvement_table(summary: Summary) -> list[str]:
    """Relative improvement of every row over the baseline, per category."""
    base = summary.baseline
    if base is None:
        several = [s.system for s in summary.systems if base_system(s.system) == BASELINE]
        if several:
            return [
                "",
                f"(No unlabelled `{BASELINE}` row and several labelled ones ({', '.join(several)}): no relative "
                f"improvements. Evaluate `{BASELINE}` once without --label to get them.)",
            ]
        return ["", f"(`{BASELINE}` was not evaluated: no relative improvements.)"]
    cols = [*summary.categories, MACRO]
    lines = [
        "",
        f"Relative improvement over `{base}` ((system − {base}) / {base}):",
        "",
        "| system | " + " | ".join(_short(c) for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for s in summary.systems:
        if s.system != base:
            lines.append(f"| {s.system} | " + " | ".join(_pct(s.improvement_over_rag.get(c)) for c in cols) + " |")
    return lines


def _run_table(summary: Summary) -> list[str]:
    """Per system: answer format, searches, finish reasons and timings."""
    lines = [
        "",
        "| system | n | JSON parsed | mean searches | finish | s/question | wall s | resumed |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for s in summary.systems:
        parse = "—" if s.json_parse_rate is None else f"{s.json_parse_rate * 100:.0f}%"
        searches = "—" if s.mean_searches is None else f"{s.mean_searches:.2f}"
        finish = ", ".join(f"{k} {v}" for k, v in sorted(s.finish.items()))
        lines.append(
            f"| {s.system} | {s.n} | {parse} | {searches} | {finish} | {s.mean_seconds:.2f} | "
            f"{s.wall_seconds:.0f} | {s.resumed} |"
        )
    lines += [
        "",
        "s/question: generation time per question (single-turn systems: their batch's time split evenly; "
        "pr2: one graph run's latency while the others run alongside). wall s: time this invocation spent "
        "on the system; resumed: questions whose results came from an earlier invocation.",
    ]
    return lines


def plot_summary(summary: Summary, path: Path) -> Path | None:
    """Grouped bars (one group per category and macro, one bar per system); None without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        logger.warning("matplotlib is not installed: %s was not drawn (pip install matplotlib)", path)
        return None
    groups = [*summary.categories, MACRO]
    width = 0.8 / max(len(summary.systems), 1)
    fig = Figure(figsize=(max(6.0, 1.6 * len(groups) + 2), 4.2), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, s in enumerate(summary.systems):
        xs = [g + (i - (len(summary.systems) - 1) / 2) * width for g in range(len(groups))]
        ys = [s.scores.get(c, 0.0) for c in groups]
        bars = ax.bar(xs, ys, width * 0.95, label=s.system)
        ax.bar_label(bars, labels=[f"{y:.2f}" for y in ys], fontsize=7, padding=1)
    ax.set_xticks(range(len(groups)), [_short(g) for g in groups])
    task = str(summary.run.get("task", "lampqa"))
    ax.set_ylabel("aspect score" if task == "lampqa" else f"score ({summary.judge})")
    top = max((v for s in summary.systems for v in s.scores.values()), default=1.0)
    ax.set_ylim(0, min(1.05, top * 1.3 + 0.02))
    generator = "per system (see summary.md)" if summary.model == SEVERAL_GENERATORS else summary.model
    title = f"{TASK_TITLES.get(task, task)} · generator {generator}\njudge {summary.judge}"
    if summary.is_proxy:
        title += "\nPROXY judge — not comparable to published LaMP-QA numbers"
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, ncols=min(len(summary.systems), 4), loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def write_summary(summary: Summary, out_dir: Path) -> dict[str, Path]:
    """Write ``summary.md``, ``summary.json`` and ``summary.png`` (when matplotlib is available)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {"md": out_dir / "summary.md", "json": out_dir / "summary.json"}
    tmp = written["md"].with_suffix(".md.tmp")
    tmp.write_text(render_markdown(summary), encoding="utf-8")
    tmp.replace(written["md"])
    write_json_atomic(written["json"], summary.to_dict(), indent=1)
    png = plot_summary(summary, out_dir / "summary.png")
    if png is not None:
        written["png"] = png
    return written
