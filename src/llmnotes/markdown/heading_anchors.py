"""Append a `#` permalink to every heading that has an id (ids come from the anchors plugin)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml


def plugin(md: MarkdownIt) -> None:
    md.add_render_rule("heading_close", _heading_close)


def _heading_close(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    opening = tokens[idx - 2] if idx >= 2 else None
    heading_id = opening.attrGet("id") if opening is not None and opening.type == "heading_open" else None
    close = f"</{tokens[idx].tag}>\n"
    if not heading_id:
        return close
    anchor = escapeHtml(str(heading_id))
    return f'<a class="anchor" href="#{anchor}" aria-hidden="true" tabindex="-1">#</a>{close}'
