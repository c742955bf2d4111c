"""The interviewer's browser app (Streamlit): start, interview, debrief, history and branch comparison.

Run it with ``make run``, or from the repository root with::

    .venv/bin/streamlit run ui/app.py

and open http://localhost:8501. Started from the repository root, Streamlit reads
``.streamlit/config.toml``: the server listens on localhost only and sends no usage statistics
(command-line flags such as ``--server.address`` override it).

Every page goes through the session API in ``interviewer/sessions.py``; settings come from
``INTERVIEWER_*`` environment variables (the offline brain by default, sessions under ``.data/``).
The open interview's id is kept in the URL (``?session=ID``), so a refresh or a server restart
reopens it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run ui/app.py` puts ui/ on sys.path, not the repository root that holds the `ui` package.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
"""Served by the app itself: the app makes no request off the machine."""


def main() -> None:
    """Configure the page and run the page the URL asks for.

    The start page draws its form from the knowledge base alone, then loads the engine below it; pages
    that need the service load it with a spinner (a few seconds, once per server start).
    """
    st.set_page_config(page_title="ML system design interviewer", page_icon=str(FAVICON), layout="wide")
    from ui import state

    pages = [
        st.Page(state.START, title="Start", icon=":material/play_arrow:", default=True),
        st.Page(state.INTERVIEW, title="Interview", icon=":material/forum:", url_path="interview"),
        st.Page(state.DEBRIEF, title="Debrief", icon=":material/assessment:", url_path="debrief"),
        st.Page(state.HISTORY, title="History", icon=":material/history:", url_path="history"),
        st.Page(state.COMPARE, title="Compare branches", icon=":material/compare_arrows:", url_path="compare"),
    ]
    st.navigation(pages, position="top").run()


main()
