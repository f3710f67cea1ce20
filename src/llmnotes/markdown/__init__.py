"""The markdown-it instance llmnotes renders notes with, and our plugins (one per module)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from . import callouts, citations, heading_anchors, highlight, linkify, math, raw_html, scroll_regions, wikilinks
from .diagrams import attention_mask, flow


def create_parser(raw_html_policy: str = "sanitize", strings: Mapping[str, str] | None = None) -> MarkdownIt:
    """CommonMark plus tables, strikethrough, footnotes, task lists, definition lists, wikilinks, bare URLs as
    links, heading ids that keep CJK text, Pygments highlighting, the diagram fences and callouts (MkDocs,
    VitePress and Obsidian syntax).

    Raw HTML (`raw_html_policy`, see `config.RAW_HTML_POLICIES`): sanitized by an allowlist, shown as text
    ("escape"), or passed through untouched ("allow").

    Code blocks, tables and display formulas can take keyboard focus (they scroll sideways on phones);
    `strings`, the interface strings of the site's language (i18n.interface_strings), name them for screen
    readers.
    """
    labels = scroll_regions.RegionLabels.from_strings(strings)
    code = partial(highlight.highlight_code, labels=labels)
    md = MarkdownIt("commonmark", {"highlight": code}, renderer_cls=raw_html.Renderer)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin, label=True).use(deflist_plugin)  # the item's text names its box
    md.use(anchors_plugin, min_level=1, max_level=6)
    md.use(heading_anchors.plugin)
    md.use(scroll_regions.plugin, labels)
    md.use(wikilinks.plugin)
    md.use(citations.plugin)
    md.use(callouts.plugin)
    md.use(flow.plugin).use(attention_mask.plugin)
    md.use(math.plugin, formula_label=labels.formula)
    md.use(linkify.plugin)
    md.use(raw_html.plugin, raw_html_policy)
    return md
