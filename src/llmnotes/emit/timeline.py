"""The timeline: papers by year and month, oldest first, with venue and summary, filterable by tag."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ..features.lineage import chronological
from ..model import Output
from ..paths import fold
from . import Fields, PageContext, one_page

TIMELINE_PATH = "timeline.html"


def emit(context: PageContext) -> Iterator[Output]:
    yield one_page(TIMELINE_PATH, (context.listing_key(),), lambda: _render(context), lists_all=True)


def _render(context: PageContext) -> bytes:
    site = context.site
    # A folder's section page lists its notes; it is not a paper of any year (see lineage for the one exception).
    notes = sorted((parsed.note for parsed in site.notes if not parsed.note.is_section), key=chronological)
    month_names = context.renderer.strings["month_names"].split(",")
    years = [
        Fields(
            year=year,
            entries=[
                # the card key covers the month and the tags
                context.card_fragment(
                    "_timeline_entry.html",
                    note.slug,
                    TIMELINE_PATH,
                    month=note.month,
                    month_names=month_names,
                    tag_slugs=" ".join(dict.fromkeys(site.tag_of[fold(name)].slug for name in note.tags)),
                )
                for note in group
            ],
        )
        for year, group in groupby(notes, key=lambda n: n.year)
    ]
    tags = [Fields(name=tag.name, slug=tag.slug, count=len(tag.note_slugs)) for tag in site.tags]
    return context.renderer.render("timeline.html", TIMELINE_PATH, years=years, tags=tags)
