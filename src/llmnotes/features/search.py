"""The site search index: each document's entry (in workers), the postings kept between builds, and the files."""

from __future__ import annotations

import html
import pickle
import re
import zlib
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate, repeat
from operator import and_, or_
from typing import NamedTuple

from ..content.link import link_html
from ..engine.cache import content_digest
from ..model import Note, ParsedNote, Site
from .citation_style import cite_html
from .search_format import (
    DIGITS,
    GRAM_BUCKETS,
    HEADING,
    MANIFEST,
    MAX_TF,
    META,
    ROOT,
    SUMMARY,
    TF_BITS,
    TITLE,
    VALUE_BITS,
    VERSION,
    compact_json,
    docs_per_shard,
    document_slots,
    encode_all,
    encode_documents,
    encode_numbers,
    gram_file,
    gram_file_path,
    gram_files,
    script,
    token_shards,
)
from .search_skips import Skips
from .search_tokens import TRIGRAM, counts_and_trigrams, fold, folded_tokens


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


@lru_cache(maxsize=1)
def _slots_of(paths: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """`document_slots`, the last answer kept: a server's edit that moves no path asks again for the same slots
    (sorting 10,000 paths' hashes took 10 ms of each)."""
    return document_slots(paths)


def indexed_documents(site: Site) -> tuple[list[ParsedNote | None], list[int]]:
    """The documents in the index's slots (None: a free slot; see `search_format.document_slots`), and the slots of
    the documents in the site's order (newest first), the ranking's last tie-break.

    A slot changes only when the note's output path does, or when a note added or deleted next to it takes or
    frees a slot it probed, whereas the site's order follows titles, years and dates: numbered in it, one title
    edit would renumber every document between the note's old and new places and the index would be made afresh;
    in slots, the edit changes that document's entry and the manifest's "order", which `search_patch.patch_index`
    patches."""
    in_order = site_documents_in_order(site)
    size, slot_of = _slots_of(tuple([site.paths[parsed.note.slug] for parsed in in_order]))
    slots: list[ParsedNote | None] = [None] * size
    order = []
    for parsed in in_order:
        slot = slot_of[site.paths[parsed.note.slug]]
        slots[slot] = parsed
        order.append(slot)
    return slots, order


SECTION = 7  # the place of the sections in a display record
IndexEntry = bytes  # what the index needs of a document (see `Entry`), pickled and compressed


class Entry(NamedTuple):
    """What the index takes from one document: a few strings and byte strings, not an object per token, so that
    the main process unpickles it quickly and appends its postings without a Python loop."""

    record: list[str] | None  # its display record; None for a free slot
    tokens: str  # its tokens, joined by spaces (no token holds one)
    values: bytes  # the posting value of each token, in the same order
    level: int  # its body's length in tokens, as `length_level`
    listing: bool
    grams: bytes  # the buckets of its CJK trigrams, ascending, as array("H") bytes


def document_key(body_key: str, card_key: str) -> str:
    """What a document's index entry is made from, by which the cache keeps it (see emit.context.PageContext)."""
    return content_digest(f"{body_key} {card_key}".encode())


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


# A free slot's entry: no record (its place in a display-data shard holds null), tokens or trigrams.
FREE = zlib.compress(pickle.dumps((None, "", b"", 0, False, b""), protocol=pickle.HIGHEST_PROTOCOL), 1)


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
    counts, grams = counts_and_trigrams(fold(doc.text), every_char=False)
    values = dict(zip(counts, map(min, counts.values(), repeat(MAX_TF)), strict=True))
    fields = ((TITLE, doc.names), (META, doc.facets), (HEADING, doc.headings), (SUMMARY, (doc.summary,)))
    for bit, texts in fields:
        # A field's texts folded and tokenized as one, a line each: no token, trigram or NFKC composition spans a
        # line break, so the tokens and trigrams are those of the texts one by one.
        folded = fold("\n".join(texts))
        tokens = sorted(set(folded_tokens(folded, every_char=True)))  # sorted: the same entry bytes in every process
        grams.update(TRIGRAM.findall(folded))
        values.update(zip(tokens, map(or_, map(values.get, tokens, repeat(0)), repeat(bit << TF_BITS)), strict=True))
    # `gram_bucket` of each distinct trigram (GRAM_BUCKETS is a power of two), in C rather than a Python loop
    buckets = set(map(and_, map(zlib.crc32, map(str.encode, grams)), repeat(GRAM_BUCKETS - 1)))
    return values, counts.total(), tuple(sorted(buckets))


def length_level(length: int) -> int:
    """A body length as 0-63, four steps per doubling (2 ** (level / 4) tokens), in integers only."""
    return min(63, ((length + 1) ** 4).bit_length() - 1)


def gram_bucket(gram: str) -> int:
    return zlib.crc32(gram.encode()) % GRAM_BUCKETS


def gram_buckets(doc: SearchDoc) -> tuple[int, ...]:
    """The buckets of every three CJK characters in a row in the document's fields, by which a query's CJK run is
    known to stand in it whole (its trigrams, hashed: no vocabulary to ship, and a false match 1 time in 100)."""
    return document_tokens(doc)[2]


@dataclass(slots=True)
class IndexState:
    """Every document's postings, encoded, and what else the index files show of it."""

    encoded: dict[str, str]  # token -> its postings as encode_postings writes them
    records: list[list[str] | None]  # each slot's display record (None: free)
    levels: list[int]  # each document's body length level
    listings: list[bool]
    encoded_grams: dict[int, str]  # trigram bucket -> the documents holding it, as encode_documents writes them
    skips: dict[str, Skips] = field(default_factory=dict)  # the long postings lists' skip points, by token


class Batch(NamedTuple):
    """The postings of a run of documents, put together in a worker: the main process takes each token's in one
    call, not one call per posting (3.4 million postings at 10,000 notes)."""

    made: dict[int, IndexEntry]  # the entries made here (the cache held none), by document number
    records: list[list[str] | None]
    levels: list[int]
    listings: list[bool]
    tokens: list[str]
    postings: tuple[array, array]  # each token's postings (document number << VALUE_BITS | value), and their counts
    buckets: list[int]
    documents: tuple[array, array]  # the numbers of the documents holding each trigram bucket, and their counts


def batch_of(numbers: range, entries: Iterable[IndexEntry], made: dict[int, IndexEntry] | None = None) -> Batch:
    """The postings of the documents numbered `numbers`, from their entries."""
    # Millions of postings: arrays of machine integers take a seventh of the memory of lists of int objects.
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "i"))
    grams: defaultdict[int, array[int]] = defaultdict(partial(array, "i"))
    batch = Batch(made or {}, [], [], [], [], (array("i"), array("i")), [], (array("i"), array("i")))
    for number, packed in zip(numbers, entries, strict=True):
        entry = unpack(packed)
        batch.records.append(entry.record)
        batch.levels.append(entry.level)
        batch.listings.append(entry.listing)
        numbered = map(or_, repeat(number << VALUE_BITS), entry.values)
        deque(map(array.append, map(postings.__getitem__, entry_tokens(entry)), numbered), maxlen=0)  # in C
        deque(map(array.append, map(grams.__getitem__, entry_grams(entry)), repeat(number)), maxlen=0)
    batch.tokens.extend(postings)
    batch.buckets.extend(grams)
    for lists, (joined, counts) in ((postings, batch.postings), (grams, batch.documents)):
        deque(map(joined.extend, lists.values()), maxlen=0)
        counts.extend(map(len, lists.values()))
    return batch


