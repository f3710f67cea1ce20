"""The Atom feed of all notes, newest first; URLs are absolute when base_url is set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import quote

from ..model import Note, Output
from ..paths import note_path
from . import PageContext, one_page

FEED_PATH = "atom.xml"


def note_updated(note: Note, dates: tuple[dt.date, dt.date] | None) -> str:
    """An RFC 3339 timestamp: when the note last changed; the paper's year (1 January) when that is unknown."""
    day = dates[1] if dates else (dt.date(note.year, 1, 1) if note.year else dt.date(1970, 1, 1))
    return f"{day.isoformat()}T00:00:00Z"


def emit(context: PageContext) -> Iterator[Output]:
    yield one_page(FEED_PATH, (context.notes_key(),), lambda: _render(context))


def _render(context: PageContext) -> bytes:
    base = context.config.base_url
    entries = [
        {
            "note": parsed.note,
            "link": base + quote(note_path(parsed.note.slug)),
            "id": base + quote(note_path(parsed.note.slug)) if base else f"urn:llmnotes:note:{quote(parsed.note.slug)}",
            "updated": note_updated(parsed.note, context.site.dates.get(parsed.note.slug)),
        }
        for parsed in context.site.notes
    ]
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
    return context.renderer.render("atom.xml", FEED_PATH, entries=entries, updated=updated)
