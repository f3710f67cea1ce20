"""One page per note: the paper's facts, meta tags and BibTeX, the linked body, lineage, related, backlinks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from markupsafe import Markup

from ..content.link import body_html, mark_external
from ..content.parse import HASHTAG
from ..features.citations import bibtex_entry, highwire_tags, paper_type
from ..model import Output, Page, ParsedNote, ResolvedLink, pickled_by_constructor
from ..paths import fold, note_path, note_slug
from . import context as emit_context  # CHECK_CARRIED read when used: the tests set it
from .bibliography import note_bib_path
from .cards import Fields, ListedCard, PreviewCard, body_key, face_of, linked_body, preview_card, short_digest
from .context import PageContext, differing
from .nav import keep_nearby_keys, nearby, nearby_key, section_tree, unsettled_navigation

TOC_MIN_HEADINGS = 3


def emit(context: PageContext) -> Iterator[Output]:
    pager = _pager(context)
    unsettled = _unsettled(context, pager)
    # whether the pages show a side navigation, or showed one in the last build (its last folder gone, none does)
    has_navigation = section_tree(context) is not None
    has_navigation |= bool(context.kept_facts(_NAVIGATED, has_navigation))
    carried = _Carried.of(context, unsettled, has_navigation)
    current = _current(context)
    keeping = context.kept_keys is not None
    made: dict[str, Output] = {}
    for parsed in reversed(context.site.notes):
        slug = parsed.note.slug
        found = carried.take(parsed) if carried is not None else None
        if found is None:
            previous, following = pager.get(slug, (None, None))
            path = note_path(slug)
            settled_lists = (unsettled is not None and slug not in unsettled, has_navigation)
            rest_key = partial(_rest_key, parsed, context, settled_lists, previous, following)
            rest = context.remember(_REST, slug, rest_key)
            render = partial(_render_current, current, slug)
            found = Output(path, (context.body_key(parsed), rest), partial(_page, path, render))
        if keeping:
            made[slug] = found
        yield found
    if keeping:  # a server: the next build may take these pages whole (see `_Carried`)
        context.next_keys[_OUTPUTS] = made
        if carried is not None:
            carried.finish()


def own_pages(context: PageContext, slugs: list[str]) -> list[Output]:
    """The pages of these notes, without keys: what the writer of an edit looks at (see engine.outputs.look_first).
    Each finds its own place in the pager, without the pager of every note (0.01 s at 10,000 notes)."""
    return [
        Output(note_path(slug), None, partial(_page, note_path(slug), partial(_render_own, context, slug)))
        for slug in slugs
        if slug in context.site.by_slug
    ]


def page_at(context: PageContext, path: str) -> Output | None:
    """The page of the note at `path`, without its key (see `own_pages`), if it is a note's page."""
    slug = note_slug(path)
    found = own_pages(context, [slug]) if slug is not None else []
    return found[0] if found else None


def _render_own(context: PageContext, slug: str) -> tuple[bytes, str]:
    listed = context.listed()
    position = next((n for n, parsed in enumerate(listed) if parsed.note.slug == slug), None)
    previous, following = _neighbours(listed, position) if position is not None else (None, None)
    return _render(context, context.site.by_slug[slug], note_path(slug), previous, following)


def _pager(context: PageContext) -> dict[str, tuple[ParsedNote | None, ParsedNote | None]]:
    """The notes before and after each note: the pager steps from note to note, oldest to newest, as the lists of
    papers show them. A folder's own page (index.md) lists its folder, belongs to no year, and has no pager."""
    return context.remember("pager", "", partial(_make_pager, context))


def _make_pager(context: PageContext) -> dict[str, tuple[ParsedNote | None, ParsedNote | None]]:
    listed = context.listed()
    return {listed[n].note.slug: _neighbours(listed, n) for n in reversed(range(len(listed)))}  # oldest first


def _neighbours(listed: list[ParsedNote], position: int) -> tuple[ParsedNote | None, ParsedNote | None]:
    """The pager of the note at `position` of the listed notes (newest first): the older note, then the newer."""
    older = listed[position + 1] if position + 1 < len(listed) else None
    return older, listed[position - 1] if position > 0 else None