def index_state(batches: Iterable[Batch]) -> IndexState:
    """The postings of every document from the batches of its documents, in order, keeping their display records."""
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "i"))
    grams: defaultdict[int, array[int]] = defaultdict(partial(array, "i"))
    state = IndexState({}, [], [], [], {})
    for batch in batches:
        state.records.extend(batch.records)
        state.levels.extend(batch.levels)
        state.listings.extend(batch.listings)
        # Each batch's documents come after the last one's: its postings of a token follow the ones before. In C.
        deque(map(array.extend, map(postings.__getitem__, batch.tokens), _pieces(*batch.postings)), maxlen=0)
        deque(map(array.extend, map(grams.__getitem__, batch.buckets), _pieces(*batch.documents)), maxlen=0)
    state.encoded, state.skips = encode_all(postings)
    state.encoded_grams = {bucket: encode_documents(docs) for bucket, docs in grams.items()}
    return state


def _pieces(joined: array, counts: array) -> map[array]:
    """`joined` cut into runs of `counts` items."""
    ends = list(accumulate(counts))
    return map(joined.__getitem__, map(slice, [0, *ends[:-1]], ends))


def display_record(doc: SearchDoc) -> list[str]:
    """What a result shows: [path, label, title, meta, summary, names and facets, text, sections]."""
    other_names = [n for n in doc.names if n not in (doc.label, doc.title)]
    names = " · ".join((*other_names, *doc.facets))
    return [doc.path, doc.label, doc.title, doc.meta, doc.summary, names, doc.text, doc.section]


