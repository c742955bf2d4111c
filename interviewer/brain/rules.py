"""Lexical rules the offline brain keeps beside meaning: message kinds, grader-directed text, reasons.

Meaning (the sentence encoder) says what a sentence is about; these rules say what it does: ask, decline,
address the grader, or give a reason that relates a choice to the problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from interviewer.knowledge.models import Signal
from interviewer.text import Sentence, contains_cue, cue_matches, normalize

_REASON = re.compile(
    r" (because|since|so|which means|that means|meaning that|otherwise|"
    r"to avoid|to prevent|to keep|to make sure|to ensure|to handle|to reduce|to catch|to cut|to stop|to get|"
    r"instead of|rather than|trade ?off|at the cost of|in exchange|but|however|unless|if|"
    r"depends on|depending on|given that|given the|due to|in order to|this way|that way|which lets|lets us|"
    r"allows|whereas|while|compared to|compared with|versus|else|when|why|as long as|for example|such as) "
)
_EMPTY_REASON = re.compile(
    r" (because|since|as) (it|that|this|they) (is|s|are) (the )?(best|standard|an? industry standard|industry standard|"
    r"common|popular|good|better|great|important|modern|state of the art|proven|widely used|the norm|best practice)"
    r"( practice| approach| choice| one)?( here| in industry| nowadays)? $|"
    r" (because|since) (everyone|everybody|most companies|people|big tech) "
    r"(uses?|does|do) (it|this|that) $|"
    r" (because|since) i (explained|said|covered|mentioned|described) "
)
REASON_MIN_WORDS = 3
"""Words a reason clause needs after its connective: 'because it works' says nothing."""

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
        r"\b(grader|evaluator|scorer|grading|scoring)s?\b.{0,40}\b(must|should|will|shall)\b",
        r"\b(grader|evaluator|scorer|judge|assessor)\s*:",
        r"<!--.{0,80}\b(grader|evaluator|judge|system|score|mark|award)",
        r"\b(mark|rate|score|grade|treat|count|consider|record|list)\b.{0,40}\b(as covered|all covered|every signal|"
        r"each signal|all signals|all the signals|as fully covered|as met)",
        r"</?\s*(system|assistant|developer|instructions?)\s*>",
        r"^\W*(system|developer|assistant)\s*:",
        r"\"?\b(score|verdict|status)\"?\s*[:=]\s*\"?(4|covered|strong_hire|hire)\b",
        # Spanish, French, German, Portuguese and Italian attempts at the same.
        r"\b(ignora|ignore[zs]?|ignoriere|ignorar|olvida|oublie[zs]?|vergiss)\b.{0,60}"
        r"\b(instruc|r[eè]gle|regla|regel|consign|anweisung|r[uú]brica|bar[eè]me|kriterien)",
        r"\b(califica|calificar|punt[uú]a|puntuaci[oó]n|nota m[aá]xima|note maximale|notez|attribue[zr]?|"
        r"bewerte|bewertung|punktzahl|volle punktzahl|pontua[cç][aã]o|nota m[aá]xima|valuta|punteggio)\b",
        r"\b(evaluador|evaluadora|correcteur|[eé]valuateur|examinateur|pr[uü]fer|bewerter|avaliador|valutatore)\b",
        r"\b(cubiert[oa]s?|couverts?|abgedeckt|cobert[oa]s?)\b",
        r"(忽略|无视|無視).{0,20}(指示|指令|规则|規則)|满分|滿分|打分|评分",
    )
]
_QUESTION_START = re.compile(
    r"^((what|how|when|where|which|who|why) (is|are|was|were|do|does|did|can|could|should|will|would|s|many|much|"
    r"kind|type|sort|happens|exactly|about)|(is|are|do|does|did|can|could|should|will|would|may|might|shall|have|"
    r"has) (there|the|we|you|it|this|that|these|those|a|an|i|users|our|they|any|each|all)|any (constraints?|"
    r"limits?|requirements?|rules?)) "
)
MOVE_ON = re.compile(
    r"\b(move on|moving on|next step|next section|next topic|go on to|let s proceed|lets proceed|"
    r"can we proceed|skip (this|it|ahead)|"
    r"nothing (more|else|further) to add|that s all|thats all|that is all|i m done|im done|"
    r"let s continue|lets continue|we can continue)\b"
)
HINT = re.compile(
    r"\b(hint|nudge|pointer|clue|give me a tip|help me out|i m stuck|im stuck|what s the answer|"
    r"whats the answer|tell me the answer|what is the answer|what would you do|just tell me|"
    r"what are you looking for|what do you want me to say|the right answer|what should i say)\b"
)
DONT_KNOW = re.compile(
    r"^(i )?(really )?(dont|do not|don t) know|^no idea|^not sure|^i m not sure|^im not sure|"
    r"^i have no idea|^i m not familiar|^im not familiar|^i am not sure|^i am not familiar|^pass\b|"
    r"^no clue|^i don t have an answer|^i dont have an answer|^i can t answer|^i cant answer"
)
LIST_MIN_SIGNALS = 3
"""A sentence naming cues of this many signals ..."""
LIST_MAX_WORDS_PER_CUE = 6
"""... with fewer words than this per matched cue is a bare list (buzzword stuffing)."""
KEYWORD_LIST_MIN_ITEMS = 3
"""A question made of this many short comma-separated fragments is a keyword list, not a question."""
KEYWORD_ITEM_MAX_WORDS = 3


_ASSUMES = re.compile(
    r" (ill|i will|id|i would|well|we will|we can|lets|let us|im|i am|i|we) (also |just |simply )?"
    r"(assume|assuming|guess|presume|suppose)| assuming | presumably | my assumption | id expect | i expect "
)


def states_assumption(norm: str) -> bool:
    """Return whether a normalised sentence presents something as an assumption ("I'll assume ...")."""
    return bool(_ASSUMES.search(norm))


def is_grader_directed(text: str) -> bool:
    """Return whether a sentence talks to the grader instead of answering the question."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    return any(p.search(lowered) for p in _GRADER_DIRECTED)


