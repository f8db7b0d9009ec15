"""ChatModelPolicy against a real llama.cpp OpenAI-compatible server on loopback (SmolLM2-135M GGUF)."""

from __future__ import annotations

import pytest

from pr2_agent import prompts
from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.chat import BackendUnavailableError, ChatModelPolicy, openai_chat_model
from pr2_agent.policy.resolve import clear_policy_cache, resolve_policy
from pr2_agent.trajectory import env_segment, model_segment
from tests.servers import free_port, llama_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def policy(llama_server: str) -> ChatModelPolicy:  # noqa: F811
    return ChatModelPolicy(openai_chat_model("smollm2-135m", llama_server, timeout=600))  # a busy server answers late


def ask(question: str, **kw) -> GenerationRequest:
    kw.setdefault("temperature", 0.0)
    kw.setdefault("max_new_tokens", 48)
    return GenerationRequest(messages=[{"role": "user", "content": question}], **kw)


def test_answers_a_question(policy: ChatModelPolicy) -> None:
    gen = policy.generate(ask("What is the capital of France?"))
    assert "Paris" in gen.text
    assert gen.finish_reason == "eos"
    assert gen.token_ids is None and gen.prompt_ids is None


def test_max_new_tokens_reaches_the_server(policy: ChatModelPolicy) -> None:
    gen = policy.generate(ask("Write a long story about a dragon.", max_new_tokens=5))
    assert gen.finish_reason == "length"
    assert 0 < len(gen.text.split()) <= 6


FEW_SHOT_SEARCH = [
    {
        "role": "system",
        "content": "You answer every question with a search query written as <search>query</search>.",
    },
    {"role": "user", "content": "What is the weather in Rome?"},
    {"role": "assistant", "content": "<search>weather in Rome</search>"},
    {"role": "user", "content": "What is the capital of France?"},
]


def test_protocol_stop_string_is_kept_in_the_text(policy: ChatModelPolicy) -> None:
    free = policy.generate(GenerationRequest(messages=FEW_SHOT_SEARCH, temperature=0.0, max_new_tokens=32))
    stopped = policy.generate(
        GenerationRequest(
            messages=FEW_SHOT_SEARCH, temperature=0.0, max_new_tokens=32, stop=prompts.STOP_STRINGS
        )
    )
    assert free.text.startswith("<search>") and free.text.endswith("</search>")
    assert free.finish_reason == "eos"
    # The server drops the matched stop string (OpenAI semantics); the policy puts it back.
    assert stopped.text == free.text
    assert stopped.finish_reason == "stop"


def test_batch_with_a_multi_turn_transcript(policy: ChatModelPolicy) -> None:
    segments = [
        model_segment("<search>capital of France</search>", None),
        env_segment("\n\n<information>\n[1] The capital of France is Paris.\n</information>\n\n", None),
    ]
    gens = policy.generate_batch(
        [ask("What is the capital of France?", segments=segments), ask("Say hello.", max_new_tokens=8)]
    )
    assert len(gens) == 2
    assert "Paris" in gens[0].text
    assert gens[1].text


def test_resolve_policy_reaches_the_server_by_base_url(llama_server: str) -> None:  # noqa: F811
    clear_policy_cache()
    try:
        policy = resolve_policy("smollm2-135m", base_url=llama_server)
        assert isinstance(policy, ChatModelPolicy)
        assert "Paris" in policy.generate(ask("What is the capital of France?")).text
    finally:
        clear_policy_cache()


def test_a_server_that_is_gone_gives_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    policy = ChatModelPolicy(openai_chat_model("smollm2-135m", url, timeout=5, max_retries=0))
    with pytest.raises(BackendUnavailableError, match="Cannot reach the chat model endpoint"):
        policy.generate(ask("hi"))
