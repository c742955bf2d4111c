"""Prompts and interviewer phrases, loaded from files under ``prompts/``.

Templates use ``{name}`` placeholders; rendering fails loudly on a missing variable so a
typo in a prompt file never reaches a candidate as a literal ``{name}``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml


class PromptError(ValueError):
    """A prompt file is missing a template, or a template is missing a variable."""


def render(template: str, variables: Mapping[str, object]) -> str:
    """Fill a template's ``{name}`` placeholders, raising PromptError if one has no value."""
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = sorted(names - set(variables))
    if missing:
        raise PromptError(f"template needs {missing}: {template[:60]!r}")
    return template.format_map(dict(variables))


class Phrases:
    """The interviewer's phrase templates from ``prompts/interviewer.yaml``."""

    def __init__(self, data: Mapping[str, object], source: Path) -> None:
        """Wrap loaded phrase data; ``source`` names the file in errors."""
        self._data = data
        self._source = source

    def acknowledgement(self, turn: int) -> str:
        """Return a neutral acknowledgement, varied deterministically by turn number."""
        acks = self._data.get("acknowledgements")
        if not isinstance(acks, list) or not acks:
            raise PromptError(f"{self._source}: 'acknowledgements' must be a non-empty list")
        return str(acks[turn % len(acks)])

    def say(self, name: str, **variables: object) -> str:
        """Render the named template with variables."""
        template = self._data.get(name)
        if not isinstance(template, str):
            raise PromptError(f"{self._source}: no template named {name!r}")
        return render(template, variables).strip()


def load_templates(path: Path) -> Phrases:
    """Load a file of named templates."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise PromptError(f"{path}: must hold a mapping")
    return Phrases(data, path)


@lru_cache(maxsize=4)
def load_phrases(prompts_dir: Path) -> Phrases:
    """Load the interviewer phrases from a prompts folder."""
    return load_templates(prompts_dir / "interviewer.yaml")


@lru_cache(maxsize=4)
def load_llm_prompts(prompts_dir: Path) -> Phrases:
    """Load the LLM brain's prompts from a prompts folder."""
    return load_templates(prompts_dir / "llm.yaml")
