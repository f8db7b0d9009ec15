"""Options and errors shared by every ``pr2`` subcommand (ask, ingest, eval): one definition each.

Subcommand modules import from here, and ``pr2_agent.cli`` imports the subcommands, so the
imports run one way.
"""

from __future__ import annotations

import argparse
from typing import Any

from pr2_agent.context import DEFAULT_COLLECTION, DEFAULT_STORE_PATH


class UsageError(Exception):
    """A mistake in how the command was called (reported without a traceback)."""


def add_store_args(parser: argparse.ArgumentParser) -> None:
    """Options that pick the profile store."""
    g = parser.add_argument_group("profile store")
    g.add_argument("--store", default=DEFAULT_STORE_PATH, help="embedded Chroma directory (default: %(default)s)")
    g.add_argument("--chroma-url", default=None, help="a `chroma run` server URL instead of --store")
    g.add_argument("--collection", default=DEFAULT_COLLECTION, help="collection name (default: %(default)s)")
    g.add_argument("--embedding", default="minilm", help="'minilm' (default, offline) or 'hash'")
    g.add_argument("--retriever", default="dense", choices=["dense", "bm25"], help="retrieval method")


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """Options that pick the policy model and its sampling."""
    g = parser.add_argument_group("model")
    g.add_argument(
        "--model",
        default="embedded",
        help="'embedded' (the shipped trained policy, local), 'embedded-base' (untrained SmolLM2-135M), "
        "'llamacpp:embedded' (the same on llama.cpp), 'qwen2.5-coder-0.5b', a checkpoint or policy artifact "
        "directory, or a model name served at --base-url",
    )
    g.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    g.add_argument("--max-new-tokens", type=int, default=256, help="tokens per model turn")
    g.add_argument("--temperature", type=float, default=0.7)
    g.add_argument("--seed", type=int, default=None, help="seed the sampler for a reproducible run")


def open_store(args: argparse.Namespace) -> Any:
    """Open the store the arguments describe."""
    from pr2_agent.store import open_profile_store

    return open_profile_store(
        None if args.chroma_url else args.store,
        url=args.chroma_url,
        collection=args.collection,
        embedding=args.embedding,
        retriever=args.retriever,
    )
