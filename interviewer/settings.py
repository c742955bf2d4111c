"""All settings in one typed place, read from ``INTERVIEWER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of the interviewer; every field can be set as ``INTERVIEWER_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", env_file=".env", extra="ignore")

    knowledge_dir: Path = Field(REPO_ROOT / "knowledge", description="Folder with framework and cases.")
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Folder with prompt and phrase files.")
    personas_dir: Path = Field(REPO_ROOT / "evals" / "personas", description="Built-in personas.")
    data_dir: Path = Field(REPO_ROOT / ".data", description="Sessions database and Chroma index.")
    provider: Literal["offline", "openai"] = Field("offline", description="Which brain runs the interview.")
    embedding_provider: Literal["offline", "openai"] = Field(
        "offline", description="Embedding function of the index; offline needs no network."
    )
    embedding_model: str = Field("text-embedding-3-small", description="Model for openai embeddings.")
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    interviewer_model: str = Field("gpt-4.1-mini", description="Model that reads answers and asks follow-ups.")
    grader_model: str = Field("gpt-4.1", description="Model that grades each step against the rubric.")
    candidate_model: str = Field("gpt-4.1-mini", description="Model that plays an LLM simulated candidate.")
    structured_output: Literal["auto", "json_schema", "json_object"] = Field(
        "auto", description="auto tries structured outputs and falls back to JSON mode if the server lacks them."
    )
    llm_timeout_s: float = Field(30.0, gt=0, description="Seconds a model call may take in all (not per read).")
    llm_turn_deadline_s: float = Field(
        10.0,
        gt=0,
        description="Seconds all model calls of one candidate turn may take; then the offline brain answers.",
    )
    llm_attempts: int = Field(3, ge=1, le=8, description="Tries per model call, the first included.")
    llm_cooldown_s: float = Field(
        60.0, ge=0, description="After a failure, seconds this session's offline brain answers before a retry."
    )
    llm_cooldown_max_s: float = Field(900.0, ge=0, description="The cool-down doubles per failure in a row, to this.")
    llm_max_output_tokens: int = Field(1024, ge=16, description="Most tokens a model may write in one answer.")
    llm_check: bool = Field(True, description="Check at start that the model server answers.")
    max_follow_ups: int = Field(2, ge=0, le=5, description="Follow-up questions per step at most.")
    max_turns_per_step: int = Field(8, ge=2, le=30, description="Candidate turns per step at most.")
    curveballs: bool = Field(True, description="Whether the interviewer may introduce a curveball.")
    max_message_chars: int = Field(6000, ge=200, description="Longest candidate message accepted.")
    database_url: SecretStr | None = Field(
        None, description="postgresql://... to keep sessions in PostgreSQL (several replicas); unset: embedded SQLite."
    )
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server for the knowledge index; unset: embedded Chroma."
    )

    @property
    def sessions_db(self) -> Path:
        """SQLite file holding checkpoints and the session list."""
        return self.data_dir / "sessions.sqlite"

    @property
    def index_dir(self) -> Path:
        """Folder of the persistent Chroma index."""
        return self.data_dir / "chroma"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
