"""ChatModelPolicy with fake chat models: rendering, stop-string contract, kwargs, errors."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import SecretStr

from pr2_agent import prompts
from pr2_agent.policy.base import GenerationRequest, Policy
from pr2_agent.policy.chat import BackendUnavailableError, ChatModelPolicy, openai_chat_model
from pr2_agent.trajectory import env_segment, model_segment


class RecordingChat(GenericFakeChatModel):
    """Replays ``messages`` and records what each call received."""

    calls: list[dict[str, Any]] = []

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs
    ):
        self.calls.append({"messages": messages, "stop": stop, "kwargs": kwargs})
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


class SamplingChat(RecordingChat):
    """Declares the sampling fields ChatOpenAI has, so the policy passes them per call."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None


def chat(*replies: str | AIMessage, cls: type[RecordingChat] = RecordingChat) -> RecordingChat:
    return cls(messages=iter(replies), calls=[])


def request(**kw: Any) -> GenerationRequest:
    messages = kw.pop(
        "messages", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q?"}]
    )
    return GenerationRequest(messages=messages, **kw)


def test_is_a_policy_without_token_ids() -> None:
    policy = ChatModelPolicy(chat("hi"), name="fake")
    assert isinstance(policy, Policy)
    assert policy.name == "fake"
    assert policy.encode("anything") is None
    gen = policy.generate(request())
    assert (gen.text, gen.token_ids, gen.prompt_ids) == ("hi", None, None)


def test_segments_render_as_alternating_turns() -> None:
    segments = [
        model_segment("<think>need facts</think>", None),
        model_segment("<search>food</search>", None),
        env_segment("\n\n<information>\n[1] fish\n</information>\n\n", None),
        model_segment("<answer>fish</answer>", None),
        env_segment(prompts.INVALID_ACTION_OBSERVATION, None),
    ]
    messages = ChatModelPolicy(chat()).render(request(segments=segments))
    assert [type(m) for m in messages] == [
        SystemMessage,
        HumanMessage,
        AIMessage,
        HumanMessage,
        AIMessage,
        HumanMessage,
    ]
    assert [m.content for m in messages] == [
        "Be brief.",
        "Q?",
        "<think>need facts</think><search>food</search>",
        "<information>\n[1] fish\n</information>",
        "<answer>fish</answer>",
        prompts.INVALID_ACTION_OBSERVATION.strip(),
    ]


def test_environment_text_right_after_the_prompt_joins_the_user_turn() -> None:
    nudge = env_segment(prompts.FORCED_ANSWER_OBSERVATION, None)
    messages = ChatModelPolicy(chat()).render(request(segments=[nudge]))
    assert [type(m) for m in messages] == [SystemMessage, HumanMessage]
    assert messages[1].content == ("Q?" + prompts.FORCED_ANSWER_OBSERVATION).strip()


def test_unknown_role_is_rejected() -> None:
    with pytest.raises(ValueError, match="role 'tool'"):
        ChatModelPolicy(chat()).render(request(messages=[{"role": "tool", "content": "x"}]))


def test_stop_strings_are_sent_and_enforced_when_the_server_ignores_them() -> None:
    model = chat("<think>t</think><search>food</search> and then more <answer>x</answer>")
    gen = ChatModelPolicy(model).generate(request(stop=prompts.STOP_STRINGS))
    assert model.calls[0]["stop"] == list(prompts.STOP_STRINGS)
    assert gen.text == "<think>t</think><search>food</search>"
    assert gen.finish_reason == "stop"


def test_a_stop_string_dropped_by_an_openai_style_server_is_restored() -> None:
    reply = AIMessage(
        content="<think>t</think><search>best fish", response_metadata={"finish_reason": "stop"}
    )
    gen = ChatModelPolicy(chat(reply)).generate(request(stop=prompts.STOP_STRINGS))
    assert gen.text == "<think>t</think><search>best fish</search>"
    assert gen.finish_reason == "stop"


@pytest.mark.parametrize(
    ("content", "api_reason", "finish"),
    [
        ("Fish, mostly.", "stop", "eos"),  # natural end: no open tag to close
        ("<think>long", "length", "length"),
        ("<think>t</think><search>q", None, "eos"),  # unknown reason: never guess a stop
    ],
)
def test_finish_reasons(content: str, api_reason: str | None, finish: str) -> None:
    meta = {"finish_reason": api_reason} if api_reason else {}
    gen = ChatModelPolicy(chat(AIMessage(content=content, response_metadata=meta))).generate(
        request(stop=prompts.STOP_STRINGS)
    )
    assert (gen.text, gen.finish_reason) == (content, finish)


