"""Turn a `Note`'s Markdown into a `ParsedNote`: HTML with link placeholders, its headings and its outgoing links."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from html import unescape
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..features.citations import base_key, bibtex_fields, is_paper
from ..markdown.raw_html import RAW_LINE
from ..markdown.scroll_regions import RegionLabels
from ..markdown.wikilinks import IMAGE_TYPES
from ..model import Citation, CitedItem, Diagnostic, Heading, Link, Note, ParsedNote
from ..paths import fold

# Placeholders the link stage replaces; private-use characters, removed from the source before parsing (so are
# \ue006 and \ue007, which mark raw HTML until it is sanitized, see `markdown.raw_html`).
OPEN, LABEL, END, CLOSE, EMBED, HASHTAG = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004", "\ue005"
CITE = "\ue008"  # a citation's place: CITE, its number among the note's citations, END
_PRIVATE_USE = re.compile("[\ue000-\ue008]")
# Obsidian's inline tags: after a space or at a line's start, letters, digits, _ - /, not digits alone (#1).
_HASHTAG = re.compile(r"(?<!\S)#([\w/-]*[^\W\d][\w/-]*)")
_SIZE = re.compile(r"(\d+)(?:x(\d+))?")
_SENTENCE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+|$)|[^.]*\.(?:\s+|$)")
MAX_CONTEXT = 160
_TAG = re.compile(r"<[^>]*>")
_RAW_LINK = re.compile(r"</?a[\s>]", re.IGNORECASE)
_MATH_TOKENS = ("math_inline", "math_inline_double")


def open_marker(index: int) -> str:
    return f"{OPEN}{index}{END}"


def label_marker(index: int) -> str:
    return f"{LABEL}{index}{END}"


def parser_options(raw_html: str, strings: Mapping[str, str]) -> str:
    """What changes a note's parse besides its bytes: raw HTML's handling, and the words that name code blocks,
    tables and formulas. With the note's source, the key of its parse in the cache (see `parse_key`)."""
    return f"raw_html={raw_html} {RegionLabels.from_strings(strings)!r}"


def parse_key(options: str, source: str) -> str:
    return f"{options} {source}"


def parse_document(note: Note, md: MarkdownIt) -> ParsedNote:
    """`parse_note`, with a paper's BibTeX entry and base citation key (its page, its .bib file and references.bib
    show the entry) made once, here."""
    parsed = parse_note(note, md)
    if is_paper(note):
        parsed = replace(parsed, bibtex=bibtex_fields(note), cite_base=base_key(note))
    return parsed


def parse_note(note: Note, md: MarkdownIt) -> ParsedNote:
    body = _PRIVATE_USE.sub("", note.body)
    links: list[Link] = []
    assets: list[tuple[str, int]] = []
    folder = posixpath.dirname(note.relative) if note.kind == "note" else None
    source_lines = body.split("\n")
    env: dict = {"raw_html_targets": _RawHtmlTargets(note, source_lines, folder, links, assets)}
    tokens = md.parse(body, env)
    headings: list[Heading] = []
    embeds: list[tuple[str, int]] = []
    citations: list[Citation] = []
    tags = list(note.tags)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.attrGet("id"):
            headings.append(
                Heading(int(token.tag[1]), _plain_text(tokens[index + 1].children or []), str(token.attrGet("id")))
            )
        if token.type == "inline" and token.children:
            kinds = {child.type for child in token.children}  # most paragraphs hold no link, citation or embed
            if "wikilink" in kinds or "link_open" in kinds or "citation" in kinds:
                _collect_links(note, token, source_lines, links, citations)
            line = note.body_line + (token.map[0] if token.map else 0)
            if folder is not None and ("image" in kinds or "link_open" in kinds):
                _point_at_assets(token.children, folder, line, assets)
            if "wikiembed" in kinds:
                token.children = [_embed(child, line, embeds) for child in token.children]
            if note.kind == "note" and "#" in token.content:
                token.children = _hashtags(token.children, tags)
    html = md.renderer.render(tokens, md.options, env)
    problems = tuple(
        Diagnostic(
            note.source,
            problem["message"],
            line=note.body_line + int(problem["line"]),
            col=problem.get("col"),
            severity=problem.get("severity", "error"),
            hint=problem.get("hint"),
            rule=problem.get("rule"),
        )
        for problem in env.get("problems", [])
    )
    # the HTML holds the body now (10,000 bodies are tens of megabytes); #tags in it are the note's tags too
    bare = replace(note, body="", tags=tuple(tags)) if len(tags) > len(note.tags) else replace(note, body="")
    return ParsedNote(
        note=bare,
        markup=html.encode(),
        headings=tuple(headings),
        links=tuple(links),
        diagnostics=problems,
        facts=facts_digest(bare),  # the body is not among the facts
        assets=tuple(assets),
        embeds=tuple(embeds),
        citations=tuple(citations),
        lead=lead_text(html),
    )


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
EXCERPT_LENGTH = 160


