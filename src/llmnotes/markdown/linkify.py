"""Bare URLs become links (linkify-it), as GitHub and Obsidian link them, ending before CJK punctuation."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def plugin(md: MarkdownIt) -> None:
    """`http(s)://`, `ftp://`, `mailto:` and `www.` links and bare e-mail addresses; not `README.md` or `train.py`
    (linkify-it's fuzzy links take any word ending in a country's domain), nor `//host/path`."""
    md.options["linkify"] = True
    md.enable("linkify")
    md.linkify = _Linkify(options={"fuzzy_link": False}).add("//", None)
    md.linkify.add("www.", {"validate": _validate_www, "normalize": _normalize_www})
    md.core.ruler.after("linkify", "linkify_cjk", _end_before_cjk_punctuation)


# Every link this plugin finds holds one of these; linkify-it's own pretest passes nearly any text with a dot.
_MAY_LINK = re.compile(r"(?:https?|ftp|mailto):|www\.|@", re.IGNORECASE)


def may_link(text: str) -> bool:
    """Whether `text` holds what every link this plugin finds holds (a scheme's `:`, `www.` or `@`)."""
    if ":" not in text and "@" not in text and "." not in text:  # substring tests cost less than the pattern's
        return False
    return _MAY_LINK.search(text) is not None


class _Linkify(LinkifyIt):
    def pretest(self, text: str) -> bool:
        """Whether `text` may hold a link: a quick test, so that text without one costs next to nothing."""
        return may_link(text)


def _validate_www(self: Any, text: str, pos: int) -> int:
    """How many characters after `www.` belong to the link: a host name with a known top-level domain, and a path."""
    pattern = self.re.get("www")
    if pattern is None:
        pattern = self.re["www"] = re.compile(self.re["src_host_port_strict"] + self.re["src_path"], re.IGNORECASE)
    found = pattern.match(text, pos)
    return len(found.group()) if found else 0


def _normalize_www(self: Any, match: Any) -> None:
    match.url = "http://" + match.url


def _cut(text: str) -> int:
    """Where a linkified URL stops: at the first punctuation outside ASCII (`，。；）」` …), which Chinese and
    Japanese text puts right after a URL without a space and no URL writes unencoded."""
    for position, character in enumerate(text):
        if ord(character) > 127 and unicodedata.category(character).startswith("P"):
            return position
    return len(text)


def _end_before_cjk_punctuation(state: StateCore) -> None:
    if not may_link(state.src):  # no link was found in any paragraph of it
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = block.children
        found = [i for i, child in enumerate(children) if child.markup == "linkify" and child.type == "link_open"]
        for index in reversed(found):  # from the end: a token put after a link moves none of those before it
            if index + 2 >= len(children):
                continue
            opening, text = children[index], children[index + 1]
            if text.type != "text" or text.content.isascii():  # ASCII has no CJK punctuation to end before
                continue
            cut = _cut(text.content)
            if cut == len(text.content):
                continue
            rest = Token("text", "", 0)
            rest.content = text.content[cut:]
            text.content = text.content[:cut]
            url = text.content
            if url.startswith("www."):
                url = "http://" + url
            elif "@" in url and ":" not in url:
                url = "mailto:" + url
            opening.attrSet("href", state.md.normalizeLink(url))
            children.insert(index + 3, rest)  # after the link's closing token
