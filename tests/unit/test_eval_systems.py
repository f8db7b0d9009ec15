"""pr2 eval systems: official prompts, profile isolation of rag_random, JSON answers, the pr2 graph."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Sequence

import chromadb
import pytest

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.data.lampqa import Aspect, LaMPQARecord, ProfileEntry
from pr2_agent.evaluation.systems import (
    GraphSystem,
    NoPersonalization,
    ProfileRag,
    RandomProfileRag,
    donor_for,
)
from pr2_agent.judges.base import AspectJudgement, JudgeItem, JudgeResult
from pr2_agent.methods import get_method
from pr2_agent.policy.base import Generation, GenerationRequest
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.store import ProfileItem, open_profile_store
from pr2_agent.tasks import Example
from pr2_agent.tasks.lampqa import extract_personalized_answer, lampqa_example

CATS = ("Art_and_Entertainment", "Lifestyle_and_Personal_Development", "Society_and_Culture")


# ------------------------------------------------------------------------------------- shared fakes
GREEDY = Context(temperature=0.0)
"""The evaluation template: greedy, default budgets."""
PR2 = get_method("pr2")


def make_record(i: int, category: str | None = None, n_profile: int = 3) -> Example:
    """A small LaMP-QA example whose profile texts name their owner (``u{i}``)."""
    return lampqa_example(make_lampqa_record(i, category, n_profile))


def make_lampqa_record(i: int, category: str | None = None, n_profile: int = 3) -> LaMPQARecord:
    """The LaMP-QA record behind :func:`make_record`."""
    return LaMPQARecord(
        id=f"u{i}",
        question=f"How should I plan topic{i}?",
        narrative=f"I care about budget{i} and timing{i}.",
        rubric_aspects=[
            Aspect(f"budget{i}", "money matters", f"budget{i}"),
            Aspect(f"timing{i}", "busy", ""),
        ],
        profile=[ProfileEntry(f"p{j}", f"owner u{i} post {j} about topic{i}") for j in range(n_profile)],
        category=category if category is not None else CATS[i % 3],
    )


class EchoPolicy:
    """Deterministic and thread-safe: the reply depends only on the request.

    Single-turn prompts get a ```json``` answer quoting every profile owner the prompt mentions;
    the PR2 prompt gets one search, then an answer naming the owners the search returned.
    """

    name = "echo"

    def __init__(self, fail_on_call: int | None = None, json_ok: bool = True) -> None:
        self.fail_on_call = fail_on_call
        self.json_ok = json_ok
        self.calls = 0
        self.batches: list[int] = []
        self.requests: list[GenerationRequest] = []
        self._lock = threading.Lock()

    def encode(self, text: str) -> list[int] | None:
        return None

    def _reply(self, request: GenerationRequest) -> str:
        user = request.messages[-1]["content"]
        if prompts.PR2_INSTRUCTION in user:
            seen = "".join(s["text"] for s in request.segments if s["kind"] == "env")
            if not seen:
                return "<think>look</think><search>topic</search>"
            owners = sorted(set(re.findall(r"owner (u\d+)", seen)))
            return f"<think>ok</think><answer>pr2 answer using {' '.join(owners)}</answer>"
        owners = sorted(set(re.findall(r"owner (u\d+)", user)))
        body = f"answer using {' '.join(owners) or 'nothing'}"
        return f'```json\n{{"personalized_answer": "{body}"}}\n```' if self.json_ok else body

    def generate(self, request: GenerationRequest) -> Generation:
        return self.generate_batch([request])[0]

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        with self._lock:
            self.calls += 1
            if self.fail_on_call is not None and self.calls >= self.fail_on_call:
                raise RuntimeError(f"simulated crash on call {self.calls}")
            self.batches.append(len(requests))
            self.requests.extend(requests)
        out = []
        for r in requests:
            text = self._reply(r)
            cut = [text.find(s) + len(s) for s in r.stop if s in text]
            out.append(Generation(text[: min(cut)] if cut else text, None, None, "stop" if cut else "eos"))
        return out


class FakeJudge:
    """Aspect scored 2 when its title appears in the response, else 0."""

    name = "fake-judge"
    is_proxy = True

    def __init__(self) -> None:
        self.items: list[JudgeItem] = []

    def judge(self, question, narrative, aspects, response) -> JudgeResult:
        return self.judge_batch([JudgeItem(question, narrative, aspects, response)])[0]

    def judge_batch(self, items):
        self.items.extend(items)
        return [
            JudgeResult.from_judgements(
                [AspectJudgement(a.aspect, 2 if a.aspect in it.response else 0, None) for a in it.aspects],
                judge=self.name,
                is_proxy=self.is_proxy,
            )
            for it in items
        ]


class SpyStore:
    """Wraps a real store and records every (user, query, k) searched."""

    def __init__(self, store) -> None:
        self.store = store
        self.calls: list[tuple[str, str, int]] = []

    def search(self, user_id, query, k):
        self.calls.append((user_id, query, k))
        return self.store.search(user_id, query, k)


def make_store(records: Sequence[Example]):
    """An in-memory store (its own collection) holding each record's profile under the record id."""
    store = open_profile_store(client=chromadb.EphemeralClient(), collection=f"t{uuid.uuid4().hex}", embedding="hash")
    for r in records:
        store.upsert(r.id, [ProfileItem(p.id, p.text) for p in r.profile])
    return store


