"""The markdown-it instance llmnotes renders notes with, and our plugins (one per module)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from . import attention_mask, callouts, flow, heading_anchors, highlight, linkify, math, raw_html, wikilinks


def create_parser(raw_html_policy: str = "sanitize") -> MarkdownIt:
    """CommonMark plus tables, strikethrough, footnotes, task lists, definition lists, wikilinks, bare URLs as
    links, heading ids that keep CJK text, Pygments highlighting, the diagram fences and callouts (MkDocs,
    VitePress and Obsidian syntax).

    Raw HTML (`raw_html_policy`, see `config.RAW_HTML_POLICIES`): sanitized by an allowlist, shown as text
    ("escape"), or passed through untouched ("allow").
    """
    md = MarkdownIt("commonmark", {"highlight": highlight.highlight_code}, renderer_cls=raw_html.Renderer)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6)
    md.use(heading_anchors.plugin)
    md.use(wikilinks.plugin)
    md.use(callouts.plugin)
    md.use(flow.plugin).use(attention_mask.plugin)
    md.use(math.plugin)
    md.use(linkify.plugin)
    md.use(raw_html.plugin, raw_html_policy)
    return md
