"""The offline brain: deterministic rules over the knowledge base, no network, no model.

It credits a signal only when the candidate names it *and* reasons about it (a connective
or a concrete figure nearby), so vocabulary alone earns at most partial credit, and it drops
sentences addressed to the grader before judging anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.brain.base import (
    BrainReport,
    Emit,
    FollowUpRequest,
    MessageKind,
    RedFlagJudgment,
    SignalJudgment,
    StepJudgment,
)
from interviewer.debrief import SignalStatus
from interviewer.knowledge.models import Fact, Signal
from interviewer.rubric import StepRubric
from interviewer.text import Sentence, contains_cue, cue_matches, normalize, sentences

_REASON = re.compile(
    r" (because|since|so|which means|that means|meaning|otherwise|"
    r"to avoid|to prevent|to keep|to make sure|to ensure|to handle|to reduce|to catch|to cut|"
    r"instead of|rather than|trade ?off|at the cost of|in exchange|but|however|unless|if|"
    r"depends|depending|given|due to|in order to|this way|that way|which lets|lets us|"
    r"allows|whereas|while|compared to|versus|vs|else|when|why) "
)
_NUMBER = re.compile(r"\d")
_NEGATION = re.compile(
    r" (not|no|never|avoid|avoiding|instead of|rather than|over|dont|wouldnt|shouldnt|cant|cannot|isnt|arent|"
    r"doesnt|wont|without|than) "
)
_NEGATION_AFTER = re.compile(r"^ ?(is|are|would be|will be)? ?(misleading|useless|wrong|a trap|bad|meaningless) ")
NEGATION_WINDOW_WORDS = 5
"""A negation word this close before a red-flag cue means the candidate rejects it."""
_GRADER_DIRECTED = [
    re.compile(p)
    for p in (
        r"\b(ignore|disregard|forget|override)\b.{0,60}\b(rubric|instruction|previous|above|prompt|rule|criteria)",
        r"\b(give|award|assign|grade|score|rate|mark)\b.{0,40}(4\s*/\s*4|4 out of 4|full marks|full score|"
        r"maximum|max score|top score|perfect|highest|strong hire|\ba 4\b|\bhire\b)",
        r"\b(as|to|dear|attention|note to|message to|hey) (the |my )?(grader|evaluator|judge|scorer|"
        r"scoring|grading|assessor)",
        r"\b(system prompt|you are now|new instructions|developer message|jailbreak)\b",
        r"\b(grader|evaluator|scorer)s?\b.{0,40}\b(must|should|will|shall)\b",
        r"\b(grader|evaluator|scorer|judge|assessor)\s*:",
        r"<!--.{0,80}\b(grader|evaluator|judge|system|score|mark|award)",
        r"\b(mark|rate|score|grade)\b.{0,40}\b(as covered|all covered|every signal)",
    )
]
_QUESTION_START = re.compile(
    r"^((what|how|when|where|which|who|why) (is|are|was|were|do|does|did|can|could|should|will|would|s|many|much|"
    r"kind|type|sort|happens|exactly|about)|(is|are|do|does|did|can|could|should|will|would|may|might|shall|have|"
    r"has) (there|the|we|you|it|this|that|these|those|a|an|i|users|our|they|any|each|all)|any (constraints?|"
    r"limits?|requirements?|rules?)) "
)
_MOVE_ON = re.compile(
    r"\b(move on|moving on|next step|next section|next topic|go on to|let s proceed|lets proceed|"
    r"can we proceed|skip (this|it|ahead)|"
    r"nothing (more|else|further) to add|that s all|thats all|that is all|i m done|im done|"
    r"let s continue|lets continue|we can continue)\b"
)
_HINT = re.compile(
    r"\b(hint|nudge|pointer|clue|give me a tip|help me out|i m stuck|im stuck|what s the answer|"
    r"whats the answer|tell me the answer|what is the answer|what would you do|just tell me|"
    r"what are you looking for|what do you want me to say|the right answer|what should i say)\b"
)
_DONT_KNOW = re.compile(
    r"^(i )?(really )?(dont|do not|don t) know|^no idea|^not sure|^i m not sure|^im not sure|"
    r"^i have no idea|^i m not familiar|^im not familiar|^i am not sure|^i am not familiar|^pass\b|"
    r"^no clue|^i don t have an answer|^i dont have an answer|^i can t answer|^i cant answer"
)
LIST_MIN_SIGNALS = 3
"""A sentence naming cues of this many signals ..."""
LIST_MAX_WORDS_PER_CUE = 6
"""... with fewer words than this per matched cue is a bare list (buzzword stuffing)."""
DONT_KNOW_MAX_WORDS = 25
CLARIFYING_MAX_WORDS = 60


@dataclass(frozen=True)
class _Sent:
    turn: int
    sentence: Sentence
    norm: str
    question: bool
    reasoned: bool


def is_grader_directed(text: str) -> bool:
    """Return whether a sentence talks to the grader instead of answering the question."""
    lowered = text.lower()
    return any(p.search(lowered) for p in _GRADER_DIRECTED)


def _is_question(sentence: Sentence) -> bool:
    return sentence.text.rstrip().endswith("?") or bool(_QUESTION_START.match(normalize(sentence.text).lstrip()))


def _raises_flag(norm: str, cues: Sequence[str]) -> bool:
    """Return whether some occurrence of the cues is not rejected by a nearby negation."""
    for cue in cues:
        for match in cue_matches(norm, cue):
            before = " " + " ".join(norm[: match.start()].split()[-NEGATION_WINDOW_WORDS:]) + " "
            after = norm[match.end() :][:40]
            if not (_NEGATION.search(before) or _NEGATION_AFTER.search(after)):
                return True
    return False


def _has_reason(norm: str) -> bool:
    return bool(_REASON.search(norm) or _NUMBER.search(norm))


def is_unreasoned_list(text: str, signals: Sequence[Signal]) -> bool:
    """Return whether a sentence names several signals' cues with no reason: buzzword stuffing."""
    norm = normalize(text)
    n_cues = sum(1 for s in signals if any(contains_cue(norm, c) for c in s.cues))
    bare = n_cues >= LIST_MIN_SIGNALS and len(norm.split()) < LIST_MAX_WORDS_PER_CUE * n_cues
    return bare and not _has_reason(norm)


