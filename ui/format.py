"""Pure text helpers of the app: safe Markdown, durations, dates and labels (no Streamlit here).

Every piece of user-controlled or stored text (candidate and model messages, URL parameters,
error messages, knowledge titles, session ids) goes through :func:`escape_markdown`,
:func:`escape_error` or :func:`inline_code` before Streamlit renders it as Markdown: that is
st.markdown, st.caption, st.title, st.error/warning/info, widget labels, help tooltips and
progress texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from interviewer.redact import redact_urls

# Characters that Markdown, Streamlit's directives (``:red[...]``), LaTeX (``$``) or HTML could
# interpret. A backslash escape is valid CommonMark for any ASCII punctuation and renders the
# character itself, so escaping one character at a time is safe even on streamed fragments.
_SPECIAL = set("\\`*_{}[]()#+-!|<>$~=:&")
_LIST_NUMBER = re.compile(r"^(\d+)\.", re.MULTILINE)
_INDENT = re.compile(r"\n[ \t]+")
_BACKTICKS = re.compile(r"`+")


def escape_markdown(text: str, *, fragment: bool = False) -> str:
    """Return text that Streamlit's Markdown shows verbatim: no formatting, links, HTML or LaTeX.

    Line breaks are kept as hard breaks so a multi-line answer reads as typed; indentation at
    the start of a line is dropped (it would turn the line into a code block). A ``fragment``
    is a piece of a longer streamed text, so its leading spaces are kept.
    """
    out = "".join("\\" + ch if ch in _SPECIAL else ch for ch in text.replace("\r\n", "\n"))
    out = _INDENT.sub("\n", out)
    if not fragment:
        out = out.lstrip(" \t")
    out = _LIST_NUMBER.sub(r"\1\\.", out)
    return out.replace("\n", "  \n")


def escape_error(text: str) -> str:
    """Return an error message for Markdown: URLs' credentials masked, then escaped like any text."""
    return escape_markdown(redact_urls(text))


def inline_code(text: str) -> str:
    """Return text as a one-line Markdown code span that shows it verbatim, backticks included."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end of a padded span, so padding keeps edge backticks apart.
    pad = " " if not text or text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape_stream(chunks: Iterable[str]) -> Iterator[str]:
    """Escape each streamed fragment as it arrives (see :func:`escape_markdown`)."""
    for chunk in chunks:
        yield escape_markdown(chunk, fragment=True)


def turn_index(value: str | None) -> int | None:
    """Return a ``?turn=`` value as a turn index, or None unless it is a short run of ASCII digits."""
    if value and len(value) <= 6 and value.isascii() and value.isdecimal():
        return int(value)
    return None


def duration(seconds: float) -> str:
    """Return a duration as ``m:ss`` (or ``h:mm:ss`` past an hour); negative counts as zero."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(timestamp: float) -> str:
    """Return a timestamp as local ``YYYY-MM-DD HH:MM``."""
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def label(identifier: str) -> str:
    """Return an identifier such as ``lean_no_hire`` or ``below_mid`` as ``Lean no hire`` / ``Below mid``."""
    words = identifier.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def budget_note(elapsed_s: float, budget_minutes: int) -> str:
    """Return ``elapsed / budget`` with a gentle note past the budget (the budget is a guide, not a limit)."""
    note = f"{duration(elapsed_s)} / {budget_minutes} min"
    if budget_minutes and elapsed_s > budget_minutes * 60:
        note += " (over the suggested time)"
    return note


def budget_fraction(elapsed_s: float, budget_minutes: int) -> float:
    """Return the share of the budget used, between 0 and 1, for a progress bar."""
    if budget_minutes <= 0:
        return 0.0
    return min(1.0, max(0.0, elapsed_s / (budget_minutes * 60)))


# C0 controls and DEL, except tab, line feed and carriage return (they separate a sketch's lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """Return text safe to draw and send to the browser: lone surrogates replaced, control characters dropped."""
    return _CONTROL.sub("", text.encode("utf-8", "replace").decode("utf-8"))


def one_line(items: Sequence[str], *, shown: int = 3) -> str:
    """Return the first few items joined on one line, with how many more were left out."""
    line = " · ".join(" ".join(item.split()) for item in items[:shown])
    rest = len(items) - shown
    return f"{line} (and {rest} more)" if rest > 0 else line


def active_seconds(offsets: Iterable[float], max_gap_s: float) -> float:
    """Return the time worked across turns stamped at these offsets (seconds since the start).

    Each gap between consecutive turns, the first measured from the start, counts at most
    ``max_gap_s``: a longer gap is a break (or the time before a branch was made), not work.
    """
    total, last = 0.0, 0.0
    for offset in offsets:
        total += min(max(offset - last, 0.0), max_gap_s)
        last = max(last, offset)
    return total


def progress_label(*, step_number: int, total: int, title: str, done: bool, reached: int) -> str:
    """Return the step progress caption: the current step, all steps done, or how far an early end got.

    ``title`` is the current step's title, already escaped for Markdown; ``reached`` counts the
    steps the interview got to (only read once it is done).
    """
    if not done:
        return f"Step {step_number} of {total}: {title}"
    if reached >= total:
        return f"All {total} steps done"
    return f"Ended early: {reached} of {total} steps reached"
