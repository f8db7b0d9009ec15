"""LocalPolicy: a transformers causal LM that returns the exact token ids it sampled.

The prompt is the tokenizer's chat template over ``request.messages`` (with the generation prompt);
the completion so far is fed back as the concatenation of the segments' own ids, never as re-tokenized
text, so what the model conditions on is exactly what a trainer will later score.

``generate_batch`` runs one left-padded ``model.generate`` for all requests that share sampling
settings (do_sample, temperature, top_p). Stopping is decided per row by one criterion that combines
transformers' ``StopStringCriteria`` (each row with its own stop strings), the EOS ids and the row's own
``max_new_tokens``; it records where and why each row finished, so rows are cut exactly and never by
guessing from padding.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList, StopStringCriteria
from transformers.generation.streamers import BaseStreamer

from pr2_agent.policy.base import FinishReason, Generation, GenerationRequest, validate_request
from pr2_agent.policy.cached_decode import Sampling, decode, supports_prefix_reuse
from pr2_agent.policy.encoding import EncodesRequests, RequestEncoder, eos_token_ids
from pr2_agent.policy.kv_cache import DEFAULT_MAX_TOKENS, PrefixKVCache, weights_signature
from pr2_agent.policy.streaming import IncrementalDecoder, token_stream

logger = logging.getLogger(__name__)

SamplingKey = tuple[bool, float, float]


class LocalPolicy(EncodesRequests):
    """A local transformers model behind the ``Policy`` interface, with exact token ids.

    Args:
        source: A checkpoint directory, or a ``(model, tokenizer)`` pair already in memory.
        device: Where to load a checkpoint directory (ignored for a pair: the model stays where it is).
        seed: Makes sampling reproducible: call ``k`` of ``generate_batch`` samples with a generator
            state derived from ``(seed, k)``. The process-wide torch RNG is left untouched.
        name: Shown in logs and exported trajectories; defaults to the directory name.
        kv_cache_tokens: Tokens of key/value states kept between turns, so a trajectory's next turn
            (and the rollouts that share a prompt) read only new tokens; 0 re-reads every input with
            ``model.generate``. Models whose cache cannot be spliced (sliding windows) always do.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | tuple[Any, Any],
        *,
        device: str = "cpu",
        seed: int | None = None,
        name: str | None = None,
        kv_cache_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        """Load a checkpoint directory or wrap an in-memory ``(model, tokenizer)`` pair."""
        if isinstance(source, tuple):
            if len(source) != 2:
                raise TypeError(f"LocalPolicy expects a (model, tokenizer) pair, got a tuple of {len(source)}.")
            model, tokenizer = source
            default_name = str(getattr(model.config, "_name_or_path", "") or type(model).__name__)
        else:
            model, tokenizer = _load_checkpoint(Path(source), device)
            default_name = Path(source).name
        if not callable(getattr(model, "generate", None)):
            raise TypeError(f"{type(model).__name__} has no generate(): pass a transformers causal LM.")
        if getattr(tokenizer, "chat_template", None) is None:
            raise ValueError(
                f"The tokenizer of {default_name!r} has no chat template, so prompts cannot be built. "
                "Use an instruct/chat checkpoint, or set tokenizer.chat_template before wrapping it."
            )
        self.model = model
        self.tokenizer = tokenizer
        self.name = name or default_name
        self.seed = seed
        self.eos_token_ids = eos_token_ids(model, tokenizer)
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_token_ids[0]
        self._lock = threading.RLock()
        self._calls = 0
        self._encoder = RequestEncoder(tokenizer)
        self._stop_criteria: dict[tuple[str, ...], StopStringCriteria] = {}
        reuse = kv_cache_tokens > 0 and supports_prefix_reuse(model)
        self.kv_cache: PrefixKVCache | None = PrefixKVCache(kv_cache_tokens) if reuse else None

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any, *, seed: int | None = None, name: str | None = None) -> LocalPolicy:
        """Wrap a model object that lives elsewhere (e.g. the one a trainer is optimising)."""
        return cls((model, tokenizer), seed=seed, name=name)

    @property
    def eos_token_id(self) -> int:
        """The tokenizer's EOS id (``eos_token_ids`` lists every id that ends a turn)."""
        eos = self.tokenizer.eos_token_id
        return int(eos) if eos is not None else self.eos_token_ids[0]

    @property
    def device(self) -> torch.device:
        """Device of the model's parameters."""
        return next(self.model.parameters()).device

    # Tokenization (encode, prompt_ids, input_ids) comes from EncodesRequests.

    # ----------------------------------------------------------------------------------------------
    # Generation

    def generate(self, request: GenerationRequest) -> Generation:
        """Produce the next segment for one trajectory, streaming its tokens to a listening LangGraph run.

        Inside ``graph.stream(..., stream_mode="messages")`` each decoded piece is reported as it is
        sampled (see ``pr2_agent.policy.streaming``); ``generate_batch`` does not stream.
        """
        with token_stream(self.name, request.messages) as sink:
            if sink is None:
                return self.generate_batch([request])[0]
            validate_request(request)
            streamer = _SinkStreamer(IncrementalDecoder(self.tokenizer, sink))
            with self._lock:
                call = self._calls
                self._calls += 1
                gens = self._generate_group([request], _sampling_key(request), seed_offset=(call, 0), streamer=streamer)
            return gens[0]

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Produce the next segment for each request, batching rows that share sampling settings.

        Requests with different ``max_new_tokens`` or stop strings still share one ``generate`` call;
        requests with different (do_sample, temperature, top_p) run as separate calls, in order of
        first appearance.
        """
        if not requests:
            return []
        for r in requests:
            validate_request(r)
        groups: dict[SamplingKey, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(_sampling_key(r), []).append(i)
        results: list[Generation | None] = [None] * len(requests)
        with self._lock:
            call = self._calls
            self._calls += 1
            for group_no, (key, rows) in enumerate(groups.items()):
                gens = self._generate_group([requests[i] for i in rows], key, seed_offset=(call, group_no))
                for i, gen in zip(rows, gens, strict=True):
                    results[i] = gen
        return [g for g in results if g is not None]

    def _generate_group(
        self,
        requests: list[GenerationRequest],
        key: SamplingKey,
        *,
        seed_offset: tuple[int, int],
        streamer: BaseStreamer | None = None,
    ) -> list[Generation]:
        prompts, inputs = zip(*(self.input_ids(r) for r in requests), strict=True)
        width = max(len(ids) for ids in inputs)
        limit = getattr(self.model.config, "max_position_embeddings", None)
        max_new = max(r.max_new_tokens for r in requests)
        if limit is not None and width + max_new > limit:
            longest = max(range(len(inputs)), key=lambda i: len(inputs[i]))
            raise ValueError(
                f"Prompt plus completion so far is {len(inputs[longest])} tokens and max_new_tokens is "
                f"{requests[longest].max_new_tokens}, beyond the model's context of {limit} tokens. Shorten "
                "the prompt or the inserted information (fewer/shorter retrieved items), or lower "
                "max_new_tokens."
            )
        device = self.device
        input_ids = torch.full((len(inputs), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, ids in enumerate(inputs):
            input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, width - len(ids) :] = 1
        do_sample, temperature, top_p = key
        config = GenerationConfig(
            max_new_tokens=max_new,
            do_sample=do_sample,
            temperature=temperature if do_sample else None,
            top_p=top_p if do_sample else None,
            top_k=0 if do_sample else None,  # pure nucleus sampling, like TRL (transformers defaults to 50)
            repetition_penalty=1.0,
            eos_token_id=self.eos_token_ids,
            pad_token_id=self.pad_token_id,
            use_cache=True,
        )
        stopper = _RowStopper(
            prompt_width=width,
            max_new_tokens=[r.max_new_tokens for r in requests],
            stop_criteria=[self._stop_criterion(r.stop) for r in requests],
            eos_ids=self.eos_token_ids,
        )
        was_training = bool(getattr(self.model, "training", False))
        self.model.eval()
        try:
            with torch.inference_mode(), _seeded(self.seed, seed_offset):
                if self.kv_cache is not None and streamer is None:  # streamed turns go through generate
                    self.kv_cache.validate(weights_signature(self.model))
                    sequences, _ = decode(
                        self.model,
                        inputs,
                        prompts=prompts,
                        cache=self.kv_cache,
                        sampling=Sampling(do_sample, temperature, top_p),
                        max_new_tokens=max_new,
                        pad_token_id=self.pad_token_id,
                        stop=stopper,
                    )
                else:
                    sequences = self.model.generate(
                        input_ids=input_ids.to(device),
                        attention_mask=attention_mask.to(device),
                        generation_config=config,
                        stopping_criteria=StoppingCriteriaList([stopper]),
                        streamer=streamer,
                    )
        finally:
            if was_training:
                self.model.train()
        sequences = sequences.to("cpu")
        out: list[Generation] = []
        for row, prompt in enumerate(prompts):
            length, reason = stopper.finished(row)
            ids = [int(t) for t in sequences[row, width : width + length]]
            if reason == "eos":
                ids = ids[:-1]  # the EOS token itself is not part of the segment
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            out.append(Generation(text=text, token_ids=ids, prompt_ids=list(prompt), finish_reason=reason))
        return out

    def _stop_criterion(self, stop: tuple[str, ...]) -> StopStringCriteria | None:
        if not stop:
            return None
        # Building one scans the whole vocabulary, so each distinct stop tuple is built once.
        criterion = self._stop_criteria.get(stop)
        if criterion is None:
            criterion = StopStringCriteria(tokenizer=self.tokenizer, stop_strings=list(stop))
            self._stop_criteria[stop] = criterion
        return criterion


class _SinkStreamer(BaseStreamer):
    """transformers' per-step streamer hook, feeding sampled ids (not the prompt) to a decoder."""

    def __init__(self, decoder: IncrementalDecoder) -> None:
        self.decoder = decoder
        self._prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:  # generate() first hands over the prompt ids
            self._prompt_seen = True
            return
        self.decoder.push([int(t) for t in value.reshape(-1).tolist()])

    def end(self) -> None:
        self.decoder.flush()


