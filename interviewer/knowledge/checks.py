"""Content checks beyond the schema: completeness, leaking probes and duplicated prose."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from interviewer.brain.guard import leaks
from interviewer.knowledge.models import Case, Framework, Signal
from interviewer.semantic.encoder import Vectors
from interviewer.steps import STEP_IDS
from interviewer.text import contains_cue, normalize, shingles

MIN_FACTS = 8
MIN_EASILY_MISSED_FACTS = 1
MIN_SIGNALS_PER_STEP = 4
MIN_RED_FLAGS_PER_STEP = 2
MIN_SIGNAL_EXAMPLES = 3
MIN_FLAG_EXAMPLES = 2
FACT_QUESTIONS = (2, 3)
"""Fewest and most example questions per fact."""
NEAR_DUPLICATE_COSINE = 0.9
"""An example this similar to another signal's example of the same step is a near-duplicate."""
DUPLICATE_JACCARD = 0.5
"""Two text fields of different cases sharing this share of 5-word shingles are duplicates."""
DUPLICATE_MIN_WORDS = 10


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case, located by case id and field path."""

    case_id: str
    field: str
    message: str

    def __str__(self) -> str:
        """Render as 'case: field: message'."""
        return f"{self.case_id}: field {self.field}: {self.message}"


def completeness_problems(case: Case) -> list[Problem]:
    """Return where a case falls short of the content minimums."""
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(case.id, field, message))

    if len(case.facts) < MIN_FACTS:
        add("facts", f"has {len(case.facts)} facts, needs at least {MIN_FACTS}")
    if sum(f.easily_missed for f in case.facts) < MIN_EASILY_MISSED_FACTS:
        add("facts", "needs at least one fact marked easily_missed: true")
    for step_id in STEP_IDS:
        step = case.steps[step_id]
        if len(step.signals) < MIN_SIGNALS_PER_STEP:
            add(f"steps.{step_id}.signals", f"has {len(step.signals)}, needs at least {MIN_SIGNALS_PER_STEP}")
        if len(step.red_flags) < MIN_RED_FLAGS_PER_STEP:
            add(
                f"steps.{step_id}.red_flags",
                f"has {len(step.red_flags)}, needs at least {MIN_RED_FLAGS_PER_STEP}",
            )
        if step.anchors is None:
            add(f"steps.{step_id}.anchors", "mid / senior / staff anchors are required")
        answers = step.model_answers
        if answers is None:
            add(f"steps.{step_id}.model_answers", "mid / senior / staff model answers are required")
        elif len({answers.mid, answers.senior, answers.staff}) < 3:
            add(f"steps.{step_id}.model_answers", "each level needs its own answer")
    return problems


def _signal_meaning_problems(owner: str, path: str, signal: Signal) -> list[Problem]:
    problems = []
    if not signal.meaning.strip():
        problems.append(Problem(owner, f"{path}.meaning", "a one-sentence meaning is required"))
    if len(signal.examples) < MIN_SIGNAL_EXAMPLES:
        problems.append(Problem(owner, f"{path}.examples", f"has {len(signal.examples)}, needs {MIN_SIGNAL_EXAMPLES}"))
    elif all(any(contains_cue(normalize(e), c) for c in signal.cues) for e in signal.examples):
        problems.append(Problem(owner, f"{path}.examples", "at least one must be in plain words, using no cue"))
    return problems


def framework_problems(framework: Framework) -> list[Problem]:
    """Return generic signals and red flags that lack meanings or examples."""
    problems: list[Problem] = []
    for i, step in enumerate(framework.steps):
        for j, signal in enumerate(step.signals):
            problems += _signal_meaning_problems("framework", f"steps[{i}].signals[{j}]", signal)
        for j, flag in enumerate(step.red_flags):
            if len(flag.examples) < MIN_FLAG_EXAMPLES:
                where = f"steps[{i}].red_flags[{j}].examples"
                problems.append(Problem("framework", where, f"has {len(flag.examples)}, needs {MIN_FLAG_EXAMPLES}"))
    return problems


def meaning_problems(case: Case) -> list[Problem]:
    """Return signals, red flags and facts that lack what the semantic judge recognises them by."""
    problems: list[Problem] = []
    for path, signal in _all_signals(case):
        problems += _signal_meaning_problems(case.id, path, signal)
    for step_id in STEP_IDS:
        for j, flag in enumerate(case.steps[step_id].red_flags):
            if len(flag.examples) < MIN_FLAG_EXAMPLES:
                where = f"steps.{step_id}.red_flags[{j}].examples"
                problems.append(Problem(case.id, where, f"has {len(flag.examples)}, needs {MIN_FLAG_EXAMPLES}"))
    low, high = FACT_QUESTIONS
    for i, fact in enumerate(case.facts):
        if not low <= len(fact.questions) <= high:
            problems.append(
                Problem(case.id, f"facts[{i}].questions", f"has {len(fact.questions)}, needs {low} to {high}")
            )
    return problems


def near_duplicate_examples(case: Case, embed: Callable[[list[str]], Vectors]) -> list[Problem]:
    """Return examples nearly identical in meaning (cosine) to an example of another signal of the step."""
    problems: list[Problem] = []
    groups = [(f"steps.{s}", case.steps[s].signals) for s in STEP_IDS]
    groups += [(f"curveballs.{c.id}", [*case.steps[c.step].signals, *c.signals]) for c in case.curveballs]
    for where, signals in groups:
        owned = [(s.id, k, e) for s in signals for k, e in enumerate(s.examples)]
        if not owned:
            continue
        vectors = embed([e for _, _, e in owned])
        sims = vectors @ vectors.T
        for a, (sig_a, k, _) in enumerate(owned):
            for b in range(a + 1, len(owned)):
                sig_b = owned[b][0]
                if sig_a != sig_b and sims[a, b] >= NEAR_DUPLICATE_COSINE:
                    path = f"{where}.signals.{sig_a}.examples[{k}]"
                    message = f"near-duplicate of {sig_b}'s example {owned[b][1]} (cosine {sims[a, b]:.2f})"
                    problems.append(Problem(case.id, path, message))
    return problems


def _all_signals(case: Case) -> Iterator[tuple[str, Signal]]:
    for step_id in STEP_IDS:
        for i, signal in enumerate(case.steps[step_id].signals):
            yield f"steps.{step_id}.signals[{i}]", signal
    for i, curveball in enumerate(case.curveballs):
        for j, signal in enumerate(curveball.signals):
            yield f"curveballs[{i}].signals[{j}]", signal


def leak_problems(case: Case) -> list[Problem]:
    """Return probes that contain their own signal's cues, and openings that contain a step cue."""
    problems: list[Problem] = []
    for path, signal in _all_signals(case):
        for k, probe in enumerate(signal.probes):
            norm = normalize(probe)
            leaked = [cue for cue in signal.cues if contains_cue(norm, cue)]
            if leaked:
                problems.append(
                    Problem(case.id, f"{path}.probes[{k}]", f"probe for {signal.id!r} leaks its cue(s) {leaked}")
                )
    for step_id in STEP_IDS:
        step = case.steps[step_id]
        norm = normalize(step.opening)
        for signal in step.signals:
            leaked = [cue for cue in signal.cues if contains_cue(norm, cue)]
            if leaked:
                problems.append(
                    Problem(
                        case.id,
                        f"steps.{step_id}.opening",
                        f"opening gives away signal {signal.id!r} (cue(s) {leaked})",
                    )
                )
    return problems


