"""The session API: the one way in for the terminal, the CLI, the app and the evals.

Start an interview, send candidate messages (or hint / move-on / end controls), read the
state, get the debrief and list past sessions. Interviews are checkpointed in SQLite, so
a session resumes by id after a restart; a candidate's message is written to the session
store before the graph runs, so a crash never loses it.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from pydantic import BaseModel, Field

from interviewer.brain.base import Brain
from interviewer.debrief import Debrief
from interviewer.graph.background import Background
from interviewer.graph.context import Clock, Context, Retriever, SystemClock
from interviewer.graph.graph import build_graph
from interviewer.graph.nodes import step_elapsed, transcript_of
from interviewer.graph.state import InterviewState
from interviewer.ids import check_session_id
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import Phrases
from interviewer.steps import LEVELS, STEP_IDS
from interviewer.store.base import SessionExists, SessionIndex, SessionSummary
from interviewer.store.sqlite import SqliteSessionIndex
from interviewer.transcript import Transcript, Turn

__all__ = ["InputError", "InterviewService", "SessionNotFound", "SessionSummary", "SessionView"]

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
    step_elapsed_s: float = Field(0.0, description="Seconds spent in the current step in this session.")
    budget_minutes: int = 0
    pending_message: str | None = Field(None, description="A message sent but not yet answered.")
    brain: str = ""


class InterviewService:
    """Runs interviews through the graph; every front end goes through this class."""

    def __init__(
        self,
        kb: KnowledgeBase,
        brain: Brain,
        phrases: Phrases,
        *,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        store: SessionIndex | None = None,
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
        self.store: SessionIndex = store or SqliteSessionIndex(None)
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

    def _config(self, session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    def _pick_curveball(self, case_id: str | None, session_id: str) -> str | None:
        if not self.curveballs or case_id is None:
            return None
        options = self.kb.cases[case_id].curveballs
        return options[int(hashlib.sha256(session_id.encode()).hexdigest(), 16) % len(options)].id

    def _session_id(self, session_id: str) -> str:
        try:
            return check_session_id(session_id)
        except ValueError as error:
            raise InputError(str(error)) from None

    def start(self, case_id: str | None, level: str = "senior", *, session_id: str | None = None) -> SessionView:
        """Start an interview on a case (None: a generic interview) and return its first question."""
        if case_id is not None and case_id not in self.kb.cases:
            raise InputError(f"unknown case {case_id!r}; run 'interviewer cases' to list them")
        if level not in LEVELS:
            raise InputError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
        session_id = self._session_id(session_id) if session_id else uuid.uuid4().hex[:12]
        if self.store.exists(session_id):
            raise InputError(f"session {session_id!r} already exists")
        initial: dict[str, Any] = {
            "session_id": session_id,
            "case_id": case_id,
            "level": level,
            "curveball_id": self._pick_curveball(case_id, session_id),
        }
        # The checkpoint comes first: a session listed in the index always has content to open.
        self.graph.invoke(initial, self._config(session_id), context=self.context, durability="sync")
        try:
            self.store.add(session_id, case_id, level, time.time(), None)
        except SessionExists:
            raise InputError(f"session {session_id!r} already exists") from None
        return self.state(session_id)

    def validate_message(self, text: str) -> str:
        """Return the message cleaned, or raise InputError if it is empty or too long.

        NUL characters and lone surrogates (which no store can encode) are replaced, never fatal.
        """
        cleaned = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()
        if not cleaned:
            raise InputError("the message is empty; type an answer or a question")
        if len(cleaned) > self.max_message_chars:
            raise InputError(
                f"the message is {len(cleaned)} characters; the limit is {self.max_message_chars}."
                " Split it into smaller answers."
            )
        return cleaned

    def send(self, session_id: str, text: str, *, sketch: str | None = None) -> SessionView:
        """Send a candidate message (with a design sketch, if any) and return the state after the reply."""
        for _ in self.stream(session_id, text, sketch=sketch):
            pass
        return self.state(session_id)

    def control(self, session_id: str, action: Control) -> SessionView:
        """Press a control: ask for a hint, move to the next step, or end the interview."""
        for _ in self.stream(session_id, control=action):
            pass
        return self.state(session_id)

    def stream(
        self,
        session_id: str,
        text: str | None = None,
        *,
        control: Control | None = None,
        sketch: str | None = None,
    ) -> Iterator[str]:
        """Send a message (or press a control) and yield the interviewer's reply as it is produced.

        Text a brain streams token by token arrives in pieces; messages produced whole arrive
        whole, separated by a blank line. Read :meth:`state` once the iterator is exhausted.
        Input is validated before anything is yielded, so an ``InputError`` comes first. A turn
        left unfinished by a crash is finished first, so the new message is never swallowed by it.
        """
        session_id = self._session_id(session_id)
        if control is None:
            cleaned: str | None = self.validate_message(text or "")
            value: dict[str, Any] = {"text": cleaned}
            drawn = (sketch or "").encode("utf-8", "replace").decode("utf-8").replace("\x00", "").strip()
            if len(drawn) > self.max_message_chars:
                raise InputError(f"the sketch is {len(drawn)} characters; the limit is {self.max_message_chars}.")
            if drawn:
                value["sketch"] = drawn
        else:
            cleaned, value = None, {"control": control}
        self._finish_unfinished(session_id)
        if self._values(session_id).get("done"):
            raise InputError("this interview has ended; start a new one or open its debrief")
        self.store.set_pending(session_id, cleaned, time.time())
        return self._run(session_id, Command(resume=value))

    def _run(self, session_id: str, command: Command[Any] | None) -> Iterator[str]:
        between_messages = False
        config = self._config(session_id)
        for chunk in self.graph.stream(command, config, context=self.context, stream_mode="custom", durability="sync"):
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

    def _unhandled(self, session_id: str) -> str | None:
        """Return the write-ahead message if the graph never took it (a crash in between), else None."""
        pending = self.store.pending(session_id)
        if pending is None:
            return None
        turns = self._values(session_id).get("turns", [])
        last = next((t for t in reversed(turns) if t["role"] == "candidate"), None)
        if last is not None and last["content"] == pending and turns[-1]["role"] == "interviewer":
            self.store.set_pending(session_id, None, time.time())  # it was handled; the clearing was lost
            return None
        return pending

    def _finish_unfinished(self, session_id: str) -> None:
        """Finish a turn a crash interrupted: the graph mid-turn, or a message the graph never took."""
        snapshot = self.graph.get_state(self._config(session_id))
        if snapshot.next and not snapshot.interrupts:
            for _ in self._run(session_id, None):  # the message is in the checkpoint: it is not sent again
                pass
        elif snapshot.interrupts and (pending := self._unhandled(session_id)) is not None:
            self.store.set_pending(session_id, pending, time.time())
            for _ in self._run(session_id, Command(resume={"text": pending})):
                pass

    def retry(self, session_id: str) -> SessionView:
        """Finish handling a message whose turn failed (e.g. a crash); nothing is re-typed or sent twice."""
        session_id = self._session_id(session_id)
        self._finish_unfinished(session_id)
        self._after_turn(session_id)
        return self.state(session_id)

    def branch(self, session_id: str, turn_index: int) -> SessionView:
        """Start a new session that replays this one up to a candidate turn, to answer it again.

        The new session holds every turn before ``turn_index`` and waits for the candidate;
        the original session is untouched, so the debriefs of both branches can be compared.
        """
        session_id = self._session_id(session_id)
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
        values["active_at"] = self.clock.now()  # time before the branch was made is not time in its step
        config = self._config(new_id)
        self.graph.update_state(config, values, as_node="open_step")
        self.graph.invoke(None, config, context=self.context, durability="sync")
        self.store.add(new_id, values.get("case_id"), values.get("level", "senior"), time.time(), session_id)
        return self.state(new_id)

    def delete(self, session_id: str) -> None:
        """Delete a session: its checkpoints and its line in the session list."""
        session_id = self._session_id(session_id)
        if not self.store.exists(session_id):
            raise SessionNotFound(session_id)
        self.graph.checkpointer.delete_thread(session_id)  # type: ignore[union-attr]
        self.store.delete(session_id)

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
        session_id = self._session_id(session_id)
        if not self.store.exists(session_id):
            raise SessionNotFound(session_id)
        snapshot = self.graph.get_state(self._config(session_id))
        st: InterviewState = snapshot.values  # type: ignore[assignment]
        if not st:
            raise SessionNotFound(session_id)
        if snapshot.next and not snapshot.interrupts:  # mid-turn: the message is in the checkpoint
            pending = (st.get("pending") or {}).get("text") or self.store.pending(session_id)
        else:
            pending = self._unhandled(session_id) if snapshot.interrupts else None
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
            step_elapsed_s=round(step_elapsed(self.context, st), 1),
            budget_minutes=self.kb.framework.step(STEP_IDS[index]).budget_minutes,
            pending_message=pending or None,
            brain=self.brain.name,
        )

    def transcript(self, session_id: str) -> Transcript:
        """Return the transcript of a session."""
        return transcript_of(self.context, self._values(session_id))

    def list_sessions(self) -> list[SessionSummary]:
        """Return past and current sessions, newest first."""
        return self.store.list()
