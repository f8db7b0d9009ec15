"""The PrLM graph: retrieve k profile items with the input as the query, then think and answer once.

PrLM (Zhang et al., 2025) is personalized RAG with explicit reasoning: the top-k items of the user's
profile (the input is the query, k = ``Context.top_k``, dense or BM25 as ``Context.retriever`` says)
go into the user turn, and the policy writes ``<think>…</think><answer>…</answer>`` under PrLM's
system prompt in a single turn::

    question ─► retrieve (this user's profile, k items) ─► reason (<think>…</think><answer>…</answer>) ─► done

It is a graph of the PR2 family: the same state, context, profile sources, policies and trajectory
segments, so serving, Studio, ``pr2 eval`` and the GRPO rollout run it unchanged. A run with
``personalized=False`` retrieves nothing and sends the input alone (the reward model's rejected side).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from pr2_agent import prompts
from pr2_agent.context import Context
from pr2_agent.graph import checked_profile_sources
from pr2_agent.nodes import Nodes, question_of, run_context
from pr2_agent.parsing import answer_span, neutralize
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.resources import as_policy, policy_for, search_profile
from pr2_agent.state import GraphState, InputState, OutputState, Retrieval
from pr2_agent.trajectory import model_segment

if TYPE_CHECKING:
    from langgraph.types import Checkpointer

    from pr2_agent.store import ProfileStore

DEFAULT_TOP_K = 5
"""PrLM retrieves 5 profile items by default (its code: ``bge-base-en-v1.5_5``)."""

_THINK_CLOSE = prompts.close_tag(prompts.THINK_TAG)
_ANY_PROTOCOL_TAG = re.compile(rf"</?\s*(?:{'|'.join(prompts.PROTOCOL_TAGS)})\s*>", re.IGNORECASE)


class PrLMState(GraphState, total=False):
    """The PR2 graph state plus the retrieved texts the single reasoning turn is conditioned on."""

    profile_texts: list[str]
    """The retrieved items' texts, best first (empty without profile access)."""


def render_prlm_user_prompt(question: str, profile_texts: Sequence[str] | None) -> str:
    """PrLM's user turn: the retrieved items, one per line, then the input; the input alone without any.

    Outside text is neutralised, so neither a profile item nor the input can open a protocol tag.

    Example:
        >>> print(render_prlm_user_prompt("Paraphrase: hi", ['"hey there"']))
        The historical profiles are as follows:
        "hey there"
        Based on the historical profiles provided, reply to the user's input without explanation, and use only English.
        Paraphrase: hi
        >>> render_prlm_user_prompt("Paraphrase: hi", None)
        'Paraphrase: hi'
    """
    question = neutralize(question)
    if not profile_texts:
        return prompts.PRLM_NO_PROFILE_TEMPLATE.format(question=question)
    profiles = "\n".join(prompts.PRLM_PROFILE_ITEM_TEMPLATE.format(text=neutralize(t)) for t in profile_texts)
    return prompts.PRLM_USER_TEMPLATE.format(profiles=profiles, question=question)


def prlm_messages(question: str, profile_texts: Sequence[str] | None) -> list[dict[str, str]]:
    """The whole prompt of a PrLM turn: PrLM's system prompt and its user turn."""
    return [
        {"role": "system", "content": prompts.PRLM_SYSTEM_PROMPT},
        {"role": "user", "content": render_prlm_user_prompt(question, profile_texts)},
    ]


def prlm_answer(text: str) -> tuple[str, bool]:
    """The answer of a PrLM turn, and whether the model wrote it in the asked-for ``<answer>`` span.

    PrLM reads the output after ``</think>``. In order: the ``<answer>`` span (closed or cut off); the
    text after the last ``</think>``; the whole text when the model used no tag at all (an untrained
    model often just answers). A turn that opened ``<think>`` and never closed it has no answer.

    Example:
        >>> prlm_answer("<think>short, like the past tweets</think>\\n<answer>\\nNew job!\\n</answer>")
        ('New job!', True)
        >>> prlm_answer("<think>hm</think> New job!"), prlm_answer("New job!"), prlm_answer("<think>hm")
        (('New job!', False), ('New job!', False), ('', False))
    """
    span = answer_span(text)
    if span is not None:
        return span[0], True
    at = text.rfind(_THINK_CLOSE)
    if at >= 0:
        return _ANY_PROTOCOL_TAG.sub("", text[at + len(_THINK_CLOSE) :]).strip(), False
    if _ANY_PROTOCOL_TAG.search(text):
        return "", False
    return text.strip(), False


