"""A small OpenAI-compatible server on loopback, for fault tests, benchmarks and demos.

It speaks the chat-completions wire format (plain, JSON mode, structured outputs, and
server-sent-event streaming with a usage chunk) and ``GET /v1/models``. Answers come from a
``responder`` function; the default one returns a schema-valid minimal answer. It bills like a
real server (messages, schema and tools at four characters per token), simulates prompt
caching (OpenAI's rule: a shared prefix of at least 1024 tokens, counted in steps of 128) and
logs every request. Faults are queued per request with ``fail_next`` or played on every
request with ``always``; ``FAULT_NOTES`` says what each one does.

Run one by hand with ``interviewer stub-server --port 8765``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from interviewer.llm.stub_billing import PromptCache, estimate_tokens, prompt_text, prompt_tokens
from interviewer.llm.stub_handler import StubHandler

__all__ = [
    "DEFAULT_QUESTION",
    "FAULTS",
    "FAULT_NOTES",
    "Responder",
    "StubServer",
    "default_responder",
    "estimate_tokens",
    "minimal_instance",
    "prompt_text",
    "prompt_tokens",
    "request_schema",
]

Responder = Callable[[dict[str, Any]], str]
FAULT_NOTES = {
    "slow": "wait slow_s, then answer",
    "stall": "wait slow_s, then answer (the same as slow)",
    "429": "rate limited, with retry-after: 0",
    "500": "server error",
    "malformed": "answer '{not json' as the content",
    "drop": "close the connection without answering",
    "cut": "send half of the answer, then close the connection",
    "drip": "send the answer one byte every drip_s seconds",
    "not_json": "HTTP 200 whose JSON body is an HTML error page",
    "bad_request": "400 about a message that is too long",
    "no_temperature": "400 about temperature, if the request has one",
    "no_schema": "400 about json_schema, if the request asks for structured outputs",
    "no_json_mode": "400 about response_format, if the request asks for JSON mode",
    "refusal": "the model refuses (message.refusal set, content null)",
    "length": "half of the answer, finish_reason 'length'",
}
FAULTS = tuple(FAULT_NOTES)
DEFAULT_QUESTION = "Could you walk me through the reasoning behind that choice?"
_SCHEMA_MARKER = "matching this JSON schema:\n"


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
    """Return the JSON schema a chat request asks for: structured outputs, or a schema in the prompt."""
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema: dict[str, Any] = response_format["json_schema"]["schema"]
        return schema
    for message in reversed(body.get("messages", [])):
        text = str(message.get("content") or "")
        if _SCHEMA_MARKER in text:
            found: dict[str, Any] = json.loads(text.split(_SCHEMA_MARKER, 1)[1])
            return found
    return {} if response_format.get("type") == "json_object" else None


def default_responder(body: dict[str, Any]) -> str:
    """Answer structured requests with a minimal valid object and text requests with a question."""
    schema = request_schema(body)
    if schema is None:
        return DEFAULT_QUESTION
    return json.dumps(minimal_instance(schema))


class StubServer:
    """An OpenAI-compatible HTTP server in a background thread; use it as a context manager."""

    def __init__(
        self,
        responder: Responder = default_responder,
        *,
        port: int = 0,
        slow_s: float = 3.0,
        latency_s: float = 0.0,
        drip_s: float = 0.5,
        models: Sequence[str] = ("stub",),
        strict_models: bool = False,
    ) -> None:
        """Prepare the server on 127.0.0.1 (port 0 picks a free port).

        Args:
            responder: Makes the answer's content from the request body.
            port: Port to listen on; 0 picks a free one.
            slow_s: How long the ``slow`` and ``stall`` faults wait.
            latency_s: How long every chat call waits before sending anything.
            drip_s: The pause between bytes of the ``drip`` fault.
            models: The models ``GET /v1/models`` lists.
            strict_models: Answer 404 ``model_not_found`` for a model not in ``models``.
        """
        self.responder = responder
        self.slow_s = slow_s
        self.latency_s = latency_s
        self.drip_s = drip_s
        self.models = tuple(models)
        self.strict_models = strict_models
        self.faults: deque[str] = deque()
        self.sticky: str | None = None
        self.requests: list[dict[str, Any]] = []
        """Every chat request body, in order of arrival."""
        self.log: list[dict[str, Any]] = []
        """One entry per request (same order): time, model, stream, prompt_tokens, cached_tokens, cache_key."""
        self.stopping = threading.Event()
        self._cache = PromptCache()
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
        _check_faults(faults)
        with self._lock:
            self.faults.extend(faults)

    def always(self, fault: str | None) -> None:
        """Play ``fault`` on every request that has no queued fault; None stops it."""
        if fault is not None:
            _check_faults((fault,))
        with self._lock:
            self.sticky = fault

    def arrive(self, body: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Record a chat request; return the fault to play and its log entry (with the billing)."""
        text = prompt_text(body)
        with self._lock:
            fault = self.faults.popleft() if self.faults else self.sticky
            tokens = prompt_tokens(body)
            entry = {
                "time": time.monotonic(),
                "model": body.get("model"),
                "stream": bool(body.get("stream")),
                "prompt_tokens": tokens,
                "cached_tokens": min(self._cache.hit(text), tokens // 128 * 128),
                "cache_key": body.get("prompt_cache_key"),
            }
            self.requests.append(body)
            self.log.append(entry)
        return fault, entry

    def start(self) -> StubServer:
        """Start serving in a daemon thread."""
        # a short poll interval makes stop() quick (shutdown waits for the next poll)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; dripping answers stop too."""
        self.stopping.set()
        if self._thread is not None:  # shutdown() waits for serve_forever, which must have started
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StubServer:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("BoundHandler", (StubHandler,), {"stub": self})


def _check_faults(faults: Sequence[str]) -> None:
    unknown = set(faults) - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown faults {sorted(unknown)}; known: {', '.join(FAULTS)}")
