"""Load and validate the knowledge base from YAML files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from interviewer.knowledge.models import Case, Framework

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or does not match the schema."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        """Build the error from the offending file and one line per problem."""
        self.path = path
        self.problems = problems
        super().__init__(f"{path}:\n" + "\n".join(f"  - {p}" for p in problems))


def _format_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A YAML mapping names the same key twice (YAML would silently keep the last one)."""

    def __init__(self, key: object, line: int, first_line: int) -> None:
        """Record the repeated key and the 1-based lines of both occurrences."""
        self.key = key
        self.line = line
        self.first_line = first_line
        super().__init__(problem=f"duplicate key {key!r} at line {line} (first at line {first_line})")

    def __str__(self) -> str:
        """Return the one-line description (not PyYAML's multi-line context)."""
        return str(self.problem)


_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, with the LibYAML parser when it is built in (several times faster)."""


class UniqueKeyLoader(_SafeBase):  # type: ignore[misc]
    """PyYAML's safe loader, except that a key repeated in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping after checking its own keys are distinct (merged ``<<`` keys may be overridden)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKeyError(key, line, seen[key])
            seen[key] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def read_yaml(path: Path) -> Any:
    """Return a YAML file's content, refusing duplicate keys; raise :class:`KnowledgeError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(path, [f"cannot read file: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        byte = exc.object[exc.start]
        problem = f"not valid UTF-8: byte 0x{byte:02x} at line {line} (offset {exc.start}); save the file as UTF-8"
        raise KnowledgeError(path, [problem]) from exc
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # safe: UniqueKeyLoader is a SafeLoader
    except DuplicateKeyError as exc:
        raise KnowledgeError(path, [str(exc)]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, [f"invalid YAML: {exc}"]) from exc


def load_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into a model, raising :class:`KnowledgeError` naming file and field."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise KnowledgeError(path, ["the file must hold a mapping at the top level"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [f"field {_format_location(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise KnowledgeError(path, problems) from exc


@dataclass(frozen=True)
class KnowledgeBase:
    """The framework and every case, as loaded from one knowledge folder."""

    root: Path
    """Folder the knowledge was loaded from."""
    framework: Framework
    """The seven steps and the generic rubric."""
    cases: dict[str, Case]
    """Cases by id, in file-name order."""
    case_files: dict[str, Path] = field(default_factory=dict)
    """File each case was loaded from, by case id."""
    fingerprint: str = ""
    """Hash of every knowledge file's bytes; changes whenever content changes."""

    def case(self, case_id: str) -> Case:
        """Return a case by id, or raise KeyError with the known ids."""
        try:
            return self.cases[case_id]
        except KeyError:
            known = ", ".join(sorted(self.cases)) or "none"
            raise KeyError(f"unknown case {case_id!r}; known cases: {known}") from None

    def source(self, case_id: str | None) -> str:
        """Return the repository-relative file a case (or the framework) came from."""
        if case_id is None or case_id not in self.case_files:
            return "knowledge/framework.yaml"
        return f"knowledge/cases/{self.case_files[case_id].name}"


def case_files(root: Path) -> list[Path]:
    """Return the case files below a knowledge folder, sorted by name."""
    return sorted((root / "cases").glob("*.yaml"))


def load_knowledge(root: Path) -> KnowledgeBase:
    """Load the framework and all cases from a knowledge folder."""
    framework_path = root / "framework.yaml"
    if not framework_path.exists():
        raise KnowledgeError(framework_path, ["file not found"])
    framework = load_model(framework_path, Framework)
    digest = hashlib.sha256(framework_path.read_bytes())
    cases: dict[str, Case] = {}
    files: dict[str, Path] = {}
    for path in case_files(root):
        case = load_model(path, Case)
        if case.id in cases:
            raise KnowledgeError(path, [f"field id: duplicate case id {case.id!r} (also in {files[case.id].name})"])
        if path.stem != case.id:
            raise KnowledgeError(path, [f"field id: {case.id!r} must match the file name {path.stem!r}"])
        cases[case.id] = case
        files[case.id] = path
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return KnowledgeBase(root, framework, cases, files, digest.hexdigest()[:16])
