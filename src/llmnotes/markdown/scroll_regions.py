"""Code blocks, tables and formulas, which scroll sideways on narrow screens, as named groups a keyboard can focus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token


@dataclass(frozen=True)
class RegionLabels:
    """The accessible names of scrolling blocks, in the site's language (templates/i18n/ holds them)."""

    code: str = "Code"
    code_in: str = "{language} code"  # a fence with a language: "python code"
    table: str = "Table"
    formula: str = "Formula"  # a display formula (math.py)

    @classmethod
    def from_strings(cls, strings: Mapping[str, str] | None) -> RegionLabels:
        if not strings:
            return ENGLISH
        return cls(strings["code_block"], strings["code_block_in"], strings["table"], strings["formula"])

    def for_code(self, language: str) -> str:
        return self.code_in.format(language=language) if language else self.code


ENGLISH = RegionLabels()


def focusable(label: str) -> str:
    """The attributes that let a keyboard reach and scroll a block, and tell a screen reader what it is.

    A group rather than a region: a note with twenty code blocks should not have twenty landmarks."""
    return f' tabindex="0" role="group" aria-label="{escapeHtml(label)}"'


def plugin(md: MarkdownIt, labels: RegionLabels) -> None:
    """Tables inside a focusable scrolling wrapper, indented code like fenced code (fences: highlight.py)."""

    def table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        opening = str(self.renderToken(tokens, idx, options, env))
        return f'<div class="table-scroll"{focusable(labels.table)}>\n' + opening

    def table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"

    def code_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f"<pre{focusable(labels.code)}><code>{escapeHtml(tokens[idx].content)}</code></pre>\n"

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("code_block", code_block)