class _RowStopper(StoppingCriteria):
    """Per-row stopping: own stop strings, EOS, own ``max_new_tokens``; remembers where each row ended."""

    def __init__(
        self,
        *,
        prompt_width: int,
        max_new_tokens: list[int],
        stop_criteria: list[StopStringCriteria | None],
        eos_ids: list[int],
    ) -> None:
        self._width = prompt_width
        self._max_new = max_new_tokens
        self._stops = stop_criteria
        self._eos = torch.tensor(eos_ids, dtype=torch.long)
        self._ended: list[tuple[int, FinishReason] | None] = [None] * len(max_new_tokens)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any) -> torch.BoolTensor:
        n_new = input_ids.shape[1] - self._width
        done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        last = input_ids[:, -1].cpu()
        is_eos = torch.isin(last, self._eos)
        hit_stop = torch.zeros_like(is_eos)
        # One StopStringCriteria call per distinct stop tuple, over the rows that use it.
        by_criterion: dict[int, tuple[StopStringCriteria, list[int]]] = {}
        for row, crit in enumerate(self._stops):
            if crit is not None and self._ended[row] is None:
                by_criterion.setdefault(id(crit), (crit, []))[1].append(row)
        for crit, rows in by_criterion.values():
            hit_stop[rows] = crit(input_ids[rows], scores).cpu()
        for row in range(input_ids.shape[0]):
            if self._ended[row] is None:
                if is_eos[row]:
                    self._ended[row] = (n_new, "eos")
                elif hit_stop[row]:
                    self._ended[row] = (n_new, "stop")
                elif n_new >= self._max_new[row]:
                    self._ended[row] = (n_new, "length")
            done[row] = self._ended[row] is not None
        return done  # type: ignore[return-value]

    def finished(self, row: int) -> tuple[int, FinishReason]:
        """Return (number of generated tokens kept for the row, why it ended)."""
        ended = self._ended[row]
        if ended is None:
            # generate() stopped the whole batch without this criterion firing for the row
            # (its own max length check); every sampled token is kept.
            return self._max_new[row], "length"
        return ended


@contextlib.contextmanager
def _seeded(seed: int | None, offset: tuple[int, int]) -> Iterator[None]:
    """Fork the torch RNG and seed it from ``(seed, offset)``; a no-op when seed is None."""
    if seed is None:
        yield
        return
    call, group = offset
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed((seed * 1_000_003 + call * 1_009 + group) % (2**63))
        yield


def _load_checkpoint(path: Path, device: str) -> tuple[Any, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"{path} is not a transformers checkpoint directory (no config.json). Pass a directory written "
            "by save_pretrained (e.g. a trainer's output), or an embedded model name such as 'smollm2-135m'."
        )
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, local_files_only=True)
    model.to(device)
    model.eval()
    return model, tokenizer


def _sampling_key(r: GenerationRequest) -> SamplingKey:
    if r.temperature > 0:
        return (True, float(r.temperature), float(r.top_p))
    return (False, 0.0, 1.0)
