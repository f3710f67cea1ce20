"""Raw HTML in notes: sanitized by an allowlist (nh3), passed through, or escaped; and `markdown` attribute blocks."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, MutableMapping, Sequence
from html.parser import HTMLParser
from typing import Any, Protocol

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

# Raw HTML as rendered, before it is sanitized: RAW_OPEN line SEPARATOR html RAW_CLOSE. The private-use
# characters are removed from notes before parsing, so only the renderer writes them.
RAW_OPEN, SEPARATOR, RAW_CLOSE = "\ue006", "\ue002", "\ue007"
RAW_LINE = "raw_html_line"  # in the meta of the note's own html_block and html_inline tokens
_RAW = re.compile(f"{RAW_OPEN}(\\d+){SEPARATOR}(.*?){RAW_CLOSE}", re.DOTALL)
# Where the Markdown between raw HTML goes while the raw HTML is sanitized as one document.
_SLOT_TAG = "llmnotes-slot"
_SLOT = re.compile(f"<{_SLOT_TAG}>(\\d+)</{_SLOT_TAG}>")
_FORGED_SLOT = re.compile(_SLOT_TAG, re.IGNORECASE)
_LINK_MARK = re.compile(f'<a [^>]*?href="{RAW_OPEN}(\\d+){RAW_CLOSE}"[^>]*>(.*?)</a>', re.DOTALL)

_TABLE = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
_TEXT = {"b", "i", "em", "strong", "u", "del", "ins", "code", "pre", "blockquote", "abbr", "cite", "q", "dfn"}
_TEXT |= {"var", "samp", "kbd", "mark", "small", "sup", "sub", "ruby", "rt", "rp", "wbr", "br", "hr"}
ALLOWED_TAGS = {"div", "span", "p", "center", "details", "summary", "figure", "figcaption", "img", "a"}
ALLOWED_TAGS |= {"ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", *_TABLE, *_TEXT}
_ALIGNED = {"p", "div", "img", "table", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "align"},
    "td": {"colspan", "rowspan", "width", "height", "align"},
    "th": {"colspan", "rowspan", "width", "height", "align"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "table": {"width", "align"},
    "ol": {"start", "type", "reversed"},
    "details": {"open"},
    **{tag: {"align"} for tag in _ALIGNED - {"img", "table", "td", "th"}},
}
URL_SCHEMES = {"http", "https", "mailto"}

# What is removed with a warning, and why.
_SCRIPTS, _EMBEDS = "notes cannot run scripts", "notes cannot embed other pages or plugins"
_FORMS, _STYLES = "notes cannot hold forms", "inline styles are not kept"
_REMOVED = {
    "script": _SCRIPTS,
    "style": "notes cannot restyle the site",
    **dict.fromkeys(("iframe", "frame", "frameset", "object", "embed", "applet"), _EMBEDS),
    **dict.fromkeys(("base", "meta", "link"), "it would change the whole page"),
    **dict.fromkeys(("form", "input", "button", "textarea", "select"), _FORMS),
    "svg": "inline SVG is not kept; save it as an .svg file and show it with ![](file.svg)",
    "math": "raw MathML is not kept; write the formula as $…$",
    **dict.fromkeys(("video", "audio"), "video and audio are not kept; link the file instead"),
}
_VOID = {"embed", "frame", "base", "meta", "link", "input"}
_URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "poster", "background"}
HINT = 'remove it, or set raw_html = "allow" under [tool.llmnotes] in pyproject.toml if you trust every author'

# Tag names HTML knows; `<eos>`, `<think>` or `List<T>` in a sentence are text, not markup to strip, and so is
# `<s>`, which notes on language models mean as the start-of-sequence token (`~~text~~` strikes through).
_HTML_ELEMENT_NAMES = """
    a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption center cite code
    col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer
    form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link
    main map mark math menu meta meter nav noscript object ol optgroup option output p param picture pre progress q
    rp rt ruby samp script search section select slot small source span strike strong style sub summary sup svg
    table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr applet big marquee
"""
HTML_ELEMENTS = set(_HTML_ELEMENT_NAMES.split())
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class LinkTargets(Protocol):
    """What relative URLs in a note's raw HTML become (see `parse`); lines are 0-based in the Markdown source."""

    def link(self, href: str, line: int) -> tuple[str, str] | None:
        """The opening and closing that replace an `<a>` whose href names a note, or None."""

    def url(self, value: str, line: int) -> str | None:
        """The new value of a relative `src` or `href` to a file, or None to keep it."""


