import uuid

import pytest

from interviewer.ids import SESSION_ID, check_session_id


@pytest.mark.parametrize("value", [uuid.uuid4().hex[:12], "a", "0", "_x", "my-session_2", "a" * 64])
def test_valid_ids_pass_unchanged(value: str) -> None:
    assert check_session_id(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "-x", ".x", "..", "../../x", "a/b", "a\\b", "Abc", "a b", "a.b", "x\n", "\nx", "ünï", "a" * 65, "a\x00"],
)
def test_invalid_ids_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="invalid session id"):
        check_session_id(value)


def test_pattern_is_anchored_for_match_search_and_fullmatch() -> None:
    assert SESSION_ID.match("abc\n") is None  # `$` would accept a trailing newline; `\Z` does not
    assert SESSION_ID.search("../abc") is None
    assert SESSION_ID.fullmatch("abc")


def test_message_shows_the_value_safely_on_one_line() -> None:
    with pytest.raises(ValueError) as err:
        check_session_id("evil\nline\x1b[31m" + "x" * 500)
    message = str(err.value)
    assert "\n" not in message and "\x1b" not in message
    assert "'evil\\nline\\x1b[31m" in message  # the repr, escapes visible
    assert "(514 characters)" in message and len(message) < 250


def test_not_a_string_is_refused() -> None:
    with pytest.raises(ValueError, match="expected text"):
        check_session_id(None)  # type: ignore[arg-type]
