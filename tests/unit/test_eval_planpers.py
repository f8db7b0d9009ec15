"""PlanPers in pr2 eval: the task's planner prompt over the asker's top-k items, then the answer with the plan."""

from __future__ import annotations

import pytest

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.evaluation.systems import ANSWER_HEADER, PLAN_HEADER, PlanPers, system_names
from pr2_agent.tasks import PlanningTask, get_task
from tests.unit.test_eval_systems import EchoPolicy, SpyStore, make_record, make_store, run_all


def test_planpers_plans_from_the_askers_profile_then_answers_with_the_plan() -> None:
    records = [make_record(i) for i in range(3)]
    store = SpyStore(make_store(records))
    policy = EchoPolicy()
    out = run_all(PlanPers(policy, Context(temperature=0.0, max_new_tokens=300), store, k=2, batch_size=8), records)
    assert policy.batches == [3, 3]  # every plan in one batch, then every answer
    assert [c[0] for c in store.calls] == ["u0", "u1", "u2"]
    plans, answers = policy.requests[:3], policy.requests[3:]
    for record, plan_request, answer_request, (_, result) in zip(records, plans, answers, out, strict=True):
        hits = store.store.search(record.id, record.question, 2)
        profile = prompts.RAG_PROFILE_SEPARATOR.join(h.text for h in hits)
        assert plan_request.messages == [
            {"role": "system", "content": prompts.PLANPERS_PLANNER_SYSTEM_PROMPT},
            {"role": "user", "content": prompts.RAG_USER_TEMPLATE.format(profile=profile, question=record.question)},
        ]
        assert plan_request.max_new_tokens == PlanPers.PLAN_TOKENS and answer_request.max_new_tokens == 300
        # The echo policy's plan is a JSON reply naming the owner: it reaches the answer prompt verbatim.
        plan_text = f'```json\n{{"personalized_answer": "answer using {record.id}"}}\n```'
        assert answer_request.messages == [
            {"role": "system", "content": prompts.PLANPERS_SYSTEM_PROMPT},
            {
                "role": "user",
                "content": prompts.PLANPERS_USER_TEMPLATE.format(
                    profile=profile, question=record.question, aspects=plan_text
                ),
            },
        ]
        assert result.answer == f"answer using {record.id}" and result.json_parsed is True
        assert result.raw.startswith(PLAN_HEADER) and ANSWER_HEADER in result.raw
        assert result.profile_user == record.id and result.retrieved_ids == [h.id for h in hits]


def test_planpers_is_a_system_and_the_lampqa_task_owns_its_prompts() -> None:
    assert system_names()[:4] == ("nopers", "rag", "rag_random", "planpers")
    assert isinstance(get_task("lampqa"), PlanningTask)


def test_planpers_refuses_a_task_without_planning_prompts() -> None:
    class NoPlans:
        name = "exact"

    with pytest.raises(ValueError, match="planpers needs a task with planning prompts"):
        PlanPers(EchoPolicy(), Context(), SpyStore(None), task=NoPlans())  # type: ignore[arg-type]
