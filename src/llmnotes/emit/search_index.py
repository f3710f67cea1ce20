"""The search index files under static/search/: manifest, token shards and display-data shards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from ..engine.cache import Store
from ..features.search import (
    build_search_index,
    document_key,
    index_entry,
    index_files,
    index_state,
    search_doc,
    site_documents_in_order,
    unpack,
)
from ..features.search_format import ROOT
from ..features.search_patch import MAX_PATCHED, patch_bodies, patch_index
from ..model import Note, Output, Page, ParsedNote, pickled_by_constructor
from . import PageContext


def emit(context: PageContext) -> Iterator[Output]:
    documents = site_documents_in_order(context.site)
    keys = tuple(document_key(context.body_key(p), context.card_key(p.note.slug)) for p in documents)
    yield Output(
        ROOT,
        keys,
        partial(_files, context, documents, keys),
        alone=True,
        parts=keys,
        update=partial(_patched, context, documents, keys),
    )


def _files(context: PageContext, documents: list[ParsedNote], keys: tuple[str, ...]) -> list[Page]:
    """The index from every document's entry: the cache's where the document's inputs are unchanged."""
    store = context.search_entries
    if store is None:
        return [Page(path, content) for path, content in build_search_index(context.site).items()]
    missing = [number for number, key in enumerate(keys) if store.get(key) is None]
    from ..engine.parallel import run_all  # here: a body edit, which patches the index, starts no workers

    fresh = run_all(partial(index_entry, site=context.site), [documents[number] for number in missing])
    # The postings grow here as the workers hand over each document's entry, not after the last one.
    state = index_state(_entries(store, keys, missing, fresh))
    store.cache.save_quietly(store.save)
    return [Page(path, content) for path, content in index_files(state).items()]


def _patched(
    context: PageContext,
    documents: list[ParsedNote],
    keys: tuple[str, ...],
    read: Callable[[str], bytes],
    old_keys: tuple[str, ...],
) -> list[Page] | None:
    """The index files that changed since the last build's, patched on disk when the documents are the same in
    number and few changed (see `patch_index`); the other files stay as they are. None: make the index afresh."""
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
        files = patch_index(read, changes)
    except (OSError, ValueError, KeyError, IndexError, TypeError):  # files not as the last build wrote them
        return None
    store.cache.save_quietly(store.save)
    return None if files is None else [Page(path, content) for path, content in files.items()]


def _entries(store: Store, keys: tuple[str, ...], missing: list[int], fresh: Iterator[bytes]) -> Iterator[bytes]:
    """Every document's entry in order: the cache's, or the next of `fresh` (the missing ones', in order), which
    the cache keeps from now on."""
    made = zip(missing, fresh, strict=True)
    upcoming = next(made, None)
    for number, key in enumerate(keys):
        if upcoming is not None and upcoming[0] == number:
            entry = upcoming[1]
            store.put(key, entry)
            upcoming = next(made, None)
        else:
            entry = store.get(key)
        yield entry
    for _ in made:  # none left; ends the workers' iterator
        pass


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class SearchRecord:
    """Where a note is in the index and what its entry was made from besides its body (see `updated_index`)."""

    document: int  # its number in the index
    card_key: str


def records(context: PageContext) -> dict[str, SearchRecord]:
    """slug -> the record of each note's document, from the values `emit` made the index with."""
    documents = site_documents_in_order(context.site)
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
    byte the index `emit` makes. None when the index on disk is not the record's, or must be made afresh."""
    (old_body, new_body), (old_key, new_key) = bodies, body_keys
    if keys[record.document] != document_key(old_key, record.card_key):
        return None
    patched = patch_bodies(read, record.document, search_doc(note, path, old_body), search_doc(note, path, new_body))
    if patched is not None:
        keys[record.document] = document_key(new_key, record.card_key)
    return patched
