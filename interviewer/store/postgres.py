"""The shared session store: PostgreSQL, for several replicas of the app on one database.

:func:`postgres_store` opens one connection pool and returns LangGraph's ``PostgresSaver`` and a
:class:`PostgresSessionIndex` on it. The schema of both is created once, under an advisory lock,
so replicas that start at the same moment on a fresh database do not race each other's
``CREATE TABLE``. Any failure to reach the database is a :class:`StoreError` whose message names
the host, port, database and user, and never the password.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg import Connection
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from interviewer.debrief import Debrief
from interviewer.store.base import SessionExists, SessionSummary, StoreError

TABLE = "interviewer_sessions"
CONNECT_TIMEOUT_S = 10
SETUP_TIMEOUT_S = 120.0
POOL_MAX_SIZE = 10
_SETUP_LOCK = 0x1E7E_5E55
"""Advisory lock key held while one process creates or migrates the schema."""
_CONNECTION: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
"""What PostgresSaver requires of every connection it uses."""
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT PRIMARY KEY, case_id TEXT, level TEXT NOT NULL,"
    " created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, status TEXT NOT NULL,"
    " overall DOUBLE PRECISION, scores JSONB NOT NULL DEFAULT '{}', parent_id TEXT, pending TEXT)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_created_at_idx ON {TABLE} (created_at DESC)",
)
_COLUMNS = "id, case_id, level, created_at, updated_at, status, overall, scores, parent_id"


def describe(url: str) -> str:
    """Return where a database URL points (user, host, port, database), without its password."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "the database of INTERVIEWER_DATABASE_URL (the URL cannot be parsed)"
    host = str(info.get("host") or "localhost")
    port = str(info.get("port") or "5432")
    user = f"{info['user']}@" if info.get("user") else ""
    return f"database {info.get('dbname') or info.get('user') or '?'} on {user}{host}:{port}"


def _secrets(url: str) -> list[str]:
    """Return the password as it may appear in an error: parsed, as written in a URL, and decoded."""
    found: list[str] = re.findall(r"password\s*=\s*'?([^\s']+)", url)
    with contextlib.suppress(psycopg.Error):
        found.append(str(conninfo_to_dict(url).get("password") or ""))
    with contextlib.suppress(ValueError):
        raw = urlsplit(url).password or ""
        found += [raw, unquote(raw)]
    return sorted({s for s in found if s}, key=len, reverse=True)


def unreachable(url: str, error: BaseException) -> StoreError:
    """Return the error for a database that cannot be used, with the password scrubbed out."""
    reason = " ".join(str(error).split()) or type(error).__name__
    for secret in _secrets(url):
        reason = reason.replace(secret, "***")
    return StoreError(f"cannot use the PostgreSQL {describe(url)} ({reason}); check INTERVIEWER_DATABASE_URL")


def setup_schema(url: str) -> None:
    """Create (or migrate) the checkpoint tables and the session table, one process at a time.

    The lock is taken with ``pg_try_advisory_lock`` in a loop, not a blocking ``pg_advisory_lock``:
    the checkpointer's migrations run ``CREATE INDEX CONCURRENTLY``, which waits for every open
    transaction, and a waiter blocked inside a lock statement is one (the two would deadlock).
    """
    try:
        with Connection.connect(
            url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True, prepare_threshold=0, row_factory=dict_row
        ) as conn:
            deadline = time.monotonic() + SETUP_TIMEOUT_S
            while not _try_lock(conn):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another process held the schema lock for {SETUP_TIMEOUT_S:.0f} s")
                time.sleep(0.1)
            try:
                PostgresSaver(conn).setup()
                with conn.transaction():
                    for statement in _SCHEMA:
                        conn.execute(statement)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))
    except (psycopg.Error, TimeoutError) as error:
        raise unreachable(url, error) from None


def _try_lock(conn: Connection[DictRow]) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (_SETUP_LOCK,)).fetchone()
    return bool(row and row["ok"])


