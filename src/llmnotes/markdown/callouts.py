"""Callouts as other tools write them, all as one `admonition` box: MkDocs' `!!! note`, VitePress' `::: tip` and
Obsidian's (and GitHub's) `> [!note] Title` blockquotes, foldable with `???`, `::: details` or `> [!note]-`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.container import container_plugin

# VitePress' container names; `details` folds.
CONTAINERS = ("info", "tip", "warning", "danger", "details", "note", "important", "caution")
_CALLOUT = re.compile(r"\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*([^\n]*)")


def plugin(md: MarkdownIt) -> None:
    md.use(admon_plugin)
    md.use(container_plugin, "callout", validate=_is_container, render=_render_container)  # one rule for all names
    md.core.ruler.after("inline", "callouts", _callouts)


def _is_container(params: str, *_: object) -> bool:
    return params.strip().split(" ", 1)[0].lower() in CONTAINERS


def _render_container(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if token.nesting == -1:
        opens = (t for t in reversed(tokens[:idx]) if t.type == "container_callout_open" and t.level == token.level)
        opening = next(opens)
        return "</details>\n" if _kind(opening) == "details" else "</div>\n"
    kind = _kind(token)
    title = token.info.strip()[len(kind) :].strip() or kind.title()
    return _opening(kind, title, fold="-" if kind == "details" else "")


def _kind(token: Token) -> str:
    return token.info.strip().split(" ", 1)[0].lower()


def _opening(kind: str, title: str, fold: str) -> str:
    """A box's opening tags: a <details> whose <summary> is the title when it folds ("-" closed, "+" open)."""
    if fold:
        is_open = " open" if fold == "+" else ""
        summary = f'<summary class="admonition-title">{escape(title)}</summary>'
        return f'<details class="admonition {kind}"{is_open}>\n{summary}\n'
    return f'<div class="admonition {kind}">\n<p class="admonition-title">{escape(title)}</p>\n'


def _callouts(state: StateCore) -> None:
    """A blockquote whose first line is `[!type] Title` becomes a box; the rest of the quote is its content."""
    if "[!" not in state.src:
        return
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "blockquote_open" or index + 2 >= len(tokens) or tokens[index + 2].type != "inline":
            continue
        inline = tokens[index + 2]
        marker = _CALLOUT.match(inline.content)
        if not marker:
            continue
        kind, fold, title = marker.group(1).lower(), marker.group(2), marker.group(3).strip() or marker.group(1).title()
        closing = next(t for t in tokens[index:] if t.type == "blockquote_close" and t.level == token.level)
        _to_html(token, _opening(kind, title, fold))
        _to_html(closing, "</details>\n" if fold else "</div>\n")
        children = inline.children or []
        breaks = [i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")]
        if breaks:  # the title line goes; the lines after it stay the first paragraph
            inline.children = children[breaks[0] + 1 :]
            inline.content = inline.content.split("\n", 1)[1]
        else:  # the paragraph was the title line alone
            for hidden in tokens[index + 1 : index + 4]:
                _to_html(hidden, "")


def _to_html(token: Token, html: str) -> None:
    token.type, token.tag, token.nesting, token.content, token.children = "html_block", "", 0, html, None
