from __future__ import annotations

import pytest

from ui.format import budget_fraction, budget_note, duration, escape_markdown, escape_stream, label


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<b>hi</b>", r"\<b\>hi\</b\>"),
        ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
        ("[x](http://e.vil)", r"\[x\]\(http\://e.vil\)"),
        ("costs $5 and $6", r"costs \$5 and \$6"),
        (":red[alarm]", r"\:red\[alarm\]"),
        ("# title\n1. one\n    indented", "\\# title  \n1\\. one  \nindented"),
        ("a & b", r"a \& b"),
        ("plain text, with a comma.", "plain text, with a comma."),
    ],
)
def test_escape_markdown_shows_text_verbatim(raw: str, shown: str) -> None:
    assert escape_markdown(raw) == shown


def test_escaping_a_stream_keeps_spaces_between_fragments() -> None:
    assert (
        "".join(escape_stream(["Use ", "**", " calibrated", " probabilities"])) == r"Use \*\* calibrated probabilities"
    )


def test_durations_budgets_and_labels() -> None:
    assert duration(-3) == "0:00" and duration(65.9) == "1:05" and duration(3725) == "1:02:05"
    assert budget_note(90, 7) == "1:30 / 7 min"
    assert budget_note(8 * 60 + 1, 7).endswith("(over the suggested time)")
    assert budget_fraction(210, 7) == 0.5 and budget_fraction(10_000, 7) == 1.0 and budget_fraction(5, 0) == 0.0
    assert label("lean_no_hire") == "Lean no hire" and label("below_mid") == "Below mid"