def is_question(sentence: Sentence) -> bool:
    """Return whether a sentence is a question (a question mark, or a question's opening words)."""
    return sentence.text.rstrip().endswith("?") or bool(_QUESTION_START.match(normalize(sentence.text).lstrip()))


def is_keyword_list(text: str) -> bool:
    """Return whether a text is a list of short keywords ("latency, scale, labels, privacy?")."""
    items = [part for part in re.split(r"[,;/|]| and | or |\n", text.strip().rstrip("?.!")) if part.strip()]
    short = [part for part in items if len(part.split()) <= KEYWORD_ITEM_MAX_WORDS]
    return len(items) >= KEYWORD_LIST_MIN_ITEMS and len(short) >= len(items) - 1


def is_negated(norm: str) -> bool:
    """Return whether a normalised sentence contains a negation word anywhere."""
    return bool(_NEGATION.search(norm))


def raises_flag(norm: str, cues: Sequence[str]) -> bool:
    """Return whether some occurrence of the cues is not rejected by a nearby negation."""
    for cue in cues:
        for match in cue_matches(norm, cue):
            before = " " + " ".join(norm[: match.start()].split()[-NEGATION_WINDOW_WORDS:]) + " "
            after = norm[match.end() :][:40]
            if not (_NEGATION.search(before) or _NEGATION_AFTER.search(after)):
                return True
    return False


def has_reason(norm: str) -> bool:
    """Return whether a normalised sentence itself relates its choice to something: a real reason clause.

    The connective must be in the same sentence and followed by a few words; a bare figure, a reason
    that says only "it is standard", and a connective in the next sentence ("So.") are not reasons.
    """
    for match in _REASON.finditer(norm):
        rest = norm[match.end() :]
        if len(rest.split()) >= REASON_MIN_WORDS and not _EMPTY_REASON.search(norm[match.start() :]):
            return True
    return False


def cue_count(norm: str, signals: Sequence[Signal]) -> int:
    """Return how many signals have a cue in a normalised sentence."""
    return sum(1 for s in signals if any(contains_cue(norm, c) for c in s.cues))


def is_bare_list(norm: str, n_cues: int) -> bool:
    """Return whether a sentence naming cues of ``n_cues`` signals is too short to say anything about them."""
    return n_cues >= LIST_MIN_SIGNALS and len(norm.split()) < LIST_MAX_WORDS_PER_CUE * n_cues


def is_unreasoned_list(text: str, signals: Sequence[Signal]) -> bool:
    """Return whether a sentence names several signals' cues with no reason: buzzword stuffing."""
    norm = normalize(text)
    return is_bare_list(norm, cue_count(norm, signals)) and not has_reason(norm)
