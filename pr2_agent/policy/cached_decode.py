"""Batched decoding that starts each row from its cached prefix (``PrefixKVCache``).

``model.generate`` re-reads every row's whole input on every call. Here each row's cached keys and
values are laid side by side, left-padded to a common length, and only the tokens after the cached
prefix are fed (themselves left-padded); explicit position ids keep every token at its true position,
so padding in the middle changes nothing the model sees. Rows sharing a prompt that is not cached yet
(the G rollouts of one question) get it read once, in a first pass, before their own tokens.

Sampling matches ``generate`` with the same settings: greedy argmax, or temperature then nucleus
(top-p) filtering and a multinomial draw from the global torch RNG, which the caller seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from transformers import DynamicCache, TemperatureLogitsWarper, TopPLogitsWarper

from pr2_agent.policy.kv_cache import Hit, LayerKV, PrefixKVCache


class RowStopper(Protocol):
    """Per-row stopping, like a transformers StoppingCriteria that remembers where each row ended."""

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any) -> torch.BoolTensor:
        """Return, per row, whether it has finished (given the sequences so far and the last scores)."""
        ...

    def finished(self, row: int) -> tuple[int, Any]:
        """Return (tokens the row generated, why it ended)."""
        ...


@dataclass(frozen=True)
class Sampling:
    """How the next token is chosen (``do_sample=False``: greedy)."""

    do_sample: bool
    temperature: float
    top_p: float


def supports_prefix_reuse(model: Any) -> bool:
    """Whether ``model``'s cache is a plain per-layer key/value cache this module can splice."""
    config = getattr(model, "config", None)
    if config is None or getattr(config, "is_encoder_decoder", False):
        return False
    # Sliding-window and hybrid caches (Mistral, Gemma 2/3, Qwen2 with sliding layers) keep less than
    # the whole prefix, so a spliced cache would not be what the model expects.
    if getattr(config, "sliding_window", None) and getattr(config, "use_sliding_window", True):
        return False
    return not getattr(config, "layer_types", None) or set(config.layer_types) <= {"full_attention"}


