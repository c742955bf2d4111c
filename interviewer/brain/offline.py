"""The offline brain: meaning from a local sentence-embedding model, plus lexical rules; no network.

A sentence earns credit for the one signal of the step it is closest to in meaning (naming a cue
helps, never suffices), "covered" needs a reason in the sentence itself, and a sentence closer to a
red flag earns nothing (see :mod:`interviewer.semantic.judging`); sentences addressed to the grader
never reach it (the judging pipeline, :mod:`interviewer.honesty`, drops them first). It is also every
other brain's instant reader: it routes messages, picks gaps, and answers when a model cannot.
Clarifying questions reveal the facts they are closest to; statements that contradict a hidden fact
raise that fact's red flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from interviewer.brain.base import (
    Emit,
    FollowUpRequest,
    MessageKind,
    Outcome,
    RedFlagJudgment,
    Situation,
    StepJudgment,
)
from interviewer.brain.rules import (
    DONT_KNOW,
    HINT,
    MOVE_ON,
    has_reason,
    is_bare_list,
    is_negated,
    is_question,
    raises_flag,
    states_assumption,
)
from interviewer.knowledge.models import Fact, Signal
from interviewer.rubric import StepRubric
from interviewer.semantic.encoder import Encoder, get_encoder
from interviewer.semantic.facts import clauses, contradictions, fact_texts, facts_asked
from interviewer.semantic.judging import Unit, credit_signals, semantic_flags, signal_texts, similarity_to
from interviewer.semantic.thresholds import SemanticThresholds
from interviewer.text import contains_cue, normalize, sentences

DONT_KNOW_MAX_WORDS = 25
CLARIFYING_MAX_WORDS = 60
CONTROL_MAX_WORDS = 30
SPECIFIC_MIN_WORDS = 7
"""A quote without a cue, a reason or a figure must say at least this much to be more than a gesture."""
ASKS_ABOUT_MARGIN = 0.05
"""How much closer than the reveal threshold a model-chosen fact may be and still count as asked about."""
_FIGURE = re.compile(r"\d")


class OfflineBrain:
    """Brain over the knowledge base's meanings and examples; deterministic and network-free."""

    name = "offline"

    def __init__(
        self,
        encoder: Encoder | None = None,
        thresholds: SemanticThresholds | None = None,
        preload: Callable[[Encoder], object] | None = None,
    ) -> None:
        """Use an encoder (the packaged model by default) and similarity thresholds (the tuned ones).

        ``preload`` runs once, when the encoder is first needed, to fill its cache with precomputed
        vectors (see :mod:`interviewer.semantic.precompute`).
        """
        self._encoder = encoder
        self._preload = preload
        self.thresholds = thresholds or SemanticThresholds()

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder, loaded (and preloaded with knowledge vectors) on first use."""
        if self._encoder is None:
            self._encoder = get_encoder()
        if self._preload is not None:
            preload, self._preload = self._preload, None
            preload(self._encoder)
        return self._encoder

    @property
    def reader(self) -> OfflineBrain:
        """The offline brain is its own instant reader."""
        return self

    def classify(
        self, message: str, situation: Situation, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()
    ) -> Outcome[MessageKind]:
        """Return how a candidate message should be handled; on topic means close to the case's rubric."""
        return Outcome(self._kind(message, step_vocabulary, topic_texts))

    def _kind(self, message: str, step_vocabulary: Sequence[str], topic_texts: Sequence[str]) -> MessageKind:
        stripped = normalize(message).strip()
        n_words = len(stripped.split())
        if HINT.search(stripped) and n_words <= CONTROL_MAX_WORDS:
            return "hint"
        if MOVE_ON.search(stripped) and n_words <= CONTROL_MAX_WORDS:
            return "move_on"
        if DONT_KNOW.search(stripped) and n_words <= DONT_KNOW_MAX_WORDS:
            return "dont_know"
        sents = sentences(message)
        if not sents or not self._on_topic([s.text for s in sents], step_vocabulary, topic_texts):
            return "off_topic"
        questions = [s for s in sents if is_question(s)]
        if len(questions) == len(sents) and n_words <= CLARIFYING_MAX_WORDS:
            return "clarifying"
        return "answer"

    def _on_topic(self, texts: list[str], vocabulary: Sequence[str], topic_texts: Sequence[str]) -> bool:
        norm = normalize(" ".join(texts))
        if any(contains_cue(norm, cue) for cue in vocabulary):
            return True
        if not topic_texts:
            return False
        sims = similarity_to(self.encoder, texts, [list(topic_texts)])
        return float(sims.max()) >= self.thresholds.on_topic

    def match_facts(self, question: str, facts: Sequence[Fact], situation: Situation) -> Outcome[list[Fact]]:
        """Return the facts the question sentences of a message are closest to (at most two)."""
        asked = [s.text for s in sentences(question) if is_question(s)]
        return Outcome(facts_asked(self.encoder, self.thresholds, asked, facts))

    def asks_about(self, question: str, fact: Fact) -> bool:
        """Return whether a message asks about a fact's topic: the check on facts a model chose."""
        asked = [s.text for s in sentences(question) if is_question(s)]
        parts = list(dict.fromkeys(p for q in asked for p in [q, *clauses(q)]))
        if not parts:
            return False
        if any(contains_cue(normalize(p), cue) for p in parts for cue in fact.unlock):
            return True
        best = float(similarity_to(self.encoder, parts, [fact_texts(fact)]).max())
        return best >= self.thresholds.fact - ASKS_ABOUT_MARGIN

    def says_about(self, quote: str, signal: Signal) -> bool:
        """Return whether a quote says something specific to a signal, not just its topic."""
        norm = normalize(quote)
        if float(similarity_to(self.encoder, [quote], [signal_texts(signal)]).max()) < self.thresholds.on_topic:
            return False
        named = any(contains_cue(norm, cue) for cue in signal.cues)
        return named or has_reason(norm) or bool(_FIGURE.search(norm)) or len(norm.split()) >= SPECIFIC_MIN_WORDS

    def assess(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Judge a step's turns on meaning: instant, so it is also the grade."""
        return Outcome(self.judge(rubric, turns))

    def grade(
        self, rubric: StepRubric, turns: Sequence[tuple[int, str]], situation: Situation
    ) -> Outcome[StepJudgment]:
        """Judge a step's turns for the debrief (the same judgment as :meth:`assess`)."""
        return Outcome(self.judge(rubric, turns))

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Judge a step's cleaned candidate turns against its rubric, on meaning with the guards."""
        units: list[Unit] = []
        for index, text in turns:
            for sentence in sentences(text):
                norm = normalize(sentence.text)
                named = frozenset(s.id for s in rubric.signals if any(contains_cue(norm, c) for c in s.cues))
                units.append(
                    Unit(
                        turn=index,
                        text=sentence.text,
                        norm=norm,
                        question=is_question(sentence),
                        reasoned=has_reason(norm),
                        negated=is_negated(norm),
                        bare_list=is_bare_list(norm, len(named)),
                        cue_signals=named,
                        assumes=states_assumption(norm),
                    )
                )
        words = sum(len(u.norm.split()) for u in units)
        wrong = contradictions(self.encoder, self.thresholds, rubric.red_flags, rubric.facts, units)
        # A wrong assumption earns nothing, even for the signal it is about ("I'll assume clicks are instant").
        assumed = {(f.turn, f.quote) for f in wrong}
        credited = [u for u in units if (u.turn, u.text) not in assumed]
        signals = credit_signals(
            self.encoder,
            self.thresholds,
            rubric.signals,
            rubric.red_flags,
            credited,
            rubric.questions_count_as_evidence,
        )
        return StepJudgment(signals, self._flags(rubric, units, wrong), (), words)

    def _flags(
        self, rubric: StepRubric, units: Sequence[Unit], wrong: Sequence[RedFlagJudgment]
    ) -> tuple[RedFlagJudgment, ...]:
        lexical = [
            RedFlagJudgment(flag.id, u.text, u.turn)
            for flag in rubric.red_flags
            if flag.cues
            for u in units
            if not u.question and raises_flag(u.norm, flag.cues)
        ]
        found = [
            *lexical,
            *semantic_flags(self.encoder, self.thresholds, rubric.red_flags, units),
            *wrong,
        ]
        return _first_per_flag(found)

    def follow_up(self, request: FollowUpRequest, situation: Situation, emit: Emit) -> Outcome[str]:
        """Return the authored probe of the gap."""
        emit(request.probe)
        return Outcome(request.probe)


def _first_per_flag(flags: Sequence[RedFlagJudgment]) -> tuple[RedFlagJudgment, ...]:
    seen: set[str] = set()
    out = []
    for flag in flags:
        if flag.flag_id not in seen:
            seen.add(flag.flag_id)
            out.append(flag)
    return tuple(out)
