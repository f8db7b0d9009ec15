"""Real servers for integration tests: a llama.cpp OpenAI-compatible endpoint on loopback.

Use the fixture by importing it into a test module (``from tests.servers import llama_server``).
:func:`running_llama_server` is the plain context manager behind it, also used by
``bench/judge_agreement.py`` to serve a judge model.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.waiting import CAP_S, wait_until

SERVER_MODULES = ("llama_cpp", "fastapi", "uvicorn", "sse_starlette", "starlette_context")
"""What ``python -m llama_cpp.server`` imports: the package and its ``[server]`` extra."""


def missing_server_modules() -> list[str]:
    """Modules of llama-cpp-python[server] that are not importable here."""
    return [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_llama_server(
    model_path: str | os.PathLike[str],
    *,
    alias: str | None = None,
    n_ctx: int = 4096,
    n_threads: int = 2,
    log_path: str | os.PathLike[str] | None = None,
    startup_timeout: float = CAP_S,
    extra_args: Sequence[str] = (),
    attempts: int = 3,
) -> Iterator[str]:
    """Start ``python -m llama_cpp.server`` on a free loopback port; yield its ``/v1`` base URL.

    The server is terminated (then killed) on exit. A port taken between choosing and binding it
    is retried on a fresh port, up to ``attempts`` times.

    Raises:
        RuntimeError: The server exited, stopped making progress (no CPU time for ``STALL_S``) or did not
            answer ``GET /v1/models`` within ``startup_timeout``; the message carries the end of its log.
    """
    log = Path(log_path) if log_path is not None else Path(os.devnull)
    last_error = ""
    for _ in range(attempts):
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(n_ctx),
            "--n_threads",
            str(n_threads),
            *(["--model_alias", alias] if alias else []),
            *extra_args,
        ]
        base_url = f"http://127.0.0.1:{port}/v1"
        with open(log, "ab") as log_file:
            proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            ready, last_error = _wait_ready(proc, base_url, startup_timeout, log)
            if not ready:
                if proc.poll() is not None and "address already in use" in last_error.lower():
                    continue
                raise RuntimeError(f"llama.cpp server ({' '.join(cmd)}) did not become ready: {last_error}")
            yield base_url
            return
        finally:
            _stop(proc)
    raise RuntimeError(f"llama.cpp server could not bind a port after {attempts} attempts: {last_error}")


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, timeout: float, log: Path) -> tuple[bool, str]:
    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as resp:
                return bool(resp.status == 200 and json.load(resp).get("data"))
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            return False

    # A loaded machine makes the start slow, not stuck: wait while the server process makes progress.
    try:
        wait_until(answers, proc, what=f"llama.cpp server at {base_url}", cap=timeout)
    except RuntimeError:
        return False, f"exited with code {proc.returncode}; log tail:\n{_tail(log)}"
    except TimeoutError as err:
        return False, f"{err}; log tail:\n{_tail(log)}"
    return True, ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            # uvicorn waits for in-flight generations on SIGTERM; don't wait for a long one.
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _tail(log: Path, lines: int = 20) -> str:
    if log == Path(os.devnull) or not log.is_file():
        return "(no log kept)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A llama.cpp server with the embedded SmolLM2-135M GGUF; yields the ``/v1`` base URL."""
    missing = missing_server_modules()
    if missing:
        pytest.skip(
            f"llama-cpp-python[server] is not installed (missing: {', '.join(missing)}); install it with "
            "pip install 'llama-cpp-python[server]==0.3.36' (or the pr2-agent[llamacpp] extra)"
        )
    from pr2_agent.weights import ensure_gguf

    model = ensure_gguf("smollm2-135m")
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    with running_llama_server(model, alias="smollm2-135m", log_path=log) as base_url:
        yield base_url
