"""Build the knowledge base, brain and session service from settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.brain.base import Brain
from interviewer.brain.offline import OfflineBrain
from interviewer.embedding import make_embedding
from interviewer.graph.background import Background
from interviewer.graph.context import Clock
from interviewer.index import KnowledgeIndex, LazyRetriever
from interviewer.knowledge.loader import KnowledgeBase, load_knowledge
from interviewer.prompts import load_llm_prompts, load_phrases
from interviewer.redact import redact_url
from interviewer.semantic.precompute import FILE_NAME, load_vectors
from interviewer.sessions import InterviewService
from interviewer.settings import Settings
from interviewer.store.base import Checkpointer, SessionIndex
from interviewer.store.sqlite import SqliteSessionIndex, sqlite_checkpointer

if TYPE_CHECKING:  # the LLM brain and the openai client are imported only when a model is used
    from interviewer.llm.client import ChatModel, OpenAIChat


@lru_cache(maxsize=4)
def knowledge(root: Path) -> KnowledgeBase:
    """Load the knowledge base once per folder."""
    return load_knowledge(root)


def make_chat(settings: Settings) -> OpenAIChat:
    """Return the OpenAI-compatible chat client the settings describe (LLMConfigError if unusable)."""
    from interviewer.llm.client import OpenAIChat, RetryPolicy

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIChat.from_settings(
        api_key=key,
        base_url=settings.openai_base_url,
        timeout_s=settings.llm_timeout_s,
        structured_mode=settings.structured_output,
        retry=RetryPolicy(attempts=settings.llm_attempts),
        max_output_tokens=settings.llm_max_output_tokens,
    )


def describe_provider(settings: Settings) -> str:
    """Return which brain and models are in use, for the UI and CLI."""
    if settings.provider == "offline":
        return "offline brain (meaning from a local model, no network)"
    where = redact_url(settings.openai_base_url) if settings.openai_base_url else "api.openai.com"
    return f"openai-compatible at {where}: interviewer {settings.interviewer_model}, grader {settings.grader_model}"


def offline_brain(settings: Settings) -> OfflineBrain:
    """Return the offline brain, preloading the knowledge vectors that ``interviewer index`` computed."""
    kb = knowledge(settings.knowledge_dir)
    path = settings.data_dir / FILE_NAME
    return OfflineBrain(preload=lambda encoder: load_vectors(path, encoder, kb.fingerprint))


def make_brain(settings: Settings, chat: ChatModel | None = None) -> Brain:
    """Return the brain the settings ask for; the LLM brain falls back to the offline brain."""
    if settings.provider == "offline":
        return offline_brain(settings)
    from interviewer.brain.llm import LLMBrain

    if chat is None:
        client = make_chat(settings)
        if settings.llm_check:
            client.check(models=[settings.interviewer_model, settings.grader_model])
        chat = client
    name = f"openai:{settings.interviewer_model}"
    if settings.grader_model != settings.interviewer_model:
        name += f" (grader {settings.grader_model})"
    return LLMBrain(
        chat,
        load_llm_prompts(settings.prompts_dir),
        knowledge(settings.knowledge_dir),
        reader=offline_brain(settings),
        interviewer_model=settings.interviewer_model,
        grader_model=settings.grader_model,
        name=name,
    )


def knowledge_index(settings: Settings) -> KnowledgeIndex:
    """Return the knowledge index: on the Chroma server of ``INTERVIEWER_CHROMA_URL``, else embedded."""
    embedding = make_embedding(settings)
    if settings.chroma_url:
        return KnowledgeIndex.server(settings.chroma_url, embedding)
    return KnowledgeIndex(settings.index_dir, embedding)


def session_store(settings: Settings) -> tuple[Checkpointer, SessionIndex]:
    """Return the checkpointer and session index: PostgreSQL with ``INTERVIEWER_DATABASE_URL``, else SQLite."""
    if settings.database_url is not None:
        from interviewer.store.postgres import postgres_store

        return postgres_store(settings.database_url.get_secret_value())
    return sqlite_checkpointer(settings.sessions_db), SqliteSessionIndex(settings.sessions_db)


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
    brain = brain or make_brain(settings)
    uses_model = brain.reader is not brain
    retriever = LazyRetriever(knowledge_index(settings), kb) if persistent else None
    checkpointer, store = session_store(settings) if persistent else (None, None)
    return InterviewService(
        kb,
        brain,
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
        turn_deadline_s=settings.llm_turn_deadline_s if uses_model else None,
        cooldown_s=settings.llm_cooldown_s,
        cooldown_max_s=settings.llm_cooldown_max_s,
        background=Background() if uses_model else None,
    )