def first_paragraph(html: str) -> str | None:
    """The HTML inside the body's first paragraph, if it has one."""
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(1) if match else None


def excerpt_text(paragraph: str) -> str:
    """A paragraph's HTML as plain text, cut at EXCERPT_LENGTH."""
    return cut_excerpt(_plain(paragraph))


def _plain(html: str) -> str:
    return unescape(_TAGS.sub("", html))


def cut_excerpt(text: str) -> str:
    text = text.strip()
    return text[: EXCERPT_LENGTH - 1] + "…" if len(text) > EXCERPT_LENGTH else text


def lead_text(html: str) -> str | None:
    """The body's first paragraph as plain text, its links' placeholders left in for the link stage to fill with
    their labels (see link.link_labels): made here, in the parse's worker, not by the main process for every note of
    every build. None when it holds a citation, which the link stage writes out first."""
    paragraph = first_paragraph(html)
    if paragraph is None:
        return ""
    return None if CITE in paragraph else _plain(paragraph)


_NOT_FACTS = {"body", "body_line", "field_lines", "digest"}
_FACT_FIELDS = tuple(f.name for f in fields(Note) if f.name not in _NOT_FACTS)


def facts_digest(note: Note) -> str:
    """A digest of everything the front matter says; the body, and where things are in the file, left out."""
    values = repr(tuple(getattr(note, name) for name in _FACT_FIELDS))
    return hashlib.blake2b(values.encode(), digest_size=16).hexdigest()


def _collect_links(
    note: Note, inline: Token, source_lines: list[str], links: list[Link], citations: list[Citation]
) -> None:
    """Replace wikilink and relative `.md` link tokens with placeholders and record each as a `Link`; so too each
    key of a citation (a `Link` of kind "cite"), the citation's placeholder standing for all of its keys."""
    children = inline.children or []
    plain = ""
    pending: list[tuple[int, str, str | None, str | None, str, str]] = []  # (offset, kind, ...) per link
    open_stack: list[bool] = []
    replaced: list[Token] = []
    for child in children:
        if child.type == "wikilink":
            meta = child.meta
            number = len(links) + len(pending)
            pending.append((len(plain), "wiki", meta["target"], meta["fragment"], meta["text"], meta["raw"]))
            replaced.append(
                _html_token(
                    open_marker(number) + (_escape(meta["text"]) if meta["text"] else label_marker(number)) + CLOSE
                )
            )
            plain += meta["text"] or meta["target"]
            continue
        if child.type == "citation":
            items = []
            for position, (key, prefix, locator, suppress) in enumerate(child.meta["items"]):
                items.append(CitedItem(len(links) + len(pending), prefix, locator, suppress))
                # the first key is found by where the citation starts, the others after it
                where = child.meta["raw"].split("\n")[0] if position == 0 else ""
                pending.append((len(plain), "cite", key, None, where, "@" + key))
            replaced.append(_html_token(f"{CITE}{len(citations)}{END}"))
            citations.append(Citation(child.meta["in_text"], tuple(items)))
            plain += child.content.replace(";", ",")  # the context is a sentence, which a semicolon would end
            continue
        if child.type == "link_open":
            relative = _relative_note_target(str(child.attrGet("href") or ""))
            open_stack.append(relative is not None)
            if relative is not None:
                number = len(links) + len(pending)
                path, fragment, raw = relative
                pending.append((len(plain), "markdown", path, fragment, "", raw))
                replaced.append(_html_token(open_marker(number)))
                continue
        elif child.type == "link_close" and open_stack and open_stack.pop():
            replaced.append(_html_token(CLOSE))
            continue
        elif child.type in ("text", "code_inline"):
            plain += child.content
        elif child.type in _MATH_TOKENS:
            plain += f"${child.content}$"
        elif child.type in ("softbreak", "hardbreak"):
            plain += " "
        replaced.append(child)
    inline.children = replaced
    if not pending:
        return
    first_line = inline.map[0] if inline.map else 0
    last_line = inline.map[1] if inline.map else len(source_lines)
    cursor = (first_line, 0)
    for offset, kind, target, fragment, text, raw in pending:
        if kind == "cite" and text:  # `text` holds where the citation starts
            line_index, col = _locate(source_lines, text, cursor, last_line)
            cursor = (line_index, col)
            text = ""
        line_index, col = _locate(source_lines, raw, cursor, last_line)
        cursor = (line_index, col + 1)
        links.append(
            Link(
                kind="wiki" if kind == "wiki" else "cite" if kind == "cite" else "markdown",
                target=target or "",
                fragment=fragment,
                text=text or None,
                line=note.body_line + line_index,
                col=col + 1,
                context=_sentence_at(plain, offset),
                placeholder=len(links),
            )
        )


