"""The site search index: a CJK-aware tokenizer and sharded, compact index files built from the `Site`."""

from __future__ import annotations

import html
import json
import pickle
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_right, insort
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from itertools import accumulate, chain, compress, filterfalse, islice, repeat
from operator import add, and_, eq, getitem, itemgetter, lshift, lt, mul, ne, or_, rshift, sub
from typing import NamedTuple, TypeVar

from ..content.link import link_html
from ..engine.cache import content_digest
from ..engine.parallel import run_all
from ..model import Note, ParsedNote, Site
from .citation_style import cite_html

# Kana and Han ideographs (with extensions and compatibility forms): runs of these become character bigrams.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PIECE = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+(?:[-_\u2010][^\W_{CJK}]+)*)")
_CONNECTOR = re.compile("[-_\u2010]")
# The same tokens as `_PIECE` and `_tokens` make, each kind found over a whole text at once (see `token_counts`).
_RUN = re.compile(rf"[{CJK}]+")
_WORD = re.compile(rf"[^\W_{CJK}]+(?:[-_\u2010][^\W_{CJK}]+)*")  # a word, hyphenated or not (as `_PIECE`)
_TRIGRAM = re.compile(rf"(?=([{CJK}]{{3}}))")  # overlapping: every three CJK characters in a row
_TAIL = itemgetter(slice(1, None))
_AFTER_TWO = itemgetter(slice(2, None))
_LAST = itemgetter(-1)

# A posting's value: the fields besides the body that hold the token (bits), and how often the body does (0-15).
TITLE, META, HEADING, SUMMARY = 1, 2, 4, 8  # title and aliases; tags, authors, venue; headings; summary
TF_BITS = 4
MAX_TF = (1 << TF_BITS) - 1
ONCE_IN_BODY = 1  # the commonest value, which the postings do not write
VALUE_BITS = 8  # a posting is document number << VALUE_BITS | value
GRAM_BUCKETS = 1 << 16  # CJK trigrams are hashed into this many buckets (the phrase index; see `gram_bucket`)
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # 32 "more" + 32 "last" digits
CHUNK_BYTES = 32_000  # target size of one token shard
DOC_SHARD_BYTES = 8_000  # target size of one display-data shard
ROOT = "static/search/"
VERSION = 2


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
    return _folded_tokens(fold(text), every_char)


def _folded_tokens(folded: str, every_char: bool) -> list[str]:
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
    return _counts_and_trigrams(folded, every_char)[0]


def _counts_and_trigrams(folded: str, every_char: bool) -> tuple[Counter[str], set[str]]:
    """`token_counts`, and the text's distinct CJK trigrams (`_TRIGRAM`), each made by adding a run's next character
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


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """What the index knows of one note or page: its searchable fields and what a result shows."""

    path: str  # site-root-relative output path
    label: str
    title: str
    meta: str  # year · venue
    names: tuple[str, ...]  # title, short title, aliases
    facets: tuple[str, ...]  # tags, authors, venue, org, year
    summary: str
    text: str  # body as plain text
    headings: tuple[str, ...] = ()
    listing: bool = False  # a section's page or a page that mostly links to notes: ranked below the notes
    section: str = ""  # the sections it is in, outermost first: "Guide › Advanced"


_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL | re.IGNORECASE)
_ANCHOR = re.compile(r'<a class="anchor"[^>]*>.*?</a>', re.DOTALL)
_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|pre|blockquote|table|thead|tbody|tr|td|th|figure|figcaption|dl|dt|dd|br|hr"
    r"|section|details|summary)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.DOTALL | re.IGNORECASE)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)
LISTING_LINKS = 3  # a page whose text is mostly the text of this many links or more lists notes


def plain_text(body_html: str) -> str:
    """Visible text of a note body: no diagram SVGs or heading anchors, code kept, whitespace collapsed."""
    text = _ANCHOR.sub("", _SVG.sub(" ", body_html))
    text = _TAG.sub("", _BLOCK.sub(" ", text))
    return " ".join(html.unescape(text).split())  # whitespace as `\s` knows it, collapsed


def _mostly_links(body_html: str, length: int) -> bool:
    """Whether a body of `length` characters of text has LISTING_LINKS links or more, whose text makes half of it.
    A link's text is never longer than its HTML (`plain_text` only takes away, and an entity's character is
    shorter than its reference), so most bodies are answered without making their links' text."""
    inners = _LINK.findall(_ANCHOR.sub("", body_html)) if "<a" in body_html or "<A" in body_html else []
    if len(inners) < LISTING_LINKS or 2 * sum(map(len, inners)) < length:
        return False
    return 2 * sum(len(plain_text(inner)) for inner in inners) >= length


