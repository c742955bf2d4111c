"""The embedded session store: SQLite in WAL mode, one connection per thread, proper transactions.

Many threads (Streamlit serves every browser from one process) and several processes may share one
data folder. Every connection runs in WAL mode with a busy timeout, writes take the lock up front
(``BEGIN IMMEDIATE``), and the checkpointer gets its own connection configured the same way. A file
that is not a healthy SQLite database is refused with one message naming it and what to do.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from interviewer.debrief import Debrief
from interviewer.store.base import SessionExists, SessionSummary, StoreError

BUSY_TIMEOUT_MS = 30_000
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, case_id TEXT, level TEXT,"
    " created_at REAL, updated_at REAL, status TEXT, overall REAL, scores TEXT,"
    " parent_id TEXT, pending TEXT)"
)


def damaged(path: Path, why: object) -> StoreError:
    """Return the error for a session store that cannot be read."""
    return StoreError(
        f"the session store {path} is damaged or is not a session store ({why}). Move it aside to start with no"
        f" sessions (mv {path} {path}.broken), or restore it from a backup."
    )


def connect(path: Path | None) -> sqlite3.Connection:
    """Open a connection in WAL mode with a busy timeout, checking the file is a healthy database."""
    target = str(path) if path is not None else ":memory:"
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if path is not None:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise damaged(path, check[0] if check else "no answer to a health check")
    except sqlite3.DatabaseError as error:
        raise damaged(path or Path(target), error) from None
    except OSError as error:
        raise StoreError(f"cannot open the session store {path}: {error}") from None
    return conn


class SqliteSessionIndex:
    """The session index in a SQLite table; a connection per thread."""

    def __init__(self, path: Path | None) -> None:
        """Open (and create) the index; ``None`` keeps it in memory (one shared connection)."""
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._shared = connect(None) if path is None else None
        with self._write() as c:
            c.execute(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._lock if self._shared is not None else _nothing():
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.IntegrityError):
                    raise
                raise damaged(self.path or Path(":memory:"), error) from None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock if self._shared is not None else _nothing():
            try:
                return self._conn().execute(sql, args).fetchall()
            except sqlite3.DatabaseError as error:
                raise damaged(self.path or Path(":memory:"), error) from None

    def add(self, session_id: str, case_id: str | None, level: str, now: float, parent_id: str | None) -> None:
        """Record a new session; raise SessionExists if the id is taken."""
        try:
            with self._write() as c:
                c.execute(
                    "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 'active', NULL, '{}', ?, NULL)",
                    (session_id, case_id, level, now, now, parent_id),
                )
        except sqlite3.IntegrityError:
            raise SessionExists(session_id) from None

    def set_pending(self, session_id: str, text: str | None, now: float) -> None:
        """Remember (or clear) the write-ahead message."""
        with self._write() as c:
            c.execute("UPDATE sessions SET pending = ?, updated_at = ? WHERE id = ?", (text, now, session_id))

    def pending(self, session_id: str) -> str | None:
        """Return the write-ahead message, if any."""
        rows = self._read("SELECT pending FROM sessions WHERE id = ?", (session_id,))
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def finish(self, session_id: str, debrief: Debrief, now: float) -> None:
        """Record the result of a finished session."""
        scores = {s.step: s.score for s in debrief.steps if s.reached}
        with self._write() as c:
            c.execute(
                "UPDATE sessions SET status = 'finished', overall = ?, scores = ?, updated_at = ? WHERE id = ?",
                (debrief.overall.score, json.dumps(scores), now, session_id),
            )

    def exists(self, session_id: str) -> bool:
        """Return whether a session id is known."""
        return bool(self._read("SELECT 1 FROM sessions WHERE id = ?", (session_id,)))

    def list(self) -> list[SessionSummary]:
        """Return every session, newest first."""
        rows = self._read(
            "SELECT id, case_id, level, created_at, updated_at, status, overall, scores, parent_id"
            " FROM sessions ORDER BY created_at DESC"
        )
        return [
            SessionSummary(
                session_id=str(r[0]),
                case_id=r[1],
                level=str(r[2]),
                created_at=float(r[3]),
                updated_at=float(r[4]),
                status=str(r[5]),
                overall=r[6],
                scores=json.loads(str(r[7] or "{}")),
                parent_id=r[8],
            )
            for r in rows
        ]

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        with self._write() as c:
            c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        conn = self._shared or getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def sqlite_checkpointer(path: Path) -> SqliteSaver:
    """Return a SQLite checkpointer on its own WAL-mode connection (it serialises its own use of it)."""
    return SqliteSaver(connect(path))
