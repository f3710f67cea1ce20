"""Highlight fenced code with Pygments at build time; the theme's CSS colours the classes."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.common.utils import escapeHtml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .scroll_regions import ENGLISH, RegionLabels, focusable

_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight_code(code: str, language: str, _attrs: str, labels: RegionLabels = ENGLISH) -> str:
    """Return `<pre><code>` with Pygments spans, or plain escaped code for an unknown language; the `<pre>` can
    take focus, so a keyboard can scroll a long line into view."""
    return _highlighted(code, language, labels)


@lru_cache(maxsize=1024)
def _highlighted(code: str, language: str, labels: RegionLabels) -> str:
    """highlight_code, once per block, language and labels in a process: notes repeat their code."""
    lexer = _lexer(language.lower()) if language else None
    body = highlight(code, lexer, _FORMATTER) if lexer else escapeHtml(code)
    language_class = f' class="language-{escapeHtml(language)}"' if language else ""
    return f'<pre class="highlight"{focusable(labels.for_code(language))}><code{language_class}>{body}</code></pre>'


def stylesheet(light_style: str = "default", dark_style: str = "github-dark") -> str:
    """CSS for both themes: light by default, dark under `[data-theme=dark]` or the system preference."""
    light = HtmlFormatter(style=light_style).get_style_defs(".highlight")
    dark_rules = HtmlFormatter(style=dark_style).get_style_defs(":root[data-theme=dark] .highlight")
    system_dark = HtmlFormatter(style=dark_style).get_style_defs(":root:not([data-theme=light]) .highlight")
    return f"{light}\n{dark_rules}\n@media (prefers-color-scheme: dark) {{\n{system_dark}\n}}\n"
