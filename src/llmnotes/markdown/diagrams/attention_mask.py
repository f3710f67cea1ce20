"""Render ```attention-mask fences to self-attention mask grids (one inline SVG per panel) at build time."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .svg import (
    BASELINE_SHIFT_EM,
    Problem,
    diagram_id,
    element,
    escape,
    fence_lines,
    install_fence,
    report_problems,
    strip_comment,
    svg_root,
    text_width,
)

CELL = 22
AXIS_FONT_SIZE = 11
AXIS_GAP = 4  # between the axis labels and the grid
MARGIN = 4
MAX_TOKENS = 16
SWATCH = 12
KINDS = ("bidirectional", "left-to-right", "right-to-left", "seq2seq")
RULES = {
    "bidirectional": "每个位置都可以注意全部位置。",
    "left-to-right": "位置 i 只能注意自己和左边的位置（j ≤ i）。",
    "right-to-left": "位置 i 只能注意自己和右边的位置（j ≥ i）。",
    "seq2seq": "源序列 S 内部互相可见、看不到目标序列；目标序列 T 可以注意全部源序列，以及自己和左边的目标位置。",
}
CAPTION_RE = re.compile(r"caption\s*[:：]\s*(.*)", re.IGNORECASE)
SIZE_RE = re.compile(r"(\d+)(?:\+(\d+))?")


@dataclass(frozen=True)
class Panel:
    kind: str
    source: int  # tokens in the first segment (all tokens unless seq2seq)
    target: int  # tokens in the second segment (seq2seq only, else 0)
    title: str

    @property
    def size(self) -> int:
        return self.source + self.target


@dataclass
class MaskFigure:
    caption: str
    panels: list[Panel]


def may_attend(panel: Panel, query: int, key: int) -> bool:
    """Whether query position `query` (row) may attend key position `key` (column); both 0-based."""
    if panel.kind == "left-to-right":
        return key <= query
    if panel.kind == "right-to-left":
        return key >= query
    if panel.kind == "seq2seq":
        in_source = panel.source
        return key < in_source or (query >= in_source and key <= query)
    return True


def token_labels(panel: Panel) -> list[str]:
    if panel.kind == "seq2seq":
        return [f"S{n}" for n in range(1, panel.source + 1)] + [f"T{n}" for n in range(1, panel.target + 1)]
    return [f"x{n}" for n in range(1, panel.size + 1)]


# ---- parsing ------------------------------------------------------------------------------------------


def parse_masks(lines: list[str]) -> tuple[MaskFigure, list[Problem]]:
    """Read `caption: …` and `<kind> <size> <title>` lines; problems carry their line's index."""
    figure = MaskFigure("", [])
    problems: list[Problem] = []
    caption_seen = False
    for index, raw in enumerate(lines):
        statement = strip_comment(raw)
        if not statement:
            continue
        caption = CAPTION_RE.fullmatch(statement)
        if caption:
            message = _caption_problem(caption.group(1).strip(), caption_seen)
            figure.caption = figure.caption or caption.group(1).strip()
            caption_seen = True
        else:
            panel, message = parse_panel(statement)
            figure.panels += [panel] if panel else []
        if message is not None:
            problems.append((index, message))
    if not caption_seen:
        problems.append((-1, "the figure has no caption: add a line `caption: <text>` (it becomes the figcaption)"))
    if not figure.panels and not problems:
        problems.append((-1, "no panels: add lines like `left-to-right 5 单向语言模型`"))
    return figure, problems


def _caption_problem(caption: str, caption_seen: bool) -> str | None:
    if caption_seen:
        return "a second caption: the figure has one caption, keep one"
    return None if caption else "the caption is empty: write `caption: <text>`"


def parse_panel(statement: str) -> tuple[Panel | None, str | None]:
    """`<kind> <size> <title>`: kind from KINDS, size `n` (or `source+target` for seq2seq); title optional."""
    words = statement.split(maxsplit=2)
    kind = words[0].lower()
    if kind not in KINDS:
        return None, f"unknown panel {statement!r}: write `<kind> <size> <title>`, kind one of {', '.join(KINDS)}"
    if len(words) < 2:
        return None, f"{kind} needs a size: write `{kind} {'2+3' if kind == 'seq2seq' else '5'} <title>`"
    size = SIZE_RE.fullmatch(unicodedata.normalize("NFKC", words[1]))
    message = _size_problem(kind, words[1], size)
    if message is not None or size is None:
        return None, message
    title = words[2].strip() if len(words) > 2 else f"{kind} {words[1]}"
    return Panel(kind, int(size.group(1)), int(size.group(2) or 0), title), None


def _size_problem(kind: str, written: str, size: re.Match[str] | None) -> str | None:
    if kind == "seq2seq" and (size is None or size.group(2) is None):
        return f"bad size {written!r} for seq2seq: write source+target token counts, e.g. `seq2seq 2+3 <title>`"
    if kind != "seq2seq" and (size is None or size.group(2) is not None):
        return f"bad size {written!r} for {kind}: write a whole number of tokens, e.g. `{kind} 5 <title>`"
    counts = [int(group) for group in size.groups() if group is not None] if size else []
    if any(count < 1 for count in counts) or sum(counts) > MAX_TOKENS:
        return f"bad size {written!r}: each segment needs at least 1 token and at most {MAX_TOKENS} in all"
    return None


