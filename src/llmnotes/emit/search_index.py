"""The search index files under static/search/: manifest, token shards and display-data shards."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from ..engine.cache import Store, content_digest
from ..features.search import (
    Batch,
    batch_of,
    build_search_index,
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
from ..model import Note, Output, Page, ParsedNote, Site, pickled_by_constructor
from . import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    """The index, keyed on each document's entry key in document order (its parts), then on the site's order."""
    documents, order = indexed_documents(context.site)
    keys = tuple(document_key(context.body_key(p), context.card_key(p.note.slug)) for p in documents)
    yield Output(
        ROOT,
        (*keys, order_key(order)),
        partial(_files, context, documents, keys, order),
        alone=True,
        parts=keys,
        update=partial(_patched, context, documents, keys, order),
    )


def order_key(order: list[int]) -> str:
    """The last part of the index's key: its manifest shows the site's order, which no document's key covers."""
    return "order " + content_digest(repr(order).encode())


def _files(context: PageContext, documents: list[ParsedNote], keys: tuple[str, ...], order: list[int]) -> list[Page]:
    """The index from every document's entry: the cache's where the document's inputs are unchanged. Workers
    make the missing entries and put the postings of runs of documents together."""
    store = context.search_entries
    if store is None:
        return [Page(path, content) for path, content in build_search_index(context.site).items()]
    from ..engine.parallel import run_all  # here: a body edit, which patches the index, starts no workers

    cached = [store.get(key) for key in keys]
    runs = [range(start, min(start + BATCH, len(keys))) for start in range(0, len(keys), BATCH)]
    work = partial(_batch, documents=documents, cached=cached, site=context.site)
    state = index_state(_kept(store, keys, run_all(work, runs, chunk=1, weight=BATCH)))
    store.cache.save_quietly(store.save)
    return [Page(path, content) for path, content in index_files(state, order).items()]


BATCH = 64  # documents whose postings a worker puts together at a time


def _batch(numbers: range, documents: list[ParsedNote], cached: list[bytes | None], site: Site) -> Batch:
    """The postings of the documents numbered `numbers`, with the entries the cache did not hold made here."""
    made = {n: index_entry(documents[n], site) for n in numbers if cached[n] is None}
    return batch_of(numbers, [cached[n] or made[n] for n in numbers], made)


def _kept(store: Store, keys: tuple[str, ...], batches: Iterable[Batch]) -> Iterator[Batch]:
    """The batches, as they come, with the entries they made kept by the cache from now on."""
    for batch in batches:
        for number, entry in batch.made.items():
            store.put(keys[number], entry)
        yield batch


def _patched(
    context: PageContext,
    documents: list[ParsedNote],
    keys: tuple[str, ...],
    order: list[int],
    read: Callable[[str], bytes],
    old_keys: tuple[str, ...],
) -> list[Page] | None:
    """The index files that changed since the last build's, patched on disk when the documents are the same in
    number and few changed (see `patch_index`), the site's order as `order`; the other files stay as they are.
    None: make the index afresh."""
    store = context.search_entries
    if store is None or len(old_keys) != len(keys):
        return None
    changed = [number for number, (old, new) in enumerate(zip(old_keys, keys, strict=True)) if old != new]
    if len(changed) > MAX_PATCHED:
        return None
    changes = []
    for number in changed:
        old = store.get(old_keys[number])
        if old is None:
            return None
        new = store.get(keys[number])
        if new is None:
            new = index_entry(documents[number], context.site)
            store.put(keys[number], new)
        changes.append((number, unpack(old), unpack(new)))
    try:
        files = patch_index(read, changes, order)
    except (OSError, ValueError, KeyError, IndexError, TypeError):  # files not as the last build wrote them
        return None
    store.cache.save_quietly(store.save)
    return None if files is None else [Page(path, content) for path, content in files.items()]


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class SearchRecord:
    """Where a note is in the index and what its entry was made from besides its body (see `updated_index`)."""

    document: int  # its number in the index (see `indexed_documents`)
    card_key: str


def records(context: PageContext) -> dict[str, SearchRecord]:
    """slug -> the record of each note's document, from the values `emit` made the index with."""
    documents, _ = indexed_documents(context.site)
    return {p.note.slug: SearchRecord(n, context.card_key(p.note.slug)) for n, p in enumerate(documents)}


def updated_index(
    read: Callable[[str], bytes],
    keys: list[str],
    record: SearchRecord,
    note: Note,
    path: str,
    bodies: tuple[str, str],
    body_keys: tuple[tuple, tuple],
) -> dict[str, bytes] | None:
    """The index files that change when a note's body changes from `bodies[0]` to `bodies[1]` (made from
    `body_keys[0]`, then `[1]`), everything else about it as `record` says, and `keys` updated to match: byte for
    byte the index `emit` makes. None when the index on disk is not the record's, or must be made afresh. `keys`
    ends with the site's order's key (see `emit`), which a body edit leaves as it is."""
    (old_body, new_body), (old_key, new_key) = bodies, body_keys
    if keys[record.document] != document_key(old_key, record.card_key):
        return None
    patched = patch_bodies(read, record.document, search_doc(note, path, old_body), search_doc(note, path, new_body))
    if patched is not None:
        keys[record.document] = document_key(new_key, record.card_key)
    return patched
