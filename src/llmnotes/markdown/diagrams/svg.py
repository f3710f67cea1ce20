"""Shared building blocks of the diagram fences: text measuring and wrapping, markup, ids, problems, chaining."""

from __future__ import annotations

import hashlib
import html
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

FONT_SIZE = 14
NARROW_EM = 0.6
BASELINE_SHIFT_EM = 0.36  # from the middle of a line box down to the baseline
# "A" (ambiguous: ①, ※, “”, Greek…) is drawn wide by the CJK fonts a Chinese page falls back to;
# over-estimating only adds padding, under-estimating would let text overflow its box.
WIDE_CLASSES = frozenset({"W", "F", "A"})
NO_LINE_START = frozenset("，。、；：！？）》」』】〉”’…,.;:!?)]}%")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\ufeff")

Problem = tuple[int, str]
"""(index of the line inside the fence, or -1 for the opening fence line; what is wrong and how to fix it)."""

BlockRenderer = Callable[[Token, MutableMapping[str, Any]], str]


# ---- text ---------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape &, <, >, " and ' for element text and attribute values."""
    return html.escape(text, quote=True)


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in WIDE_CLASSES


def char_width(char: str, font_size: float = FONT_SIZE) -> float:
    if char in ZERO_WIDTH or unicodedata.combining(char):
        return 0.0
    return font_size if is_wide(char) else font_size * NARROW_EM


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """Estimated rendered width in px: wide (CJK) characters 1em, the others 0.6em."""
    return sum(char_widths(text, font_size))


def char_widths(text: str, font_size: float = FONT_SIZE) -> list[float]:
    """Each character's `char_width`, measured once per character and size."""
    widths = _widths.get(font_size)
    if widths is None:
        widths = _widths[font_size] = {}
    try:
        return list(map(widths.__getitem__, text))
    except KeyError:  # a character not measured yet at this size: measure the text's new ones, then look again
        widths.update((char, char_width(char, font_size)) for char in set(text) if char not in widths)
        return list(map(widths.__getitem__, text))


_widths: dict[float, dict[str, float]] = {}  # font size -> character -> its width: the lineage measures 20,000 titles


