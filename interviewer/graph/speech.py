"""How graph nodes speak: interviewer and candidate turns, streamed text, and the transcript."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from interviewer.brain.base import Emit
from interviewer.graph.context import Context
from interviewer.graph.questions import case_of, step_of
from interviewer.graph.state import InterviewState
from interviewer.transcript import Transcript, Turn

GENERIC_PROMPT = "Design a machine learning system for the problem you have in mind."


def turn(ctx: Context, state: InterviewState, role: str, content: str, kind: str, **extra: Any) -> dict[str, Any]:
    """Return a transcript turn as state data, stamped with the time since the interview started."""
    elapsed = round(ctx.clock.now() - state.get("started_at", ctx.clock.now()), 1)
    made = Turn.model_validate(
        {"role": role, "step": step_of(state), "content": content, "kind": kind, "elapsed_s": elapsed, **extra}
    )
    return made.model_dump(exclude_none=True)


def emitter(runtime: Runtime[Context]) -> Emit:
    """Return a function that streams interviewer text to whoever is listening."""
    writer = runtime.stream_writer
    return lambda text: writer({"delta": text})


def end_message(runtime: Runtime[Context]) -> None:
    """Mark the end of one streamed interviewer message."""
    runtime.stream_writer({"end": True})


def say(runtime: Runtime[Context], state: InterviewState, content: str, kind: str, **extra: Any) -> dict[str, Any]:
    """Return an interviewer turn produced whole, streaming it as one piece."""
    emitter(runtime)(content)
    end_message(runtime)
    return turn(runtime.context, state, "interviewer", content, kind, **extra)


def notices(runtime: Runtime[Context], state: InterviewState, texts: list[str]) -> list[dict[str, Any]]:
    """Return notice turns (e.g. that the offline brain answered), spoken after the node's own turns."""
    return [say(runtime, state, text, "notice") for text in texts]


def transcript_of(ctx: Context, state: InterviewState) -> Transcript:
    """Build the transcript of an interview from its state."""
    case = case_of(ctx, state)
    return Transcript.model_validate(
        {
            "case_id": state.get("case_id"),
            "problem": case.prompt if case else GENERIC_PROMPT,
            "level": state.get("level", "senior"),
            "turns": state.get("turns", []),
        }
    )
