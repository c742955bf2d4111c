"""A thin, fault-tolerant layer over the ``openai`` client for OpenAI-compatible servers.

Two calls are all the brains need: a structured call that returns a validated pydantic
model, and a streamed text call. Both retry timeouts, rate limits, server errors and
malformed output with exponential backoff, and both record token usage. Structured calls
use the server's structured outputs (``json_schema``) when it supports them and fall back
to JSON mode with validation and one repair retry when it does not.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import openai
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")
Message = dict[str, str]
StructuredMode = Literal["auto", "json_schema", "json_object"]


class LLMError(RuntimeError):
    """A model call that still failed after its retries; the caller falls back."""


class LLMConfigError(RuntimeError):
    """The LLM provider cannot be used as configured (no key, server unreachable)."""


@dataclass
class Usage:
    """Token counts, summed over calls."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Add another usage record into this one."""
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a plain dict (for state and debrief metadata)."""
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
        }


def usage_of(raw: Any) -> Usage:
    """Read an OpenAI ``usage`` object (or None) into a Usage of one call."""
    if raw is None:
        return Usage(calls=1)
    details = getattr(raw, "prompt_tokens_details", None)
    return Usage(
        calls=1,
        prompt_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_tokens=int(getattr(details, "cached_tokens", 0) or 0) if details else 0,
    )


class ChatModel(Protocol):
    """What a brain needs from a language model; the seam that tests fake."""

    def structured(self, messages: Sequence[Message], schema: type[T], *, model: str) -> T:
        """Return the model's answer parsed into ``schema``; raise LLMError on failure."""
        ...

    def stream(self, messages: Sequence[Message], *, model: str) -> Iterator[str]:
        """Yield the model's text answer piece by piece; raise LLMError on failure."""
        ...

    def take_usage(self) -> Usage:
        """Return the usage recorded since the last call to this method, and reset it."""
        ...