def _current(context: PageContext) -> list[PageContext]:
    """A holder of this build's context, which the note pages' outputs render with: a server takes the outputs of
    unchanged pages whole from its last build (see `_Carried`), and they must render, if asked to (a file of the
    site deleted), with the site as it is, not as it was."""
    holder: list[PageContext] = (context.kept_keys or {}).get(_HOLDER) or [context]
    holder[:] = [context]
    if context.kept_keys is not None:
        context.next_keys[_HOLDER] = holder
    return holder


def _render_current(holder: list[PageContext], slug: str) -> tuple[bytes, str]:
    context = holder[0]
    previous, following = _pager(context).get(slug, (None, None))
    return _render(context, context.site.by_slug[slug], note_path(slug), previous, following)


_REST = "note page key rest"
_NAVIGATED = "note pages navigated"
_LISTED = "note pages' lists"  # what the note pages list, site-wide (see `_unsettled`)
_OUTPUTS, _HOLDER = "note pages", "note pages' context"  # see `_Carried`


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class NoteRecord:
    """What a note's page was made from besides its body: kept by the engine, so that an edit of the body alone
    goes into the page on disk without the rest of the site (see `updated_page`)."""

    path: str
    face: str  # see `face_of`: when it changes, other pages change too and the page is rendered
    dates: tuple | None
    links: tuple[ResolvedLink, ...]
    labels: dict[str, str]  # of the link targets
    paths: dict[str, str]
    files: tuple[str, ...] | None  # embedded files
    tag_slugs: tuple[str, ...]
    body_targets: tuple  # the links' part of the body's key (see PageContext.body_key)
    rest: str  # the key of everything else the page shows (see `_key_rest`)

    def page_key(self, digest: str) -> tuple[str, str]:
        """The page's key (see `emit`) when the note's bytes have this digest (a note that cites nothing)."""
        return (body_key(digest, self.body_targets, self.files), self.rest)


def record(context: PageContext, parsed: ParsedNote) -> NoteRecord:
    """What `updated_page` needs, from the values the page was emitted with."""
    site, slug = context.site, parsed.note.slug
    links = site.links.get(slug, ())
    targets = {r.target_slug for r in links if r.target_slug}
    return NoteRecord(
        path=site.paths[slug],
        face=face_of(parsed),
        dates=site.dates.get(slug),
        links=links,
        labels={target: site.labels[target] for target in targets if target in site.labels},
        paths={target: site.paths[target] for target in targets},
        files=site.embeds.get(slug),
        tag_slugs=tuple(site.tag_of[fold(tag)].slug for tag in parsed.note.tags),
        body_targets=context.body_targets(parsed),
        rest=context.memo.get((_REST, slug)) or context.next_keys[_REST][slug][2],  # made, or taken whole
    )


def updated_page(record: NoteRecord, parsed: ParsedNote, page: bytes, span: tuple[int, int]) -> tuple[bytes, str]:
    """The page on disk with its body (at `span`) replaced by the note's new one, and the new body: byte for byte
    the page `emit` renders, when the note's face is the record's and the templates pass the body through
    (`Renderer.passes_through`)."""
    html = parsed.html
    tags = list(record.tag_slugs) if HASHTAG in html else []
    html = body_html(html, record.links, record.labels, record.paths, record.files or (), tags, record.path)
    body = mark_external(html)
    start, end = span
    return page[:start] + body.encode() + page[end:], body


def _page(path: str, render: Callable[[], tuple[bytes, str]]) -> list[Page]:
    """The page, with where its body is when the page holds it once (see `Renderer.passes_through`)."""
    content, body = render()
    encoded = body.encode()
    start = content.find(encoded) if encoded else -1
    once = start >= 0 and content.find(encoded, start + 1) < 0
    return [Page(path, content, (start, start + len(encoded)) if once else None)]