def plugin(md: MarkdownIt, policy: str) -> None:
    """`sanitize`: raw HTML is cleaned by the allowlist, a warning for each dangerous thing removed; `allow`: passed
    through; `escape`: shown as text. With either of the first two, `<div markdown>` blocks hold Markdown."""
    md.options["html"] = policy != "escape"
    if policy == "escape":
        return
    md.block.ruler.before(
        "html_block", "markdown_in_html", _markdown_in_html, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    if policy == "sanitize":
        # Right after the parse, before any plugin adds HTML of its own (task lists' checkboxes, callouts' boxes)
        md.core.ruler.after("block", "raw_html_blocks", _mark_blocks)
        md.core.ruler.after("inline", "raw_html_inline", _mark_inline)


class Renderer(RendererHTML):
    """markdown-it's renderer, with raw HTML sanitized: each paragraph's inline tags together, then the blocks of
    the whole note together, so that `<details>` … Markdown … `</details>` stays one element."""

    def html_block(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: MutableMapping) -> str:
        token = tokens[idx]
        if RAW_LINE not in token.meta:
            return token.content
        return f"{RAW_OPEN}{token.meta[RAW_LINE]}{SEPARATOR}{token.content}{RAW_CLOSE}"

    html_inline = html_block

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: MutableMapping) -> str:
        html = super().renderInline(tokens, options, env)
        return sanitize(html, env) if RAW_OPEN in html else html

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: MutableMapping) -> str:
        html = super().render(tokens, options, env)
        return sanitize(html, env) if RAW_OPEN in html else html


def _mark_blocks(state: StateCore) -> None:
    """The note's own HTML blocks, told apart from the HTML plugins make later by their line."""
    for token in state.tokens:
        if token.type == "html_block":
            token.meta[RAW_LINE] = token.map[0] if token.map else 0


def _mark_inline(state: StateCore) -> None:
    """The note's own inline tags, each with its line; a tag HTML does not know is text (`the <eos> token`)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or "<" not in block.content:  # no tag without a `<`
            continue
        line = block.map[0] if block.map else 0
        for child in block.children:
            if child.type == "html_inline":
                name = _TAG_NAME.match(child.content)
                if name and name.group(1).lower() not in HTML_ELEMENTS:
                    child.type = "text"
                else:
                    child.meta[RAW_LINE] = line
            elif child.type in ("softbreak", "hardbreak"):
                line += 1
            line += child.content.count("\n")


def sanitize(html: str, env: MutableMapping[str, Any]) -> str:
    """Rendered HTML whose raw parts (between RAW_OPEN and RAW_CLOSE) are cleaned as one document, the rendered
    Markdown between them kept as it is; what is removed is reported in env["problems"]."""
    pieces = _RAW.split(html)
    trusted, lines, raws = pieces[0::3], pieces[1::3], pieces[2::3]
    skeleton: list[str] = []
    found: dict[tuple[str, str, str], deque[int]] = {}
    problems = env.setdefault("problems", [])
    scan = _Scan()
    for number, segment in enumerate(trusted):
        if segment:
            skeleton.append(f"<{_SLOT_TAG}>{number}</{_SLOT_TAG}>")
        if number < len(raws):
            scan.read(raws[number], int(lines[number]))
            skeleton.append(_FORGED_SLOT.sub("x-slot", raws[number]))
    scan.finish()
    problems.extend(
        {"line": line, "message": message, "severity": "warning", "hint": HINT, "rule": "raw-html"}
        for line, message in scan.removed
    )
    for key, line in scan.urls:
        found.setdefault(key, deque()).append(line)
    targets: LinkTargets | None = env.get("raw_html_targets")
    replacements: list[tuple[str, str]] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id" and value.startswith("llmnotes"):
            return None  # the page's own scripts find their data by these ids
        if targets is None or (tag, attribute) not in (("a", "href"), ("img", "src")):
            return value
        lines_found = found.get((tag, attribute, value))
        line = lines_found.popleft() if lines_found else int(lines[0]) if lines else 0
        if tag == "a":
            replacement = targets.link(value, line)
            if replacement is not None:
                replacements.append(replacement)
                return f"{RAW_OPEN}{len(replacements) - 1}{RAW_CLOSE}"
        rewritten = targets.url(value, line)
        return value if rewritten is None else rewritten

    cleaned = nh3.clean(
        "".join(skeleton),
        tags=ALLOWED_TAGS | {_SLOT_TAG},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=keep,
    )
    if replacements:
        cleaned = _LINK_MARK.sub(lambda m: replacements[int(m[1])][0] + m[2] + replacements[int(m[1])][1], cleaned)
    unused = dict(enumerate(trusted))
    return _SLOT.sub(lambda m: unused.pop(int(m[1]), ""), cleaned)


class _Scan(HTMLParser):
    """The dangerous things a piece of raw HTML holds, by line (one warning for an element removed with all it
    holds), and the lines of its `href`s and `src`s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = 0  # of the piece being read, less the lines read before it
        self.removed: list[tuple[int, str]] = []
        self.urls: list[tuple[tuple[str, str, str], int]] = []
        self.inside: list[str] = []  # the removed element being read, and those of its name within it

    def read(self, html: str, line: int) -> None:
        """Read the next piece of raw HTML, at `line` of the source: an element opened by one piece may end in a
        later one."""
        self.first_line = line - (self.getpos()[0] - 1)
        self._safely(self.feed, html)

    def finish(self) -> None:
        self._safely(self.close)

    def _safely(self, step: Callable[..., None], *args: str) -> None:
        try:
            step(*args)
        except AssertionError:  # html.parser gives up on `<![name[`; the sanitizer still reads it
            self.reset()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.inside:
            if tag == self.inside[0]:
                self.inside.append(tag)
            return
        line = self.first_line + self.getpos()[0] - 1
        if tag in _REMOVED:
            self.removed.append((line, f"raw HTML: removed <{tag}>: {_REMOVED[tag]}"))
            if tag not in _VOID:
                self.inside.append(tag)
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.removed.append((line, f"raw HTML: removed the {name} attribute of <{tag}>: {_SCRIPTS}"))
            elif name == "style":
                self.removed.append((line, f"raw HTML: removed the style attribute of <{tag}>: {_STYLES}"))
            elif name in _URL_ATTRIBUTES and value:
                scheme = _scheme(value)
                if scheme and scheme not in URL_SCHEMES:
                    kept = "only http, https, mailto and relative URLs are kept"
                    self.removed.append((line, f'raw HTML: removed {name}="{scheme}:…" of <{tag}>: {kept}'))
                elif (tag, name) in (("a", "href"), ("img", "src")):
                    self.urls.append(((tag, name, value), line))

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == self.inside[0]:
            self.inside.pop()


