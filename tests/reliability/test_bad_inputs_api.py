"""Bad input through the Python API: every case is refused with one clear line (what, why, how to fix).

Each row is (case id, a call that must fail, the exception type, words the message must contain). The
message must be a single line: it is what a CLI or a LangGraph run error shows the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from pr2_agent import Context, build_graph
from pr2_agent.context import context_from
from pr2_agent.policy.resolve import resolve_policy
from pr2_agent.policy.scripted import ScriptedPolicy
from pr2_agent.store import ProfileItem, open_profile_store
from tests.fakes import FakeStore


def _env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Callable[[], object]:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return Context.from_env


CASES: list[tuple[str, Callable[[pytest.MonkeyPatch], Callable[[], object]], type[Exception], tuple[str, ...]]] = [
    ("personalized-string", lambda m: lambda: Context(personalized="false"), ValueError, ("personalized", "'false'")),
    ("personalized-number", lambda m: lambda: Context(personalized=0), ValueError, ("personalized", "boolean")),
    ("top_k-bool", lambda m: lambda: Context(top_k=True), ValueError, ("top_k", "integer")),
    ("max_searches-bool", lambda m: lambda: Context(max_searches=False), ValueError, ("max_searches",)),
    ("temperature-bool", lambda m: lambda: Context(temperature=True), ValueError, ("temperature",)),
    ("top_k-zero", lambda m: lambda: Context(top_k=0), ValueError, ("top_k", ">= 1")),
    ("base_url-no-host", lambda m: lambda: Context(base_url="http://"), ValueError, ("base_url", "host")),
    ("base_url-bad-port", lambda m: lambda: Context(base_url="http://h:port/v1"), ValueError, ("base_url",)),
    ("base_url-scheme", lambda m: lambda: Context(base_url="127.0.0.1:8000"), ValueError, ("base_url", "http://")),
    ("chroma_url-no-host", lambda m: lambda: Context(chroma_url="https://"), ValueError, ("chroma_url",)),
    ("embedding-bogus", lambda m: lambda: Context(embedding="bogus"), ValueError, ("embedding", "minilm", "hash")),
    ("retriever-bogus", lambda m: lambda: Context(retriever="tfidf"), ValueError, ("retriever", "bm25")),
    ("store_path-empty", lambda m: lambda: Context(store_path=""), ValueError, ("store_path", "current directory")),
    ("collection-empty", lambda m: lambda: Context(collection=" "), ValueError, ("collection",)),
    ("user-zero-width", lambda m: lambda: Context(user_id="\u200b"), ValueError, ("user_id", "blank")),
    ("user-spaces", lambda m: lambda: Context(user_id="  \u2060 "), ValueError, ("user_id", "blank")),
    ("user-nul", lambda m: lambda: Context(user_id="ab\x00c"), ValueError, ("user_id", "U+0000")),
    ("user-surrogate", lambda m: lambda: Context(user_id="u\ud800"), ValueError, ("user_id", "surrogate")),
    ("user-not-str", lambda m: lambda: Context(user_id=7), ValueError, ("user_id", "string")),
    ("env-personalized-typo", lambda m: _env(m, PR2_PERSONALIZED="flase"), ValueError, ("PR2_PERSONALIZED", "flase")),
    ("env-top_k-abc", lambda m: _env(m, PR2_TOP_K="abc"), ValueError, ("PR2_TOP_K", "integer", "PR2_TOP_K=3")),
    ("env-temperature", lambda m: _env(m, PR2_TEMPERATURE="hot"), ValueError, ("PR2_TEMPERATURE", "number")),
    ("env-base_url", lambda m: _env(m, PR2_BASE_URL="http://"), ValueError, ("base_url",)),
    ("adapter-dict", lambda m: lambda: context_from({"user_id": "a", "top_k": "3"}), ValueError, ("top_k",)),
    (
        "adapter-configurable",
        lambda m: lambda: context_from(None, {"user_id": "a", "personalized": "no"}),
        ValueError,
        ("personalized",),
    ),
    ("graph-store-str", lambda m: lambda: build_graph(store="str"), TypeError, ("store=", "ProfileStore")),
    ("graph-store-int", lambda m: lambda: build_graph(store=3), TypeError, ("store=", "search")),
    ("graph-model-str", lambda m: lambda: build_graph(model="gpt"), TypeError, ("model", "Context.model")),
    ("store-path-empty", lambda m: lambda: open_profile_store("", embedding="hash"), ValueError, ("empty", "current")),
    ("store-path-blank", lambda m: lambda: open_profile_store("  ", embedding="hash"), ValueError, ("empty",)),
    ("store-path-file", lambda m: lambda: open_profile_store(__file__, embedding="hash"), ValueError, ("a file",)),
    ("store-path-int", lambda m: lambda: open_profile_store(3, embedding="hash"), ValueError, ("directory path",)),
    ("model-unknown", lambda m: lambda: resolve_policy("nosuch-model"), ValueError, ("Unknown model", "base_url")),
    ("model-typo", lambda m: lambda: resolve_policy("embeded"), ValueError, ("Did you mean 'embedded'",)),
    ("model-missing-dir", lambda m: lambda: resolve_policy("./no/such/ckpt"), ValueError, ("no directory",)),
]


@pytest.mark.parametrize(("case", "make", "error", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(monkeypatch, case, make, error, words):
    with pytest.raises(error) as caught:
        make(monkeypatch)()
    message = str(caught.value)
    assert "\n" not in message, f"{case}: the message spans several lines"
    for word in words:
        assert word in message, f"{case}: {word!r} missing from {message!r}"


@pytest.mark.parametrize("flag", ["1", "true", "YES", "on", "0", "false", "No", "off"])
def test_env_booleans_parse_strictly(monkeypatch, flag):
    monkeypatch.setenv("PR2_PERSONALIZED", flag)
    assert Context.from_env().personalized is (flag.lower() in ("1", "true", "yes", "on"))


def test_user_ids_with_unicode_stay_valid():
    for user in ("maya", "Zoë", "用户-7", "a b", "u\u200bv"):
        assert Context(user_id=user).user_id == user


class _ModedStore(FakeStore):
    def __init__(self, profiles):
        super().__init__(profiles)
        self.modes: list[str | None] = []

    def search(self, user_id, query, k, *, mode=None):
        self.modes.append(mode)
        return super().search(user_id, query, k)


@pytest.mark.parametrize("retriever", ["bm25", "dense"])
def test_context_retriever_is_honoured_by_a_passed_store(retriever):
    store = _ModedStore({"a": [("a1", "I cook pasta")]})
    graph = build_graph(model=ScriptedPolicy(["<search>cook</search>", "<answer>x</answer>"]), store=store)
    graph.invoke({"question": "q"}, context={"user_id": "a", "retriever": retriever})
    assert store.modes == [retriever]


def test_unset_retriever_keeps_the_store_default():
    store = _ModedStore({"a": [("a1", "I cook pasta")]})
    graph = build_graph(model=ScriptedPolicy(["<search>cook</search>", "<answer>x</answer>"]), store=store)
    graph.invoke({"question": "q"}, context={"user_id": "a"})
    assert store.modes == [None]


def test_retriever_on_a_store_without_modes_is_a_clear_error():
    graph = build_graph(model=ScriptedPolicy(["<search>cook</search>", "<answer>x</answer>"]), store=FakeStore({}))
    with pytest.raises(ValueError, match="has no retrieval modes"):
        graph.invoke({"question": "q"}, context={"user_id": "a", "retriever": "bm25"})


def test_a_graph_run_with_a_bad_context_fails_before_any_model_call():
    policy = ScriptedPolicy(["<answer>x</answer>"])
    graph = build_graph(model=policy, store=FakeStore({}))
    with pytest.raises(ValueError, match="personalized"):
        graph.invoke({"question": "q"}, context={"user_id": "a", "personalized": "false"})
    assert policy.requests == []


def test_a_personalized_run_for_a_user_without_a_profile_warns_once(caplog, tmp_path):
    """It used to answer silently with no hits (issue 15 item 9): now the store says why, once per user."""
    store = open_profile_store(tmp_path / "store", embedding="hash")
    store.upsert("maya", [ProfileItem("m1", "I cook pasta")])
    graph = build_graph(
        model=ScriptedPolicy(["<search>cook</search>", "<answer>x</answer>"] * 2), profile_store=store
    )
    with caplog.at_level(logging.WARNING, logger="pr2_agent"):
        for _ in range(2):
            graph.invoke({"question": "q"}, context={"user_id": "leo"})
    warnings = [r.getMessage() for r in caplog.records if "has no profile" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "'leo'" in warnings[0] and "personalized=False" in warnings[0] and "\n" not in warnings[0]


def test_a_langgraph_store_without_the_user_warns_too(caplog):
    from langgraph.store.memory import InMemoryStore

    from pr2_agent.memory import LangGraphProfiles

    profiles = LangGraphProfiles(InMemoryStore())
    profiles.upsert("maya", [ProfileItem("m1", "I cook pasta")])
    with caplog.at_level(logging.WARNING, logger="pr2_agent"):
        assert profiles.search("leo", "cook", 3) == []
        assert profiles.search("leo", "cook", 3) == []
        assert [h.id for h in profiles.search("maya", "cook", 3)] == ["m1"]
    warnings = [r.getMessage() for r in caplog.records if "has no profile" in r.getMessage()]
    assert len(warnings) == 1 and "'leo'" in warnings[0]
