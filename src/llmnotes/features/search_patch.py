"""Patch the search index's files in place for a few documents whose entries changed, instead of making it again."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import repeat
from operator import or_

from .search import SECTION, Entry, IndexEntry, SearchDoc, entry_grams, entry_of, entry_tokens, unpack
from .search_format import (
    DIGITS,
    GRAM_BUCKETS,
    MANIFEST,
    ROOT,
    VALUE_BITS,
    VERSION,
    decode_documents,
    decode_numbers,
    docs_per_shard,
    encode_documents,
    encode_numbers,
    front_decoded,
    gram_file,
    gram_file_path,
    patched_postings,
    read_gram_file,
    read_script,
    record_bytes,
    script,
    starts_shard,
    token_shard,
    token_shard_path,
    utf16_key,
)
from .search_skips import SkipTable

MAX_PATCHED = 64  # documents changed since the last index beyond which making it afresh is as quick


def patch_index(
    read: Callable[[str], bytes],
    changes: Sequence[tuple[int, Entry, Entry]],
    order: list[int] | None = None,
    skips: SkipTable | None = None,
) -> dict[str, bytes | None] | None:
    """The index files that change, and their bytes, when each slot `number` of `changes` goes from its old entry
    to its new one (a free slot's is FREE), and the site's order becomes `order` (None: as it was): byte for
    byte what `index_files` makes of the new entries (a file that goes: None). Only the postings that changed are
    written again. None when a shard would begin elsewhere, the documents per display-data shard would change, or a
    record on disk is not the old entry's (make the index afresh then). `skips`, the long lists' skip points (see
    `search_skips`), are moved to match the patched lists; a list's whose text they are not go.

    Raises ValueError, KeyError, IndexError or TypeError on files that are not as `index_files` wrote them."""
    manifest = read_manifest(read)
    per_shard = manifest["docsPerShard"]
    token_changes: defaultdict[str, list[tuple[int | None, int | None]]] = defaultdict(list)
    left: defaultdict[int, set[int]] = defaultdict(set)  # trigram bucket -> documents that no longer hold it
    joined: defaultdict[int, set[int]] = defaultdict(set)
    shards: dict[int, list] = {}  # display-data shard -> its records
    total, documents = manifest["bytes"], manifest["docs"]
    # the documents' length levels, in slot order (see `index_files`)
    lengths = dict(zip(sorted(decode_numbers(manifest["order"])), manifest["lengths"], strict=True))
    listings = set(manifest["listings"])
    written = {slot // per_shard for slot in lengths}  # the display-data shards holding a document

    def records_of(shard: int) -> list:
        if shard in written:
            return _records(read, shard)
        return [None] * min(per_shard, manifest["slots"] - shard * per_shard)  # free slots only: not written

    for number, old, new in changes:
        before, after = _postings(number, old), _postings(number, new)
        for token in before.keys() | after.keys():
            gone, added = before.get(token), after.get(token)
            if gone != added:
                token_changes[token].append((gone, added))
        old_grams, new_grams = set(entry_grams(old)), set(entry_grams(new))
        for bucket in old_grams - new_grams:
            left[bucket].add(number)
        for bucket in new_grams - old_grams:
            joined[bucket].add(number)
        shard = number // per_shard
        if shard not in shards:
            shards[shard] = records_of(shard)
        if shards[shard][number % per_shard] != old.record:
            return None
        shards[shard][number % per_shard] = new.record
        total += record_bytes(new.record) - record_bytes(old.record)
        documents += (new.record is not None) - (old.record is not None)  # a note added or deleted
        lengths.pop(number, None)
        if new.record is not None:
            lengths[number] = DIGITS[new.level]
        listings.discard(number)
        if new.listing:
            listings.add(number)
    if docs_per_shard(total, manifest["slots"]) != per_shard:
        return None
    token_files = _patched_token_shards(read, manifest["chunks"], token_changes, skips)
    if token_files is None:
        return None
    files: dict[str, bytes | None] = dict(token_files)
    for shard, records in shards.items():
        files[f"{ROOT}d/{shard}.js"] = script(f"d/{shard}", records) if any(records) else None
    held = set(decode_documents(manifest["gramsHeld"]))
    gram_files = _patched_gram_files(read, manifest["grams"], held, left, joined)
    files.update((gram_file_path(number), content) for number, content in gram_files.items())
    held.update(number for number, content in gram_files.items() if content is not None)
    held.difference_update(number for number, content in gram_files.items() if content is None)
    manifest.update(
        bytes=total,
        docs=documents,
        gramsHeld=encode_documents(sorted(held)),
        lengths="".join(lengths[slot] for slot in sorted(lengths)),
        listings=sorted(listings),
    )
    if order is not None:
        manifest["order"] = encode_numbers(order)
    files[MANIFEST] = script("manifest", manifest)
    return files


def patch_bodies(
    read: Callable[[str], bytes], number: int, old: SearchDoc, new: SearchDoc, skips: SkipTable | None = None
) -> tuple[dict[str, bytes], IndexEntry] | None:
    """`patch_index` for document `number`'s body edited from `old` to `new`, and the document's new entry: it
    keeps the sections its record shows (an edit to a body cannot move its note)."""
    per_shard = read_manifest(read)["docsPerShard"]
    section = _records(read, number // per_shard)[number % per_shard][SECTION]
    entry = entry_of(replace(new, section=section))
    files = patch_index(read, [(number, unpack(entry_of(replace(old, section=section))), unpack(entry))], None, skips)
    if files is None or None in files.values():  # a body edit's own writer takes no file away: the full way does
        return None
    return {path: content for path, content in files.items() if content is not None}, entry


def read_manifest(read: Callable[[str], bytes]) -> dict:
    manifest = read_script(read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("version") != VERSION:
        raise TypeError(f"{MANIFEST} holds no manifest of this version")
    return manifest


def _records(read: Callable[[str], bytes], shard: int) -> list:
    path = f"{ROOT}d/{shard}.js"
    records = read_script(read(path))
    if not isinstance(records, list):
        raise TypeError(f"{path} holds no display records")
    return records


def _postings(number: int, entry: Entry) -> dict[str, int]:
    """token -> the posting document `number` has for it."""
    return dict(zip(entry_tokens(entry), map(or_, repeat(number << VALUE_BITS), entry.values), strict=True))


def _patched_gram_files(
    read: Callable[[str], bytes],
    grams: int,
    held: set[int],
    left: dict[int, set[int]],
    joined: dict[int, set[int]],
) -> dict[int, bytes | None]:
    """The trigram files holding the buckets documents left or joined, patched, by number; a file that was not
    `held` (it had no bucket, so was not written) made; None for one left with no bucket, which goes (an index
    made afresh does not write it)."""
    per_file = GRAM_BUCKETS // grams
    files: dict[int, bytes | None] = {}
    changed = left.keys() | joined.keys()
    for file in sorted({bucket // per_file for bucket in changed}):
        encoded = read_gram_file(read(gram_file_path(file)), file, per_file) if file in held else {}
        for bucket in changed:
            if bucket // per_file != file:
                continue
            docs = decode_documents(encoded.get(bucket, ""))  # ascending: a document goes in or out by bisection
            for doc in left.get(bucket, ()):
                at = bisect_left(docs, doc)
                if at == len(docs) or docs[at] != doc:
                    raise ValueError(f"{gram_file_path(file)} is not the index's")
                del docs[at]
            for doc in joined.get(bucket, ()):
                at = bisect_left(docs, doc)
                if at == len(docs) or docs[at] != doc:
                    docs.insert(at, doc)
            if docs:
                encoded[bucket] = encode_documents(docs)
            else:
                del encoded[bucket]
        files[file] = gram_file(file, per_file, encoded) if encoded else None
    return files


def _patched_token_shards(
    read: Callable[[str], bytes],
    firsts: list[str],
    changes: dict[str, list[tuple[int | None, int | None]]],
    skips: SkipTable | None,
) -> dict[str, bytes] | None:
    """The token shards holding the changed tokens, patched; `firsts` updated. None when a shard would begin
    elsewhere (see `starts_shard`). Raises ValueError when a posting is not as the changes say it was."""
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
            postings = encoded.get(token, "")
            points = None if skips is None else skips.get(token, postings)
            for gone, added in changes[token]:  # the same document's posting, before and after
                doc = (gone if gone is not None else added or 0) >> VALUE_BITS
                gone_value = None if gone is None else gone & 255
                postings = patched_postings(postings, doc, gone_value, None if added is None else added & 255, points)
            if postings:
                encoded[token] = postings
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
