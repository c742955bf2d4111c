"""The fallback brain: the offline brain answers when the LLM brain fails."""

from __future__ import annotations

from interviewer.brain.fallback import FallbackBrain
from interviewer.brain.llm import LLMBrain
from interviewer.brain.offline import OfflineBrain
from interviewer.prompts import load_llm_prompts
from interviewer.settings import REPO_ROOT
from tests.fakes import FakeChat, broken


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _brain(chat: FakeChat, clock: Clock) -> FallbackBrain:
    llm = LLMBrain(chat, load_llm_prompts(REPO_ROOT / "prompts"), interviewer_model="m", grader_model="m")
    return FallbackBrain(llm, OfflineBrain(), cooldown_s=30, monotonic=clock)


def test_a_failed_call_is_answered_offline_with_one_notice() -> None:
    clock = Clock()
    chat = FakeChat().answer(broken())
    brain = _brain(chat, clock)
    assert brain.classify("I'd like to move on to the next step.", step_vocabulary=[]) == "move_on"
    report = brain.take_report()
    assert len(report.notices) == 1 and "offline brain" in report.notices[0]
    assert "500" in report.notices[0]
    assert brain.take_report().notices == ()


def test_after_a_failure_the_model_is_skipped_until_the_cooldown_ends() -> None:
    clock = Clock()
    chat = FakeChat().answer(broken(), {"kind": "hint"})
    brain = _brain(chat, clock)
    brain.classify("hello", step_vocabulary=[])
    brain.classify("Could I get a hint?", step_vocabulary=[])
    assert len(chat.calls) == 1  # the second call never reached the model
    assert brain.take_report().notices  # and the turn still says the offline brain answered
    clock.t = 31
    assert brain.classify("Could I get a hint?", step_vocabulary=[]) == "hint"
    assert len(chat.calls) == 2 and brain.take_report().notices == ()


def test_other_errors_are_not_swallowed() -> None:
    chat = FakeChat().answer(KeyError("a bug"))
    brain = _brain(chat, Clock())
    try:
        brain.classify("x", step_vocabulary=[])
    except KeyError:
        return
    raise AssertionError("a programming error must surface, not be hidden by the fallback")