def open_pool(url: str, max_size: int = POOL_MAX_SIZE) -> ConnectionPool[Connection[DictRow]]:
    """Open a connection pool configured as PostgresSaver requires, checking each connection on loan."""
    kwargs = {**_CONNECTION, "connect_timeout": CONNECT_TIMEOUT_S}
    pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
        url,
        connection_class=Connection[DictRow],
        kwargs=kwargs,
        min_size=1,
        max_size=max_size,
        open=False,
        check=ConnectionPool.check_connection,
        name="interviewer",
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    except (psycopg.Error, PoolTimeout) as error:
        pool.close()
        raise unreachable(url, error) from None
    return pool


class PostgresSessionIndex:
    """The session index in the ``interviewer_sessions`` table; safe from many threads and replicas."""

    def __init__(self, pool: ConnectionPool[Connection[DictRow]], url: str) -> None:
        """Use a pool (closed by :meth:`close`); the URL only names the database in errors."""
        self._pool = pool
        self._url = url

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Connection[DictRow]]:
        """Lend a connection inside one transaction; a database error (not a duplicate id) becomes a StoreError."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.IntegrityError:
            raise
        except (psycopg.Error, PoolTimeout) as error:
            raise unreachable(self._url, error) from None

    def add(self, session_id: str, case_id: str | None, level: str, now: float, parent_id: str | None) -> None:
        """Record a new session; raise SessionExists if the id is taken."""
        try:
            with self._tx() as conn:
                conn.execute(
                    f"INSERT INTO {TABLE} (id, case_id, level, created_at, updated_at, status, parent_id)"
                    " VALUES (%s, %s, %s, %s, %s, 'active', %s)",
                    (session_id, case_id, level, now, now, parent_id),
                )
        except psycopg.errors.UniqueViolation:
            raise SessionExists(session_id) from None

    def set_pending(self, session_id: str, text: str | None, now: float) -> None:
        """Remember (or clear) the write-ahead message."""
        with self._tx() as conn:
            conn.execute(f"UPDATE {TABLE} SET pending = %s, updated_at = %s WHERE id = %s", (text, now, session_id))

    def pending(self, session_id: str) -> str | None:
        """Return the write-ahead message, if any."""
        with self._tx() as conn:
            row = conn.execute(f"SELECT pending FROM {TABLE} WHERE id = %s", (session_id,)).fetchone()
        return str(row["pending"]) if row and row["pending"] is not None else None

    def finish(self, session_id: str, debrief: Debrief, now: float) -> None:
        """Record the result of a finished session."""
        scores = {s.step: s.score for s in debrief.steps if s.reached}
        with self._tx() as conn:
            conn.execute(
                f"UPDATE {TABLE} SET status = 'finished', overall = %s, scores = %s, updated_at = %s WHERE id = %s",
                (debrief.overall.score, Jsonb(scores), now, session_id),
            )

    def exists(self, session_id: str) -> bool:
        """Return whether a session id is known."""
        with self._tx() as conn:
            return conn.execute(f"SELECT 1 FROM {TABLE} WHERE id = %s", (session_id,)).fetchone() is not None

    def list(self) -> list[SessionSummary]:
        """Return every session, newest first."""
        with self._tx() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY created_at DESC, id").fetchall()
        return [
            SessionSummary(
                session_id=r["id"],
                case_id=r["case_id"],
                level=r["level"],
                created_at=r["created_at"],
                updated_at=r["updated_at"],
                status=r["status"],
                overall=r["overall"],
                scores=r["scores"] or {},
                parent_id=r["parent_id"],
            )
            for r in rows
        ]

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        with self._tx() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE id = %s", (session_id,))

    def close(self) -> None:
        """Close the pool, which the checkpointer of :func:`postgres_store` shares."""
        self._pool.close()


def postgres_store(url: str) -> tuple[PostgresSaver, PostgresSessionIndex]:
    """Set up the schema and return a checkpointer and a session index sharing one pool.

    Closing the index closes the pool, so close it last (after the service stops using the saver).
    """
    setup_schema(url)
    pool = open_pool(url)
    return PostgresSaver(pool), PostgresSessionIndex(pool, url)
