from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from interviewer.settings import REPO_ROOT, get_settings

APP = REPO_ROOT / "ui" / "app.py"


@pytest.fixture
def make_app(built_data: Path) -> Iterator[Callable[[], AppTest]]:
    """Return a factory of fresh AppTests of the real app; cached services are dropped afterwards.

    The data folder starts as ``make run`` leaves it (the index and the judge vectors built), so no
    test waits for a build in the background.
    """
    data = get_settings().data_dir
    if not data.exists():
        shutil.copytree(built_data, data)

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
