"""VLLMPolicy: the graph's policy on TRL's vLLM engine, for GRPO with ``use_vllm: true``.

TRL syncs the training weights into vLLM before it calls ``rollout_func``; inside it, the graph runs
as usual and every batched reasoning step (``BatchingPolicy``) becomes one call of
``trainer.vllm_generation.generate(prompts=[ids, ...], images=None, num_generations=1)``.

That method reads its budget and sampling settings from attributes (``max_completion_length`` as
vLLM's ``max_tokens``, ``temperature``, ``top_p``) and merges ``generation_kwargs`` into vLLM's
``SamplingParams`` (colocate) or the server request (server). For the duration of one call the policy
sets them to the graph request's values (its ``max_new_tokens``, its stop tags, the end-of-turn ids
LocalPolicy stops at) and restores them afterwards. Stopping inside vLLM rather than truncating
afterwards is the faithful choice: vLLM returns exactly the ids it sampled, up to and including the
token that completed the stop string (it cuts only its own text, which is not used here), so the ids
match LocalPolicy's, and no compute is spent sampling past ``</search>``. A cut at the first stop tag
remains as a safety net for engines that emit several tokens per step (speculative decoding).

Sampling: the graph's requests carry the GRPOConfig's temperature and top_p (``GraphRollout`` builds
them from ``args.temperature`` / ``args.top_p``), which are also what TRL configured vLLM with, so the
per-call values equal the configured ones during training. ``top_k``, ``min_p`` and
``repetition_penalty`` are not part of a request: LocalPolicy samples with them off, so
:func:`vllm_rollout_problems` requires their neutral values and both paths sample the same way.

Collectives: in server mode ``generate`` gathers the prompts of every process, and in colocate mode
with ``vllm_tensor_parallel_size > 1`` of every process in the group, so each process would have to
call it equally often; the graph's turns per process differ. Hence colocate mode with tensor
parallel size 1 (any number of processes), or server mode with one training process.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from pr2_agent.policy.base import FinishReason, Generation, GenerationRequest, validate_request
from pr2_agent.policy.encoding import EncodesRequests, RequestEncoder
from pr2_agent.policy.encoding import eos_token_ids as turn_end_ids
from pr2_agent.trajectory import SegmentLogprobs

_PER_CALL_ATTRIBUTES = ("max_completion_length", "temperature", "top_p", "generation_kwargs")
POLICY_SAMPLING_KEYS = frozenset(
    {"n", "max_tokens", "min_tokens", "temperature", "top_p", "top_k", "min_p", "repetition_penalty"}
    | {"stop", "stop_token_ids", "include_stop_str_in_output", "ignore_eos"}
)
"""Sampling keys the policy decides per request; ``generation_kwargs`` must not override them."""

GroupKey = tuple[int, tuple[str, ...], float, float]


class VLLMPolicy(EncodesRequests):
    """The ``Policy`` interface over TRL's ``VLLMGeneration`` (``trainer.vllm_generation``).

    Args:
        generation: The trainer's ``vllm_generation``, already holding the current weights.
        tokenizer: The trainer's tokenizer; its chat template builds the prompts, as in LocalPolicy.
        eos_token_ids: Ids that end a turn; default: LocalPolicy's (the tokenizer's end-of-turn tokens
            plus the model's ``generation_config.eos_token_id``).
        name: Shown in logs; defaults to ``vllm:<model name>``.
    """

    def __init__(
        self,
        generation: Any,
        tokenizer: Any,
        *,
        eos_token_ids: Sequence[int] | None = None,
        name: str | None = None,
    ) -> None:
        """Wrap ``generation``; raises if its ``generation_kwargs`` would override a request's settings."""
        clashes = sorted(POLICY_SAMPLING_KEYS & set(getattr(generation, "generation_kwargs", None) or {}))
        if clashes:
            raise ValueError(_generation_kwargs_problem(clashes) + ".")
        if getattr(tokenizer, "chat_template", None) is None:
            raise ValueError("The tokenizer has no chat template, so prompts cannot be built: set one first.")
        model = getattr(generation, "model", None)
        self.generation = generation
        self.tokenizer = tokenizer
        self.eos_token_ids = list(eos_token_ids) if eos_token_ids is not None else turn_end_ids(model, tokenizer)
        model_name = getattr(getattr(model, "config", None), "_name_or_path", "") or "model"
        self.name = name or f"vllm:{model_name}"
        self.calls = 0
        """``vllm_generation.generate`` calls made so far."""
        self._lock = threading.Lock()
        self._encoder = RequestEncoder(tokenizer)

    # ----------------------------------------------------------------------------------------------
    # Tokenization (encode, prompt_ids, input_ids) comes from EncodesRequests, shared with LocalPolicy.

    # ----------------------------------------------------------------------------------------------
    # Generation

    def generate(self, request: GenerationRequest) -> Generation:
        """Produce the next segment for one trajectory."""
        return self.generate_batch([request])[0]

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Produce the next segment for each request: one vLLM call per distinct budget/stop/sampling.

        A reasoning step of the graph is usually one call; a step that mixes ``reason`` turns with
        forced answers (which stop only at ``</answer>``) is two.
        """
        for r in requests:
            validate_request(r)
        groups: dict[GroupKey, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(_group_key(r), []).append(i)
        results: list[Generation | None] = [None] * len(requests)
        with self._lock:
            for key, rows in groups.items():
                for i, gen in zip(rows, self._generate_group([requests[i] for i in rows], key), strict=True):
                    results[i] = gen
        return [g for g in results if g is not None]

    def _generate_group(self, requests: list[GenerationRequest], key: GroupKey) -> list[Generation]:
        max_new, stop, temperature, top_p = key
        prompts, inputs = zip(*(self.input_ids(r) for r in requests), strict=True)
        limit = getattr(self.generation, "max_model_length", None)
        longest = max(len(ids) for ids in inputs)
        if limit is not None and longest + max_new > limit:
            raise ValueError(
                f"Prompt plus completion so far is {longest} tokens and max_new_tokens is {max_new}, beyond "
                f"vllm_max_model_length={limit}. Raise vllm_max_model_length, or shorten the inserted "
                "information (fewer/shorter retrieved items) or the turn budget (context.max_new_tokens)."
            )
        with self._call_settings(max_new, stop, temperature, top_p):
            _, completions, logprobs, _ = self.generation.generate(
                prompts=[list(ids) for ids in inputs], images=None, num_generations=1
            )
        self.calls += 1
        if len(completions) != len(requests):
            raise RuntimeError(f"vLLM returned {len(completions)} completions for {len(requests)} prompts.")
        out = []
        for row, prompt in enumerate(prompts):
            sampled = [int(t) for t in completions[row]]
            row_logprobs = [lp[0] if lp else None for lp in logprobs[row]] if logprobs is not None else None
            out.append(self._finish(sampled, row_logprobs, stop, list(prompt)))
        return out

    @contextlib.contextmanager
    def _call_settings(self, max_new: int, stop: tuple[str, ...], temperature: float, top_p: float) -> Iterator[None]:
        """Set one request group's budget, stop strings and sampling on the engine; restore them after."""
        gen = self.generation
        saved = {name: getattr(gen, name) for name in _PER_CALL_ATTRIBUTES}
        gen.max_completion_length = max_new
        gen.temperature = temperature
        gen.top_p = top_p
        gen.generation_kwargs = {
            **(saved["generation_kwargs"] or {}),
            "stop": list(stop),
            "include_stop_str_in_output": True,  # the tag stays in the text, as with LocalPolicy
            "stop_token_ids": list(self.eos_token_ids),  # stop at LocalPolicy's end-of-turn ids too
        }
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(gen, name, value)

    def _finish(
        self, sampled: list[int], logprobs: list[float | None] | None, stop: tuple[str, ...], prompt: list[int]
    ) -> Generation:
        """Cut the sampled ids where LocalPolicy would have stopped, name the reason, keep the logprobs."""
        eos_at = next((i for i, t in enumerate(sampled) if t in self.eos_token_ids), None)
        stop_len = self._stop_length(sampled[:eos_at] if eos_at is not None else sampled, stop)
        reason: FinishReason
        end, end_id = None, None
        if stop_len is not None:
            ids, reason = sampled[:stop_len], "stop"
        elif eos_at is not None:
            ids, reason = sampled[:eos_at], "eos"  # the end-of-turn token is not part of the segment
            end, end_id = (logprobs[eos_at] if logprobs is not None else None), sampled[eos_at]
        else:
            ids, reason = sampled, "length"
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        kept: SegmentLogprobs | None = None
        if logprobs is not None:
            kept = {"tokens": logprobs[: len(ids)], "end": end, "end_token_id": end_id}
        return Generation(text=text, token_ids=ids, prompt_ids=prompt, finish_reason=reason, logprobs=kept)

    def _stop_length(self, ids: list[int], stop: tuple[str, ...]) -> int | None:
        """Length of the shortest prefix of ``ids`` whose text contains a stop string, or None."""

        def has_stop(n: int) -> bool:
            text = self.tokenizer.decode(ids[:n], skip_special_tokens=True)
            return any(s in text for s in stop)

        if not stop or not has_stop(len(ids)):
            return None
        if not has_stop(len(ids) - 1):
            return len(ids)  # the usual case: vLLM stopped on the token that completed the tag
        lo, hi = 1, len(ids) - 1  # safety net: tokens past the tag (several tokens per engine step)
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if has_stop(mid) else (mid + 1, hi)
        return lo


