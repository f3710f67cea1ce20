"""What a page shows of a note: its card, hover preview, excerpt, linked body and tags, and digests of those."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from ..content.link import body_html, link_labels
from ..content.parse import HASHTAG, cut_excerpt, excerpt_text, first_paragraph
from ..engine.cache import content_digest
from ..features.citation_style import cite_html
from ..model import ParsedNote, Site
from ..paths import fold, href, tag_path

if TYPE_CHECKING:  # for type hints only: the context imports this module, to make its cards
    from .context import PageContext

_DICT_NAMES = frozenset(dir(dict))


class Fields(dict):
    """A dict whose keys are attributes too. Jinja reads `card.label` as an attribute first and, for a plain dict,
    finds the item only after a failed lookup and its exception: a fifth of a note page's rendering went to those.
    Keys named like dict methods (`items`, `get`) stay methods, as for a plain dict. Not to be changed once made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__.update((key, value) for key, value in self.items() if key not in _DICT_NAMES)


class ListedCard(Mapping):
    """A note's card and what a list shows with it (its partial, its context), read as `Fields(card, **more)` would
    be; the card is made only if a template reads a field of its own. A year page lists 3,000 notes by their kept
    partials, and a title edit that re-rendered it made 3,000 cards that no template read."""

    def __init__(self, pages: PageContext, slug: str, /, **more: Any) -> None:
        self.__dict__.update(more)  # plain attributes: `card.item` is read at once
        self._more, self._pages, self._slug = more, pages, slug
        self._made: Fields | None = None

    def _fields(self) -> Fields:
        if self._made is None:
            self._made = Fields(self._pages.card(self._slug), **self._more)
        return self._made

    def __getattr__(self, name: str) -> Any:  # called only for a name not set above: a field of the card
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._fields(), name)

    def __getitem__(self, key: str) -> Any:
        return self._more[key] if key in self._more else self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())


class TagRef(TypedDict):
    """A tag as a note's card shows it: its name and its page. Not its count: a note added to a tag would change
    the card of every note that has the tag, and every page that shows one (the tag lists show counts)."""

    name: str
    path: str


class Card(TypedDict):
    """What a list entry shows of a note (templates only read it)."""

    slug: str
    path: str
    label: str
    title: str
    year: int | None
    venue: str | None
    summary: str | None
    tags: list[TagRef]


class PreviewCard(TypedDict):
    """What a hover preview shows of a note."""

    url: str
    label: str
    title: str
    meta: str
    summary: str
    excerpt: str


def face_of(parsed: ParsedNote) -> str:
    """A digest of everything about a note that pages other than its own, and its own page outside the body, show:
    while it stays the same, an edit to the note changes its page's body and its search entry only."""
    html = parsed.html
    first = html.find("<p>")
    paragraph = html[first : html.find("</p>", first)] if first >= 0 else ""
    parts = (parsed.facts, parsed.headings, parsed.links, parsed.diagnostics, parsed.assets, parsed.embeds, paragraph)
    return content_digest(repr(parts).encode())


def short_digest(text: str) -> str:
    return content_digest(text.encode())


def body_key(digest: str, targets: tuple, embeds: tuple[str, ...] | None, cited: tuple | None = None) -> str:
    """A note's body key (see `PageContext.body_key`) from the note's digest, its links' targets, its embedded files
    and the works it cites: a digest, which the note page's key and the search document's take as it is."""
    return short_digest(repr((digest, targets, embeds) if cited is None else (digest, targets, embeds, cited)))


def note_card(parsed: ParsedNote, site: Site) -> Card:
    """What a list entry shows of a note: label, title, year, venue, summary and tags, with output paths."""
    note = parsed.note
    return Fields(  # type: ignore[return-value]
        slug=note.slug,
        path=site.paths[note.slug],
        label=note.label,
        title=note.title,
        year=note.year,
        venue=note.venue,
        summary=note.summary,
        tags=[tag_ref(name, site) for name in note.tags],
    )


def preview_card(parsed: ParsedNote, context: PageContext, page_path: str) -> PreviewCard:
    """What a hover preview shows of a note: title, summary and the start of its first paragraph."""
    note = parsed.note
    return {
        "url": href(page_path, context.site.paths[note.slug]),
        "label": note.label,
        "title": note.title,
        "meta": " · ".join(str(part) for part in (note.venue, note.year) if part),
        "summary": note.summary or "",
        "excerpt": context.excerpt(note.slug),
    }


def _excerpt(parsed: ParsedNote, site: Site) -> str:
    """The first paragraph as plain text, cut at EXCERPT_LENGTH; links show their labels."""
    links = site.links.get(parsed.note.slug, ())
    if parsed.lead is not None:
        return cut_excerpt(link_labels(parsed.lead, links, site.labels, escaped=False))
    paragraph = first_paragraph(parsed.html)
    if paragraph is None:
        return ""
    linked = link_labels(paragraph, links, site.labels)
    return excerpt_text(cite_html(linked, parsed, site, site.paths[parsed.note.slug], reference_list=False))


def linked_body(parsed: ParsedNote, site: Site, page_path: str) -> str:
    """The parsed body with its placeholders (links, embeds, #tags) turned into URLs relative to `page_path`."""
    slug = parsed.note.slug
    html = parsed.html
    tags = [site.tag_of[fold(tag)].slug for tag in parsed.note.tags] if HASHTAG in html else []
    linked = body_html(
        html, site.links.get(slug, ()), site.labels, site.paths, site.embeds.get(slug, ()), tags, page_path
    )
    return cite_html(linked, parsed, site, page_path)


def tag_ref(name: str, site: Site) -> TagRef:
    tag = site.tag_of[fold(name)]
    return _tag_ref(tag.name, tag.slug)


@lru_cache(maxsize=1 << 14)
def _tag_ref(name: str, slug: str) -> TagRef:
    # One per tag, shared by the cards of its notes (Fields are never changed): 10,000 notes' cards held 30,000
    return Fields(name=name, path=tag_path(slug))  # type: ignore[return-value]
