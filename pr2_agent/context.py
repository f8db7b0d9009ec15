"""Runtime configuration of one graph run: who the user is, which model, which store, what budgets.

``Context`` is LangGraph's ``context_schema``: pass it (or a plain dict) as ``graph.invoke(...,
context=...)``; Studio shows each field with its description. Validation runs on construction and
says what was wrong and how to fix it. Environment variables are read only by ``Context.from_env``.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal
from urllib.parse import urlsplit

DEFAULT_STORE_PATH = ".pr2/store"
DEFAULT_COLLECTION = "pr2_profiles"
MAX_SEARCHES_CEILING = 32
"""Largest search budget a run accepts: PR2 trains with 3; each search adds two graph steps and a prompt
that grows by its retrieved items, so thousands of searches would only exhaust the context window."""
EMBEDDING_NAMES = ("minilm", "hash")
"""Names ``Context.embedding`` accepts; the same keys as ``pr2_agent.store.embedding.EMBEDDERS`` (a unit test
checks), spelled out here because importing the store would load Chroma for every Context."""
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(kw_only=True)
class Context:
    """Per-run knobs of the PR2 graph."""

    user_id: str = field(
        default="",
        metadata={"description": "Whose history to search. Required when personalized is true."},
    )
    personalized: bool = field(
        default=True,
        metadata={
            "description": "False = answer with no profile access (PR2's non-personalized rollout / the "
            "no-personalization baseline)."
        },
    )
    model: str = field(
        default="embedded",
        metadata={
            "description": "'embedded' (the shipped trained policy on SmolLM2-135M, local), 'embedded-base' "
            "(untrained), 'qwen2.5-coder-0.5b', 'llamacpp:embedded' (the same on llama.cpp), a local HF checkpoint "
            "directory, or an OpenAI-compatible model name together with base_url."
        },
    )
    base_url: str | None = field(
        default=None,
        metadata={"description": "OpenAI-compatible endpoint (vLLM, llama.cpp server, OpenAI). Key: OPENAI_API_KEY."},
    )
    store_path: str = field(
        default=DEFAULT_STORE_PATH,
        metadata={"description": "Directory of the embedded Chroma profile store (one process at a time)."},
    )
    chroma_url: str | None = field(
        default=None,
        metadata={"description": "URL of a `chroma run` server; overrides store_path (for several processes)."},
    )
    collection: str = field(default=DEFAULT_COLLECTION, metadata={"description": "Chroma collection name."})
    embedding: str = field(default="minilm", metadata={"description": "'minilm' (offline MiniLM) or 'hash'."})
    retriever: Literal["dense", "bm25"] | None = field(
        default=None,
        metadata={
            "description": "'dense' (embeddings) or 'bm25' (lexical); unset = the profile store's own default "
            "(dense for a store opened from store_path/chroma_url). Honoured by a store passed to build_graph."
        },
    )
    profile_source: Literal["auto", "langgraph", "pr2"] = field(
        default="auto",
        metadata={
            "description": "Where profiles are read: 'langgraph' = the LangGraph store of the run (namespace "
            "('pr2', 'profiles', user_id)); 'pr2' = the pr2 profile store (store_path / chroma_url); 'auto' = "
            "the LangGraph store when it holds the user's profile, else the pr2 store."
        },
    )
    top_k: int = field(default=3, metadata={"description": "Profile items returned per search."})
    max_searches: int = field(
        default=3, metadata={"description": "Search budget; when spent the agent is forced to answer."}
    )
    max_new_tokens: int = field(default=256, metadata={"description": "Token budget of each model turn."})
    # 0.3, not the usual 0.7: the shipped 135M policy ends with its own answer using two or more of the
    # user's facts in 5 of 6 sampled demo runs at 0.3 and in 1 of 6 at 0.7, while greedy keeps searching
    # until the budget forces the answer (bench/results/demo_reliability.json).
    temperature: float = field(default=0.3, metadata={"description": "Sampling temperature (0 = greedy)."})
    top_p: float = field(default=0.95, metadata={"description": "Nucleus sampling mass."})

    def __post_init__(self) -> None:
        """Validate every field; the message names the field, the value and the fix."""
        checks: list[tuple[bool, str]] = [
            (isinstance(self.user_id, str), f"user_id must be a string, got {self.user_id!r}."),
            (
                isinstance(self.personalized, bool),
                f"personalized must be true or false (a JSON boolean), got {self.personalized!r}: a string such "
                "as 'false' would otherwise read as true.",
            ),
            (
                _is_int(self.top_k) and self.top_k >= 1,
                f"top_k must be an integer >= 1, got {self.top_k!r}. It is how many profile items one search returns.",
            ),
            (
                _is_int(self.max_searches) and 0 <= self.max_searches <= MAX_SEARCHES_CEILING,
                f"max_searches must be an integer in [0, {MAX_SEARCHES_CEILING}], got {self.max_searches!r}. "
                "Use 0 to forbid searching; PR2 uses 3.",
            ),
            (
                _is_int(self.max_new_tokens) and 1 <= self.max_new_tokens <= 32768,
                f"max_new_tokens must be an integer in [1, 32768], got {self.max_new_tokens!r}.",
            ),
            (
                _is_number(self.temperature) and 0.0 <= self.temperature <= 5.0,
                f"temperature must be a number in [0, 5], got {self.temperature!r}. Use 0 for greedy decoding.",
            ),
            (
                _is_number(self.top_p) and 0.0 < self.top_p <= 1.0,
                f"top_p must be a number in (0, 1], got {self.top_p!r}.",
            ),
            (
                self.retriever in (None, "dense", "bm25"),
                f"retriever must be 'dense', 'bm25' or unset, got {self.retriever!r}.",
            ),
            (
                self.profile_source in ("auto", "langgraph", "pr2"),
                f"profile_source must be 'auto', 'langgraph' or 'pr2', got {self.profile_source!r}.",
            ),
            (
                self.embedding in EMBEDDING_NAMES,
                f"embedding must be one of {', '.join(EMBEDDING_NAMES)}, got {self.embedding!r}.",
            ),
            (
                isinstance(self.model, str) and bool(self.model.strip()),
                f"model must be a non-empty string, got {self.model!r}. Use 'embedded' for the local default.",
            ),
            (
                isinstance(self.store_path, str) and bool(self.store_path.strip()),
                f"store_path must be a non-empty directory path, got {self.store_path!r} "
                f"(an empty path would open the current directory); the default is {DEFAULT_STORE_PATH!r}.",
            ),
            (
                isinstance(self.collection, str) and bool(self.collection.strip()),
                f"collection must be a non-empty name, got {self.collection!r}; the default is {DEFAULT_COLLECTION!r}.",
            ),
            (
                self.base_url is None or _is_http_url(self.base_url),
                f"base_url must be an http:// or https:// URL with a host, got {self.base_url!r} "
                "(for example http://127.0.0.1:8000/v1).",
            ),
            (
                self.chroma_url is None or _is_http_url(self.chroma_url),
                f"chroma_url must be an http:// or https:// URL with a host, got {self.chroma_url!r} "
                "(for example http://127.0.0.1:8000 after `chroma run`).",
            ),
        ]
        errors = [msg for ok, msg in checks if not ok]
        if isinstance(self.user_id, str) and self.user_id:
            problem = user_id_problem(self.user_id)
            if problem:
                errors.append(problem)
        if errors:
            raise ValueError("Invalid pr2 Context: " + " ".join(errors))

    def require_user(self) -> str:
        """Return ``user_id``, or explain that a personalized run needs one."""
        if not self.user_id.strip():
            raise ValueError(
                "Context.user_id is empty, but this run is personalized: pass context={'user_id': ...} "
                "(the id you ingested the profile under), or set personalized=False to answer without a profile."
            )
        return self.user_id

    @classmethod
    def from_env(cls, **overrides: Any) -> Context:
        """Build a Context from ``PR2_<FIELD>`` environment variables, then explicit overrides.

        Booleans are parsed strictly (1/true/yes/on, 0/false/no/off): a typo such as ``flase`` is refused,
        never read as a value.
        """
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f"PR2_{f.name.upper()}"
            raw = os.environ.get(name)
            if raw is None:
                continue
            values[f.name] = _parse_env(name, raw, f.default)
        values.update(overrides)
        return cls(**values)


def user_id_problem(user_id: str) -> str | None:
    """Why ``user_id`` cannot name a profile, or None when it can.

    Refused: only whitespace or invisible format characters (U+200B alone looks empty and would be a
    distinct, unreachable user), control characters such as NUL (truncated or rejected by backends), and
    lone surrogates (not encodable as UTF-8, so no store can keep them).
    """
    visible = "".join(c for c in user_id if not c.isspace() and unicodedata.category(c) != "Cf")
    if not visible:
        return f"user_id {user_id!r} is blank (only spaces or invisible characters); pass the id you ingested under."
    for c in user_id:
        category = unicodedata.category(c)
        if category == "Cs":
            return f"user_id {user_id!r} contains a lone surrogate (U+{ord(c):04X}), which is not valid text."
        if category == "Cc":
            return (
                f"user_id {user_id!r} contains the control character U+{ord(c):04X}; use printable characters only."
            )
    return None


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as top_k is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _parse_env(name: str, raw: str, default: Any) -> Any:
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{name}={raw!r} is not a boolean: use one of {', '.join(_TRUE + _FALSE)}.")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                f"{name}={raw!r} is not an integer: set it to a whole number, e.g. {name}={default}."
            ) from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number: set it to e.g. {name}={default}.") from None
    return raw


CONTEXT_FIELDS = frozenset(f.name for f in fields(Context))


def context_from(run_context: object, configurable: Mapping[str, Any] | None = None) -> Context:
    """Read the run's pr2 settings from whatever context the app carries.

    The app running the graph (directly or as a subgraph) decides the context type, so this accepts:
    pr2's own ``Context`` (returned as is); a mapping; a dataclass, pydantic model or any object with
    attributes named like ``Context``'s fields (``user_id``, ``personalized``, ``top_k``...); None. A
    ``pr2`` key or attribute holding any of these is used instead, for apps whose own fields would clash.
    Values in ``config["configurable"]`` (pass it as ``configurable``) fill in what the context lacks;
    fields found nowhere take ``Context``'s defaults. Other fields of the app's context are ignored.

    Raises:
        ValueError: A value is invalid; the message names the field, the value and the fix.
    """
    nested = _read(run_context, "pr2")
    if nested is not None:
        run_context = nested
    if isinstance(run_context, Context):
        return run_context
    values = {k: v for k, v in (configurable or {}).items() if k in CONTEXT_FIELDS}
    for name in CONTEXT_FIELDS:
        value = _read(run_context, name)
        if value is not None:
            values[name] = value
    return Context(**values)


def _read(source: object, name: str) -> Any:
    if source is None:
        return None
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)
