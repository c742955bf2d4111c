from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from interviewer.settings import REPO_ROOT

APP = REPO_ROOT / "ui" / "app.py"


@pytest.fixture
def make_app() -> Iterator[Callable[[], AppTest]]:
    """Return a factory of fresh AppTests of the real app; cached services are dropped afterwards."""

    def make() -> AppTest:
        return AppTest.from_file(str(APP), default_timeout=60)

    yield make
    st.cache_resource.clear()


@pytest.fixture
def app(make_app: Callable[[], AppTest]) -> AppTest:
    at = make_app()
    at.run()
    assert not at.exception
    return at
