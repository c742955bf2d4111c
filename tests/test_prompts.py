import pytest

from interviewer.prompts import PromptError, load_phrases, render
from interviewer.settings import REPO_ROOT


def test_render_fails_on_missing_variable() -> None:
    with pytest.raises(PromptError, match="step_title"):
        render("Let's move on to {step_title}.", {})


def test_phrases_are_neutral() -> None:
    phrases = load_phrases(REPO_ROOT / "prompts")
    acks = [phrases.acknowledgement(i) for i in range(10)]
    praise = ("great", "excellent", "perfect", "good answer", "well done", "nice", "correct")
    assert not [a for a in acks if any(p in a.lower() for p in praise)]
    with pytest.raises(PromptError):
        phrases.say("no-such-template")
