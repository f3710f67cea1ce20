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
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from itertools import repeat
from operator import add, sub

from .cache import content_digest
from .links import link_html
from .model import Note, ParsedNote, Site
from .parallel import run_all

# Kana and Han ideographs (with extensions and compatibility forms): runs of these become character bigrams.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PIECE = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+(?:[-_\u2010][^\W_{CJK}]+)*)")
_CONNECTOR = re.compile("[-_\u2010]")

TITLE, META, SUMMARY, BODY = 1, 2, 4, 8  # field bits of a posting; body alone is the default
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # 32 "more" + 32 "last" digits
CHUNK_BYTES = 32_000  # target size of one token shard
DOC_SHARD_BYTES = 8_000  # target size of one display-data shard
ROOT = "static/search/"
VERSION = 1


def fold(text: str) -> str:
    """NFKC, then case folding: the form both the index and queries are tokenized in."""
    return unicodedata.normalize("NFKC", text).casefold()


def tokenize(text: str, every_char: bool = True) -> list[str]:
    """Index tokens, first occurrence first: words, hyphenated words' parts and joined form, CJK bigrams and chars.

    A CJK run gives its overlapping bigrams and its characters; with `every_char` false (note bodies) only its
    last character, since the others start a bigram and a one-character query searches tokens by prefix.
    """
    return list(dict.fromkeys(_tokens(text, every_char)))


def _tokens(text: str, every_char: bool) -> list[str]:
    tokens: list[str] = []
    for run, word in _PIECE.findall(fold(text)):
        if run:
            tokens.extend(run if every_char else run[-1])
            tokens.extend(map(add, run, run[1:]))
        else:
            parts = _CONNECTOR.split(word)
            tokens.extend(parts)
            if len(parts) > 1:
                tokens.append("".join(parts))
    return tokens


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


