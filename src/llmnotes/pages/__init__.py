"""Emitters: one small module per page kind, each yielding `Page`s from the assembled `Site`."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..config import Config
from ..links import link_html
from ..model import Page, ParsedNote, Site
from ..paths import fold, href, tag_path
from ..render import Renderer


@dataclass(frozen=True, slots=True)
class PageContext:
    site: Site
    config: Config
    renderer: Renderer
    excerpts: dict[str, str] = field(default_factory=dict)  # slug -> preview excerpt, filled as pages need them


def note_card(parsed: ParsedNote, site: Site) -> dict:
    """What a list entry shows of a note: label, title, year, venue, summary and tags, with output paths."""
    note = parsed.note
    return {
        "slug": note.slug,
        "path": site.paths[note.slug],
        "label": note.label,
        "title": note.title,
        "year": note.year,
        "venue": note.venue,
        "summary": note.summary,
        "tags": [tag_ref(name, site) for name in note.tags],
    }


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
EXCERPT_LENGTH = 160


def preview_card(parsed: ParsedNote, context: PageContext, page_path: str) -> dict:
    """What a hover preview shows of a note: title, summary and the start of its first paragraph."""
    note = parsed.note
    site = context.site
    excerpt = context.excerpts.get(note.slug)
    if excerpt is None:
        excerpt = context.excerpts[note.slug] = _excerpt(parsed, site)
    return {
        "url": href(page_path, site.paths[note.slug]),
        "label": note.label,
        "title": note.title,
        "meta": " · ".join(str(part) for part in (note.venue, note.year) if part),
        "summary": note.summary or "",
        "excerpt": excerpt,
    }


def _excerpt(parsed: ParsedNote, site: Site) -> str:
    """The first paragraph as plain text, cut at EXCERPT_LENGTH; links show their labels."""
    match = _FIRST_PARAGRAPH.search(parsed.html)
    if not match:
        return ""
    path = site.paths[parsed.note.slug]
    linked = link_html(match.group(1), site.links.get(parsed.note.slug, ()), site.labels, site.paths, path)
    excerpt = html.unescape(_TAGS.sub("", linked)).strip()
    return excerpt[: EXCERPT_LENGTH - 1] + "…" if len(excerpt) > EXCERPT_LENGTH else excerpt


def linked_body(parsed: ParsedNote, site: Site, page_path: str) -> str:
    """The parsed body with its link placeholders turned into links relative to `page_path`."""
    return link_html(parsed.html, site.links.get(parsed.note.slug, ()), site.labels, site.paths, page_path)


_EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)"')


def mark_external(html_text: str) -> str:
    """Mark links that leave the site: class "external" (the stylesheet adds an arrow) and rel="noopener"."""
    return _EXTERNAL_LINK.sub(r'<a class="external" href="\1" rel="noopener"', html_text)


def tag_ref(name: str, site: Site) -> dict:
    tag = site.tag_of[fold(name)]
    return {"name": tag.name, "path": tag_path(tag.slug), "count": len(tag.note_slugs)}


def all_pages(context: PageContext) -> Iterator[Page]:
    from . import (
        bibliography,
        feed,
        home,
        lineage,
        not_found,
        note,
        page,
        search_index,
        sitemap,
        static,
        tags,
        timeline,
    )

    emitters: list[Callable[[PageContext], Iterable[Page]]] = [
        home.emit,
        note.emit,
        page.emit,
        tags.emit,
        not_found.emit,
        feed.emit,
        static.emit,
        bibliography.emit,
        lineage.emit,
        timeline.emit,
        search_index.emit,
    ]
    pages: list[Page] = []
    for emit in emitters:
        pages.extend(emit(context))
    pages.extend(sitemap.emit(context, pages))
    yield from pages
