"""Render ```flow fences (nodes and arrows) to an inline SVG box-and-arrow diagram at build time."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .flow_layout import (
    EDGE_FONT_SIZE,
    EDGE_LINE_HEIGHT,
    LINE_HEIGHT,
    MARGIN,
    Box,
    Layout,
    Route,
    label_size,
    layout_flow,
)
from .flow_syntax import FlowDiagram, parse_flow
from .svg import (
    FONT_SIZE,
    diagram_id,
    element,
    escape,
    fence_lines,
    install_fence,
    num,
    report_problems,
    svg_root,
    text_lines,
)

CORNER_RADIUS = 6
ARROW_SIZE = 9


# ---- drawing ------------------------------------------------------------------------------------------


def render_flow(diagram: FlowDiagram, prefix: str) -> str:
    """The `<figure>`: edges under boxes under edge labels, ids prefixed with `prefix`."""
    layout = layout_flow(diagram)
    marker_id = f"{prefix}-arrow"
    shapes = [element("defs", {}, _arrow_marker(marker_id))]
    shapes += [_edge_path(route, layout.horizontal, marker_id) for route in layout.routes]
    shapes += [_node_shape(box, layout.horizontal) for box in layout.boxes.values()]
    shapes += [_edge_label(route, layout.horizontal) for route in layout.routes if route.label_lines]
    svg = svg_root(prefix, _canvas(layout), diagram.caption, describe(diagram), "".join(shapes))
    direction = diagram.direction.lower()
    return (
        f'<figure class="diagram diagram-flow diagram-{direction}">\n{svg}\n'
        f"<figcaption>{escape(diagram.caption)}</figcaption>\n</figure>\n"
    )


def describe(diagram: FlowDiagram) -> str:
    """A text version of the edges for screen readers: `A → B（label）；…`."""
    names = {node_id: " ".join(label.split()) for node_id, label in diagram.labels.items()}
    arrows = [
        f"{names[edge.source]} → {names[edge.target]}" + (f"（{' '.join(edge.label.split())}）" if edge.label else "")
        for edge in diagram.edges
    ]
    connected = {edge.source for edge in diagram.edges} | {edge.target for edge in diagram.edges}
    lonely = [names[node_id] for node_id in diagram.labels if node_id not in connected]
    return "；".join(arrows + lonely)


def _xy(point: tuple[float, float], horizontal: bool) -> tuple[float, float]:
    main, cross = point
    return (main, cross) if horizontal else (cross, main)


def _arrow_marker(marker_id: str) -> str:
    attrs = {
        "id": marker_id,
        "viewBox": "0 0 10 10",
        "refX": 10,
        "refY": 5,
        "markerWidth": ARROW_SIZE,
        "markerHeight": ARROW_SIZE,
        "markerUnits": "userSpaceOnUse",
        "orient": "auto",
    }
    return element("marker", attrs, element("path", {"class": "arrowhead", "d": "M0,0 L10,5 L0,10 z"}))


def _edge_path(route: Route, horizontal: bool, marker_id: str) -> str:
    points = [_xy(point, horizontal) for point in route.points]
    if route.reversed:
        points.reverse()
    path = "M" + " L".join(f"{num(x)},{num(y)}" for x, y in points)
    attrs = {
        "class": "edge",
        "data-from": route.edge.source,
        "data-to": route.edge.target,
        "d": path,
        "marker-end": f"url(#{marker_id})",
    }
    return element("path", attrs)


def _node_shape(box: Box, horizontal: bool) -> str:
    center = _xy((box.slot.main, box.slot.cross), horizontal)
    rect = {
        "class": "node",
        "data-node": box.node_id,
        "x": center[0] - box.width / 2,
        "y": center[1] - box.height / 2,
        "width": box.width,
        "height": box.height,
        "rx": CORNER_RADIUS,
    }
    return element("rect", rect) + text_lines(box.lines, center, LINE_HEIGHT, FONT_SIZE, "node-label")


def label_center(route: Route, horizontal: bool) -> tuple[float, float]:
    return _xy(route.label_at, horizontal)


def _edge_label(route: Route, horizontal: bool) -> str:
    center = label_center(route, horizontal)
    width, height = label_size(route)
    background = {
        "x": center[0] - width / 2,
        "y": center[1] - height / 2,
        "width": width,
        "height": height,
        "rx": 3,
    }
    text = text_lines(route.label_lines, center, EDGE_LINE_HEIGHT, EDGE_FONT_SIZE, "edge-label-text")
    return element("g", {"class": "edge-label"}, element("rect", background) + text)


def _canvas(layout: Layout) -> tuple[float, float, float, float]:
    """(x, y, width, height) around everything drawn: boxes, edge points and labels, plus the margin."""
    corners: list[tuple[float, float]] = []
    for box in layout.boxes.values():
        x, y = _xy((box.slot.main, box.slot.cross), layout.horizontal)
        corners += [(x - box.width / 2, y - box.height / 2), (x + box.width / 2, y + box.height / 2)]
    for route in layout.routes:
        width, height = label_size(route)
        x, y = label_center(route, layout.horizontal)
        corners += [(x - width / 2, y - height / 2), (x + width / 2, y + height / 2)]
        corners += [_xy(point, layout.horizontal) for point in route.points]
    left = min(0.0, min(x for x, _ in corners) - MARGIN)
    top = min(0.0, min(y for _, y in corners) - MARGIN)
    return left, top, max(x for x, _ in corners) + MARGIN - left, max(y for _, y in corners) + MARGIN - top


# ---- the plugin ---------------------------------------------------------------------------------------


def render_flow_fence(token: Token, env: MutableMapping[str, Any]) -> str:
    diagram, problems = parse_flow(fence_lines(token))
    if problems:
        return report_problems(env, token, "flow", problems)
    return render_flow(diagram, diagram_id(env, "flow", token.content))


def plugin(md: MarkdownIt) -> None:
    """Draw ```flow fences as inline SVG; other fences go to the fence rule installed before this one."""
    install_fence(md, "flow", render_flow_fence)
