"""A fault-tolerant layer over the ``openai`` client for OpenAI and OpenAI-compatible servers.

Two calls are all the brains need: ``structured`` returns a validated pydantic model and
``stream`` returns the text answer piece by piece; each result carries its token usage. Every
call ends by its deadline (total time, not per read: see ``bounded``), retries what another
try can fix (timeouts, lost connections, 429, 5xx, malformed replies) and fails at once, with
a sentence fit for the candidate, on what it cannot (refusals, cut-off replies, other 4xx).

Servers differ; the client learns per model what the server rejects and adapts: structured
outputs, then JSON mode, then the schema in a plain prompt; no ``temperature`` where it is
refused (and never for reasoning models); no ``prompt_cache_key`` where it is unknown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Literal, Protocol, TypeVar, cast
from urllib.parse import urlsplit

import openai
from pydantic import BaseModel

from interviewer.llm.bounded import DeadlinePassed, Handle, Pipe, call_by
from interviewer.llm.checks import check_server
from interviewer.llm.errors import DECLINED, LLMConfigError, LLMError, ReplyError, classify, mentions, timeout_text
from interviewer.llm.replies import Message, parse_reply, repair_request, schema_instruction
from interviewer.llm.retries import CallBudget, RetryPolicy
from interviewer.llm.streams import ChunkReader, LiveRequest, TextStream, midstream_text
from interviewer.llm.usage import Usage, usage_of

__all__ = [
    "ChatModel",
    "Completion",
    "LLMConfigError",
    "LLMError",
    "Message",
    "OpenAIChat",
    "RetryPolicy",
    "StructuredMode",
    "TextStream",
    "TokenParam",
    "Usage",
]

T = TypeVar("T", bound=BaseModel)
V = TypeVar("V")
StructuredMode = Literal["auto", "json_schema", "json_object"]
TokenParam = Literal["max_tokens", "max_completion_tokens"]
_Mode = Literal["json_schema", "json_object", "plain", "text"]
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "structured output", "response format")
_CHECK_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Completion(Generic[V]):
    """A model call's value and what it cost."""

    value: V
    usage: Usage


class ChatModel(Protocol):
    """What a brain needs from a language model; the seam that tests fake."""

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[T],
        *,
        model: str,
        deadline: float | None = None,
        cache_key: str | None = None,
    ) -> Completion[T]:
        """Return the answer parsed into ``schema``, by ``deadline`` (monotonic); raise LLMError on failure."""
        ...

    def stream(
        self, messages: Sequence[Message], *, model: str, deadline: float | None = None, cache_key: str | None = None
    ) -> TextStream:
        """Return the text answer as a stream of pieces; iterating it raises LLMError on failure."""
        ...


@dataclass(frozen=True)
class _Request:
    """What one request sends besides its messages, and in which structured mode."""

    mode: _Mode
    options: dict[str, Any]

    @property
    def model(self) -> str:
        return str(self.options["model"])


