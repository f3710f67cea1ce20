"""Standalone pages from pages/ (all but index.md, which is the home page), each with its template and data."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Page
from . import PageContext, linked_body

HOME_SLUG = "index"


def emit(context: PageContext) -> Iterator[Page]:
    site = context.site
    for parsed in site.pages:
        if parsed.note.slug == HOME_SLUG:
            continue
        path = site.paths[parsed.note.slug]
        template = str(parsed.note.extra.get("template") or "page.html")
        data_name = parsed.note.extra.get("data")
        yield Page(
            path,
            context.renderer.render(
                template,
                path,
                page=parsed.note,
                body=linked_body(parsed, site, path),
                page_data=site.data.get(str(data_name)) if data_name else None,
                note_paths=site.paths,
            ),
        )
