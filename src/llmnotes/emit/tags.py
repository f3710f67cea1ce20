"""The tag index with counts, and one page per tag listing its notes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property, partial

from markupsafe import Markup

from ..model import Output, Tag
from ..paths import tag_path
from . import one_page
from .cards import ListedCard, short_digest
from .context import PageContext

INDEX_PATH = "tags/index.html"


def emit(context: PageContext) -> Iterator[Output]:
    site = context.site
    yield one_page(INDEX_PATH, (context.listing_key(),), lambda: _render_index(context), lists_all=True)
    for tag in site.tags:
        path = tag_path(tag.slug)
        yield one_page(path, (tag_key(context, tag),), partial(_render_tag, context, tag, path), keeps_partials=True)


def page_at(context: PageContext, path: str) -> Output | None:
    """The page of the tag at `path`, without its key, if it lists few enough notes to render at once (see
    engine.outputs.look_at_open: a server shows a tag's open page first after an edit of its template)."""
    for tag in context.site.tags:
        if tag_path(tag.slug) == path and len(tag.note_slugs) <= OPEN_PAGE_MOST_NOTES:
            return one_page(path, None, partial(_render_tag, context, tag, path))
    return None


# A tag's page lists its notes' entries, made afresh outside the build's render (90 µs each at 10,000 notes: 150
# took 0.014 s): a larger one open in a browser renders with the rest of the build, from the entries it kept.
OPEN_PAGE_MOST_NOTES = 500


def tag_key(context: PageContext, tag: Tag) -> str:
    """What a tag's page, and its section of the tag index, show: its name and its notes' cards, in order. Carried
    over from the last build while those are the same (see PageContext.carried_key)."""
    inputs = (tag.name, tag.slug, tag.note_slugs)
    make = partial(
        context.carried_key, _TAG, tag.slug, inputs, partial(frozenset, tag.note_slugs), partial(_key, context, tag)
    )
    return context.remember(_TAG, tag.slug, make)


_TAG = "tag page"  # the kind of key a tag's page has (see PageContext.carried_key)


def _key(context: PageContext, tag: Tag) -> str:
    return short_digest("\x1f".join((tag.name, tag.slug, *(context.card_key(slug) for slug in tag.note_slugs))))


class TagListing:
    """A tag as the tag index shows it: `name`, `path` and `count`; `group`, its section of the index (the partial
    _tag_group.html), kept between builds while its notes' cards are the same, so that a title edit renders the
    sections of the note's tags and not 30,000 entries; `notes`, each note's card with its `entry` (_card.html),
    made only for a template that lists them itself."""

    def __init__(self, context: PageContext, tag: Tag) -> None:
        self.context = context
        self.tag = tag
        self.name = tag.name
        self.path = tag_path(tag.slug)
        self.count = len(tag.note_slugs)

    @cached_property
    def notes(self) -> list[ListedCard]:
        context = self.context
        return [ListedCard(context, slug, entry=context.card_entry(slug, INDEX_PATH)) for slug in self.tag.note_slugs]

    @cached_property
    def group(self) -> Markup:
        key = tag_key(self.context, self.tag)
        return self.context.renderer.fragment(
            "_tag_group.html", INDEX_PATH, self.tag.slug, key=key, also=("_card.html",), tag=self
        )


def _render_index(context: PageContext) -> bytes:
    tags = [TagListing(context, tag) for tag in context.site.tags]
    return context.renderer.render("tags.html", INDEX_PATH, tags=tags)


def _render_tag(context: PageContext, tag: Tag, path: str) -> bytes:
    notes = [ListedCard(context, slug, item=context.note_item(slug, path)) for slug in tag.note_slugs]
    return context.renderer.render("tag.html", path, tag=tag, notes=notes)
