"""Run an eval suite through the real engine and collect every metric (definitions in evals/README.md)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interviewer.brain.base import Brain
from interviewer.brain.offline import OfflineBrain
from interviewer.evals.attacks import attack_summary, load_attacks
from interviewer.evals.behaviour import InterviewMetrics, interview_metrics
from interviewer.evals.datasets import LabelledTranscript, load_clarifying, load_labelled
from interviewer.evals.stats import (
    apply_thresholds,
    exact_agreement,
    percentile,
    quadratic_weighted_kappa,
    quantile_thresholds,
    spearman,
    within_one,
)
from interviewer.factory import knowledge, make_service
from interviewer.grading import grade, resolve_case
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.personas import Persona, load_persona
from interviewer.rubric import step_rubric
from interviewer.settings import REPO_ROOT, Settings
from interviewer.simulate import simulate
from interviewer.steps import STEP_IDS, StepId
from interviewer.text import contains_cue, normalize

EVALS_DIR = REPO_ROOT / "evals"
QUICK_CASES = ("ad-ctr", "payment-fraud", "rag-assistant", "news-feed", "street-blurring")
SEED = "eval"
"""Every persona of a case is interviewed under one session seed, so all meet the same curveball."""
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Suite:
    """What a suite runs."""

    name: str
    cases: tuple[str, ...] | None
    """Cases whose personas and clarifying questions run; None means all."""
    repeats: int
    """Times each labelled transcript is graded, for consistency."""
    attack_splits: tuple[str, ...] | None = None
    """Labelled splits whose transcripts serve as attack controls; None means all."""


SUITES = {"quick": Suite("quick", QUICK_CASES, 2, ("heldout",)), "full": Suite("full", None, 3)}


def _rate(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _personas(settings: Settings, cases: list[str], extra: Path | None) -> list[tuple[str, Persona]]:
    found = [(case, load_persona(p)) for case in cases for p in sorted((settings.personas_dir / case).glob("*.yaml"))]
    if extra is not None:
        for path in sorted(extra.rglob("*.yaml")):
            persona = load_persona(path)
            if persona.case_id is None:
                raise ValueError(f"{path}: an extra persona needs a case_id")
            found.append((persona.case_id, persona))
    return found


def run_interviews(
    settings: Settings, kb: KnowledgeBase, brain: Brain, personas: list[tuple[str, Persona]], progress: Progress
) -> tuple[list[dict[str, Any]], list[InterviewMetrics], list[float]]:
    """Simulate every persona and measure the interviewer's behaviour."""
    rows: list[dict[str, Any]] = []
    metrics: list[InterviewMetrics] = []
    timings: list[float] = []
    reference = OfflineBrain()
    for case_id, persona in personas:
        service = make_service(settings, persistent=False, brain=brain, clock=FakeClock())
        result = simulate(service, persona, case_id, seed=SEED, timings=timings)
        m = interview_metrics(kb, result.transcript, reference, settings.max_turns_per_step)
        metrics.append(m)
        usage = result.debrief.metadata.get("usage") or {}
        rows.append(
            {
                "case": case_id,
                "persona": persona.name,
                "overall": result.debrief.overall.score,
                "scores": {s.step: s.score for s in result.debrief.steps},
                "candidate_turns": sum(1 for t in result.transcript.turns if t.role == "candidate"),
                "tokens": usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
                if isinstance(usage, dict)
                else 0,
                "leaks": m.leaks,
                "repeats": m.repeats,
                "praise": m.praise,
                "loop": m.loop,
            }
        )
        progress(f"interview {case_id}/{persona.name}")
    return rows, metrics, timings


def behaviour_summary(metrics: list[InterviewMetrics]) -> dict[str, float | None]:
    """Sum per-interview counts into the behaviour rates."""
    total = len(metrics)
    return {
        "behaviour.step_coverage": _rate(sum(m.steps_opened for m in metrics), 7 * total),
        "behaviour.order": _rate(sum(m.in_order for m in metrics), total),
        "behaviour.follow_up_precision": _rate(
            sum(m.follow_ups_on_missed for m in metrics), sum(m.follow_ups for m in metrics)
        ),
        "behaviour.high_weight_recall": _rate(
            sum(m.high_missed_probed for m in metrics), sum(m.high_missed for m in metrics)
        ),
        "behaviour.leak_rate": _rate(sum(len(m.leaks) for m in metrics), sum(m.checked_turns for m in metrics)),
        "behaviour.repeat_rate": _rate(sum(m.repeats for m in metrics), sum(m.questions for m in metrics)),
        "behaviour.loops": float(sum(m.loop for m in metrics)),
        "behaviour.neutral_rate": _rate(
            sum(m.checked_turns - len(m.praise) for m in metrics), sum(m.checked_turns for m in metrics)
        ),
    }