def wrap_text(text: str, max_width: float, font_size: float = FONT_SIZE) -> list[str]:
    """Break text into lines no wider than max_width (a newline forces a break); lines are balanced."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_balanced_lines(" ".join(paragraph.split()), max_width, font_size))
    return lines


def _balanced_lines(paragraph: str, max_width: float, font_size: float) -> list[str]:
    """The fewest lines greedy wrapping needs, then the narrowest width that still gives that many."""
    lines = _greedy_lines(paragraph, max_width, font_size)
    narrowest = max((text_width(unit, font_size) for unit in _break_units(paragraph)), default=0.0)
    width = max_width
    while len(lines) > 1 and width - font_size / 2 >= narrowest:
        narrower = _greedy_lines(paragraph, width - font_size / 2, font_size)
        if len(narrower) > len(lines):
            break
        lines, width = narrower, width - font_size / 2
    return lines


def _greedy_lines(paragraph: str, max_width: float, font_size: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for unit in _fitting_units(paragraph, max_width, font_size):
        if unit == " ":
            current += " " if current else ""
            continue
        too_wide = text_width(current + unit, font_size) > max_width
        if current.strip() and too_wide and unit[0] not in NO_LINE_START:
            lines.append(current.rstrip())
            current = ""
        current += unit
    return [*lines, current.rstrip()] if current.strip() or not lines else lines


def _break_units(text: str) -> list[str]:
    """Words of narrow characters, single spaces and single wide characters: where a line may break."""
    units: list[str] = []
    word = ""
    for char in text:
        if char == " " or is_wide(char):
            units.extend([word, char] if word else [char])
            word = ""
        else:
            word += char
    return [*units, word] if word else units


def _fitting_units(text: str, max_width: float, font_size: float) -> list[str]:
    """Break units, with any word wider than a whole line cut into pieces that fit."""
    units: list[str] = []
    for unit in _break_units(text):
        piece = ""
        for char in unit:
            if piece and text_width(piece + char, font_size) > max_width:
                units.append(piece)
                piece = ""
            piece += char
        units.append(piece)
    return units


# ---- markup -------------------------------------------------------------------------------------------


def num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros: stable output for the same input."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def element(name: str, attrs: Mapping[str, object], content: str | None = None) -> str:
    """`<name a="v">content</name>` (self-closed without content); attribute values are escaped."""
    rendered = "".join(f' {key}="{_attribute(value)}"' for key, value in attrs.items() if value is not None)
    return f"<{name}{rendered}/>" if content is None else f"<{name}{rendered}>{content}</{name}>"


def _attribute(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return num(value)
    return escape(str(value))


def text_lines(
    lines: Sequence[str], center: tuple[float, float], line_height: float, font_size: float, css_class: str
) -> str:
    """A centred multi-line `<text>`: one `<tspan>` per line, the block vertically centred on `center`."""
    x, y = center
    top = y - line_height * len(lines) / 2
    spans = "".join(
        element("tspan", {"x": x, "y": top + line_height * (row + 0.5) + BASELINE_SHIFT_EM * font_size}, escape(line))
        for row, line in enumerate(lines)
    )
    return element("text", {"class": css_class, "text-anchor": "middle", "font-size": font_size}, spans)


def svg_root(prefix: str, bounds: tuple[float, float, float, float], title: str, description: str, content: str) -> str:
    """An accessible `<svg role="img">` titled by its own `<title>`; bounds = (x, y, width, height) drawn."""
    left, top, width, height = bounds
    attrs = {
        "xmlns": "http://www.w3.org/2000/svg",
        "class": "diagram-svg",
        "viewBox": f"{num(left)} {num(top)} {num(width)} {num(height)}",
        "width": width,
        "height": height,
        "font-size": FONT_SIZE,
        "role": "img",
        "aria-labelledby": f"{prefix}-title",
        "aria-describedby": f"{prefix}-desc" if description else None,
    }
    heading = element("title", {"id": f"{prefix}-title"}, escape(title))
    if description:
        heading += element("desc", {"id": f"{prefix}-desc"}, escape(description))
    return element("svg", attrs, heading + content)


def diagram_id(env: MutableMapping[str, Any] | None, kind: str, source: str) -> str:
    """`kind-<sha1[:8] of the source>`, with `-2`, `-3`… for repeats of the same source on one page."""
    digest = hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    base = f"{kind}-{digest}"
    seen: dict[str, int] = env.setdefault("diagram_ids", {}) if env is not None else {}
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


# ---- fence source -------------------------------------------------------------------------------------


def fence_lines(token: Token) -> list[str]:
    """The lines inside the fence; index i is source line token.map[0] + 1 + i."""
    return token.content.split("\n")[:-1] if token.content.endswith("\n") else token.content.split("\n")


def strip_comment(line: str) -> str:
    """Drop a `# comment` (at the line start or after a space, outside [...] and |...|); `\\#` is a `#`."""
    depth = 0
    in_pipes = False
    kept = ""
    for position, char in enumerate(line):
        if char == "#" and line[position - 1 : position] == "\\":
            kept = kept[:-1] + "#"
            continue
        if char == "#" and depth == 0 and not in_pipes and (position == 0 or line[position - 1].isspace()):
            break
        depth += (char == "[") - (char == "]" and depth > 0)
        in_pipes = in_pipes != (char == "|" and depth == 0)
        kept += char
    return kept.strip()


def info_word(info: str) -> str:
    words = unescapeAll(info).split(maxsplit=1)
    return words[0] if words else ""


# ---- problems and chaining ----------------------------------------------------------------------------


def report_problems(env: MutableMapping[str, Any] | None, token: Token, kind: str, problems: Sequence[Problem]) -> str:
    """Record each problem in env["problems"] with its 0-based source line; return a visible error figure."""
    first_line = token.map[0] if token.map else 0
    if env is not None:
        recorded = env.setdefault("problems", [])
        for index, message in problems:
            recorded.append({"line": first_line + 1 + index, "message": f"```{kind} block: {message}"})
    return error_figure(kind, fence_lines(token), problems)


def error_figure(kind: str, lines: Sequence[str], problems: Sequence[Problem]) -> str:
    bad = {index for index, _ in problems}
    source = "".join(
        element("mark", {}, escape(line)) + "\n" if index in bad else escape(line) + "\n"
        for index, line in enumerate(lines)
    )
    items = "".join(element("li", {}, escape(message)) for _, message in problems)
    return (
        '<figure class="diagram diagram-error">\n'
        f"<figcaption>This ```{escape(kind)} diagram could not be drawn:</figcaption>\n"
        f'<ul class="diagram-problems">{items}</ul>\n'
        f'<pre class="diagram-source"><code>{source}</code></pre>\n'
        "</figure>\n"
    )


def install_fence(md: MarkdownIt, word: str, render_block: BlockRenderer) -> None:
    """Render fences whose info string starts with `word`; hand every other fence to the rule before us."""
    previous = md.renderer.rules.get("fence") if isinstance(md.renderer, RendererHTML) else None

    def fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if info_word(tokens[idx].info) == word:
            return _render_safely(render_block, tokens[idx], env, word)
        if previous is None:
            return str(self.renderToken(tokens, idx, options, env))
        return str(previous(tokens, idx, options, env))

    md.add_render_rule("fence", fence)


def _render_safely(render_block: BlockRenderer, token: Token, env: Any, word: str) -> str:
    """A bug in a diagram plugin becomes a reported problem on the fence, not a crashed build."""
    try:
        return render_block(token, env)
    except Exception as error:  # the safety net: every expected mistake is reported by the parser
        message = f"could not draw this diagram ({type(error).__name__}: {error}); please report this as a bug"
        return report_problems(env, token, word, [(-1, message)])
