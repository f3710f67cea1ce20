"""The files of notes/ that are not notes (images, PDFs…), copied to the same place under the site's notes/."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from ..model import Output, Page
from .context import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    for asset in context.site.assets:
        path = f"notes/{asset.relative}"
        yield Output(path, (asset.digest,), partial(_copy, asset.path, path))


def _copy(source: Path, path: str) -> list[Page]:
    return [Page(path, source.read_bytes())]