_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL | re.IGNORECASE)
_ANCHOR = re.compile(r'<a class="anchor"[^>]*>.*?</a>', re.DOTALL)
_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|pre|blockquote|table|thead|tbody|tr|td|th|figure|figcaption|dl|dt|dd|br|hr"
    r"|section|details|summary)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(body_html: str) -> str:
    """Visible text of a note body: no diagram SVGs or heading anchors, code kept, whitespace collapsed."""
    text = _ANCHOR.sub("", _SVG.sub(" ", body_html))
    text = _TAG.sub("", _BLOCK.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def search_doc(note: Note, path: str, body_html: str) -> SearchDoc:
    """A note's or page's searchable fields; its body (links resolved, labels shown) as plain text."""
    names = tuple(dict.fromkeys(n for n in (note.title, note.short_title, *note.aliases) if n))
    facets = (*note.tags, *note.authors, note.venue or "", note.org or "", str(note.year or ""))
    return SearchDoc(
        path=path,
        label=note.label,
        title=note.title,
        meta=" · ".join(str(part) for part in (note.year, note.venue) if part),
        names=names,
        facets=tuple(f for f in facets if f),
        summary=note.summary or "",
        text=plain_text(body_html),
    )


def site_documents_in_order(site: Site) -> list[ParsedNote]:
    """Notes in the site's order (newest first), then pages; the home page is left out."""
    return [*site.notes, *(p for p in site.pages if site.paths[p.note.slug] != "index.html")]


IndexEntry = bytes  # a document's display record, body-only tokens and field tokens, pickled and compressed
Unpacked = tuple[list[str], str, tuple[tuple[str, int], ...]]


def document_key(body_key: tuple, card_key: str) -> str:
    """What a document's index entry is made from, by which the cache keeps it (see pages.PageContext)."""
    return content_digest(repr((body_key, card_key)).encode())


def index_entry(parsed: ParsedNote, site: Site) -> IndexEntry:
    """What the index needs of one document (see `entry_of`)."""
    note = parsed.note
    path = site.paths[note.slug]
    return entry_of(
        search_doc(note, path, link_html(parsed.html, site.links.get(note.slug, ()), site.labels, site.paths, path))
    )


def entry_of(doc: SearchDoc) -> IndexEntry:
    """A document's display record, its body-only tokens joined by spaces (no token holds one) and its other
    tokens' field bits, compressed, since 10,000 of them would take hundreds of MB."""
    body_only, fields = field_tokens(doc)
    unpacked: Unpacked = (display_record(doc), " ".join(body_only), tuple(fields.items()))
    return zlib.compress(pickle.dumps(unpacked, protocol=pickle.HIGHEST_PROTOCOL), 1)


def field_tokens(doc: SearchDoc) -> tuple[set[str], dict[str, int]]:
    """The document's body-only tokens, and the field bits of every other token it has."""
    body = set(_tokens(doc.text, every_char=False))
    fields: dict[str, int] = {}
    for bit, texts in ((TITLE, doc.names), (META, doc.facets), (SUMMARY, (doc.summary,))):
        for text in texts:
            for token in _tokens(text, every_char=True):
                fields[token] = fields.get(token, 0) | bit | (BODY if token in body else 0)
    return body.difference(fields), fields


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
def _small_varints() -> tuple[list[str], list[str]]:
    """`varint` of the numbers below _SMALL, and of each minus one (a gap between document numbers is written
    minus one); made on first use, not at import."""
    more, last = DIGITS[:32], DIGITS[32:]
    varints = [
        *last,
        *(a + z for a in more[1:] for z in last),
        *(a + b + z for a in more[1:] for b in more for z in last),
    ]
    return varints, ["", *varints[:-1]]


def encode_postings(entries: Sequence[int]) -> str:
    """Postings (document number << 4 | field bits, ascending) as document-number gaps minus one; then, when any
    is not body-only, `!` and (index gap minus one, field bits) pairs for those."""
    docs = [entry >> 4 for entry in entries]
    varints, gaps = _small_varints()
    if docs[-1] < _SMALL:
        text = varints[docs[0]] + "".join(map(gaps.__getitem__, map(sub, docs[1:], docs[:-1])))
    else:
        text = varint(docs[0]) + "".join(varint(gap - 1) for gap in map(sub, docs[1:], docs[:-1]))
    special = [(index, entry & 15) for index, entry in enumerate(entries) if entry & 15 != BODY]
    if not special:
        return text
    pairs, last = [], -1
    for index, mask in special:
        pairs.append(varint(index - last - 1) + varints[mask])
        last = index
    return text + "!" + "".join(pairs)


def utf16_key(token: str) -> bytes:
    """Sort order of JavaScript's string comparison (UTF-16 code units), which the client's lookups rely on."""
    return token.encode("utf-16-be")


def front_coded(tokens: list[str]) -> str:
    """Tokens joined by spaces, each as the length (0-9) of the prefix it shares with the previous one + the rest."""
    out: list[str] = []
    previous = ""
    for token in tokens:
        shared = 0
        for mine, theirs in zip(token[:9], previous[:9], strict=False):
            if mine != theirs:
                break
            shared += 1
        out.append(f"{shared}{token[shared:]}")
        previous = token
    return " ".join(out)


def script(shard_id: str, data: object) -> bytes:
    """An index file: a script that hands its data to the client, so it loads from file:// without fetch."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f'window.__llmnotesSearch.add("{shard_id}",{payload});\n'.encode()


@dataclass(slots=True)
class IndexState:
    """The postings an index was made from, which the cache keeps so that an edit updates them, not rebuilds them."""

    keys: list[str]  # the entry key of each document, in document order
    postings: dict[str, array]  # token -> (document number << 4 | field bits), ascending
    encoded: dict[str, str]  # token -> its postings as encode_postings writes them
    records: list[list[str]]  # each document's display record


MAX_UPDATES = 64  # documents changed since the last index beyond which rebuilding it is as quick


def index_state(keys: list[str], entries: Iterable[IndexEntry]) -> IndexState:
    """The postings of every document, taking the entries one at a time and keeping only their display records."""
    # Millions of postings: arrays of machine integers take a seventh of the memory of lists of int objects.
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "i"))
    records: list[list[str]] = []
    for number, entry in enumerate(entries):
        record, body_only, fields = pickle.loads(zlib.decompress(entry))
        records.append(record)
        posting = number << 4 | BODY
        tokens = body_only.split(" ") if body_only else ()
        deque(map(array.append, map(postings.__getitem__, tokens), repeat(posting)), maxlen=0)  # C-speed appends
        for token, mask in fields:
            postings[token].append(number << 4 | mask)
    encoded = {token: encode_postings(numbers) for token, numbers in postings.items()}
    return IndexState(keys, dict(postings), encoded, records)


def update_state(state: IndexState, keys: list[str], entry_of: Callable[[str], IndexEntry | None]) -> bool:
    """Bring `state` to `keys` in place by taking out and putting back the documents whose entries changed;
    False, leaving it unusable, when the documents changed in number or many changed (rebuild it then)."""
    if len(keys) != len(state.keys):
        return False
    changed = [number for number, (old, new) in enumerate(zip(state.keys, keys, strict=True)) if old != new]
    if len(changed) > MAX_UPDATES:
        return False
    touched: set[str] = set()
    for number in changed:
        old, new = entry_of(state.keys[number]), entry_of(keys[number])
        if old is None or new is None:
            return False
        for token, posting in _postings_of(number, old)[1].items():
            state.postings[token].remove(posting)
            touched.add(token)
        state.records[number], postings = _postings_of(number, new)
        for token, posting in postings.items():
            insort(state.postings.setdefault(token, array("i")), posting)
            touched.add(token)
    for token in touched:
        if state.postings[token]:
            state.encoded[token] = encode_postings(state.postings[token])
        else:
            del state.postings[token], state.encoded[token]
    state.keys = list(keys)
    return True


def _postings_of(number: int, entry: IndexEntry) -> tuple[list[str], dict[str, int]]:
    record, body_only, fields = pickle.loads(zlib.decompress(entry))
    return record, _postings(number, body_only.split(" ") if body_only else (), fields)


def _postings(number: int, body_only: Iterable[str], fields: Iterable[tuple[str, int]]) -> dict[str, int]:
    """token -> the posting document `number` has for it, from its body-only tokens and its tokens' field bits."""
    postings = dict.fromkeys(body_only, number << 4 | BODY)
    postings.update((token, number << 4 | mask) for token, mask in fields)
    return postings


def starts_shard(token: str, postings: str) -> bool:
    """Whether a token begins a token shard: by a hash of the token, with a chance of its share of CHUNK_BYTES, so
    that shards hold about CHUNK_BYTES (one token larger than that begins its own) and where they begin depends on
    no token but that one: an edit rewrites only the shards holding the tokens it changed."""
    weight = len(token.encode()) + len(postings) + 6
    return zlib.crc32(token.encode()) * CHUNK_BYTES < weight << 32


def token_shards(encoded: dict[str, str]) -> tuple[list[str], dict[str, bytes]]:
    """Token shards over the sorted vocabulary, and the first token of each; see `starts_shard`."""
    firsts: list[str] = []
    files: dict[str, bytes] = {}
    chunk: list[str] = []

    def flush() -> None:
        firsts.append(chunk[0])
        files[token_shard_path(len(firsts) - 1)] = token_shard(len(firsts) - 1, chunk, encoded)
        chunk.clear()

    for token in sorted(encoded, key=utf16_key):
        if chunk and starts_shard(token, encoded[token]):
            flush()
        chunk.append(token)
    if chunk:
        flush()
    return firsts, files


def token_shard_path(number: int) -> str:
    return f"{ROOT}t/{number}.js"


def token_shard(number: int, tokens: list[str], encoded: dict[str, str]) -> bytes:
    return script(f"t/{number}", [front_coded(tokens), " ".join(encoded[token] for token in tokens)])


def display_record(doc: SearchDoc) -> list[str]:
    """What a result shows: [path, label, title, meta, summary, names and facets, text]."""
    other_names = [n for n in doc.names if n not in (doc.label, doc.title)]
    return [doc.path, doc.label, doc.title, doc.meta, doc.summary, " · ".join((*other_names, *doc.facets)), doc.text]


def record_bytes(record: list[str]) -> int:
    return len(json.dumps(record, ensure_ascii=False).encode())


def docs_per_shard(total_bytes: int, documents: int) -> int:
    """How many documents share a display-data shard: about DOC_SHARD_BYTES each, at most 16 documents."""
    return max(1, min(16, round(DOC_SHARD_BYTES * documents / total_bytes))) if total_bytes else 1


def build_search_index(site: Site) -> dict[str, bytes]:
    """Every file of the search index, by output path: manifest, token shards and display-data shards.

    The documents are read and tokenized in worker processes; only putting the postings together is done here.
    """
    return build_index(run_all(partial(index_entry, site=site), site_documents_in_order(site)))


def build_index(entries: Iterable[IndexEntry]) -> dict[str, bytes]:
    """The index files of these entries, in document order."""
    return index_files(index_state([], entries))


def index_files(state: IndexState) -> dict[str, bytes]:
    """The index files; a document's number is its position, which is also the ranking's last tie-break."""
    records = state.records
    firsts, files = token_shards(state.encoded)
    total = sum(map(record_bytes, records))
    per_shard = docs_per_shard(total, len(records))
    for start in range(0, len(records), per_shard):
        shard_id = f"d/{start // per_shard}"
        files[f"{ROOT}{shard_id}.js"] = script(shard_id, records[start : start + per_shard])
    manifest = {"bytes": total, "chunks": firsts, "docs": len(records), "docsPerShard": per_shard, "version": VERSION}
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
    head, _, tail = text.partition("!")
    gaps = _varints(head)
    docs = [gaps[0]]
    for gap in gaps[1:]:
        docs.append(docs[-1] + gap + 1)
    masks = [BODY] * len(docs)
    pairs, last = _varints(tail), -1
    for index in range(0, len(pairs), 2):
        last += pairs[index] + 1
        masks[last] = pairs[index + 1]
    return [doc << 4 | mask for doc, mask in zip(docs, masks, strict=True)]


def postings_of(doc: SearchDoc, number: int) -> dict[str, int]:
    body_only, fields = field_tokens(doc)
    return _postings(number, body_only, fields.items())


def patch_index(read: Callable[[str], bytes], number: int, old: SearchDoc, new: SearchDoc) -> dict[str, bytes] | None:
    """The index files that change, and their bytes, when document `number` changes from `old` to `new` with the
    same place in the order: byte for byte what `index_files` would make. None when a shard would begin elsewhere
    or the documents per display-data shard would change (make the index afresh then).

    Raises ValueError, KeyError, IndexError or TypeError on files that are not as `index_files` wrote them."""
    manifest = read_script(read(MANIFEST))
    if not isinstance(manifest, dict):
        raise TypeError(f"{MANIFEST} holds no manifest")
    before, after = postings_of(old, number), postings_of(new, number)
    changes = {token: (before.get(token), after.get(token)) for token in before.keys() | after.keys()}
    changes = {token: change for token, change in changes.items() if change[0] != change[1]}
    files = _patched_token_shards(read, manifest["chunks"], changes)
    old_record, new_record = display_record(old), display_record(new)
    total = manifest["bytes"] - record_bytes(old_record) + record_bytes(new_record)
    per_shard = manifest["docsPerShard"]
    if files is None or docs_per_shard(total, manifest["docs"]) != per_shard:
        return None
    path = f"{ROOT}d/{number // per_shard}.js"
    records = read_script(read(path))
    if not isinstance(records, list) or records[number % per_shard] != old_record:
        return None
    records[number % per_shard] = new_record
    files[path] = script(f"d/{number // per_shard}", records)
    manifest["bytes"] = total
    files[MANIFEST] = script("manifest", manifest)
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
