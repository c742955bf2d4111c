"""Embedding functions for the Chroma index.

Chroma's default embedding function downloads a model at run time, which fails offline.
:class:`MiniLMEmbedding` wraps the packaged, hash-checked sentence encoder that the offline brain
judges with (:mod:`interviewer.semantic.encoder`), so retrieval and judging share one model and one
vector cache. :func:`openai_embedding` uses any OpenAI-compatible embeddings endpoint when the
settings ask for it.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from interviewer.semantic.encoder import MODEL_ID, Encoder, get_encoder
from interviewer.settings import Settings


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Offline embedding function over the packaged all-MiniLM-L6-v2; nothing is downloaded."""

    def __init__(self, encoder: Encoder | None = None) -> None:
        """Use an encoder (the process-wide packaged one by default, loaded on first use)."""
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder."""
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's parameter name
        """Embed documents."""
        return list(self.encoder.encode(list(input)))

    @staticmethod
    def name() -> str:
        """Return the registered name of this function."""
        return "interviewer-minilm"

    def default_space(self) -> Any:
        """Use cosine distance."""
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        """Return the configuration Chroma stores with a collection."""
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        """Rebuild the function from a stored configuration."""
        if config.get("model", MODEL_ID) != MODEL_ID:
            raise ValueError(f"index was built with {config.get('model')!r}, this package ships {MODEL_ID!r}")
        return MiniLMEmbedding()


def make_embedding(settings: Settings) -> EmbeddingFunction[Documents]:
    """Return the embedding function the settings ask for."""
    if settings.embedding_provider == "offline":
        return MiniLMEmbedding()
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