@dataclass
class RetryPolicy:
    """How often and how patiently a failed call is retried."""

    attempts: int = 3
    """Tries in total, the first included."""
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the wait before retry number ``attempt`` (1-based), honouring Retry-After."""
        if retry_after is not None:
            return min(retry_after, self.max_delay_s)
        backoff = self.base_delay_s * 2 ** (attempt - 1)
        return float(min(self.max_delay_s, backoff * (1 + random.random() / 4)))


_RETRYABLE = (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _describe(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} ({status})" if status else name


@dataclass
class _Local(threading.local):
    usage: Usage = field(default_factory=Usage)


class OpenAIChat:
    """ChatModel over the ``openai`` client; works with OpenAI and OpenAI-compatible servers."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        structured_mode: StructuredMode = "auto",
        retry: RetryPolicy | None = None,
        temperature: float | None = 0.2,
    ) -> None:
        """Wrap a client; its own retries should be off (``max_retries=0``), ours apply."""
        self.client = client
        self.mode: StructuredMode = structured_mode
        self.retry = retry or RetryPolicy()
        self.temperature = temperature
        self._local = _Local()

    @classmethod
    def from_settings(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout_s: float,
        structured_mode: StructuredMode = "auto",
        retry: RetryPolicy | None = None,
    ) -> OpenAIChat:
        """Build the client; a local server needs no key, OpenAI itself does."""
        if not api_key and not base_url:
            raise LLMConfigError(
                "INTERVIEWER_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local"
                " OpenAI-compatible server such as Ollama, vLLM or LM Studio). Set it, or use the"
                " offline brain: INTERVIEWER_PROVIDER=offline."
            )
        client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout_s, max_retries=0)
        return cls(client, structured_mode=structured_mode, retry=retry)

    def check(self) -> None:
        """Raise LLMConfigError with one clear sentence if the server cannot be used."""
        where = str(self.client.base_url)
        try:
            self.client.models.list(timeout=5.0)
        except openai.AuthenticationError as error:
            raise LLMConfigError(f"the server at {where} rejected the API key ({_describe(error)}).") from None
        except (openai.APIConnectionError, openai.APITimeoutError) as error:
            raise LLMConfigError(
                f"cannot reach an OpenAI-compatible server at {where} ({_describe(error)}); is it running?"
            ) from None
        except openai.APIStatusError:
            return  # some compatible servers do not list models; the chat endpoint may still work

    def take_usage(self) -> Usage:
        """Return the usage recorded in this thread since the last call, and reset it."""
        usage, self._local.usage = self._local.usage, Usage()
        return usage

    def _with_retries(self, call: Callable[[], R]) -> R:
        last: Exception | None = None
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return call()
            except (*_RETRYABLE, _Malformed) as error:
                last = error
                if attempt < self.retry.attempts:
                    self.retry.sleep(self.retry.delay(attempt, _retry_after(error)))
            except openai.OpenAIError as error:
                raise LLMError(f"the model server refused the request: {_describe(error)}") from error
        assert last is not None
        raise LLMError(f"the model did not answer after {self.retry.attempts} tries: {_describe(last)}") from last

    def structured(self, messages: Sequence[Message], schema: type[T], *, model: str) -> T:
        """Return the answer parsed into ``schema``, with retries and the JSON-mode fallback."""
        return self._with_retries(lambda: self._structured_once(list(messages), schema, model))

    def _structured_once(self, messages: list[Message], schema: type[T], model: str) -> T:
        if self.mode in ("auto", "json_schema"):
            try:
                return self._json_schema(messages, schema, model)
            except openai.BadRequestError:
                if self.mode == "json_schema":
                    raise
                self.mode = "json_object"  # the server has no structured outputs; remember that
        return self._json_object(messages, schema, model)

    def _create(self, messages: list[Message], model: str, **kwargs: Any) -> Any:
        extra: dict[str, Any] = {"temperature": self.temperature} if self.temperature is not None else {}
        response = self.client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            **extra,
            **kwargs,
        )
        if not kwargs.get("stream"):
            self._local.usage.add(usage_of(response.usage))
        return response

    def _json_schema(self, messages: list[Message], schema: type[T], model: str) -> T:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": _strict_schema(schema), "strict": True},
        }
        response = self._create(messages, model, response_format=response_format)
        return _parse(response.choices[0].message.content, schema)

    def _json_object(self, messages: list[Message], schema: type[T], model: str) -> T:
        instruction = "Answer with one JSON object only, matching this JSON schema:\n" + json.dumps(
            schema.model_json_schema(), separators=(",", ":")
        )
        framed = [*messages, {"role": "system", "content": instruction}]
        response = self._create(framed, model, response_format={"type": "json_object"})
        content = response.choices[0].message.content
        try:
            return _parse(content, schema)
        except _Malformed as error:
            repair = [
                *framed,
                {"role": "assistant", "content": content or ""},
                {"role": "user", "content": f"That was not valid: {error}. Reply with the corrected JSON object only."},
            ]
            response = self._create(repair, model, response_format={"type": "json_object"})
            return _parse(response.choices[0].message.content, schema)

    def stream(self, messages: Sequence[Message], *, model: str) -> Iterator[str]:
        """Yield text pieces; a failure before the first piece is retried, later ones raise LLMError."""
        stream = self._with_retries(lambda: self._open_stream(list(messages), model))
        try:
            for chunk in stream:
                if chunk.usage is not None:
                    self._local.usage.add(usage_of(chunk.usage))
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
        except (openai.OpenAIError, ValueError) as error:
            raise LLMError(f"the model stopped mid-answer: {_describe(error)}") from error

    def _open_stream(self, messages: list[Message], model: str) -> Any:
        return self._create(messages, model, stream=True, stream_options={"include_usage": True})


class _Malformed(ValueError):
    """The model's output is not the JSON the schema asks for."""


def _parse(content: str | None, schema: type[T]) -> T:
    if not content:
        raise _Malformed("empty answer")
    try:
        return schema.model_validate_json(content)
    except ValidationError as error:
        raise _Malformed(str(error).splitlines()[0] + ": " + "; ".join(e["msg"] for e in error.errors()[:3])) from None


def _strict_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """Return the model's JSON schema in the strict form structured outputs require."""
    data = schema.model_json_schema()

    def tighten(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            node.pop("default", None)
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for value in node:
                tighten(value)

    tighten(data)
    return data
