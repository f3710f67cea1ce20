"""One page per note: the paper's facts, meta tags and BibTeX, the linked body, lineage, related, backlinks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from urllib.parse import quote

from ..cite import bibtex_entry, highwire_tags, paper_type
from ..links import mark_external
from ..model import Output, Page, ParsedNote
from ..paths import note_path
from . import PageContext, PreviewCard, linked_body, preview_card, short_digest
from .bibliography import note_bib_path
from .nav import nearby, nearby_key

TOC_MIN_HEADINGS = 3


def emit(context: PageContext) -> Iterator[Output]:
    chronological = list(reversed(context.site.notes))
    for position, parsed in enumerate(chronological):
        previous = chronological[position - 1] if position > 0 else None
        following = chronological[position + 1] if position + 1 < len(chronological) else None
        path = note_path(parsed.note.slug)
        key = (
            context.body_key(parsed),
            context.remember("key_rest", parsed.note.slug, partial(_key_rest, parsed, context, previous, following)),
        )
        render = partial(_render, context, parsed, path, previous, following)
        yield Output(path, key, partial(_page, path, render))


BODY_OPENING = b'<div class="prose">\n'  # the built-in note.html's; see `_page`


def _page(path: str, render: Callable[[], tuple[bytes, str]]) -> list[Page]:
    """The page, with where its body is when the page holds it right after BODY_OPENING."""
    content, body = render()
    start = content.find(BODY_OPENING) + len(BODY_OPENING)
    encoded = body.encode()
    found = start >= len(BODY_OPENING) and content[start : start + len(encoded)] == encoded
    return [Page(path, content, (start, start + len(encoded)) if found else None)]


def _key_rest(parsed: ParsedNote, context: PageContext, *neighbours: ParsedNote | None) -> str:
    """Everything the page shows but its body: its own note, and the cards of every note it lists, links to or
    previews (see `quick` for why the body's part of the key is apart)."""
    site = context.site
    slug = parsed.note.slug
    card = context.card_key
    return short_digest(
        repr(
            (
                card(slug),
                context.cite_keys().get(slug),
                tuple(card(n.note.slug) if n else None for n in neighbours),
                tuple((b.source_slug, b.context, card(b.source_slug)) for b in site.backlinks.get(slug, ())),
                tuple(card(s) for s in parsed.note.builds_on if s in site.by_slug),
                tuple(card(s) for s in site.lineage.ancestors.get(slug, ())),
                tuple(card(s) for s in site.lineage.descendants.get(slug, ())),
                tuple((r.slug, r.relations, r.shared_tags, card(r.slug)) for r in site.related.get(slug, ())),
                card(site.section_of[slug]) if slug in site.section_of else None,
                tuple(card(s) for s in site.sections.get(slug, ())),
                nearby_key(context, site.paths[slug]),
            )
        )
    )


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
    content = context.renderer.render(
        "note.html",
        path,
        note=parsed.note,
        body=body,
        toc=[h for h in parsed.headings if h.level in (2, 3)] if len(parsed.headings) >= TOC_MIN_HEADINGS else [],
        previews=_previews(parsed, context, path, [n["slug"] for n in neighbours.values() if n]),
        tags=context.card(parsed.note.slug)["tags"],
        builds_on=[context.card(s) for s in parsed.note.builds_on if s in site.by_slug],
        backlinks=_backlinks(parsed, context),
        links_out=paper_links(parsed),
        citation_meta=highwire_tags(parsed.note) if cite_key else [],
        paper_type=paper_type(parsed.note),
        bibtex=bibtex_entry(parsed.note, cite_key) if cite_key else "",
        bib_path=note_bib_path(parsed.note.slug),
        cite_key=cite_key,
        canonical_url=context.config.base_url + quote(path) if context.config.base_url else None,
        lineage=_lineage(parsed, context),
        related=_related(parsed, context),
        dates=site.dates.get(parsed.note.slug),
        is_paper=bool(cite_key),
        section=context.card(site.section_of[parsed.note.slug]) if parsed.note.slug in site.section_of else None,
        section_contents=[
            {**context.card(s), "excerpt": context.excerpt(s)} for s in site.sections.get(parsed.note.slug, ())
        ],
        nav=nearby(context, path),
        edit_url=context.config.edit_url + quote(parsed.note.relative) if context.config.edit_url else None,
        **neighbours,
    )
    return content, body


def _backlinks(parsed: ParsedNote, context: PageContext) -> list[dict]:
    return [
        {**context.card(b.source_slug), "context": b.context} for b in context.site.backlinks.get(parsed.note.slug, ())
    ]


def _lineage(parsed: ParsedNote, context: PageContext) -> dict:
    """The note's ancestors and descendants in the `builds_on` graph, oldest first."""
    slug = parsed.note.slug
    lineage = context.site.lineage
    return {
        "ancestors": [context.card(s) for s in lineage.ancestors.get(slug, ())],
        "descendants": [context.card(s) for s in lineage.descendants.get(slug, ())],
    }


def _related(parsed: ParsedNote, context: PageContext) -> list[dict]:
    return [
        {**context.card(r.slug), "relations": r.relations, "shared_tags": r.shared_tags}
        for r in context.site.related.get(parsed.note.slug, ())
    ]


def paper_links(parsed: ParsedNote) -> list[dict]:
    """The paper's own places on the web: arXiv abstract and PDF, PDF, code, DOI, homepage."""
    note = parsed.note
    links = []
    if note.arxiv:
        links.append({"label": "arXiv", "url": f"https://arxiv.org/abs/{note.arxiv}"})
        links.append({"label": "PDF", "url": f"https://arxiv.org/pdf/{note.arxiv}"})
    elif note.pdf:
        links.append({"label": "PDF", "url": note.pdf})
    if note.code:
        links.append({"label": "Code", "url": note.code})
    if note.doi:
        links.append({"label": "DOI", "url": f"https://doi.org/{note.doi}"})
    if note.url:
        links.append({"label": "Web", "url": note.url})
    return links


def _previews(parsed: ParsedNote, context: PageContext, path: str, also: list[str]) -> list[PreviewCard]:
    """Preview data for every other note this page links to, so hovering works offline."""
    site = context.site
    slugs = {r.target_slug for r in site.links.get(parsed.note.slug, ()) if r.target_slug} | set(also)
    slugs |= set(parsed.note.builds_on) | {b.source_slug for b in site.backlinks.get(parsed.note.slug, ())}
    slugs.discard(parsed.note.slug)
    folder = path.rpartition("/")[0]  # a card's URL is relative to the page's folder: pages in one folder share it
    return [
        context.remember("preview", f"{folder}/{slug}", partial(preview_card, site.by_slug[slug], context, path))
        for slug in sorted(slugs)
        if slug in site.by_slug
    ]