def _scheme(url: str) -> str | None:
    """The scheme a browser reads in `url`: tabs and newlines anywhere, and control characters around, ignored."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))
    found = _SCHEME.match(cleaned)
    return found.group(1).lower() if found else None


_MARKDOWN_ATTRIBUTE = re.compile(r"""\s+markdown(?:\s*=\s*(["']?)(?:1|block|span)\1)?(?=[\s/>])""")
_OPENING = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?>\s*")


def _markdown_in_html(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Python-Markdown's md_in_html (MkDocs, mkdocs-material): an element opened on a line of its own with a
    `markdown` attribute holds Markdown up to its closing tag, also on a line of its own."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4 or not state.src.startswith("<", start):  # most lines
        return False
    first = state.src[start : state.eMarks[start_line]]
    opening = _OPENING.fullmatch(first)
    if not opening or not opening.group(2) or not _MARKDOWN_ATTRIBUTE.search(opening.group(2) + ">"):
        return False
    tag = opening.group(1).lower()
    opens, closes = re.compile(f"<{tag}(?=[\\s/>])", re.IGNORECASE), re.compile(f"</{tag}\\s*>", re.IGNORECASE)
    depth, line = 1, start_line + 1
    while line < end_line:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        depth += len(opens.findall(text)) - len(closes.findall(text))
        if depth <= 0:
            break
        line += 1
    if depth != 0 or not closes.fullmatch(text.strip()):
        return False
    if silent:
        return True
    attributes = _MARKDOWN_ATTRIBUTE.sub("", opening.group(2) + ">")[:-1]
    token = state.push("html_block", "", 0)
    token.map, token.content = [start_line, start_line + 1], f"<{opening.group(1)}{attributes}>\n"
    old_line_max = state.lineMax
    state.lineMax = line
    state.md.block.tokenize(state, start_line + 1, line)
    state.lineMax = old_line_max
    token = state.push("html_block", "", 0)
    token.map, token.content = [line, line + 1], f"</{opening.group(1)}>\n"
    state.line = line + 1
    return True
