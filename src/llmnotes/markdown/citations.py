"""Inline rules for pandoc's citations (a `citation` token): `[@key]`, `[see @a, p. 3; @b]`, `[-@key]` (the year
only) and `@key` in the running text (author, then the year in parentheses), `@key [p. 3]` with a locator."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MAX_LENGTH = 1000
# pandoc's keys: a letter, digit or _ first, then those and internal punctuation (followed by one of them, so that
# "@key." ends the key before the full stop). ASCII only: Chinese text runs on with no space after a key (如@key所示).
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?~/-](?=[A-Za-z0-9_]))*"
_KEY = re.compile(KEY)
_ITEM = re.compile(
    rf"\s*(?P<prefix>(?:[^@;]*\s)?)(?P<suppress>-?)@(?P<key>{KEY})(?P<suffix>(?:[,\s][^;]*)?)", re.DOTALL
)
_LOCATOR = re.compile(r" \[([^\[\]@^\n][^\[\]@\n]*)\]")  # pandoc's `@key [p. 33]`
# An @ right after these is part of an address, a URL or a word, not a citation: a@b.com, medium.com/@user.
_NOT_BEFORE_KEY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.:@=&?#%+~-\\")


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "citation", _bracketed)
    md.inline.ruler.before("link", "citation_in_text", _in_text)
    md.add_render_rule("citation", _render_unresolved)


def parse_items(inner: str) -> list[tuple[str, str, str, bool]] | None:
    """(key, prefix, locator, suppress author) of each `;`-separated part of `[...]`; None unless each is a
    citation."""
    items = []
    for part in inner.split(";"):
        found = _ITEM.fullmatch(part)
        if found is None:
            return None
        locator = found.group("suffix").strip().lstrip(",").strip()
        items.append((found.group("key"), found.group("prefix").strip(), locator, bool(found.group("suppress"))))
    return items


def _bracketed(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "[" or state.linkLevel > 0:
        return False
    end = state.src.find("]", start + 1, start + MAX_LENGTH)
    if end < 0:
        return False
    inner = state.src[start + 1 : end]
    if "@" not in inner or "[" in inner or inner.startswith("^") or state.src.startswith("(", end + 1):
        return False  # a link's text, [text](url), may hold an @ too
    items = parse_items(inner)
    if items is None:
        return False
    if not silent:
        _push(state, False, items, state.src[start : end + 1])
    state.pos = end + 1
    return True


def _in_text(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "@" or state.linkLevel > 0:
        return False
    if start > 0 and state.src[start - 1] in _NOT_BEFORE_KEY:
        return False
    found = _KEY.match(state.src, start + 1)
    if found is None:
        return False
    end, locator = found.end(), ""
    after = _LOCATOR.match(state.src, end)
    if after and not state.src.startswith(("(", "["), after.end()):  # `@key [p. 3]`, not `@key [text](url)`
        end, locator = after.end(), after.group(1).strip().lstrip(",").strip()
    if not silent:
        _push(state, True, [(found.group(), "", locator, False)], state.src[start:end])
    state.pos = end
    return True


def _push(state: StateInline, in_text: bool, items: list[tuple[str, str, str, bool]], raw: str) -> None:
    token = state.push("citation", "", 0)
    token.meta = {"in_text": in_text, "items": items, "raw": raw}
    token.content = raw


def _render_unresolved(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="citation">{escapeHtml(tokens[idx].content)}</span>'
