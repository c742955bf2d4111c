"""A small OpenAI-compatible server on loopback, for fault tests, benchmarks and demos.

It speaks the chat-completions wire format (plain, JSON mode, structured outputs, and
server-sent-event streaming with a usage chunk) and ``GET /v1/models``. Answers come from a
``responder`` function; the default one returns a schema-valid minimal answer. Faults are
queued per request: ``slow``, ``429``, ``500``, ``malformed``, ``drop`` (close the
connection) and ``no_schema`` (reject structured outputs, like servers without them).
Token counts are estimated at four characters per token.

Run one by hand with ``interviewer stub-server --port 8765``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any]], str]
FAULTS = ("slow", "429", "500", "malformed", "drop", "no_schema")
DEFAULT_QUESTION = "Could you walk me through the reasoning behind that choice?"


def estimate_tokens(text: str) -> int:
    """Estimate tokens at four characters per token (the stub has no tokenizer)."""
    return max(1, len(text) // 4)


def minimal_instance(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """Return the smallest value valid against a JSON schema (first enum value, empty lists)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return minimal_instance(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return minimal_instance(schema[key][0], defs)
    kind = schema.get("type")
    if kind == "object":
        return {name: minimal_instance(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return -1
    if kind == "number":
        return 0
    if kind == "boolean":
        return False
    return ""


def request_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """Return the JSON schema a chat request asks for, from structured outputs or a JSON-mode prompt."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema: dict[str, Any] = response_format["json_schema"]["schema"]
        return schema
    if response_format.get("type") == "json_object":
        for message in reversed(body.get("messages", [])):
            text = str(message.get("content") or "")
            marker = "matching this JSON schema:\n"
            if marker in text:
                found: dict[str, Any] = json.loads(text.split(marker, 1)[1])
                return found
        return {}
    return None


def default_responder(body: dict[str, Any]) -> str:
    """Answer structured requests with a minimal valid object and text requests with a question."""
    schema = request_schema(body)
    if schema is None:
        return DEFAULT_QUESTION
    return json.dumps(minimal_instance(schema))


class StubServer:
    """An OpenAI-compatible HTTP server in a background thread; use it as a context manager."""

    def __init__(self, responder: Responder = default_responder, *, port: int = 0, slow_s: float = 3.0) -> None:
        """Prepare the server on 127.0.0.1 (port 0 picks a free port)."""
        self.responder = responder
        self.slow_s = slow_s
        self.faults: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL to give the openai client (``OPENAI_BASE_URL``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def fail_next(self, *faults: str) -> None:
        """Queue faults for the next requests, one per request."""
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {', '.join(FAULTS)}")
        with self._lock:
            self.faults.extend(faults)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def start(self) -> StubServer:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StubServer:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("BoundHandler", (_Handler,), {"stub": self})


class _Handler(BaseHTTPRequestHandler):
    """Serves the chat-completions and models endpoints for one StubServer."""

    protocol_version = "HTTP/1.1"
    stub: StubServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        """List the one model."""
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802
        """Answer a chat completion, or play the next queued fault."""
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": "not found"}})
            return
        with self.stub._lock:
            self.stub.requests.append(body)
        fault = self.stub._next_fault()
        if self._play(fault, body):
            return
        content = "{not json" if fault == "malformed" else self.stub.responder(body)
        prompt = sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in body.get("messages", []))
        completion = estimate_tokens(content)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        if body.get("stream"):
            self._stream(body, content, usage)
            return
        choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        completion_body = {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0}
        self._send(200, {**completion_body, "model": body.get("model", "stub"), "choices": [choice], "usage": usage})

    def _play(self, fault: str | None, body: dict[str, Any]) -> bool:
        """Play a fault; return True when it answered the request."""
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return True
        if fault == "slow":
            time.sleep(self.stub.slow_s)
        if fault == "429":
            self._send(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, {"retry-after": "0"})
            return True
        if fault == "500":
            self._send(500, {"error": {"message": "server error", "type": "server_error"}})
            return True
        if fault == "no_schema" and (body.get("response_format") or {}).get("type") == "json_schema":
            self._send(400, {"error": {"message": "response_format json_schema is not supported"}})
            return True
        return False

    def _stream(self, body: dict[str, Any], content: str, usage: dict[str, int]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": "stub"}
        for i, word in enumerate(content.split(" ")):
            piece = word if i == 0 else " " + word
            chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        final = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            self.wfile.write(f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
