"""The timeline: papers by year and month, oldest first, with venue and summary, filterable by tag."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ..lineage import chronological
from ..model import Page
from ..paths import fold
from . import PageContext, note_card

TIMELINE_PATH = "timeline.html"


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    notes = sorted((parsed.note for parsed in site.notes), key=chronological)
    years = [
        {
            "year": year,
            "entries": [
                {
                    **note_card(site.by_slug[note.slug], site),
                    "month": note.month,
                    "tag_slugs": " ".join(dict.fromkeys(site.tag_of[fold(name)].slug for name in note.tags)),
                }
                for note in group
            ],
        }
        for year, group in groupby(notes, key=lambda n: n.year)
    ]
    tags = [{"name": tag.name, "slug": tag.slug, "count": len(tag.note_slugs)} for tag in site.tags]
    yield Page(TIMELINE_PATH, context.renderer.render("timeline.html", TIMELINE_PATH, years=years, tags=tags))
