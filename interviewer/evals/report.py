"""Write an eval report (report.md, report.json, SVG plots), check thresholds, compare two reports."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import yaml

from interviewer.steps import STEP_IDS

ARROW_BETTER = {"min": "higher is better", "max": "lower is better"}


def load_thresholds(path: Path, suite: str) -> dict[str, dict[str, float]]:
    """Return the thresholds of a suite: metric -> {'min': x} or {'max': y}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chosen: dict[str, dict[str, float]] = data.get(suite, {})
    return chosen


def check_thresholds(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Return one line per metric that misses its threshold (a missing metric fails too)."""
    failures = []
    for metric, bound in thresholds.items():
        value = summary.get(metric)
        if value is None:
            failures.append(f"{metric}: no value")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{metric} = {value} is below the floor {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{metric} = {value} is above the ceiling {bound['max']}")
    return failures


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return str(value)


def _threshold_line(failures: list[str]) -> str:
    if not failures:
        return "**Thresholds: all met.**"
    return "**Thresholds missed:**\n" + "\n".join(f"- {f}" for f in failures)


SCORERS = (("grader", "grader"), ("baseline_length", "answer length"), ("baseline_keywords", "keyword count"))
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">'


def _section(summary: dict[str, Any], prefix: str) -> list[str]:
    return [f"| `{k}` | {_fmt(v)} |" for k, v in summary.items() if k.startswith(prefix)]


def to_markdown(report: dict[str, Any], failures: list[str]) -> str:
    """Render the report for people: headline tables first, details after."""
    s = report["summary"]
    lines = [
        f"# Eval report: {report['suite']} suite, brain {report['brain']}",
        "",
        f"Cases: {', '.join(report['cases'])}. Interviews: {_fmt(s.get('cost.interviews'))}. "
        f"Labelled transcripts: {_fmt(s.get('grader.transcripts'))}.",
        "",
        "**Thresholds: all met.**"
        if not failures
        else "**Thresholds missed:**\n" + "\n".join(f"- {f}" for f in failures),
        "",
        "## Grader agreement with the labelled transcripts (step scores, pooled over steps)",
        "",
        "| split | scorer | Spearman | QWK | exact | within one |",
        "|---|---|---:|---:|---:|---:|",
    ]
    splits = sorted({k.split(".")[1] for k in s if k.startswith("grader.") and k.count(".") == 2} - {"transcripts"})
    for split in splits:
        for who, label in (
            ("grader", "grader"),
            ("baseline_length", "answer length"),
            ("baseline_keywords", "keyword count"),
        ):
            vals = [_fmt(s.get(f"{who}.{split}.{m}")) for m in ("spearman", "qwk", "exact", "within_one")]
            lines.append(f"| {split} | {label} | " + " | ".join(vals) + " |")
    lines += ["", "Per step (grader, Spearman / QWK):", "", "| split | " + " | ".join(STEP_IDS) + " |"]
    lines.append("|---|" + "---:|" * len(STEP_IDS))
    for split, steps in report["grader"]["per_step"].items():
        cells = [f"{_fmt(steps[st]['spearman'])} / {_fmt(steps[st]['qwk'])}" for st in STEP_IDS]
        lines.append(f"| {split} | " + " | ".join(cells) + " |")
    for title, prefix in (
        ("Interviewer behaviour", "behaviour."),
        ("Clarifying questions", "clarifying."),
        ("Personas: ordering and resistance", "personas."),
        ("Injection and filler resistance", "attacks."),
        ("Consistency", "consistency."),
        ("Cost and speed", "cost."),
    ):
        lines += ["", f"## {title}", "", "| metric | value |", "|---|---:|", *_section(s, prefix)]
    lines += ["", "## Persona scores (overall)", ""]
    personas = sorted({r["persona"] for r in report["interviews"]})
    lines += ["| case | " + " | ".join(personas) + " |", "|---|" + "---:|" * len(personas)]
    by_case: dict[str, dict[str, float]] = {}
    for r in report["interviews"]:
        by_case.setdefault(r["case"], {})[r["persona"]] = r["overall"]
    for case, scores in by_case.items():
        lines.append(f"| {case} | " + " | ".join(_fmt(scores.get(p)) for p in personas) + " |")
    leaks = [(r["case"], r["persona"], leak) for r in report["interviews"] for leak in r["leaks"]]
    if leaks:
        lines += ["", "## Leaks found", ""] + [f"- {c}/{p}: {html.escape(x)}" for c, p, x in leaks[:30]]
    misses = report.get("clarifying_misses", [])
    if misses:
        lines += ["", f"## Clarifying questions answered differently from the labels ({len(misses)})", ""]
        lines += [f"- {m['case']}: {m['question']} expected {m['expected']}, got {m['got']}" for m in misses[:30]]
    attacks = report.get("attacks", [])
    if attacks:
        lines += ["", "## Attack variants (largest inflation of the overall score over the controls)", ""]
        lines += ["| attack | kind | max inflation | worst control |", "|---|---|---:|---|"]
        lines += [f"| {a['attack']} | {a['kind']} | {_fmt(a['max_inflation'])} | {a['worst']} |" for a in attacks]
    lines += ["", "Plots: `agreement.svg` (labels against grader scores), `metrics.svg` (behaviour rates)."]
    return "\n".join(lines) + "\n"


def agreement_svg(rows: list[dict[str, Any]]) -> str:
    """Scatter of reference labels (x) against grader scores (y), jittered; heldout in orange."""
    size, pad = 360, 40
    cell = (size - 2 * pad) / 4
    parts = [
        _SVG.format(w=size, h=size),
        f'<rect width="{size}" height="{size}" fill="white"/>',
        f'<text x="{size / 2}" y="{size - 6}" text-anchor="middle">reference label</text>',
        f'<text x="12" y="{size / 2}" transform="rotate(-90 12 {size / 2})" text-anchor="middle">grader score</text>',
    ]
    for k in range(1, 5):
        c = pad + (k - 0.5) * cell
        parts.append(f'<text x="{c}" y="{size - pad + 14}" text-anchor="middle">{k}</text>')
        parts.append(f'<text x="{pad - 10}" y="{size - c + 4}" text-anchor="middle">{k}</text>')
    parts.append(f'<line x1="{pad}" y1="{size - pad}" x2="{size - pad}" y2="{pad}" stroke="#ccc"/>')
    for i, r in enumerate(rows):
        jx, jy = ((i * 37) % 17 - 8) * cell / 40, ((i * 53) % 17 - 8) * cell / 40
        x = pad + (r["label"] - 0.5) * cell + jx
        y = size - (pad + (r["grader"] - 0.5) * cell) + jy
        color = "#e07b00" if r["split"] == "heldout" else "#1f6fb4"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}" fill-opacity="0.6"/>')
    parts.append(
        f'<text x="{pad}" y="16" fill="#1f6fb4">tune</text><text x="{pad + 40}" y="16" fill="#e07b00">heldout</text>'
    )
    return "\n".join([*parts, "</svg>"]) + "\n"


def metrics_svg(summary: dict[str, Any]) -> str:
    """Horizontal bars of the rate metrics (0..1)."""
    rates = [
        (k, v)
        for k, v in summary.items()
        if isinstance(v, float) and 0 <= v <= 1 and k.split(".")[0] in ("behaviour", "clarifying", "personas")
    ]
    width, row = 520, 20
    height = row * len(rates) + 20
    parts = [
        _SVG.format(w=width, h=height),
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for i, (name, value) in enumerate(rates):
        y = 10 + i * row
        parts.append(f'<text x="0" y="{y + 12}">{html.escape(name)}</text>')
        parts.append(f'<rect x="230" y="{y + 2}" width="{240 * value:.1f}" height="12" fill="#1f6fb4"/>')
        parts.append(f'<text x="{236 + 240 * value:.1f}" y="{y + 12}">{value:.2f}</text>')
    return "\n".join([*parts, "</svg>"]) + "\n"


def write_report(report: dict[str, Any], out: Path, failures: list[str]) -> list[Path]:
    """Write report.json, report.md and the plots into a folder; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    report = {**report, "failures": failures}
    files = {
        "report.json": json.dumps(report, indent=2, default=str),
        "report.md": to_markdown(report, failures),
        "agreement.svg": agreement_svg(report["grader"]["rows"]),
        "metrics.svg": metrics_svg(report["summary"]),
    }
    paths = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any, float | None]]:
    """Return (metric, old, new, change) for every summary metric in either report."""
    a, b = old.get("summary", {}), new.get("summary", {})
    rows = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        delta = round(y - x, 4) if isinstance(x, int | float) and isinstance(y, int | float) else None
        rows.append((key, x, y, delta))
    return rows


def compare_markdown(rows: list[tuple[str, Any, Any, float | None]]) -> str:
    """Render a comparison, changed metrics first."""
    changed = [r for r in rows if r[3] not in (None, 0)]
    same = [r for r in rows if r[3] in (None, 0)]
    lines = ["| metric | old | new | change |", "|---|---:|---:|---:|"]
    lines += [f"| `{k}` | {_fmt(x)} | {_fmt(y)} | {d:+.4g} |" for k, x, y, d in changed]
    lines += [f"| `{k}` | {_fmt(x)} | {_fmt(y)} | {'–' if d is None else '0'} |" for k, x, y, d in same]
    return f"{len(changed)} metric(s) moved.\n\n" + "\n".join(lines) + "\n"
