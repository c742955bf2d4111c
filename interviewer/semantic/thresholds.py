"""Similarity thresholds of the semantic judge, kept beside the model they were tuned for.

They were chosen by ``evals/tune_semantic.py`` on the **tune** split only (labelled transcripts in
``evals/transcripts/tune`` and clarifying questions in ``evals/clarifying/tune``); the heldout split
only reports. Re-run that script after changing the model or the knowledge's examples.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interviewer.semantic.encoder import MODEL_ID


class SemanticThresholds(BaseModel):
    """Cosine similarities (all-MiniLM-L6-v2 unit vectors) at which the offline brain decides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = Field(MODEL_ID, description="The model the thresholds were tuned for.")
    tuned_on: str = Field("tune", description="The split the thresholds were chosen on; never heldout.")
    partial: float = Field(0.44, description="A sentence this close to a signal (top-1) earns partial credit.")
    covered: float = Field(0.60, description="This close, with a reason in the sentence, it is covered.")
    red_flag: float = Field(0.72, description="This close to a red flag's example raises the flag.")
    on_topic: float = Field(0.30, description="A message this close to any rubric text of the case is on topic.")
    fact: float = Field(0.50, description="A question this close to a fact's questions, topic or content reveals it.")
    fact_margin: float = Field(0.0, description="A second fact is revealed only this close to the best one.")
    fact_unlock_bonus: float = Field(0.15, description="Added to a fact whose unlock phrase the question contains.")
    contradiction: float = Field(
        0.60, description="A statement this close to a fact's wrong assumption, and closer than to the fact, flags it."
    )