def vllm_policy_factory(generation: Any, tokenizer: Any) -> VLLMPolicy:
    """``PolicyFactory`` for ``use_vllm=True``: wrap the trainer's ``vllm_generation``."""
    return VLLMPolicy(generation, tokenizer)


def vllm_rollout_problems(args: Any, num_processes: int) -> list[str]:
    """Return why ``args`` (a GRPOConfig with ``use_vllm``) cannot drive graph rollouts (empty: it can)."""
    problems = []
    mode = getattr(args, "vllm_mode", "colocate")
    if mode == "server" and num_processes > 1:
        problems.append(
            f"vllm_mode 'server' with {num_processes} training processes: TRL's generate gathers every "
            "process's prompts on each call, and the graph makes a different number of calls per process "
            "(turns differ), so the processes would deadlock. Use vllm_mode 'colocate' (one vLLM per GPU), "
            "or train with a single process against `trl vllm-serve`"
        )
    if mode == "colocate" and int(getattr(args, "vllm_tensor_parallel_size", 1)) > 1:
        problems.append(
            f"vllm_tensor_parallel_size {args.vllm_tensor_parallel_size} in colocate mode: generate then "
            "gathers the prompts of the tensor-parallel group on each call, and the graph's calls per "
            "process differ. Set vllm_tensor_parallel_size: 1, or use one training process with "
            "`trl vllm-serve --tensor_parallel_size N`"
        )
    if getattr(args, "vllm_enable_sleep_mode", False):
        problems.append(
            "vllm_enable_sleep_mode: vLLM drops its weights after every generate call, and the graph calls "
            "it once per reasoning step, so every turn would re-push the whole model. Set "
            "vllm_enable_sleep_mode: false (lower vllm_gpu_memory_utilization instead)"
        )
    if getattr(args, "vllm_structured_outputs_regex", None):
        problems.append(
            "vllm_structured_outputs_regex: one regex would constrain every turn, but a turn is free text "
            "that ends at a protocol tag. Unset it"
        )
    neutral = {"top_k": (0, None), "min_p": (0.0, None), "repetition_penalty": (1.0,)}
    for name, values in neutral.items():
        if getattr(args, name, values[0]) not in values:
            problems.append(
                f"{name} {getattr(args, name)!r}: the graph's requests carry only temperature and top_p, and "
                f"the non-vLLM path samples without {name}; set it to {values[0]!r} so both sample alike"
            )
    kwargs = getattr(args, "generation_kwargs", None)
    clashes = sorted(POLICY_SAMPLING_KEYS & set(kwargs)) if isinstance(kwargs, dict) else []
    if clashes:
        problems.append(_generation_kwargs_problem(clashes))
    return problems


def check_vllm_rollouts(args: Any, num_processes: int) -> None:
    """Raise ``ValueError`` listing every reason ``args`` cannot drive graph rollouts with vLLM."""
    problems = vllm_rollout_problems(args, num_processes)
    if problems:
        raise ValueError("use_vllm with the PR2 graph rollout: " + "; ".join(problems) + ".")


def _group_key(r: GenerationRequest) -> GroupKey:
    if r.temperature > 0:
        return (r.max_new_tokens, tuple(r.stop), float(r.temperature), float(r.top_p))
    return (r.max_new_tokens, tuple(r.stop), 0.0, 1.0)  # greedy


def _generation_kwargs_problem(clashes: list[str]) -> str:
    return (
        f"generation_kwargs sets {clashes}, which the graph decides per turn (its token budget, stop tags "
        "and sampling); remove them (the turn budget is max_turn_tokens, sampling is temperature/top_p)"
    )