def section_path(site: Site, slug: str) -> str:
    """The labels of the sections a note is in, outermost first, joined by " › "; the home page is left out."""
    chain: list[str] = []
    parent = site.section_of.get(slug)
    while parent is not None and parent not in chain and site.paths.get(parent, "index.html") != "index.html":
        chain.append(parent)
        parent = site.section_of.get(parent)
    return " › ".join(site.labels[parent] for parent in reversed(chain))


def search_doc(note: Note, path: str, body_html: str, section: str = "") -> SearchDoc:
    """A note's or page's searchable fields; its body (links resolved, labels shown) as plain text."""
    names = tuple(dict.fromkeys(n for n in (note.title, note.short_title, *note.aliases) if n))
    facets = (*note.tags, *note.authors, note.venue or "", note.org or "", str(note.year or ""))
    text = plain_text(body_html)
    listing = note.is_section or _mostly_links(body_html, len(text))
    return SearchDoc(
        path=path,
        label=note.label,
        title=note.title,
        meta=" · ".join(str(part) for part in (note.year, note.venue) if part),
        names=names,
        facets=tuple(f for f in facets if f),
        summary=note.summary or "",
        text=text,
        headings=tuple(plain_text(inner) for _, inner in _HEADING.findall(body_html)),
        listing=listing,
        section=section,
    )


def site_documents_in_order(site: Site) -> list[ParsedNote]:
    """Notes in the site's order (newest first), then pages; the home page is left out."""
    return [*site.notes, *(p for p in site.pages if site.paths[p.note.slug] != "index.html")]


SECTION = 7  # the place of the sections in a display record
IndexEntry = bytes  # what the index needs of a document (see `Entry`), pickled and compressed


class Entry(NamedTuple):
    """What the index takes from one document: a few strings and byte strings, not an object per token, so that
    the main process unpickles it quickly and appends its postings without a Python loop."""

    record: list[str]  # its display record
    tokens: str  # its tokens, joined by spaces (no token holds one)
    values: bytes  # the posting value of each token, in the same order
    level: int  # its body's length in tokens, as `length_level`
    listing: bool
    grams: bytes  # the buckets of its CJK trigrams, ascending, as array("H") bytes


def document_key(body_key: tuple, card_key: str) -> str:
    """What a document's index entry is made from, by which the cache keeps it (see emit.PageContext)."""
    return content_digest(repr((body_key, card_key)).encode())


def index_entry(parsed: ParsedNote, site: Site) -> IndexEntry:
    """What the index needs of one document (see `entry_of`)."""
    note = parsed.note
    path = site.paths[note.slug]
    body = link_html(parsed.html, site.links.get(note.slug, ()), site.labels, site.paths, path)
    body = cite_html(body, parsed, site, path, reference_list=False)
    return entry_of(search_doc(note, path, body, section_path(site, note.slug)))


