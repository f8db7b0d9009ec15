"""Runtime configuration of one graph run: who the user is, which model, which store, what budgets.

``Context`` is LangGraph's ``context_schema``: pass it (or a plain dict) as ``graph.invoke(...,
context=...)``; Studio shows each field with its description. Validation runs on construction and
says what was wrong and how to fix it. Environment variables are read only by ``Context.from_env``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

DEFAULT_STORE_PATH = ".pr2/store"
DEFAULT_COLLECTION = "pr2_profiles"
MAX_SEARCHES_CEILING = 32
"""Largest search budget a run accepts: PR2 trains with 3; each search adds two graph steps and a prompt
that grows by its retrieved items, so thousands of searches would only exhaust the context window."""


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
    retriever: Literal["dense", "bm25"] = field(
        default="dense", metadata={"description": "'dense' (embeddings) or 'bm25' (lexical)."}
    )
    top_k: int = field(default=3, metadata={"description": "Profile items returned per search."})
    max_searches: int = field(
        default=3, metadata={"description": "Search budget; when spent the agent is forced to answer."}
    )
    max_new_tokens: int = field(default=256, metadata={"description": "Token budget of each model turn."})
    temperature: float = field(default=0.7, metadata={"description": "Sampling temperature (0 = greedy)."})
    top_p: float = field(default=0.95, metadata={"description": "Nucleus sampling mass."})

    def __post_init__(self) -> None:
        """Validate every field; the message names the field, the value and the fix."""
        checks: list[tuple[bool, str]] = [
            (isinstance(self.user_id, str), f"user_id must be a string, got {self.user_id!r}."),
            (
                isinstance(self.top_k, int) and self.top_k >= 1,
                f"top_k must be an integer >= 1, got {self.top_k!r}. It is how many profile items one search returns.",
            ),
            (
                isinstance(self.max_searches, int) and 0 <= self.max_searches <= MAX_SEARCHES_CEILING,
                f"max_searches must be an integer in [0, {MAX_SEARCHES_CEILING}], got {self.max_searches!r}. "
                "Use 0 to forbid searching; PR2 uses 3.",
            ),
            (
                isinstance(self.max_new_tokens, int) and 1 <= self.max_new_tokens <= 32768,
                f"max_new_tokens must be an integer in [1, 32768], got {self.max_new_tokens!r}.",
            ),
            (
                isinstance(self.temperature, int | float) and 0.0 <= self.temperature <= 5.0,
                f"temperature must be in [0, 5], got {self.temperature!r}. Use 0 for greedy decoding.",
            ),
            (
                isinstance(self.top_p, int | float) and 0.0 < self.top_p <= 1.0,
                f"top_p must be in (0, 1], got {self.top_p!r}.",
            ),
            (
                self.retriever in ("dense", "bm25"),
                f"retriever must be 'dense' or 'bm25', got {self.retriever!r}.",
            ),
            (
                isinstance(self.model, str) and bool(self.model.strip()),
                f"model must be a non-empty string, got {self.model!r}. Use 'embedded' for the local default.",
            ),
            (
                self.base_url is None or str(self.base_url).startswith(("http://", "https://")),
                f"base_url must start with http:// or https://, got {self.base_url!r} "
                "(for example http://127.0.0.1:8000/v1).",
            ),
            (
                self.chroma_url is None or str(self.chroma_url).startswith(("http://", "https://")),
                f"chroma_url must start with http:// or https://, got {self.chroma_url!r} "
                "(for example http://127.0.0.1:8000 after `chroma run`).",
            ),
        ]
        errors = [msg for ok, msg in checks if not ok]
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
        """Build a Context from ``PR2_<FIELD>`` environment variables, then explicit overrides."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"PR2_{f.name.upper()}")
            if raw is None:
                continue
            default = f.default
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)
