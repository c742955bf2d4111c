"""The ``interviewer`` command line: practice, cases, index, score, simulate and validate.

Run ``interviewer --help`` for the commands.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markdown import Markdown

from interviewer.evals.report import check_thresholds, compare, compare_markdown, load_thresholds, write_report
from interviewer.evals.runner import EVALS_DIR, SUITES, run_suite
from interviewer.export import NotATranscript, read_transcript, to_json, to_markdown
from interviewer.factory import describe_provider, knowledge, knowledge_index, make_brain, make_chat, make_service
from interviewer.grading import grade
from interviewer.graph.context import FakeClock
from interviewer.ids import check_session_id
from interviewer.index import IndexUnavailable, LazyRetriever
from interviewer.knowledge.checks import (
    case_problems,
    duplicate_problems,
    framework_problems,
    near_duplicate_examples,
)
from interviewer.knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge, load_model
from interviewer.knowledge.models import Case
from interviewer.llm.candidate import LLMCandidate
from interviewer.llm.client import LLMConfigError
from interviewer.llm.stub_cli import stub_server
from interviewer.personas import Persona, builtin_persona_path, builtin_personas, load_persona
from interviewer.prompts import load_llm_prompts
from interviewer.semantic.encoder import get_encoder
from interviewer.semantic.precompute import FILE_NAME, save_vectors
from interviewer.semantic.precompute import is_current as vectors_current
from interviewer.sessions import InputError, InterviewService, SessionNotFound
from interviewer.settings import Settings, get_settings
from interviewer.simulate import simulate as run_simulation
from interviewer.steps import STEP_IDS
from interviewer.store.base import StoreError
from interviewer.terminal import HELP, TerminalSession, pick_case, save_export, tolerant_input, warn_on_replacement

app = typer.Typer(help="A mock interviewer for ML system design interviews.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Practise ML system design interviews, offline by default."""


def _echo_err(message: str) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)


def _service(settings: Settings, **kwargs: Any) -> InterviewService:
    """Build the session service, turning an unusable LLM provider or session store into one clear message."""
    try:
        return make_service(settings, **kwargs)
    except LLMConfigError as exc:
        _echo_err(f"cannot use the LLM brain: {exc}")
        raise typer.Exit(2) from exc
    except StoreError as exc:
        _echo_err(f"cannot open the sessions: {exc}")
        raise typer.Exit(2) from exc


@app.command()
def validate(
    path: Path | None = typer.Argument(None, help="A case file or a knowledge folder (default: the base)."),
) -> None:
    """Check knowledge files: schema, completeness, leaking probes and duplicated prose."""
    target = path or get_settings().knowledge_dir
    problems: list[str] = []
    try:
        if target.is_file():
            case = load_model(target, Case)
            problems = [str(p) for p in case_problems(case)]
            problems += [str(p) for p in near_duplicate_examples(case, get_encoder().encode)]
            checked = 1
        else:
            kb = load_knowledge(target)
            cases = list(kb.cases.values())
            for case in cases:
                problems += [str(p) for p in case_problems(case)]
            problems += [str(p) for p in duplicate_problems(cases)]
            problems += [str(p) for p in framework_problems(kb.framework)]
            encoder = get_encoder()
            problems += [str(p) for case in cases for p in near_duplicate_examples(case, encoder.encode)]
            checked = len(cases)
    except KnowledgeError as exc:
        _echo_err(str(exc))
        raise typer.Exit(1) from exc
    if problems:
        _echo_err(f"{len(problems)} problem(s) in {target}:")
        for problem in problems:
            _echo_err(f"  - {problem}")
        raise typer.Exit(1)
    typer.echo(f"ok: {checked} case(s) in {target} pass every check")


def _kb() -> KnowledgeBase:
    try:
        return knowledge(get_settings().knowledge_dir)
    except KnowledgeError as exc:
        _echo_err(str(exc))
        raise typer.Exit(1) from exc


