"""The tag index with counts, and one page per tag listing its notes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..model import Output, Tag
from ..paths import tag_path
from . import Fields, PageContext, one_page


def emit(context: PageContext) -> Iterator[Output]:
    site = context.site
    index_path = "tags/index.html"
    yield one_page(index_path, (context.listing_key(),), lambda: _render_index(context, index_path), lists_all=True)
    for tag in site.tags:
        path = tag_path(tag.slug)
        key = (tag.name, tag.slug, tuple(context.card_key(slug) for slug in tag.note_slugs))
        yield one_page(path, key, partial(_render_tag, context, tag, path))


def _render_index(context: PageContext, path: str) -> bytes:
    tags = [
        Fields(
            name=t.name,
            path=tag_path(t.slug),
            count=len(t.note_slugs),
            notes=[Fields(context.card(slug), entry=context.card_entry(slug, path)) for slug in t.note_slugs],
        )
        for t in context.site.tags
    ]
    return context.renderer.render("tags.html", path, tags=tags)


def _render_tag(context: PageContext, tag: Tag, path: str) -> bytes:
    notes = [Fields(context.card(slug), item=context.note_item(slug, path)) for slug in tag.note_slugs]
    return context.renderer.render("tag.html", path, tag=tag, notes=notes)
