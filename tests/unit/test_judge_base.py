"""Judge result types, rubric normalisation, the LaMP-QA score formula, the shared judge bases and answer spans."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from pr2_agent import prompts
from pr2_agent.judges import (
    AspectJudgement,
    EmbeddingProxyJudge,
    Judge,
    JudgeItem,
    JudgeResult,
    LaMPQAJudge,
    ProxyJudge,
    RubricAspect,
    coerce_aspects,
)
from pr2_agent.parsing import answer_text

ASPECT = {"aspect": "Budget", "reason": "Money is tight.", "evidence": "around 700 euros at most"}


@dataclass(frozen=True)
class LoaderAspect:
    """Stands in for pr2_agent.data's Aspect: same attribute names, different class."""

    aspect: str
    reason: str
    evidence: str


def test_aspects_are_read_from_dicts_and_from_objects_alike():
    from_dict = RubricAspect.coerce(ASPECT)
    from_obj = RubricAspect.coerce(LoaderAspect(**ASPECT))
    assert from_dict == from_obj == RubricAspect("Budget", "Money is tight.", "around 700 euros at most")


def test_a_missing_aspect_field_names_the_field_and_the_position():
    with pytest.raises(ValueError, match=r"aspects\[1\] has no 'evidence' field"):
        coerce_aspects([ASPECT, {"aspect": "a", "reason": "r"}])


def test_a_non_string_aspect_field_is_rejected():
    with pytest.raises(ValueError, match=r"aspects\[0\]\.reason must be a string, got int"):
        coerce_aspects([{**ASPECT, "reason": 3}])


@pytest.mark.parametrize("bad", [[], "Budget", ASPECT])
def test_an_empty_or_non_list_rubric_is_rejected(bad):
    with pytest.raises(ValueError, match="aspects"):
        coerce_aspects(bad)


def test_a_blank_aspect_title_is_rejected():
    with pytest.raises(ValueError, match="aspect is empty"):
        coerce_aspects([{**ASPECT, "aspect": "  "}])


def test_judge_item_from_a_lampqa_record_and_from_pr2_field_names():
    record = {"id": "q1", "question": "Q?", "narrative": "N", "rubric_aspects": [ASPECT], "profile": []}
    item = JudgeItem.from_record(record, "R")
    assert (item.question, item.narrative, item.response) == ("Q?", "N", "R")
    assert item.aspects == (RubricAspect(**ASPECT),)
    pr2_style = JudgeItem.from_record({"question": "Q?", "details": "N", "aspects": [ASPECT]}, "R")
    assert pr2_style == item


def test_judge_item_reports_a_missing_record_field():
    with pytest.raises(ValueError, match="'rubric_aspects' or 'aspects'"):
        JudgeItem.from_record({"question": "Q?", "narrative": "N"}, "R")


def test_judge_item_rejects_a_non_string_response():
    with pytest.raises(ValueError, match="response must be a string"):
        JudgeItem("Q?", "N", [ASPECT], None)  # type: ignore[arg-type]


def test_score_is_sum_over_twice_the_number_of_aspects():
    verdicts = [AspectJudgement("a", 2, None), AspectJudgement("b", 1, None), AspectJudgement("c", 0, None)]
    result = JudgeResult.from_judgements(verdicts, judge="x")
    assert result.score == pytest.approx(3 / 6)
    assert [s.aspect for s in result.scores] == ["a", "b", "c"]
    assert JudgeResult.from_judgements([AspectJudgement("a", 2, None)]).score == 1.0
    assert JudgeResult.from_judgements([AspectJudgement("a", 0.5, None)]).score == pytest.approx(0.25)


@pytest.mark.parametrize("bad", [-1, 2.5, 3])
def test_out_of_range_scores_cannot_be_aggregated(bad):
    with pytest.raises(ValueError, match="outside"):
        JudgeResult.from_judgements([AspectJudgement("a", bad, None)])


def test_both_judges_satisfy_the_protocol_and_label_themselves():
    protocol = LaMPQAJudge("http://127.0.0.1:9/v1", model="m")
    proxy = EmbeddingProxyJudge()
    assert isinstance(protocol, Judge) and isinstance(proxy, Judge)
    assert not protocol.is_proxy and "proxy" not in protocol.name
    assert proxy.is_proxy and "proxy" in proxy.name