class PrLMNodes(Nodes):
    """PrLM's two nodes, on the same resources (policy, profile sources) as the PR2 nodes.

    They carry their own names: they take :class:`PrLMState`, so they do not override PR2's nodes.
    """

    # Nodes annotate their state as PrLMState: LangGraph gives a node only the keys of the schema it names.
    def retrieve_once(self, state: PrLMState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Search this user's profile once, with the input itself as the query (nothing without access)."""
        context = run_context(runtime)
        question = question_of(state)
        update: dict[str, Any] = {"question": question, "profile_texts": []}
        if not context.personalized:
            return update
        hits = search_profile(self._profiles(context, runtime), context.require_user(), question, context)
        retrieval: Retrieval = {
            "query": question,
            "item_ids": [h.id for h in hits],
            "scores": [float(h.score) for h in hits],
        }
        update.update(
            profile_texts=[h.text for h in hits],
            searches=[question],
            retrieved_ids=retrieval["item_ids"],
            retrievals=[retrieval],
        )
        return update

    def think_and_answer(self, state: PrLMState, runtime: Runtime[Any]) -> dict[str, Any]:
        """Think and answer in one turn under PrLM's system prompt; stop at ``</answer>``."""
        context = run_context(runtime)
        profile_texts = list(state.get("profile_texts", []))
        request = GenerationRequest(
            messages=prlm_messages(state.get("question", ""), profile_texts),
            stop=(prompts.close_tag(prompts.ANSWER_TAG),),
            max_new_tokens=context.max_new_tokens,
            temperature=float(context.temperature),
            top_p=float(context.top_p),
        )
        gen = policy_for(context, self._policy).generate(request)
        answer, formatted = prlm_answer(gen.text)
        return {
            "segments": [model_segment(gen.text, gen.token_ids, gen.finish_reason, gen.logprobs)],
            "prompt_ids": gen.prompt_ids,
            "answer": answer,
            # "forced" = the answer had to be recovered from a turn without an <answer> span.
            "finish": "answer" if formatted else "forced",
            "messages": [AIMessage(content=answer, name="prlm")],
        }


def build_prlm_graph(
    *,
    model: Any | None = None,
    profile_store: ProfileStore | None = None,
    langgraph_store: BaseStore | None = None,
    checkpointer: Checkpointer = None,
    name: str = "prlm",
    store: ProfileStore | None = None,
) -> CompiledStateGraph[PrLMState, Context, InputState, OutputState]:
    """Build the PrLM graph (the arguments and profile sources are those of :func:`pr2_agent.build_graph`).

    ``Context.top_k`` is k (PrLM: :data:`DEFAULT_TOP_K`), ``Context.retriever`` dense or BM25, and
    ``Context.max_new_tokens`` the budget of the one reasoning turn; ``max_searches`` is not used.
    """
    profiles = checked_profile_sources(profile_store, store, langgraph_store)
    nodes = PrLMNodes(
        policy=None if model is None else as_policy(model), store=profiles, langgraph_store=langgraph_store
    )
    builder = StateGraph(PrLMState, context_schema=Context, input_schema=InputState, output_schema=OutputState)
    builder.add_node("retrieve", nodes.retrieve_once)
    builder.add_node("reason", nodes.think_and_answer)
    builder.add_edge(START, "retrieve")
    builder.add_edge("retrieve", "reason")
    builder.add_edge("reason", END)
    return builder.compile(checkpointer=checkpointer, name=name)
