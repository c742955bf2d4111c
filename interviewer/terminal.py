"""The interview in a terminal, over the session API.

Interactive use: ``interviewer practice``. Scripted use: pipe one candidate message per
line into ``interviewer practice``; blank lines are skipped, and bytes that are not UTF-8
become U+FFFD rather than ending the interview.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from interviewer.ids import check_session_id
from interviewer.sessions import Control, InputError, InterviewService, SessionView

COMMANDS: dict[str, Control] = {"/hint": "hint", "/next": "move_on", "/end": "end"}
HELP = "Commands: /hint for a nudge, /next to move on, /end to finish, /facts for what you have learned."
REPLACED = "\ufffd"
REPLACED_WARNING = "warning: the input held bytes that are not valid UTF-8; they were replaced with \ufffd"


def tolerant_input(stream: TextIO) -> TextIO:
    """Make a text stream turn undecodable bytes into U+FFFD instead of raising mid-interview.

    Only a :class:`io.TextIOWrapper` (a real or redirected stdin) can be told so, and only
    before its first read; any other stream is returned as it is.
    """
    if isinstance(stream, io.TextIOWrapper):
        try:
            stream.reconfigure(errors="replace")
        except (ValueError, OSError):  # already read from, or closed: keep its own handling
            pass
    return stream


def warn_on_replacement(lines: Iterable[str], warn: Callable[[str], None]) -> Iterator[str]:
    """Yield lines unchanged, calling ``warn`` once the first time one holds a replaced byte."""
    warned = False
    for line in lines:
        if not warned and REPLACED in line:
            warn(REPLACED_WARNING)
            warned = True
        yield line


def save_export(service: InterviewService, folder: Path, session_id: str) -> tuple[Path, Path]:
    """Write a session's export as Markdown and JSON (a transcript score accepts); return both paths."""
    from interviewer.export import to_json, to_markdown

    check_session_id(session_id)
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / f"{session_id}.md"
    js = folder / f"{session_id}.json"
    md.write_text(to_markdown(service, session_id), encoding="utf-8")
    js.write_text(to_json(service, session_id), encoding="utf-8")
    return md, js


def pick_case(service: InterviewService, case_id: str | None, seed: int | None = None) -> str:
    """Return the requested case, or a random one ('surprise me')."""
    if case_id:
        return case_id
    return random.Random(seed).choice(sorted(service.kb.cases))


class TerminalSession:
    """Drives one interview from lines of input, printing interviewer turns as they come."""

    def __init__(self, service: InterviewService, echo: Callable[[str], None]) -> None:
        """Use a service and a function that prints one block of text."""
        self.service = service
        self.echo = echo
        self._shown = 0

    def _show_new(self, view: SessionView) -> None:
        for turn in view.turns[self._shown :]:
            if turn.role == "interviewer":
                self.echo(f"\n[{turn.step}] Interviewer: {turn.content}\n")
        self._shown = len(view.turns)

    def run(self, view: SessionView, lines: Iterable[str], prompt: Callable[[], None] | None = None) -> SessionView:
        """Feed lines as candidate messages until the interview ends or input runs out."""
        self._show_new(view)
        if prompt:
            prompt()
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            try:
                view = self._handle(view, line)
            except InputError as exc:
                self.echo(f"! {exc}")
            if view.done:
                break
            if prompt:
                prompt()
        return view

    def _handle(self, view: SessionView, line: str) -> SessionView:
        if line == "/help":
            self.echo(HELP)
            return view
        if line == "/facts":
            facts = view.revealed_facts
            self.echo("\n".join(f"- {f.topic}: {f.content}" for f in facts) or "No facts revealed yet.")
            return view
        if line in COMMANDS:
            view = self.service.control(view.session_id, COMMANDS[line])
        else:
            view = self.service.send(view.session_id, line)
        self._show_new(view)
        return view
