from __future__ import annotations

from interviewer.knowledge.loader import KnowledgeBase
from interviewer.progress import (
    family,
    finished,
    practice_counts,
    score_points,
    step_averages,
    step_scores,
    step_weight,
    suggest_next_case,
    timeline,
    unfinished,
    weakest_step,
)
from interviewer.sessions import InterviewService, SessionSummary
from interviewer.steps import STEP_IDS

FLAT = dict.fromkeys(STEP_IDS, 3)


def summary(
    sid: str,
    t: float,
    *,
    case: str | None = "ad-ctr",
    scores: dict[str, int] | None = None,
    status: str | None = None,
    parent: str | None = None,
) -> SessionSummary:
    return SessionSummary(
        session_id=sid,
        case_id=case,
        level="senior",
        created_at=t,
        updated_at=t + 1,
        status=status or ("finished" if scores else "active"),
        overall=sum(scores.values()) / len(scores) if scores else None,
        scores=scores or {},
        parent_id=parent,
    )


def test_finished_and_unfinished_split_and_order() -> None:
    rows = [summary("b", 20, scores=FLAT), summary("a", 10, scores=FLAT), summary("c", 30), summary("d", 5)]
    assert [s.session_id for s in finished(rows)] == ["a", "b"]
    assert [s.session_id for s in unfinished(rows)] == ["c", "d"]


def test_score_points_are_chronological_and_in_step_order() -> None:
    rows = [summary("late", 20, scores={**FLAT, "data": 1}), summary("early", 10, scores=FLAT)]
    points = score_points(rows)
    assert len(points) == 14
    assert [p.session_id for p in points[:7]] == ["early"] * 7
    assert [p.step for p in points[7:]] == list(STEP_IDS)
    assert points[9].score == 1 and points[9].finished_at == 21


def test_weakest_step_uses_recent_interviews_and_breaks_ties_by_order() -> None:
    old = summary("old", 1, scores={**FLAT, "serving": 1})
    new = [summary(f"n{i}", 10 + i, scores={**FLAT, "evaluation": 2, "model": 2}) for i in range(2)]
    assert weakest_step([old, *new], recent=2) == "model"  # tied with evaluation, which comes later
    assert weakest_step([old, *new], recent=1) == "model"
    assert step_averages([old, *new], recent=None)["serving"] == 7 / 3
    assert step_averages([old, *new], recent=None)["evaluation"] == 7 / 3
    assert weakest_step([old], recent=None) == "serving"
    assert weakest_step([summary("x", 1)]) is None
    assert step_averages([old], recent=0) == {}


def test_suggestion_prefers_unpractised_cases_with_most_weight_in_the_step(kb: KnowledgeBase) -> None:
    step = "evaluation"
    rows = [summary("s", 1, case="ad-ctr", scores={**FLAT, step: 1})]
    suggestion = suggest_next_case(kb, rows)
    assert suggestion is not None
    assert suggestion.step == step and suggestion.average == 1
    assert suggestion.case.id != "ad-ctr" and suggestion.practised == 0
    unpractised = [c for c in kb.cases.values() if c.id != "ad-ctr"]
    assert suggestion.weight == max(step_weight(c, step) for c in unpractised)
    assert suggestion.weight == step_weight(suggestion.case, step)


def test_suggestion_moves_on_once_a_case_is_practised(kb: KnowledgeBase) -> None:
    rows = [summary("s", 1, case="ad-ctr", scores={**FLAT, "data": 1})]
    first = suggest_next_case(kb, rows)
    assert first is not None
    rows.append(summary("t", 2, case=first.case.id))
    second = suggest_next_case(kb, rows)
    assert second is not None and second.case.id not in {"ad-ctr", first.case.id}
    # once every case has been practised, the least practised one comes back
    rows += [summary(f"c-{c}", 3, case=c) for c in kb.cases]
    third = suggest_next_case(kb, rows)
    assert third is not None and practice_counts(rows)[third.case.id] == 1


def test_no_suggestion_without_history(kb: KnowledgeBase) -> None:
    assert suggest_next_case(kb, []) is None
    assert suggest_next_case(kb, [summary("a", 1)]) is None


def test_family_collects_root_and_nested_branches() -> None:
    rows = [
        summary("root", 1, scores=FLAT),
        summary("b1", 2, parent="root"),
        summary("b2", 3, parent="b1"),
        summary("other", 4),
        summary("b0", 1.5, parent="root"),
    ]
    expected = ["root", "b0", "b1", "b2"]
    assert [s.session_id for s in family(rows, "b2")] == expected
    assert [s.session_id for s in family(rows, "root")] == expected
    assert [s.session_id for s in family(rows, "other")] == ["other"]
    assert family(rows, "missing") == []


def test_family_of_a_real_branch(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    service.send(view.session_id, "What is the latency budget?")
    branch = service.branch(view.session_id, 1)
    ids = [s.session_id for s in family(service.list_sessions(), branch.session_id)]
    assert ids == [view.session_id, branch.session_id]


def test_steps_never_reached_count_towards_no_average(kb: KnowledgeBase) -> None:
    early = summary("early", 1, scores={"requirements": 3, "framing": 3})  # ended after two steps
    full = summary("full", 2, scores={**FLAT, "monitoring": 2})
    assert step_averages([early, full])["data"] == 3  # not (1 + 3) / 2
    assert step_averages([early, full])["requirements"] == 3
    assert weakest_step([early, full]) == "monitoring"
    assert weakest_step([early]) == "requirements"  # ties by order among the two reached steps only
    assert step_scores([early, full]) == {step: [3, 3] for step in STEP_IDS[:2]} | {
        step: [2 if step == "monitoring" else 3] for step in STEP_IDS[2:]
    }
    suggestion = suggest_next_case(kb, [early, full])
    assert suggestion is not None and suggestion.step == "monitoring"
    assert suggestion.average == 2 and suggestion.interviews == 1
    assert len(score_points([early, full])) == 2 + 7


def test_timeline_has_one_numbered_point_per_finished_interview() -> None:
    rows = [
        summary("b", 20, scores={"requirements": 2}),
        summary("a", 10, scores=FLAT),
        summary("running", 30),
    ]
    points = timeline(rows)
    assert [(p.number, p.session_id) for p in points] == [(1, "a"), (2, "b")]
    assert points[1].finished_at == 21 and points[1].overall == 2
    assert dict(points[1].scores) == {"requirements": 2}  # the steps it never reached are absent
    assert list(points[0].scores) == list(STEP_IDS)
