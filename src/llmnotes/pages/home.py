"""The home page: the introduction from pages/index.md, the reading order it sets, and notes by year."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ..model import Page
from . import PageContext, linked_body, note_card
from .page import HOME_SLUG


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    path = "index.html"
    home = site.by_slug.get(HOME_SLUG)
    home = home if home is not None and home.note.kind == "page" else None
    years = [
        {"year": year, "notes": [note_card(p, site) for p in group]}
        for year, group in groupby(site.notes, key=lambda p: p.note.year)
    ]
    order = home.note.extra.get("reading_order", []) if home else []
    yield Page(
        path,
        context.renderer.render(
            "home.html",
            path,
            intro=linked_body(home, site, path) if home else None,
            intro_title=home.note.title if home else None,
            reading_order=[note_card(site.by_slug[slug], site) for slug in order],
            years=years,
            note_count=len(site.notes),
        ),
    )
