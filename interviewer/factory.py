"""Build the knowledge base, brain and session service from settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from interviewer.brain.base import Brain
from interviewer.brain.offline import OfflineBrain
from interviewer.embedding import make_embedding
from interviewer.graph.context import Clock
from interviewer.index import KnowledgeIndex, LazyRetriever
from interviewer.knowledge.loader import KnowledgeBase, load_knowledge
from interviewer.prompts import load_phrases
from interviewer.sessions import InterviewService, SessionStore
from interviewer.settings import Settings


@lru_cache(maxsize=4)
def knowledge(root: Path) -> KnowledgeBase:
    """Load the knowledge base once per folder."""
    return load_knowledge(root)


def make_brain(settings: Settings) -> Brain:
    """Return the brain the settings ask for."""
    if settings.provider != "offline":
        raise NotImplementedError(f"provider {settings.provider!r} is not available yet; use offline")
    return OfflineBrain()


def make_service(
    settings: Settings,
    *,
    persistent: bool = True,
    brain: Brain | None = None,
    clock: Clock | None = None,
    time_budgets: bool = True,
) -> InterviewService:
    """Return the session service; persistent services checkpoint to the data folder."""
    kb = knowledge(settings.knowledge_dir)
    retriever = LazyRetriever(KnowledgeIndex(settings.index_dir, make_embedding(settings)), kb) if persistent else None
    checkpointer = InterviewService.sqlite_checkpointer(settings.sessions_db) if persistent else None
    store = SessionStore(settings.sessions_db) if persistent else None
    return InterviewService(
        kb,
        brain or make_brain(settings),
        load_phrases(settings.prompts_dir),
        checkpointer=checkpointer,
        store=store,
        clock=clock,
        max_follow_ups=settings.max_follow_ups,
        max_turns_per_step=settings.max_turns_per_step,
        max_message_chars=settings.max_message_chars,
        curveballs=settings.curveballs,
        time_budgets=time_budgets,
        retriever=retriever,
    )
