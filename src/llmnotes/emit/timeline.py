"""The timeline: papers by year and month, oldest first, with venue and summary, filterable by tag."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property, partial
from itertools import groupby
from typing import Any

from markupsafe import Markup

from ..features.lineage import chronological
from ..model import Note, Output, Tag
from ..paths import fold
from . import one_page
from .cards import Fields, short_digest
from .context import PageContext

TIMELINE_PATH = "timeline.html"


def emit(context: PageContext) -> Iterator[Output]:
    yield one_page(TIMELINE_PATH, (context.listing_key(),), lambda: _render(context), lists_all=True)


def _render(context: PageContext) -> bytes:
    site = context.site
    # A folder's section page lists its notes; it is not a paper of any year (see lineage for the one exception).
    notes = sorted((parsed.note for parsed in context.listed()), key=chronological)
    years = [TimelineYear(context, year, list(group)) for year, group in groupby(notes, key=lambda n: n.year)]
    tags = [Fields(name=tag.name, slug=tag.slug, count=len(tag.note_slugs)) for tag in site.tags]
    return context.renderer.render("timeline.html", TIMELINE_PATH, years=years, tags=tags)


class TimelineYear:
    """A year as the timeline shows it: `year`; `section`, its part of the page (the partial _timeline_year.html),
    kept between builds while its notes' cards are the same; `entries`, one _timeline_entry.html per note, made
    only for a template that lists them itself."""

    def __init__(self, context: PageContext, year: int | None, notes: list[Note]) -> None:
        self.context = context
        self.year = year
        self.notes = notes

    @cached_property
    def entries(self) -> list[Markup]:
        context, tag_of = self.context, self.context.site.tag_of
        months = context.renderer.strings["month_names"].split(",")
        return [
            # the card key covers the month and the tags
            context.card_fragment(
                "_timeline_entry.html", note.slug, TIMELINE_PATH, partial(_entry, note, tag_of, months)
            )
            for note in self.notes
        ]

    @cached_property
    def section(self) -> Markup:
        card_key = self.context.card_key
        key = short_digest(repr((self.year, [card_key(note.slug) for note in self.notes])))
        return self.context.renderer.fragment(
            "_timeline_year.html", TIMELINE_PATH, str(self.year), key=key, also=("_timeline_entry.html",), group=self
        )


def _entry(note: Note, tag_of: dict[str, Tag], month_names: list[str]) -> dict[str, Any]:
    """What a timeline entry shows besides the note's card: its month and its tags' pages (to filter by)."""
    tag_slugs = " ".join(dict.fromkeys(tag_of[fold(name)].slug for name in note.tags))
    return {"month": note.month, "month_names": month_names, "tag_slugs": tag_slugs}
