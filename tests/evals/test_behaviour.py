"""Behaviour metrics on hand-made transcripts: each defect is counted, a clean interview scores clean."""

from __future__ import annotations

from interviewer.brain.offline import OfflineBrain
from interviewer.evals.behaviour import interview_metrics
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.transcript import Transcript, Turn


def _t(*turns: tuple[str, str, str, str | None, str | None]) -> Transcript:
    return Transcript(
        case_id="ad-ctr",
        turns=[Turn(role=r, step=s, kind=k, content=c, signal=sig) for r, s, k, c, sig in turns],  # type: ignore[arg-type]
    )


def test_a_clean_exchange_has_no_defects(kb: KnowledgeBase) -> None:
    data = kb.case("ad-ctr").steps["data"]
    probe = next(s for s in data.signals if s.id == "negative-downsampling").probes[0]
    t = _t(
        ("interviewer", "data", "opening", data.opening, None),
        ("candidate", "data", "answer", "We use the click logs for labels.", None),
        ("interviewer", "data", "follow_up", f"Okay. {probe}", "negative-downsampling"),
    )
    m = interview_metrics(kb, t, OfflineBrain())
    assert m.leaks == [] and m.repeats == 0 and m.praise == [] and not m.loop
    assert (m.follow_ups, m.follow_ups_on_missed) == (1, 1)
    assert m.steps_opened == 1 and m.in_order


def test_naming_an_uncovered_signal_or_an_unasked_fact_is_a_leak(kb: KnowledgeBase) -> None:
    t = _t(
        ("interviewer", "data", "opening", "What data would you use?", None),
        ("candidate", "data", "answer", "Click logs.", None),
        ("interviewer", "data", "follow_up", "Okay. Would you downsample the negatives?", "negative-downsampling"),
        ("interviewer", "data", "follow_up", "Given 50 ms at p99, what features fit?", "feature-groups"),
    )
    m = interview_metrics(kb, t, OfflineBrain())
    assert len(m.leaks) == 2


def test_repeats_praise_order_and_loops_are_counted(kb: KnowledgeBase) -> None:
    same = "Okay. What else would you check?"
    t = _t(
        ("interviewer", "model", "opening", "Which model would you use?", None),
        ("interviewer", "data", "opening", "What data would you use?", None),
        ("candidate", "data", "answer", "Logs.", None),
        ("interviewer", "data", "follow_up", same, "feature-groups"),
        ("interviewer", "data", "follow_up", same, "feature-groups"),
        ("interviewer", "data", "follow_up", same, "feature-groups"),
        ("interviewer", "data", "notice", "Great answer, that is correct!", None),
        ("interviewer", "data", "follow_up", "Great answer! What else?", "point-in-time"),
    )
    m = interview_metrics(kb, t, OfflineBrain())
    assert not m.in_order
    assert m.repeats == 2 and m.loop
    assert len(m.praise) == 1  # notices are not interviewer speech under test


def test_a_follow_up_on_a_covered_signal_lowers_precision(kb: KnowledgeBase) -> None:
    t = _t(
        ("interviewer", "data", "opening", "What data would you use?", None),
        (
            "candidate",
            "data",
            "answer",
            "Clicks are rare, so we downsample negatives and then correct the probabilities for the sampling rate.",
            None,
        ),
        ("interviewer", "data", "follow_up", "Okay. What about the size of the training set?", "negative-downsampling"),
    )
    m = interview_metrics(kb, t, OfflineBrain())
    assert (m.follow_ups, m.follow_ups_on_missed) == (1, 0)
