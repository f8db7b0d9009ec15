"""An offline proxy rubric judge from a local causal LM's Yes/No probability.

Not LaMP-QA's protocol: tiny models asked for an integer score answer the same number whatever
the response (measured: SmolLM2-135M and Qwen2.5-Coder-0.5B both give all 1s), but the relative
probability of "Yes" and "No" after a yes/no question still carries signal on Qwen-0.5B. Per
aspect the model reads :data:`~pr2_agent.prompts.PROXY_JUDGE_TEMPLATE` (chat-templated) and the
next-token distribution gives ``P(Yes) / (P(Yes) + P(No))``, mapped to 0/1/2 by two thresholds.
One forward pass per aspect, no sampling: deterministic given the inputs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pr2_agent.judges.base import JudgeItem, RubricAspect
from pr2_agent.judges.proxy import SIGNAL_DECIMALS, ProxyJudge
from pr2_agent.prompts import PROXY_JUDGE_TEMPLATE
from pr2_agent.run.environment import offline_defaults

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "qwen2.5-coder-0.5b"
DEFAULT_YES_NO_THRESHOLDS: tuple[float, float] = (0.42, 0.49)
"""P(Yes) at which an aspect counts as somewhat (1) and well (2) covered, for Qwen2.5-Coder-0.5B.

