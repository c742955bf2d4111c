"""Session ids: the one pattern every front end and the session API accept.

A session id becomes a file name (debrief exports) and a URL parameter, so it is checked
wherever it comes from outside: a CLI argument, the app's ``?session=`` parameter, an API call.
"""

from __future__ import annotations

import re

SESSION_ID = re.compile(r"\A[a-z0-9_][a-z0-9_-]{0,63}\Z")
"""Lowercase letters, digits, ``-`` and ``_``; 1 to 64 characters; never starting with ``-`` (or ``.``)."""

_SHOWN_CHARS = 40


def shown(value: str, limit: int = _SHOWN_CHARS) -> str:
    """Return a value for an error message: its repr (quotes, control characters escaped), truncated."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


def check_session_id(value: str) -> str:
    """Return ``value`` if it is a valid session id, else raise ValueError saying why.

    Raises:
        ValueError: ``value`` is not a string matching :data:`SESSION_ID`.
    """
    if not isinstance(value, str):
        raise ValueError(f"invalid session id: expected text, got {type(value).__name__}")
    if not SESSION_ID.match(value):
        raise ValueError(
            f"invalid session id {shown(value)}: use 1 to 64 lowercase letters, digits, '-' or '_',"
            " not starting with '-'"
        )
    return value
