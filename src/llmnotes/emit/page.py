"""Standalone pages from pages/ (all but the home page's introduction), each with its template and data."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..content.assemble import HOME_PATH
from ..model import Output, ParsedNote
from . import one_page
from .cards import linked_body, short_digest
from .context import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    site = context.site
    all_paths = ""  # the template may link to any note: digested once, if there is a page (10 ms at 10,000 notes)
    for parsed in site.pages:
        path = site.paths[parsed.note.slug]
        if path == HOME_PATH:
            continue
        all_paths = all_paths or short_digest(repr(sorted(site.paths.items())))
        yield one_page(path, (context.body_key(parsed), all_paths), partial(_render, context, parsed, path))


def _render(context: PageContext, parsed: ParsedNote, path: str) -> bytes:
    site = context.site
    template = str(parsed.note.extra.get("template") or "page.html")
    data_name = parsed.note.extra.get("data")
    return context.renderer.render(
        template,
        path,
        page=parsed.note,
        body=linked_body(parsed, site, path),
        page_data=site.data.get(str(data_name)) if data_name else None,
        note_paths=site.paths,
    )
