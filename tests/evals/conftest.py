from tests.llm.conftest import pytest_recording_configure, vcr_config  # noqa: F401  (same cassette rules)
