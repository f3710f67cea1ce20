"""The search index files under static/search/: manifest, token shards and display-data shards."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Output, Page
from ..search import ROOT, build_search_index, site_documents_in_order
from . import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    documents = site_documents_in_order(context.site)
    key = tuple((context.body_key(p), context.card_key(p.note.slug)) for p in documents)
    yield Output(ROOT, key, lambda: _files(context), alone=True)


def _files(context: PageContext) -> list[Page]:
    return [Page(path, content) for path, content in build_search_index(context.site).items()]
