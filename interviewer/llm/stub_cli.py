"""The ``interviewer stub-server`` command: the project's OpenAI-compatible stub, for demos and fault drills."""

from __future__ import annotations

import time

import typer

from interviewer.llm.stub import FAULTS, StubServer, default_responder

FAULT_HELP = f"Queue a fault for the next request: {', '.join(FAULTS)}."


def stub_server(
    port: int = typer.Option(8765, "--port", help="Loopback port to listen on."),
    latency: float = typer.Option(0.0, "--latency", min=0.0, help="Seconds every chat call waits before answering."),
    fault: list[str] = typer.Option([], "--fault", help=FAULT_HELP),
    always: str | None = typer.Option(
        None, "--always", help=f"Play one fault on every request: {', '.join(FAULTS)}.", metavar="FAULT"
    ),
    model: list[str] = typer.Option([], "--model", help="A model the stub lists (repeatable; default: stub)."),
    grader: bool = typer.Option(
        False, "--grader/--minimal", help="Grade with the stub's heuristic grader (mixed verdicts) or minimally."
    ),
) -> None:
    """Serve a minimal OpenAI-compatible stub on 127.0.0.1, for demos and fault drills (Ctrl-C stops it)."""
    from interviewer.llm.stub_grader import grading_responder

    responder = grading_responder if grader else default_responder
    server = StubServer(responder, port=port, latency_s=latency, models=tuple(model) or ("stub",))
    try:
        server.fail_next(*fault)
        server.always(always)
    except ValueError as error:
        server.stop()
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"OpenAI-compatible stub at {server.url}; try OPENAI_BASE_URL={server.url} INTERVIEWER_PROVIDER=openai")
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