def probe_problems(case: Case) -> list[Problem]:
    """Return probes that name another signal of their step or state a hidden fact.

    A probe is asked when the candidate has not covered its signal; if it names a cue of a
    signal in the same step or states a hidden fact (a figure with its unit, or four words in
    a row), asking it hands the candidate the answer.
    """
    problems: list[Problem] = []
    facts = [f.content for f in case.facts]
    groups = [(f"steps.{s}", case.steps[s].signals) for s in STEP_IDS]
    groups += [(f"curveballs.{c.id}", c.signals) for c in case.curveballs]
    for where, signals in groups:
        cues = [cue for signal in signals for cue in signal.cues]
        for signal in signals:
            for k, probe in enumerate(signal.probes):
                found = leaks(probe, forbidden=cues, hidden_facts=facts)
                if found:
                    path = f"{where}.signals.{signal.id}.probes[{k}]"
                    problems.append(Problem(case.id, path, f"probe gives something away: {'; '.join(found)}"))
    return problems


def _text_fields(case: Case) -> Iterator[tuple[str, str]]:
    yield "prompt", case.prompt
    yield "notes", case.notes
    for i, fact in enumerate(case.facts):
        yield f"facts[{i}].content", fact.content
    for step_id in STEP_IDS:
        step = case.steps[step_id]
        yield f"steps.{step_id}.opening", step.opening
        if step.anchors:
            for level in ("mid", "senior", "staff"):
                yield f"steps.{step_id}.anchors.{level}", getattr(step.anchors, level)
        if step.model_answers is not None:
            for level in ("mid", "senior", "staff"):
                yield f"steps.{step_id}.model_answers.{level}", getattr(step.model_answers, level)
        for j, flag in enumerate(step.red_flags):
            yield f"steps.{step_id}.red_flags[{j}].why", flag.why
    for path, signal in _all_signals(case):
        yield f"{path}.stronger_answer", signal.stronger_answer
        for k, probe in enumerate(signal.probes):
            yield f"{path}.probes[{k}]", probe


def duplicate_problems(cases: list[Case]) -> list[Problem]:
    """Return text fields of one case that largely repeat a text field of another case."""
    owners: dict[str, list[int]] = defaultdict(list)
    fields: list[tuple[str, str, set[str]]] = []
    for case in cases:
        for path, text in _text_fields(case):
            if len(text.split()) < DUPLICATE_MIN_WORDS:
                continue
            grams = shingles(text)
            index = len(fields)
            fields.append((case.id, path, grams))
            for gram in grams:
                owners[gram].append(index)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for indices in owners.values():
        if len(indices) > 50:
            continue
        for a_pos, a in enumerate(indices):
            for b in indices[a_pos + 1 :]:
                if fields[a][0] != fields[b][0]:
                    shared[(a, b)] += 1
    problems: list[Problem] = []
    for (a, b), count in sorted(shared.items()):
        case_a, path_a, grams_a = fields[a]
        case_b, path_b, grams_b = fields[b]
        similarity = count / len(grams_a | grams_b)
        if similarity >= DUPLICATE_JACCARD:
            problems.append(
                Problem(case_b, path_b, f"repeats {case_a} {path_a} ({similarity:.0%} of 5-word phrases shared)")
            )
    return problems


def case_problems(case: Case) -> list[Problem]:
    """Return every single-case problem that needs no model: completeness, meanings and leaks."""
    return completeness_problems(case) + meaning_problems(case) + leak_problems(case) + probe_problems(case)
