"""The search index's file format: posting values, base-32 varints, front-coded tokens, shards and their scripts."""

from __future__ import annotations

import json
import re
import zlib
from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import accumulate, chain, compress, filterfalse, islice, repeat
from operator import add, and_, eq, getitem, itemgetter, lshift, lt, mul, ne, or_, rshift, sub

from .search_skips import LONG, Skips, skips_of

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
VERSION = 5  # 3: the site's order in the manifest ("order"); 4: "gramsHeld"; 5: documents in slots ("slots")
MIN_SLOTS = 16


def document_slots(paths: Sequence[str]) -> tuple[int, dict[str, int]]:
    """How many slots the index numbers its documents in (a power of two, at least twice as many as there are
    documents), and each document's slot, by its output path: the first one free from a hash of the path, the
    paths taken in the order of those hashes. The slots are a function of the set of paths alone (a clean build
    finds the same), and a note added or deleted moves no other document but the few whose run of taken slots
    it joins or leaves: the index is patched instead of made afresh (numbered 0 to n - 1 by path, every document
    after the new one moved, and every file of the index with it)."""
    size = MIN_SLOTS
    while size < 2 * len(paths):
        size *= 2
    mask = size - 1
    taken = bytearray(size)
    slots = {}
    for home, path in sorted(zip(map(mask.__and__, map(zlib.crc32, map(str.encode, paths))), paths, strict=True)):
        slot = home
        while taken[slot]:
            slot = (slot + 1) & mask
        taken[slot] = 1
        slots[path] = slot
    return size, slots


def gram_files(slots: int) -> int:
    """How many files the trigram buckets are spread over: about one per four slots (one per two documents or
    fewer), 16 to 4,096, so that a file holds a few KB at any size. A power of two, fixed by the number of slots,
    which edits keep."""
    files = 16
    while files < slots // 4 and files < 4096:
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
    return "".join(_encoded_pieces(entries)[1])


def encode_long_postings(entries: Sequence[int]) -> tuple[str, Skips]:
    """`encode_postings` of a long list, and its skip points (see `search_skips`)."""
    docs, encoded = _encoded_pieces(entries)
    pieces = list(encoded)
    text = "".join(pieces)
    return text, skips_of(docs, pieces, text)


def _encoded_pieces(entries: Sequence[int]) -> tuple[list[int], map[str]]:
    """The postings' documents, and each posting encoded (see `encode_postings`)."""
    small, suffixes = _small_varints(), _value_suffixes()
    # map, not a loop: millions of postings
    docs = list(map(rshift, entries, repeat(VALUE_BITS)))
    values = list(map(and_, entries, repeat(255)))
    codes = list(map(or_, map(lshift, _gaps(docs), repeat(1)), map(ne, values, repeat(ONCE_IN_BODY))))
    numbers = map(small.__getitem__, codes) if max(codes) < _SMALL else map(_number, codes, repeat(small))
    return docs, map(add, numbers, map(suffixes.__getitem__, values))


def patched_postings(text: str, doc: int, gone: int | None, value: int | None, skips: Skips | None = None) -> str:
    """Postings as `encode_postings` wrote them, with document `doc`'s posting, whose value is `gone` (None: it has
    none), given `value` (None: taken out): byte for byte `encode_postings` of the changed list, though only the
    postings up to it are walked (from the last of `skips`' points before it, when they are the text's), and only
    it and the one after it written again (a patch of the index changes one posting in lists of thousands). The
    skip points are moved to match the new text. Raises ValueError when the posting is not as `gone` says."""
    length = len(text)
    point, offset, before, stop = skips.walk(doc, length) if skips is not None else (-1, 0, -1, length)
    pieces = _VARINT.findall(text, offset, stop)  # the varints, found and decoded in C: the walk only adds up
    numbers = _varints_of(pieces)
    count = len(numbers)
    at = 0  # where the posting for `doc` starts, in varints
    while at < count:
        code = numbers[at]
        current = before + (code >> 1) + 1
        if current >= doc:
            break
        before = current
        at += 2 if code & 1 else 1
    joined = None  # a posting taken out: where the one after it began, and the document now before that one
    if at >= count:  # past the last posting
        if stop < length:
            raise ValueError(f"the skip points of a list holding document {doc} are not its own")
        if gone is not None:
            raise ValueError(f"document {doc} has no posting in the index")
        if value is None:
            return text
        start = end = length
        written = _posting(doc - before - 1, value)
    else:
        code = numbers[at]
        current = before + (code >> 1) + 1
        size = 2 if code & 1 else 1  # in varints: the gap, and the value unless it is ONCE_IN_BODY
        if at + size > count:
            raise ValueError(f"document {doc}'s posting is cut short")
        held = numbers[at + 1] if code & 1 else ONCE_IN_BODY
        if (current == doc) != (gone is not None) or (gone is not None and held != gone):
            raise ValueError(f"document {doc}'s posting is not as the index's")
        start = offset + sum(map(len, pieces[:at]))  # in characters
        if current > doc:  # it goes in before this one, whose gap then counts from it
            if value is None:
                return text
            end = start + len(pieces[at])
            gap = _number((current - doc - 1) << 1 | (code & 1), _small_varints())
            written = _posting(doc - before - 1, value) + gap
        else:
            end = start + sum(map(len, pieces[at : at + size]))
            if value is not None:
                written = _posting(doc - before - 1, value)
            elif at + size >= count:  # it goes, and was the last
                if stop < length:
                    raise ValueError(f"the skip points of a list holding document {doc} are not its own")
                written, end = "", length
            else:
                following = numbers[at + size]  # it goes: the next one's gap counts from the one before it
                joined = (end, before)
                written = _number((current + (following >> 1) - before) << 1 | (following & 1), _small_varints())
                end += len(pieces[at + size])
    patched = text[:start] + written + text[end:]
    if skips is not None:
        skips.moved(point, start, end, len(written), joined, patched)
    return patched