def run_all(system, records):
    return [pair for group in system.run(records) for pair in group]


# ------------------------------------------------------------------------------------------- tests
def test_nopers_sends_the_official_prompt_in_batches():
    records = [make_record(i) for i in range(5)]
    policy = EchoPolicy()
    out = run_all(NoPersonalization(policy, Context(temperature=0.0, max_new_tokens=64), 2), records)
    assert policy.batches == [2, 2, 1]
    assert [r.id for r, _ in out] == [r.id for r in records]
    req = policy.requests[0]
    assert req.messages == [
        {"role": "system", "content": prompts.NOPERS_SYSTEM_PROMPT},
        {"role": "user", "content": prompts.NOPERS_USER_TEMPLATE.format(question=records[0].question)},
    ]
    assert req.segments == [] and req.max_new_tokens == 64 and req.temperature == 0.0
    answer = out[0][1]
    assert answer.answer == "answer using nothing" and answer.json_parsed is True
    assert answer.profile_user is None and answer.retrieved_ids == []


def test_rag_sends_the_official_prompt_with_the_askers_top_k_items():
    records = [make_record(i) for i in range(3)]
    store = SpyStore(make_store(records))
    policy = EchoPolicy()
    out = run_all(ProfileRag(policy, GREEDY, store, k=2, batch_size=8), records)
    assert [c[0] for c in store.calls] == ["u0", "u1", "u2"]
    assert all(query == r.question and k == 2 for (_, query, k), r in zip(store.calls, records, strict=True))
    for (record, answer), request in zip(out, policy.requests, strict=True):
        hits = store.store.search(record.id, record.question, 2)
        expected_user = prompts.RAG_USER_TEMPLATE.format(
            profile=prompts.RAG_PROFILE_SEPARATOR.join(h.text for h in hits), question=record.question
        )
        assert request.messages == [
            {"role": "system", "content": prompts.RAG_SYSTEM_PROMPT},
            {"role": "user", "content": expected_user},
        ]
        assert answer.retrieved_ids == [h.id for h in hits] and len(hits) == 2
        assert answer.profile_user == record.id and answer.searches == [record.question]
        assert answer.answer == f"answer using {record.id}"


def test_rag_k_must_be_positive():
    with pytest.raises(ValueError, match="rag k must be >= 1"):
        ProfileRag(EchoPolicy(), GREEDY, SpyStore(None), k=0)