def decode(
    model: Any,
    rows: Sequence[Sequence[int]],
    *,
    prompts: Sequence[Sequence[int]],
    cache: PrefixKVCache,
    sampling: Sampling,
    max_new_tokens: int,
    pad_token_id: int,
    stop: RowStopper,
) -> tuple[torch.Tensor, int]:
    """Generate after each row of ``rows``; return ``(sequences, width)`` like ``generate`` does.

    ``sequences`` is ``[len(rows), width + steps]``: the inputs left-padded to ``width`` followed by
    the sampled tokens (rows that stopped early continue with padding). Each row's states (its input
    and sampled tokens but the last) are stored in ``cache`` for its next turn.

    Args:
        rows: Each row's full input ids (prompt plus the trajectory so far).
        prompts: Each row's prompt ids (a prefix of its row), read once per distinct prompt.
    """
    device = next(model.parameters()).device
    _read_shared_prompts(model, rows, prompts, cache, device)
    hits = [cache.lookup(ids, limit=len(ids) - 1) for ids in rows]
    width = max(len(ids) for ids in rows)
    batch = len(rows)
    past_len = max(h.length for h in hits)
    new_len = max(len(ids) - h.length for ids, h in zip(rows, hits, strict=True))

    sequences = torch.full((batch, width), pad_token_id, dtype=torch.long)
    inputs = torch.full((batch, new_len), pad_token_id, dtype=torch.long)
    positions = torch.zeros((batch, new_len), dtype=torch.long)
    mask = torch.zeros((batch, past_len + new_len), dtype=torch.long)
    for r, (ids, hit) in enumerate(zip(rows, hits, strict=True)):
        sequences[r, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
        fresh = ids[hit.length :]
        inputs[r, new_len - len(fresh) :] = torch.tensor(fresh, dtype=torch.long)
        positions[r, new_len - len(fresh) :] = torch.arange(hit.length, len(ids))
        mask[r, past_len - hit.length : past_len] = 1
        mask[r, past_len + new_len - len(fresh) :] = 1
    past = _stack_hits(hits, past_len, model, device)

    warpers = _warpers(sampling)
    next_positions = torch.tensor([len(ids) for ids in rows], dtype=torch.long)
    step_input = inputs
    step_positions = positions
    sampled: list[torch.Tensor] = []
    done = torch.zeros(batch, dtype=torch.bool)
    with torch.inference_mode():
        for step in range(max_new_tokens):
            out = model(
                input_ids=step_input.to(device),
                attention_mask=mask.to(device),
                position_ids=step_positions.to(device),
                past_key_values=past,
                use_cache=True,
            )
            past = out.past_key_values
            scores = out.logits[:, -1, :].float().cpu()
            token = _choose(scores, sequences, warpers, sampling)
            token = torch.where(done, torch.full_like(token, pad_token_id), token)
            sampled.append(token)
            sequences = torch.cat([sequences, token[:, None]], dim=1)
            done = done | stop(sequences, scores).cpu()  # type: ignore[arg-type]
            if bool(done.all()) or step == max_new_tokens - 1:
                break
            step_input = token[:, None]
            step_positions = next_positions[:, None].clone()
            next_positions += 1
            mask = torch.cat([mask, torch.ones((batch, 1), dtype=torch.long)], dim=1)
    _store_rows(cache, rows, hits, sampled, past, past_len, new_len, [stop.finished(r)[0] for r in range(batch)])
    return sequences, width


def _read_shared_prompts(
    model: Any,
    rows: Sequence[Sequence[int]],
    prompts: Sequence[Sequence[int]],
    cache: PrefixKVCache,
    device: torch.device,
) -> None:
    """Read each distinct uncached prompt once (left-padded together) and cache its states."""
    todo: list[tuple[int, ...]] = []
    for prompt in dict.fromkeys(tuple(p) for p in prompts):
        # Shorter than two tokens leaves nothing worth caching (the last one is always fed anyway).
        if len(prompt) >= 2 and cache.lookup(prompt, limit=len(prompt)).length < len(prompt) - 1:
            todo.append(prompt)
    if not todo:
        return
    width = max(len(p) for p in todo)
    ids = torch.zeros((len(todo), width), dtype=torch.long)
    mask = torch.zeros((len(todo), width), dtype=torch.long)
    positions = torch.zeros((len(todo), width), dtype=torch.long)
    for r, prompt in enumerate(todo):
        ids[r, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
        mask[r, width - len(prompt) :] = 1
        positions[r, width - len(prompt) :] = torch.arange(len(prompt))
    with torch.inference_mode():
        out = model(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            position_ids=positions.to(device),
            past_key_values=DynamicCache(config=model.config),
            use_cache=True,
            logits_to_keep=1,
        )
    layers = _layers(out.past_key_values)
    for r, prompt in enumerate(todo):
        keep = slice(width - len(prompt), width)
        cache.store(prompt, [(k[r : r + 1, :, keep], v[r : r + 1, :, keep]) for k, v in layers])


def _stack_hits(hits: Sequence[Hit], past_len: int, model: Any, device: torch.device) -> DynamicCache:
    """One batch cache from per-row hits, each left-padded (zeros, masked) to ``past_len``."""
    cache = DynamicCache(config=model.config)
    if past_len == 0:
        return cache
    template = next(h for h in hits if h.length).layers
    per_layer: list[tuple[torch.Tensor, torch.Tensor]] = []
    for layer, (k0, v0) in enumerate(template):
        keys = k0.new_zeros((len(hits), k0.shape[1], past_len, k0.shape[3]))
        values = v0.new_zeros((len(hits), v0.shape[1], past_len, v0.shape[3]))
        for r, hit in enumerate(hits):
            if hit.length:
                k, v = hit.layers[layer]
                keys[r, :, past_len - hit.length :] = k[0]
                values[r, :, past_len - hit.length :] = v[0]
        per_layer.append((keys.to(device), values.to(device)))
    return DynamicCache(ddp_cache_data=per_layer, config=model.config)


def _store_rows(
    cache: PrefixKVCache,
    rows: Sequence[Sequence[int]],
    hits: Sequence[Hit],
    sampled: list[torch.Tensor],
    past: Any,
    past_len: int,
    new_len: int,
    lengths: Sequence[int],
) -> None:
    """Cache each row's states: its input plus its own sampled tokens but the last (never fed)."""
    layers = _layers(past)
    fed = len(sampled) - 1  # the last sampled token was never fed
    for r, (ids, hit) in enumerate(zip(rows, hits, strict=True)):
        own = [int(t[r]) for t in sampled[: min(fed, lengths[r] - 1)]]
        fresh = len(ids) - hit.length
        index = torch.cat(
            [
                torch.arange(past_len - hit.length, past_len),
                torch.arange(past_len + new_len - fresh, past_len + new_len + fed),
            ]
        )
        index = index[: len(ids) + len(own)]
        kept: list[LayerKV] = []
        for k, v in layers:
            idx = index.to(k.device)
            kept.append((k[r : r + 1].index_select(2, idx), v[r : r + 1].index_select(2, idx)))
        cache.store(list(ids) + own, kept)


def _layers(past: Any) -> list[LayerKV]:
    return [(layer.keys, layer.values) for layer in past.layers]


def _warpers(sampling: Sampling) -> list[Any]:
    if not sampling.do_sample:
        return []
    warpers: list[Any] = []
    if sampling.temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(sampling.temperature))
    if sampling.top_p < 1.0:
        warpers.append(TopPLogitsWarper(sampling.top_p))
    return warpers


def _choose(scores: torch.Tensor, sequences: torch.Tensor, warpers: list[Any], sampling: Sampling) -> torch.Tensor:
    if not sampling.do_sample:
        return scores.argmax(dim=-1)
    for warp in warpers:
        scores = warp(sequences, scores)
    probs = torch.softmax(scores, dim=-1)
    return torch.multinomial(probs, num_samples=1).squeeze(1)
