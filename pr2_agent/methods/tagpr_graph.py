"""The TagPR graph: recall the user's history -> reason in tagged steps -> answer.

```
question ─► recall (top-k of this user's profile, the question as query) ─► reason ──<answer>──► done
                                                                              └── no answer ──► force_answer ──► done
```

``reason`` writes one tagged chain (:mod:`pr2_agent.tags`) over the recalled items and the final
output in ``<answer>``; the graph parses the chain into ``steps`` and reports what breaks the
schema in ``chain_problems``, so Studio and ``pr2 ask`` show each step under its tag. The recalled
items are part of the user turn (TagPR reasons over retrieved history, it does not search on its own),
so a trajectory is prompt + one model turn (+ the forced answer when the model never answered).
The nodes reuse PR2's profile resolution and forced answer (:class:`pr2_agent.nodes.Nodes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from typing_extensions import TypedDict

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.graph import checked_profile_sources
from pr2_agent.nodes import Nodes, question_of, run_context
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.resources import as_policy, search_profile
from pr2_agent.state import GraphState, InputState, OutputState, Retrieval
from pr2_agent.tags import check_chain, render_tagpr_prompt
from pr2_agent.trajectory import model_segment

if TYPE_CHECKING:
    from langgraph.types import Checkpointer

    from pr2_agent.store import ProfileStore


class TaggedStep(TypedDict):
    """One step of the chain, as the graph reports it."""

    tag: str
    text: str


class TagPRState(GraphState, total=False):
    """PR2's state plus the recalled history and the parsed chain."""

    history: list[str]
    """The recalled profile texts, best first, as the user turn shows them (numbered from 1)."""
    steps: list[TaggedStep]
    """The chain's steps in order (tags as written, known to the schema or not)."""
    chain_problems: list[str]
    """What breaks the tag schema; empty for a valid chain."""


class TagPROutput(OutputState, total=False):
    """What a caller reads back: PR2's output plus the tagged steps and their validity."""

    history: list[str]
    steps: list[TaggedStep]
    chain_problems: list[str]


Route = Literal["force_answer", "__end__"]


def route_after_reason(state: TagPRState) -> Route:
    """End on the model's own answer; otherwise open ``<answer>`` for it."""
    return "__end__" if state.get("finish") == "answer" else "force_answer"


class TagPRNodes(Nodes):
    """TagPR's nodes: ``recall``, ``write_chain`` (node ``reason``); ``force_answer`` and profiles as PR2's."""

    def _request(self, state: GraphState, context: Context, stop: tuple[str, ...]) -> GenerationRequest:
        history = cast("list[str]", state.get("history", [])) if context.personalized else None
        content = render_tagpr_prompt(state.get("question", ""), history)
        if not context.personalized:
            content = content.replace(prompts.TAGPR_EMPTY_HISTORY_TEXT, prompts.NO_PROFILE_ACCESS_TEXT)
        return GenerationRequest(
            messages=[{"role": "user", "content": content}],
            segments=list(state.get("segments", [])),
            stop=stop,
            max_new_tokens=context.max_new_tokens,
            temperature=float(context.temperature),
            top_p=float(context.top_p),
        )

    def recall(self, state: TagPRState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Fetch the ``top_k`` profile items closest to the question (none without profile access)."""
        context = run_context(runtime)
        question = question_of(state)
        hits: list[Any] = []
        if context.personalized:
            hits = search_profile(self._profiles(context, runtime), context.require_user(), question, context)
        retrieval: Retrieval = {
            "query": question,
            "item_ids": [h.id for h in hits],
            "scores": [float(h.score) for h in hits],
        }
        return {
            "question": question,
            "history": [h.text for h in hits],
            "searches": [question],
            "retrieved_ids": retrieval["item_ids"],
            "retrievals": [retrieval],
        }

    def write_chain(self, state: TagPRState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Write the tagged chain and the answer in one turn; parse and check the chain."""
        context = run_context(runtime)
        gen = self._generate(state, context, (prompts.close_tag(prompts.ANSWER_TAG),))
        check = check_chain(gen.text)
        update: dict[str, Any] = {
            "segments": [model_segment(gen.text, gen.token_ids, gen.finish_reason, gen.logprobs)],
            "prompt_ids": gen.prompt_ids,
            "steps": [{"tag": s.tag, "text": s.text} for s in check.steps],
            "chain_problems": list(check.problems),
            "pending": {"kind": "answer" if check.answer else "invalid", "payload": check.answer or ""},
        }
        if check.answer:
            update.update(
                answer=check.answer, finish="answer", messages=[AIMessage(content=check.answer, name="tagpr")]
            )
        return update


def build_tagpr_graph(
    *,
    model: Any | None = None,
    profile_store: ProfileStore | None = None,
    langgraph_store: BaseStore | None = None,
    checkpointer: Checkpointer = None,
    name: str = "tagpr",
    store: ProfileStore | None = None,
) -> CompiledStateGraph[TagPRState, Context, InputState, TagPROutput]:
    """Build the TagPR graph; arguments and profile resolution as :func:`pr2_agent.graph.build_graph`."""
    profiles = checked_profile_sources(profile_store, store, langgraph_store)
    nodes = TagPRNodes(
        policy=None if model is None else as_policy(model), store=profiles, langgraph_store=langgraph_store
    )
    builder = StateGraph(TagPRState, context_schema=Context, input_schema=InputState, output_schema=TagPROutput)
    builder.add_node("recall", nodes.recall)
    builder.add_node("reason", nodes.write_chain)
    builder.add_node("force_answer", nodes.force_answer)
    builder.add_edge(START, "recall")
    builder.add_edge("recall", "reason")
    builder.add_conditional_edges("reason", route_after_reason, ["force_answer", END])
    builder.add_edge("force_answer", END)
    return builder.compile(checkpointer=checkpointer, name=name)