@app.command()
def cases(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List the cases with domain, difficulty and counts of facts and signals."""
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "domain": c.domain,
            "difficulty": c.difficulty,
            "facts": len(c.facts),
            "signals": sum(len(s.signals) for s in c.steps.values()),
            "signals_per_step": {step: len(c.steps[step].signals) for step in STEP_IDS},
        }
        for c in _kb().cases.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'id':<26} {'domain':<22} {'difficulty':<10} {'facts':>5} {'signals':>7}  title")
    for r in rows:
        typer.echo(
            f"{r['id']:<26} {r['domain']:<22} {r['difficulty']:<10} {r['facts']:>5} {r['signals']:>7}  {r['title']}"
        )


@app.command()
def score(
    transcript_file: Path = typer.Argument(..., help="Transcript JSON file.", exists=True, dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="Print the debrief as JSON."),
) -> None:
    """Score an existing transcript (or a JSON export) and print its debrief."""
    try:
        transcript = read_transcript(transcript_file)
    except NotATranscript as exc:
        _echo_err(str(exc))
        raise typer.Exit(2) from exc
    try:
        brain = make_brain(get_settings())
    except LLMConfigError as exc:
        _echo_err(f"cannot use the LLM brain: {exc}")
        raise typer.Exit(2) from exc
    debrief = grade(_kb(), brain, transcript)
    typer.echo(debrief.to_json() if as_json else debrief.to_markdown())


@app.command()
def simulate(
    case: str = typer.Option(..., "--case", help="Case id."),
    persona: str | None = typer.Option(None, "--persona", help="Built-in persona name (strong, average, weak...)."),
    persona_file: Path | None = typer.Option(None, "--persona-file", help="A persona YAML file.", exists=True),
    llm_persona: str | None = typer.Option(
        None, "--llm-persona", help="Describe a candidate in a sentence; a language model plays it."
    ),
    level: str = typer.Option("senior", "--level", help="Target level: mid, senior or staff."),
    as_json: bool = typer.Option(False, "--json", help="Print transcript and debrief as JSON."),
) -> None:
    """Run a simulated candidate through the real interview graph."""
    settings = get_settings()
    kb = _kb()
    if case not in kb.cases:
        _echo_err(f"unknown case {case!r}; known: {', '.join(kb.cases)}")
        raise typer.Exit(2)
    if sum(x is not None for x in (persona, persona_file, llm_persona)) != 1:
        _echo_err("give exactly one of --persona NAME, --persona-file FILE or --llm-persona TEXT")
        raise typer.Exit(2)
    candidate = (
        _llm_candidate(settings, llm_persona) if llm_persona else _scripted(settings, case, persona, persona_file)
    )
    service = _service(settings, persistent=False, clock=FakeClock())
    if not as_json:
        typer.echo(f"Brain: {describe_provider(settings)}")
    result = run_simulation(service, candidate, case, level)
    if as_json:
        payload = {
            "transcript": result.transcript.model_dump(mode="json", exclude_none=True),
            "debrief": result.debrief.model_dump(mode="json"),
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    for turn in result.transcript.turns:
        who = "Interviewer" if turn.role == "interviewer" else "Candidate"
        typer.echo(f"[{turn.step}] {who}: {turn.content}\n")
    typer.echo(result.debrief.to_markdown(f"Debrief: {case} / {candidate.name}"))


def _scripted(settings: Settings, case: str, persona: str | None, persona_file: Path | None) -> Persona:
    path = persona_file or builtin_persona_path(settings.personas_dir, case, str(persona))
    if not path.exists():
        known = ", ".join(builtin_personas(settings.personas_dir, case)) or "none"
        _echo_err(f"no persona {persona!r} for case {case!r}; built-in: {known}")
        raise typer.Exit(2)
    try:
        return load_persona(path)
    except KnowledgeError as exc:
        _echo_err(str(exc))
        raise typer.Exit(1) from exc


def _llm_candidate(settings: Settings, description: str) -> LLMCandidate:
    try:
        chat = make_chat(settings)
    except LLMConfigError as exc:
        _echo_err(f"cannot run an LLM candidate: {exc}")
        raise typer.Exit(2) from exc
    prompts = load_llm_prompts(settings.prompts_dir)
    return LLMCandidate(description, chat, prompts, model=settings.candidate_model)


@app.command()
def practice(
    case: str | None = typer.Option(None, "--case", help="Case id (default: a random case)."),
    level: str = typer.Option("senior", "--level", help="Target level: mid, senior or staff."),
    resume: str | None = typer.Option(None, "--resume", help="Resume an unfinished session by id."),
) -> None:
    """Practise an interview in the terminal; piped input is one candidate message per line."""
    if resume is not None:
        try:
            check_session_id(resume)
        except ValueError as exc:
            _echo_err(f"cannot resume: {exc}")
            raise typer.Exit(2) from exc
    stdin = tolerant_input(sys.stdin)
    settings = get_settings()
    _kb()
    service = _service(settings)
    if isinstance(service.context.retriever, LazyRetriever) and service.context.retriever.ensure():
        typer.echo("Built the knowledge index (first use or changed content).")
    interactive = stdin.isatty()
    try:
        if resume:
            view = service.state(resume)
        else:
            view = service.start(pick_case(service, case), level)
    except (InputError, SessionNotFound) as exc:
        _echo_err(f"cannot start: {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"Session {view.session_id}: {view.case_title} ({view.level}), brain: {view.brain}")
    if interactive:
        typer.echo(HELP)
    session = TerminalSession(service, typer.echo)

    def prompt() -> None:
        typer.echo("> ", nl=False)

    def warn(message: str) -> None:
        typer.secho(message, err=True, fg=typer.colors.YELLOW)

    view = session.run(view, warn_on_replacement(stdin, warn), prompt if interactive else None)
    if not view.done:
        typer.echo(f"\nInterview paused. Resume with: interviewer practice --resume {view.session_id}")
        return
    assert view.debrief is not None
    Console(highlight=False).print(Markdown(view.debrief.to_markdown(f"Debrief: {view.case_title}")))
    md, js = save_export(service, settings.data_dir / "debriefs", view.session_id)
    typer.echo(f"Saved {md} and {js} (transcript and debrief; score accepts the JSON)")


@app.command()
def sessions(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List past and current interview sessions."""
    rows = _service(get_settings()).list_sessions()
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in rows], indent=2))
        return
    if not rows:
        typer.echo("No sessions yet. Start one with: interviewer practice")
        return
    typer.echo(f"{'SESSION':<12}  {'CASE':<26} {'LEVEL':<7} {'STATUS':<9} {'SCORE':<5}  UPDATED")
    for r in rows:
        overall = f"{r.overall:.2f}" if r.overall is not None else "-"
        updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.updated_at))
        typer.echo(f"{r.session_id:<12}  {r.case_id or '-':<26} {r.level:<7} {r.status:<9} {overall:<5}  {updated}")


