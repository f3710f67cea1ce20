"""The theme's static files (site overrides first) and the Pygments stylesheet for both colour schemes."""

from __future__ import annotations

from collections.abc import Iterator

from ..markdown.highlight import stylesheet
from ..model import Output, Page
from .context import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    files = tuple((name, digest) for name, digest in sorted(context.theme.items()) if name.startswith("static/"))
    yield Output("static/", files, lambda: _files(context))


def _files(context: PageContext) -> list[Page]:
    found: dict[str, bytes] = {}
    for theme_dir in context.renderer.theme_dirs:
        static_dir = theme_dir / "static"
        if not static_dir.is_dir():
            continue
        for path in sorted(static_dir.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                found.setdefault("static/" + path.relative_to(static_dir).as_posix(), path.read_bytes())
    found["static/pygments.css"] = stylesheet().encode("utf-8")
    return [Page(path, found[path]) for path in sorted(found)]