def entry_of(doc: SearchDoc) -> IndexEntry:
    """A document's entry, compressed, since 10,000 of them would take hundreds of MB."""
    values, length, grams = document_tokens(doc)
    entry = (
        display_record(doc),
        " ".join(values),
        bytes(values.values()),
        length_level(length),
        doc.listing,
        array("H", grams).tobytes(),
    )
    return zlib.compress(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(entry: IndexEntry) -> Entry:
    return Entry(*pickle.loads(zlib.decompress(entry)))


def entry_tokens(entry: Entry) -> list[str]:
    return entry.tokens.split(" ") if entry.tokens else []


def entry_grams(entry: Entry) -> array[int]:
    return array("H", entry.grams)


def document_tokens(doc: SearchDoc) -> tuple[dict[str, int], int, tuple[int, ...]]:
    """Each token's posting value (field bits << TF_BITS | how often the body holds it, at most MAX_TF), the number
    of tokens in the body, which ranking normalises the body's term frequencies by, and the buckets of the
    document's CJK trigrams (see `gram_buckets`). Every field is folded once, for its tokens and trigrams both."""
    counts, grams = _counts_and_trigrams(fold(doc.text), every_char=False)
    values = dict(zip(counts, map(min, counts.values(), repeat(MAX_TF)), strict=True))
    fields = ((TITLE, doc.names), (META, doc.facets), (HEADING, doc.headings), (SUMMARY, (doc.summary,)))
    for bit, texts in fields:
        # A field's texts folded and tokenized as one, a line each: no token, trigram or NFKC composition spans a
        # line break, so the tokens and trigrams are those of the texts one by one.
        folded = fold("\n".join(texts))
        tokens = sorted(set(_folded_tokens(folded, every_char=True)))  # sorted: the same entry bytes in every process
        grams.update(_TRIGRAM.findall(folded))
        values.update(zip(tokens, map(or_, map(values.get, tokens, repeat(0)), repeat(bit << TF_BITS)), strict=True))
    # `gram_bucket` of each distinct trigram (GRAM_BUCKETS is a power of two), in C rather than a Python loop
    buckets = set(map(and_, map(zlib.crc32, map(str.encode, grams)), repeat(GRAM_BUCKETS - 1)))
    return values, counts.total(), tuple(sorted(buckets))


def posting_values(doc: SearchDoc) -> tuple[dict[str, int], int]:
    """Each token's posting value and the number of tokens in the body (see `document_tokens`)."""
    values, length, _ = document_tokens(doc)
    return values, length


def length_level(length: int) -> int:
    """A body length as 0-63, four steps per doubling (2 ** (level / 4) tokens), in integers only."""
    return min(63, ((length + 1) ** 4).bit_length() - 1)


def gram_bucket(gram: str) -> int:
    return zlib.crc32(gram.encode()) % GRAM_BUCKETS


def gram_buckets(doc: SearchDoc) -> tuple[int, ...]:
    """The buckets of every three CJK characters in a row in the document's fields, by which a query's CJK run is
    known to stand in it whole (its trigrams, hashed: no vocabulary to ship, and a false match 1 time in 100)."""
    return document_tokens(doc)[2]


def gram_files(documents: int) -> int:
    """How many files the trigram buckets are spread over: about one per two documents, 16 to 4,096, so that a
    file holds a few KB at any size. A power of two, fixed by the number of documents, which edits keep."""
    files = 16
    while files < documents // 2 and files < 4096:
        files *= 2
    return files


def varint(value: int) -> str:
    """A number as base-32 digits, most significant first; the last digit comes from the other half of DIGITS."""
    digits = [DIGITS[32 + (value & 31)]]
    value >>= 5
    while value:
        digits.append(DIGITS[value & 31])
        value >>= 5
    return "".join(reversed(digits))


_SMALL = 1 << 15


@cache
def _small_varints() -> list[str]:
    """`varint` of the numbers below _SMALL; made on first use, not at import."""
    more, last = DIGITS[:32], DIGITS[32:]
    return [
        *last,
        *(a + z for a in more[1:] for z in last),
        *(a + b + z for a in more[1:] for b in more for z in last),
    ]


def _number(value: int, small: list[str]) -> str:
    return small[value] if value < _SMALL else varint(value)


def encode_postings(entries: Sequence[int]) -> str:
    """Postings (document number << VALUE_BITS | value, ascending) as, for each, (document-number gap minus one)
    << 1 | 1 followed by its value, or << 1 alone when the value is ONCE_IN_BODY."""
    small, suffixes = _small_varints(), _value_suffixes()
    if len(entries) == 1:  # most tokens (nine in ten of a real corpus's)
        doc, value = entries[0] >> VALUE_BITS, entries[0] & 255
        return _number(doc << 1 | (value != ONCE_IN_BODY), small) + suffixes[value]
    # map, not a loop: millions of postings
    docs = list(map(rshift, entries, repeat(VALUE_BITS)))
    values = list(map(and_, entries, repeat(255)))
    codes = map(or_, map(lshift, _gaps(docs), repeat(1)), map(ne, values, repeat(ONCE_IN_BODY)))
    numbers = map(small.__getitem__, codes) if docs[-1] < _SMALL // 2 else map(_number, codes, repeat(small))
    return "".join(map(add, numbers, map(suffixes.__getitem__, values)))


def _encoded(postings: dict[str, array]) -> dict[str, str]:
    """`encode_postings` of every token's postings. Most tokens have one posting: theirs are encoded all at once,
    in C, and only the others one token at a time."""
    small, suffixes = _small_varints(), _value_suffixes()
    tokens, lists = list(postings), list(postings.values())
    alone = list(map((1).__eq__, map(len, lists)))
    firsts = list(map(itemgetter(0), compress(lists, alone)))
    values = list(map(and_, firsts, repeat(255)))
    codes = map(
        or_, map(lshift, map(rshift, firsts, repeat(VALUE_BITS)), repeat(1)), map(ne, values, repeat(ONCE_IN_BODY))
    )
    few = max(firsts, default=0) >> VALUE_BITS < _SMALL // 2  # every code is below _SMALL
    numbers = map(small.__getitem__, codes) if few else map(_number, codes, repeat(small))
    encoded = dict(zip(compress(tokens, alone), map(add, numbers, map(suffixes.__getitem__, values)), strict=True))
    encoded.update((token, encode_postings(postings[token])) for token in filterfalse(encoded.__contains__, tokens))
    return dict(zip(tokens, map(encoded.__getitem__, tokens), strict=True))  # in the postings' order


def _gaps(docs: Sequence[int]) -> map[int]:
    """Each of ascending numbers minus the one before it, minus one (the first: itself)."""
    return map(sub, docs, chain((0,), map(add, docs, repeat(1))))


@cache
def _value_suffixes() -> list[str]:
    """What follows a posting's gap for each value: nothing for ONCE_IN_BODY, else the value."""
    small = _small_varints()
    return ["" if value == ONCE_IN_BODY else small[value] for value in range(256)]


def encode_documents(docs: Sequence[int]) -> str:
    """Ascending document numbers as the first, then gaps minus one."""
    small = _small_varints()
    if docs and docs[-1] < _SMALL:  # every gap is smaller than the last number
        return "".join(map(small.__getitem__, _gaps(docs)))
    return "".join(map(_number, _gaps(docs), repeat(small)))


def utf16_key(token: str) -> bytes:
    """Sort order of JavaScript's string comparison (UTF-16 code units), which the client's lookups rely on."""
    return token.encode("utf-16-be")


def front_coded(tokens: list[str]) -> str:
    """Tokens joined by spaces, each as the length (0-9) of the prefix it shares with the previous one + the rest.

    Tokens are distinct, so a token shares k characters or more with the one before exactly when their first k
    characters are equal. The shared lengths are counted a character at a time over the tokens still sharing every
    character so far (few after two or three), in C."""
    shared = [0] * len(tokens)
    before = ["", *tokens].__getitem__  # the token before token i is before(i)
    sharing = range(1, len(tokens))  # the tokens sharing their first `length - 1` characters with the one before
    for length in range(1, 10):
        cut = itemgetter(slice(length))
        same = map(eq, map(cut, map(tokens.__getitem__, sharing)), map(cut, map(before, sharing)))
        sharing = list(compress(sharing, same))
        if not sharing:
            break
        deque(map(shared.__setitem__, sharing, repeat(length)), maxlen=0)
    rests = map(getitem, tokens, map(slice, shared, repeat(None)))
    return " ".join(map(add, map(str, shared), rests))


def script(shard_id: str, data: object) -> bytes:
    """An index file: a script that hands its data to the client, so it loads from file:// without fetch."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f'window.__llmnotesSearch.add("{shard_id}",{payload});\n'.encode()


@dataclass(slots=True)
class IndexState:
    """The postings an index was made from, which the cache keeps so that an edit updates them, not rebuilds them."""

    keys: list[str]  # the entry key of each document, in document order
    postings: dict[str, array]  # token -> (document number << VALUE_BITS | value), ascending
    encoded: dict[str, str]  # token -> its postings as encode_postings writes them
    records: list[list[str]]  # each document's display record
    levels: list[int] = field(default_factory=list)  # each document's body length level
    listings: list[bool] = field(default_factory=list)
    grams: dict[int, array] = field(default_factory=dict)  # trigram bucket -> document numbers, ascending
    encoded_grams: dict[int, str] = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        """Pickled with the postings (and the buckets' documents) as one array and the lengths of its parts: a few
        objects to write and read, not an array per token (a sixth of the time)."""
        fields = (self.keys, _joined(self.postings), self.encoded, self.records, self.levels, self.listings)
        return _restored_state, (*fields, _joined(self.grams), self.encoded_grams)


Key = TypeVar("Key")


def _joined(lists: dict[Key, array]) -> tuple[list[Key], array, array]:
    """The keys, the lengths of their arrays, and the arrays one after another."""
    joined = array("i")
    deque(map(joined.extend, lists.values()), maxlen=0)
    return list(lists), array("i", map(len, lists.values())), joined


def _split(keys: list[Key], lengths: array, joined: array) -> dict[Key, array]:
    ends = list(accumulate(lengths))
    return dict(zip(keys, map(joined.__getitem__, map(slice, [0, *ends[:-1]], ends)), strict=True))


def _restored_state(
    keys: list[str],
    postings: tuple[list[str], array, array],
    encoded: dict[str, str],
    records: list[list[str]],
    levels: list[int],
    listings: list[bool],
    grams: tuple[list[int], array, array],
    encoded_grams: dict[int, str],
) -> IndexState:
    return IndexState(keys, _split(*postings), encoded, records, levels, listings, _split(*grams), encoded_grams)


MAX_UPDATES = 64  # documents changed since the last index beyond which rebuilding it is as quick


def index_state(keys: list[str], entries: Iterable[IndexEntry]) -> IndexState:
    """The postings of every document, taking the entries one at a time and keeping only their display records."""
    # Millions of postings: arrays of machine integers take a seventh of the memory of lists of int objects.
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "i"))
    grams: defaultdict[int, array[int]] = defaultdict(partial(array, "i"))
    state = IndexState(keys, {}, {}, [])
    for number, packed in enumerate(entries):
        entry = unpack(packed)
        state.records.append(entry.record)
        state.levels.append(entry.level)
        state.listings.append(entry.listing)
        numbered = map(or_, repeat(number << VALUE_BITS), entry.values)
        deque(map(array.append, map(postings.__getitem__, entry_tokens(entry)), numbered), maxlen=0)  # in C
        deque(map(array.append, map(grams.__getitem__, entry_grams(entry)), repeat(number)), maxlen=0)
    state.postings, state.grams = dict(postings), dict(grams)
    state.encoded = _encoded(state.postings)
    state.encoded_grams = {bucket: encode_documents(docs) for bucket, docs in grams.items()}
    return state


def updatable(state: IndexState, keys: list[str]) -> bool:
    """Whether `update_state` can bring `state` to `keys`: the same number of documents, and few changed."""
    return len(keys) == len(state.keys) and sum(map(str.__ne__, state.keys, keys)) <= MAX_UPDATES


def update_state(state: IndexState, keys: list[str], entry_of: Callable[[str], IndexEntry | None]) -> bool:
    """Bring `state` to `keys` in place by taking out and putting back the documents whose entries changed;
    False, leaving it unusable, when the documents changed in number or many changed (rebuild it then)."""
    if not updatable(state, keys):
        return False
    changed = [number for number, (old, new) in enumerate(zip(state.keys, keys, strict=True)) if old != new]
    touched: set[str] = set()
    touched_grams: set[int] = set()
    for number in changed:
        old, new = entry_of(state.keys[number]), entry_of(keys[number])
        if old is None or new is None:
            return False
        before, after = unpack(old), unpack(new)
        for token, posting in _postings(number, before).items():
            state.postings[token].remove(posting)
            touched.add(token)
        for bucket in entry_grams(before):
            state.grams[bucket].remove(number)
            touched_grams.add(bucket)
        state.records[number], state.levels[number], state.listings[number] = after.record, after.level, after.listing
        for token, posting in _postings(number, after).items():
            insort(state.postings.setdefault(token, array("i")), posting)
            touched.add(token)
        for bucket in entry_grams(after):
            insort(state.grams.setdefault(bucket, array("i")), number)
            touched_grams.add(bucket)
    for token in touched:
        if state.postings[token]:
            state.encoded[token] = encode_postings(state.postings[token])
        else:
            del state.postings[token], state.encoded[token]
    for bucket in touched_grams:
        if state.grams[bucket]:
            state.encoded_grams[bucket] = encode_documents(state.grams[bucket])
        else:
            del state.grams[bucket], state.encoded_grams[bucket]
    state.keys = list(keys)
    return True


def _postings(number: int, entry: Entry) -> dict[str, int]:
    """token -> the posting document `number` has for it."""
    return dict(zip(entry_tokens(entry), map(or_, repeat(number << VALUE_BITS), entry.values), strict=True))


def starts_shard(token: str, postings: str) -> bool:
    """Whether a token begins a token shard: by a hash of the token, with a chance of its share of CHUNK_BYTES, so
    that shards hold about CHUNK_BYTES (one token larger than that begins its own) and where they begin depends on
    no token but that one: an edit rewrites only the shards holding the tokens it changed."""
    weight = len(token.encode()) + len(postings) + 6
    return zlib.crc32(token.encode()) * CHUNK_BYTES < weight << 32


def token_shards(encoded: dict[str, str]) -> tuple[list[str], dict[str, bytes]]:
    """Token shards over the sorted vocabulary, and the first token of each; see `starts_shard`."""
    tokens = sorted(encoded, key=utf16_key)
    postings = list(map(encoded.__getitem__, tokens))
    # `starts_shard` of every token, in C; the first token begins the first shard whatever it says
    utf8 = list(map(str.encode, tokens))
    weights = map(add, map(add, map(len, utf8), map(len, postings)), repeat(6))
    starts = map(lt, map(mul, map(zlib.crc32, utf8), repeat(CHUNK_BYTES)), map(lshift, weights, repeat(32)))
    begins = [0, *compress(range(1, len(tokens)), islice(starts, 1, None))] if tokens else []
    files: dict[str, bytes] = {}
    for number, (begin, end) in enumerate(zip(begins, [*begins[1:], len(tokens)], strict=True)):
        data = [front_coded(tokens[begin:end]), " ".join(postings[begin:end])]
        files[token_shard_path(number)] = script(f"t/{number}", data)
    return [tokens[begin] for begin in begins], files


def token_shard_path(number: int) -> str:
    return f"{ROOT}t/{number}.js"


def token_shard(number: int, tokens: list[str], encoded: dict[str, str]) -> bytes:
    return script(f"t/{number}", [front_coded(tokens), " ".join(encoded[token] for token in tokens)])


def gram_file_path(number: int) -> str:
    return f"{ROOT}g/{number}.js"


def gram_file(number: int, per_file: int, encoded: dict[int, str]) -> bytes:
    """The trigram buckets number * per_file onwards that hold a document: their offsets in the file (as
    `encode_documents`), and their postings joined by spaces."""
    first = number * per_file
    buckets = [bucket for bucket in range(first, first + per_file) if bucket in encoded]
    offsets = encode_documents([bucket - first for bucket in buckets])
    return script(f"g/{number}", [offsets, " ".join(encoded[bucket] for bucket in buckets)])


def read_gram_file(content: bytes, number: int, per_file: int) -> dict[int, str]:
    """Bucket -> postings, of a file `gram_file` wrote."""
    data = read_script(content)
    if not isinstance(data, list) or len(data) != 2:
        raise TypeError(f"{gram_file_path(number)} holds no trigram buckets")
    offsets = decode_documents(data[0])
    lists = data[1].split(" ") if offsets else []
    return {number * per_file + offset: text for offset, text in zip(offsets, lists, strict=True)}


def display_record(doc: SearchDoc) -> list[str]:
    """What a result shows: [path, label, title, meta, summary, names and facets, text, sections]."""
    other_names = [n for n in doc.names if n not in (doc.label, doc.title)]
    names = " · ".join((*other_names, *doc.facets))
    return [doc.path, doc.label, doc.title, doc.meta, doc.summary, names, doc.text, doc.section]


def record_bytes(record: list[str]) -> int:
    return len(json.dumps(record, ensure_ascii=False).encode())


_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as `script` writes data


def docs_per_shard(total_bytes: int, documents: int) -> int:
    """How many documents share a display-data shard: about DOC_SHARD_BYTES each, at most 16 documents."""
    return max(1, min(16, round(DOC_SHARD_BYTES * documents / total_bytes))) if total_bytes else 1


def build_search_index(site: Site) -> dict[str, bytes]:
    """Every file of the search index, by output path: manifest, token shards, trigram files and display-data
    shards. The documents are read and tokenized in worker processes; only putting the postings together is
    done here."""
    return build_index(run_all(partial(index_entry, site=site), site_documents_in_order(site)))


def build_index(entries: Iterable[IndexEntry]) -> dict[str, bytes]:
    """The index files of these entries, in document order."""
    return index_files(index_state([], entries))


def index_files(state: IndexState) -> dict[str, bytes]:
    """The index files; a document's number is its position, which is also the ranking's last tie-break."""
    records = state.records
    firsts, files = token_shards(state.encoded)
    # Each record as JSON once, for its size and its shard: what `record_bytes` and `script` would write of it.
    written = list(map(_compact_json, records))
    total = sum(map(len, map(str.encode, written))) + sum(map(len, records)) - len(records)  # ", " between items
    per_shard = docs_per_shard(total, len(records))
    for start in range(0, len(records), per_shard):
        shard_id = f"d/{start // per_shard}"
        payload = f"[{','.join(written[start : start + per_shard])}]"
        files[f"{ROOT}{shard_id}.js"] = f'window.__llmnotesSearch.add("{shard_id}",{payload});\n'.encode()
    grams = gram_files(len(records))
    for number in range(grams):
        files[gram_file_path(number)] = gram_file(number, GRAM_BUCKETS // grams, state.encoded_grams)
    manifest = {
        "bytes": total,
        "chunks": firsts,
        "docs": len(records),
        "docsPerShard": per_shard,
        "grams": grams,
        "lengths": "".join(DIGITS[level] for level in state.levels),
        "listings": [number for number, listing in enumerate(state.listings) if listing],
        "version": VERSION,
    }
    files[MANIFEST] = script("manifest", manifest)
    return dict(sorted(files.items()))


# ---- patching the index files in place, for a build that changed a few documents' bodies --------------------------

MANIFEST = f"{ROOT}manifest.js"
_DIGIT_VALUE = {digit: value for value, digit in enumerate(DIGITS)}


def read_script(content: bytes) -> object:
    """The data of an index file (see `script`)."""
    text = content.decode()
    return json.loads(text[text.index(",") + 1 : text.rindex(")")])


def front_decoded(text: str) -> list[str]:
    """The tokens `front_coded` wrote."""
    tokens: list[str] = []
    previous = ""
    for item in text.split(" "):
        previous = previous[: int(item[0])] + item[1:]
        tokens.append(previous)
    return tokens


def _varints(text: str) -> list[int]:
    values, value = [], 0
    for digit in text:
        number = _DIGIT_VALUE[digit]
        if number < 32:
            value = value * 32 + number
        else:
            values.append(value * 32 + number - 32)
            value = 0
    return values


def decode_postings(text: str) -> list[int]:
    """The postings `encode_postings` wrote."""
    values = _varints(text)
    postings, doc, index = [], -1, 0
    while index < len(values):
        code = values[index]
        doc += (code >> 1) + 1
        value = ONCE_IN_BODY
        if code & 1:
            index += 1
            value = values[index]
        postings.append(doc << VALUE_BITS | value)
        index += 1
    return postings


def decode_documents(text: str) -> list[int]:
    """The document numbers `encode_documents` wrote."""
    docs, doc = [], -1
    for gap in _varints(text):
        doc += gap + 1
        docs.append(doc)
    return docs


def postings_of(doc: SearchDoc, number: int) -> dict[str, int]:
    values, _ = posting_values(doc)
    return {token: number << VALUE_BITS | value for token, value in values.items()}


def patch_index(read: Callable[[str], bytes], number: int, old: SearchDoc, new: SearchDoc) -> dict[str, bytes] | None:
    """The index files that change, and their bytes, when document `number` changes from `old` to `new` with the
    same place in the order: byte for byte what `index_files` would make. None when a shard would begin elsewhere
    or the documents per display-data shard would change (make the index afresh then). The document keeps the
    sections its record shows (an edit to its body cannot move it).

    Raises ValueError, KeyError, IndexError or TypeError on files that are not as `index_files` wrote them."""
    manifest = read_script(read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("version") != VERSION:
        raise TypeError(f"{MANIFEST} holds no manifest of this version")
    per_shard = manifest["docsPerShard"]
    path = f"{ROOT}d/{number // per_shard}.js"
    records = read_script(read(path))
    if not isinstance(records, list):
        raise TypeError(f"{path} holds no display records")
    section = records[number % per_shard][SECTION]
    old, new = replace(old, section=section), replace(new, section=section)
    before, after = postings_of(old, number), postings_of(new, number)
    changes = {token: (before.get(token), after.get(token)) for token in before.keys() | after.keys()}
    changes = {token: change for token, change in changes.items() if change[0] != change[1]}
    files = _patched_token_shards(read, manifest["chunks"], changes)
    old_record, new_record = display_record(old), display_record(new)
    total = manifest["bytes"] - record_bytes(old_record) + record_bytes(new_record)
    if files is None or docs_per_shard(total, manifest["docs"]) != per_shard:
        return None
    if records[number % per_shard] != old_record:
        return None
    records[number % per_shard] = new_record
    files[path] = script(f"d/{number // per_shard}", records)
    files.update(_patched_gram_files(read, manifest["grams"], number, gram_buckets(old), gram_buckets(new)))
    manifest["bytes"] = total
    _, length = posting_values(new)
    lengths = manifest["lengths"]
    manifest["lengths"] = lengths[:number] + DIGITS[length_level(length)] + lengths[number + 1 :]
    listings = set(manifest["listings"]) - {number} | ({number} if new.listing else set())
    manifest["listings"] = sorted(listings)
    files[MANIFEST] = script("manifest", manifest)
    return files


def _patched_gram_files(
    read: Callable[[str], bytes], grams: int, number: int, old: tuple[int, ...], new: tuple[int, ...]
) -> dict[str, bytes]:
    """The trigram files holding the buckets document `number` left or joined, patched."""
    per_file = GRAM_BUCKETS // grams
    changed = set(old) ^ set(new)
    files = {}
    for file in sorted({bucket // per_file for bucket in changed}):
        encoded = read_gram_file(read(gram_file_path(file)), file, per_file)
        for bucket in changed:
            if bucket // per_file != file:
                continue
            docs = decode_documents(encoded.get(bucket, ""))
            if bucket in old:
                docs.remove(number)
            else:
                insort(docs, number)
            if docs:
                encoded[bucket] = encode_documents(docs)
            else:
                del encoded[bucket]
        files[gram_file_path(file)] = gram_file(file, per_file, encoded)
    return files


def _patched_token_shards(
    read: Callable[[str], bytes], firsts: list[str], changes: dict[str, tuple[int | None, int | None]]
) -> dict[str, bytes] | None:
    """The token shards holding the changed tokens, patched; `firsts` updated. None when a shard would begin
    elsewhere (see `starts_shard`)."""
    bounds = [utf16_key(first) for first in firsts]
    by_shard: defaultdict[int, list[str]] = defaultdict(list)
    for token in changes:  # a token before the first one joins the first shard
        by_shard[max(0, bisect_right(bounds, utf16_key(token)) - 1)].append(token)
    files = {}
    for number, tokens in sorted(by_shard.items()):
        data = read_script(read(token_shard_path(number)))
        if not isinstance(data, list):
            raise TypeError(f"{token_shard_path(number)} holds no token shard")
        encoded = dict(zip(front_decoded(data[0]), data[1].split(" "), strict=True))
        for token in tokens:
            gone, added = changes[token]
            postings = decode_postings(encoded[token]) if token in encoded else []
            if gone is not None:
                if gone not in postings:
                    return None
                postings.remove(gone)
            if added is not None:
                insort(postings, added)
            if postings:
                encoded[token] = encode_postings(postings)
            else:
                encoded.pop(token, None)
        ordered = sorted(encoded, key=utf16_key)
        if not ordered or (number > 0 and ordered[0] != firsts[number]):
            return None
        if number > 0 and not starts_shard(ordered[0], encoded[ordered[0]]):
            return None  # the shard would join the one before
        if any(starts_shard(token, encoded[token]) for token in ordered[1:]):
            return None  # a shard would begin inside this one
        firsts[number] = ordered[0]
        files[token_shard_path(number)] = token_shard(number, ordered, encoded)
    return files
