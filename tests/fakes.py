"""Fakes at the project's seams: a chat model with a queue of answers."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from interviewer.llm.client import LLMError, Message, Usage


class FakeChat:
    """A ChatModel that answers from queues and records what it was sent."""

    def __init__(self) -> None:
        self.structured_answers: deque[Any] = deque()
        self.stream_answers: deque[Any] = deque()
        self.calls: list[tuple[str, list[Message]]] = []
        self._usage = Usage()

    def answer(self, *items: Any) -> FakeChat:
        """Queue structured answers: dicts, models, or exceptions to raise."""
        self.structured_answers.extend(items)
        return self

    def say(self, *items: Any) -> FakeChat:
        """Queue streamed answers: lists of pieces, strings, or exceptions to raise."""
        self.stream_answers.extend(items)
        return self

    def structured(self, messages: Sequence[Message], schema: type[Any], *, model: str) -> Any:
        self.calls.append((schema.__name__, list(messages)))
        self._usage.add(Usage(calls=1, prompt_tokens=sum(len(m["content"]) for m in messages) // 4))
        item = self.structured_answers.popleft()
        if isinstance(item, Exception):
            raise item
        return item if isinstance(item, BaseModel) else schema.model_validate(item)

    def stream(self, messages: Sequence[Message], *, model: str) -> Iterator[str]:
        self.calls.append(("stream", list(messages)))
        self._usage.add(Usage(calls=1, prompt_tokens=sum(len(m["content"]) for m in messages) // 4))
        item = self.stream_answers.popleft()
        if isinstance(item, Exception):
            raise item
        pieces = [item] if isinstance(item, str) else item
        for piece in pieces:
            if isinstance(piece, Exception):
                raise piece
            yield piece

    def take_usage(self) -> Usage:
        usage, self._usage = self._usage, Usage()
        return usage

    def sent(self, schema_name: str) -> list[list[Message]]:
        """Return the messages of every call of one kind ('stream' for text calls)."""
        return [m for name, m in self.calls if name == schema_name]


def broken(message: str = "the model did not answer after 3 tries: InternalServerError (500)") -> LLMError:
    return LLMError(message)
