"""The ``pr2`` command: setup, ingest, ask (and eval, registered by the evaluation package).

Every command turns a user mistake into one line on stderr that says what was wrong and how to fix
it (exit code 2), never a traceback from inside a dependency.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pr2_agent.cli_args import Parser, UsageError, add_model_args, add_store_args, open_store
from pr2_agent.context import Context
from pr2_agent.run.environment import offline_defaults

# The embedded defaults run offline; make that the process default before any model library loads.
offline_defaults()

log = logging.getLogger("pr2")

Command = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------------------------------------
def cmd_setup(args: argparse.Namespace) -> int:
    """Fetch, verify and convert the embedded model(s) once; verify and merge the shipped policy."""
    from pr2_agent.policy_artifact import PolicyArtifact, ensure_policy, shipped_policy_dir
    from pr2_agent.store.embedding import make_embedder
    from pr2_agent.weights import ensure_model

    for name in args.models:
        start = time.perf_counter()
        path = ensure_model(name)
        print(f"model {name}: {path} ({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    PolicyArtifact.load(shipped_policy_dir()).verify()  # every time: the merged cache never re-reads it
    path = ensure_policy()
    print(f"policy embedded (trained, checksum verified): {path} ({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    make_embedder("minilm").embed_query("warm up")
    print(f"embedding model minilm: ready ({time.perf_counter() - start:.1f} s)")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest one user's profile file, or every record's profile of a LaMP-QA or LaMP file."""
    from pr2_agent.store import ProfileItem, load_profile_items

    batches: list[tuple[str, list[ProfileItem]]] = []
    expected = {
        "--lampqa": (args.lampqa, "a LaMP-QA data file (e.g. Lifestyle_and_Personal_Development_test.json)"),
        "--lamp": (args.lamp, "a LaMP *_questions.json file"),
    }
    for flag, (given, kind) in expected.items():
        if given and not Path(given).is_file():
            raise UsageError(f"{flag} {given}: no such file. Pass the path of {kind}.")
    if args.lampqa:
        from pr2_agent.data.lampqa import load_lampqa

        for record in load_lampqa(args.lampqa):
            batches.append((record.id, [ProfileItem(id=p.id, text=p.text) for p in record.profile]))
    elif args.lamp:
        from pr2_agent.tasks.lamp import load_lamp_examples

        for example in load_lamp_examples(args.lamp_task, Path(args.lamp)):
            batches.append((example.user_id, [ProfileItem(id=p.id, text=p.text) for p in example.profile]))
    else:
        if not args.user or not args.file:
            raise UsageError(
                "ingest needs --user USER and a FILE (a JSON list of {id, text}), or --lampqa FILE, or --lamp FILE."
            )
        batches.append((args.user, load_profile_items(args.file)))
    store = open_store(args)
    start = time.perf_counter()
    total = 0
    show_each = len(batches) == 1
    if not show_each:
        from tqdm import tqdm

        iterator: Any = tqdm(batches, desc="users", unit="user")
    else:
        iterator = batches
    resumed = 0
    for user_id, items in iterator:
        status = store.profile_status(user_id)
        if not status.complete:
            # An interrupted ingest of this user: write only what is missing (nothing is duplicated).
            present = store.item_ids(user_id)
            items = [item for item in items if item.id not in present]
            print(f"resuming user {user_id!r}: {status.stored} items were stored, writing {len(items)} more")
            resumed += 1
        total += store.upsert(user_id, items, progress=show_each)
    elapsed = time.perf_counter() - start
    where = args.chroma_url or args.store
    note = f" ({resumed} interrupted profile(s) completed)" if resumed else ""
    print(f"ingested {total} items for {len(batches)} user(s) into {where} in {elapsed:.1f} s{note}")
    return 0


