"""The session API under crashes, kills and many users: nothing accepted is lost or sent twice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from interviewer.brain.base import Emit, FollowUpRequest, Outcome, Situation
from interviewer.brain.offline import OfflineBrain
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.sessions import InputError, InterviewService, SessionNotFound
from tests.services import persistent_service

ANSWERS = [
    "I'd predict the probability that an impression gets clicked, because the auction multiplies it by the bid.",
    "The label is a click within an hour of the impression, since late clicks are rare.",
    "I'd start with logistic regression on hashed features because it is cheap to serve.",
    "Offline I'd track log loss and calibration, because the auction needs real probabilities.",
]


class Killed(Exception):
    """Stands for the process being killed mid-turn."""


class KillableBrain(OfflineBrain):
    """The offline brain, which can be made to die in the middle of a follow-up."""

    kill = False

    def follow_up(self, request: FollowUpRequest, situation: Situation, emit: Emit) -> Outcome[str]:
        if self.kill:
            raise Killed
        return super().follow_up(request, situation, emit)


def _service(kb: KnowledgeBase, db: Path, brain: OfflineBrain | None = None) -> InterviewService:
    return persistent_service(kb, db, brain, time_budgets=False)


def _said(view) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.content for t in view.turns if t.role == "candidate"]


def test_a_turn_killed_midway_is_finished_before_the_next_message(kb: KnowledgeBase, tmp_path: Path) -> None:
    brain = KillableBrain()
    service = _service(kb, tmp_path / "s.sqlite", brain)
    sid = service.start("ad-ctr").session_id
    brain.kill = True
    with pytest.raises(Killed):
        service.send(sid, ANSWERS[0])
    assert service.state(sid).pending_message == ANSWERS[0]
    brain.kill = False
    restarted = _service(kb, tmp_path / "s.sqlite")  # a new process, as `practice --resume` would be
    view = restarted.send(sid, ANSWERS[1])
    assert _said(view) == ANSWERS[:2]  # the old turn was finished first, the new line was not swallowed
    assert view.pending_message is None and view.turns[-1].role == "interviewer"


def test_a_message_accepted_but_never_handed_to_the_graph_is_sent_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    sid = service.start("ad-ctr").session_id
    service.store.set_pending(sid, ANSWERS[0], 1.0)  # written, then the process died before the graph ran
    assert service.state(sid).pending_message == ANSWERS[0]
    view = service.retry(sid)
    assert _said(view) == ANSWERS[:1] and view.pending_message is None
    assert _said(service.retry(sid)) == ANSWERS[:1]  # a second retry sends nothing again


def test_a_lost_clearing_of_a_handled_message_never_resends_it(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    sid = service.start("ad-ctr").session_id
    service.send(sid, ANSWERS[0])
    service.store.set_pending(sid, ANSWERS[0], 1.0)  # as if clearing it had failed after the turn
    assert service.state(sid).pending_message is None
    view = service.retry(sid)
    assert _said(view) == ANSWERS[:1]
    assert _said(service.send(sid, ANSWERS[1])) == ANSWERS[:2]


def test_concurrent_interviews_on_one_service_lose_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    errors: list[BaseException] = []
    results: dict[int, list[str]] = {}

    def interview(n: int) -> None:
        try:
            sid = service.start("ad-ctr", session_id=f"user-{n}").session_id
            sent = [f"{answer} [user {n}]" for answer in ANSWERS]
            for message in sent:
                service.send(sid, message)
            view = service.state(sid)
            assert view.pending_message is None
            results[n] = _said(view)
            assert results[n] == sent  # nothing lost, nothing from another user
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=interview, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 12


@pytest.mark.parametrize("bad", ["../../x", "a/b", "", "x" * 200, "<script>"])
def test_bad_session_ids_are_refused(service: InterviewService, bad: str) -> None:
    if bad:  # an empty id asks for a fresh one
        with pytest.raises(InputError):
            service.start("ad-ctr", session_id=bad)
    with pytest.raises(InputError):
        service.state(bad)


def test_lone_surrogates_and_nul_are_replaced_not_fatal(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    sid = service.start("ad-ctr").session_id
    view = service.send(sid, "I'd log clicks \ud800 and\x00 impressions because both are needed.")
    assert _said(view) == ["I'd log clicks ? and impressions because both are needed."]


def test_a_sketch_is_saved_with_the_turn_and_judged_with_the_answer(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    sid = service.start("ad-ctr").session_id
    sketch = "request -> candidate retrieval -> ranking -> auction\nfeature store -> ranking: user and ad features"
    view = service.send(sid, "Here is the pipeline I have in mind.", sketch=sketch)
    turn = next(t for t in view.turns if t.role == "candidate")
    assert turn.sketch == sketch
    assert "ranking leads to auction." in turn.judged_text
    assert service.transcript(sid).turns[1].sketch == sketch


def test_a_deleted_session_is_gone_from_the_list_and_its_checkpoints(kb: KnowledgeBase, tmp_path: Path) -> None:
    service = _service(kb, tmp_path / "s.sqlite")
    keep = service.start("ad-ctr").session_id
    gone = service.start("ad-ctr").session_id
    service.send(gone, ANSWERS[0])
    service.delete(gone)
    assert [s.session_id for s in service.list_sessions()] == [keep]
    assert not service.graph.get_state(service._config(gone)).values
    with pytest.raises(SessionNotFound):
        service.state(gone)
