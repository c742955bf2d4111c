"""A simulated candidate played by a language model, for evals beside the scripted personas."""

from __future__ import annotations

from interviewer.llm.client import ChatModel
from interviewer.prompts import Phrases
from interviewer.sessions import SessionView

HISTORY_TURNS = 8
"""Most recent turns the simulated candidate sees; enough to stay coherent, cheap to send."""


class LLMCandidate:
    """Answers the interviewer in character, from a persona described in a sentence."""

    def __init__(self, persona: str, chat: ChatModel, prompts: Phrases, *, model: str, max_words: int = 120) -> None:
        """Describe the persona (e.g. 'a mid-level engineer who forgets monitoring')."""
        if not persona.strip():
            raise ValueError("describe the simulated candidate in a sentence")
        self.persona = persona.strip()
        self.name = "llm"
        self.chat = chat
        self.prompts = prompts
        self.model = model
        self.max_words = max_words

    def reply(self, view: SessionView) -> str:
        """Return the candidate's next message."""
        history = "\n".join(
            f"{'Interviewer' if t.role == 'interviewer' else 'You'}: {t.content}" for t in view.turns[-HISTORY_TURNS:]
        )
        facts = " ".join(f.content for f in view.revealed_facts) or "(none yet)"
        prompt = self.prompts.say(
            "candidate",
            persona=self.persona,
            max_words=self.max_words,
            problem=view.turns[0].content if view.turns else view.case_title,
            facts=facts,
            history=history,
        )
        text = "".join(self.chat.stream([{"role": "user", "content": prompt}], model=self.model)).strip()
        return text or "I'd like to move on."
