"""Property tests: random notes, wikilinks, names and queries never crash the loader, parser, slugger or tokenizer."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmnotes.content.load import load_note
from llmnotes.content.parse import parse_note
from llmnotes.features.search_tokens import _tokens, fold, parse_query, token_counts, tokenize
from llmnotes.markdown import create_parser
from llmnotes.paths import MAX_SLUG_LENGTH, href, note_path, slugify, tag_path

FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text with the characters that matter to the syntax: fences, brackets, pipes, hashes, quotes, CJK, controls.
PIECES = [*"-[]|#:\"'`$\\{}\n\t ab1思维链\ufeff\x00", "\r\n", "---\n", "[[", "]]", "[[a|b]]", "[[a#h]]", "](x.md)"]
# ... and the syntax of notes brought from other tools: embeds, images, callouts, containers, admonitions.
PIECES += ["![[", "a.png", "|300", "![x](", "../", "> ", "[!note]", "[!tip]-", "::: ", "tip", "details", "!!! ", "    "]
# ... and raw HTML, sanitized: tags split over blocks, comments, markdown blocks, vectors, bad declarations.
PIECES += ["<div markdown>", "</div>", "<span>", "</span>", "<!--", "-->", "<script>", "<img src=x onerror=y>", "<![x["]
PIECES += ["<details>", "<a href='b.md'>", "</a>", "<svg>", "<eos>", "<b>", 'href="javascript:x"']
SYNTAX = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
MD = create_parser()


@FUZZ
@given(st.one_of(SYNTAX.map(lambda text: text.encode("utf-8")), st.binary(max_size=300)))
def test_any_file_loads_to_a_note_or_to_problems_naming_it(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes" / "fuzzed.md"
        path.parent.mkdir()
        path.write_bytes(raw)
        note, problems = load_note(path, Path(folder))
    assert (note is None) == bool(problems)  # a note, or the reasons there is none
    assert all(problem.path == "notes/fuzzed.md" and problem.message for problem in problems)
    if note is not None:
        parsed = parse_note(note, MD)  # and whatever loaded also parses
        assert all(link.line >= 1 and link.col >= 1 for link in parsed.links)


@FUZZ
@given(SYNTAX)
def test_wikilinks_in_any_text_parse_with_their_positions(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notes" / "n.md"
        path.parent.mkdir()
        path.write_text("---\ntitle: N\n---\n" + text.replace("\x00", ""), encoding="utf-8")
        note, _ = load_note(path, Path(folder))
    if note is None:
        return
    parsed = parse_note(note, MD)
    for number, link in enumerate(parsed.links):
        assert link.placeholder == number
        assert "\n" not in link.target and link.line >= 4


SAFE_SLUG = re.compile(r"^[\w-]*$")


@FUZZ
@given(st.text(max_size=120))
def test_slugs_and_output_paths_are_safe(name: str) -> None:
    slug = slugify(name)
    assert SAFE_SLUG.match(slug) and len(slug) <= MAX_SLUG_LENGTH + 1
    assert not slug.startswith("-") and "/" not in slug and "\\" not in slug and "\x00" not in slug
    assert slug.lower() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
    for path in (note_path(slug or "x"), tag_path(slug or "x")):
        parts = path.split("/")
        assert ".." not in parts and "." not in parts and not path.startswith("/")
        url = href("index.html", path)
        assert not url.startswith(("/", "..")) and "//" not in url and ":" not in url.split("/")[0]


@FUZZ
@given(st.text(max_size=200))
def test_the_tokenizer_takes_any_text(text: str) -> None:
    tokens = tokenize(text)
    assert all(token and not any(c.isspace() for c in token) for token in tokens)  # the index joins them by spaces
    assert len(tokens) == len(set(tokens))
    for segment in parse_query(text):
        assert segment and all(token for token, _ in segment)


# Letters, digits, connectors, CJK (one beyond the BMP), compatibility forms and a combining mark, and any character.
TOKEN_CHARS = st.sampled_from(list("ab Z9_-\u2010—.,中文训练模型のカー𠀀ＦＡ－ﬁßΣΊ\u0301é\n")) | st.characters()


@FUZZ
@given(st.text(alphabet=TOKEN_CHARS, max_size=80))
def test_the_index_counts_the_tokens_the_tokenizer_gives(text: str) -> None:
    for every_char in (True, False):
        assert token_counts(fold(text), every_char) == Counter(_tokens(text, every_char))


# Full-width punctuation (replaced before NFKC), beside characters NFKC composes with what comes before them.
WIDE_PUNCTUATION = "，（）：；！？％＋－／＝［］＜＞\u3000"
FOLD_CHARS = st.sampled_from(list(WIDE_PUNCTUATION + "ａＡ中e\u0301\u0308\u3099か̸=ℒ𝐱ℝϵϒ\u0301℀ﬁ")) | st.characters()


@FUZZ
@given(st.text(alphabet=FOLD_CHARS, max_size=40))
def test_folding_is_nfkc_then_case_folding(text: str) -> None:
    """Queries and the index meet only if both fold alike; the index folds full-width punctuation its own quick way."""
    assert fold(text) == unicodedata.normalize("NFKC", text).casefold()
