"""The lineage page: the `builds_on` graph drawn as SVG at build time, with the same relations as a list."""

from __future__ import annotations

from collections.abc import Iterator

from ..features.lineage import chronological
from ..features.lineage_svg import render_svg
from ..model import Note, Output
from ..paths import href
from . import one_page
from .cards import Fields, short_digest
from .context import PageContext

LINEAGE_PATH = "lineage.html"


def emit(context: PageContext) -> Iterator[Output]:
    notes = in_lineage(context)
    # What the page shows of each note it draws, and its edges: an edit of a note outside the graph, or of a note's
    # first paragraph, leaves the page alone.
    key = short_digest(repr([context.listing_fields(note) for note in notes]))
    yield one_page(LINEAGE_PATH, (key,), lambda: _render(context, notes), lists_all=True)


def in_lineage(context: PageContext) -> list[Note]:
    """The notes the lineage draws, in the site's order: those that build on a note or that a note builds on. A
    note with neither has no lineage to draw: a site of 3,751 notes none of which builds on another drew a column of
    3,751 unconnected boxes, 195,000 pixels tall."""
    lineage = context.site.lineage
    related = {slug for edges in (lineage.parents, lineage.children) for slug, others in edges.items() if others}
    return [parsed.note for parsed in context.site.notes if parsed.note.slug in related]


def _render(context: PageContext, notes: list[Note]) -> bytes:
    site = context.site
    t = context.renderer.strings
    svg = render_svg(
        notes,
        site.lineage,
        href=lambda slug: href(LINEAGE_PATH, site.paths[slug]),
        title=t["lineage_title"],
        year_label=lambda year: str(year) if year else t["undated"],
    )
    rows = [
        Fields(context.card(note.slug), parents=[context.card(s) for s in site.lineage.parents.get(note.slug, ())])
        for note in sorted(notes, key=chronological)
    ]
    return context.renderer.render("lineage.html", LINEAGE_PATH, svg=svg, rows=rows)
