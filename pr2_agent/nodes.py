"""The graph's nodes and router: reason, retrieve, correct, force_answer; route_after_reason.

Each node reads the state and the run's Context and returns a partial update; none mutates state.
The loop always terminates: searches are capped by ``max_searches``, an invalid action gets at most
one corrective observation, and ``force_answer`` is a final step that cannot search again. The router
also respects the run's ``recursion_limit`` (LangGraph's ``remaining_steps``): it only starts another
round when that round and a forced answer after it still fit, so a small limit ends in a forced answer,
never in ``GraphRecursionError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.config import get_config
from langgraph.runtime import Runtime

from pr2_agent import prompts
from pr2_agent.context import Context, context_from
from pr2_agent.parsing import forced_answer_text, parse_action, render_information, render_user_prompt
from pr2_agent.policy.base import Generation, GenerationRequest, Policy
from pr2_agent.resources import policy_for, search_profile, store_for
from pr2_agent.state import GraphState, Retrieval
from pr2_agent.trajectory import env_segment, model_segment

if TYPE_CHECKING:
    from langgraph.store.base import BaseStore

    from pr2_agent.store import ProfileStore

MAX_CORRECTIONS = 1
ROUND_STEPS = 3
"""Steps another round needs before the run can still end: retrieve (or correct), reason, force_answer."""

Route = Literal["retrieve", "correct", "force_answer", "__end__"]


def run_context(runtime: Runtime[Any]) -> Context:
    """This run's pr2 settings, from the app's context (any shape) and ``config["configurable"]``."""
    return context_from(runtime.context, get_config().get("configurable"))


def route_after_reason(state: GraphState, runtime: Runtime[Any]) -> Route:
    """Pick the next step from the action the model just took."""
    pending = state.get("pending")
    if pending is None:
        raise ValueError("route_after_reason ran before any model turn: the graph wiring is broken.")
    kind = pending["kind"]
    if kind == "answer":
        return "__end__"
    # remaining_steps counts this step too; a round must leave one step for force_answer.
    room = state.get("remaining_steps", ROUND_STEPS + 1) > ROUND_STEPS
    if kind == "search":
        within_budget = len(state.get("searches", [])) < run_context(runtime).max_searches
        return "retrieve" if within_budget and room else "force_answer"
    return "correct" if state.get("num_corrections", 0) < MAX_CORRECTIONS and room else "force_answer"


class Nodes:
    """Node functions bound to optional in-process resources (a policy, a store) from ``build_graph``."""

    def __init__(
        self,
        policy: Policy | None = None,
        store: ProfileStore | None = None,
        langgraph_store: BaseStore | None = None,
    ) -> None:
        """Keep explicit resources; anything left None is resolved from the run's Context and runtime."""
        self._policy = policy
        self._store = store
        self._langgraph_store = langgraph_store

    def _profiles(self, context: Context, runtime: Runtime[Any]) -> Any:
        """The profile source of this run (the order is documented on ``build_graph``)."""
        if self._store is not None:
            return self._store
        # Imported here: it loads the store package (Chroma), which a graph on a passed store never needs.
        from pr2_agent.memory import LangGraphProfiles

        given = self._langgraph_store or runtime.store
        if context.profile_source == "langgraph":
            if given is None:
                raise ValueError(
                    "Context.profile_source is 'langgraph' but the run has no LangGraph store: pass "
                    "build_graph(langgraph_store=...) or compile the parent graph with store=..."
                )
            return LangGraphProfiles(given)
        if context.profile_source == "auto" and given is not None:
            profiles = LangGraphProfiles(given)
            if self._langgraph_store is not None or profiles.has_user(context.require_user()):
                return profiles
        return store_for(context, None)

    def _request(self, state: GraphState, context: Context, stop: tuple[str, ...]) -> GenerationRequest:
        question = state.get("question", "")
        return GenerationRequest(
            messages=[{"role": "user", "content": render_user_prompt(question)}],
            segments=list(state.get("segments", [])),
            stop=stop,
            max_new_tokens=context.max_new_tokens,
            temperature=float(context.temperature),
            top_p=float(context.top_p),
        )

    def _generate(self, state: GraphState, context: Context, stop: tuple[str, ...]) -> Generation:
        return policy_for(context, self._policy).generate(self._request(state, context, stop))

    def reason(self, state: GraphState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Let the model think and act once: it stops after a search or an answer."""
        context = run_context(runtime)
        if context.personalized:
            context.require_user()
        update: dict[str, Any] = {}
        if not state.get("segments"):
            question = question_of(state)
            if question != state.get("question"):
                update["question"] = question
            state = {**state, "question": question}
        gen = self._generate(state, context, prompts.STOP_STRINGS)
        action = parse_action(gen.text)
        update["segments"] = [model_segment(gen.text, gen.token_ids, gen.finish_reason, gen.logprobs)]
        update["pending"] = {"kind": action.kind, "payload": action.payload}
        if not state.get("segments"):
            update["prompt_ids"] = gen.prompt_ids
        if action.kind == "answer":
            update.update(_final(action.payload, "answer"))
        return update

    def retrieve(self, state: GraphState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Search this user's profile with the model's query and insert the ``<information>`` block."""
        context = run_context(runtime)
        query = state["pending"]["payload"]
        hits = []
        if context.personalized:
            hits = search_profile(self._profiles(context, runtime), context.require_user(), query, context)
        text = render_information(hits, personalized=context.personalized)
        retrieval: Retrieval = {
            "query": query,
            "item_ids": [h.id for h in hits],
            "scores": [float(h.score) for h in hits],
        }
        policy = policy_for(context, self._policy)
        return {
            "segments": [env_segment(text, policy.encode(text), retrieval["item_ids"])],
            "searches": [query],
            "retrieved_ids": retrieval["item_ids"],
            "retrievals": [retrieval],
        }

    def correct(self, state: GraphState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Insert Search-R1's corrective observation after an invalid action (once per run)."""
        text = prompts.INVALID_ACTION_OBSERVATION
        policy = policy_for(run_context(runtime), self._policy)
        return {
            "segments": [env_segment(text, policy.encode(text))],
            "num_corrections": state.get("num_corrections", 0) + 1,
        }

    def force_answer(self, state: GraphState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Open ``<answer>`` for the model and take whatever it writes as the final answer."""
        context = run_context(runtime)
        policy = policy_for(context, self._policy)
        nudge = env_segment(prompts.FORCED_ANSWER_OBSERVATION, policy.encode(prompts.FORCED_ANSWER_OBSERVATION))
        forced_state: GraphState = {**state, "segments": [*state.get("segments", []), nudge]}
        gen = self._generate(forced_state, context, (prompts.close_tag(prompts.ANSWER_TAG),))
        update: dict[str, Any] = {
            "segments": [nudge, model_segment(gen.text, gen.token_ids, gen.finish_reason, gen.logprobs)],
            **_final(forced_answer_text(gen.text), "forced"),
        }
        if not state.get("segments"):
            update["prompt_ids"] = gen.prompt_ids
        return update


def question_of(state: GraphState) -> str:
    """The question of this run: the last message when it is the user's (a chat turn), else ``question``.

    A chat turn wins over a ``question`` left in a checkpointed thread by an earlier turn: after each
    answer the last message is the AI's, so a trailing human message is always the newest request.
    """
    messages = state.get("messages") or []
    if messages and isinstance(messages[-1], HumanMessage):
        text = messages[-1].text
        if not text.strip():
            raise ValueError("The last human message is empty: send the user's question as its text.")
        return text
    question = state.get("question", "")
    if not isinstance(question, str) or not question.strip():
        raise ValueError(
            "The input has no question: invoke the graph with {'question': '<what the user asks>'} or with "
            "{'messages': [...]} ending with the user's message."
        )
    return question


def _final(answer: str, finish: str) -> dict[str, Any]:
    return {"answer": answer, "finish": finish, "messages": [AIMessage(content=answer, name="pr2")]}