def _print_update(node: str, update: dict[str, Any], *, streamed: bool = False) -> None:
    if streamed:
        print()  # ends the line of streamed tokens
    for seg in update.get("segments", []):
        text = seg["text"].strip("\n")
        if seg["kind"] == "model":
            if not streamed:  # (a streamed turn's tokens are already on screen)
                print(f"\n[{node}] model:\n{text}")
        else:
            print(f"\n[{node}] inserted:\n{text}")
    for r in update.get("retrievals", []):
        print(f"  searched {r['query']!r} -> items {r['item_ids']}")
    if update.get("steps"):  # a tagged chain (TagPR): one readable line per step
        width = max(len(s["tag"]) for s in update["steps"])
        print(f"\n[{node}] tagged steps:")
        for n, step in enumerate(update["steps"], start=1):
            print(f"  {n}. {step['tag']:<{width}}  {' '.join(step['text'].split())}")
        problems = update.get("chain_problems") or []
        print("  chain: valid" if not problems else f"  chain: invalid ({'; '.join(problems)})")


def cmd_ask(args: argparse.Namespace) -> int:
    """Ask one question for one user and show the reasoning, searches, retrieved items and answer."""
    from pr2_agent.methods import get_method
    from pr2_agent.policy.resolve import resolve_policy

    question = " ".join(args.question).strip()
    if not question:
        raise UsageError('ask needs a question: pr2 ask --user USER "your question"')
    if not args.no_personalize and not args.user:
        raise UsageError(
            'ask needs --user USER, whose profile to search (pr2 ask --user maya "your question"), '
            "or --no-personalize to answer without a profile."
        )
    method = get_method(args.method)
    context = Context(
        user_id=args.user or "",
        personalized=not args.no_personalize,
        model=args.model,
        base_url=args.base_url,
        store_path=args.store,
        chroma_url=args.chroma_url,
        collection=args.collection,
        embedding=args.embedding,
        retriever=args.retriever,
        top_k=method.default_top_k if args.top_k is None else args.top_k,
        max_searches=args.max_searches,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
    )
    store = None
    if context.personalized:
        context.require_user()
        store = open_store(args)
        if not store.has_user(context.user_id):
            known = store.users()
            hint = f" Known users: {', '.join(known[:10])}{' ...' if len(known) > 10 else ''}." if known else ""
            raise UsageError(
                f"user {context.user_id!r} has no profile in {args.chroma_url or args.store}.{hint} "
                f"Ingest one first (pr2 ingest --user {context.user_id} FILE), or pass --no-personalize."
            )
        status = store.profile_status(context.user_id)
        if not status.complete:
            print(f"pr2 ask: warning: {status.describe()}", file=sys.stderr)
    if args.seed is not None:
        import torch

        torch.manual_seed(args.seed)
    start = time.perf_counter()
    policy = resolve_policy(context.model, base_url=context.base_url, timeout=args.timeout)
    load_s = time.perf_counter() - start
    graph = method.build_graph(model=policy, profile_store=store)
    start = time.perf_counter()
    final: dict[str, Any] = {}
    # Tokens are printed as the model writes them (stream_mode="messages"), node updates after each step.
    stream_tokens = not (args.json or args.no_stream)
    modes: list[Any] = ["messages", "updates", "values"] if stream_tokens else ["updates", "values"]
    chunks: Any = graph.stream({"question": question}, context=context, stream_mode=modes)
    streaming_message: str | None = None
    for mode, payload in chunks:
        if mode == "values":
            final = dict(payload)
        elif mode == "messages":
            message, meta = payload
            if type(message).__name__ == "AIMessageChunk" and message.content:
                if message.id != streaming_message:
                    streaming_message = message.id
                    print(f"\n[{meta.get('langgraph_node', 'model')}] model:")
                print(message.content, end="", flush=True)
        elif not args.json:
            for node, update in dict(payload).items():
                if update:
                    _print_update(node, update, streamed=streaming_message is not None)
            streaming_message = None
    answer_s = time.perf_counter() - start
    result = {
        "question": question,
        "user_id": context.user_id,
        "answer": final.get("answer", ""),
        "finish": final.get("finish"),
        "searches": final.get("searches", []),
        "retrieved_ids": final.get("retrieved_ids", []),
        "retrievals": final.get("retrievals", []),
        "trajectory": final.get("segments", []),
        **({"steps": final["steps"], "chain_problems": final.get("chain_problems", [])} if "steps" in final else {}),
        "timing_s": {"model_load": round(load_s, 3), "answer": round(answer_s, 3)},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"\nanswer ({result['finish']}, {len(result['searches'])} searches, {answer_s:.1f} s):")
        print(result["answer"])
    return 0


