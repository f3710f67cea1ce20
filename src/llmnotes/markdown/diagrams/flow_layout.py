"""Lay out a `FlowDiagram`: rank nodes by longest path, route edges around boxes, place edge labels."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

from .flow_syntax import Edge, FlowDiagram
from .svg import FONT_SIZE, text_width, wrap_text

LINE_HEIGHT = 20
EDGE_FONT_SIZE = 12
EDGE_LINE_HEIGHT = 16
NODE_PADDING = (12, 8)  # (x, y) around the label
MIN_NODE_WIDTH = 48
NODE_TEXT_WIDTH = 14 * FONT_SIZE  # about 14 CJK characters per line
EDGE_TEXT_WIDTH = 10 * EDGE_FONT_SIZE
LABEL_PADDING = (4, 2)
RANK_GAP = 44  # between ranks, along the flow
LABEL_CLEARANCE = 20  # between an edge label and the ranks on either side
LANE_SPACING = 6  # between labels that share a gap
NODE_GAP = 24  # between nodes of one rank
COMPONENT_GAP = 40  # between unconnected chains
WAYPOINT_SIZE = 8  # room an edge takes when it passes through a rank
MARGIN = 8


# ---- layout -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Slot:
    """Room in one rank for a node, or for an edge passing through that rank; positions are centres."""

    rank: int
    main_size: float  # along the flow
    cross_size: float  # across the flow
    waypoint: bool = False
    main: float = 0.0
    cross: float = 0.0


@dataclass
class Box:
    node_id: str
    lines: list[str]
    width: float
    height: float
    slot: Slot


@dataclass
class Route:
    """An edge drawn from its lower-ranked end (`start`) to its higher-ranked end through waypoints."""

    edge: Edge
    start: str
    end: str
    reversed: bool  # a back edge: drawn against the flow, so the arrow sits at `start`
    label_lines: list[str]
    waypoints: list[Slot] = field(default_factory=list)
    start_cross: float = 0.0  # where it leaves the start box, across the flow
    end_cross: float = 0.0  # where it enters the end box
    label_offset: float = 0.0  # a one-rank edge's label: how far into the gap, along the flow
    label_at: tuple[float, float] = (0.0, 0.0)  # (main, cross) of the label's centre
    points: list[tuple[float, float]] = field(default_factory=list)  # (main, cross)


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    horizontal: bool  # LR: main axis is x


def rank_nodes(node_ids: list[str], edges: list[Edge]) -> tuple[dict[str, int], set[int]]:
    """Longest path from the sources, ignoring back edges (found by DFS in declaration order)."""
    back = back_edges(node_ids, edges)
    order = {node_id: position for position, node_id in enumerate(node_ids)}
    successors: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
    waiting = dict.fromkeys(node_ids, 0)
    for index, edge in enumerate(edges):
        if index not in back:
            successors[edge.source].append(edge.target)
            waiting[edge.target] += 1
    ranks = dict.fromkeys(node_ids, 0)
    ready = [(order[node_id], node_id) for node_id in node_ids if waiting[node_id] == 0]
    while ready:
        _, node_id = heapq.heappop(ready)
        for successor in successors[node_id]:
            ranks[successor] = max(ranks[successor], ranks[node_id] + 1)
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(ready, (order[successor], successor))
    return ranks, back


def back_edges(node_ids: list[str], edges: list[Edge]) -> set[int]:
    """Indexes of the edges that close a cycle, found by an iterative DFS in declaration order."""
    outgoing: dict[str, list[int]] = {node_id: [] for node_id in node_ids}
    for index, edge in enumerate(edges):
        outgoing[edge.source].append(index)
    state = dict.fromkeys(node_ids, "new")
    back: set[int] = set()
    for root in node_ids:
        if state[root] != "new":
            continue
        state[root] = "open"
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node_id, pending = stack[-1]
            edge_index = next(pending, None)
            if edge_index is None:
                state[node_id] = "done"
                stack.pop()
                continue
            target = edges[edge_index].target
            if state[target] == "open":
                back.add(edge_index)
            elif state[target] == "new":
                state[target] = "open"
                stack.append((target, iter(outgoing[target])))
    return back


def components(node_ids: list[str], edges: list[Edge]) -> dict[str, int]:
    """Number the connected components (ignoring direction) in order of their first node."""
    order = {node_id: position for position, node_id in enumerate(node_ids)}
    parent = {node_id: node_id for node_id in node_ids}

    def root(node_id: str) -> str:
        while parent[node_id] != node_id:
            node_id = parent[node_id]
        return node_id

    for edge in edges:
        first, second = sorted((root(edge.source), root(edge.target)), key=order.__getitem__)
        parent[second] = first
    numbers: dict[str, int] = {}
    for node_id in node_ids:
        numbers.setdefault(root(node_id), len(numbers))
    return {node_id: numbers[root(node_id)] for node_id in node_ids}


def layout_flow(diagram: FlowDiagram) -> Layout:
    """Place boxes by rank (along the flow) and by component and order (across it), then route the edges."""
    horizontal = diagram.direction == "LR"
    node_ids = list(diagram.labels)
    ranks, back = rank_nodes(node_ids, diagram.edges)
    component_of = components(node_ids, diagram.edges)
    columns: dict[tuple[int, int], list[Slot]] = {}
    boxes = {node_id: _make_box(node_id, diagram.labels[node_id], ranks[node_id], horizontal) for node_id in node_ids}
    for node_id in node_ids:
        columns.setdefault((component_of[node_id], ranks[node_id]), []).append(boxes[node_id].slot)
    routes = [_make_route(edge, index in back) for index, edge in enumerate(diagram.edges)]
    for route in routes:
        _add_waypoints(route, ranks, columns, component_of[route.start], horizontal)
    _order_waypoints(columns, routes, boxes)
    _place_across(columns, routes, component_of, horizontal)
    _assign_ports(boxes, routes)
    band_starts, band_sizes = _place_ranks(columns, routes, boxes, horizontal)
    for route in routes:
        _trace(route, boxes, band_starts, band_sizes)
    return Layout(boxes, routes, horizontal)


def _make_box(node_id: str, label: str, rank: int, horizontal: bool) -> Box:
    lines = wrap_text(label, NODE_TEXT_WIDTH)
    width = max(MIN_NODE_WIDTH, max(text_width(line) for line in lines) + 2 * NODE_PADDING[0])
    height = len(lines) * LINE_HEIGHT + 2 * NODE_PADDING[1]
    slot = Slot(rank, width, height) if horizontal else Slot(rank, height, width)
    return Box(node_id, lines, width, height, slot)


def _make_route(edge: Edge, is_back: bool) -> Route:
    start, end = (edge.target, edge.source) if is_back else (edge.source, edge.target)
    lines = wrap_text(edge.label, EDGE_TEXT_WIDTH, EDGE_FONT_SIZE) if edge.label else []
    return Route(edge, start, end, is_back, lines)


def label_size(route: Route) -> tuple[float, float]:
    if not route.label_lines:
        return 0.0, 0.0
    width = max(text_width(line, EDGE_FONT_SIZE) for line in route.label_lines)
    return width + 2 * LABEL_PADDING[0], len(route.label_lines) * EDGE_LINE_HEIGHT + 2 * LABEL_PADDING[1]


def _add_waypoints(
    route: Route, ranks: dict[str, int], columns: dict[tuple[int, int], list[Slot]], component: int, horizontal: bool
) -> None:
    """An edge spanning several ranks takes a slot in each rank it crosses, so it runs between the nodes;
    its label, if any, gets the middle slot's room."""
    for rank in range(ranks[route.start] + 1, ranks[route.end]):
        waypoint = Slot(rank, 0.0, WAYPOINT_SIZE, waypoint=True)
        columns.setdefault((component, rank), []).append(waypoint)
        route.waypoints.append(waypoint)
    if route.waypoints and route.label_lines:
        middle = route.waypoints[len(route.waypoints) // 2]
        width, height = label_size(route)
        middle.main_size, middle.cross_size = (width, height) if horizontal else (height, width)


def _order_waypoints(columns: dict[tuple[int, int], list[Slot]], routes: list[Route], boxes: dict[str, Box]) -> None:
    """Nodes keep their order of first appearance; an edge passing through a rank is slotted in before the
    first node whose neighbours in the rank above sit further along (barycentres), so it crosses fewer edges."""
    above: dict[Slot, list[Slot]] = {}
    for route in routes:
        chain = [boxes[route.start].slot, *route.waypoints, boxes[route.end].slot]
        for upper, lower in itertools.pairwise(chain):
            above.setdefault(lower, []).append(upper)
    for component, rank in sorted(columns, key=lambda key: key[1]):
        position = {slot: index for index, slot in enumerate(columns.get((component, rank - 1), []))}
        centre = {slot: _barycentre(above.get(slot, []), position) for slot in columns[(component, rank)]}
        ordered = [slot for slot in columns[(component, rank)] if not slot.waypoint]
        for waypoint in (slot for slot in columns[(component, rank)] if slot.waypoint):
            further = (i for i, slot in enumerate(ordered) if not slot.waypoint and centre[slot] > centre[waypoint])
            ordered.insert(next(further, len(ordered)), waypoint)
        columns[(component, rank)] = ordered


def _barycentre(uppers: list[Slot], position: dict[Slot, int]) -> float:
    seen = [position[upper] for upper in uppers if upper in position]
    return sum(seen) / len(seen) if seen else float("inf")


def _place_ranks(
    columns: dict[tuple[int, int], list[Slot]], routes: list[Route], boxes: dict[str, Box], horizontal: bool
) -> tuple[list[float], list[float]]:
    """Lay the ranks out along the flow, each gap wide enough for the labels in it: (band starts, sizes)."""
    sizes = [0.0] * (max(rank for _, rank in columns) + 1)
    for (_, rank), slots in columns.items():
        sizes[rank] = max([sizes[rank], *(slot.main_size for slot in slots)])
    in_gap: list[list[Route]] = [[] for _ in sizes]
    for route in routes:
        if route.label_lines and not route.waypoints:
            in_gap[boxes[route.start].slot.rank].append(route)
    starts: list[float] = []
    position = float(MARGIN)
    for rank, size in enumerate(sizes):
        starts.append(position)
        position += size + _fit_gap_labels(in_gap[rank], sizes, boxes, horizontal)
    for (_, rank), slots in columns.items():
        for slot in slots:
            slot.main = starts[rank] + sizes[rank] / 2
    return starts, sizes


def _fit_gap_labels(labelled: list[Route], sizes: list[float], boxes: dict[str, Box], horizontal: bool) -> float:
    """The size of a gap holding these one-rank edges' labels: the labels that would overlap go into
    lanes one after another along the flow. Sets each route's label_offset into the gap."""
    if not labelled:
        return float(RANK_GAP)
    lane = max(label_size(route)[0 if horizontal else 1] for route in labelled) + LANE_SPACING
    lanes = 1
    while True:  # ends: with one lane per label every label finds a free lane
        gap = max(RANK_GAP, lanes * lane - LANE_SPACING + 2 * LABEL_CLEARANCE)
        if _assign_lanes(labelled, lanes, lane, gap, sizes, boxes, horizontal):
            return gap
        lanes += 1


def _assign_lanes(
    labelled: list[Route],
    lanes: int,
    lane: float,
    gap: float,
    sizes: list[float],
    boxes: dict[str, Box],
    horizontal: bool,
) -> bool:
    first = (gap - lanes * lane + LANE_SPACING) / 2
    taken: list[list[tuple[float, float]]] = [[] for _ in range(lanes)]
    for route in sorted(labelled, key=lambda route: route.start_cross + route.end_cross):
        half = label_size(route)[1 if horizontal else 0] / 2 + LANE_SPACING / 2
        for number, spans in enumerate(taken):
            offset = first + number * lane + (lane - LANE_SPACING) / 2
            cross = _cross_at(route, offset, gap, sizes, boxes)
            if all(cross + half <= low or cross - half >= high for low, high in spans):
                spans.append((cross - half, cross + half))
                route.label_offset = offset
                break
        else:
            return False
    return True


def _cross_at(route: Route, offset: float, gap: float, sizes: list[float], boxes: dict[str, Box]) -> float:
    """Where a one-rank edge is, across the flow, `offset` into the gap it crosses."""
    start, end = boxes[route.start].slot, boxes[route.end].slot
    before = (sizes[start.rank] - start.main_size) / 2  # the start box's side is this far inside its band
    after = (sizes[end.rank] - end.main_size) / 2
    along = (before + offset) / (before + gap + after)
    return route.start_cross + along * (route.end_cross - route.start_cross)


def _place_across(
    columns: dict[tuple[int, int], list[Slot]], routes: list[Route], component_of: dict[str, int], horizontal: bool
) -> None:
    """Components side by side across the flow; each rank's slots centred in its component's band."""
    extents: dict[int, float] = {}
    for (component, _), slots in columns.items():
        extents[component] = max(extents.get(component, 0.0), _stack_size(slots))
    for route in routes:
        across = 0.0 if route.waypoints else label_size(route)[1 if horizontal else 0]
        extents[component_of[route.start]] = max(extents[component_of[route.start]], across)
    band_starts: dict[int, float] = {}
    position = float(MARGIN)
    for component in sorted(extents):
        band_starts[component] = position
        position += extents[component] + COMPONENT_GAP
    for (component, _), slots in columns.items():
        cursor = band_starts[component] + (extents[component] - _stack_size(slots)) / 2
        for slot in slots:
            slot.cross = cursor + slot.cross_size / 2
            cursor += slot.cross_size + NODE_GAP


def _stack_size(slots: list[Slot]) -> float:
    return sum(slot.cross_size for slot in slots) + NODE_GAP * (len(slots) - 1)


def _assign_ports(boxes: dict[str, Box], routes: list[Route]) -> None:
    """Where several edges leave (or enter) one side of a box, space their ends evenly along that side,
    in the order of where they go (or come from), so they do not cross at the box."""
    sides: dict[tuple[str, str], list[tuple[float, int, Route]]] = {}
    for number, route in enumerate(routes):
        towards = route.waypoints[0] if route.waypoints else boxes[route.end].slot
        from_ = route.waypoints[-1] if route.waypoints else boxes[route.start].slot
        sides.setdefault((route.start, "out"), []).append((towards.cross, number, route))
        sides.setdefault((route.end, "in"), []).append((from_.cross, number, route))
    for (node_id, side), ends in sides.items():
        slot = boxes[node_id].slot
        ends.sort(key=lambda end: end[:2])
        for position, (_, _, route) in enumerate(ends):
            cross = slot.cross - slot.cross_size / 2 + slot.cross_size * (position + 1) / (len(ends) + 1)
            if side == "out":
                route.start_cross = cross
            else:
                route.end_cross = cross


def _trace(route: Route, boxes: dict[str, Box], band_starts: list[float], band_sizes: list[float]) -> None:
    """Points from the start box's far side, across each waypoint's rank, to the end box's near side;
    and the label's place: in its waypoint slot on a long edge, else `label_offset` into the gap."""
    start, end = boxes[route.start].slot, boxes[route.end].slot
    points = [(start.main + start.main_size / 2, route.start_cross)]
    for waypoint in route.waypoints:
        band_end = band_starts[waypoint.rank] + band_sizes[waypoint.rank]
        points += [(band_starts[waypoint.rank], waypoint.cross), (band_end, waypoint.cross)]
    points.append((end.main - end.main_size / 2, route.end_cross))
    route.points = points
    if route.waypoints:
        middle = route.waypoints[len(route.waypoints) // 2]
        route.label_at = (middle.main, middle.cross)
    else:
        label_main = band_starts[start.rank] + band_sizes[start.rank] + route.label_offset
        (main_a, cross_a), (main_b, cross_b) = points
        route.label_at = (label_main, cross_a + (label_main - main_a) / (main_b - main_a) * (cross_b - cross_a))