class OfflineBrain:
    """Rule-based brain over the knowledge base's cues; deterministic and network-free."""

    name = "offline"

    def classify(self, message: str, *, step_vocabulary: Sequence[str]) -> MessageKind:
        """Return how a candidate message should be handled."""
        norm = normalize(message)
        stripped = norm.strip()
        n_words = len(stripped.split())
        if _HINT.search(stripped) and n_words <= 30:
            return "hint"
        if _MOVE_ON.search(stripped) and n_words <= 25:
            return "move_on"
        if _DONT_KNOW.search(stripped) and n_words <= DONT_KNOW_MAX_WORDS:
            return "dont_know"
        sents = [s for s in sentences(message) if not is_grader_directed(s.text)]
        if not any(contains_cue(norm, cue) for cue in step_vocabulary):
            return "off_topic"
        questions = [s for s in sents if _is_question(s)]
        if sents and len(questions) == len(sents) and n_words <= CLARIFYING_MAX_WORDS:
            return "clarifying"
        return "answer"

    def match_facts(self, question: str, facts: Sequence[Fact]) -> list[Fact]:
        """Return the facts whose unlock phrases occur in the question sentences of a message."""
        asked = " ".join(s.text for s in sentences(question) if _is_question(s))
        if not asked:
            return []
        norm = normalize(asked)
        return [fact for fact in facts if any(contains_cue(norm, cue) for cue in fact.unlock)]

    def judge(self, rubric: StepRubric, turns: Sequence[tuple[int, str]]) -> StepJudgment:
        """Judge a step's candidate turns against its rubric."""
        ignored: list[str] = []
        sents: list[_Sent] = []
        for index, text in turns:
            kept = []
            for sentence in sentences(text):
                if is_grader_directed(sentence.text):
                    ignored.append(sentence.text)
                else:
                    kept.append(sentence)
            norms = [normalize(s.text) for s in kept]
            for i, sentence in enumerate(kept):
                nxt = norms[i + 1] if i + 1 < len(kept) else ""
                sents.append(_Sent(index, sentence, norms[i], _is_question(sentence), _has_reason(norms[i] + nxt)))
        words = sum(len(s.norm.split()) for s in sents)
        matches = {
            id(s): {sig.id for sig in rubric.signals if any(contains_cue(s.norm, c) for c in sig.cues)} for s in sents
        }
        judgments = tuple(
            self._judge_signal(signal, sents, matches, rubric.questions_count_as_evidence) for signal in rubric.signals
        )
        flags = tuple(
            RedFlagJudgment(flag.id, s.sentence.text, s.turn)
            for flag in rubric.red_flags
            for s in sents
            if _raises_flag(s.norm, flag.cues)
        )
        return StepJudgment(judgments, _first_per_flag(flags), tuple(ignored), words)

    def follow_up(self, request: FollowUpRequest, emit: Emit) -> str:
        """Return the authored probe of the gap."""
        emit(request.probe)
        return request.probe

    def take_report(self) -> BrainReport:
        """Return an empty report: the offline brain has no notices and uses no tokens."""
        return BrainReport()

    def _judge_signal(
        self,
        signal: Signal,
        sents: Sequence[_Sent],
        matches: dict[int, set[str]],
        questions_count: bool,
    ) -> SignalJudgment:
        best: tuple[SignalStatus, _Sent] | None = None
        for s in sents:
            if signal.id not in matches[id(s)]:
                continue
            n_cues = len(matches[id(s)])
            bare_list = n_cues >= LIST_MIN_SIGNALS and len(s.norm.split()) < LIST_MAX_WORDS_PER_CUE * n_cues
            credited = (s.question and questions_count) or (s.reasoned and not bare_list and not s.question)
            status: SignalStatus = "covered" if credited else "partial"
            if best is None or (status == "covered" and best[0] != "covered"):
                best = (status, s)
            if status == "covered":
                break
        if best is None:
            return SignalJudgment(signal.id, "missing")
        return SignalJudgment(signal.id, best[0], best[1].sentence.text, best[1].turn)


def _first_per_flag(flags: Sequence[RedFlagJudgment]) -> tuple[RedFlagJudgment, ...]:
    seen: set[str] = set()
    out = []
    for flag in flags:
        if flag.flag_id not in seen:
            seen.add(flag.flag_id)
            out.append(flag)
    return tuple(out)
