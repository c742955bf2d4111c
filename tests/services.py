"""A session service on a SQLite file, as a real process would open it: for restart and crash tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interviewer.brain.offline import OfflineBrain
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT
from interviewer.store.sqlite import SqliteSessionIndex, sqlite_checkpointer


def persistent_service(
    kb: KnowledgeBase, db: Path, brain: OfflineBrain | None = None, **options: Any
) -> InterviewService:
    """Return a service checkpointing to ``db``; a second call on the same file is a restarted process."""
    return InterviewService(
        kb,
        brain or OfflineBrain(),
        load_phrases(REPO_ROOT / "prompts"),
        checkpointer=sqlite_checkpointer(db),
        store=SqliteSessionIndex(db),
        clock=FakeClock(5.0),
        **options,
    )
