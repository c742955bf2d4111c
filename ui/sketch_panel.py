"""The design sketch of the interview page: a pipeline typed one edge a line, drawn as a graph as it is edited.

The sketch goes with the candidate's next answer (``InterviewService.stream(..., sketch=...)``), is
saved with that turn and judged with it; the editor is then emptied, and the sent sketch is shown
with its answer in the transcript. Whatever is typed, drawing never raises: the text is parsed by
``interviewer.sketch`` (every name quoted in the DOT it returns) and the lines it could not read
are listed in one warning.
"""

from __future__ import annotations

import streamlit as st

from interviewer.sketch import ARROW, parse, to_dot
from ui.format import escape_markdown, inline_code, one_line, printable

EXAMPLE = "request -> candidate generation -> ranking -> re-ranking\nfeature store -> ranking: user features"
"""The placeholder of the editor: two lines of the format."""

_SENT = "sketch_sent"
"""Session ids whose editor is emptied on the next run (a widget's value cannot change once it is drawn)."""


def editor_key(session_id: str) -> str:
    """Return the widget key of an interview's sketch editor (one draft per interview)."""
    return f"sketch-{session_id}"


def draft(session_id: str) -> str | None:
    """Return the sketch typed for the next answer, or None when the editor is empty."""
    text = st.session_state.get(editor_key(session_id))
    return str(text) if isinstance(text, str) and text.strip() else None


def sent(session_id: str) -> None:
    """Empty the editor on the next run: the sketch now belongs to the answer it was sent with."""
    st.session_state.setdefault(_SENT, set()).add(session_id)


def draw(text: str) -> None:
    """Draw a sketch as a graph and list, in one warning, the lines that could not be drawn."""
    sketch = parse(printable(text))
    if sketch.edges:
        stages = len(sketch.nodes)
        st.graphviz_chart(to_dot(sketch), width="stretch", alt=f"Design sketch: {stages} stages")
    elif text.strip():
        st.caption(escape_markdown(f"Nothing to draw yet: write a line such as 'request {ARROW} ranking'."))
    if sketch.problems:
        st.warning(escape_markdown(f"Not drawn: {one_line(sketch.problems)}"), icon=":material/warning:")


def show_sent(text: str) -> None:
    """Show the sketch sent with a candidate turn: the graph, and the text in an expander."""
    draw(text)
    with st.expander("Sketch as text", icon=":material/notes:"):
        st.code(printable(text), language=None, wrap_lines=True)


def _reuse(key: str, text: str) -> None:
    st.session_state[key] = text


def panel(session_id: str, last_sent: str | None, max_chars: int) -> None:
    """Draw the sketch editor with its live graph; editing it reruns only this panel."""
    with st.expander("Design sketch", icon=":material/account_tree:"):
        _editor(session_id, last_sent, max_chars)


@st.fragment
def _editor(session_id: str, last_sent: str | None, max_chars: int) -> None:
    key = editor_key(session_id)
    emptied: set[str] = st.session_state.get(_SENT, set())
    if session_id in emptied:
        emptied.discard(session_id)
        st.session_state[key] = ""
    text_column, graph_column = st.columns([2, 3])
    with text_column:
        text = st.text_area(
            f"One edge a line: {inline_code('a -> b -> c')}, optional {inline_code(': label')}",
            key=key,
            height=180,
            max_chars=max_chars,
            placeholder=EXAMPLE,
            help="Lines starting with # are comments. Click outside the box or press Ctrl+Enter to draw it.",
        )
        if last_sent and not (text or "").strip():
            st.button(
                "Start from my last sketch",
                key=f"{key}-reuse",
                icon=":material/history_edu:",
                type="tertiary",
                on_click=_reuse,
                args=(key, last_sent),
            )
    with graph_column:
        if (text or "").strip():
            draw(text or "")
        else:
            st.caption("Your pipeline is drawn here.")
    st.caption(
        "Sent with your next answer (not with Hint, Next step or End) and judged with it;"
        " the box is then emptied, and the sketch stays with that answer in the transcript."
    )
