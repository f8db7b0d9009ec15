"""DemonstrationPolicy drives the real graph: protocol shape, grounded facts, varied wording."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from pr2_agent import Context, build_graph, prompts
from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry
from pr2_agent.parsing import has_think_before_answer, parse_action, render_information
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.trajectory import env_segment, model_segment
from tests.fakes import FakeHit
from trainers.demonstrations import DemonstrationPolicy, TokenizedPolicy, information_items, quote, read_evidence

PROFILE = [
    ("p0", "Vegetarian lentil recipes? I stopped eating meat, diet is plant based now."),
    ("p1", "Cheap groceries: my grocery budget is forty dollars per week."),
    ("p2", "Kitchen equipment question: my oven is broken, only a stovetop works."),
    ("p3", "Which football team has the best scores this season?"),
    ("p4", "Tomatoes in the garden have pests, what spray helps?"),
    ("p5", "Train tickets to Lisbon, when to book?"),
]
META_ASPECTS = [
    {
        "aspect": "Vegetarian meals",
        "query": "diet and meat",
        "fact": "no meat, plant based diet",
        "evidence_ids": ["p0"],
    },
    {
        "aspect": "Low budget",
        "query": "grocery budget",
        "fact": "grocery budget of forty dollars per week",
        "evidence_ids": ["p1"],
    },
    {"aspect": "No oven", "query": "kitchen oven", "fact": "oven broken, stovetop only", "evidence_ids": ["p2"]},
]


def make_record(record_id: str = "q1", *, profile=PROFILE, meta_aspects=META_ASPECTS) -> LaMPQARecord:
    """A LaMP-QA record with the development set's pr2_meta evidence plan."""
    return LaMPQARecord(
        id=record_id,
        question="What should I cook this week?",
        narrative="I am vegetarian, on a budget, and my oven is broken.",
        rubric_aspects=[Aspect(a["aspect"], "reason", "evidence") for a in meta_aspects],
        profile=[ProfileEntry(i, t) for i, t in profile],
        category="Lifestyle_and_Personal_Development",
        extra={"pr2_meta": {"domain": "cooking", "aspects": [dict(a) for a in meta_aspects]}},
    )


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@dataclass
class KeywordStore:
    """Ranks a user's items by shared words with the query (ties: profile order); no overlap, no hit."""

    profiles: dict[str, list[tuple[str, str]]]
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def search(self, user_id: str, query: str, k: int) -> list[FakeHit]:
        self.calls.append((user_id, query, k))
        scored = [
            (len(_words(query) & _words(t)), n, i, t) for n, (i, t) in enumerate(self.profiles[user_id])
        ]
        ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
        return [FakeHit(i, t, float(score)) for score, _, i, t in ranked[:k]]


def run_demo(
    record: LaMPQARecord, *, seed: int = 0, top_k: int = 3, max_searches: int = 3, probe: bool = False
):
    store = KeywordStore({record.id: [(p.id, p.text) for p in record.profile]})

    def search(query: str) -> list[str]:
        return [h.id for h in store.search(record.id, query, top_k)]

    policy = DemonstrationPolicy(
        record, seed=seed, max_searches=max_searches, probe=search if probe else None
    )
    graph = build_graph(model=policy, store=cast(Any, store))
    context = Context(user_id=record.id, top_k=top_k, max_searches=max_searches)
    return graph.invoke({"question": record.question}, context=context), policy


def model_text(out) -> str:
    return "".join(s["text"] for s in out["segments"] if s["kind"] == "model")


@pytest.mark.parametrize("seed", range(6))
def test_drives_the_graph_to_the_protocol_shape(seed):
    out, policy = run_demo(make_record(), seed=seed)
    assert out["finish"] == "answer" and out["answer"]
    kinds = [s["kind"] for s in out["segments"]]
    assert kinds == ["model", "env"] * len(out["searches"]) + ["model"]
    assert 1 <= len(out["searches"]) <= 3
    turns = [s["text"] for s in out["segments"] if s["kind"] == "model"]
    think_then = re.compile(r"^<think>[^<]+</think>\n<(search|answer)>[^<]+</\1>$")
    for turn in turns:
        assert think_then.match(turn), turn
    assert [parse_action(t).kind for t in turns] == ["search"] * (len(turns) - 1) + ["answer"]
    assert has_think_before_answer(model_text(out))
    # The env segments are the store's real results, rendered by the graph.
    assert all("<information>" in s["text"] for s in out["segments"] if s["kind"] == "env")


@pytest.mark.parametrize("seed", range(8))
def test_only_retrieved_facts_are_named(seed):
    record = make_record()
    out, _ = run_demo(record, seed=seed, top_k=1, max_searches=1)
    retrieved = set(out["retrieved_ids"])
    text = model_text(out)
    for aspect in read_evidence(record):
        named = quoted(aspect) in text
        assert named == bool(retrieved & set(aspect.item_ids)), (quoted(aspect), retrieved, text)
    # No answer may assert a fact its run did not retrieve, even when the store returned nothing useful.
    assert out["answer"]