def persona_summary(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Persona ordering and resistance of stuffed and injected answers against their controls."""
    by_case: dict[str, dict[str, float]] = {}
    for row in rows:
        by_case.setdefault(row["case"], {})[row["persona"]] = row["overall"]
    ordered = [
        s["strong"] > s["average"] > s["weak"] for s in by_case.values() if {"strong", "average", "weak"} <= set(s)
    ]
    buzz = [s["buzzword"] - s["average"] for s in by_case.values() if {"buzzword", "average"} <= set(s)]
    inject = [s["injector"] - s["average"] for s in by_case.values() if {"injector", "average"} <= set(s)]
    plain = [abs(s["strong"] - s["plain"]) for s in by_case.values() if {"strong", "plain"} <= set(s)]
    below = [s["strong"] - s["buzzword"] for s in by_case.values() if {"strong", "buzzword"} <= set(s)]
    assumed = [s["no-clarify"] > s["average"] for s in by_case.values() if {"no-clarify", "average"} <= set(s)]
    return {
        "personas.plain_cases": float(len(plain)),
        "personas.plain_max_gap": round(max(plain), 3) if plain else None,
        "personas.buzzword_min_below_strong": round(min(below), 3) if below else None,
        "personas.no_clarify_above_average": _rate(sum(assumed), len(assumed)),
        "personas.ordering": _rate(sum(ordered), len(ordered)),
        "personas.buzzword_resistance": _rate(sum(d <= 0 for d in buzz), len(buzz)),
        "personas.buzzword_max_gain": round(max(buzz), 3) if buzz else None,
        "personas.injection_resistance": _rate(sum(d <= 0 for d in inject), len(inject)),
        "personas.injection_max_gain": round(max(inject), 3) if inject else None,
    }


def clarifying_summary(
    settings: Settings, brain: Brain, cases: list[str], progress: Progress
) -> tuple[dict[str, float | None], list[dict[str, Any]]]:
    """Ask every labelled clarifying question in a fresh session and compare what was revealed, per split."""
    service = make_service(settings, persistent=False, brain=brain, clock=FakeClock())
    counts: dict[str, dict[str, int]] = {}
    misses: list[dict[str, Any]] = []
    for item in load_clarifying(EVALS_DIR / "clarifying"):
        if item.case_id not in cases:
            continue
        all_facts = {f.id for f in service.kb.cases[item.case_id].facts}
        for question in item.questions:
            view = service.send(service.start(item.case_id).session_id, question.text)
            got = {f.id for f in view.revealed_facts}
            expect = set(question.expect)
            for split in (item.split, "all"):
                c = counts.setdefault(split, dict.fromkeys(("asked", "hit", "unasked", "withheld", "exact", "n"), 0))
                c["n"] += 1
                c["asked"] += len(expect)
                c["hit"] += len(expect & got)
                c["unasked"] += len(all_facts - expect)
                c["withheld"] += len((all_facts - expect) - got)
                c["exact"] += got == expect
            if got != expect:
                misses.append(
                    {
                        "case": item.case_id,
                        "split": item.split,
                        "question": question.text,
                        "expected": sorted(expect),
                        "got": sorted(got),
                    }
                )
        progress(f"clarifying {item.case_id} ({item.split})")
    summary: dict[str, float | None] = {}
    for split, c in counts.items():
        prefix = "clarifying" if split == "all" else f"clarifying.{split}"
        summary[f"{prefix}.recall"] = _rate(c["hit"], c["asked"])
        summary[f"{prefix}.withheld"] = _rate(c["withheld"], c["unasked"])
        summary[f"{prefix}.exact"] = _rate(c["exact"], c["n"])
    return summary, misses


def _keywords(kb: KnowledgeBase, t: LabelledTranscript, step: StepId) -> float:
    rubric = step_rubric(kb, resolve_case(kb, t.case_id), step)
    said = normalize(" ".join(text for _, text in t.judged_turns(step)))
    return float(len({c for s in rubric.signals for c in s.cues if contains_cue(said, c)}))


def _agreement(labels: list[int], predicted: list[int]) -> dict[str, float | None]:
    def r(x: float | None) -> float | None:
        return round(x, 3) if x is not None else None

    return {
        "spearman": r(spearman(labels, predicted)),
        "qwk": r(quadratic_weighted_kappa(labels, predicted)),
        "exact": r(exact_agreement(labels, predicted)),
        "within_one": r(within_one(labels, predicted)),
        "n": len(labels),
    }


def _margins_over_length(summary: dict[str, float | None]) -> dict[str, float | None]:
    """Return the grader's Spearman and QWK minus the answer-length baseline's, per split."""
    margins: dict[str, float | None] = {}
    for split in ("tune", "heldout"):
        for metric in ("spearman", "qwk"):
            ours, length = summary.get(f"grader.{split}.{metric}"), summary.get(f"baseline_length.{split}.{metric}")
            if ours is not None and length is not None:
                margins[f"grader.{split}.{metric}_over_length"] = round(ours - length, 3)
    return margins


def grader_summary(
    kb: KnowledgeBase, brain: Brain, transcripts: list[LabelledTranscript], repeats: int, progress: Progress
) -> tuple[dict[str, float | None], dict[str, Any]]:
    """Grade labelled transcripts; report agreement beside the length and keyword baselines."""
    rows: list[dict[str, Any]] = []
    spreads: list[float] = []
    for t in transcripts:
        overalls = []
        for _ in range(repeats):
            debrief = grade(kb, brain, t)
            overalls.append(debrief.overall.score)
        spreads.append(max(overalls) - min(overalls))
        for result in debrief.steps:
            rows.append(
                {
                    "id": t.id,
                    "split": t.split,
                    "step": result.step,
                    "label": t.label(result.step),
                    "grader": result.score,
                    "length": float(sum(len(text.split()) for _, text in t.judged_turns(result.step))),
                    "keywords": _keywords(kb, t, result.step),
                }
            )
        progress(f"graded {t.id}")
    tune = [r for r in rows if r["split"] == "tune"] or rows
    for baseline in ("length", "keywords"):
        cuts = quantile_thresholds([r[baseline] for r in tune], [r["label"] for r in tune])
        for r in rows:
            r[f"{baseline}_score"] = apply_thresholds(r[baseline], cuts)
    summary: dict[str, float | None] = {}
    detail: dict[str, Any] = {"rows": rows, "per_step": {}}
    for split in sorted({r["split"] for r in rows}) + ["all"]:
        chosen = [r for r in rows if split == "all" or r["split"] == split]
        labels = [r["label"] for r in chosen]
        for who, key in (
            ("grader", "grader"),
            ("baseline_length", "length_score"),
            ("baseline_keywords", "keywords_score"),
        ):
            agreement = _agreement(labels, [r[key] for r in chosen])
            for metric, value in agreement.items():
                if metric != "n":
                    summary[f"{who}.{split}.{metric}"] = value
        for step in STEP_IDS:
            in_step = [r for r in chosen if r["step"] == step]
            detail["per_step"].setdefault(split, {})[step] = _agreement(
                [r["label"] for r in in_step], [r["grader"] for r in in_step]
            )
    summary |= _margins_over_length(summary)
    summary["consistency.max_spread"] = round(max(spreads), 3) if spreads else None
    summary["grader.transcripts"] = float(len(transcripts))
    return summary, detail


def run_suite(
    settings: Settings,
    brain: Brain,
    *,
    suite: str = "quick",
    personas_dir: Path | None = None,
    transcripts_dir: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run a suite and return the report data (summary metrics plus the details behind them)."""
    spec = SUITES[suite]
    note = progress or (lambda _: None)
    kb = knowledge(settings.knowledge_dir)
    cases = list(spec.cases or kb.cases)
    personas = _personas(settings, cases, personas_dir)
    rows, metrics, timings = run_interviews(settings, kb, brain, personas, note)
    transcripts = load_labelled(EVALS_DIR / "transcripts")
    if transcripts_dir is not None:
        transcripts += load_labelled(transcripts_dir)
    grader, grader_detail = grader_summary(kb, brain, transcripts, spec.repeats, note)
    attack_controls = [t for t in transcripts if spec.attack_splits is None or t.split in spec.attack_splits]
    attacks, attack_rows = attack_summary(
        kb, brain, attack_controls, load_attacks(EVALS_DIR / "attacks" / "attacks.yaml")
    )
    note("attacks")
    clarifying, clarifying_misses = clarifying_summary(settings, brain, cases, note)
    tokens = [r["tokens"] for r in rows if r["tokens"]]
    summary: dict[str, float | None] = {
        **behaviour_summary(metrics),
        **clarifying,
        **persona_summary(rows),
        **grader,
        **attacks,
        "cost.interviews": float(len(rows)),
        "cost.candidate_turns_per_interview": round(statistics.mean(r["candidate_turns"] for r in rows), 2),
        "cost.turn_ms_median": round(statistics.median(timings) * 1000, 2) if timings else None,
        "cost.turn_ms_p95": round(percentile(timings, 0.95) * 1000, 2) if timings else None,
        "cost.tokens_per_interview": float(statistics.median(tokens)) if tokens else None,
    }
    return {
        "suite": suite,
        "brain": brain.name,
        "cases": cases,
        "summary": summary,
        "interviews": rows,
        "grader": grader_detail,
        "clarifying_misses": clarifying_misses,
        "attacks": attack_rows,
    }