def _point_at_assets(children: Sequence[Token], folder: str, line: int, assets: list[tuple[str, int]]) -> None:
    """Images and links to other files of notes/ point where the site copies them; each is recorded to check."""
    for child in children:
        attribute = "src" if child.type == "image" else "href" if child.type == "link_open" else None
        if attribute is None:
            continue
        rewritten = _asset_url(str(child.attrGet(attribute) or ""), folder, line, assets)
        if rewritten is not None:
            child.attrSet(attribute, rewritten)


def _asset_url(url: str, folder: str, line: int, assets: list[tuple[str, int]]) -> str | None:
    """A relative URL to a file, rewritten to the file's path inside notes/ (where note pages are), the file
    recorded to check; None for URLs that are not relative."""
    parts = urlsplit(url)
    if not parts.path or parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    target = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path))
    assets.append((target, line))
    rewritten = quote(target, safe="/-._~") + (f"?{parts.query}" if parts.query else "")
    return rewritten + (f"#{parts.fragment}" if parts.fragment else "")


class _RawHtmlTargets:
    """What relative URLs in raw HTML become (see `markdown.raw_html.LinkTargets`): like Markdown links, an `<a>` to
    a note links to its page and is checked; `src` and `href` to other files point where the site copies them."""

    def __init__(
        self, note: Note, lines: list[str], folder: str | None, links: list[Link], assets: list[tuple[str, int]]
    ) -> None:
        self.note, self.lines, self.folder, self.links, self.assets = note, lines, folder, links, assets

    def link(self, href: str, line: int) -> tuple[str, str] | None:
        target = _relative_note_target(href)
        if target is None or not target[0]:
            return None  # `#id` may name any element of the page, not only a heading
        path, fragment, _ = target
        text = self.lines[line] if line < len(self.lines) else ""
        col = text.find(href) + 1 or len(text) - len(text.lstrip()) + 1
        context = _trim(_TAG.sub("", text))
        number = len(self.links)
        self.links.append(
            Link("markdown", path, fragment, None, self.note.body_line + line, col, context, placeholder=number)
        )
        return open_marker(number), CLOSE

    def url(self, value: str, line: int) -> str | None:
        if self.folder is None:
            return None
        return _asset_url(value, self.folder, self.note.body_line + line, self.assets)


