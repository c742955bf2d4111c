"""Design sketches: the pipeline a candidate writes as text, one edge per line, drawn as a graph.

The format is small on purpose::

    request -> candidate generation -> ranking -> re-ranking
    feature store -> ranking: user and ad features
    # a comment

An arrow (``->``) joins two or more stages; text after a colon labels the edge(s) of that line.
Bad lines are reported with their number and never raise: the rest of the sketch still draws.
The sketch is saved with the candidate's turn, exported with the transcript, and judged with the
step's answer as plain sentences ("request leads to candidate generation").
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LINES = 60
MAX_NAME_CHARS = 60
MAX_LABEL_CHARS = 80
ARROW = "->"


@dataclass(frozen=True)
class Edge:
    """One arrow of a sketch: from a stage to the next, with an optional label."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Sketch:
    """A parsed sketch: its edges, and a message for each line that could not be read."""

    edges: tuple[Edge, ...]
    problems: tuple[str, ...] = ()

    @property
    def nodes(self) -> list[str]:
        """Return the stages in order of first appearance."""
        return list(dict.fromkeys(n for e in self.edges for n in (e.source, e.target)))


def _clean(name: str) -> str:
    return " ".join(name.replace("\x00", "").split())


def parse(text: str) -> Sketch:
    """Read a sketch; never raises, whatever the text."""
    edges: list[Edge] = []
    problems: list[str] = []
    lines = (text or "").splitlines()
    if len(lines) > MAX_LINES:
        problems.append(f"only the first {MAX_LINES} lines are drawn")
        lines = lines[:MAX_LINES]
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        label = ""
        if ":" in line:
            line, label = (part.strip() for part in line.split(":", 1))
        stages = [_clean(s) for s in line.split(ARROW)]
        if len(stages) < 2:
            problems.append(f"line {number}: no arrow; write it as 'a -> b'")
            continue
        if any(not s for s in stages):
            problems.append(f"line {number}: an arrow needs a stage on both sides")
            continue
        if any(len(s) > MAX_NAME_CHARS for s in stages) or len(label) > MAX_LABEL_CHARS:
            limits = f"names are limited to {MAX_NAME_CHARS} characters, labels to {MAX_LABEL_CHARS}"
            problems.append(f"line {number}: {limits}")
            continue
        edges += [Edge(a, b, _clean(label)) for a, b in zip(stages, stages[1:], strict=False)]
    return Sketch(tuple(dict.fromkeys(edges)), tuple(problems))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(sketch: Sketch) -> str:
    """Return the sketch as Graphviz DOT, every name and label quoted (nothing typed is markup)."""
    lines = ["digraph sketch {", "  rankdir=LR;", '  node [shape=box, style="rounded"];']
    for node in sketch.nodes:
        lines.append(f"  {_quoted(node)};")
    for e in sketch.edges:
        label = f" [label={_quoted(e.label)}]" if e.label else ""
        lines.append(f"  {_quoted(e.source)} -> {_quoted(e.target)}{label};")
    lines.append("}")
    return "\n".join(lines)


def as_sentences(text: str) -> str:
    """Return a sketch as plain sentences, so judging reads it as part of the step's answer."""
    sentences = []
    for e in parse(text).edges:
        how = f" ({e.label})" if e.label else ""
        sentences.append(f"{e.source} leads to {e.target}{how}.")
    return " ".join(sentences)
