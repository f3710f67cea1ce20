"""The tag index with counts, and one page per tag listing its notes."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Page
from ..paths import tag_path
from . import PageContext, note_card


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    index_path = "tags/index.html"
    tags = [
        {
            "name": t.name,
            "path": tag_path(t.slug),
            "count": len(t.note_slugs),
            "notes": [note_card(site.by_slug[slug], site) for slug in t.note_slugs],
        }
        for t in site.tags
    ]
    yield Page(index_path, context.renderer.render("tags.html", index_path, tags=tags))
    for tag in site.tags:
        path = tag_path(tag.slug)
        notes = [note_card(site.by_slug[slug], site) for slug in tag.note_slugs]
        yield Page(path, context.renderer.render("tag.html", path, tag=tag, notes=notes))
