"""The lineage drawn as one SVG: notes in columns by year, edges routed through lanes, titles fitted to boxes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from ..markdown.diagrams.svg import char_width, char_widths, text_width  # one estimate of text width for every SVG
from ..model import Lineage, Note
from .lineage import chronological

# Drawing sizes, in SVG user units (CSS pixels at 1:1).
NODE_HEIGHT = 34
ROW_GAP = 18
LANE_GAP = 12  # between a lane (an edge crossing a column) and its neighbours
COLUMN_GAP = 56
MIN_NODE_WIDTH = 84
MAX_NODE_WIDTH = 184
HEADER = 40
PADDING = 12
SWEEPS = 4


def fit(text: str, width: float) -> str:
    """The text, or its longest prefix that fits with "…" after it."""
    widths = char_widths(text)
    if sum(widths) <= width:
        return text
    room = width - char_width("…")
    used = 0.0
    for end, advance in enumerate(widths):
        used += advance
        if used > room:
            return text[:end].rstrip() + "…"
    return text.rstrip() + "…"


def columns_of(notes: Sequence[Note], lineage: Lineage) -> list[tuple[int | None, list[Note]]]:
    """Years left to right; a year with papers building on each other the same year gets sub-columns."""
    by_slug = {n.slug: n for n in notes}
    depth: dict[str, int] = {}
    for note in notes:  # depth = longest chain of same-year parents, found without recursion
        stack = [note.slug]
        while stack:
            slug = stack[-1]
            same_year = [p for p in lineage.parents.get(slug, ()) if by_slug[p].year == by_slug[slug].year]
            waiting = [p for p in same_year if p not in depth]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            depth[slug] = 1 + max((depth[p] for p in same_year), default=-1)

    groups: dict[tuple[bool, int, int], list[Note]] = {}
    for note in sorted(notes, key=chronological):
        groups.setdefault((note.year is None, note.year or 0, depth[note.slug]), []).append(note)
    return [(members[0].year, members) for _, members in sorted(groups.items())]


@dataclass(frozen=True, slots=True)
class Layered:
    """The graph in columns: notes and lanes (`parent>column`, one per parent and column an edge passes)."""

    columns: list[list[str]]
    centres: dict[str, int]  # vertical centre of each note and lane, from 0 at the top of the first box
    column_of: dict[str, int]
    up: dict[str, dict[str, None]]  # item -> the items in the column before that lead to it
    down: dict[str, dict[str, None]]

    def ports(self, item: str) -> dict[str, int]:
        """Where each arrow meets a note's left side: spread over it, in the order of the other ends' heights."""
        others = sorted(self.up.get(item, ()), key=lambda o: (self.centres[o], o))
        if len(others) < 2 or ">" in item:
            return {other: 0 for other in others}
        step = min(8.0, (NODE_HEIGHT - 14) / (len(others) - 1))
        return {other: round((i - (len(others) - 1) / 2) * step) for i, other in enumerate(others)}


def lane(parent: str, column: int) -> str:
    return f"{parent}>{column}"  # `>` never occurs in a slug


def layout(
    notes: Sequence[Note],
    lineage: Lineage,
    groups: list[tuple[int | None, list[Note]]] | None = None,
    ordered: list[Note] | None = None,
) -> Layered:
    """Sugiyama-style: long edges get lanes in the columns they cross, barycentre sweeps order each column, and
    item sits level with its predecessors when it can, else just below the item above it. `groups` and `ordered`,
    when the caller has them: `columns_of` the notes, and the notes sorted `chronological`ly."""
    by_slug = {n.slug: n for n in notes}
    groups = groups or columns_of(notes, lineage)
    columns = [[n.slug for n in members] for _, members in groups]
    column_of = {slug: index for index, column in enumerate(columns) for slug in column}
    up: dict[str, dict[str, None]] = {}
    down: dict[str, dict[str, None]] = {}

    def link(a: str, b: str) -> None:
        down.setdefault(a, {})[b] = None
        up.setdefault(b, {})[a] = None

    for note in ordered or sorted(notes, key=chronological):
        for parent in lineage.parents.get(note.slug, ()):
            first, last = column_of[parent], column_of[note.slug]
            previous = parent
            for index in range(first + 1, last):
                name = lane(parent, index)
                if name not in column_of:
                    column_of[name] = index
                    columns[index].append(name)
                link(previous, name)
                previous = name
            if last > first:
                link(previous, note.slug)
    position = {item: index for column in columns for index, item in enumerate(column)}
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        neighbours = up if forward else down
        for column in columns if forward else columns[::-1]:
            column.sort(
                key=lambda item: (_mean(list(neighbours.get(item, ())), position, position[item]), position[item])
            )
            for index, item in enumerate(column):
                position[item] = index
    centres: dict[str, float] = {}
    for column in columns:
        bottom = -float("inf")  # lower edge of the item above, plus its kind
        previous_lane = False
        for item in column:
            is_lane = item not in by_slug
            half = 0 if is_lane else NODE_HEIGHT / 2
            gap = (LANE_GAP if is_lane or previous_lane else ROW_GAP) if bottom > -float("inf") else 0
            lowest = bottom + gap + half if bottom > -float("inf") else half
            wanted = _mean(list(up.get(item, ())), centres, lowest, only_known=True)
            centres[item] = max(lowest, wanted)
            bottom, previous_lane = centres[item] + half, is_lane
    rows = {item: round(centre) for item, centre in centres.items()}
    return Layered(columns, rows, column_of, up, down)


def _mean(
    items: Sequence[str], where: dict[str, float] | dict[str, int], default: float, only_known: bool = False
) -> float:
    values = [where[i] for i in items if i in where]
    if only_known and not values:
        return default
    return sum(values) / len(values) if values else default


def render_svg(
    notes: Sequence[Note],
    lineage: Lineage,
    href: Callable[[str], str],
    title: str,
    year_label: Callable[[int | None], str] = lambda y: str(y) if y else "?",
) -> str:
    """The lineage as inline SVG: years as columns, an arrow from each paper to the papers that build on it."""
    if not notes:
        return ""
    by_slug = {n.slug: n for n in notes}
    groups = columns_of(notes, lineage)
    ordered = sorted(notes, key=chronological)
    layered = layout(notes, lineage, groups, ordered)
    lefts: list[int] = []
    widths: list[int] = []
    spans: list[tuple[int | None, int, int]] = []  # year, x from, x to
    x = PADDING
    for year, members in groups:
        width = int(min(MAX_NODE_WIDTH, max(MIN_NODE_WIDTH, max(text_width(n.label) for n in members) + 24)))
        lefts.append(x)
        widths.append(width)
        if spans and spans[-1][0] == year:
            spans[-1] = (year, spans[-1][1], x + width)
        else:
            spans.append((year, x, x + width))
        x += width + COLUMN_GAP
    total_width = x - COLUMN_GAP + PADDING
    total_height = HEADER + max(layered.centres.values()) + NODE_HEIGHT // 2 + PADDING

    def middle(item: str) -> int:
        return HEADER + layered.centres[item]

    out = [
        f'<svg class="lineage-graph" xmlns="http://www.w3.org/2000/svg" width="{total_width}" '
        f'height="{total_height}" viewBox="0 0 {total_width} {total_height}" aria-labelledby="lineage-svg-title">',
        f'<title id="lineage-svg-title">{escape(title)}</title>',
        '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path class="lineage-arrowhead" d="M0 0L10 5L0 10z"/></marker></defs>',
    ]
    for index, (year, left, right) in enumerate(spans):
        if index % 2 == 1:
            out.append(
                f'<rect class="lineage-band" x="{left - COLUMN_GAP // 2}" y="0" '
                f'width="{right - left + COLUMN_GAP}" height="{total_height}"/>'
            )
        out.append(
            f'<text class="lineage-year" x="{(left + right) // 2}" y="{HEADER - 16}" '
            f'text-anchor="middle">{escape(year_label(year))}</text>'
        )
    ports = {n.slug: layered.ports(n.slug) for n in notes}
    for child in ordered:
        for parent in lineage.parents.get(child.slug, ()):
            first, last = layered.column_of[parent], layered.column_of[child.slug]
            if last > first:
                before = lane(parent, last - 1) if last > first + 1 else parent
                start = (lefts[first] + widths[first], middle(parent))
                through = [(lefts[c], lefts[c] + widths[c], middle(lane(parent, c))) for c in range(first + 1, last)]
                path = _path(start, through, (lefts[last], middle(child.slug) + ports[child.slug][before]))
            else:  # builds on a paper drawn to its right: leave and enter from the facing sides
                start = (lefts[first], middle(parent))
                end = (lefts[last] + widths[last], middle(child.slug))
                path = f"M{start[0]} {start[1]}C{start[0] - 30} {start[1]} {end[0] + 30} {end[1]} {end[0] + 1} {end[1]}"
            out.append(
                f'<path class="lineage-edge" data-from="{escape(parent)}" data-to="{escape(child.slug)}" '
                f'd="{path}" marker-end="url(#lineage-arrow)"><title>{escape(by_slug[parent].label)} → '
                f"{escape(child.label)}</title></path>"
            )
    for note in ordered:
        column = layered.column_of[note.slug]
        left, width, top = lefts[column], widths[column], middle(note.slug) - NODE_HEIGHT // 2
        tooltip = " · ".join(str(p) for p in (note.title, note.venue or note.year) if p)
        out.append(
            f'<a id="lineage-{escape(note.slug)}" class="lineage-node" href="{escape(href(note.slug))}">'
            f"<title>{escape(tooltip)}</title>"
            f'<rect x="{left}" y="{top}" width="{width}" height="{NODE_HEIGHT}" rx="7"/>'
            f'<text x="{left + width // 2}" y="{top + NODE_HEIGHT // 2 + 5}" text-anchor="middle">'
            f"{escape(fit(note.label, width - 16))}</text></a>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _path(start: tuple[int, int], through: list[tuple[int, int, int]], end: tuple[int, int]) -> str:
    """A smooth path: curves across the gaps between columns, straight along the lanes inside them."""
    x, y = start
    parts = [f"M{x} {y}"]
    for left, right, lane_y in through:
        bend = (left - x) // 2
        parts.append(f"C{x + bend} {y} {left - bend} {lane_y} {left} {lane_y}H{right}")
        x, y = right, lane_y
    bend = (end[0] - x) // 2
    parts.append(f"C{x + bend} {y} {end[0] - bend} {end[1]} {end[0] - 1} {end[1]}")
    return "".join(parts)
