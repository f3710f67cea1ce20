"""Read the text of a ```flow fence into a `FlowDiagram`: nodes, labels, edges, direction and caption."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .svg import Problem, strip_comment

NODE_ID = r"\w+(?:-\w+)*"
NODE_RE = re.compile(NODE_ID)
ARROW_RE = re.compile(r"-->(?:\s*\|([^|]*)\|)?")
SETTING_RE = re.compile(r"(direction|caption)\s*[:：]\s*(.*)", re.IGNORECASE)
DIRECTIONS = {"LR": "LR", "TB": "TB", "TD": "TB"}
SYNTAX_HINT = "expected `direction: LR|TB`, `caption: text`, a node `id[label]` or edges `a --> b`, `a -->|label| b`"


# ---- the diagram as written ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass
class FlowDiagram:
    direction: str = "LR"
    caption: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # node id -> label, in order of first appearance
    declared: set[str] = field(default_factory=set)  # ids given an explicit [label]
    edges: list[Edge] = field(default_factory=list)


def parse_flow(lines: list[str]) -> tuple[FlowDiagram, list[Problem]]:
    """Read the fence's lines into a diagram; problems carry the index of the line they are about."""
    diagram = FlowDiagram()
    problems: list[Problem] = []
    caption_line: int | None = None
    for index, raw in enumerate(lines):
        statement = strip_comment(raw)
        if not statement:
            continue
        setting = SETTING_RE.fullmatch(statement)
        if setting and setting.group(1).lower() == "caption":
            message = _set_caption(diagram, setting.group(2).strip(), caption_line)
            caption_line = index if caption_line is None else caption_line
        elif setting:
            message = _set_direction(diagram, setting.group(2).strip())
        else:
            message = _add_chain(diagram, statement)
        if message:
            problems.append((index, message))
    problems.extend(_whole_diagram_problems(diagram, problems, caption_line is not None))
    return diagram, problems


def _set_caption(diagram: FlowDiagram, caption: str, earlier_line: int | None) -> str | None:
    if earlier_line is not None:
        return f"a second caption; the caption is already set on line {earlier_line + 1} of the block, keep one"
    if not caption:
        return "the caption is empty: write `caption: <text>` (it becomes the figure caption)"
    diagram.caption = caption
    return None


def _set_direction(diagram: FlowDiagram, value: str) -> str | None:
    direction = DIRECTIONS.get(value.upper())
    if direction is None:
        return f"unknown direction {value!r}: write `direction: LR` (left to right) or `direction: TB` (top down)"
    diagram.direction = direction
    return None


def _whole_diagram_problems(diagram: FlowDiagram, problems: list[Problem], has_caption: bool) -> list[Problem]:
    found: list[Problem] = []
    if not diagram.labels and not problems:
        found.append((-1, "the diagram has no nodes: add nodes `id[label]` and edges `a --> b`"))
    if not has_caption:
        found.append((-1, "the diagram has no caption: add a line `caption: <text>` (it becomes the figcaption)"))
    return found


def _add_chain(diagram: FlowDiagram, statement: str) -> str | None:
    """`a[label] -->|text| b --> c`: declare the nodes and add the edges, or say what is wrong."""
    position, node, message = _read_node(statement, 0)
    if node is None:
        return message or f"unknown statement {statement!r}: {SYNTAX_HINT}"
    nodes: list[tuple[str, str | None]] = [node]
    edge_labels: list[str] = []
    while position < len(statement):
        arrow = ARROW_RE.match(statement, position)
        if arrow is None:
            return f"unknown statement {statement!r}: {SYNTAX_HINT}"
        position, node, message = _read_node(statement, _skip_spaces(statement, arrow.end()))
        if node is None:
            return message or f"an arrow needs a node after it in {statement!r}: write `a --> b`"
        edge_labels.append(_clean_label(arrow.group(1) or ""))
        nodes.append(node)
    return _declare(diagram, nodes, edge_labels)


def _read_node(text: str, position: int) -> tuple[int, tuple[str, str | None] | None, str | None]:
    """Read `id` or `id[label]` at position: (position after it and its spaces, (id, label), problem)."""
    match = NODE_RE.match(text, position)
    if match is None:
        return position, None, None
    end = match.end()
    label: str | None = None
    if text.startswith("[", end):
        close = _closing_bracket(text, end)
        if close < 0:
            return position, None, f"the label of node {match.group()!r} has no closing `]`"
        label = _clean_label(text[end + 1 : close])
        if not label:
            return position, None, f"node {match.group()!r} has an empty label: write `id[label]` or just `id`"
        end = close + 1
    return _skip_spaces(text, end), (match.group(), label), None


def _closing_bracket(text: str, opening: int) -> int:
    depth = 0
    for position in range(opening, len(text)):
        depth += {"[": 1, "]": -1}.get(text[position], 0)
        if depth == 0:
            return position
    return -1


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _clean_label(label: str) -> str:
    """Trim, drop one pair of surrounding quotes, and turn the two characters `\\n` into a line break."""
    label = label.strip()
    if len(label) >= 2 and label[0] == label[-1] and label[0] in "\"'":
        label = label[1:-1].strip()
    return label.replace("\\n", "\n")


def _declare(diagram: FlowDiagram, nodes: list[tuple[str, str | None]], edge_labels: list[str]) -> str | None:
    for node_id, label in nodes:
        earlier = diagram.labels.get(node_id)
        if label is not None and node_id in diagram.declared and earlier != label:
            return (
                f"node {node_id!r} is labelled twice ({earlier!r} and {label!r}): "
                f"give the label once and refer to the node by its id elsewhere"
            )
        diagram.labels.setdefault(node_id, node_id)
        if label is not None:
            diagram.labels[node_id] = label
            diagram.declared.add(node_id)
    for (source, _), (target, _), label in zip(nodes[:-1], nodes[1:], edge_labels, strict=True):
        if source == target:
            return f"the edge {source} --> {target} points at its own node, which cannot be drawn: remove it"
        edge = Edge(source, target, label)
        if edge not in diagram.edges:
            diagram.edges.append(edge)
    return None
