"""LlamaCppPolicy: the embedded GGUF served in-process by llama.cpp, with exact token ids.

The transformers path (:class:`~pr2_agent.policy.local.LocalPolicy`) re-encodes the whole prompt and
trajectory on every turn; llama.cpp keeps the key/value cache of the sequence it last decoded and
reuses its longest common prefix, so a trajectory's next turn prefills only the text the graph
inserted. On two CPU cores that is about ten times the tokens per second of the transformers path.

Prompts are built by the same :class:`~pr2_agent.policy.encoding.RequestEncoder` as every other
local backend (the model's own Hugging Face tokenizer and chat template), and the ids llama.cpp
samples are returned as they are, so trajectories served here carry the token ids training needs.
Requests run one after another (llama.cpp's Python API decodes one sequence at a time); with a
single sequence the prefix cache is what makes multi-turn rollouts cheap.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pr2_agent.policy.base import FinishReason, Generation, GenerationRequest, validate_request
from pr2_agent.policy.encoding import EncodesRequests, RequestEncoder
from pr2_agent.policy.streaming import IncrementalDecoder, token_stream
from pr2_agent.weights import end_of_turn_ids

DEFAULT_CONTEXT_TOKENS = 8192
"""llama.cpp context window: the prompt plus a whole trajectory (three searches and their information)."""
_STOP_TAIL_TOKENS = 16
"""Stop strings are looked for in the decode of this many trailing tokens (a tag is a few tokens)."""


def llama_cpp_available() -> bool:
    """Whether llama-cpp-python is installed (``pip install 'pr2-agent[llamacpp]'``)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


class LlamaCppPolicy(EncodesRequests):
    """The ``Policy`` interface over an in-process ``llama_cpp.Llama``.

    Args:
        gguf: The model's GGUF file.
        tokenizer_dir: A directory with the same model's Hugging Face tokenizer and chat template (the
            converted checkpoint of an embedded model): prompts and inserted text are tokenized by it.
        n_ctx: Context window in tokens.
        seed: Sampling seed (None: llama.cpp's default).
        n_threads: CPU threads (default: ``PR2_THREADS`` or every core).
        name: Shown in logs and reports.
    """

    def __init__(
        self,
        gguf: Path,
        tokenizer_dir: Path,
        *,
        n_ctx: int = DEFAULT_CONTEXT_TOKENS,
        seed: int | None = None,
        n_threads: int | None = None,
        name: str | None = None,
    ) -> None:
        """Load the GGUF and the tokenizer."""
        from llama_cpp import Llama
        from transformers import AutoTokenizer

        if not Path(gguf).is_file():
            raise FileNotFoundError(f"{gguf} is not a GGUF file; run `pr2 setup` to fetch the embedded model.")
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir, local_files_only=True)
        if getattr(self.tokenizer, "chat_template", None) is None:
            raise ValueError(f"the tokenizer in {tokenizer_dir} has no chat template, so prompts cannot be built.")
        threads = n_threads or int(os.environ.get("PR2_THREADS", "0")) or os.cpu_count() or 1
        kwargs: dict[str, Any] = {"n_ctx": n_ctx, "n_threads": threads, "n_threads_batch": threads, "verbose": False}
        if seed is not None:
            kwargs["seed"] = seed
        self.llm = Llama(model_path=str(gguf), **kwargs)
        # Free the native model before interpreter teardown (its finalizer fails once ctypes is gone).
        atexit.register(self.llm.close)
        if self.llm.n_vocab() != len(self.tokenizer):
            raise ValueError(
                f"{gguf} has {self.llm.n_vocab()} tokens but the tokenizer in {tokenizer_dir} has "
                f"{len(self.tokenizer)}: they are not the same model, so token ids would not match."
            )
        self.n_ctx = n_ctx
        self.name = name or Path(gguf).stem
        self.eos_token_ids = sorted({*end_of_turn_ids(self.tokenizer), int(self.llm.token_eos())})
        self._encoder = RequestEncoder(self.tokenizer)
        self._lock = threading.Lock()

    # Tokenization (encode, prompt_ids, input_ids) comes from EncodesRequests.

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Answer each request in order (one sequence at a time; the prefix cache carries over turns)."""
        return [self.generate(r) for r in requests]

    def generate(self, request: GenerationRequest) -> Generation:
        """Produce the next segment for one trajectory."""
        validate_request(request)
        prompt, ids = self.input_ids(request)
        if len(ids) + request.max_new_tokens > self.n_ctx:
            raise ValueError(
                f"prompt plus trajectory is {len(ids)} tokens and the turn may add {request.max_new_tokens}, beyond "
                f"llama.cpp's context of {self.n_ctx}; lower max_new_tokens or max_searches, or raise n_ctx."
            )
        with token_stream(self.name, request.messages) as sink:
            decoder = None if sink is None else IncrementalDecoder(self.tokenizer, sink)
            sampled, reason = self._sample(request, ids, decoder)
            if decoder is not None:
                decoder.flush()
        text = str(self.tokenizer.decode(sampled, skip_special_tokens=True))
        return Generation(text=text, token_ids=sampled, prompt_ids=prompt, finish_reason=reason)

    def _sample(
        self, request: GenerationRequest, ids: list[int], decoder: IncrementalDecoder | None
    ) -> tuple[list[int], FinishReason]:
        """Sample the turn token by token; each kept token goes to ``decoder`` (streaming) as it comes."""
        sampled: list[int] = []
        reason: FinishReason = "length"
        greedy = request.temperature <= 0
        with self._lock:
            tokens = self.llm.generate(
                ids,
                temp=0.0 if greedy else float(request.temperature),
                top_p=1.0 if greedy else float(request.top_p),
                top_k=0,  # pure nucleus sampling, as the transformers path and TRL
                min_p=0.0,
                repeat_penalty=1.0,
            )
            for token in tokens:
                if token in self.eos_token_ids:
                    reason = "eos"
                    break
                sampled.append(int(token))
                if decoder is not None:
                    decoder.push([int(token)])
                if request.stop and self._hit_stop(sampled, request.stop):
                    reason = "stop"
                    break
                if len(sampled) >= request.max_new_tokens:
                    break
        return sampled, reason

    def _hit_stop(self, sampled: list[int], stop: tuple[str, ...]) -> bool:
        tail = str(self.tokenizer.decode(sampled[-_STOP_TAIL_TOKENS:], skip_special_tokens=True))
        return any(s in tail for s in stop)
