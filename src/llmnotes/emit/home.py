"""The home page: the introduction (pages/index.md or the notes folder's own index.md), its reading order, the
top sections, and the notes: all of them by year on a small site; on a large one the most recent, with a page of
its own for each year."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from functools import partial
from itertools import groupby
from pathlib import PurePosixPath
from urllib.parse import quote

from ..content.assemble import HOME_PATH
from ..model import Output, ParsedNote
from . import one_page
from .cards import Fields, ListedCard, linked_body, short_digest
from .context import PageContext

LIST_ALL_UP_TO = 100  # notes a home page lists in full, by year; beyond, recent ones and a page per year
RECENT = 30


def emit(context: PageContext) -> Iterator[Output]:
    site = context.site
    home = next((p for p in site.pages if site.paths[p.note.slug] == HOME_PATH), None)
    sections = top_sections(context)
    key = (context.body_key(home) if home else None, notes_key(context, home), sections_key(context, sections))
    yield one_page(HOME_PATH, key, partial(_render, context, home, sections))
    if len(context.listed()) > LIST_ALL_UP_TO:
        for year, group in groupby(context.listed(), key=lambda p: p.note.year):
            slugs = [p.note.slug for p in group]
            path = year_path(year)
            year_key = short_digest(" ".join(context.card_key(slug) for slug in slugs))
            yield one_page(
                path, (year, year_key), partial(_render_year, context, year, slugs, path), keeps_partials=True
            )


def year_path(year: int | None) -> str:
    return f"years/{year or 'undated'}.html"


def top_sections(context: PageContext) -> list[tuple[str, int]]:
    """The sections at the top of the notes folder, with how many notes (not section pages) each holds at any depth."""
    site = context.site
    if not site.sections:
        return []
    page_slugs = {p.note.slug for p in site.pages}  # the home page, when it is the notes folder's own index
    counts: dict[str, int] = {}
    for parsed in site.notes:
        if parsed.note.is_section:
            continue
        above = site.section_of.get(parsed.note.slug)
        while above is not None and above not in page_slugs:
            counts[above] = counts.get(above, 0) + 1
            above = site.section_of.get(above)
    tops = [s for s in site.sections if s not in page_slugs and site.section_of.get(s) in page_slugs | {None}]
    tops.sort(key=lambda s: PurePosixPath(site.by_slug[s].note.relative).parts)
    return [(slug, counts.get(slug, 0)) for slug in tops]


def notes_key(context: PageContext, home: ParsedNote | None) -> str:
    """What the home page shows of the notes: all of them on a small site; on a large one the recent notes, each
    year's count and the reading order, so that an edit of another note leaves it alone."""
    site = context.site
    listed = context.listed()
    if len(listed) <= LIST_ALL_UP_TO:
        return context.notes_key()
    counts = [(year, sum(1 for _ in group)) for year, group in groupby(listed, key=lambda p: p.note.year)]
    order = home.note.extra.get("reading_order") if home else None
    shown = [p.note.slug for p in recent_notes(context)]
    if isinstance(order, list):
        shown += [slug for slug in order if isinstance(slug, str) and slug in site.by_slug]
    return short_digest(repr((counts, [context.card_key(slug) for slug in shown])))


def sections_key(context: PageContext, sections: list[tuple[str, int]]) -> str:
    return short_digest(repr([(context.card_key(slug), count) for slug, count in sections]))


def _render(context: PageContext, home: ParsedNote | None, sections: list[tuple[str, int]]) -> bytes:
    site = context.site
    listed = context.listed()
    full = len(listed) <= LIST_ALL_UP_TO
    years = [
        Fields(
            year=year,
            path=year_path(year),
            count=len(notes := list(group)),
            notes=[context.card(p.note.slug) for p in notes] if full else [],
        )
        for year, group in groupby(listed, key=lambda p: p.note.year)
    ]
    order = home.note.extra.get("reading_order", []) if home else []
    return context.renderer.render(
        "home.html",
        HOME_PATH,
        intro=files_from_site_root(linked_body(home, site, HOME_PATH), home) if home else None,
        intro_title=_title(home),
        reading_order=[context.card(slug) for slug in order],
        sections=[Fields(context.card(slug), count=count) for slug, count in sections],
        recent=[] if full else [context.card(p.note.slug) for p in recent_notes(context)],
        years=years,
        note_count=len(listed),
    )


_FILE_URL = re.compile(r'\b(src|href)="([^"#?]+)([^"]*)"')


def files_from_site_root(body: str, home: ParsedNote) -> str:
    """The body of the notes folder's own index.md, shown at the site's root: its images and links to other files
    of the notes folder, which the parser points at from the notes/ folder of the site, get that folder in front."""
    files = {quote(target, safe="/-._~") for target, _ in home.assets}
    if not files:
        return body

    def from_root(match: re.Match[str]) -> str:
        attribute, path, rest = match.groups()
        return f'{attribute}="notes/{path}{rest}"' if path in files else match.group(0)

    return _FILE_URL.sub(from_root, body)


def _title(home: ParsedNote | None) -> str | None:
    """The home page's own title; none for an index.md without a title or heading, which the file name names."""
    if home is None or home.note.title == PurePosixPath(home.note.relative or home.note.source).stem:
        return None
    return home.note.title


def recent_notes(context: PageContext) -> list[ParsedNote]:
    """The notes written last (by `date:` or their first commit), then the site's order; once per build."""
    return context.remember("recent notes", "", partial(_recent_notes, context))


def _recent_notes(context: PageContext) -> list[ParsedNote]:
    dates, listed = context.site.dates, context.listed()
    written_last = (
        (-(found[0].toordinal() if (found := dates.get(parsed.note.slug)) else 0), number)
        for number, parsed in enumerate(listed)
    )
    return [listed[number] for _, number in heapq.nsmallest(RECENT, written_last)]


def _render_year(context: PageContext, year: int | None, slugs: list[str], path: str) -> bytes:
    notes = [ListedCard(context, slug, item=context.note_item(slug, path)) for slug in slugs]
    return context.renderer.render("year.html", path, year=year, notes=notes)