@app.command()
def export(
    session_id: str = typer.Argument(..., help="Id of the session (see: interviewer sessions)."),
    fmt: str = typer.Option("md", "--format", help="md (a readable document) or json (a transcript score accepts)."),
    out: Path | None = typer.Option(None, "-o", "--output", help="File to write (default: print it)."),
) -> None:
    """Export a session's transcript, with its debrief and the facts never asked for."""
    if fmt not in ("md", "json"):
        _echo_err(f"--format must be md or json, got {fmt!r}")
        raise typer.Exit(2)
    service = _service(get_settings())
    try:
        text = to_json(service, session_id) if fmt == "json" else to_markdown(service, session_id)
    except (InputError, SessionNotFound) as exc:
        _echo_err(f"cannot export: {exc if isinstance(exc, InputError) else f'no session {session_id!r}'}")
        raise typer.Exit(2) from exc
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {out}")


@app.command()
def index(
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild even if the content is unchanged."),
) -> None:
    """Build the Chroma index of the knowledge base (only when the content changed)."""
    settings = get_settings()
    kb = _kb()
    store = knowledge_index(settings)
    started = time.perf_counter()
    try:
        built = store.ensure(kb, rebuild=rebuild)
        count = store.count()
    except IndexUnavailable as exc:
        _echo_err(f"cannot build the index: {exc}")
        raise typer.Exit(2) from exc
    elapsed = time.perf_counter() - started
    state = f"built in {elapsed:.2f} s" if built else "up to date"
    typer.echo(f"index {state}: {count} entries in {store.where}")
    vectors = settings.data_dir / FILE_NAME
    if rebuild or not vectors_current(vectors, kb):
        started = time.perf_counter()
        count = save_vectors(vectors, get_encoder(), kb)
        typer.echo(f"judge vectors built in {time.perf_counter() - started:.2f} s: {count} texts in {vectors}")
    else:
        typer.echo(f"judge vectors up to date in {vectors}")