# ---- drawing ------------------------------------------------------------------------------------------


def render_masks(figure: MaskFigure, prefix: str, legend: tuple[str, str, str]) -> str:
    panels = "\n".join(
        _panel_html(panel, f"{prefix}-{number}", figure.caption) for number, panel in enumerate(figure.panels, 1)
    )
    return (
        '<figure class="diagram diagram-mask">\n'
        f'<div class="mask-panels">\n{panels}\n</div>\n'
        f"{_legend_html(*legend)}\n"
        f"<figcaption>{escape(figure.caption)}</figcaption>\n"
        "</figure>\n"
    )


def _panel_html(panel: Panel, panel_id: str, caption: str) -> str:
    svg = panel_svg(panel, panel_id, caption)
    return f'<div class="mask-panel">{svg}<p class="mask-title">{escape(panel.title)}</p></div>'


def panel_svg(panel: Panel, panel_id: str, caption: str) -> str:
    """The grid: key tokens across the top, query tokens down the left, one cell per (query, key)."""
    labels = token_labels(panel)
    left = MARGIN + max(text_width(label, AXIS_FONT_SIZE) for label in labels) + AXIS_GAP
    top = MARGIN + AXIS_FONT_SIZE + AXIS_GAP
    side = panel.size * CELL
    shapes = [_axis_labels(labels, left, top), _cells(panel, left, top)]
    if panel.kind == "seq2seq":
        shapes.append(_segment_separator(panel.source, left, top, side))
    title = f"{caption}：{panel.title}"
    bounds = (0.0, 0.0, left + side + MARGIN, top + side + MARGIN)
    return svg_root(panel_id, bounds, title, RULES[panel.kind], "".join(shapes))


def _axis_labels(labels: list[str], left: float, top: float) -> str:
    baseline = BASELINE_SHIFT_EM * AXIS_FONT_SIZE
    columns = [(left + (n + 0.5) * CELL, top - AXIS_GAP, "middle", label) for n, label in enumerate(labels)]
    rows = [(left - AXIS_GAP, top + (n + 0.5) * CELL + baseline, "end", label) for n, label in enumerate(labels)]
    texts = "".join(
        element("text", {"x": x, "y": y, "text-anchor": anchor, "font-size": AXIS_FONT_SIZE}, escape(label))
        for x, y, anchor, label in columns + rows
    )
    return element("g", {"class": "mask-axis"}, texts)


def _cells(panel: Panel, left: float, top: float) -> str:
    cells = "".join(
        element(
            "rect",
            {
                "class": "cell-on" if may_attend(panel, query, key) else "cell-off",
                "x": left + key * CELL,
                "y": top + query * CELL,
                "width": CELL,
                "height": CELL,
            },
        )
        for query in range(panel.size)
        for key in range(panel.size)
    )
    return element("g", {"class": "mask-cells"}, cells)


def _segment_separator(source: int, left: float, top: float, side: float) -> str:
    """Lines between the source and target segments, across both axes."""
    at_x, at_y = left + source * CELL, top + source * CELL
    vertical = element("line", {"x1": at_x, "y1": top - AXIS_GAP, "x2": at_x, "y2": top + side})
    horizontal = element("line", {"x1": left - AXIS_GAP, "y1": at_y, "x2": left + side, "y2": at_y})
    return element("g", {"class": "segment-separator"}, vertical + horizontal)


def _legend_html(allowed: str, masked: str, axes: str) -> str:
    def swatch(css_class: str) -> str:
        square = element("rect", {"class": css_class, "x": 0.5, "y": 0.5, "width": SWATCH - 1, "height": SWATCH - 1})
        size = {"width": SWATCH, "height": SWATCH, "viewBox": f"0 0 {SWATCH} {SWATCH}"}
        return element("svg", {"class": "swatch", **size, "aria-hidden": "true"}, square)

    items = [
        f'<span class="legend-item">{swatch("cell-on")}{escape(allowed)}</span>',
        f'<span class="legend-item">{swatch("cell-off")}{escape(masked)}</span>',
        f'<span class="legend-item legend-axes">{escape(axes)}</span>',
    ]
    return f'<p class="diagram-legend">{"".join(items)}</p>'


# ---- the plugin ---------------------------------------------------------------------------------------


def plugin(
    md: MarkdownIt,
    allowed_label: str = "可以注意",
    masked_label: str = "被屏蔽",
    axes_label: str = "行：query 位置 · 列：key 位置",
) -> None:
    """Draw ```attention-mask fences as grids; other fences go to the fence rule installed before this one."""
    legend = (allowed_label, masked_label, axes_label)

    def render_fence(token: Token, env: MutableMapping[str, Any]) -> str:
        figure, problems = parse_masks(fence_lines(token))
        if problems:
            return report_problems(env, token, "attention-mask", problems)
        return render_masks(figure, diagram_id(env, "mask", token.content), legend)

    install_fence(md, "attention-mask", render_fence)
