"""The stub server's HTTP side: the chat-completions and models endpoints, and the faults they play."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from interviewer.llm.stub_billing import estimate_tokens

if TYPE_CHECKING:
    from interviewer.llm.stub import StubServer

REFUSAL = "I can't help with that."
_INVALID = "invalid_request_error"


def rejection(fault: str | None, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """Return the error response (status, error object, headers) a fault gives this request, if any."""
    kind = (body.get("response_format") or {}).get("type")
    if fault == "429":
        return 429, {"message": "Rate limit reached; please retry.", "type": "rate_limit_error"}, {"retry-after": "0"}
    if fault == "500":
        return 500, {"message": "The server had an error while processing your request.", "type": "server_error"}, {}
    if fault == "bad_request":
        error = {"message": "Invalid 'messages[1].content': string too long", "type": _INVALID}
        return 400, {**error, "param": "messages[1].content", "code": "string_above_max_length"}, {}
    if fault == "no_temperature" and "temperature" in body:
        error = {"message": "Unsupported parameter: 'temperature' is not supported with this model.", "type": _INVALID}
        return 400, {**error, "param": "temperature", "code": "unsupported_parameter"}, {}
    if fault == "no_schema" and kind == "json_schema":
        return 400, {"message": "response_format json_schema is not supported", "type": _INVALID}, {}
    if fault == "no_json_mode" and kind == "json_object":
        return 400, {"message": "'response_format.type' must be 'json_schema' or 'text'", "type": _INVALID}, {}
    return None


class StubHandler(BaseHTTPRequestHandler):
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
        """List the served models."""
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "stub"} for name in self.stub.models]
            self._send(200, {"object": "list", "data": data})
        else:
            self._send(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:  # noqa: N802
        """Answer a chat completion, or play the fault due for this request."""
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": "not found"}})
            return
        fault, entry = self.stub.arrive(body)
        try:
            if self.stub.latency_s > 0:
                time.sleep(self.stub.latency_s)
            self._answer(body, fault, entry)
        except OSError:  # the client hung up (a closed deadline, a dropped stream): nothing to do
            self.close_connection = True

    def _answer(self, body: dict[str, Any], fault: str | None, entry: dict[str, Any]) -> None:
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault in ("slow", "stall"):
            time.sleep(self.stub.slow_s)
        model = str(body.get("model", ""))
        if self.stub.strict_models and model not in self.stub.models:
            error = {"message": f"The model '{model}' does not exist", "type": _INVALID, "code": "model_not_found"}
            self._send(404, {"error": {**error, "param": "model"}})
            return
        rejected = rejection(fault, body)
        if rejected is not None:
            status, error, headers = rejected
            self._send(status, {"error": error}, headers)
            return
        if fault == "not_json":
            self._write(200, "application/json", b"<html>upstream error</html>", None)
            return
        content: str | None = "{not json" if fault == "malformed" else self.stub.responder(body)
        finish, refusal = "stop", None
        if fault == "length":
            content, finish = (content or "")[: max(1, len(content or "") // 2)], "length"
        if fault == "refusal":
            content, refusal = None, REFUSAL
        completion = estimate_tokens(content or refusal or "")
        usage = {
            "prompt_tokens": entry["prompt_tokens"],
            "completion_tokens": completion,
            "total_tokens": entry["prompt_tokens"] + completion,
            "prompt_tokens_details": {"cached_tokens": entry["cached_tokens"]},
        }
        head = {"id": "chatcmpl-stub", "created": 0, "model": model or "stub"}
        if body.get("stream"):
            self._stream(body, head, (content, refusal, finish), usage, fault)
            return
        message = {"role": "assistant", "content": content, "refusal": refusal}
        choice = {"index": 0, "message": message, "finish_reason": finish}
        payload = {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
        self._write(200, "application/json", json.dumps(payload).encode(), fault)

    def _stream(
        self,
        body: dict[str, Any],
        head: dict[str, Any],
        answer: tuple[str | None, str | None, str],
        usage: dict[str, Any],
        fault: str | None,
    ) -> None:
        content, refusal, finish = answer
        base = {**head, "object": "chat.completion.chunk"}
        deltas: list[dict[str, Any]] = [{"role": "assistant", "refusal": refusal}] if refusal else []
        words = (content or "").split(" ") if content else []
        deltas += [{"content": word if i == 0 else " " + word} for i, word in enumerate(words)]
        events = [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
        if fault == "cut":  # half of the pieces, then the connection closes: no finish reason, no [DONE]
            events = events[: max(1, len(events) // 2)]
        else:
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                events.append({**base, "choices": [], "usage": usage})
        data = "".join(f"data: {json.dumps(event)}\n\n" for event in events)
        data += "" if fault == "cut" else "data: [DONE]\n\n"
        self._write(200, "text/event-stream", data.encode(), "drip" if fault == "drip" else None)
        self.close_connection = True
        if fault == "cut":
            self.connection.close()

    def _write(self, status: int, content_type: str, data: bytes, fault: str | None) -> None:
        """Send a response: at once, one byte every drip_s (``drip``), or half of it (``cut``)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if content_type == "text/event-stream":
            self.send_header("Connection", "close")  # the body ends when the connection does
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault == "drip":
            for i in range(len(data)):
                if self.stub.stopping.is_set():
                    break
                self.wfile.write(data[i : i + 1])
                time.sleep(self.stub.drip_s)
            self.close_connection = True
        elif fault == "cut":
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            self.connection.close()
        else:
            self.wfile.write(data)