class OpenAIChat:
    """ChatModel over the ``openai`` client; one instance is shared by many threads."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        structured_mode: StructuredMode = "auto",
        retry: RetryPolicy | None = None,
        temperature: float | None = 0.2,
        timeout_s: float = 30.0,
        max_output_tokens: int | None = 1024,
        output_token_param: TokenParam | None = None,
    ) -> None:
        """Wrap a client; its own retries should be off (``max_retries=0``), ours apply.

        Args:
            client: The openai client (its base URL says which server).
            structured_mode: "auto" adapts per model; "json_schema" or "json_object" force a mode.
            retry: Tries and backoff; every call stays within its deadline regardless.
            temperature: Sent where the model accepts it; None never sends it.
            timeout_s: Total seconds for a call given no deadline, retries included.
            max_output_tokens: Cap on the reply's tokens; None sends no cap.
            output_token_param: The cap's parameter name; by default ``max_completion_tokens`` when the
                base URL is api.openai.com and ``max_tokens`` otherwise.
        """
        self.client = client
        self.mode: StructuredMode = structured_mode
        self.retry = retry or RetryPolicy()
        self.temperature = temperature
        self.timeout_s = timeout_s
        self.max_output_tokens = max_output_tokens
        host = urlsplit(str(client.base_url)).hostname
        default: TokenParam = "max_completion_tokens" if host == "api.openai.com" else "max_tokens"
        self._token_param = output_token_param or default
        self._lock = threading.Lock()
        self._json_mode: set[str] = set()
        self._plain: set[str] = set()
        self._no_temperature: set[str] = set()
        self._cache_key_ok = True

    @classmethod
    def from_settings(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout_s: float,
        structured_mode: StructuredMode = "auto",
        retry: RetryPolicy | None = None,
        max_output_tokens: int | None = 1024,
    ) -> OpenAIChat:
        """Build the client; a local server needs no key, OpenAI itself does."""
        if not api_key and not base_url:
            raise LLMConfigError(
                "INTERVIEWER_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local"
                " OpenAI-compatible server such as Ollama, vLLM or LM Studio). Set it, or use the"
                " offline brain: INTERVIEWER_PROVIDER=offline."
            )
        client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout_s, max_retries=0)
        return cls(
            client,
            structured_mode=structured_mode,
            retry=retry,
            timeout_s=timeout_s,
            max_output_tokens=max_output_tokens,
        )

    def check(self, models: Sequence[str] = ()) -> None:
        """Raise LLMConfigError with one clear sentence if the server cannot be used for ``models``."""
        check_server(self.client, models, timeout_s=_CHECK_TIMEOUT_S)

    # -- structured ------------------------------------------------------------------------

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[T],
        *,
        model: str,
        deadline: float | None = None,
        cache_key: str | None = None,
    ) -> Completion[T]:
        """Return the answer parsed into ``schema``, adapting to what the server supports."""
        call = self._begin(deadline)
        while True:
            request = self._request(model, cache_key, structured=True)
            try:
                return Completion(self._structured_try(list(messages), schema, request, call), call.usage)
            except Exception as error:  # every failure is judged by _recover
                self._recover(error, request, call)

    def _structured_try(self, messages: list[Message], schema: type[T], request: _Request, call: CallBudget) -> T:
        if request.mode == "json_schema":
            message = self._send(call, request, messages, response_format=schema)
            if message.parsed is None:
                return parse_reply(message.content, schema)  # raises the reason it could not be read
            return cast(T, message.parsed)
        framed = [*messages, schema_instruction(schema)]
        extra = {"response_format": {"type": "json_object"}} if request.mode == "json_object" else {}
        content = self._send(call, request, framed, **extra).content
        try:
            return parse_reply(content, schema)
        except ReplyError as error:
            repaired = self._send(call, request, [*framed, *repair_request(content, error)], **extra)
            return parse_reply(repaired.content, schema)

    def _send(self, call: CallBudget, request: _Request, messages: list[Message], **extra: Any) -> Any:
        """Send one request within the call's deadline; return the reply's message."""
        kwargs = {**request.options, "messages": messages, "timeout": self._timeout(call), **extra}
        api = self.client.chat.completions.with_streaming_response

        def work(handle: Handle) -> Any:
            with api.parse(**kwargs) as response:
                handle.attach(response.close)
                return response.parse()

        completion = call_by(call.deadline, work)
        call.usage.add(usage_of(completion.usage))
        if not completion.choices:
            raise ReplyError("the model server sent no answer", retry=True)
        message = completion.choices[0].message
        if getattr(message, "refusal", None):
            raise ReplyError(DECLINED, retry=False)
        return message

    # -- streaming -------------------------------------------------------------------------

    def stream(
        self, messages: Sequence[Message], *, model: str, deadline: float | None = None, cache_key: str | None = None
    ) -> TextStream:
        """Return the answer as a stream; a failure before the first piece is retried, later ones raise."""
        call = self._begin(deadline)
        live = LiveRequest()
        return TextStream(self._pieces(list(messages), model, cache_key, call, live), call.usage, on_close=live.close)

    def _pieces(
        self, messages: list[Message], model: str, cache_key: str | None, call: CallBudget, live: LiveRequest
    ) -> Iterator[str]:
        shown = False
        while not live.closed:
            request = self._request(model, cache_key, structured=False)
            pipe: Pipe[Any] = Pipe(partial(self._chunks, messages, request, call))
            live.pipe = pipe
            reading = ChunkReader()
            try:
                for chunk in pipe.items(call.deadline):
                    for piece in reading.take(chunk):
                        shown = True
                        yield piece
                if not live.closed:
                    reading.check()
                return
            except Exception as error:  # every failure is judged below
                if live.closed:
                    return
                if shown:
                    call.give_up(midstream_text(error, call.budget_s), error)
                self._recover(error, request, call)
            finally:
                pipe.cancel()
                call.usage.add(reading.spent())

    def _chunks(self, messages: list[Message], request: _Request, call: CallBudget, handle: Handle) -> Iterable[Any]:
        kwargs = {**request.options, "messages": messages, "timeout": self._timeout(call)}
        create: Any = self.client.chat.completions.create
        stream = create(**kwargs, stream=True, stream_options={"include_usage": True})
        handle.attach(stream.close)
        with stream:
            yield from stream

    # -- shared ----------------------------------------------------------------------------

    def _begin(self, deadline: float | None) -> CallBudget:
        now = time.monotonic()
        end = deadline if deadline is not None else now + self.timeout_s
        return CallBudget(deadline=end, budget_s=max(0.0, end - now), policy=self.retry)

    def _timeout(self, call: CallBudget) -> float:
        """Return the HTTP timeout of the next request: never past the deadline, nor the client's own."""
        remaining = call.remaining()
        if remaining <= 0:
            raise DeadlinePassed
        own = self.client.timeout
        read = own if isinstance(own, int | float) else getattr(own, "read", None)
        return min(remaining, float(read)) if isinstance(read, int | float) and read > 0 else remaining

    def _request(self, model: str, cache_key: str | None, *, structured: bool) -> _Request:
        with self._lock:
            plain, json_mode = model in self._plain, model in self._json_mode
            temperature_ok, cache_key_ok = model not in self._no_temperature, self._cache_key_ok
        mode: _Mode = "text"
        if structured:
            forced: _Mode = "json_object" if self.mode == "json_object" else "json_schema"
            mode = "plain" if plain else "json_object" if json_mode else forced
        options: dict[str, Any] = {"model": model}
        if self.max_output_tokens is not None:
            options[self._token_param] = self.max_output_tokens
        if (
            self.temperature is not None
            and temperature_ok
            and not model.rsplit("/", 1)[-1].startswith(_REASONING_PREFIXES)
        ):
            options["temperature"] = self.temperature
        if cache_key and cache_key_ok:
            # extra_body works with every SDK version, including those without the parameter
            options["extra_body"] = {"prompt_cache_key": cache_key}
        return _Request(mode, options)

    def _recover(self, error: Exception, request: _Request, call: CallBudget) -> None:
        """Return to send again (at once, or after a backoff); raise LLMError when the call is over."""
        if isinstance(error, DeadlinePassed):
            call.give_up(timeout_text(call.budget_s), error)
        if isinstance(error, openai.BadRequestError) and self._adapt(error, request):
            return  # the server told us what it does not take: not a failed try
        failure = classify(error, call.budget_s)
        if not failure.retry:
            call.give_up(failure.text, error)
        call.back_off(failure, error)

    def _adapt(self, error: openai.BadRequestError, request: _Request) -> bool:
        """Learn from a 400 what to leave out for this model; say whether anything changed."""
        model = request.model
        with self._lock:
            if "temperature" in request.options and mentions(error, "temperature"):
                self._no_temperature.add(model)
                return True
            if "extra_body" in request.options and mentions(error, "prompt_cache_key"):
                self._cache_key_ok = False
                return True
            if self.mode == "auto" and mentions(error, *_FORMAT_WORDS):
                if request.mode == "json_schema":
                    self._json_mode.add(model)
                    return True
                if request.mode == "json_object":
                    self._plain.add(model)
                    return True
        return False
