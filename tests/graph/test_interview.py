"""The interview graph, driven through the session API with the offline brain and a fake clock."""

from pathlib import Path

import pytest

from interviewer.brain.offline import OfflineBrain
from interviewer.graph.context import FakeClock
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.prompts import load_phrases
from interviewer.sessions import InputError, InterviewService
from interviewer.settings import REPO_ROOT
from interviewer.steps import STEP_IDS
from tests.services import persistent_service

PRAISE = ("great", "excellent", "perfect", "good answer", "well done", "nice", "correct", "impressive")


def _interviewer(view):  # type: ignore[no-untyped-def]
    return [t for t in view.turns if t.role == "interviewer"]


def test_start_asks_the_first_question(service: InterviewService) -> None:
    view = service.start("ad-ctr", "senior")
    assert view.step == "requirements" and not view.done
    assert view.turns[0].role == "interviewer"
    assert service.kb.case("ad-ctr").prompt in view.turns[0].content


def test_clarifying_reveals_only_matching_facts(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    view = service.send(view.session_id, "What is the latency budget?")
    assert [f.id for f in view.revealed_facts] == ["latency"]
    assert view.turns[-1].content == service.kb.case("ad-ctr").facts[1].content
    view = service.send(view.session_id, "What colour is the logo?")
    assert "reasonable assumption" in view.turns[-1].content
    assert [f.id for f in view.revealed_facts] == ["latency"]


def test_follow_ups_target_missing_signals_and_never_repeat(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    sid = view.session_id
    for _ in range(2):
        view = service.send(sid, "I think the model should be good at ads for the users of the app.")
    probes = [t for t in _interviewer(view) if t.kind == "follow_up"]
    assert len(probes) == 2
    assert len({p.content for p in probes}) == 2
    requirements = service.kb.case("ad-ctr").steps["requirements"]
    weights = {s.id: s.weight for s in requirements.signals}
    assert [weights[p.signal] for p in probes] == [3, 3]  # type: ignore[index]
    view = service.send(sid, "Still thinking about the model for ads.")
    assert view.step == "framing"  # at most two follow-ups per step


def test_covered_signal_is_not_probed(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    view = service.send(
        view.session_id,
        "The auction multiplies the bid by our prediction, so revenue depends on it, but user experience matters too.",
    )
    last = _interviewer(view)[-1]
    assert last.kind == "follow_up" and last.signal != "revenue-and-experience"


def test_declined_probe_is_dropped(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    sid = view.session_id
    view = service.send(sid, "I think the model should be good at ads for users.")
    first = _interviewer(view)[-1]
    view = service.send(sid, "I don't know.")
    second = _interviewer(view)[-1]
    assert second.signal != first.signal
    assert first.content not in second.content


def test_no_praise_and_no_signal_content_before_candidate(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    sid = view.session_id
    for message in ["Okay, the model predicts clicks for ads.", "It is a model for ads.", "/"] * 3:
        if view.done:
            break
        view = service.send(sid, message)
    case = service.kb.case("ad-ctr")
    for turn in _interviewer(view):
        lower = turn.content.lower()
        assert not any(p in lower for p in PRAISE), turn.content
        for step in case.steps.values():
            for signal in step.signals:
                assert signal.stronger_answer not in turn.content


def test_move_on_and_hint_controls(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    sid = view.session_id
    view = service.control(sid, "hint")
    assert view.hints == 1 and view.turns[-1].kind == "hint"
    view = service.control(sid, "move_on")
    assert view.step == "framing"
    view = service.send(sid, "Let's move on")
    assert view.step == "data"


def test_end_produces_a_debrief_and_blocks_more_input(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    view = service.control(view.session_id, "end")
    assert view.done and view.debrief is not None
    assert [s.step for s in view.debrief.steps] == list(STEP_IDS)
    assert all(s.insufficient_evidence for s in view.debrief.steps)
    with pytest.raises(InputError, match="ended"):
        service.send(view.session_id, "one more thing")


def test_at_most_one_curveball(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    sid = view.session_id
    while not view.done:
        view = service.send(sid, "I'd use a model on the click data because it is plentiful, with a 20 ms budget.")
    curveballs = [t for t in view.turns if t.kind == "curveball"]
    assert len(curveballs) <= 1
    assert len(curveballs) == 1  # ad-ctr has curveballs and they are on by default


def test_step_budget_advances(service: InterviewService, clock: FakeClock) -> None:
    view = service.start("ad-ctr")
    clock.advance(4 * 60)
    view = service.send(view.session_id, "The model ranks ads because revenue depends on the auction.")
    assert view.step == "requirements" and view.step_elapsed_s == 240
    clock.advance(4 * 60)  # eight minutes of work: over the seven-minute budget
    view = service.send(view.session_id, "Latency matters because the feed waits for the ads.")
    assert view.step == "framing"
    assert "at time" in view.turns[-1].content


def test_a_break_is_not_time_in_the_step(service: InterviewService, clock: FakeClock) -> None:
    view = service.start("ad-ctr")
    clock.advance(60 * 60)  # an hour away, then back
    view = service.send(view.session_id, "The model ranks ads because revenue depends on the auction.")
    assert view.step == "requirements" and view.step_elapsed_s <= 5 * 60


def test_a_branch_made_later_starts_with_the_original_steps_time(service: InterviewService, clock: FakeClock) -> None:
    view = service.start("ad-ctr")
    clock.advance(60)
    view = service.send(view.session_id, "The model ranks ads because revenue depends on the auction.")
    clock.advance(12 * 60)  # the candidate reads the debrief, then retries that answer
    branch = service.branch(view.session_id, 1)
    assert branch.step_elapsed_s == 0
    clock.advance(60)
    again = service.send(branch.session_id, "The model predicts clicks because the auction multiplies them by bids.")
    assert again.step == "requirements" and again.turns[-1].kind == "follow_up"  # not over time


def test_empty_and_huge_input_are_rejected_clearly(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    with pytest.raises(InputError, match="empty"):
        service.send(view.session_id, "   ")
    with pytest.raises(InputError, match="limit"):
        service.send(view.session_id, "x" * 10_000)
    assert len(service.state(view.session_id).turns) == 1


def test_html_is_kept_as_text(service: InterviewService) -> None:
    view = service.start("ad-ctr")
    view = service.send(view.session_id, "<b>What</b> is the latency budget?")
    assert any(t.content == "<b>What</b> is the latency budget?" for t in view.turns)


def test_unknown_case_and_level(service: InterviewService) -> None:
    with pytest.raises(InputError, match="unknown case"):
        service.start("nope")
    with pytest.raises(InputError, match="level"):
        service.start("ad-ctr", "principal")


def _persistent(kb: KnowledgeBase, db: Path, brain: OfflineBrain | None = None) -> InterviewService:
    return persistent_service(kb, db, brain)


def test_session_survives_a_restart(kb: KnowledgeBase, tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    first = _persistent(kb, db)
    view = first.start("ad-ctr")
    first.send(view.session_id, "What is the latency budget?")
    second = _persistent(kb, db)  # a new process, same database
    resumed = second.state(view.session_id)
    assert [f.id for f in resumed.revealed_facts] == ["latency"]
    resumed = second.send(view.session_id, "How many requests per second?")
    assert [f.id for f in resumed.revealed_facts] == ["latency", "scale"]
    assert [s.session_id for s in second.list_sessions()] == [view.session_id]


class FlakyBrain(OfflineBrain):
    def __init__(self) -> None:
        super().__init__()
        self.fail = False

    def classify(self, message, situation, *, step_vocabulary, topic_texts=()):  # type: ignore[no-untyped-def]
        if self.fail:
            raise RuntimeError("brain crashed")
        return super().classify(message, situation, step_vocabulary=step_vocabulary, topic_texts=topic_texts)


def test_a_crash_never_loses_the_answer(kb: KnowledgeBase, tmp_path: Path) -> None:
    brain = FlakyBrain()
    service = _persistent(kb, tmp_path / "s.sqlite", brain)
    view = service.start("ad-ctr")
    brain.fail = True
    with pytest.raises(RuntimeError):
        service.send(view.session_id, "What is the latency budget?")
    assert service.state(view.session_id).pending_message == "What is the latency budget?"
    brain.fail = False
    view = service.retry(view.session_id)
    assert view.pending_message is None
    assert [f.id for f in view.revealed_facts] == ["latency"]
    assert sum(t.content == "What is the latency budget?" for t in view.turns) == 1


class FakeRetriever:
    """Says the candidate's words are closest to the accidental-clicks signal."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    def similar(self, text, case_id=None, step=None, k=5):  # type: ignore[no-untyped-def]
        from interviewer.index import Entry

        self.calls.append((text, case_id, step))
        entry = Entry("ad-ctr:data:accidental-clicks", "", "ad-ctr", "data", "signal", "src", owner="accidental-clicks")
        return [entry]


def test_hint_steers_to_the_closest_uncovered_signal(kb: KnowledgeBase) -> None:
    retriever = FakeRetriever()
    service = InterviewService(
        kb, OfflineBrain(), load_phrases(REPO_ROOT / "prompts"), clock=FakeClock(), retriever=retriever
    )
    sid = service.start("ad-ctr").session_id
    service.control(sid, "move_on")
    service.control(sid, "move_on")
    service.send(sid, "I'd use the logs of what people clicked.")
    view = service.control(sid, "hint")
    assert view.turns[-1].signal == "accidental-clicks"
    assert retriever.calls[-1][1:] == ("ad-ctr", "data")


def test_real_index_is_built_on_first_use(kb: KnowledgeBase, tmp_path: Path) -> None:
    from interviewer.embedding import MiniLMEmbedding
    from interviewer.index import KnowledgeIndex, LazyRetriever

    retriever = LazyRetriever(KnowledgeIndex(tmp_path / "chroma", MiniLMEmbedding()), kb)
    service = InterviewService(
        kb, OfflineBrain(), load_phrases(REPO_ROOT / "prompts"), clock=FakeClock(), retriever=retriever
    )
    sid = service.start("ad-ctr").session_id
    assert not (tmp_path / "chroma").exists()
    service.send(sid, "I'd think about the auction and the advertisers.")
    view = service.control(sid, "hint")
    assert (tmp_path / "chroma").exists()
    assert view.turns[-1].kind == "hint" and view.hints == 1


def test_a_second_hint_does_not_repeat_the_first_ones_opening(service: InterviewService) -> None:
    sid = service.start("ad-ctr").session_id
    first = service.control(sid, "hint").turns[-1].content
    second = service.control(sid, "hint").turns[-1].content
    generic = service.kb.framework.step("requirements").hint
    assert generic in first and generic not in second
    assert second.startswith("Another nudge:") and second != first
