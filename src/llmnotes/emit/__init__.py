"""Emitters: one small module per page kind, each yielding `Page`s from the assembled `Site`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..model import Output, Page

if TYPE_CHECKING:  # for type hints only: a module of the package (emit.fragments) is imported without the context
    from .context import PageContext


def one_page(
    path: str, key: tuple | None, render: Callable[[], bytes], lists_all: bool = False, keeps_partials: bool = False
) -> Output:
    """An output that is a single file; `lists_all` when it lists every note, `keeps_partials` many (see Output)."""
    return Output(path, key, lambda: [Page(path, render())], lists_all=lists_all, keeps_partials=keeps_partials)


def all_outputs(context: PageContext) -> list[Output]:
    """Every output of the site, in a stable order, none rendered yet."""
    firsts = first_outputs(context)
    return [*firsts, *other_outputs(context, firsts)]


def shown_first(context: PageContext, slugs: list[str]) -> list[Output]:
    """What a reader of these notes' pages loads: the pages (without keys), the section tree and the theme's static
    files (a server answers them before the rest of its build: see engine.outputs.look_first)."""
    from . import nav, note, static

    return [*note.own_pages(context, slugs), *nav.emit(context), *static.emit(context)]


def open_pages(context: PageContext, paths: Iterable[str]) -> list[Output]:
    """The pages of these paths that render alone without keys (a note's, a tag's): a server shows the pages open
    in its readers' browsers first after an edit (see engine.outputs.look_at_open), whatever the edit was (a
    template's: the tag page open; a retitle: the page of another note that links to it)."""
    from . import note, tags

    found: list[Output] = []
    for path in paths:
        item = note.page_at(context, path) or tags.page_at(context, path)
        if item is not None:
            found.append(item)
    return found


def first_outputs(context: PageContext) -> list[Output]:
    """The outputs quick to key and long to render: the search index (its patch after an edit takes seconds) and
    the pages that list every note, or many (see Output.lists_all)."""
    from . import feed, home, lineage, search_index, tags, timeline

    emitters: list[Callable[[PageContext], Iterable[Output]]] = [
        search_index.emit,
        home.emit,
        tags.emit,
        feed.emit,
        lineage.emit,
        timeline.emit,
    ]
    return [output for emit in emitters for output in emit(context)]


def other_outputs(context: PageContext, firsts: list[Output]) -> list[Output]:
    """The outputs besides `firsts`: a page per note, the bibliography, static files..."""
    from . import assets, bibliography, nav, not_found, note, page, sitemap, static

    emitters: list[Callable[[PageContext], Iterable[Output]]] = [
        note.emit,
        page.emit,
        not_found.emit,
        static.emit,
        assets.emit,
        bibliography.emit,
        nav.emit,
    ]
    outputs = [output for emit in emitters for output in emit(context)]
    outputs.extend(sitemap.emit(context, [o.name for o in (*firsts, *outputs)]))
    return outputs
