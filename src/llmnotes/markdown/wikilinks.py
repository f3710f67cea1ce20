"""Inline rule for `[[target]]`, `[[target|text]]` and `[[target#heading]]`: emits a `wikilink` token."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MAX_LENGTH = 500


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.add_render_rule("wikilink", _render_unresolved)


def parse_wikilink(inner: str) -> tuple[str, str | None, str | None]:
    """Split the inside of `[[...]]` into (target, fragment, text); target may be empty for `[[#heading]]`."""
    target, _, text = inner.partition("|")
    target, hash_sign, fragment = target.partition("#")
    return target.strip(), (fragment.strip() or None) if hash_sign else None, text.strip() or None


def _wikilink(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith("[[", start):
        return False
    end = state.src.find("]]", start + 2, start + 2 + MAX_LENGTH)
    if end < 0:
        return False
    inner = state.src[start + 2 : end]
    if not inner.strip() or "\n" in inner or "[" in inner:
        return False
    if not silent:
        target, fragment, text = parse_wikilink(inner)
        token = state.push("wikilink", "", 0)
        token.meta = {"target": target, "fragment": fragment, "text": text, "raw": state.src[start : end + 2]}
        token.content = text or target
    state.pos = end + 2
    return True


def _render_unresolved(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    from markdown_it.common.utils import escapeHtml

    return f'<span class="wikilink">{escapeHtml(tokens[idx].content)}</span>'
