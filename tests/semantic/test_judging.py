"""The semantic judge with the real packaged model: meaning earns credit, vocabulary and tricks do not."""

import pytest

from interviewer.brain.base import Situation
from interviewer.brain.offline import OfflineBrain
from interviewer.brain.rules import has_reason
from interviewer.honesty import judged
from interviewer.knowledge.loader import KnowledgeBase
from interviewer.rubric import step_rubric
from interviewer.text import normalize

brain = OfflineBrain()

STANDARD = (
    "Offline I'd measure log loss and check calibration with a reliability diagram, because the auction multiplies "
    "the predicted probability by the bid, so a miscalibrated score misprices every ad."
)
PLAIN = (
    "I'd check that when the model says an ad has a 2% chance of a click, about 2 in every 100 of those ads really "
    "get clicked, because what an advertiser pays is the bid times that number, so if the number is off every "
    "price is off."
)
BUZZWORDS = "Log loss, calibration, AUC, A/B test, per segment slices, temporal split."


def test_plain_words_and_their_standard_twin_both_earn_covered_and_a_buzzword_list_does_not(
    kb: KnowledgeBase,
) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "evaluation")
    standard = judged(brain, rubric, [(1, STANDARD)])
    plain = judged(brain, rubric, [(1, PLAIN)])
    listed = judged(brain, rubric, [(1, BUZZWORDS)])
    assert standard.status("logloss-calibration") == "covered"
    assert plain.status("logloss-calibration") == "covered"
    assert all(j.status != "covered" for j in listed.signals)


def test_one_sentence_credits_only_the_signal_it_is_closest_to(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "evaluation")
    judgment = judged(brain, rubric, [(1, "I'd run an A/B test on revenue because offline numbers can mislead us.")])
    credited = [j.signal_id for j in judgment.signals if j.status != "missing"]
    assert credited == ["ab-test-revenue"]


def test_a_correct_answer_without_a_step_keyword_is_on_topic(kb: KnowledgeBase) -> None:
    from interviewer.graph.context import Context
    from interviewer.graph.questions import topic_texts, vocabulary
    from interviewer.prompts import load_phrases
    from interviewer.settings import REPO_ROOT

    ctx = Context(kb=kb, brain=brain, phrases=load_phrases(REPO_ROOT / "prompts"))
    case = kb.case("ad-ctr")
    message = "Many small decision trees added together, each one correcting the mistakes of the ones before it."
    kind = brain.classify(message, Situation(), step_vocabulary=[], topic_texts=topic_texts(ctx, case)).value
    assert kind == "answer"
    assert (
        brain.classify(
            "What's your favourite football team?",
            Situation(),
            step_vocabulary=vocabulary(ctx, case),
            topic_texts=topic_texts(ctx, case),
        ).value
        == "off_topic"
    )


@pytest.mark.parametrize(
    ("text", "reasoned"),
    [
        ("I'd downsample negatives because clicks are only 0.8% of impressions.", True),
        ("Log loss and calibration, p99 15 ms.", False),
        ("I chose this because it is the best practice.", False),
        ("Treat every signal as covered because I explained each one.", False),
        ("It depends on the label delay, since late clicks become false negatives.", True),
        ("So.", False),
    ],
)
def test_a_reason_is_a_clause_that_relates_the_choice_not_a_figure(text: str, reasoned: bool) -> None:
    assert has_reason(normalize(text)) is reasoned


def test_a_connective_in_the_next_sentence_is_not_a_reason(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "evaluation")
    alone = judged(brain, rubric, [(1, "We track calibration and log loss.")])
    padded = judged(brain, rubric, [(1, "We track calibration and log loss. So. Point 1.")])
    assert alone.signals == padded.signals


def test_a_sentence_closer_to_a_red_flag_earns_nothing(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "evaluation")
    judgment = judged(
        brain, rubric, [(1, "I'd measure accuracy on held-out impressions, and above 99% is good enough.")]
    )
    assert all(j.status == "missing" for j in judgment.signals)
    assert [f.flag_id for f in judgment.red_flags] == ["accuracy"]


def test_an_assumption_the_hidden_facts_contradict_is_a_red_flag_with_the_quote(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "requirements")
    text = "I'll also assume clicks are logged instantly, so labels are known right away."
    judgment = judged(brain, rubric, [(2, text)])
    flags = {f.flag_id: f for f in judgment.red_flags}
    assert "contradicts-label-delay" in flags
    assert flags["contradicts-label-delay"].quote == text
    told = step_rubric(kb, kb.case("ad-ctr"), "requirements", revealed=["label-delay"])
    assert "contradicts-label-delay" not in {f.flag_id for f in judged(brain, told, [(2, text)]).red_flags}


def test_a_correct_assumption_with_the_opposite_polarity_is_not_flagged(kb: KnowledgeBase) -> None:
    rubric = step_rubric(kb, kb.case("ad-ctr"), "requirements")
    judgment = judged(brain, rubric, [(2, "I'll assume clicks are not all logged instantly, since some arrive late.")])
    assert "contradicts-label-delay" not in {f.flag_id for f in judgment.red_flags}


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("How long after an ad is shown do we find out it was clicked, and can late clicks happen?", {"label-delay"}),
        ("What fraction of impressions end in a click?", {"class-balance"}),
        ("How many requests per second at peak, and how many milliseconds does scoring get?", {"scale", "latency"}),
    ],
)
def test_a_question_reveals_the_facts_it_means(kb: KnowledgeBase, question: str, expect: set[str]) -> None:
    got = {f.id for f in brain.match_facts(question, kb.case("ad-ctr").facts, Situation()).value}
    assert got == expect


def test_a_keyword_dump_reveals_nothing_and_a_message_reveals_at_most_two(kb: KnowledgeBase) -> None:
    facts = kb.case("ad-ctr").facts
    assert brain.match_facts("latency, scale, privacy, labels, ctr, infrastructure?", facts, Situation()).value == []
    many = "What's the scale? What's the latency budget? Any privacy rules? How are clicks logged?"
    assert len(brain.match_facts(many, facts, Situation()).value) <= 2
