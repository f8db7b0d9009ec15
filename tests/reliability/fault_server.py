"""A local OpenAI-compatible server on 127.0.0.1 that fails on purpose, one fault mode at a time.

``/v1/models`` always answers (so a judge gets past model discovery); ``/v1/chat/completions`` answers
according to ``mode``. Each mode is what a real deployment has been seen to do: a proxy answering 200 with
its own JSON, a truncated body, an HTML error page, a hung worker, a dropped connection, overload errors.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERDICT = '```json\n{"match_score": 2}\n```'

MODES = (
    "ok",
    "wrong_shape",
    "empty_choices",
    "null_content",
    "malformed_json",
    "malformed_once",
    "html",
    "hang",
    "server_error",
    "overloaded_once",
    "drop_connection",
    "prose",
    "deep_json",
)


def completion(content: str | None) -> dict:
    return {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "fault",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
    }


class FaultServer:
    """Start with a mode; ``calls`` counts chat requests; ``close()`` stops it."""

    def __init__(self, mode: str, *, hang_s: float = 30.0) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        self.mode = mode
        self.hang_s = hang_s
        self.calls = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _raw(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (its timeout ran out during a hang): nothing to answer

            def _json(self, status: int, obj: object) -> None:
                self._raw(status, json.dumps(obj).encode())

            def do_GET(self):
                data = [{"id": "fault", "object": "model", "created": 0, "owned_by": "test"}]
                self._json(200, {"object": "list", "data": data})

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server.lock:
                    server.calls += 1
                    first = server.calls == 1
                mode = server.mode
                if mode == "ok" or (mode in ("malformed_once", "overloaded_once") and not first):
                    self._json(200, completion(VERDICT))
                elif mode == "wrong_shape":
                    self._json(200, {"result": "fine", "score": 2})
                elif mode == "empty_choices":
                    self._json(200, {**completion(None), "choices": []})
                elif mode == "null_content":
                    self._json(200, completion(None))
                elif mode in ("malformed_json", "malformed_once"):
                    self._raw(200, b'{"id": "c", "choices": [{"message": {"content": "```json')
                elif mode == "html":
                    self._raw(200, b"<html><body>Bad gateway</body></html>", "text/html")
                elif mode == "hang":
                    time.sleep(server.hang_s)
                    self._json(200, completion(VERDICT))
                elif mode == "server_error":
                    self._json(500, {"error": {"message": "CUDA out of memory"}})
                elif mode == "overloaded_once":
                    self._json(503, {"error": {"message": "overloaded"}})
                elif mode == "drop_connection":
                    self.connection.close()
                elif mode == "deep_json":  # 200k-deep nesting: a JSON parser recursing on it overflows
                    self._raw(200, b'{"choices": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
                elif mode == "prose":
                    self._json(200, completion("The response covers the aspect quite well, I think."))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
