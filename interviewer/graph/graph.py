"""Build the interview graph."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from interviewer.graph import nodes
from interviewer.graph.context import Context
from interviewer.graph.state import InputState, InterviewState


def build_graph(checkpointer: BaseCheckpointSaver[Any] | None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Return the compiled interview graph, checkpointed by ``checkpointer``."""
    builder = StateGraph(InterviewState, input_schema=InputState, context_schema=Context)
    for node in (
        nodes.start_interview,
        nodes.open_step,
        nodes.await_candidate,
        nodes.classify,
        nodes.reveal_facts,
        nodes.assess_answer,
        nodes.give_hint,
        nodes.handle_dont_know,
        nodes.redirect_off_topic,
        nodes.advance_step,
        nodes.write_debrief,
    ):
        builder.add_node(node.__name__, node)
    builder.add_edge(START, "start_interview")
    builder.add_edge("start_interview", "open_step")
    builder.add_edge("open_step", "await_candidate")
    builder.add_edge("await_candidate", "classify")
    builder.add_edge("write_debrief", END)
    return builder.compile(checkpointer=checkpointer)
