"""The search index files under static/search/: manifest, token shards and display-data shards."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Page
from ..search import build_search_index
from . import PageContext


def emit(context: PageContext) -> Iterator[Page]:
    for path, content in build_search_index(context.site).items():
        yield Page(path, content)
