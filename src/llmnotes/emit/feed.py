"""The Atom feed of the notes changed last, the latest first; URLs are absolute when base_url is set."""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import uuid
from collections.abc import Iterator
from urllib.parse import quote

from ..config import Config
from ..engine.history import repository
from ..model import Note, Output, ParsedNote
from ..paths import note_path
from . import one_page
from .cards import short_digest
from .context import PageContext

FEED_PATH = "atom.xml"


def note_updated(note: Note, dates: tuple[dt.date, dt.date] | None) -> str:
    """An RFC 3339 timestamp: when the note last changed; the paper's year (1 January) when that is unknown."""
    return f"{_changed_on(note, dates).isoformat()}T00:00:00Z"


def _changed_on(note: Note, dates: tuple[dt.date, dt.date] | None) -> dt.date:
    return dates[1] if dates else (dt.date(note.year, 1, 1) if note.year else dt.date(1970, 1, 1))


def site_identity(config: Config) -> str:
    """What tells this site from every other, for feed ids that no other site's entries can share in a reader,
    and that stay the same from build to build: the site's address; without one, its repository's first commit
    (the same in every clone) and its folder there; outside git, its settings."""
    if config.base_url:
        return config.base_url
    found = repository(config.root)
    if found is not None and found.first_commit:
        return f"git {found.first_commit} {found.folder}"
    return repr(("settings", config.title, config.author, config.description, config.language, config.repo_url))


def feed_ids(identity: str, slugs: list[str]) -> tuple[str, dict[str, str]]:
    """The feed's id and each note's entry id, as `urn:uuid:` URIs derived from the site's identity."""
    site = uuid.uuid5(uuid.NAMESPACE_URL, f"llmnotes:{identity}")
    return site.urn, {slug: _uuid5_urn(site.bytes, slug) for slug in slugs}


def _uuid5_urn(namespace: bytes, name: str) -> str:
    """`uuid.uuid5(namespace, name).urn` (RFC 4122's name-based UUID), without making a UUID object: a tenth of the
    feed's time at 10,000 entries went to those."""
    digits = bytearray(hashlib.sha1(namespace + name.encode()).digest()[:16])
    digits[6] = (digits[6] & 0x0F) | 0x50  # version 5
    digits[8] = (digits[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digits.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def emit(context: PageContext) -> Iterator[Output]:
    """The feed of the notes changed last (`feed_limit` of them; 0: every note), keyed on what it shows of them."""
    identity = site_identity(context.config)
    latest = latest_changed(context)
    key = (identity, short_digest(" ".join(context.card_key(parsed.note.slug) for parsed in latest)))
    yield one_page(FEED_PATH, key, lambda: _render(context, identity, latest), lists_all=True)


def latest_changed(context: PageContext) -> list[ParsedNote]:
    """The notes the feed holds: the `feed_limit` changed last, the latest first, and notes changed on the same day
    in the site's order (not the folders' own pages). A feed of every note of a large site is megabytes that each
    reader fetches again on every poll, and rendered again on every edit of any note."""
    listed = context.listed()
    dates = context.site.dates
    days = [_changed_on(parsed.note, dates.get(parsed.note.slug)) for parsed in listed]
    limit = context.config.feed_limit or len(listed)
    latest = heapq.nsmallest(limit, range(len(listed)), key=lambda number: (-days[number].toordinal(), number))
    return [listed[number] for number in latest]


def _render(context: PageContext, identity: str, latest: list[ParsedNote]) -> bytes:
    base = context.config.base_url
    feed_id, entry_ids = feed_ids(identity, [parsed.note.slug for parsed in latest])
    changed = {p.note.slug: note_updated(p.note, context.site.dates.get(p.note.slug)) for p in latest}
    entries = []
    for parsed in latest:
        slug = parsed.note.slug
        link = base + quote(note_path(slug))
        entry_id = link if base else entry_ids[slug]
        entries.append(
            context.renderer.fragment(
                "_feed_entry.xml",
                FEED_PATH,
                slug,
                key=f"{context.card_key(slug)} {entry_id} {link} {changed[slug]}",  # the card covers the note
                note=parsed.note,
                link=link,
                entry_id=entry_id,
                updated=changed[slug],
            )
        )
    updated = max(changed.values(), default="1970-01-01T00:00:00Z")
    return context.renderer.render("atom.xml", FEED_PATH, entries=entries, updated=updated, feed_id=base or feed_id)
