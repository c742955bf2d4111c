import pytest

from interviewer.factory import describe_provider
from interviewer.redact import MASK, is_secret_key, redact_url, redact_urls
from interviewer.settings import get_settings


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@host:8000/v1", "http://user:***@host:8000/v1"),
        ("http://user:p%40ss@host/v1", "http://user:***@host/v1"),
        ("http://user:p@ss@host/v1", "http://user:***@host/v1"),  # an unencoded @ in the password
        ("http://user:@host/v1", "http://user:***@host/v1"),
        ("http://user@host/v1", "http://user@host/v1"),  # no password to hide
        ("http://h/v1?api_key=abc&model=m", "http://h/v1?api_key=***&model=m"),
        (
            "http://h/v1?Token=a&access_token=b&X-Amz-Signature=c&sig=d",
            "http://h/v1?Token=***&access_token=***&X-Amz-Signature=***&sig=***",
        ),
        (
            "http://h/v1?client_secret=a&password=b&auth=c&apiKey=d",
            "http://h/v1?client_secret=***&password=***&auth=***&apiKey=***",
        ),
        ("http://h/v1?api%5Fkey=abc", "http://h/v1?api%5Fkey=***"),
        ("http://h/#access_token=abc&state=s", "http://h/#access_token=***&state=s"),
        ("user:pass@host:8000/v1?key=k", "user:***@host:8000/v1?key=***"),  # no scheme
        ("localhost:11434/v1", "localhost:11434/v1"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("http://[::1]:8000/v1?flag", "http://[::1]:8000/v1?flag"),
        ("", ""),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_url_that_cannot_be_parsed_is_not_shown() -> None:
    shown = redact_url("http://user:pass@[::1/v1")
    assert "pass" not in shown and "user" not in shown


def test_secret_keys() -> None:
    assert all(is_secret_key(k) for k in ("key", "API_KEY", "token", "secret", "password", "auth", "signature"))
    assert not any(is_secret_key(k) for k in ("model", "version", "deployment"))


def test_redact_urls_in_text_keeps_the_sentence() -> None:
    text = "cannot reach http://u:pw@h:1/v1?token=t; is 'https://x/?key=k' right? See http://h/v1."
    assert redact_urls(text) == (
        f"cannot reach http://u:{MASK}@h:1/v1?token={MASK}; is 'https://x/?key={MASK}' right? See http://h/v1."
    )


def test_describe_provider_hides_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:hunter2@llm.internal:8000/v1?api_key=sk-secret&v=1")
    described = describe_provider(get_settings())
    assert "hunter2" not in described and "sk-secret" not in described
    assert "http://user:***@llm.internal:8000/v1?api_key=***&v=1" in described