class LengthProxyJudge(ProxyJudge):
    """A proxy whose signal is the answer's length / 100 (at most 1); "loads" an unpicklable resource."""

    signal_name = "length"
    signal_range = (0.0, 1.0)
    signal_plural = "lengths"
    _transient = ("_loaded",)

    def __init__(self, thresholds=(0.2, 0.5)):
        super().__init__(thresholds=thresholds, continuous=False, extract_answer=True)
        self._loaded = None

    @property
    def name(self) -> str:
        return "length-proxy"

    def signals(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        self._loaded = lambda: None  # stands in for an unpicklable loaded model
        return [
            [None if not (text := self.answer_text(it)) else min(len(text) / 100, 1.0)] * len(it.aspects)
            for it in items
        ]


def test_a_proxy_judge_thresholds_its_signal_and_labels_the_raw_value():
    judge = LengthProxyJudge()
    short, long, empty = (
        judge.judge("q", "n", [ASPECT], f"<think>{'x' * 90}</think><answer>{'y' * n}</answer>") for n in (30, 60, 0)
    )
    assert isinstance(judge, Judge) and judge.is_proxy
    assert [v.match_score for v in short.scores] == [1] and short.scores[0].raw == "length=0.3000"
    assert long.score == 1.0 and long.judge == "length-proxy" and long.is_proxy
    assert empty.score == 0 and empty.scores[0].raw == "length=n/a (empty answer)"


def test_a_proxy_judge_checks_thresholds_against_its_signal_range():
    with pytest.raises(ValueError, match="two lengths with 0 <= somewhat < well <= 1"):
        LengthProxyJudge(thresholds=(0.5, 2.0))


def test_pickling_drops_the_transient_resources_and_the_lock_comes_back():
    judge = LengthProxyJudge()
    judge.judge("q", "n", [ASPECT], "answer")
    clone = pickle.loads(pickle.dumps(judge))
    assert judge._loaded is not None and clone._loaded is None
    assert clone.thresholds == (0.2, 0.5) and not clone._lock.locked()
    assert clone.judge("q", "n", [ASPECT], "answer").scores == judge.judge("q", "n", [ASPECT], "answer").scores


OPEN, CLOSE = prompts.open_tag(prompts.ANSWER_TAG), prompts.close_tag(prompts.ANSWER_TAG)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>t</think><answer> final </answer>", "final"),
        # The first answer is final: the graph stops generating at its closing tag.
        ("<answer>draft</answer><answer>rewrite</answer>", "draft"),
        # Generation ended inside the answer: the open span runs to the end.
        ("<think>t</think><answer>cut off mid", "cut off mid"),
        ("<answer>first</answer> then <answer>unfinished", "first"),
        # The environment forced the answer by opening the tag; the model continued it.
        ("<search>x</search>" + prompts.FORCED_ANSWER_OBSERVATION + "Use the fridge.", "Use the fridge."),
        ("no tags at all\n", "no tags at all"),
        ("", ""),
        # Present but empty: an empty answer, not a fallback to the reasoning.
        ("<think>long reasoning covering everything</think><answer></answer>", ""),
        ("<think>covers it all</think><answer>", ""),
        # A nested opener is text inside the first answer (as the agent's parser reads it).
        ("<answer>outer <answer>inner</answer>", "outer <answer>inner"),
        # Stray closers before or after do not matter.
        ("</answer>junk<answer>real</answer></answer>", "real"),
        # Tags are matched exactly (as the agent's parser does): look-alikes are plain text.
        ("<Answer>shout</Answer>", "<Answer>shout</Answer>"),
        ("‹answer›neutralised‹/answer›", "‹answer›neutralised‹/answer›"),
        # The answer may itself talk about JSON or contain braces.
        (
            '<answer>{"match_score": 2} is not how you cook rice</answer>',
            '{"match_score": 2} is not how you cook rice',
        ),
    ],
)
def test_answer_text(text, expected):
    assert answer_text(text) == expected


def test_answer_text_uses_the_tag_names_from_prompts():
    assert OPEN == "<answer>" and CLOSE == "</answer>"
    assert answer_text(f"x{OPEN}y{CLOSE}z") == "y"


@pytest.mark.parametrize(
    "turn",
    [
        "<think>t</think><answer> final </answer>",
        "<answer>draft</answer><answer>rewrite</answer>",
        "<answer>outer <answer>inner</answer>",
        "<think>t</think><answer>cut off mid",
    ],
)
def test_the_graph_and_the_judges_read_the_same_answer(turn):
    from pr2_agent.parsing import parse_action

    assert parse_action(turn).payload == answer_text(turn)


def test_facts_and_contrasts_are_optional_and_checked() -> None:
    from pr2_agent.judges import RubricAspect

    plain = RubricAspect.coerce({"aspect": "A", "reason": "r", "evidence": "e"})
    assert plain.facts == () and plain.contrasts == ()
    rich = RubricAspect.coerce({"aspect": "A", "reason": "r", "evidence": "e", "facts": ["f"], "contrasts": ["c"]})
    assert rich.facts == ("f",) and rich.contrasts == ("c",)
    with pytest.raises(ValueError, match="facts must be a list of strings"):
        RubricAspect.coerce({"aspect": "A", "reason": "r", "evidence": "e", "facts": "f"})


def test_aspects_read_back_from_a_datasets_table_keep_their_optional_fields() -> None:
    """A `datasets` table fills fields one aspect lacks with None (the GRPO train set does this)."""
    from datasets import Dataset

    from pr2_agent.judges import coerce_aspects

    with_contrasts = {"aspect": "A", "reason": "r", "evidence": "e", "facts": ["f"], "contrasts": ["c"]}
    without = {"aspect": "B", "reason": "r", "evidence": "e", "facts": ["g"]}
    rows = Dataset.from_list([{"aspects": [with_contrasts]}, {"aspects": [without]}])
    assert rows[1]["aspects"][0]["contrasts"] is None
    first, second = (coerce_aspects(row["aspects"])[0] for row in rows)
    assert first.contrasts == ("c",) and second.contrasts == () and second.facts == ("g",)