def _rest_key(
    parsed: ParsedNote, context: PageContext, settled: tuple[bool, bool], *neighbours: ParsedNote | None
) -> str:
    """The key of everything the page shows but its body: its own note, and the cards of every note it lists, links
    to or previews (the body's part of the key is apart: see `updated_page`). Carried over from the last build
    while the page's lists are the same and none of their notes' cards changed (see PageContext.carried_key); when
    they are known to be (`settled`: whether they are but maybe for the side navigation, and whether the site has
    one), without making them."""
    site, slug = context.site, parsed.note.slug
    same_lists, navigated = settled
    kept = context.kept_key(_REST, slug) if same_lists else None
    if kept is not None and navigated:  # the side navigation, which `_unsettled` leaves out
        kept = kept if kept[0][1] == (nearby_key(context, site.paths[slug]) or "") else None
    if kept is not None:
        if emit_context.CHECK_CARRIED and _lists(parsed, context, neighbours) != kept[0]:
            raise AssertionError(f"the lists of the page of {slug} are not the last build's")
        return kept[2]
    lists = _lists(parsed, context, neighbours)
    return context.carried_key(
        _REST, slug, lists, partial(_cards_listed, slug, lists), partial(_key_rest, slug, lists, context)
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """What the note pages list, site-wide, as a build saw it: what `_lists` draws from, but the side navigation."""

    cite_keys: dict[str, str]
    pager: dict[str, tuple[str | None, str | None]]
    backlinks: dict
    ancestors: dict
    descendants: dict
    related: dict
    section_of: dict
    sections: dict


def _unsettled(
    context: PageContext, pager: dict[str, tuple[ParsedNote | None, ParsedNote | None]]
) -> frozenset[str] | None:
    """The notes whose page may list other than it listed in the last build kept by this process (a server), the
    side navigation left out: the notes whose entries of the site-wide lists changed; None when there is no such
    build (the command line). A page's own list (builds_on) comes from its note's front matter, and a note whose
    front matter changed has another card, which its own page shows: `kept_key` takes no key of such a page. A
    server's title edit at 10,000 notes made every page's lists to compare them (0.03 s of its 1.2 s in one
    process)."""
    site = context.site
    if context.kept_keys is None:  # the command line keeps nothing to compare with
        return None
    neighbours = {slug: tuple(n.note.slug if n else None for n in pair) for slug, pair in pager.items()}
    lineage = site.lineage
    now = Listed(
        context.cite_keys(),
        neighbours,  # type: ignore[arg-type]
        site.backlinks,
        lineage.ancestors,
        lineage.descendants,
        site.related,
        site.section_of,
        site.sections,
    )
    last = context.kept_facts(_LISTED, now)
    if not isinstance(last, Listed):
        return None
    unsettled: set[str] = set()
    for name in Listed.__slots__:
        unsettled |= differing(getattr(now, name), getattr(last, name))
    return frozenset(unsettled)


class _Carried:
    """The note pages of a server's last build that this build takes whole, their outputs and keys as they were:
    those whose body key is the same and whose other inputs are known unchanged without being made (their lists, the
    cards those show, the side navigation). A title edit at 10,000 notes keyed every page again (0.06 s)."""

    def __init__(self, context: PageContext, dirty: set[str], outputs: dict[str, Output], rests: dict) -> None:
        self.context = context
        self.dirty = dirty  # the notes whose page's rest key may differ from the last build's
        self.outputs = outputs  # the last build's, by slug
        self.rests = rests  # the last build's (inputs, cards shown, key) of each page's rest (see `_rest_key`)
        self.bodies = context.changed_bodies()  # those whose body key may have changed (None: any)
        self.taken: list[str] = []

    @classmethod
    def of(cls, context: PageContext, unsettled: frozenset[str] | None, navigated: bool) -> _Carried | None:
        """None unless this process kept the last build's pages and can tell which of them changed."""
        kept = context.kept_keys or {}
        outputs, rests = kept.get(_OUTPUTS), kept.get(_REST)
        if unsettled is None or outputs is None or rests is None:  # the command line asks nothing more
            return None
        changed = context.changed_cards()
        if changed is None:
            return None
        dirty = set(unsettled)
        shown_by = context.shown_by(_REST)
        for card in changed:
            dirty.update(shown_by.get(card, ()))
        if navigated:
            dirty |= unsettled_navigation(context)
        return cls(context, dirty, outputs, rests)

    def take(self, parsed: ParsedNote) -> Output | None:
        """The last build's output of the note's page, if its inputs are known to be the same."""
        slug = parsed.note.slug
        found = self.outputs.get(slug) if slug not in self.dirty else None
        if found is None or found.key is None:
            return None
        if (self.bodies is None or slug in self.bodies) and found.key[0] != self.context.body_key(parsed):
            return None
        if emit_context.CHECK_CARRIED:
            context = self.context
            previous, following = _pager(context).get(slug, (None, None))
            lists = _lists(parsed, context, (previous, following))
            if (lists, _key_rest(slug, lists, context)) != (self.rests[slug][0], found.key[1]):
                raise AssertionError(f"the page of {slug} taken whole from the last build is not as it would be made")
        self.taken.append(slug)
        self.context.taken.add(found.name)
        return found

    def finish(self) -> None:
        """Keep, for the next build, the rest keys of the pages taken (the others' are kept as they are made)."""
        self.context.next_keys.setdefault(_REST, {}).update({slug: self.rests[slug] for slug in self.taken})
        keep_nearby_keys(self.context, self.taken)


def _lists(parsed: ParsedNote, context: PageContext, neighbours: tuple[ParsedNote | None, ...]) -> tuple:
    """What the page shows besides its body and its notes' cards: its citation key and side navigation, the notes
    before and after it, and what it lists (backlinks, builds_on, lineage, related, section)."""
    site = context.site
    slug = parsed.note.slug
    lineage = site.lineage
    return (
        context.cite_keys().get(slug) or "",
        nearby_key(context, site.paths[slug]) or "",
        tuple(n.note.slug if n else None for n in neighbours),
        site.backlinks.get(slug, ()),
        tuple(s for s in parsed.note.builds_on if s in site.by_slug),
        lineage.ancestors.get(slug, ()),
        lineage.descendants.get(slug, ()),
        site.related.get(slug, ()),
        site.section_of.get(slug),
        site.sections.get(slug, ()),
    )


def _cards_listed(slug: str, lists: tuple) -> frozenset[str]:
    """The notes whose cards the page shows: its own, and those of every note in `lists` (see `_lists`)."""
    _, _, neighbours, backlinks, builds_on, ancestors, descendants, related, section, contents = lists
    return frozenset(
        (slug, *neighbours, *(b.source_slug for b in backlinks), *builds_on, *ancestors, *descendants)
    ).union(r.slug for r in related).union((section, *contents)) - {None}


def _key_rest(slug: str, lists: tuple, context: PageContext) -> str:
    """The digest of `lists` (see `_lists`) with the card keys of the notes they show."""
    card = context.card_key
    cite_key, nearby, neighbours, backlinks, builds_on, ancestors, descendants, related, section, contents = lists
    # Card keys are digests, and slugs, relations and tags (see load._printable) hold no control characters: joined
    # with these, the parts cannot run into each other. Free text (a backlink's context) goes in as its repr, which
    # has none either. Ten thousand reprs of the whole nested tuple took a tenth of a title edit's build.
    join = "\x1c".join
    parts = (
        [card(slug), cite_key, nearby],
        [card(n) if n else "" for n in neighbours],
        [f"{b.source_slug}\x1f{b.context!r}\x1f{card(b.source_slug)}" for b in backlinks],
        [card(s) for s in builds_on],
        [card(s) for s in ancestors],
        [card(s) for s in descendants],
        [f"{r.slug}\x1f{join(r.relations)}\x1f{join(r.shared_tags)}\x1f{card(r.slug)}" for r in related],
        [card(section) if section else ""],
        [card(s) for s in contents],
    )
    return short_digest("\x1e".join("\x1d".join(part) for part in parts))


def _render(
    context: PageContext, parsed: ParsedNote, path: str, previous: ParsedNote | None, following: ParsedNote | None
) -> tuple[bytes, str]:
    """The page and its body."""
    site = context.site
    body = mark_external(linked_body(parsed, site, path))
    cite_key = context.cite_keys().get(parsed.note.slug, "")
    neighbours = {
        "previous": context.card(previous.note.slug) if previous else None,
        "next": context.card(following.note.slug) if following else None,
    }
    previews, previews_json = _previews(parsed, context, path, [n["slug"] for n in neighbours.values() if n])
    content = context.renderer.render(
        "note.html",
        path,
        note=parsed.note,
        body=body,
        toc=[h for h in parsed.headings if h.level in (2, 3)] if len(parsed.headings) >= TOC_MIN_HEADINGS else [],
        previews=previews,
        previews_json=Markup(previews_json),
        tags=context.card(parsed.note.slug)["tags"],
        builds_on=[
            ListedCard(context, s, link=context.card_link(s, path)) for s in parsed.note.builds_on if s in site.by_slug
        ],
        backlinks=_backlinks(parsed, context, path),
        links_out=paper_links(parsed),
        citation_meta=highwire_tags(parsed.note) if cite_key else [],
        paper_type=paper_type(parsed.note),
        bibtex=bibtex_entry(parsed.note, cite_key, parsed.bibtex) if cite_key else "",
        bib_path=note_bib_path(parsed.note.slug),
        cite_key=cite_key,
        canonical_url=context.config.base_url + quote(path) if context.config.base_url else None,
        lineage=_lineage(parsed, context, path),
        related=_related(parsed, context, path),
        dates=site.dates.get(parsed.note.slug),
        is_paper=bool(cite_key),
        section=context.card(site.section_of[parsed.note.slug]) if parsed.note.slug in site.section_of else None,
        section_contents=[
            ListedCard(context, s, excerpt=context.excerpt(s), entry=context.card_entry(s, path))
            for s in site.sections.get(parsed.note.slug, ())
        ],
        nav=nearby(context, path),
        edit_url=context.config.edit_url + quote(parsed.note.relative) if context.config.edit_url else None,
        **neighbours,
    )
    return content, body


def _backlinks(parsed: ParsedNote, context: PageContext, path: str) -> list[ListedCard]:
    return [
        ListedCard(context, b.source_slug, context=b.context, link=context.card_link(b.source_slug, path))
        for b in context.site.backlinks.get(parsed.note.slug, ())
    ]


def _lineage(parsed: ParsedNote, context: PageContext, path: str) -> dict:
    """The note's ancestors and descendants in the `builds_on` graph, oldest first."""
    slug = parsed.note.slug
    lineage = context.site.lineage
    return Fields(
        ancestors=[ListedCard(context, s, entry=context.card_entry(s, path)) for s in lineage.ancestors.get(slug, ())],
        descendants=[
            ListedCard(context, s, entry=context.card_entry(s, path)) for s in lineage.descendants.get(slug, ())
        ],
    )


def _related(parsed: ParsedNote, context: PageContext, path: str) -> list[ListedCard]:
    entry = context.card_entry
    return [
        ListedCard(context, r.slug, relations=r.relations, shared_tags=r.shared_tags, entry=entry(r.slug, path))
        for r in context.site.related.get(parsed.note.slug, ())
    ]


def paper_links(parsed: ParsedNote) -> list[Fields]:
    """The paper's own places on the web: arXiv abstract and PDF, PDF, code, DOI, homepage."""
    note = parsed.note
    links: list[Fields] = []
    if note.arxiv:
        links.append(Fields(label="arXiv", url=f"https://arxiv.org/abs/{note.arxiv}"))
        links.append(Fields(label="PDF", url=f"https://arxiv.org/pdf/{note.arxiv}"))
    elif note.pdf:
        links.append(Fields(label="PDF", url=note.pdf))
    if note.code:
        links.append(Fields(label="Code", url=note.code))
    if note.doi:
        links.append(Fields(label="DOI", url=f"https://doi.org/{note.doi}"))
    if note.url:
        links.append(Fields(label="Web", url=note.url))
    return links


def _previews(parsed: ParsedNote, context: PageContext, path: str, also: list[str]) -> tuple[list[PreviewCard], str]:
    """Preview data for every other note this page links to, so hovering works offline; and the same as JSON."""
    site = context.site
    slugs = {r.target_slug for r in site.links.get(parsed.note.slug, ()) if r.target_slug} | set(also)
    slugs |= set(parsed.note.builds_on) | {b.source_slug for b in site.backlinks.get(parsed.note.slug, ())}
    slugs.discard(parsed.note.slug)
    folder = path.rpartition("/")[0]  # a card's URL is relative to the page's folder: pages in one folder share it
    names = [f"{folder}/{slug}" for slug in sorted(slugs) if slug in site.by_slug]
    cards = [
        context.remember("preview", name, partial(preview_card, site.by_slug[name[len(folder) + 1 :]], context, path))
        for name in names
    ]
    as_json = context.renderer.to_json
    # as `tojson` writes the list: its items' JSON, each made once per folder, between brackets
    items = [
        context.remember("preview json", name, partial(as_json, card)) for name, card in zip(names, cards, strict=True)
    ]
    return cards, "[" + ", ".join(items) + "]"
