"""The 404 page; with base_url its links are absolute, since a server shows it at any depth."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Output
from . import one_page
from .context import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    path = "404.html"
    yield one_page(path, (), lambda: context.renderer.render("404.html", path, absolute_root=context.config.base_url))
