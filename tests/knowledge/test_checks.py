import copy

import pytest

from interviewer.knowledge.checks import (
    MIN_FACTS,
    MIN_SIGNALS_PER_STEP,
    case_problems,
    completeness_problems,
    duplicate_problems,
    framework_problems,
    leak_problems,
    meaning_problems,
    near_duplicate_examples,
)
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.knowledge.models import Case
from interviewer.steps import STEP_IDS


def test_every_case_passes_every_check(kb: KnowledgeBase) -> None:
    problems = [str(p) for case in kb.cases.values() for p in case_problems(case)]
    problems += [str(p) for p in duplicate_problems(list(kb.cases.values()))]
    problems += [str(p) for p in framework_problems(kb.framework)]
    assert problems == []


def test_no_example_is_a_near_duplicate_of_another_signals(kb: KnowledgeBase) -> None:
    from interviewer.semantic.encoder import get_encoder

    encode = get_encoder().encode
    assert [str(p) for case in kb.cases.values() for p in near_duplicate_examples(case, encode)] == []


def test_meanings_examples_and_questions_are_required(kb: KnowledgeBase) -> None:
    case = kb.case("ad-ctr")
    bare = _mutated(case, {"steps.data.signals.0.examples": ["only one"], "facts.0.questions": []})
    found = {p.field for p in meaning_problems(bare)}
    assert "steps.data.signals[0].examples" in found
    assert "facts[0].questions" in found
    signal = case.steps["data"].signals[0]
    cued = _mutated(case, {"steps.data.signals.0.examples": [f"We would use {cue} here." for cue in signal.cues[:3]]})
    assert any("plain words" in p.message for p in meaning_problems(cued))


def test_a_near_duplicate_example_is_named_with_both_signals(kb: KnowledgeBase) -> None:
    from interviewer.semantic.encoder import get_encoder

    case = kb.case("ad-ctr")
    other = case.steps["data"].signals[1]
    mine = case.steps["data"].signals[0].examples
    copied = _mutated(case, {"steps.data.signals.0.examples": [other.examples[0], *mine[1:]]})
    found = near_duplicate_examples(copied, get_encoder().encode)
    assert any(p.field.startswith("steps.data.signals.") and other.id in p.message for p in found)


def test_minimums_hold_for_every_case(kb: KnowledgeBase) -> None:
    for case in kb.cases.values():
        assert len(case.facts) >= MIN_FACTS, case.id
        assert any(f.easily_missed for f in case.facts), case.id
        for step in STEP_IDS:
            assert len(case.steps[step].signals) >= MIN_SIGNALS_PER_STEP, (case.id, step)
            assert len(case.steps[step].red_flags) >= 2, (case.id, step)


def _mutated(case: Case, change: dict[str, object]) -> Case:
    data = copy.deepcopy(case.model_dump())
    for path, value in change.items():
        target = data
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        target[keys[-1]] = value
    return Case.model_validate(data)


def test_leaking_probe_is_caught(kb: KnowledgeBase) -> None:
    case = kb.case("ad-ctr")
    signal = case.steps["data"].signals[1]
    leaky = _mutated(case, {"steps.data.signals.1.probes": ["Would you downsample the negatives?"]})
    problems = leak_problems(leaky)
    assert any(signal.id in p.message and "probes[0]" in p.field for p in problems)


def test_leaking_opening_is_caught(kb: KnowledgeBase) -> None:
    case = kb.case("ad-ctr")
    leaky = _mutated(case, {"steps.evaluation.opening": "Would you use log loss and AUC to evaluate the model?"})
    assert any(p.field == "steps.evaluation.opening" for p in leak_problems(leaky))


def test_too_few_facts_is_caught(kb: KnowledgeBase) -> None:
    case = kb.case("ad-ctr")
    thin = _mutated(case, {"facts": case.model_dump()["facts"][:3]})
    assert any(p.field == "facts" for p in completeness_problems(thin))


def test_duplicated_prose_is_caught(kb: KnowledgeBase) -> None:
    case = kb.case("ad-ctr")
    twin = _mutated(case, {"id": "ad-ctr-copy"})
    problems = duplicate_problems([case, twin])
    assert problems and all(p.case_id == "ad-ctr-copy" for p in problems)


@pytest.mark.parametrize("case_id", ["ad-ctr"])
def test_curveball_steps_are_valid(kb: KnowledgeBase, case_id: str) -> None:
    for curveball in kb.case(case_id).curveballs:
        assert curveball.step in STEP_IDS


def test_every_model_answer_earns_the_level_it_models(kb: KnowledgeBase) -> None:
    """The debrief shows model answers as ideals: the offline judge must score them as such."""
    from interviewer.brain.offline import OfflineBrain
    from interviewer.grading import step_result
    from interviewer.honesty import judged
    from interviewer.rubric import step_rubric
    from interviewer.steps import STEP_IDS

    brain = OfflineBrain()
    short: list[str] = []
    for case in kb.cases.values():
        for step in STEP_IDS:
            answers = case.steps[step].model_answers
            assert answers is not None, f"{case.id}/{step} has no model answers"
            rubric = step_rubric(kb, case, step)
            for level, floor in (("mid", 2), ("senior", 3), ("staff", 3)):
                result = step_result(rubric, judged(brain, rubric, [(1, getattr(answers, level))]))
                if result.score < floor or result.red_flags:
                    short.append(f"{case.id}/{step}/{level}: {result.score}, flags {len(result.red_flags)}")
    assert short == []
