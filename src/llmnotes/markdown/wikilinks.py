"""Inline rules for `[[target]]`, `[[target|text]]` and `[[target#heading]]` (a `wikilink` token) and Obsidian's
files: `![[figure.png]]`, `![[figure.png|300]]` shown, `[[paper.pdf]]` linked (a `wikiembed` token, "show" in its
meta); `![[Note]]` links to the note."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MAX_LENGTH = 500
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp")
# What Obsidian keeps as attachments. Other names with a dot ([[GPT-3.5]], [[Node.js]]) name notes.
FILE_TYPES = (*IMAGE_TYPES, ".pdf", ".csv", ".tsv", ".zip", ".mp3", ".wav", ".m4a", ".ogg", ".mp4", ".webm", ".mov")


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("image", "wikiembed", _wikiembed)
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.add_render_rule("wikilink", _render_unresolved)
    md.add_render_rule("wikiembed", _render_unresolved)


def embeds_a_file(target: str) -> bool:
    """`![[x.png]]` and `[[paper.pdf]]` name attachments; `[[Note]]`, `[[note.md]]` and `[[GPT-3.5]]` notes."""
    return target.lower().endswith(FILE_TYPES)


def parse_wikilink(inner: str) -> tuple[str, str | None, str | None]:
    """Split the inside of `[[...]]` into (target, fragment, text); target may be empty for `[[#heading]]`."""
    target, _, text = inner.partition("|")
    target, hash_sign, fragment = target.partition("#")
    return target.strip(), (fragment.strip() or None) if hash_sign else None, text.strip() or None


def _wikiembed(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("![[", state.pos):
        return False
    state.pos += 1
    if not _wikilink(state, silent):
        state.pos -= 1
        return False
    if not silent:
        token = state.tokens[-1]
        token.meta["raw"] = "!" + token.meta["raw"]
        token.meta["show"] = token.type == "wikiembed"
    return True


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
        token = state.push("wikiembed" if embeds_a_file(target) else "wikilink", "", 0)  # [[paper.pdf]]: a file
        token.meta = {"target": target, "fragment": fragment, "text": text, "raw": state.src[start : end + 2]}
        token.meta["show"] = False
        token.content = text or target
    state.pos = end + 2
    return True


def _render_unresolved(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    from markdown_it.common.utils import escapeHtml

    return f'<span class="wikilink">{escapeHtml(tokens[idx].content)}</span>'
