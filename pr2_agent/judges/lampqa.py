"""LaMP-QA's rubric judge against any OpenAI-compatible chat endpoint.

The protocol is the benchmark's own (``evaluation/evaluator.py``): the verbatim system prompt and
user template from :mod:`pr2_agent.prompts`, one chat call per (response, aspect), temperature
0.0 raised by 0.1 per unparseable reply (capped at 1.0), ``top_p`` 0.95, and a score of 0 for an
aspect whose replies never parse. An endpoint that cannot judge at all is an error, never a score:
a 200 reply that is not a chat completion, a body that stays malformed after bounded retries, and a
hung server (``timeout`` per call, not retried) all raise :class:`JudgeEndpointError`. Numbers are
comparable with published LaMP-QA results only when the served model is the paper's evaluator
(Qwen2.5-32B-Instruct); a small local model runs the same protocol but is a much weaker judge.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pr2_agent.judges.base import AspectJudgement, BaseJudge, JudgeItem, JudgeResult, RubricAspect
from pr2_agent.judges.match_score import parse_match_score
from pr2_agent.parsing import answer_text
from pr2_agent.prompts import LAMPQA_JUDGE_SYSTEM_PROMPT, LAMPQA_JUDGE_USER_TEMPLATE

if TYPE_CHECKING:
    from openai import OpenAI

logger = logging.getLogger(__name__)

MAX_TEMPERATURE = 1.0
_T = TypeVar("_T")
# (question, narrative, aspect, answer span): one judge prompt.
_Task = tuple[str, str, RubricAspect, str]


DEFAULT_TIMEOUT_S = 60.0
"""Seconds one judge call may take; a call that times out is not retried (a hung server stays hung)."""
RETRY_BACKOFF_S = 0.5
"""First pause before retrying a transient failure (doubles per retry)."""


class JudgeEndpointError(RuntimeError):
    """The judge endpoint could not be used (unreachable, wrong URL or model, server error, not a judge reply)."""


class _TransientReply(Exception):
    """A reply worth asking again for: a malformed body, an overloaded or failing server, a dropped connection."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final
        """The message is the whole error (not a reason to prefix with the attempt count)."""


def render_judge_messages(
    question: str, narrative: str, aspect: RubricAspect, response: str
) -> list[dict[str, str]]:
    """Build the exact LaMP-QA judge conversation for one (response, aspect)."""
    user = LAMPQA_JUDGE_USER_TEMPLATE.format(
        question=question,
        narrative=narrative,
        response=response,
        aspect=aspect.aspect,
        reason=aspect.reason,
        evidence=aspect.evidence,
    )
    return [
        {"role": "system", "content": LAMPQA_JUDGE_SYSTEM_PROMPT},
        {"role": "user", "content": user},
    ]


def temperature_schedule(max_retries: int, step: float = 0.1) -> list[float]:
    """Temperatures of the first attempt and each retry: 0.0, 0.1, ..., capped at 1.0.

    Example:
        >>> temperature_schedule(3)
        [0.0, 0.1, 0.2, 0.3]
    """
    return [round(min(i * step, MAX_TEMPERATURE), 6) for i in range(max_retries + 1)]