def test_rag_random_never_reads_the_askers_profile():
    records = [make_record(i) for i in range(12)]
    store = SpyStore(make_store(records))
    policy = EchoPolicy()
    pool = [r.id for r in records]
    out = run_all(RandomProfileRag(policy, GREEDY, store, k=10, pool=pool, seed=7, batch_size=5), records)
    assert len(out) == 12
    for (record, answer), request, (user, _, _) in zip(out, policy.requests, store.calls, strict=True):
        assert user != record.id and answer.profile_user == user
        prompt = request.messages[-1]["content"]
        assert f"owner {record.id} " not in prompt  # none of the asker's items
        assert f"owner {user} " in prompt  # the donor's items instead
        assert answer.answer == f"answer using {user}"
    # Deterministic per question, and not one fixed donor for everybody.
    again = [donor_for(r.id, list(reversed(pool)), 7) for r in records]
    assert again == [c[0] for c in store.calls]
    assert len({c[0] for c in store.calls}) > 1


def test_donor_needs_another_user():
    assert donor_for("a", ["a", "b"], seed=0) == "b"
    with pytest.raises(ValueError, match="needs another user's profile"):
        donor_for("a", ["a"], seed=0)


@pytest.mark.parametrize(
    ("text", "answer", "parsed"),
    [
        ('```json\n{"personalized_answer": " Use oat milk. "}\n```', "Use oat milk.", True),
        ('Sure!\n```json\n{"personalized_answer": "A"}\n```\nHope it helps', "A", True),
        ('```\n{"personalized_answer": "B"}\n```', "B", True),
        ('{"personalized_answer": "C"}', "C", True),
        ('```json\n{"other": 1}\n```\n```json\n{"personalized_answer": "D"}\n```', "D", True),
        ('```json\n{"personalized_answer": "cut off', '```json\n{"personalized_answer": "cut off', False),
        (
            '```json\n{"personalized_answer": ["x"]}\n```',
            '```json\n{"personalized_answer": ["x"]}\n```',
            False,
        ),
        ("  plain words  ", "plain words", False),
        ("", "", False),
    ],
)
def test_extract_personalized_answer(text, answer, parsed):
    assert extract_personalized_answer(text) == (answer, parsed)


def test_unparseable_reply_falls_back_to_raw_text():
    policy = EchoPolicy(json_ok=False)
    ((_, answer),) = run_all(NoPersonalization(policy, GREEDY), [make_record(0)])
    assert answer.answer == "answer using nothing" and answer.json_parsed is False
    assert answer.raw == "answer using nothing"


def test_pr2_runs_the_graph_per_user_concurrently():
    records = [make_record(i) for i in range(6)]
    store = SpyStore(make_store(records))
    policy = EchoPolicy()
    context = Context(top_k=2, max_searches=2, temperature=0.0)
    system = GraphSystem(PR2, policy, store, context, batch_size=4)
    out = dict((r.id, a) for r, a in run_all(system, records))
    # Two model turns per question, batched four at a time: far fewer backend calls than turns.
    assert sum(policy.batches) == 12 and max(policy.batches) == 4 and len(policy.batches) < 12
    assert set(out) == {r.id for r in records}
    assert sorted(c[0] for c in store.calls) == sorted(r.id for r in records)
    for rid, answer in out.items():
        assert answer.answer == f"pr2 answer using {rid}"
        assert answer.searches == ["topic"] and len(answer.retrieved_ids) == 2
        assert answer.finish == "answer" and answer.profile_user == rid and answer.json_parsed is None
        assert "<search>topic</search>" in answer.raw and answer.seconds >= 0


def test_pr2_error_stops_the_run():
    records = [make_record(i) for i in range(3)]
    system = GraphSystem(PR2, ScriptedPolicy([]), make_store(records), Context(), batch_size=2)
    with pytest.raises(RuntimeError, match="ran out of turns"):
        run_all(system, records)


def test_pr2_a_slow_search_does_not_split_the_batch():
    """On a loaded CPU one worker's retrieval can take over a second; the others wait for it."""
    import time

    class SlowStore(SpyStore):
        def search(self, user_id, query, k):
            time.sleep(1.2 if user_id == "u1" else 0.0)
            return super().search(user_id, query, k)

    records = [make_record(i) for i in range(4)]
    system = GraphSystem(PR2, EchoPolicy(), SlowStore(make_store(records)), Context(top_k=2), batch_size=4)
    run_all(system, records)
    assert system.batching.batch_sizes == [4, 4]
