"""What a session store is: the checkpointer (each session's content) and the session index.

The LangGraph checkpointer is the one source of truth for a session's content: its turns, its
state, the message it is handling. The session index holds only what a checkpointer cannot list:
one row per session with its case, level, status and scores, and a write-ahead copy of a message
accepted but not yet handed to the graph (so a crash in that instant loses nothing).
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, Field

from interviewer.debrief import Debrief


class StoreError(RuntimeError):
    """A session store that cannot be used (damaged, unreachable); the message says what to do."""


class SessionExists(ValueError):
    """A session with this id already exists."""


class SessionSummary(BaseModel):
    """One line of the session history."""

    session_id: str
    case_id: str | None
    level: str
    created_at: float
    updated_at: float
    status: str
    overall: float | None = None
    scores: dict[str, int] = Field(default_factory=dict)
    parent_id: str | None = None


class SessionIndex(Protocol):
    """The list of sessions, safe to use from many threads and processes at once."""

    def add(self, session_id: str, case_id: str | None, level: str, now: float, parent_id: str | None) -> None:
        """Record a new session; raise SessionExists if the id is taken."""
        ...

    def set_pending(self, session_id: str, text: str | None, now: float) -> None:
        """Remember (or clear) the write-ahead copy of the message being handed to the graph."""
        ...

    def pending(self, session_id: str) -> str | None:
        """Return the write-ahead message, if any."""
        ...

    def finish(self, session_id: str, debrief: Debrief, now: float) -> None:
        """Record the result of a finished session."""
        ...

    def exists(self, session_id: str) -> bool:
        """Return whether a session id is known."""
        ...

    def list(self) -> list[SessionSummary]:
        """Return every session, newest first."""
        ...

    def delete(self, session_id: str) -> None:
        """Forget a session (its checkpoints are deleted by the caller)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


Checkpointer = Any
"""A LangGraph ``BaseCheckpointSaver`` (SqliteSaver, PostgresSaver, InMemorySaver)."""