app.command("stub-server")(stub_server)


@app.command("eval")
def eval_(
    suite: str = typer.Option("quick", "--suite", help="quick (a few cases, CI) or full (every case and persona)."),
    brain: str = typer.Option("offline", "--brain", help="offline or openai (openai needs a key or a server)."),
    out: Path = typer.Option(Path(".data/eval"), "--out", help="Folder for report.md, report.json and plots."),
    personas: Path | None = typer.Option(
        None, "--personas", help="Extra persona files (each with a case_id).", exists=True
    ),
    transcripts: Path | None = typer.Option(
        None, "--transcripts", help="Extra labelled transcripts (tune/ and heldout/ subfolders, or files).", exists=True
    ),
    check: bool = typer.Option(True, "--check/--no-check", help="Fail (exit 1) when a threshold is missed."),
    compare_with: tuple[Path, Path] | None = typer.Option(
        None, "--compare", help="Compare two report.json files (OLD NEW) instead of running.", exists=True
    ),
) -> None:
    """Measure the interviewer and its grader; write a report; fail on regressions past thresholds."""
    if compare_with is not None:
        old, new = (json.loads(p.read_text(encoding="utf-8")) for p in compare_with)
        typer.echo(compare_markdown(compare(old, new)))
        return
    if suite not in SUITES or brain not in ("offline", "openai"):
        _echo_err("--suite is quick or full; --brain is offline or openai")
        raise typer.Exit(2)
    settings = get_settings().model_copy(update={"provider": brain})
    try:
        chosen = make_brain(settings)
    except LLMConfigError as exc:
        _echo_err(f"cannot use the LLM brain: {exc}")
        raise typer.Exit(2) from exc
    with typer.progressbar(length=1_000_000, label=f"eval {suite}", file=sys.stderr) as bar:
        report = run_suite(
            settings,
            chosen,
            suite=suite,
            personas_dir=personas,
            transcripts_dir=transcripts,
            progress=lambda _: bar.update(1),
        )
    failures = check_thresholds(report["summary"], load_thresholds(EVALS_DIR / "thresholds.yaml", suite))
    paths = write_report(report, out, failures)
    typer.echo(f"Wrote {', '.join(str(p) for p in paths)}")
    s = report["summary"]
    for key in (
        "grader.heldout.spearman",
        "grader.heldout.qwk",
        "baseline_length.heldout.spearman",
        "behaviour.leak_rate",
        "personas.ordering",
        "personas.injection_resistance",
    ):
        typer.echo(f"  {key}: {s.get(key)}")
    if failures:
        _echo_err("Thresholds missed:\n" + "\n".join(f"  - {f}" for f in failures))
        if check:
            raise typer.Exit(1)