def _hashtags(children: list[Token], tags: list[str]) -> list[Token]:
    """`#tag` in the text (not in code or link text) joins the note's tags and links to its page, as in Obsidian;
    the link stage fills in the URL of the tag whose place in `tags` the marker holds."""
    known = {fold(tag): number for number, tag in enumerate(tags)}
    result: list[Token] = []
    after_space, in_link = True, 0
    for child in children:
        in_link += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type == "html_inline" and child.content.startswith(OPEN) and CLOSE not in child.content:
            in_link += 1  # a Markdown link to a note: its text follows, up to the CLOSE placeholder
        elif child.type == "html_inline" and child.content == CLOSE:
            in_link -= 1
        elif child.type == "html_inline" and RAW_LINE in child.meta and _RAW_LINK.match(child.content):
            in_link += -1 if child.content[1] == "/" else 1  # the note's own <a> … </a>
        if child.type != "text" or in_link or "#" not in child.content:
            result.append(child)
            after_space = child.type in ("softbreak", "hardbreak")
            continue
        text, start = child.content, 0
        for match in _HASHTAG.finditer(text):
            if match.start() == 0 and not after_space:
                continue
            name = match.group(1).rstrip("/-")
            number = known.setdefault(fold(name), len(tags))
            if number == len(tags):
                tags.append(name)
            result.append(_text_token(text[start : match.start()]))
            result.append(_html_token(f'<a class="hashtag" href="{HASHTAG}{number}{END}">#{_escape(name)}</a>'))
            start = match.start() + 1 + len(name)
        result.append(_text_token(text[start:]))
        after_space = text[-1:].isspace()
    return [token for token in result if token.type != "text" or token.content]


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _embed(child: Token, line: int, embeds: list[tuple[str, int]]) -> Token:
    """An Obsidian embed becomes an image (or a link to the file) whose URL the link stage fills in."""
    if child.type != "wikiembed":
        return child
    target, text = child.meta["target"], child.meta["text"] or ""
    url = f"{EMBED}{len(embeds)}{END}"
    embeds.append((target, line))
    name = _escape(target.rpartition("/")[2])
    if not (child.meta["show"] and target.lower().endswith(IMAGE_TYPES)):
        return _html_token(f'<a href="{url}">{_escape(text) or name}</a>')
    size = _SIZE.fullmatch(text)
    if size:
        width, height = size.groups()
        dimensions = f' width="{width}"' + (f' height="{height}"' if height else "")
        return _html_token(f'<img src="{url}" alt="{name}"{dimensions}>')
    return _html_token(f'<img src="{url}" alt="{_escape(text) or name}">')


def _relative_note_target(href: str) -> tuple[str, str | None, str] | None:
    """(path, fragment, raw text to find in the source) for links to notes or to a heading of this note.

    A note is named by its .md file, or as VitePress and MkDocs write it: without the extension, or by its
    folder (`guide/`) for the folder's index.md or README.md.
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    fragment = unquote(parts.fragment) or None
    if path and not _names_a_note(path):
        return None
    if not path and not fragment:
        return None
    raw = f"({path}" if path else f"(#{parts.fragment}"
    return path, fragment, raw


def _names_a_note(path: str) -> bool:
    """Whether a relative link's path names a note rather than another file."""
    last = path.rstrip("/").rpartition("/")[2]
    return path.endswith("/") or last in ("", ".", "..") or last.lower().endswith(".md") or "." not in last


def _locate(lines: list[str], raw: str, cursor: tuple[int, int], last_line: int) -> tuple[int, int]:
    """0-based (line, column) of `raw` at or after the cursor; the block's first line if it is not found."""
    line_index, col = cursor
    for index in range(line_index, min(last_line, len(lines))):
        found = lines[index].find(raw, col if index == line_index else 0)
        if found >= 0:
            return index, found + (1 if raw.startswith("(") else 0)
    start = cursor[0] if cursor[0] < len(lines) else 0
    text = lines[start] if start < len(lines) else ""
    return start, len(text) - len(text.lstrip())


def _sentence_at(text: str, offset: int) -> str:
    position = 0
    for match in _SENTENCE.finditer(text):
        if not match.group(0):
            continue
        start, end = match.span()
        position = end
        if start <= offset < end or offset == end == len(text):
            return _trim(match.group(0))
    return _trim(text[max(0, position - MAX_CONTEXT) :])


def _trim(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= MAX_CONTEXT else sentence[: MAX_CONTEXT - 1] + "…"


def _plain_text(children: Sequence[Token]) -> str:
    return "".join(
        f"${c.content}$" if c.type in _MATH_TOKENS else c.content
        for c in children
        if c.type in ("text", "code_inline", "wikilink", *_MATH_TOKENS)
    ).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _html_token(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token
