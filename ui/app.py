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


def main() -> None:
    """Configure the page, load the service (slow only on the first visit) and run the page the URL asks for."""
    st.set_page_config(page_title="ML system design interviewer", page_icon=":material/psychology:", layout="wide")
    with st.spinner("Loading the interviewer and its knowledge index (only on the first visit)..."):
        from ui import state
        from ui.format import escape_error

        try:
            state.service()
        except Exception as exc:  # a wrong setting (provider, key, folder) is shown, not a traceback
            st.error(escape_error(f"The interviewer could not start: {type(exc).__name__}: {exc}"))
            st.stop()
    pages = [
        st.Page(state.START, title="Start", icon=":material/play_arrow:", default=True),
        st.Page(state.INTERVIEW, title="Interview", icon=":material/forum:", url_path="interview"),
        st.Page(state.DEBRIEF, title="Debrief", icon=":material/assessment:", url_path="debrief"),
        st.Page(state.HISTORY, title="History", icon=":material/history:", url_path="history"),
        st.Page(state.COMPARE, title="Compare branches", icon=":material/compare_arrows:", url_path="compare"),
    ]
    st.navigation(pages, position="top").run()


main()
