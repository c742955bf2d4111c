"""Streamed text answers: the stream a caller iterates, and how the server's chunks are read."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from interviewer.llm.bounded import DeadlinePassed, Pipe
from interviewer.llm.errors import BROKEN_STREAM, CUT_OFF, DECLINED, ReplyError, seconds
from interviewer.llm.usage import Usage, usage_of


class TextStream:
    """Iterable of text pieces; `usage` is complete once iteration has ended (or the stream was closed)."""

    def __init__(
        self, pieces: Iterable[str], usage: Usage | None = None, *, on_close: Callable[[], None] | None = None
    ) -> None:
        """Wrap the pieces (iterated once) and the usage record they fill in.

        Args:
            pieces: The text pieces, in order (a fake may pass a plain list).
            usage: The record the producer updates; an empty one if not given.
            on_close: Called by ``close`` to abort the request behind the pieces.
        """
        self.usage = usage if usage is not None else Usage()
        self._pieces = iter(pieces)
        self._on_close = on_close

    def __iter__(self) -> Iterator[str]:
        """Return the pieces; a stream can be iterated once."""
        return self._pieces

    def close(self) -> None:
        """Stop early and release the connection; iteration then ends."""
        if self._on_close is not None:
            self._on_close()
        close = getattr(self._pieces, "close", None)
        if callable(close):
            with contextlib.suppress(ValueError):  # iterating in another thread; on_close ends it
                close()

    def __enter__(self) -> TextStream:
        """Return the stream, to be closed on leaving the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the stream."""
        self.close()


class LiveRequest:
    """The stream's current request, so that closing the stream can abort it."""

    def __init__(self) -> None:
        self.pipe: Pipe[Any] | None = None
        self.closed = False

    def close(self) -> None:
        """Mark the stream closed and abort its request."""
        self.closed = True
        if self.pipe is not None:
            self.pipe.cancel()


class ChunkReader:
    """Reads one streamed response's chunks: text pieces, the finish reason, refusals and usage."""

    def __init__(self) -> None:
        self.chunks = 0
        self.finish: str | None = None
        self.refused = False
        self.usage: Usage | None = None

    def take(self, chunk: Any) -> Iterator[str]:
        """Yield the chunk's text and note what else it says."""
        self.chunks += 1
        if getattr(chunk, "usage", None) is not None:
            self.usage = usage_of(chunk.usage)
        for choice in getattr(chunk, "choices", None) or ():
            delta = choice.delta
            if getattr(delta, "refusal", None):
                self.refused = True
            if choice.finish_reason:
                self.finish = choice.finish_reason
            if delta.content:
                yield delta.content

    def check(self) -> None:
        """Raise ReplyError when the finished stream was declined, cut off or incomplete."""
        if self.refused or self.finish == "content_filter":
            raise ReplyError(DECLINED, retry=False)
        if self.finish == "length":
            raise ReplyError(CUT_OFF, retry=False)
        if self.finish is None:  # the connection closed before the server said it was done
            text = BROKEN_STREAM if self.chunks else "the model server sent an empty stream"
            raise ReplyError(text, retry=True)

    def spent(self) -> Usage:
        """Return the response's usage: the server's count, or one call if it sent none."""
        if self.usage is not None:
            return self.usage
        return Usage(calls=1) if self.chunks else Usage()


def midstream_text(error: BaseException, budget_s: float) -> str:
    """Say why a stream failed after some of its text was already shown."""
    if isinstance(error, DeadlinePassed):
        return f"the model's answer did not finish within {seconds(budget_s)}"
    if isinstance(error, ReplyError) and not error.retry:
        return error.text
    return BROKEN_STREAM