@pytest.mark.parametrize("seed", range(6))
def test_the_answer_uses_every_retrieved_fact(seed):
    record = make_record()
    out, _ = run_demo(record, seed=seed, probe=True)
    retrieved = set(out["retrieved_ids"])
    used = {a.fact for a in read_evidence(record) if quoted(a) in out["answer"]}
    assert used == {a.fact for a in read_evidence(record) if retrieved & set(a.item_ids)}
    assert used, "with probing, at least the first search finds its evidence"
    # Every quote is copied from a result the graph inserted: the student learns to copy, not invent.
    inserted = " ".join(s["text"] for s in out["segments"] if s["kind"] == "env")
    assert all(quoted(a) in inserted for a in read_evidence(record) if a.fact in used)


def quoted(aspect) -> str:
    """The sentence of the aspect's evidence item a demonstration quotes for it."""
    return quote(dict(PROFILE)[aspect.item_ids[0]], aspect.fact)


def test_the_quote_is_the_items_sentence_that_carries_the_fact():
    assert quoted(read_evidence(make_record())[0]) == "I stopped eating meat, diet is plant based now"
    assert quote("Tips? My first open mic is in eight weeks.", "open mic in eight weeks") == (
        "My first open mic is in eight weeks"
    )


def test_no_evidence_found_gives_a_general_answer_without_facts():
    record = make_record(profile=[(i, "unrelated words only") for i, _ in PROFILE])
    out, _ = run_demo(record, seed=3)
    text = model_text(out)
    assert not any(str(a["fact"]) in text for a in META_ASPECTS)
    assert out["finish"] == "answer" and out["searches"]


def test_wording_varies_across_seeds_and_repeats_for_a_seed():
    record = make_record()
    texts = [model_text(run_demo(record, seed=s)[0]) for s in range(10)]
    first_turns = {t.split("</think>")[0] for t in texts}
    queries = {tuple(run_demo(record, seed=s)[0]["searches"]) for s in range(10)}
    assert len(first_turns) >= 4
    assert len(queries) >= 4
    assert model_text(run_demo(record, seed=4)[0]) == texts[4]


@pytest.mark.parametrize("budget", [0, 1, 2])
def test_never_exceeds_the_search_budget(budget):
    for seed in range(5):
        out, _ = run_demo(make_record(), seed=seed, max_searches=budget)
        assert out["finish"] == "answer"
        assert len(out["searches"]) <= budget


def test_probe_picks_a_phrasing_that_finds_the_evidence():
    record = make_record()
    out, policy = run_demo(record, seed=0, top_k=1, max_searches=1, probe=True)
    target = policy.order[0]
    assert set(target.item_ids) <= set(out["retrieved_ids"])


def test_forced_answer_continues_inside_the_opened_tag():
    record = make_record()
    policy = DemonstrationPolicy(record, seed=0)
    info = render_information([FakeHit("p1", PROFILE[1][1], 1.0)])
    segments = [
        model_segment("<think>x</think>\n<search>grocery budget</search>", None),
        env_segment(info, None, ["p1"]),
        model_segment("<search>again</search>", None),
        env_segment(prompts.FORCED_ANSWER_OBSERVATION, None),
    ]
    gen = policy.generate(GenerationRequest(messages=[{"role": "user", "content": "q"}], segments=segments))
    assert gen.text.endswith("</answer>") and "<answer>" not in gen.text
    assert "grocery budget is forty dollars" in gen.text and "stovetop" not in gen.text


def test_information_items_are_read_from_the_segment_not_its_text():
    # The graph records the ids it showed; the rendered text (tags neutralised, spaces folded) is never parsed.
    block = render_information([FakeHit("p9", "Has a tag </information>", 0.5), FakeHit("x", "other", 0.4)])
    seen = information_items(env_segment(block, None, ["p9", "x"]))
    assert [(s.rank, s.item_id) for s in seen] == [(1, "p9"), (2, "x")]
    assert information_items(env_segment(render_information([]), None, [])) == []
    assert information_items(env_segment(prompts.INVALID_ACTION_OBSERVATION, None)) == []


def test_missing_evidence_plan_is_a_clear_error():
    record = make_record()
    bare = LaMPQARecord(record.id, record.question, record.narrative, record.rubric_aspects, record.profile)
    with pytest.raises(ValueError, match="teacher"):
        DemonstrationPolicy(bare)
    broken = make_record(meta_aspects=[{"aspect": "a", "query": "q", "fact": "f"}])
    with pytest.raises(ValueError, match="evidence_ids"):
        read_evidence(broken)


def test_tokenized_policy_matches_local_policy(tmp_path):
    from pr2_agent.policy.local import LocalPolicy
    from tests.tiny_model import build_tiny_model

    local = LocalPolicy(build_tiny_model(tmp_path / "tiny"))
    wrapped = TokenizedPolicy(DemonstrationPolicy(make_record(), seed=0), local.tokenizer)
    request = GenerationRequest(messages=[{"role": "user", "content": "What should I cook this week?"}])
    gen = wrapped.generate(request)
    assert gen.prompt_ids == local.prompt_ids(request.messages)
    assert gen.token_ids == local.encode(gen.text)
    assert wrapped.encode("<search>food</search>") == local.encode("<search>food</search>")
