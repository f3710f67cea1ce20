"""Patch the search index's files in place for a few documents whose bodies changed, instead of making it again."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from .search import SECTION, SearchDoc, display_record, gram_buckets, length_level, posting_values
from .search_format import (
    DIGITS,
    GRAM_BUCKETS,
    MANIFEST,
    ROOT,
    VALUE_BITS,
    VERSION,
    decode_documents,
    decode_postings,
    docs_per_shard,
    encode_documents,
    encode_postings,
    front_decoded,
    gram_file,
    gram_file_path,
    read_gram_file,
    read_script,
    record_bytes,
    script,
    starts_shard,
    token_shard,
    token_shard_path,
    utf16_key,
)


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
