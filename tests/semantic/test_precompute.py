from pathlib import Path

import pytest

from interviewer.brain.base import Situation
from interviewer.brain.offline import OfflineBrain
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.rubric import step_rubric
from interviewer.semantic.encoder import Encoder
from interviewer.semantic.judging import signal_texts
from interviewer.semantic.precompute import is_current, judge_texts, load_vectors, save_vectors


@pytest.fixture(scope="module")
def vectors(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from interviewer.semantic.encoder import get_encoder

    path = tmp_path_factory.mktemp("vectors") / "vectors.npz"
    save_vectors(path, get_encoder(), kb)
    return path


def test_every_rubric_text_of_a_step_is_precomputed(kb: KnowledgeBase) -> None:
    texts = set(judge_texts(kb))
    rubric = step_rubric(kb, kb.case("payment-fraud"), "evaluation")
    assert {t for s in rubric.signals for t in signal_texts(s)} <= texts


def test_preloaded_vectors_spare_the_model_on_the_first_turn(
    kb: KnowledgeBase, vectors: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = Encoder()
    assert load_vectors(vectors, encoder, kb.fingerprint) == len(judge_texts(kb))
    runs: list[list[str]] = []
    run = encoder._run
    monkeypatch.setattr(encoder, "_run", lambda batch: runs.append(batch) or run(batch))
    answer = "I'd measure recall at the decline rate we can afford, because fraud is rare."
    OfflineBrain(encoder=encoder).judge(step_rubric(kb, kb.case("payment-fraud"), "evaluation"), [(1, answer)])
    assert runs == [[answer]]


def test_stale_or_broken_vectors_are_ignored_not_trusted(kb: KnowledgeBase, vectors: Path, tmp_path: Path) -> None:
    assert is_current(vectors, kb)
    assert load_vectors(vectors, Encoder(), "another-fingerprint") == 0
    broken = tmp_path / "vectors.npz"
    broken.write_bytes(b"not a numpy file")
    assert not is_current(broken, kb)
    assert load_vectors(broken, Encoder(), kb.fingerprint) == 0


def test_the_brain_preloads_once_when_it_first_needs_the_model(kb: KnowledgeBase, vectors: Path) -> None:
    calls: list[Encoder] = []

    def preload(encoder: Encoder) -> int:
        calls.append(encoder)
        return load_vectors(vectors, encoder, kb.fingerprint)

    brain = OfflineBrain(encoder=Encoder(), preload=preload)
    assert calls == []
    brain.match_facts("What is the latency budget?", kb.case("ad-ctr").facts, Situation())
    brain.match_facts("How many users are there?", kb.case("ad-ctr").facts, Situation())
    assert calls == [brain.encoder]