Fitted by ``bench/judge_agreement.py --calibrate --proxy yes-no`` on the same hand-labelled set as
the embedding judge (MAE 0.50, exact 53%). The signal is weak at the aspect level: mean P(Yes) is
0.42 / 0.45 / 0.46 for aspects labelled 0 / 1 / 2, and on the held-out set the judge agrees
exactly with the hand labels on 50% of aspects (embedding judge: 78%). Prefer
:class:`~pr2_agent.judges.EmbeddingProxyJudge`; this judge is here for comparison and for larger
local models, for which it should be recalibrated.
"""

_YES_WORDS = ("Yes", " Yes", "yes", " yes", "YES")
_NO_WORDS = ("No", " No", "no", " no", "NO")


class YesNoProxyJudge(ProxyJudge):
    """Proxy rubric judge: P(Yes) of a local causal LM per aspect, thresholded to 0/1/2.

    Holds configuration only; the model loads on first use and is dropped when pickled.

    Args:
        model: A transformers checkpoint directory, or the name of an embedded model
            (:data:`pr2_agent.weights.EMBEDDED_MODELS`), converted from its GGUF on first use.
        thresholds: ``(somewhat, well)`` thresholds on P(Yes).
        continuous: Return float scores in [0, 2] instead of 0/1/2.
        extract_answer: Score only the ``<answer>`` span of each response.
        batch_size: Prompts per forward pass.
        max_response_tokens: The answer is cut to this many tokens before it enters the prompt.
    """

    signal_name = "p_yes"
    signal_range = (0.0, 1.0)
    signal_plural = "probabilities"
    _transient = ("_loaded",)

    def __init__(
        self,
        model: str | os.PathLike[str] = DEFAULT_MODEL,
        *,
        thresholds: tuple[float, float] = DEFAULT_YES_NO_THRESHOLDS,
        continuous: bool = False,
        extract_answer: bool = True,
        batch_size: int = 8,
        max_response_tokens: int = 512,
    ) -> None:
        super().__init__(thresholds=thresholds, continuous=continuous, extract_answer=extract_answer)
        if batch_size < 1 or max_response_tokens < 1:
            raise ValueError(
                "batch_size and max_response_tokens must be >= 1, "
                f"got {batch_size} and {max_response_tokens}."
            )
        self.model = str(model)
        self.batch_size = batch_size
        self.max_response_tokens = max_response_tokens
        self._loaded: tuple[Any, Any, list[int], list[int]] | None = None

    @property
    def name(self) -> str:
        """``yes-no-proxy:<model>``."""
        return f"yes-no-proxy:{Path(self.model).name}"

    def signals(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """The P(Yes) ratios (see :meth:`probabilities`)."""
        return self.probabilities(items)

    def probabilities(self, items: Sequence[JudgeItem]) -> list[list[float | None]]:
        """Per item, per aspect: ``P(Yes) / (P(Yes) + P(No))``, None for an empty answer.

        Every (response, aspect) prompt of the batch shares the batched forward passes; the
        narrative is not used.
        """
        if not items:
            return []
        tokenizer, model, yes_ids, no_ids = self._load()
        prompts: list[str] = []
        slots: list[tuple[int, int]] = []
        out: list[list[float | None]] = []
        for i, item in enumerate(items):
            answer = self._truncate(tokenizer, self.answer_text(item))
            out.append([None] * len(item.aspects))
            if not answer:
                continue
            for j, aspect in enumerate(item.aspects):
                prompts.append(self._prompt(tokenizer, item.question, aspect, answer))
                slots.append((i, j))
        probs = self._yes_probabilities(tokenizer, model, yes_ids, no_ids, prompts)
        for (i, j), prob in zip(slots, probs, strict=True):
            out[i][j] = prob
        return out

    # -- internals ----------------------------------------------------------------------------
    def _truncate(self, tokenizer: Any, text: str) -> str:
        ids = tokenizer.encode(text, add_special_tokens=False)
        if len(ids) <= self.max_response_tokens:
            return text
        return str(tokenizer.decode(ids[: self.max_response_tokens], skip_special_tokens=True))

    @staticmethod
    def _prompt(tokenizer: Any, question: str, aspect: RubricAspect, answer: str) -> str:
        user = PROXY_JUDGE_TEMPLATE.format(
            question=question, aspect=aspect.aspect, reason=aspect.reason, response=answer
        )
        if getattr(tokenizer, "chat_template", None):
            return str(
                tokenizer.apply_chat_template(
                    [{"role": "user", "content": user}], tokenize=False, add_generation_prompt=True
                )
            )
        return user + "\n"

    def _yes_probabilities(
        self, tokenizer: Any, model: Any, yes_ids: list[int], no_ids: list[int], prompts: list[str]
    ) -> list[float]:
        import torch

        probs: list[float] = []
        with self._lock, torch.no_grad():
            for start in range(0, len(prompts), self.batch_size):
                batch = tokenizer(
                    prompts[start : start + self.batch_size],
                    return_tensors="pt",
                    padding=True,
                    add_special_tokens=False,
                )
                logits = model(**batch).logits[:, -1, :].float()
                dist = torch.softmax(logits, dim=-1)
                p_yes = dist[:, yes_ids].sum(dim=-1)
                p_no = dist[:, no_ids].sum(dim=-1)
                ratio = p_yes / (p_yes + p_no).clamp_min(1e-12)
                probs.extend(round(float(p), SIGNAL_DECIMALS) for p in ratio)
        return probs

    def _load(self) -> tuple[Any, Any, list[int], list[int]]:
        with self._lock:
            if self._loaded is None:
                offline_defaults()
                import torch
                from transformers import AutoModelForCausalLM, AutoTokenizer

                path = Path(self.model)
                if not path.is_dir():
                    from pr2_agent.weights import EMBEDDED_MODELS, ensure_model

                    if self.model not in EMBEDDED_MODELS:
                        raise FileNotFoundError(
                            f"{self.model!r} is neither a transformers checkpoint directory nor an embedded "
                            f"model ({', '.join(EMBEDDED_MODELS)}); pass one of those as model=..."
                        )
                    path = ensure_model(self.model)
                logger.info("loading yes/no proxy judge model from %s", path)
                tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
                # Left padding keeps every prompt's last token in the last column of the batch.
                tokenizer.padding_side = "left"
                if tokenizer.pad_token is None:
                    tokenizer.pad_token = tokenizer.eos_token
                model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, local_files_only=True)
                model.eval()
                yes_ids = _first_token_ids(tokenizer, _YES_WORDS)
                no_ids = _first_token_ids(tokenizer, _NO_WORDS)
                if not yes_ids or not no_ids or set(yes_ids) & set(no_ids):
                    raise ValueError(
                        f"the tokenizer of {path} has no distinct first tokens for Yes and No "
                        f"(yes: {yes_ids}, no: {no_ids}); it cannot be used as a yes/no judge."
                    )
                self._loaded = (tokenizer, model, yes_ids, no_ids)
            return self._loaded


def _first_token_ids(tokenizer: Any, words: Sequence[str]) -> list[int]:
    """Distinct first-token ids of the spellings of one answer word (unknown spellings skipped)."""
    unknown = getattr(tokenizer, "unk_token_id", None)
    ids: list[int] = []
    for word in words:
        encoded = tokenizer.encode(word, add_special_tokens=False)
        if encoded and encoded[0] != unknown and encoded[0] not in ids:
            ids.append(encoded[0])
    return ids