# ---------------------------------------------------------------------------------------------
def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Build the ``pr2`` argument parser.

    Subcommands owned by other packages (``eval``) are registered in full only when ``argv`` names them:
    their modules import the evaluation stack (LangGraph, the methods), which ``pr2 --help`` and the
    other subcommands never need. ``argv=None`` reads ``sys.argv``.
    """
    command = _command_of(sys.argv[1:] if argv is None else argv)
    parser = Parser(prog="pr2", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("setup", help="download, verify and convert the embedded model and policy (once)")
    p.add_argument("--models", nargs="+", default=["smollm2-135m"], help="embedded models to prepare")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("ingest", help="store a user's history (a JSON list of {id, text})")
    p.add_argument("--user", help="user id to store the items under")
    p.add_argument("file", nargs="?", help="JSON file: [{\"id\": ..., \"text\": ...}, ...]")
    p.add_argument("--lampqa", help="a LaMP-QA JSON file: ingest every record's profile under the record id")
    p.add_argument("--lamp", help="a LaMP *_questions.json: ingest every record's profile under the record id")
    p.add_argument("--lamp-task", type=int, choices=range(1, 8), help="--lamp's task when its path does not say")
    add_store_args(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question for one user, searching their history")
    p.add_argument("question", nargs="+", help="the question")
    p.add_argument("--user", help="whose history to use")
    p.add_argument("--no-personalize", action="store_true", help="answer without any profile access")
    p.add_argument("--top-k", type=int, default=None, help="items per search (default: the method's; pr2 3, prlm 5)")
    p.add_argument("--max-searches", type=int, default=3, help="search budget")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the trace")
    p.add_argument("--method", default="pr2", help="the method whose graph answers: pr2, prlm, tagpr")
    p.add_argument("--no-stream", action="store_true", help="print each model turn whole, not token by token")
    add_store_args(p)
    add_model_args(p)
    p.set_defaults(func=cmd_ask)

    for name, (module, summary) in EXTRA_COMMANDS.items():
        if name == command:
            importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=summary)  # listed in `pr2 --help`; never parsed in this invocation
    return parser


EXTRA_COMMANDS = {
    "eval": (
        "pr2_agent.evaluation.cli",
        "evaluate nopers / rag / rag_random / planpers / each method on a task and write scores, responses "
        "and a summary",
    ),
}
"""Subcommands registered by their own module's ``register(subparsers)``: name -> (module, one-line help)."""


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: its first word that is not an option of ``pr2`` itself."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pr2`` command line."""
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        code: int = args.func(args)
        return code
    except _user_facing_errors() as exc:
        if args.verbose:
            raise
        print(f"pr2 {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except RecursionError as exc:
        if args.verbose:
            raise
        print(
            f"pr2 {args.command}: error: an input is nested too deeply to read ({_one_line(exc)}). Check that the "
            f"files you passed are the JSON the command expects (see pr2 {args.command} --help).",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"pr2 {args.command}: interrupted", file=sys.stderr)
        return 130


def _user_facing_errors() -> tuple[type[BaseException], ...]:
    """Failures whose message already says what was wrong and how to fix it: shown as one line, no traceback."""
    from pr2_agent.policy.chat import BackendUnavailableError
    from pr2_agent.store import ProfileStoreError

    # OSError covers ConnectionError, FileNotFoundError, PermissionError and IsADirectoryError.
    return (UsageError, ValueError, OSError, ProfileStoreError, BackendUnavailableError)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
