"""sitemap.xml listing every HTML page but the 404; absolute URLs when base_url is set."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from ..model import Page
from . import PageContext

SITEMAP_PATH = "sitemap.xml"


def emit(context: PageContext, pages: list[Page]) -> Iterator[Page]:
    base = context.config.base_url
    paths = sorted(p.path for p in pages if p.path.endswith(".html") and p.path != "404.html")
    urls = [base + quote(path) if base else quote(path) for path in paths]
    yield Page(SITEMAP_PATH, context.renderer.render("sitemap.xml", SITEMAP_PATH, urls=urls))
