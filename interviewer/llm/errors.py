"""Errors of the model client, and the plain-language text a candidate may read about them.

Every failure of a model call ends as an ``LLMError`` whose message is one short sentence
("the model server did not answer within 8 s"), never a Python class name. ``classify``
decides, for any exception a request raised, what to tell the candidate and whether another
try could help.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass

import openai
from pydantic import ValidationError

from interviewer.llm.usage import Usage


class LLMError(RuntimeError):
    """A model call that failed for good; the message is fit to show a candidate."""

    def __init__(self, message: str, *, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.usage = usage if usage is not None else Usage()  # what the replies read before it gave up cost


class LLMConfigError(RuntimeError):
    """The LLM provider cannot be used as configured (no key, server unreachable, model not served)."""


class ReplyError(ValueError):
    """The server answered, but the reply cannot be used (cut off, declined, not the JSON asked for)."""

    def __init__(self, text: str, *, retry: bool, detail: str = "") -> None:
        super().__init__(text)
        self.text = text
        self.retry = retry
        self.detail = detail or text  # what was wrong, for the model (sent back in a repair request)


CUT_OFF = "the model's reply was cut off at the output-token limit"
DECLINED = "the model declined to answer"
NOT_JSON = "the model's reply was not valid JSON"
WRONG_SHAPE = "the model's reply did not match the expected format"
BROKEN_STREAM = "the model's answer broke off mid-stream"


@dataclass(frozen=True)
class Failure:
    """What went wrong with one request, and whether trying again could help."""

    text: str
    retry: bool
    retry_after: float | None = None


def _transport_errors() -> tuple[type[BaseException], ...]:
    # The SDK raises its HTTP library's own errors while a body is read; which library that
    # is depends on the SDK version, so look both up instead of pinning one.
    found: list[type[BaseException]] = [OSError]
    for name in ("httpx2", "httpx", "httpcore2", "httpcore"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in ("HTTPError", "StreamError", "ConnectError", "ReadError"):
            error = getattr(module, attr, None)
            if isinstance(error, type) and issubclass(error, BaseException):
                found.append(error)
    return tuple(found)


_TRANSPORT_ERRORS = _transport_errors()


def seconds(value: float) -> str:
    """Format a duration for a sentence: '8 s', '1.5 s'."""
    return f"{round(value, 1):g} s"


def timeout_text(budget_s: float) -> str:
    """Say that the server did not answer within the call's time budget."""
    return f"the model server did not answer within {seconds(budget_s)}"


def server_message(error: openai.APIError, limit: int = 160) -> str:
    """Return the server's own short explanation of an error response, on one line."""
    body = error.body
    text = body.get("message") if isinstance(body, dict) else body
    if not isinstance(text, str) or not text.strip():
        text = "" if isinstance(error, openai.APIStatusError) else error.message
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentions(error: openai.APIStatusError, *words: str) -> bool:
    """Say whether an error response is about one of ``words`` (a parameter name, a feature)."""
    body = error.body
    raw = json.dumps(body) if isinstance(body, dict) else str(body or error.message)
    text = f"{raw} {error.param or ''}".lower()
    return any(word in text for word in words)


def _status(error: openai.APIStatusError) -> str:
    message = server_message(error)
    return f"({error.status_code}: {message})" if message else f"({error.status_code})"


def _retry_after(error: openai.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def invalid_reply(error: ValidationError) -> ReplyError:
    """Turn a pydantic validation error of the reply's text into a retryable ReplyError."""
    problems = error.errors()
    text = NOT_JSON if any(p["type"] == "json_invalid" for p in problems) else WRONG_SHAPE
    detail = "; ".join(f"{'.'.join(map(str, p['loc'])) or 'reply'}: {p['msg']}" for p in problems[:3])
    return ReplyError(text, retry=True, detail=detail)


def classify(error: BaseException, budget_s: float) -> Failure:
    """Say what a request's exception means for the candidate, and whether to try again."""
    if isinstance(error, ReplyError):
        return Failure(error.text, error.retry)
    if isinstance(error, openai.APIError):
        return _api_failure(error, budget_s)
    if isinstance(error, openai.LengthFinishReasonError):
        return Failure(CUT_OFF, retry=False)
    if isinstance(error, openai.ContentFilterFinishReasonError):
        return Failure(DECLINED, retry=False)
    if isinstance(error, json.JSONDecodeError):  # a 200 whose body is not JSON (an HTML error page)
        return Failure("the model server sent a response that was not JSON", retry=True)
    if isinstance(error, ValidationError):  # the reply's content, parsed by the SDK
        return Failure(invalid_reply(error).text, retry=True)
    if isinstance(error, _TRANSPORT_ERRORS):
        return Failure("the connection to the model server broke off", retry=True)
    return Failure("the model call failed unexpectedly", retry=False)


def _api_failure(error: openai.APIError, budget_s: float) -> Failure:
    if isinstance(error, openai.APITimeoutError):
        return Failure(timeout_text(budget_s), retry=True)
    if isinstance(error, openai.APIConnectionError):
        return Failure("the model server could not be reached", retry=True)
    if isinstance(error, openai.RateLimitError):
        return Failure(f"the model server is rate-limiting requests {_status(error)}", True, _retry_after(error))
    if isinstance(error, openai.AuthenticationError):
        return Failure(f"the model server rejected the API key {_status(error)}", retry=False)
    if isinstance(error, openai.APIStatusError):
        if error.status_code >= 500:
            return Failure(f"the model server failed {_status(error)}", retry=True)
        return Failure(f"the model server refused the request {_status(error)}", retry=False)
    if isinstance(error, openai.APIResponseValidationError):
        return Failure("the model server sent a response in an unexpected format", retry=True)
    message = server_message(error)  # an error event inside a stream
    return Failure("the model server reported an error" + (f" ({message})" if message else ""), retry=True)
