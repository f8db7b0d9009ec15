"""The real embedded SmolLM2-135M-Instruct through LocalPolicy (downloads/converts once into PR2_HOME)."""

from __future__ import annotations

import pytest
import torch

from pr2_agent.policy.base import GenerationRequest
from pr2_agent.policy.local import LocalPolicy
from pr2_agent.weights import ensure_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm() -> LocalPolicy:
    return LocalPolicy(ensure_model("smollm2-135m"), name="smollm2-135m")


def ask(question: str, **kw) -> GenerationRequest:
    kw.setdefault("temperature", 0.0)
    kw.setdefault("max_new_tokens", 32)
    return GenerationRequest(messages=[{"role": "user", "content": question}], **kw)


def test_checkpoint_has_template_and_end_of_turn(smollm: LocalPolicy) -> None:
    assert smollm.tokenizer.chat_template
    assert smollm.eos_token_ids == [smollm.tokenizer.convert_tokens_to_ids("<|im_end|>")]
    assert smollm.model.dtype == torch.float32


def test_answers_a_question_and_stops_at_the_stop_string(smollm: LocalPolicy) -> None:
    free, stopped, mid_token = smollm.generate_batch(
        [
            ask("What is the capital of France?"),
            ask("What is the capital of France?", stop=("Paris",)),
            ask("What is the capital of France?", stop=("Par",)),  # ends inside the token " Paris"
        ]
    )
    assert "Paris" in free.text and free.finish_reason == "eos"
    assert stopped.finish_reason == "stop" and stopped.text.endswith("Paris")
    assert mid_token.finish_reason == "stop"
    # Ids stay exact when the stop string ends mid-token: the whole sampled token is kept.
    assert mid_token.token_ids == stopped.token_ids
    for gen in (free, stopped, mid_token):
        assert gen.token_ids is not None
        assert smollm.tokenizer.decode(gen.token_ids, skip_special_tokens=True) == gen.text
    assert stopped.token_ids == (free.token_ids or [])[: len(stopped.token_ids or [])]


def test_refeeding_prompt_and_ids_reproduces_the_choices(smollm: LocalPolicy) -> None:
    gen = smollm.generate_batch([ask("Name three primary colors."), ask("Say hello.")])[0]
    assert gen.prompt_ids is not None and gen.token_ids
    with torch.inference_mode():
        logits = smollm.model(torch.tensor([gen.prompt_ids + gen.token_ids])).logits[0]
    start = len(gen.prompt_ids) - 1
    for k, tok in enumerate(gen.token_ids):
        row = logits[start + k]
        assert row[tok] >= row.max() - 1e-3  # greedy choice, up to float noise from left padding
