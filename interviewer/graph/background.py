"""Work run off a turn's critical path: grading a finished step while the interview goes on.

Results are memoised by a key naming exactly what was judged, so the service can hold them for
any session without holding per-session state: a session's nodes fold finished results into its
checkpointed state, and a result that is lost (a restart) is simply computed again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MAX_KEPT = 512


class Background:
    """A small thread pool with its futures keyed by what they compute."""

    def __init__(self, workers: int = 8) -> None:
        """Start a pool of ``workers`` threads (created lazily by the executor)."""
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
        self._futures: OrderedDict[str, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, key: str, work: Callable[[], Any]) -> Future[Any]:
        """Start ``work`` under ``key`` unless it is already running or done."""
        with self._lock:
            future = self._futures.get(key)
            if future is None or (future.done() and future.exception() is not None):
                future = self._pool.submit(work)
                self._futures[key] = future
                while len(self._futures) > MAX_KEPT:
                    self._futures.popitem(last=False)
            return future

    def done(self, key: str) -> Any | None:
        """Return the result under ``key`` if it has finished without error, else None."""
        with self._lock:
            future = self._futures.get(key)
        if future is None or not future.done() or future.exception() is not None:
            return None
        return future.result()
