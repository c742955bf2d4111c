"""Design sketches: parsed leniently, drawn safely, judged as sentences."""

from interviewer.sketch import MAX_LINES, as_sentences, parse, to_dot


def test_chains_labels_and_comments() -> None:
    sketch = parse("request -> retrieval -> ranking  # the funnel\nfeatures -> ranking: user features\n\n")
    assert [(e.source, e.target, e.label) for e in sketch.edges] == [
        ("request", "retrieval", ""),
        ("retrieval", "ranking", ""),
        ("features", "ranking", "user features"),
    ]
    assert sketch.problems == () and sketch.nodes == ["request", "retrieval", "ranking", "features"]


def test_bad_lines_are_reported_with_their_number_and_the_rest_still_draws() -> None:
    sketch = parse("a -> b\njust words\n-> c\n" + "x" * 100 + " -> y")
    assert len(sketch.edges) == 1
    assert [p.split(":")[0] for p in sketch.problems] == ["line 2", "line 3", "line 4"]


def test_hostile_text_stays_text_in_the_graph() -> None:
    dot = to_dot(parse('a"]; evil [label="x -> <b>c</b>\\'))
    assert '\\"' in dot and dot.count("->") == 1 and "digraph sketch" in dot


def test_huge_and_binary_input_never_raise() -> None:
    assert "only the first" in parse("a -> b\n" * (MAX_LINES + 5)).problems[0]
    parse("\x00\xff\ud800 -> \x01")
    assert as_sentences("") == "" and as_sentences("a -> b: why") == "a leads to b (why)."