def _posting(gap: int, value: int) -> str:
    return _number(gap << 1 | (value != ONCE_IN_BODY), _small_varints()) + _value_suffixes()[value]


def encode_all(postings: dict[str, array]) -> tuple[dict[str, str], dict[str, Skips]]:
    """`encode_postings` of every token's postings, and the skip points of the long ones. Most tokens have one
    posting: theirs are encoded all at once, in C, and only the others one token at a time."""
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
    skips: dict[str, Skips] = {}
    for token in filterfalse(encoded.__contains__, tokens):
        if len(postings[token]) >= LONG:
            encoded[token], skips[token] = encode_long_postings(postings[token])
        else:
            encoded[token] = encode_postings(postings[token])
    return dict(zip(tokens, map(encoded.__getitem__, tokens), strict=True)), skips  # in the postings' order


def encode_numbers(numbers: Iterable[int]) -> str:
    """Numbers as varints one after another, each ended by its last digit."""
    small = _small_varints()
    return "".join(map(_number, numbers, repeat(small)))


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
    # the tokens sharing their first `length - 1` characters with the one before
    sharing: Sequence[int] = range(1, len(tokens))
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


def record_bytes(record: list[str] | None) -> int:
    return len(json.dumps(record, ensure_ascii=False).encode())


compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as `script` writes data


def docs_per_shard(total_bytes: int, slots: int) -> int:
    """How many slots share a display-data shard: about DOC_SHARD_BYTES each, at most 64 slots."""
    return max(1, min(64, round(DOC_SHARD_BYTES * slots / total_bytes))) if total_bytes else 1


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


_VARINT = re.compile(f"[{re.escape(DIGITS[:32])}]*[{re.escape(DIGITS[32:])}]")


@cache
def _small_values() -> dict[str, int]:
    """The number each of `_small_varints` writes."""
    return {text: value for value, text in enumerate(_small_varints())}


def _varints(text: str) -> list[int]:
    """The numbers varints one after another write: found and looked up in C (a patch decodes postings lists of
    thousands), digit by digit only beyond _SMALL."""
    return _varints_of(_VARINT.findall(text))


def _varints_of(found: list[str]) -> list[int]:
    small = _small_values()
    try:
        return list(map(small.__getitem__, found))
    except KeyError:
        return [small[number] if number in small else _varint_value(number) for number in found]


def _varint_value(text: str) -> int:
    value = 0
    for digit in text[:-1]:
        value = value * 32 + _DIGIT_VALUE[digit]
    return value * 32 + _DIGIT_VALUE[text[-1]] - 32


def decode_postings(text: str) -> list[int]:
    """The postings `encode_postings` wrote."""
    numbers = iter(_varints(text))
    postings, doc = [], -1
    for code in numbers:
        doc += (code >> 1) + 1
        postings.append(doc << VALUE_BITS | (next(numbers) if code & 1 else ONCE_IN_BODY))
    return postings


def decode_numbers(text: str) -> list[int]:
    """The numbers `encode_numbers` wrote."""
    return _varints(text)


def decode_documents(text: str) -> list[int]:
    """The document numbers `encode_documents` wrote: each is the sum of the gaps so far plus one per gap, less one
    (summed in C: a patch decodes lists of thousands)."""
    return list(map((-1).__add__, accumulate(map((1).__add__, _varints(text)))))
