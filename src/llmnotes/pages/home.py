"""The home page: the introduction from pages/index.md, the reading order it sets, and notes by year."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ..model import Output, ParsedNote
from . import PageContext, linked_body, one_page
from .page import HOME_SLUG


def emit(context: PageContext) -> Iterator[Output]:
    path = "index.html"
    home = context.site.by_slug.get(HOME_SLUG)
    home = home if home is not None and home.note.kind == "page" else None
    key = (context.body_key(home) if home else None, context.notes_key())
    yield one_page(path, key, lambda: _render(context, home, path))


def _render(context: PageContext, home: ParsedNote | None, path: str) -> bytes:
    site = context.site
    years = [
        {"year": year, "notes": [context.card(p.note.slug) for p in group]}
        for year, group in groupby(site.notes, key=lambda p: p.note.year)
    ]
    order = home.note.extra.get("reading_order", []) if home else []
    return context.renderer.render(
        "home.html",
        path,
        intro=linked_body(home, site, path) if home else None,
        intro_title=home.note.title if home else None,
        reading_order=[context.card(slug) for slug in order],
        years=years,
        note_count=len(site.notes),
    )
