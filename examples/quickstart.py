"""Quickstart: ingest two users' histories and answer a question for one of them, offline.

    python examples/quickstart.py                         # embedded SmolLM2-135M on CPU
    python examples/quickstart.py --model qwen2.5-coder-0.5b
    # vLLM / llama.cpp / OpenAI:
    python examples/quickstart.py --model my-model --base-url http://127.0.0.1:8000/v1

The same graph runs in LangGraph Studio (`langgraph dev`), in `pr2 eval` and inside the trainers.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from pr2_agent import Context, build_graph
from pr2_agent.store import ProfileItem, open_profile_store

HERE = Path(__file__).parent


def main() -> None:
    """Ingest the sample profiles, then stream one personalized run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--store", default=".pr2/example-store")
    parser.add_argument("--user", default="maya")
    parser.add_argument("--question", default="What should I cook for dinner tonight?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-new-tokens", type=int, default=128, help="tokens per model turn")
    parser.add_argument("--max-searches", type=int, default=2)
    args = parser.parse_args()

    store = open_profile_store(args.store)
    for path in sorted((HERE / "profiles").glob("*.json")):
        items = [ProfileItem(id=i["id"], text=i["text"]) for i in json.loads(path.read_text())]
        store.upsert(path.stem, items)
        print(f"ingested {len(items)} items for user {path.stem!r}")

    torch.manual_seed(args.seed)
    context = Context(
        user_id=args.user,
        model=args.model,
        base_url=args.base_url,
        store_path=args.store,
        max_new_tokens=args.max_new_tokens,
        max_searches=args.max_searches,
    )
    graph = build_graph(profile_store=store)
    print(f"\nuser {args.user!r} asks: {args.question}")
    start = time.perf_counter()
    final: dict = {}
    stream = graph.stream({"question": args.question}, context=context, stream_mode=["updates", "values"])
    for mode, payload in stream:
        if mode == "values":
            final = payload
            continue
        for node, update in payload.items():
            for seg in (update or {}).get("segments", []):
                who = "model" if seg["kind"] == "model" else "inserted"
                print(f"\n[{node} / {who}]\n{seg['text'].strip()}")
    elapsed = time.perf_counter() - start
    print(f"\nanswer ({final.get('finish')}, searches={final.get('searches')}, "
          f"retrieved={final.get('retrieved_ids')}, {elapsed:.1f} s):\n{final.get('answer')}")


if __name__ == "__main__":
    main()