def test_sampling_settings_are_passed_only_to_models_that_declare_them() -> None:
    plain = chat("a")
    ChatModelPolicy(plain).generate(request(temperature=0.2, max_new_tokens=7))
    assert plain.calls[0]["kwargs"] == {}
    sampling = chat("a", cls=SamplingChat)
    ChatModelPolicy(sampling).generate(request(temperature=0.2, top_p=0.5, max_new_tokens=7))
    assert sampling.calls[0]["kwargs"] == {"temperature": 0.2, "top_p": 0.5, "max_tokens": 7}


class EchoChat(GenericFakeChatModel):
    """Answers "re: <last message>", so each reply can be matched to its request."""

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs
    ):
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=f"re: {messages[-1].content}"))]
        )


def test_generate_batch_answers_in_order() -> None:
    reqs = [
        request(messages=[{"role": "user", "content": f"q{i}"}], stop=("x",) if i % 2 else ())
        for i in range(5)
    ]
    gens = ChatModelPolicy(EchoChat(messages=iter([]))).generate_batch(reqs)
    assert [g.text for g in gens] == [f"re: q{i}" for i in range(5)]


def api_key(model: Any) -> str:
    secret = model.openai_api_key
    assert isinstance(secret, SecretStr)
    return secret.get_secret_value()


def test_openai_chat_model_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = openai_chat_model("smollm2", "http://127.0.0.1:8080/v1")
    assert model.model_name == "smollm2"
    assert model.openai_api_base == "http://127.0.0.1:8080/v1"
    assert api_key(model) == "EMPTY"
    assert model.use_responses_api is False
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert api_key(openai_chat_model("m", "http://x/v1")) == "from-env"
    assert api_key(openai_chat_model("m", "http://x/v1", api_key="arg")) == "arg"


def test_self_hosted_endpoints_get_the_token_limit_as_max_tokens() -> None:
    served = openai_chat_model("m", "http://127.0.0.1:8080/v1")._get_request_payload(
        [("user", "hi")], max_tokens=5
    )
    assert served["max_tokens"] == 5 and "max_completion_tokens" not in served
    hosted = openai_chat_model("gpt-4o-mini", api_key="k")._get_request_payload(
        [("user", "hi")], max_tokens=5
    )
    assert hosted["max_completion_tokens"] == 5


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_endpoint_raises_a_clear_error() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    policy = ChatModelPolicy(openai_chat_model("m", url, timeout=5, max_retries=0))
    with pytest.raises(BackendUnavailableError) as info:
        policy.generate(request())
    message = str(info.value)
    assert url in message and "is running" in message


def test_other_errors_pass_through_unchanged() -> None:
    class Broken(GenericFakeChatModel):
        def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
            raise ZeroDivisionError("bug in the model wrapper")

    with pytest.raises(ZeroDivisionError):
        ChatModelPolicy(Broken(messages=iter([]))).generate(request())


def _capturing_chat_openai(base_url: str | None, bodies: list[dict[str, Any]], **kw: Any) -> Any:
    """The README's plain ChatOpenAI, with an in-memory transport that records each request body."""
    import json

    import httpx
    from langchain_openai import ChatOpenAI

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        reply = {"id": "c", "object": "chat.completion", "created": 0, "model": "m",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                              "finish_reason": "length"}]}
        return httpx.Response(200, json=reply)

    return ChatOpenAI(model="m", base_url=base_url, api_key="EMPTY", use_responses_api=False,  # type: ignore[arg-type]
                      http_client=httpx.Client(transport=httpx.MockTransport(handle)), **kw)


def test_a_plain_chat_openai_on_a_self_hosted_server_sends_max_tokens() -> None:
    """Issue 15 item 6: llama.cpp ignores max_completion_tokens, the only limit ChatOpenAI sends."""
    bodies: list[dict[str, Any]] = []
    model = _capturing_chat_openai("http://127.0.0.1:8000/v1", bodies, extra_body={"cache_prompt": True})
    gen = ChatModelPolicy(model).generate(request(max_new_tokens=48))
    assert gen.finish_reason == "length"
    assert bodies[0]["max_tokens"] == 48 and bodies[0]["max_completion_tokens"] == 48
    assert bodies[0]["cache_prompt"] is True  # the model's own extra_body is kept


def test_a_chat_openai_aimed_at_openai_keeps_its_request_as_is() -> None:
    bodies: list[dict[str, Any]] = []
    model = _capturing_chat_openai("https://api.openai.com/v1", bodies)
    ChatModelPolicy(model).generate(request(max_new_tokens=48))
    assert bodies[0]["max_completion_tokens"] == 48 and "max_tokens" not in bodies[0]
