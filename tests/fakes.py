"""Fakes at the project's seams: a chat model with a queue of answers."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from interviewer.llm.client import Completion, LLMError, Message, Usage


def _usage(messages: Sequence[Message]) -> Usage:
    return Usage(calls=1, prompt_tokens=sum(len(m["content"]) for m in messages) // 4, completion_tokens=5)


class FakeStream:
    """A text stream from a list of pieces (or exceptions to raise), with usage once it has ended."""

    def __init__(self, pieces: list[Any], usage: Usage) -> None:
        self._pieces = pieces
        self._final = usage
        self.usage = Usage()
        self.closed = False

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            if isinstance(piece, Exception):
                raise piece
            yield piece
        self.usage = self._final

    def close(self) -> None:
        self.closed = True


class FakeChat:
    """A ChatModel that answers from queues and records what it was sent."""

    def __init__(self) -> None:
        self.structured_answers: deque[Any] = deque()
        self.stream_answers: deque[Any] = deque()
        self.calls: list[tuple[str, list[Message]]] = []
        self.options: list[dict[str, Any]] = []

    def answer(self, *items: Any) -> FakeChat:
        """Queue structured answers: dicts, models, or exceptions to raise."""
        self.structured_answers.extend(items)
        return self

    def say(self, *items: Any) -> FakeChat:
        """Queue streamed answers: lists of pieces, strings, or exceptions to raise."""
        self.stream_answers.extend(items)
        return self

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[Any],
        *,
        model: str,
        deadline: float | None = None,
        cache_key: str | None = None,
    ) -> Completion[Any]:
        self.calls.append((schema.__name__, list(messages)))
        self.options.append({"model": model, "deadline": deadline, "cache_key": cache_key, "schema": schema})
        item = self.structured_answers.popleft()
        if isinstance(item, Exception):
            raise item
        value = item if isinstance(item, BaseModel) else schema.model_validate(item)
        return Completion(value, _usage(messages))

    def stream(
        self, messages: Sequence[Message], *, model: str, deadline: float | None = None, cache_key: str | None = None
    ) -> FakeStream:
        self.calls.append(("stream", list(messages)))
        self.options.append({"model": model, "deadline": deadline, "cache_key": cache_key})
        item = self.stream_answers.popleft()
        if isinstance(item, Exception):
            raise item
        return FakeStream([item] if isinstance(item, str) else list(item), _usage(messages))

    def sent(self, schema_name: str) -> list[list[Message]]:
        """Return the messages of every call of one kind ('stream' for text calls)."""
        return [m for name, m in self.calls if name == schema_name]


def broken(message: str = "the model server did not answer (500)") -> LLMError:
    return LLMError(message)


def verdict(rubric: Any, *signals: tuple[str, str, str, int], flags: list[dict[str, object]] | None = None) -> Any:
    """Return a grader answer for a step: the given (id, status, quote, turn) verdicts, the rest missing."""
    given = {s: {"quote": q, "turn": t, "status": st} for s, st, q, t in signals}
    missing = {"quote": "", "turn": -1, "status": "missing"}
    return {"signals": {s.id: given.get(s.id, missing) for s in rubric.signals}, "red_flags": flags or []}
