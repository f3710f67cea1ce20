"""One page per note: the paper's facts, meta tags and BibTeX, the linked body, lineage, related, backlinks."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from ..cite import bibtex_entry, cite_keys, highwire_tags, paper_type
from ..model import Page, ParsedNote, Site
from ..paths import note_path
from . import PageContext, linked_body, mark_external, note_card, preview_card, tag_ref
from .bibliography import note_bib_path

TOC_MIN_HEADINGS = 3


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    chronological = list(reversed(site.notes))
    keys = cite_keys(p.note for p in site.notes)
    for position, parsed in enumerate(chronological):
        path = note_path(parsed.note.slug)
        body = mark_external(linked_body(parsed, site, path))
        neighbours = {
            "previous": note_card(chronological[position - 1], site) if position > 0 else None,
            "next": note_card(chronological[position + 1], site) if position + 1 < len(chronological) else None,
        }
        yield Page(
            path,
            context.renderer.render(
                "note.html",
                path,
                note=parsed.note,
                body=body,
                toc=[h for h in parsed.headings if h.level in (2, 3)]
                if len(parsed.headings) >= TOC_MIN_HEADINGS
                else [],
                previews=_previews(parsed, context, path, [n["slug"] for n in neighbours.values() if n]),
                tags=[tag_ref(name, site) for name in parsed.note.tags],
                builds_on=[note_card(site.by_slug[s], site) for s in parsed.note.builds_on if s in site.by_slug],
                backlinks=_backlinks(parsed, site),
                links_out=paper_links(parsed),
                citation_meta=highwire_tags(parsed.note),
                paper_type=paper_type(parsed.note),
                bibtex=bibtex_entry(parsed.note, keys[parsed.note.slug]),
                bib_path=note_bib_path(parsed.note.slug),
                cite_key=keys[parsed.note.slug],
                canonical_url=context.config.base_url + quote(path) if context.config.base_url else None,
                lineage=_lineage(parsed, site),
                related=_related(parsed, site),
                **neighbours,
            ),
        )


def _backlinks(parsed: ParsedNote, site: Site) -> list[dict]:
    return [
        {**note_card(site.by_slug[b.source_slug], site), "context": b.context}
        for b in site.backlinks.get(parsed.note.slug, ())
    ]


def _lineage(parsed: ParsedNote, site: Site) -> dict:
    """The note's ancestors and descendants in the `builds_on` graph, oldest first."""
    slug = parsed.note.slug
    return {
        "ancestors": [note_card(site.by_slug[s], site) for s in site.lineage.ancestors.get(slug, ())],
        "descendants": [note_card(site.by_slug[s], site) for s in site.lineage.descendants.get(slug, ())],
    }


def _related(parsed: ParsedNote, site: Site) -> list[dict]:
    return [
        {**note_card(site.by_slug[r.slug], site), "relations": r.relations, "shared_tags": r.shared_tags}
        for r in site.related.get(parsed.note.slug, ())
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


def _previews(parsed: ParsedNote, context: PageContext, path: str, also: list[str]) -> list[dict]:
    """Preview data for every other note this page links to, so hovering works offline."""
    site = context.site
    slugs = {r.target_slug for r in site.links.get(parsed.note.slug, ()) if r.target_slug} | set(also)
    slugs |= set(parsed.note.builds_on) | {b.source_slug for b in site.backlinks.get(parsed.note.slug, ())}
    slugs.discard(parsed.note.slug)
    return [preview_card(site.by_slug[slug], context, path) for slug in sorted(slugs) if slug in site.by_slug]
