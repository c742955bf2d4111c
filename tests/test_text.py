from interviewer.text import matching_cues, normalize, sentences


def test_cues_match_whole_words_with_endings() -> None:
    text = "We calibrated the model; the auction uses embeddings, retraining daily and a delayed label."
    cues = ["calibrat*", "auc", "embedding", "retrain* daily", "delay", "auction"]
    assert matching_cues(text, cues) == ["calibrat*", "embedding", "retrain* daily", "delay", "auction"]


def test_punctuation_is_folded() -> None:
    assert matching_cues("Run an A/B test and track log-loss", ["a b test", "log loss"]) == ["a b test", "log loss"]
    assert normalize("Don't") == " dont "


def test_sentences_are_verbatim_spans() -> None:
    text = "First, ask about scale. Then latency!\n- bullet one\n- bullet two; more here? yes"
    parts = sentences(text)
    assert [p.text for p in parts] == [
        "First, ask about scale.",
        "Then latency!",
        "bullet one",
        "bullet two;",
        "more here?",
        "yes",
    ]
    for part in parts:
        assert text[part.start : part.start + len(part.text)] == part.text
