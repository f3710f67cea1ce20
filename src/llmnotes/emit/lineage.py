"""The lineage page: the `builds_on` graph drawn as SVG at build time, with the same relations as a list."""

from __future__ import annotations

from collections.abc import Iterator

from ..features.lineage import chronological
from ..features.lineage_svg import render_svg
from ..model import Output
from ..paths import href
from . import Fields, PageContext, one_page

LINEAGE_PATH = "lineage.html"


def emit(context: PageContext) -> Iterator[Output]:
    yield one_page(LINEAGE_PATH, (context.listing_key(),), lambda: _render(context), lists_all=True)


def _render(context: PageContext) -> bytes:
    site = context.site
    # A folder's section page is drawn only when it builds on a note or a note builds on it.
    lineage = site.lineage
    related = {slug for edges in (lineage.parents, lineage.children) for slug, others in edges.items() if others}
    notes = [parsed.note for parsed in site.notes if not parsed.note.is_section or parsed.note.slug in related]
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
