"""Hidden facts on meaning: which facts a clarifying question asks for, and assertions that contradict one."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from interviewer.brain.base import RedFlagJudgment
from interviewer.brain.rules import is_keyword_list, is_negated
from interviewer.knowledge.models import Fact, RedFlag
from interviewer.semantic.encoder import Encoder
from interviewer.semantic.judging import Unit, similarity_to
from interviewer.semantic.thresholds import SemanticThresholds
from interviewer.text import contains_cue, normalize

MAX_FACTS_PER_MESSAGE = 2
CLAUSE_MIN_WORDS = 3
_CLAUSE = re.compile(
    r",\s*(?:and|or|but|plus)\s+|,\s*(?=(?:how|what|when|where|which|who|why|is|are|was|were|do|does|did|can|could|"
    r"should|will|would|have|has|any|roughly)\b)|\s+(?:and|or)\s+(?=(?:how|what|when|where|which|who|why|is|are|"
    r"was|were|do|does|did|can|could|should|will|would|have|has)\b)",
    re.IGNORECASE,
)


def clauses(question: str) -> list[str]:
    """Split a question that asks several things ("how many ..., and how fast ...?") into its parts."""
    parts = [p.strip(" ,?") for p in _CLAUSE.split(question) if p and p.strip(" ,?")]
    kept = [p for p in parts if len(p.split()) >= CLAUSE_MIN_WORDS]
    return kept if len(kept) > 1 else [question]


_AND_THAT = re.compile(
    r",?\s+and that\s+|,\s+and\s+(?=(?:i|we|the|every|all|there|it|they|no|nobody)\b)", re.IGNORECASE
)


def assertions(statement: str) -> list[str]:
    """Split a statement that assumes several things ("I'll assume X, and that Y") into its parts."""
    parts = [p.strip(" ,.") for p in _AND_THAT.split(statement) if p.strip(" ,.")]
    return parts if len(parts) > 1 else []


def fact_texts(fact: Fact) -> list[str]:
    """Return the texts a question about a fact is compared with: its example questions, topic and content."""
    return [*fact.questions, f"What about the {fact.topic}?", fact.content]


def facts_asked(
    encoder: Encoder, thresholds: SemanticThresholds, questions: Sequence[str], facts: Sequence[Fact]
) -> list[Fact]:
    """Return the facts the question sentences ask about: each question's closest, above the threshold.

    A question may also reveal a second fact almost as close as its best; a message reveals at most
    :data:`MAX_FACTS_PER_MESSAGE`, and a list of keywords reveals nothing.
    """
    # Each question is matched whole and by its parts, so "how many ..., and how fast ...?" finds both facts.
    asked = list(dict.fromkeys(part for q in questions if not is_keyword_list(q) for part in [q, *clauses(q)]))
    if not asked or not facts:
        return []
    sims = similarity_to(encoder, asked, [fact_texts(f) for f in facts])
    for row, question in enumerate(asked):
        norm = normalize(question)
        for k, fact in enumerate(facts):
            if any(contains_cue(norm, cue) for cue in fact.unlock):
                sims[row, k] += thresholds.fact_unlock_bonus
    chosen: dict[int, float] = {}
    for row in range(len(asked)):
        order = np.argsort(-sims[row])
        best = float(sims[row, order[0]])
        for k in order[:2]:
            score = float(sims[row, k])
            if score >= thresholds.fact and score >= best - thresholds.fact_margin:
                chosen[int(k)] = max(chosen.get(int(k), -1.0), score)
    ranked = sorted(chosen, key=lambda k: -chosen[k])[:MAX_FACTS_PER_MESSAGE]
    return [facts[k] for k in sorted(ranked)]


def contradictions(
    encoder: Encoder,
    thresholds: SemanticThresholds,
    flags: Sequence[RedFlag],
    facts: Sequence[Fact],
    units: Sequence[Unit],
) -> list[RedFlagJudgment]:
    """Return fact-derived flags whose wrong assumption a sentence states as its own assumption.

    Only sentences that present an assumption ("I'll assume ...") count, and only when the sentence is
    closer to the wrong assumption than to the fact itself; the caller leaves out facts already revealed.
    """
    by_id = {f.id: f for f in facts}
    derived = [(flag, by_id[flag.contradicts]) for flag in flags if flag.contradicts in by_id and flag.examples]
    stated = [u for u in units if u.assumes and not u.question]
    if not derived or not stated:
        return []
    right = similarity_to(encoder, [u.text for u in stated], [[fact.content, *fact.questions] for _, fact in derived])
    found: list[RedFlagJudgment] = []
    for k, (flag, _) in enumerate(derived):
        rows = []
        for r, unit in enumerate(stated):
            # Embeddings barely see negation: "demand is never logged" is close to "the log is all demand".
            same_polarity = [e for e in flag.examples if is_negated(normalize(e)) == unit.negated]
            if not same_polarity:
                continue
            wrong = float(similarity_to(encoder, [unit.text, *assertions(unit.text)], [same_polarity]).max())
            if wrong >= thresholds.contradiction and wrong > float(right[r, k]):
                rows.append((wrong, r))
        if rows:
            unit = stated[max(rows)[1]]
            found.append(RedFlagJudgment(flag.id, unit.text, unit.turn))
    return found
