import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from interviewer.cli import app
from interviewer.sessions import InterviewService
from interviewer.settings import REPO_ROOT

runner = CliRunner()


def test_cases_json() -> None:
    result = runner.invoke(app, ["cases", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    ad = next(r for r in rows if r["id"] == "ad-ctr")
    assert ad["facts"] >= 8 and min(ad["signals_per_step"].values()) >= 4


def test_validate_passes_on_the_base_and_fails_on_a_leak(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate"]).exit_code == 0
    data = yaml.safe_load((REPO_ROOT / "knowledge/cases/ad-ctr.yaml").read_text())
    data["steps"]["data"]["signals"][1]["probes"] = ["Should you downsample the negatives?"]
    del data["steps"]["monitoring"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "missing step(s) ['monitoring']" in result.output
    data = yaml.safe_load((REPO_ROOT / "knowledge/cases/ad-ctr.yaml").read_text())
    data["steps"]["data"]["signals"][1]["probes"] = ["Should you downsample the negatives?"]
    bad.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "steps.data.signals[1].probes[0]" in result.output and "leaks" in result.output


def test_simulate_json_and_score_roundtrip(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "average", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {"transcript", "debrief"}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(payload["transcript"]))
    scored = runner.invoke(app, ["score", str(path), "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.output)["overall"] == payload["debrief"]["overall"]


def test_score_minimal_transcript_without_case(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "case_id": None,
                "problem": "Design a spam filter",
                "level": "senior",
                "turns": [
                    {"role": "interviewer", "step": "evaluation", "content": "How would you evaluate?"},
                    {
                        "role": "candidate",
                        "step": "evaluation",
                        "content": "Precision and recall, because spam is rare, then an A/B test.",
                    },
                ],
            }
        )
    )
    result = runner.invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    debrief = json.loads(result.output)
    assert {s["step"] for s in debrief["steps"]} >= {"requirements", "monitoring"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"turns": [{"role": "robot"}]}')
    assert runner.invoke(app, ["score", str(bad)]).exit_code == 2  # not a transcript: one line, exit 2


def test_simulate_errors_are_clear() -> None:
    result = runner.invoke(app, ["simulate", "--case", "nope", "--persona", "strong"])
    assert result.exit_code == 2 and "unknown case" in result.output
    result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "nobody"])
    assert result.exit_code == 2 and "built-in" in result.output


def test_practice_scripted_from_stdin() -> None:
    script = "What is the latency budget?\n/next\n/end\n"
    result = runner.invoke(app, ["practice", "--case", "ad-ctr"], input=script)
    assert result.exit_code == 0, result.output
    assert "50 ms at p99" in result.output
    assert "Recommendation" in result.output
    sessions = runner.invoke(app, ["sessions", "--json"])
    assert json.loads(sessions.output)[0]["status"] == "finished"


def test_practice_paused_and_resumed() -> None:
    first = runner.invoke(app, ["practice", "--case", "ad-ctr"], input="What is the latency budget?\n")
    assert "Interview paused" in first.output
    session_id = first.output.split("--resume ")[1].split()[0]
    second = runner.invoke(app, ["practice", "--resume", session_id], input="/end\n")
    assert second.exit_code == 0 and "Recommendation" in second.output


def test_openai_without_a_key_or_server_is_one_clear_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
    result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "strong"])
    assert result.exit_code == 2
    assert "needs OPENAI_API_KEY" in result.output and "Traceback" not in result.output


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_an_unreachable_server_at_start_is_one_clear_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "strong"])
    assert result.exit_code == 2
    assert "cannot reach an OpenAI-compatible server at http://127.0.0.1:9/v1" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_simulate_against_an_openai_compatible_server_runs_a_full_interview(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from interviewer.llm.stub import StubServer

    with StubServer() as stub:
        monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
        monkeypatch.setenv("INTERVIEWER_INTERVIEWER_MODEL", "stub")
        monkeypatch.setenv("INTERVIEWER_GRADER_MODEL", "stub")
        result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "average", "--json"])
    assert result.exit_code == 0, result.output
    debrief = json.loads(result.output)["debrief"]
    assert len(debrief["steps"]) == 7
    assert debrief["metadata"]["brain"].startswith("openai:")
    assert debrief["metadata"]["usage"]["calls"] == len(stub.requests)
    assert [r["model"] for r in stub.requests].count("stub") == len(stub.requests)


