"""Highlight fenced code with Pygments at build time; the theme's CSS colours the classes."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markdown_it.common.utils import escapeHtml

from .memo import remembered
from .scroll_regions import ENGLISH, RegionLabels, focusable

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

# Pygments loads on the first block with a language: a one-note edit of a note without code need not import it.


@cache
def _formatter() -> HtmlFormatter:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str, labels: RegionLabels = ENGLISH) -> str:
    """Return `<pre><code>` with Pygments spans, or plain escaped code for an unknown language; the `<pre>` can
    take focus, so a keyboard can scroll a long line into view."""
    return remembered("pygments", (code, language, labels), lambda: _highlighted(code, language, labels))


@lru_cache(maxsize=1024)
def _highlighted(code: str, language: str, labels: RegionLabels) -> str:
    """highlight_code, once per block, language and labels in a process: notes repeat their code."""
    lexer = _lexer(language.lower()) if language else None
    if lexer:
        from pygments import highlight

        body = highlight(code, lexer, _formatter())
    else:
        body = escapeHtml(code)
    language_class = f' class="language-{escapeHtml(language)}"' if language else ""
    return f'<pre class="highlight"{focusable(labels.for_code(language))}><code{language_class}>{body}</code></pre>'


def stylesheet(light_style: str = "default", dark_style: str = "github-dark") -> str:
    """CSS for both themes: light by default, dark under `[data-theme=dark]` or the system preference."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=light_style).get_style_defs(".highlight")
    dark_rules = HtmlFormatter(style=dark_style).get_style_defs(":root[data-theme=dark] .highlight")
    system_dark = HtmlFormatter(style=dark_style).get_style_defs(":root:not([data-theme=light]) .highlight")
    return f"{light}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{system_dark}\n}}\n"
