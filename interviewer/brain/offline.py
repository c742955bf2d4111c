"""The offline brain: meaning from a local sentence-embedding model, plus lexical rules; no network.

A sentence earns credit for the one signal of the step it is closest to in meaning (naming a cue
helps, never suffices), "covered" needs a reason in the sentence itself, a sentence closer to a red
flag earns nothing, and sentences addressed to the grader are dropped before anything is judged
(see :mod:`interviewer.semantic.judging`). Clarifying questions reveal the facts they are closest
to; statements that contradict a hidden fact raise that fact's red flag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interviewer.brain.base import (
    BrainReport,
    Emit,
    FollowUpRequest,
    MessageKind,
    RedFlagJudgment,
    StepJudgment,
)
from interviewer.brain.rules import (
    DONT_KNOW,
    HINT,
    MOVE_ON,
    has_reason,
    is_bare_list,
    is_grader_directed,
    is_negated,
    is_question,
    raises_flag,
    states_assumption,
)
from interviewer.knowledge.models import Fact
from interviewer.rubric import StepRubric
from interviewer.semantic.encoder import Encoder, get_encoder
from interviewer.semantic.facts import contradictions, facts_asked
from interviewer.semantic.judging import Unit, credit_signals, semantic_flags, similarity_to
from interviewer.semantic.thresholds import SemanticThresholds
from interviewer.text import contains_cue, normalize, sentences

DONT_KNOW_MAX_WORDS = 25
CLARIFYING_MAX_WORDS = 60
CONTROL_MAX_WORDS = 30


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

    def classify(self, message: str, *, step_vocabulary: Sequence[str], topic_texts: Sequence[str] = ()) -> MessageKind:
        """Return how a candidate message should be handled; on topic means close to the case's rubric."""
        stripped = normalize(message).strip()
        n_words = len(stripped.split())
        if HINT.search(stripped) and n_words <= CONTROL_MAX_WORDS:
            return "hint"
        if MOVE_ON.search(stripped) and n_words <= CONTROL_MAX_WORDS:
            return "move_on"
        if DONT_KNOW.search(stripped) and n_words <= DONT_KNOW_MAX_WORDS:
            return "dont_know"
        sents = [s for s in sentences(message) if not is_grader_directed(s.text)]
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

    def match_facts(self, question: str, facts: Sequence[Fact]) -> list[Fact]:
        """Return the facts the question sentences of a message are closest to (at most two)."""
        asked = [s.text for s in sentences(question) if is_question(s) and not is_grader_directed(s.text)]
        return facts_asked(self.encoder, self.thresholds, asked, facts)

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Judge a step's candidate turns against its rubric, on meaning with the guards."""
        ignored: list[str] = []
        units: list[Unit] = []
        for index, text in turns:
            for sentence in sentences(text):
                if is_grader_directed(sentence.text):
                    ignored.append(sentence.text)
                    continue
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
        return StepJudgment(signals, self._flags(rubric, units, wrong), tuple(ignored), words)

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

    def follow_up(self, request: FollowUpRequest, emit: Emit) -> str:
        """Return the authored probe of the gap."""
        emit(request.probe)
        return request.probe

    def take_report(self) -> BrainReport:
        """Return an empty report: the offline brain has no notices and uses no tokens."""
        return BrainReport()


def _first_per_flag(flags: Sequence[RedFlagJudgment]) -> tuple[RedFlagJudgment, ...]:
    seen: set[str] = set()
    out = []
    for flag in flags:
        if flag.flag_id not in seen:
            seen.add(flag.flag_id)
            out.append(flag)
    return tuple(out)
