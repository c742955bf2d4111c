"""Vectors of every knowledge text the offline brain compares with, computed once with the index.

``interviewer index`` (and ``make run``) writes them to ``<data dir>/vectors.npz``, stamped with the
knowledge fingerprint and the model id; the brain preloads them into the encoder's cache on first use,
so no interview pays for encoding the rubric. A missing or stale file only means the texts of a case
are encoded on its first turn.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from interviewer.knowledge.loader import KnowledgeBase
from interviewer.rubric import assumption_flag
from interviewer.semantic.encoder import MODEL_ID, Encoder
from interviewer.semantic.facts import fact_texts
from interviewer.semantic.judging import flag_texts, signal_texts

FILE_NAME = "vectors.npz"


def judge_texts(kb: KnowledgeBase) -> list[str]:
    """Return every distinct knowledge text the semantic judge, fact matcher or topic check embeds."""
    texts: list[str] = []
    for step in kb.framework.steps:
        texts += [t for s in step.signals for t in signal_texts(s)]
        texts += [t for f in step.red_flags for t in flag_texts(f)]
    for case in kb.cases.values():
        for case_step in case.steps.values():
            texts += [t for s in case_step.signals for t in signal_texts(s)]
            texts += [t for f in case_step.red_flags for t in flag_texts(f)]
        texts += [t for c in case.curveballs for s in c.signals for t in signal_texts(s)]
        for fact in case.facts:
            texts += [*fact_texts(fact), fact.content, *flag_texts(assumption_flag(fact))]
    return list(dict.fromkeys(texts))


def save_vectors(path: Path, encoder: Encoder, kb: KnowledgeBase) -> int:
    """Encode every judge text and write them atomically; return how many were written."""
    texts = judge_texts(kb)
    vectors = encoder.encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    os.close(fd)
    np.savez(tmp, texts=np.array(texts), vectors=vectors, fingerprint=kb.fingerprint, model=MODEL_ID)
    os.replace(tmp, path)
    return len(texts)


def is_current(path: Path, kb: KnowledgeBase) -> bool:
    """Return whether the file holds this knowledge's vectors from this model."""
    try:
        with np.load(path) as data:
            return bool(str(data["fingerprint"]) == kb.fingerprint and str(data["model"]) == MODEL_ID)
    except (OSError, ValueError, KeyError):
        return False


def load_vectors(path: Path, encoder: Encoder, fingerprint: str) -> int:
    """Preload the file's vectors into the encoder's cache if they match; return how many were loaded."""
    try:
        with np.load(path) as data:
            if str(data["fingerprint"]) != fingerprint or str(data["model"]) != MODEL_ID:
                return 0
            texts = [str(t) for t in data["texts"]]
            encoder.preload(zip(texts, data["vectors"], strict=True))
            return len(texts)
    except (OSError, ValueError, KeyError):
        return 0