def test_practice_survives_bytes_that_are_not_utf8() -> None:
    script = b"What is the latency budget?\n\xff\xfe caf\xe9 and throughput?\n/end\n"
    result = runner.invoke(app, ["practice", "--case", "ad-ctr"], input=script)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "50 ms at p99" in result.output and "Recommendation" in result.output  # the lines after it were read
    assert result.stderr.count("not valid UTF-8") == 1


@pytest.mark.parametrize("bad", ["../../x", "-rf", "ABC", "x" * 65, "a/b"])
def test_practice_refuses_a_malformed_resume_id_in_one_line(bad: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["practice", "--resume", bad], input="/end\n")
    assert result.exit_code == 2
    assert "invalid session id" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not any(p.suffix in {".md", ".json"} for p in tmp_path.rglob("*"))


def test_exports_are_never_written_outside_their_folder(tmp_path: Path, service: InterviewService) -> None:
    from interviewer.terminal import save_export

    with pytest.raises(ValueError, match="invalid session id"):
        save_export(service, tmp_path / "a" / "debriefs", "../../x")
    assert not list(tmp_path.rglob("x.*"))
    sid = service.start("ad-ctr").session_id
    md, js = save_export(service, tmp_path / "debriefs", sid)
    assert md.parent == js.parent == tmp_path / "debriefs"


def test_export_writes_a_transcript_that_score_accepts_and_score_refuses_a_debrief(tmp_path: Path) -> None:
    script = "What is the latency budget?\nI'd predict the click probability because the auction uses it.\n/end\n"
    assert runner.invoke(app, ["practice", "--case", "ad-ctr"], input=script).exit_code == 0
    listed = runner.invoke(app, ["sessions"])
    assert listed.output.splitlines()[0].split()[:3] == ["SESSION", "CASE", "LEVEL"]
    session_id = listed.output.splitlines()[1].split()[0]
    out = tmp_path / "t.json"
    assert runner.invoke(app, ["export", session_id, "--format", "json", "-o", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    scored = runner.invoke(app, ["score", str(out), "--json"])
    assert scored.exit_code == 0
    assert json.loads(scored.output)["overall"]["score"] == exported["debrief"]["overall"]["score"]
    md = runner.invoke(app, ["export", session_id])
    assert md.exit_code == 0 and md.output.startswith("# ") and "## Requirements" in md.output
    debrief_only = tmp_path / "d.json"
    debrief_only.write_text(json.dumps(exported["debrief"]), encoding="utf-8")
    refused = runner.invoke(app, ["score", str(debrief_only)])
    assert refused.exit_code == 2 and "debrief without its transcript" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert runner.invoke(app, ["export", "../../etc", "--format", "json"]).exit_code == 2


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_the_brain_line_hides_credentials_in_the_base_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from interviewer.llm.stub import StubServer

    with StubServer() as stub:
        monkeypatch.setenv("INTERVIEWER_PROVIDER", "openai")
        monkeypatch.setenv("OPENAI_BASE_URL", stub.url.replace("http://", "http://me:hunter2@"))
        monkeypatch.setenv("INTERVIEWER_INTERVIEWER_MODEL", "stub")
        monkeypatch.setenv("INTERVIEWER_GRADER_MODEL", "stub")
        result = runner.invoke(app, ["simulate", "--case", "ad-ctr", "--persona", "average"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert f"Brain: openai-compatible at {stub.url.replace('http://', 'http://me:***@')}" in result.output