def build_search_index(site: Site) -> dict[str, bytes]:
    """Every file of the search index, by output path: manifest, token shards, trigram files and display-data
    shards. The documents are read and tokenized in worker processes; only putting the postings together is
    done here."""
    from ..engine.parallel import run_all  # here: a body edit, which patches the index, starts no workers

    slots, order = indexed_documents(site)
    documents = [parsed for parsed in slots if parsed is not None]
    made = iter(run_all(partial(index_entry, site=site), documents))
    return build_index([FREE if parsed is None else next(made) for parsed in slots], order)


def build_index(entries: Iterable[IndexEntry], order: Sequence[int] | None = None) -> dict[str, bytes]:
    """The index files of these entries, in slot order (FREE for a free slot); `order` as `index_files` takes it."""
    listed = list(entries)
    return index_files(index_state([batch_of(range(len(listed)), listed)]), order)


def index_files(state: IndexState, order: Sequence[int] | None = None) -> dict[str, bytes]:
    """The index files; a document's number is its slot, and `order` holds the documents' slots in the site's order
    (None: in slot order), which the manifest keeps for the ranking's last tie-break."""
    records = state.records
    firsts, files = token_shards(state.encoded)
    # Each record as JSON once, for its size and its shard: what `record_bytes` and `script` would write of it.
    written = list(map(compact_json, records))
    separators = sum(len(record) - 1 for record in records if record)  # ", " between a record's items
    total = sum(map(len, map(str.encode, written))) + separators
    per_shard = docs_per_shard(total, len(records))
    for start in range(0, len(records), per_shard):
        if not any(records[start : start + per_shard]):
            continue  # free slots only: no result ever loads it
        shard_id = f"d/{start // per_shard}"
        payload = f"[{','.join(written[start : start + per_shard])}]"
        files[f"{ROOT}{shard_id}.js"] = f'window.__llmnotesSearch.add("{shard_id}",{payload});\n'.encode()
    grams = gram_files(len(records))
    per_file = GRAM_BUCKETS // grams
    held = sorted({bucket // per_file for bucket in state.encoded_grams})  # a file with no bucket is not written
    for number in held:
        files[gram_file_path(number)] = gram_file(number, per_file, state.encoded_grams)
    documents = [slot for slot, record in enumerate(records) if record is not None]
    manifest = {
        "bytes": total,
        "chunks": firsts,
        "docs": len(documents),
        "docsPerShard": per_shard,
        "grams": grams,
        "gramsHeld": encode_documents(held),
        "lengths": "".join(DIGITS[state.levels[slot]] for slot in documents),  # the documents', in slot order
        "listings": [number for number, listing in enumerate(state.listings) if listing],
        "order": encode_numbers(documents if order is None else order),
        "slots": len(records),
        "version": VERSION,
    }
    files[MANIFEST] = script("manifest", manifest)
    return dict(sorted(files.items()))
