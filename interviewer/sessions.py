"""The session API: the one way in for the terminal, the CLI, the app and the evals.

Start an interview, send candidate messages (or hint / move-on / end controls), read the
state, get the debrief and list past sessions. Interviews are checkpointed in SQLite, so
a session resumes by id after a restart; a candidate's message is written to the session
store before the graph runs, so a crash never loses it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command
from pydantic import BaseModel, Field

from interviewer.brain.base import Brain
from interviewer.debrief import Debrief
from interviewer.graph.background import Background
from interviewer.graph.context import Clock, Context, Retriever, SystemClock
from interviewer.graph.graph import build_graph
from interviewer.graph.nodes import transcript_of
from interviewer.graph.state import InterviewState
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import Phrases
from interviewer.steps import LEVELS, STEP_IDS
from interviewer.transcript import Transcript, Turn

Control = Literal["hint", "move_on", "end"]


class InputError(ValueError):
    """A candidate message or a start request that cannot be accepted, with the reason."""


class SessionNotFound(KeyError):
    """No session has this id."""


class RevealedFact(BaseModel):
    """A hidden fact the candidate has unlocked."""

    id: str
    topic: str
    content: str


class SessionView(BaseModel):
    """What a front end needs to render an interview."""

    session_id: str
    case_id: str | None
    case_title: str
    level: str
    step: str
    step_index: int
    turns: list[Turn]
    revealed_facts: list[RevealedFact] = Field(default_factory=list)
    hints: int = 0
    done: bool = False
    debrief: Debrief | None = None
    started_at: float = 0.0
    step_started_at: float = 0.0
    budget_minutes: int = 0
    pending_message: str | None = Field(None, description="A message sent but not yet answered.")
    brain: str = ""


class SessionSummary(BaseModel):
    """One line of the session history."""

    session_id: str
    case_id: str | None
    level: str
    created_at: float
    updated_at: float
    status: str
    overall: float | None = None
    scores: dict[str, int] = Field(default_factory=dict)
    parent_id: str | None = None


class SessionStore:
    """The session list and unanswered messages, in a small SQLite table."""

    def __init__(self, path: Path | None) -> None:
        """Open (and create) the store; ``None`` keeps it in memory."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, case_id TEXT, level TEXT,"
            " created_at REAL, updated_at REAL, status TEXT, overall REAL, scores TEXT,"
            " parent_id TEXT, pending TEXT)"
        )
        self._conn.commit()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._conn:
            yield self._conn

    def add(self, session_id: str, case_id: str | None, level: str, now: float, parent_id: str | None) -> None:
        """Record a new session."""
        with self._tx() as c:
            c.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 'active', NULL, '{}', ?, NULL)",
                (session_id, case_id, level, now, now, parent_id),
            )

    def set_pending(self, session_id: str, text: str | None, now: float) -> None:
        """Remember (or clear) the message being handled."""
        with self._tx() as c:
            c.execute("UPDATE sessions SET pending = ?, updated_at = ? WHERE id = ?", (text, now, session_id))

    def pending(self, session_id: str) -> str | None:
        """Return the message sent but not yet answered, if any."""
        row = self._conn.execute("SELECT pending FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return row[0] if row else None

    def finish(self, session_id: str, debrief: Debrief, now: float) -> None:
        """Record the result of a finished session."""
        scores = {s.step: s.score for s in debrief.steps}
        with self._tx() as c:
            c.execute(
                "UPDATE sessions SET status = 'finished', overall = ?, scores = ?, updated_at = ? WHERE id = ?",
                (debrief.overall.score, json.dumps(scores), now, session_id),
            )

    def exists(self, session_id: str) -> bool:
        """Return whether a session id is known."""
        return self._conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is not None

    def list(self) -> list[SessionSummary]:
        """Return every session, newest first."""
        rows = self._conn.execute(
            "SELECT id, case_id, level, created_at, updated_at, status, overall, scores, parent_id"
            " FROM sessions ORDER BY created_at DESC"
        ).fetchall()
        return [
            SessionSummary(
                session_id=r[0],
                case_id=r[1],
                level=r[2],
                created_at=r[3],
                updated_at=r[4],
                status=r[5],
                overall=r[6],
                scores=json.loads(r[7] or "{}"),
                parent_id=r[8],
            )
            for r in rows
        ]


class InterviewService:
    """Runs interviews through the graph; every front end goes through this class."""

    def __init__(
        self,
        kb: KnowledgeBase,
        brain: Brain,
        phrases: Phrases,
        *,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        store: SessionStore | None = None,
        clock: Clock | None = None,
        max_follow_ups: int = 2,
        max_turns_per_step: int = 8,
        max_message_chars: int = 6000,
        curveballs: bool = True,
        time_budgets: bool = True,
        retriever: Retriever | None = None,
        turn_deadline_s: float | None = None,
        cooldown_s: float = 60.0,
        cooldown_max_s: float = 900.0,
        background: Background | None = None,
    ) -> None:
        """Wire the service; without a checkpointer or store, everything stays in memory."""
        self.kb = kb
        self.brain = brain
        self.clock = clock or SystemClock()
        self.store = store or SessionStore(None)
        self.max_message_chars = max_message_chars
        self.curveballs = curveballs
        self.context = Context(
            kb=kb,
            brain=brain,
            phrases=phrases,
            clock=self.clock,
            max_follow_ups=max_follow_ups,
            max_turns_per_step=max_turns_per_step,
            time_budgets=time_budgets,
            retriever=retriever,
            turn_deadline_s=turn_deadline_s,
            cooldown_s=cooldown_s,
            cooldown_max_s=cooldown_max_s,
            background=background,
        )
        self.graph = build_graph(checkpointer or InMemorySaver())

    @staticmethod
    def sqlite_checkpointer(path: Path) -> SqliteSaver:
        """Return a SQLite checkpointer on a file (created if needed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteSaver(sqlite3.connect(str(path), check_same_thread=False))

    def _config(self, session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    def _pick_curveball(self, case_id: str | None, session_id: str) -> str | None:
        if not self.curveballs or case_id is None:
            return None
        options = self.kb.cases[case_id].curveballs
        return options[int(hashlib.sha256(session_id.encode()).hexdigest(), 16) % len(options)].id

    def start(self, case_id: str | None, level: str = "senior", *, session_id: str | None = None) -> SessionView:
        """Start an interview on a case (None: a generic interview) and return its first question."""
        if case_id is not None and case_id not in self.kb.cases:
            raise InputError(f"unknown case {case_id!r}; run 'interviewer cases' to list them")
        if level not in LEVELS:
            raise InputError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        session_id = session_id or uuid.uuid4().hex[:12]
        if self.store.exists(session_id):
            raise InputError(f"session {session_id!r} already exists")
        self.store.add(session_id, case_id, level, time.time(), None)
        initial: dict[str, Any] = {
            "session_id": session_id,
            "case_id": case_id,
            "level": level,
            "curveball_id": self._pick_curveball(case_id, session_id),
        }
        self.graph.invoke(initial, self._config(session_id), context=self.context)
        return self.state(session_id)

    def validate_message(self, text: str) -> str:
        """Return the message stripped, or raise InputError if it is empty or too long."""
        cleaned = text.replace("\x00", "").strip()
        if not cleaned:
            raise InputError("the message is empty; type an answer or a question")
        if len(cleaned) > self.max_message_chars:
            raise InputError(
                f"the message is {len(cleaned)} characters; the limit is {self.max_message_chars}."
                " Split it into smaller answers."
            )
        return cleaned

    def send(self, session_id: str, text: str) -> SessionView:
        """Send a candidate message and return the state after the interviewer's reply."""
        for _ in self.stream(session_id, text):
            pass
        return self.state(session_id)

    def control(self, session_id: str, action: Control) -> SessionView:
        """Press a control: ask for a hint, move to the next step, or end the interview."""
        for _ in self.stream(session_id, control=action):
            pass
        return self.state(session_id)

    def stream(self, session_id: str, text: str | None = None, *, control: Control | None = None) -> Iterator[str]:
        """Send a message (or press a control) and yield the interviewer's reply as it is produced.

        Text a brain streams token by token arrives in pieces; messages produced whole arrive
        whole, separated by a blank line. Read :meth:`state` once the iterator is exhausted.
        Input is validated before anything is yielded, so an ``InputError`` comes first.
        """
        if control is None:
            cleaned: str | None = self.validate_message(text or "")
            value: dict[str, Any] = {"text": cleaned}
        else:
            cleaned, value = None, {"control": control}
        if self._values(session_id).get("done"):
            raise InputError("this interview has ended; start a new one or open its debrief")
        self.store.set_pending(session_id, cleaned, time.time())
        return self._run(session_id, Command(resume=value))

    def _run(self, session_id: str, command: Command[Any] | None) -> Iterator[str]:
        between_messages = False
        for chunk in self.graph.stream(command, self._config(session_id), context=self.context, stream_mode="custom"):
            if not isinstance(chunk, dict):
                continue
            if chunk.get("end"):
                between_messages = True
            elif chunk.get("delta"):
                if between_messages:
                    yield "\n\n"
                    between_messages = False
                yield str(chunk["delta"])
        self._after_turn(session_id)

    def retry(self, session_id: str) -> SessionView:
        """Finish handling a message whose turn failed (e.g. a crash); nothing is re-typed."""
        snapshot = self.graph.get_state(self._config(session_id))
        pending = self.store.pending(session_id)
        if snapshot.interrupts and pending:
            return self.send(session_id, pending)
        if snapshot.next:
            for _ in self._run(session_id, None):
                pass
        else:
            self._after_turn(session_id)
        return self.state(session_id)

    def branch(self, session_id: str, turn_index: int) -> SessionView:
        """Start a new session that replays this one up to a candidate turn, to answer it again.

        The new session holds every turn before ``turn_index`` and waits for the candidate;
        the original session is untouched, so the debriefs of both branches can be compared.
        """
        turns = self._values(session_id).get("turns", [])
        if not 0 <= turn_index < len(turns) or turns[turn_index]["role"] != "candidate":
            raise InputError(f"turn {turn_index} is not a candidate turn of session {session_id!r}")
        for snapshot in self.graph.get_state_history(self._config(session_id)):
            if snapshot.interrupts and len(snapshot.values.get("turns", [])) == turn_index:
                break
        else:
            raise InputError(f"no checkpoint before turn {turn_index} of session {session_id!r}")
        values = dict(snapshot.values)
        new_id = uuid.uuid4().hex[:12]
        values["session_id"] = new_id
        self.store.add(new_id, values.get("case_id"), values.get("level", "senior"), time.time(), session_id)
        config = self._config(new_id)
        self.graph.update_state(config, values, as_node="open_step")
        self.graph.invoke(None, config, context=self.context)
        return self.state(new_id)

    def _after_turn(self, session_id: str) -> None:
        self.store.set_pending(session_id, None, time.time())
        st = self._values(session_id)
        if st.get("done") and st.get("debrief"):
            self.store.finish(session_id, Debrief.model_validate(st["debrief"]), time.time())

    def _values(self, session_id: str) -> InterviewState:
        if not self.store.exists(session_id):
            raise SessionNotFound(session_id)
        values = self.graph.get_state(self._config(session_id)).values
        if not values:
            raise SessionNotFound(session_id)
        state: InterviewState = values  # type: ignore[assignment]
        return state

    def state(self, session_id: str) -> SessionView:
        """Return the current state of a session."""
        st = self._values(session_id)
        case = self.kb.cases.get(st.get("case_id") or "")
        index = min(st.get("step_index", 0), len(STEP_IDS) - 1)
        facts = {f.id: f for f in case.facts} if case else {}
        debrief = st.get("debrief")
        return SessionView(
            session_id=session_id,
            case_id=st.get("case_id"),
            case_title=case.title if case else "Generic ML system design",
            level=st.get("level", "senior"),
            step=STEP_IDS[index],
            step_index=index,
            turns=[Turn.model_validate(t) for t in st.get("turns", [])],
            revealed_facts=[
                RevealedFact(id=f, topic=facts[f].topic, content=facts[f].content)
                for f in st.get("revealed_facts", [])
                if f in facts
            ],
            hints=len(st.get("hints", [])),
            done=bool(st.get("done")),
            debrief=Debrief.model_validate(debrief) if debrief else None,
            started_at=st.get("started_at", 0.0),
            step_started_at=st.get("step_started_at", 0.0),
            budget_minutes=self.kb.framework.step(STEP_IDS[index]).budget_minutes,
            pending_message=self.store.pending(session_id),
            brain=self.brain.name,
        )

    def transcript(self, session_id: str) -> Transcript:
        """Return the transcript of a session."""
        return transcript_of(self.context, self._values(session_id))

    def list_sessions(self) -> list[SessionSummary]:
        """Return past and current sessions, newest first."""
        return self.store.list()
