"""Embedding functions for the Chroma index.

Chroma's default embedding function downloads a model at run time, which fails offline.
:class:`HashingEmbedding` needs nothing: it hashes words, word pairs and character
trigrams into a fixed-size signed vector (the "hashing trick"), which gives useful lexical
similarity for retrieving rubric entries. :func:`openai_embedding` uses any
OpenAI-compatible embeddings endpoint when the settings ask for it.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from interviewer.settings import Settings
from interviewer.text import words

DIMENSIONS = 512


def _bucket(feature: str, dims: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dims, 1.0 if (value >> 63) & 1 else -1.0


def hash_embed(text: str, dims: int = DIMENSIONS) -> list[float]:
    """Return the L2-normalised hashed feature vector of a text."""
    vector = np.zeros(dims, dtype=np.float64)
    tokens = words(text)
    features: list[tuple[str, float]] = [(f"w:{t}", 1.0) for t in tokens]
    features += [(f"b:{a} {b}", 0.7) for a, b in zip(tokens, tokens[1:], strict=False)]
    for token in tokens:
        padded = f"<{token}>"
        features += [(f"c:{padded[i : i + 3]}", 0.5) for i in range(len(padded) - 2)]
    for feature, weight in features:
        index, sign = _bucket(feature, dims)
        vector[index] += sign * weight
    norm = math.sqrt(float(vector @ vector))
    return (vector / norm).tolist() if norm else vector.tolist()


@register_embedding_function
class HashingEmbedding(EmbeddingFunction[Documents]):
    """Offline embedding function: deterministic, dependency-free, no model download."""

    def __init__(self, dims: int = DIMENSIONS) -> None:
        """Create the function with a vector size."""
        self.dims = dims

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        """Embed documents."""
        return [np.asarray(hash_embed(text, self.dims), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        """Return the registered name of this function."""
        return "interviewer-hashing"

    def default_space(self) -> Any:
        """Use cosine distance."""
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        """Return the configuration Chroma stores with a collection."""
        return {"dims": self.dims}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        """Rebuild the function from a stored configuration."""
        return HashingEmbedding(int(config.get("dims", DIMENSIONS)))


def make_embedding(settings: Settings) -> EmbeddingFunction[Documents]:
    """Return the embedding function the settings ask for."""
    if settings.embedding_provider == "offline":
        return HashingEmbedding()
    return openai_embedding(settings)


def openai_embedding(settings: Settings) -> EmbeddingFunction[Documents]:
    """Return Chroma's OpenAI embedding function, pointed at any OpenAI-compatible server."""
    from chromadb.utils.embedding_functions import OpenAIEmbeddingFunction

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key:
        raise ValueError("INTERVIEWER_EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY to be set")
    fn: EmbeddingFunction[Documents] = OpenAIEmbeddingFunction(
        api_key=key, model_name=settings.embedding_model, api_base=settings.openai_base_url
    )
    return fn
