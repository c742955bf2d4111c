"""What the pages share: the cached session service, page paths and the id of the open interview.

The interview being shown lives in the URL (``?session=ID``) so a refresh or a server restart
reopens it from the checkpointer; Streamlit's session state only remembers it between pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import streamlit as st

from interviewer.ids import check_session_id
from interviewer.knowledge.loader import KnowledgeBase, load_knowledge
from interviewer.redact import redact_url
from interviewer.settings import Settings, get_settings
from ui.format import escape_error, escape_markdown

if TYPE_CHECKING:  # the engine (LangGraph, Chroma, the encoder) is imported in the background, not here
    from interviewer.sessions import InterviewService, SessionView

SESSION_PARAM = "session"
"""Query parameter holding the open interview's id."""
TURN_PARAM = "turn"
"""Query parameter naming a turn to highlight in the transcript (from a debrief quote)."""

# Page scripts, relative to ui/app.py (the form st.switch_page and st.page_link accept).
START = "views/start.py"
INTERVIEW = "views/interview.py"
DEBRIEF = "views/debrief.py"
HISTORY = "views/history.py"
COMPARE = "views/compare.py"

_OPEN = "open_session"


@st.cache_resource(show_spinner=False)
def _service(settings_key: str) -> InterviewService:
    """Build the service once per settings (the key is the settings as JSON)."""
    from interviewer.factory import make_service
    from interviewer.index import LazyRetriever

    service = make_service(get_settings())
    retriever = service.context.retriever
    if isinstance(retriever, LazyRetriever):
        # Open (or build) the index now rather than in the middle of the candidate's first hint.
        retriever.ensure()
    service.brain.reader.encoder  # noqa: B018 - load the sentence model before the first answer
    _built.add(settings_key)
    return service


_built: set[str] = set()
"""Settings keys whose service this process has built."""


def ready() -> bool:
    """Return whether the service has been built (so asking for it will not wait)."""
    return settings().model_dump_json() in _built


def settings() -> Settings:
    """Return the process settings."""
    return get_settings()


@st.cache_resource(show_spinner=False)
def _knowledge(knowledge_dir: str) -> KnowledgeBase:
    return load_knowledge(Path(knowledge_dir))


def knowledge() -> KnowledgeBase:
    """Return the knowledge base alone (fast), for pages that need the cases but not the engine."""
    return _knowledge(str(settings().knowledge_dir))


def service() -> InterviewService:
    """Return the session service for the current settings; a setting that cannot work is shown, then the page stops."""
    try:
        if ready():
            return _service(settings().model_dump_json())
        with st.spinner("Loading the interviewer (only after the server starts)..."):
            return _service(settings().model_dump_json())
    except Exception as exc:  # a wrong setting (provider, key, folder, a damaged store) is shown, not a traceback
        st.error(escape_error(f"The interviewer could not start: {type(exc).__name__}: {exc}"))
        st.stop()


def brain_label(svc: InterviewService | None = None) -> str:
    """Describe the brain and models in use, e.g. ``offline (rule-based, runs locally, no model)``.

    Plain text (escape it for Markdown); the base URL's password and secret query values are masked.
    """
    cfg = settings()
    if cfg.provider == "offline":
        return "offline (a local sentence model and rules, no network)"
    name = f"openai:{cfg.interviewer_model}"
    if cfg.grader_model != cfg.interviewer_model:
        name += f" (grader {cfg.grader_model})"
    where = redact_url(cfg.openai_base_url) if cfg.openai_base_url else "the OpenAI API"
    return f"{name} via {where}"


def open_session_id() -> str | None:
    """Return the id of the interview to show: from the URL, else the last one opened in this tab."""
    from_url = st.query_params.get(SESSION_PARAM)
    if from_url:
        st.session_state[_OPEN] = from_url
        return str(from_url)
    remembered = st.session_state.get(_OPEN)
    if remembered:
        st.query_params[SESSION_PARAM] = remembered
    return str(remembered) if remembered else None


def go(page: str, session_id: str | None = None, **params: str) -> NoReturn:
    """Switch to a page, carrying the interview id in the URL."""
    query = dict(params)
    if session_id:
        st.session_state[_OPEN] = session_id
        query[SESSION_PARAM] = session_id
    st.switch_page(page, query_params=query)


def load_view(svc: InterviewService, purpose: str) -> SessionView:
    """Return the open interview, or explain how to open one and stop the page."""
    session_id = open_session_id()
    if session_id is None:
        st.info(f"No interview is open. Start one, or pick one from the history, to {purpose}.")
        _links()
        st.stop()
    from interviewer.sessions import SessionNotFound

    try:
        return svc.state(check_session_id(session_id))
    except SessionNotFound:
        problem = f"There is no interview with id {session_id!r} in this data folder."
    except ValueError as exc:  # a malformed id in the URL (the session API says the same as InputError)
        problem = f"This link does not name an interview: {exc}."
    st.error(escape_markdown(problem))
    st.session_state.pop(_OPEN, None)
    _links()
    st.stop()


def _links() -> None:
    st.page_link(START, label="Start an interview", icon=":material/play_arrow:")
    st.page_link(HISTORY, label="History", icon=":material/history:")
