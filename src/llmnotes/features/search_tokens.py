"""The search tokenizer: NFKC and case folding, words, hyphenated words and CJK bigrams, for index and query."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import chain, filterfalse, repeat
from operator import add, itemgetter

# Kana and Han ideographs (with extensions and compatibility forms): runs of these become character bigrams.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PIECE = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+(?:[-_\u2010][^\W_{CJK}]+)*)")
_CONNECTOR = re.compile("[-_\u2010]")
# The same tokens as `_PIECE` and `_tokens` make, each kind found over a whole text at once (see `token_counts`).
_RUN = re.compile(rf"[{CJK}]+")
_WORD = re.compile(rf"[^\W_{CJK}]+(?:[-_\u2010][^\W_{CJK}]+)*")  # a word, hyphenated or not (as `_PIECE`)
TRIGRAM = re.compile(rf"(?=([{CJK}]{{3}}))")  # overlapping: every three CJK characters in a row
_TAIL = itemgetter(slice(1, None))
_AFTER_TWO = itemgetter(slice(2, None))
_LAST = itemgetter(-1)


# Full-width punctuation common in CJK text, each with what NFKC makes of it: its full decomposition, one character.
_WIDE = tuple((wide, unicodedata.normalize("NFKD", wide)) for wide in "，（）：；！？％＋－／＝［］＜＞\u3000")
# Letter-like symbols, Greek symbol forms and mathematical letters, which formulas' MathML holds (ℒ, ℝ, ϵ, 𝐱).
_MATH_LETTER = re.compile("[\u03d0-\u03f6\u2100-\u214f\U0001d400-\U0001d7ff]")


def fold(text: str) -> str:
    """NFKC, then case folding: the form both the index and queries are tokenized in.

    A text holding full-width punctuation fails NFKC's quick check and would be normalised whole (0.3 ms for a
    note's body). Replacing each such character by its full decomposition first changes no text's NFKC, since
    NFKC composes the full decomposition of the text, which the replacement leaves as it was; a text holding no
    other compatibility character then passes the quick check. Formulas' letters are replaced the same way."""
    if not unicodedata.is_normalized("NFKC", text):
        for wide, narrow in _WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", _MATH_LETTER.sub(_decomposed, text))
    return text.casefold()


def _decomposed(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKD", match[0])


def tokenize(text: str, every_char: bool = True) -> list[str]:
    """Index tokens, first occurrence first: words, hyphenated words' parts and joined form, CJK bigrams and chars.

    A CJK run gives its overlapping bigrams and its characters; with `every_char` false (note bodies) only its
    last character, since the others start a bigram and a one-character query searches tokens by prefix.
    """
    return list(dict.fromkeys(_tokens(text, every_char)))


def _tokens(text: str, every_char: bool) -> list[str]:
    """The tokens of a text in order, repeats kept: what `token_counts` counts, one piece at a time."""
    return folded_tokens(fold(text), every_char)


def folded_tokens(folded: str, every_char: bool) -> list[str]:
    tokens: list[str] = []
    for run, word in _PIECE.findall(folded):
        if run:
            tokens.extend(run if every_char else run[-1])
            tokens.extend(map(add, run, run[1:]))
        else:
            parts = _CONNECTOR.split(word)
            tokens.extend(parts)
            if len(parts) > 1:
                tokens.append("".join(parts))
    return tokens


def token_counts(folded: str, every_char: bool) -> Counter[str]:
    """How often each token stands in a folded text: `Counter(_tokens(text, every_char))`, with no Python loop over
    the text's pieces (a body holds thousands): words by one regular expression over the whole text, and the bigrams
    of every CJK run at once (`map(add, run, run[1:])` for each run, in C)."""
    return counts_and_trigrams(folded, every_char)[0]


def counts_and_trigrams(folded: str, every_char: bool) -> tuple[Counter[str], set[str]]:
    """`token_counts`, and the text's distinct CJK trigrams (`TRIGRAM`), each made by adding a run's next character
    to one of its bigrams, in C."""
    counts = Counter(_WORD.findall(folded))
    # Word characters are alphanumeric (`\w` less "_"), so a word that is not holds a connector: its parts and its
    # joined form stand for it, as often. Few words are hyphenated; the others are counted in C.
    for word in list(filterfalse(str.isalnum, counts)):
        times = counts.pop(word)
        parts = _CONNECTOR.split(word)
        for token in (*parts, "".join(parts)):
            counts[token] += times
    runs = _RUN.findall(folded)
    counts.update("".join(runs) if every_char else map(_LAST, runs))
    bigrams = list(map(list, map(map, repeat(add), runs, map(_TAIL, runs))))  # each run's
    counts.update(chain.from_iterable(bigrams))
    return counts, set(chain.from_iterable(map(map, repeat(add), bigrams, map(_AFTER_TWO, runs))))


def parse_query(text: str) -> list[list[tuple[str, bool]]]:
    """Query segments (one per CJK run or word), each a list of (token, is_prefix); every segment must match.

    A CJK run matches by its bigrams; a single CJK character as a prefix (bigrams it starts, or itself). A word
    matches by its parts; the last word of the query matches as a prefix while it is being typed, i.e. when
    nothing follows it and it has two characters or more.
    """
    folded = fold(text)
    segments: list[list[tuple[str, bool]]] = []
    matches = list(_PIECE.finditer(folded))
    for number, match in enumerate(matches):
        run, word = match.groups()
        if run:
            grams = list(dict.fromkeys(map(add, run, run[1:])))
            segments.append([(gram, False) for gram in grams] or [(run, True)])
            continue
        parts = list(dict.fromkeys(_CONNECTOR.split(word)))
        typing = number == len(matches) - 1 and match.end() == len(folded)
        segments.append([(part, typing and part == parts[-1] and len(part) > 1) for part in parts])
    return segments