class LaMPQAJudge(BaseJudge):
    """The LaMP-QA protocol judge served by an OpenAI-compatible endpoint (vLLM, llama.cpp, an API).

    Holds configuration only; the HTTP client is created on first use and dropped when pickled, so
    the judge can be shipped to TRL reward workers.

    Args:
        base_url: Endpoint root including ``/v1``, e.g. ``http://127.0.0.1:8011/v1``.
        model: Model name sent with each request. None asks the server (``GET /v1/models``) and
            uses the first model it lists, which is what a single-model llama.cpp server wants.
        api_key: Sent as the bearer token; local servers accept anything.
        timeout: Seconds per judge call; a call that takes longer fails at once (no retry).
        max_retries: Extra attempts after an unparseable reply (LaMP-QA's fork uses 10). After the
            last one the aspect scores 0.
        max_tokens: Generation cap per call (the protocol uses 4096; a small cap keeps a rambling
            small model from stalling training).
        top_p: Nucleus sampling (protocol: 0.95).
        json_mode: Also send ``response_format={"type": "json_object"}``. Not part of the
            protocol; it helps weak local models produce parseable output.
        concurrency: Parallel requests in :meth:`judge_batch`.
        extract_answer: Score only the ``<answer>`` span of each response (PR2); False scores the
            whole text.
        transport_retries: Retries after a dropped connection, a 429/5xx, or a malformed JSON body (with
            backoff); then the judge raises :class:`JudgeEndpointError`.
    """

    is_proxy = False
    _transient = ("_client",)

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        api_key: str = "EMPTY",
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 10,
        max_tokens: int = 4096,
        top_p: float = 0.95,
        json_mode: bool = False,
        concurrency: int = 4,
        extract_answer: bool = True,
        transport_retries: int = 2,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url {base_url!r} is not an http(s) URL; pass the endpoint root, "
                "e.g. http://127.0.0.1:8011/v1 for a local llama.cpp server."
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < math.inf:
            raise ValueError(f"timeout must be a finite number of seconds > 0, got {timeout!r}.")
        if transport_retries < 0:
            raise ValueError(f"transport_retries must be >= 0, got {transport_retries}.")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}.")
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}.")
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {max_tokens}.")
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self.top_p = top_p
        self.json_mode = json_mode
        self.concurrency = concurrency
        self.extract_answer = extract_answer
        self.transport_retries = transport_retries
        self._client: OpenAI | None = None
        self._resolved_model: str | None = model

    @property
    def name(self) -> str:
        """``lampqa:<model>`` (the model is ``server-default`` until the server was asked)."""
        return f"lampqa:{self._resolved_model or 'server-default'}"

    # -- public API (``judge`` is inherited: a batch of one) ------------------------------------
    def judge_batch(self, items: Sequence[JudgeItem]) -> list[JudgeResult]:
        """Score several responses, one chat call per (response, aspect), sharing a small thread pool.

        Identical (question, narrative, answer, aspect) prompts are judged once: GRPO groups often
        contain duplicate completions, and the protocol's first attempt is greedy anyway.

        Raises:
            JudgeEndpointError: The endpoint is unreachable or rejects the request.
        """
        if not items:
            return []
        client, model = self._connect()
        slots: list[list[_Task]] = []
        unique: dict[_Task, int] = {}
        for item in items:
            response = answer_text(item.response) if self.extract_answer else item.response
            row = [(item.question, item.narrative, aspect, response) for aspect in item.aspects]
            for task in row:
                unique.setdefault(task, len(unique))
            slots.append(row)
        tasks = list(unique)

        def run(task: _Task) -> AspectJudgement:
            return self._judge_aspect(client, model, *task)

        if self.concurrency == 1 or len(tasks) == 1:
            verdicts = [run(t) for t in tasks]
        else:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(tasks))) as pool:
                futures = [pool.submit(run, t) for t in tasks]
                try:
                    verdicts = [f.result() for f in futures]
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
        return [
            JudgeResult.from_judgements([verdicts[unique[t]] for t in row], judge=self.name, is_proxy=False)
            for row in slots
        ]

    # -- internals ----------------------------------------------------------------------------
    def _connect(self) -> tuple[OpenAI, str]:
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI(
                    base_url=self.base_url,
                    api_key=self.api_key,
                    timeout=self.timeout,
                    # Retries are ours (_call): the SDK would also retry timeouts, multiplying a hang.
                    max_retries=0,
                )
            if self._resolved_model is None:
                self._resolved_model = self._first_served_model(self._client)
            return self._client, self._resolved_model

    def _first_served_model(self, client: OpenAI) -> str:
        models = self._call(lambda: [m.id for m in client.models.list()], what="list the served models")
        if not models:
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} serves no models (GET /models returned an empty list); "
                "start the server with a model or pass model=... explicitly."
            )
        logger.info("judge endpoint %s serves %s; using %r", self.base_url, models, models[0])
        return str(models[0])

    def _judge_aspect(
        self, client: OpenAI, model: str, question: str, narrative: str, aspect: RubricAspect, response: str
    ) -> AspectJudgement:
        messages = render_judge_messages(question, narrative, aspect, response)
        raw = ""
        for temperature in temperature_schedule(self.max_retries):
            raw = self._complete(client, model, messages, temperature)
            score = parse_match_score(raw)
            if score is not None:
                return AspectJudgement(aspect=aspect.aspect, match_score=score, raw=raw)
            logger.debug("unparseable judge reply at temperature %.1f: %.200r", temperature, raw)
        logger.warning(
            "judge %s gave no parseable match_score for aspect %r after %d attempts; scoring it 0 "
            "(last reply: %.200r)",
            model,
            aspect.aspect,
            self.max_retries + 1,
            raw,
        )
        return AspectJudgement(aspect=aspect.aspect, match_score=0, raw=raw, parsed=False)

    def _complete(
        self, client: OpenAI, model: str, messages: list[dict[str, str]], temperature: float
    ) -> str:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if self.json_mode else {}

        def create() -> Any:
            return client.chat.completions.create(
                model=model,
                messages=cast(Any, messages),
                temperature=temperature,
                top_p=self.top_p,
                max_tokens=self.max_tokens,
                **extra,
            )

        completion = self._call(create, what="run a judge call")
        return self._reply_text(completion)

    def _reply_text(self, completion: Any) -> str:
        """The reply's text; anything that is not a chat completion with text is an endpoint error."""
        choices = getattr(completion, "choices", None)
        message = getattr(choices[0], "message", None) if isinstance(choices, list) and choices else None
        content = getattr(message, "content", None)
        if not isinstance(content, str):
            preview = str(completion.model_dump() if hasattr(completion, "model_dump") else completion)[:200]
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} answered a judge call with something that is not a chat "
                f"completion with text (no choices[0].message.content): {preview!r}. Point --judge-base-url at "
                "an OpenAI-compatible /v1 root that serves a chat model (not a proxy or another API)."
            )
        return content

    def _call(self, fn: Callable[[], _T], *, what: str) -> _T:
        """Run one SDK call, retrying transient failures a bounded number of times, then one readable error."""
        for attempt in range(self.transport_retries + 1):
            try:
                return self._call_once(fn, what=what)
            except _TransientReply as err:
                if attempt == self.transport_retries:
                    raise JudgeEndpointError(
                        str(err)
                        if err.final
                        else f"the judge endpoint {self.base_url} failed to {what} {attempt + 1} time(s), last: "
                        f"{err}. Check the server's log; a proxy in front of it may be cutting replies."
                    ) from None
                logger.warning("judge endpoint %s: %s; retrying (%d/%d)", self.base_url, err, attempt + 1,
                               self.transport_retries)
                time.sleep(RETRY_BACKOFF_S * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _call_once(self, fn: Callable[[], _T], *, what: str) -> _T:
        import openai

        try:
            return fn()
        except openai.APITimeoutError:
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} did not answer within {self.timeout:g} s while "
                f"trying to {what}. The server may be hung, overloaded or generating very long replies: raise "
                "the timeout (--judge-timeout), lower max_tokens, or lower concurrency."
            ) from None
        except json.JSONDecodeError as err:
            raise _TransientReply(f"its reply was not valid JSON ({err})") from None
        except RecursionError:  # a reply nested deeper than any JSON parser recurses (e.g. 200k brackets)
            raise _TransientReply("its reply was JSON nested too deeply to parse, not a chat completion") from None
        except (openai.RateLimitError, openai.InternalServerError) as err:
            raise _TransientReply(f"HTTP {err.status_code}: {str(err.message)[:200]}") from None
        except openai.APIConnectionError as err:
            raise _TransientReply(
                f"cannot reach the judge endpoint {self.base_url} to {what} ({err.__cause__ or err}). "
                "Check that the server is running and listening on that host and port (for llama.cpp: "
                "python -m llama_cpp.server --model X.gguf --host 127.0.0.1 --port P), and that base_url "
                "ends with /v1.",
                final=True,
            ) from None
        except openai.AuthenticationError:
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} rejected the API key while trying to {what}; "
                "pass api_key=..."
            ) from None
        except openai.NotFoundError:
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} answered 404 while trying to {what}: the URL path or "
                f"the model name ({self._resolved_model!r}) is wrong. base_url must be the API root ending "
                "in /v1, and model one of the names GET /v1/models lists (or None to use the first)."
            ) from None
        except openai.APIStatusError as err:
            raise JudgeEndpointError(
                f"the judge endpoint {self.base_url} answered HTTP {err.status_code} while trying to {what}: "
                f"{str(err.message)[:300]}"
            ) from None
