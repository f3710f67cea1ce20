"""The search index files under static/search/: manifest, token shards and display-data shards."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import cast

from ..engine.cache import Store, content_digest
from ..features.search import (
    FREE,
    Batch,
    batch_of,
    document_key,
    index_entry,
    index_files,
    index_state,
    indexed_documents,
    search_doc,
    unpack,
)
from ..features.search_format import ROOT
from ..features.search_patch import MAX_PATCHED, patch_bodies, patch_index
from ..features.search_skips import SkipTable
from ..model import Gone, Note, Output, Page, ParsedNote, pickled_by_constructor
from .context import CHECK_CARRIED, PageContext


def emit(context: PageContext) -> Iterator[Output]:
    """The index, keyed on each slot's entry key (its parts; "" for a free slot), then on the site's order."""
    documents, order = indexed(context)
    keys = _document_keys(context, documents)
    job = IndexJob(context, documents, keys, order)
    yield Output(
        ROOT,
        (*keys, order_key(order)),
        job.render,
        alone=True,
        parts=keys,
        update=partial(_patched, context, documents, keys, order),
        pieces=job.pieces,
        piece=job.piece,
        assemble=job.assemble,
    )


FREE_KEY = ""  # a free slot's part of the key
_KEYS = "search document keys"  # a server's last build's: the notes in the index's slots, and their keys


def _document_keys(context: PageContext, documents: list[ParsedNote | None]) -> tuple[str, ...]:
    """Each slot's key: in a server, the last build's for the notes whose body and card keys are known unchanged (a
    title edit at 10,000 notes made every document's key again, 0.03 s)."""

    def made(parsed: ParsedNote | None) -> str:
        if parsed is None:
            return FREE_KEY
        return document_key(context.body_key(parsed), context.card_key(parsed.note.slug))

    if context.kept_keys is None:  # the command line: nothing kept
        return tuple(made(p) for p in documents)
    slugs = [p.note.slug if p else None for p in documents]
    last = context.kept_keys.get(_KEYS)
    bodies, cards = context.changed_bodies(), context.changed_cards()
    if last is not None and bodies is not None and cards is not None and last[0] == slugs:
        keys = list(last[1])
        for number, slug in enumerate(slugs):
            if slug is not None and (slug in bodies or slug in cards or CHECK_CARRIED):
                key = made(documents[number])
                if CHECK_CARRIED and slug not in bodies and slug not in cards and key != keys[number]:
                    raise AssertionError(f"the search document key of {slug} carried over is not its key")
                keys[number] = key
    else:
        keys = [made(p) for p in documents]
    context.next_keys[_KEYS] = (slugs, keys)
    return tuple(keys)


def order_key(order: list[int]) -> str:
    """The last part of the index's key: its manifest shows the site's order, which no document's key covers."""
    return "order " + content_digest(repr(order).encode())


BATCH = 64  # documents whose postings a worker puts together at a time


class IndexJob:
    """The index made in pieces: the postings of runs of BATCH documents put together in the workers, from the
    cache's entries where a document's inputs are unchanged; then joined, encoded and written out in the main
    process (see `Output.pieces`)."""

    def __init__(
        self, context: PageContext, documents: list[ParsedNote | None], keys: tuple[str, ...], order: list[int]
    ) -> None:
        self.context = context
        self.documents = documents
        self.keys = keys
        self.order = order
        self.runs = [range(start, min(start + BATCH, len(keys))) for start in range(0, len(keys), BATCH)]
        self.cached: list[bytes | None] | None = None  # each document's entry in the cache, once `pieces` looked

    def pieces(self) -> int:
        """Look up the documents' entries in the cache (before the workers start: forked ones see them)."""
        store = self.context.search_entries
        self.cached = [None if store is None or key == FREE_KEY else store.get(key) for key in self.keys]
        return len(self.runs)

    def piece(self, number: int) -> Batch:
        """The postings of one run of documents, with the entries the cache did not hold made here (all of them in
        a worker that was not forked: the cache stays in the main process)."""
        numbers, keys, documents = self.runs[number], self.keys, self.documents
        cached = self.cached or [None] * len(keys)
        known = [FREE if keys[n] == FREE_KEY else cached[n] for n in numbers]  # a free slot's entry is never made
        site, pairs = self.context.site, list(zip(numbers, known, strict=True))
        made = {n: index_entry(cast(ParsedNote, documents[n]), site) for n, entry in pairs if entry is None}
        return batch_of(numbers, [entry or made[n] for n, entry in pairs], made)

    def assemble(self, batches: Iterator[Batch]) -> list[Page]:
        """The files from the runs' postings, taken in order as the workers hand them over; the entries made keep
        in the cache."""
        store = self.context.search_entries
        state = index_state(batches if store is None else _kept(store, self.keys, batches))
        if store is not None:
            store.cache.save_quietly(store.save)
            store.cache.keep_search_skips(state.skips)
        return [Page(path, content) for path, content in index_files(state, self.order).items()]

    def render(self) -> list[Page]:
        """The whole index in one call, its pieces in workers of its own."""
        from ..engine.parallel import run_all  # here: a body edit, which patches the index, starts no workers

        count = self.pieces()
        return self.assemble(run_all(self.piece, range(count), chunk=1, weight=BATCH))


def _kept(store: Store, keys: tuple[str, ...], batches: Iterable[Batch]) -> Iterator[Batch]:
    """The batches, as they come, with the entries they made kept by the cache from now on."""
    for batch in batches:
        for number, entry in batch.made.items():
            store.put(keys[number], entry)
        yield batch


def _patched(
    context: PageContext,
    documents: list[ParsedNote | None],
    keys: tuple[str, ...],
    order: list[int],
    read: Callable[[str], bytes],
    old_keys: tuple[str, ...],
) -> list[Page | Gone] | None:
    """The index files that changed since the last build's, patched on disk when the slots are the same in number
    and few changed (see `patch_index`: a note edited, added or deleted), the site's order as `order`; the other
    files stay as they are. None: make the index afresh."""
    store = context.search_entries
    if store is None or len(old_keys) != len(keys):
        return None
    changed = [number for number, (old, new) in enumerate(zip(old_keys, keys, strict=True)) if old != new]
    if len(changed) > MAX_PATCHED:
        return None
    changes = []
    for number in changed:
        old = FREE if old_keys[number] == FREE_KEY else store.get(old_keys[number])
        if old is None:
            return None
        document = documents[number]
        new = FREE if document is None else store.get(keys[number])
        if new is None and document is not None:
            new = index_entry(document, context.site)
            store.put(keys[number], new)
        assert new is not None
        changes.append((number, unpack(old), unpack(new)))
    skips = SkipTable(store.cache.search_skips)
    try:
        files = patch_index(read, changes, order, skips)
    except (OSError, ValueError, KeyError, IndexError, TypeError):  # files not as the last build wrote them
        return None
    store.cache.save_quietly(partial(store.save, collect=False))  # the entries of the documents it left alone too
    if files is None:
        return None
    if skips.changed:
        store.cache.keep_search_skips(skips.points)
    return [Gone(path) if content is None else Page(path, content) for path, content in files.items()]


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class SearchRecord:
    """What a note's entry in the index was made from besides its body (see `updated_index`). Not its number in the
    index, which a note added or deleted before it shifts: the record stays good then, and is not written again."""

    card_key: str


def indexed(context: PageContext) -> tuple[list[ParsedNote | None], list[int]]:
    """`indexed_documents` of the site, worked out once per build."""
    return context.remember("indexed", "", lambda: indexed_documents(context.site))


def updated_index(
    read: Callable[[str], bytes],
    keys: list[str],
    record: SearchRecord,
    note: Note,
    path: str,
    bodies: tuple[str, str],
    body_keys: tuple[str, str],
    entries: dict[str, bytes],
    skips: SkipTable | None = None,
) -> dict[str, bytes] | None:
    """The index files that change when a note's body changes from `bodies[0]` to `bodies[1]` (made from
    `body_keys[0]`, then `[1]`), everything else about it as `record` says, and `keys` updated to match: byte for
    byte the index `emit` makes. None when the index on disk is not the record's, or must be made afresh. `keys`
    ends with the site's order's key (see `emit`), which a body edit leaves as it is. The document's new entry goes
    into `entries` by its key, for the cache: the next edit's patch takes it out of the index again. `skips` as
    `patch_index` takes them."""
    (old_body, new_body), (old_key, new_key) = bodies, body_keys
    try:  # its number: where its key is (the key digests its path, which no other document has)
        number = keys.index(document_key(old_key, record.card_key))
    except ValueError:
        return None
    patched = patch_bodies(read, number, search_doc(note, path, old_body), search_doc(note, path, new_body), skips)
    if patched is None:
        return None
    files, entry = patched
    keys[number] = document_key(new_key, record.card_key)
    entries[keys[number]] = entry
    return files
