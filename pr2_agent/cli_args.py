"""Options and errors shared by every ``pr2`` subcommand (ask, ingest, eval): one definition each.

Subcommand modules import from here, and ``pr2_agent.cli`` imports the subcommands, so the
imports run one way.
"""

from __future__ import annotations

import argparse
import re
from typing import Any, NoReturn

from pr2_agent.context import DEFAULT_COLLECTION, DEFAULT_STORE_PATH, Context
from pr2_agent.suggestions import did_you_mean

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<known>.*)\)")


class UsageError(Exception):
    """A mistake in how the command was called (reported without a traceback)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors suggest the closest subcommand, choice or flag to a typo.

    Subparsers made by ``add_subparsers().add_parser`` are of this class too, so a mistyped flag is
    reported with the usage of the subcommand it was given to.
    """

    def error(self, message: str) -> NoReturn:
        """Print the usage and ``message`` plus a "did you mean" when a known name is close; exit 2."""
        match = _INVALID_CHOICE.search(message)
        if match:
            known = [name.strip().strip("'") for name in match.group("known").split(",")]
            message += did_you_mean(match.group("given"), known)
        super().error(message)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
        """Parse; an unknown flag is reported by the (sub)parser it was given to, with the closest flag."""
        parsed, extras = super().parse_known_args(args, namespace)
        flags = [e for e in extras if e.startswith("-")]
        if flags and not self._is_subparser():
            owner = self._subparser_for(parsed)
            known = [o for action in owner._actions for o in action.option_strings]
            typo = flags[0].split("=", 1)[0]
            owner.error(f"unrecognized arguments: {' '.join(extras)}.{did_you_mean(typo, known)}")
        return parsed, extras

    def _is_subparser(self) -> bool:
        return " " in self.prog  # "pr2 ask": argparse names a subparser after its parent

    def _subparser_for(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        command = getattr(parsed, "command", None)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command in action.choices:
                return action.choices[command]
        return self


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
    g.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        help="seconds one request to --base-url may take before the run stops with an error (default: %(default)s)",
    )
    g.add_argument("--max-new-tokens", type=int, default=256, help="tokens per model turn")
    g.add_argument(
        "--temperature",
        type=float,
        default=Context.temperature,
        help="sampling temperature, 0 = greedy (default: %(default)s, the Context default)",
    )
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


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, e.g. 60; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0 seconds, got {text!r}")
    return value
