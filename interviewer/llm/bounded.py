"""Blocking I/O under a total time limit, whatever the server does.

An HTTP client's timeout bounds each read, not the whole response: a server that sends one
byte just before every read timeout keeps a request alive for ever. Here the blocking work
runs in a daemon thread that hands its results over a queue; the caller waits on the queue
only until the deadline, then closes whatever the worker registered (the response) and
raises ``DeadlinePassed``. The worker ends at its next read, which then fails.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_ITEM, _ERROR, _END = "item", "error", "end"


class DeadlinePassed(Exception):
    """The work did not finish by its deadline; its I/O was closed."""


class Handle:
    """What a worker registers so that the waiting side can abort its I/O (close a response)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []
        self.cancelled = False

    def attach(self, close: Callable[[], None]) -> None:
        """Register a close function; it runs at once if the work was already cancelled."""
        with self._lock:
            if not self.cancelled:
                self._closers.append(close)
                return
        _quietly(close)

    def cancel(self) -> None:
        """Mark the work cancelled and run every registered close function (once)."""
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True
            closers, self._closers = self._closers, []
        for close in closers:
            _quietly(close)


def _quietly(close: Callable[[], None]) -> None:
    # Closing from another thread may race the worker's own read; either side failing is fine.
    with contextlib.suppress(Exception):
        close()


class Pipe(Generic[T]):
    """Runs a producer in a daemon thread and hands its items to a reader with a deadline."""

    def __init__(self, produce: Callable[[Handle], Iterable[T]], *, name: str = "llm-request") -> None:
        """Start ``produce(handle)`` in a new daemon thread."""
        self.handle = Handle()
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        threading.Thread(target=self._run, args=(produce,), name=name, daemon=True).start()

    def _run(self, produce: Callable[[Handle], Iterable[T]]) -> None:
        try:
            for item in produce(self.handle):
                if self.handle.cancelled:
                    return
                self._queue.put((_ITEM, item))
            self._queue.put((_END, None))
        except BaseException as error:  # handed to the reader, who decides what it means
            self._queue.put((_ERROR, error))

    def items(self, deadline: float) -> Iterator[T]:
        """Yield the producer's items; raise its error, or DeadlinePassed at ``deadline``."""
        while True:
            try:
                kind, value = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.cancel()
                raise DeadlinePassed from None
            if kind == _ITEM:
                yield value
            elif kind == _ERROR:
                raise value
            else:
                return

    def cancel(self) -> None:
        """Close the producer's I/O and end the reader's iteration."""
        self.handle.cancel()
        self._queue.put((_END, None))


def call_by(deadline: float, work: Callable[[Handle], R]) -> R:
    """Return ``work(handle)`` run in a daemon thread; raise its error, or DeadlinePassed at ``deadline``."""
    pipe: Pipe[R] = Pipe(lambda handle: (work(handle),))
    for value in pipe.items(deadline):
        return value
    raise DeadlinePassed  # only when cancelled from elsewhere
