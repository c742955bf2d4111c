import json
from pathlib import Path

from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.evals.datasets import load_labelled
from interviewer.evals.report import check_thresholds, compare, write_report
from interviewer.evals.runner import EVALS_DIR
from interviewer.steps import STEP_IDS


def test_thresholds_fail_on_regressions_and_missing_values() -> None:
    gates = {"behaviour.leak_rate": {"max": 0.0}, "grader.heldout.qwk": {"min": 0.5}, "personas.ordering": {"min": 1}}
    assert (
        check_thresholds({"behaviour.leak_rate": 0.0, "grader.heldout.qwk": 0.6, "personas.ordering": 1.0}, gates) == []
    )
    failures = check_thresholds({"behaviour.leak_rate": 0.02, "grader.heldout.qwk": 0.4}, gates)
    assert len(failures) == 3 and "no value" in failures[2]


def test_report_files_and_comparison(tmp_path: Path) -> None:
    rows = [{"id": "x", "split": "heldout", "step": "data", "label": 3, "grader": 2}]
    report = {
        "suite": "quick",
        "brain": "offline",
        "cases": ["ad-ctr"],
        "summary": {"grader.heldout.spearman": 0.5, "behaviour.leak_rate": 0.0},
        "interviews": [{"case": "ad-ctr", "persona": "strong", "overall": 4.0, "leaks": ["turn 3: <b>x</b>"]}],
        "grader": {"rows": rows, "per_step": {"heldout": {s: {"spearman": None, "qwk": None} for s in STEP_IDS}}},
    }
    paths = write_report(report, tmp_path, ["behaviour.leak_rate = 0.02 is above the ceiling 0.0"])
    assert {p.name for p in paths} == {"report.json", "report.md", "agreement.svg", "metrics.svg"}
    md = (tmp_path / "report.md").read_text()
    assert "Thresholds missed" in md and "&lt;b&gt;" in md
    assert "<circle" in (tmp_path / "agreement.svg").read_text()
    newer = {**report, "summary": {"grader.heldout.spearman": 0.6, "behaviour.leak_rate": 0.0}}
    (tmp_path / "new.json").write_text(json.dumps(newer))
    assert ("grader.heldout.spearman", 0.5, 0.6, 0.1) in compare(report, newer)
    out = CliRunner().invoke(app, ["eval", "--compare", str(tmp_path / "report.json"), str(tmp_path / "new.json")])
    assert out.exit_code == 0 and "1 metric(s) moved" in out.output


def test_the_labelled_set_is_big_enough_and_keeps_a_heldout_split() -> None:
    labelled = load_labelled(EVALS_DIR / "transcripts")
    assert len(labelled) >= 30
    heldout = [t for t in labelled if t.split == "heldout"]
    assert len(heldout) >= 10
    assert {t.case_id for t in heldout} & {t.case_id for t in labelled if t.split == "tune"}
    assert {t.label(s) for t in labelled for s in STEP_IDS} == {1, 2, 3, 4}
