"""The home page: the collection's introduction and every note grouped by year, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ..model import Page
from . import PageContext, note_card


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    years = [
        {"year": year, "notes": [note_card(p, site) for p in group]}
        for year, group in groupby(site.notes, key=lambda p: p.note.year)
    ]
    path = "index.html"
    yield Page(path, context.renderer.render("home.html", path, years=years, note_count=len(site.notes)))
