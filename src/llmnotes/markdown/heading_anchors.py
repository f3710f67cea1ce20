"""Append a `#` permalink to every heading that has an id (ids come from the anchors plugin)."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


def plugin(md: MarkdownIt) -> None:
    md.add_render_rule("heading_close", _heading_close)


def _heading_close(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opening = tokens[idx - 2] if idx >= 2 else None
    heading_id = opening.attrGet("id") if opening is not None and opening.type == "heading_open" else None
    close = f"</{tokens[idx].tag}>\n"
    if not heading_id:
        return close
    anchor = escapeHtml(str(heading_id))
    return f'<a class="anchor" href="#{anchor}" aria-hidden="true" tabindex="-1">#</a>{close}'
