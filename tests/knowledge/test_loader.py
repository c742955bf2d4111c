import shutil
from pathlib import Path

import pytest
import yaml

from interviewer.knowledge.loader import KnowledgeError, load_knowledge, load_model, read_yaml
from interviewer.knowledge.models import Case
from interviewer.settings import REPO_ROOT

AD_CTR = REPO_ROOT / "knowledge" / "cases" / "ad-ctr.yaml"


def _write(tmp_path: Path, data: object, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_real_knowledge_base_loads() -> None:
    kb = load_knowledge(REPO_ROOT / "knowledge")
    assert "ad-ctr" in kb.cases
    assert len(kb.framework.steps) == 7
    assert len(kb.fingerprint) == 16


def test_error_names_file_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(AD_CTR.read_text())
    data["steps"]["data"]["signals"][0]["weight"] = 9
    path = _write(tmp_path, data)
    with pytest.raises(KnowledgeError) as err:
        load_model(path, Case)
    assert str(path) in str(err.value)
    assert "steps.data.signals[0].weight" in str(err.value)


def test_missing_step_and_unknown_field(tmp_path: Path) -> None:
    data = yaml.safe_load(AD_CTR.read_text())
    del data["steps"]["serving"]
    data["facts"][0]["secret"] = "typo"
    with pytest.raises(KnowledgeError) as err:
        load_model(_write(tmp_path, data), Case)
    message = str(err.value)
    assert "missing step(s) ['serving']" in message
    assert "facts[0].secret" in message


def test_invalid_yaml_and_non_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="invalid YAML"):
        load_model(bad, Case)
    with pytest.raises(KnowledgeError, match="mapping"):
        load_model(_write(tmp_path, ["a", "list"]), Case)


def test_case_id_must_match_file_name(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "framework.yaml").write_text((REPO_ROOT / "knowledge" / "framework.yaml").read_text())
    data = yaml.safe_load(AD_CTR.read_text())
    _write(tmp_path / "cases", data, "other-name.yaml")
    with pytest.raises(KnowledgeError, match="must match the file name"):
        load_knowledge(tmp_path)


def _copy_knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", root)
    return root


def test_a_repeated_top_level_key_names_file_key_and_lines(tmp_path: Path) -> None:
    root = _copy_knowledge(tmp_path)
    case = root / "cases" / "ad-ctr.yaml"
    text = case.read_text(encoding="utf-8")
    first = text.splitlines().index("facts:") + 1
    case.write_text(text + "facts:\n  - id: only-one\n", encoding="utf-8")  # would replace every fact
    second = len(text.splitlines()) + 1
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    assert err.value.path == case
    message = str(err.value)
    assert str(case) in message
    assert f"duplicate key 'facts' at line {second} (first at line {first})" in message


def test_a_repeated_nested_key_is_refused(tmp_path: Path) -> None:
    root = _copy_knowledge(tmp_path)
    case = root / "cases" / "ad-ctr.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("  - id: scale\n", "  - id: scale\n    topic: twice\n", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate key 'topic'") as err:
        load_knowledge(root)
    assert err.value.path == case


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n", encoding="utf-8")
    assert read_yaml(path) == {"base": {"a": 1, "b": 2}, "child": {"a": 1, "b": 3}}


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    root = _copy_knowledge(tmp_path)
    case = root / "cases" / "ad-ctr.yaml"
    case.write_bytes(case.read_bytes().replace(b"Ad click-through", b"Ad cl\xefck-through", 1))  # latin-1 'ï'
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    assert err.value.path == case
    assert str(case) in str(err.value)
    assert "not valid UTF-8: byte 0xef at line 2" in str(err.value)
