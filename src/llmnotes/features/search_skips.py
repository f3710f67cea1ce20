"""Skip points into the search index's long postings lists, so that a patch walks a few postings, not thousands."""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, islice

SKIP = 64  # postings from one skip point to the next, in a list as the index is made
LONG = 512  # postings in a list from which it has skip points: a shorter one is walked whole in a few microseconds
MARGIN = 16  # characters past the next skip point a walk may read: the gap of the posting there (see `Skips.walk`)


@dataclass(slots=True)
class Skips:
    """Where some of one token's postings start in its list's text (in characters), and the document of the posting
    before each, for the text whose CRC-32 is `crc`. A patch of the index for document d walks from the last point
    whose posting before is below d (see `search_format.patched_postings`), then moves the points after the postings
    it wrote again. Only a text with this CRC is walked from the points: any other is walked whole."""

    crc: int
    offsets: array  # ascending
    befores: array  # ascending, as the postings' documents are

    def holds(self, text: str) -> bool:
        return zlib.crc32(text.encode()) == self.crc  # varints are ASCII: encoding copies the characters

    def walk(self, doc: int, length: int) -> tuple[int, int, int, int]:
        """Where a walk of the text (`length` characters) for document `doc` starts: (the skip point, -1 for the
        list's start; its offset; the document before it, -1 for none; how far the walk may read). The posting
        before the next point holds `doc` or one after it: the walk ends before that point, and needs no more of
        the next posting than its gap."""
        point = bisect_left(self.befores, doc) - 1
        offset, before = (self.offsets[point], self.befores[point]) if point >= 0 else (0, -1)
        stop = self.offsets[point + 1] + MARGIN if point + 1 < len(self.offsets) else length
        return point, offset, before, min(stop, length)

    def moved(
        self, point: int, start: int, end: int, written: int, joined: tuple[int, int] | None, text: str
    ) -> None:
        """Move the points after `point` when characters `start` to `end` became `written` characters, making
        `text`. `joined`: a posting taken out at `start`, (where the one after it began, the document before it
        now): a point there now begins at `start`. Any other point inside the rewritten characters cannot be and is
        dropped."""
        self.crc = zlib.crc32(text.encode())
        offsets, befores = self.offsets, self.befores
        first = point + 1
        after = bisect_left(offsets, end, first)  # the points past the rewritten characters
        if after < len(offsets):
            offsets[after:] = array(offsets.typecode, map((written - (end - start)).__add__, offsets[after:]))
        inside = range(first, after)
        kept = [j for j in inside if joined is not None and offsets[j] == joined[0]]
        for j in kept:
            offsets[j], befores[j] = start, joined[1]  # type: ignore[index]
        for j in reversed(inside):
            if j not in kept:
                del offsets[j], befores[j]


def skips_of(docs: list[int], pieces: list[str], text: str) -> Skips:
    """The skip points of a list made afresh: every SKIP-th posting's offset and the document before it, from its
    postings' documents and encoded pieces (`text` joins them)."""
    starts = list(accumulate(map(len, pieces), initial=0))
    chosen = range(SKIP, len(docs), SKIP)
    return Skips(
        zlib.crc32(text.encode()),
        array("q", map(starts.__getitem__, chosen)),
        array("q", islice(docs, SKIP - 1, len(docs) - 1, SKIP)),
    )


class SkipTable:
    """Every long list's skip points, by token, as the cache holds them: read when a patch first meets a list long
    enough to have them (a body edit's few changed words seldom are), and `changed` once a patch moved or dropped
    some (the cache then keeps them again)."""

    def __init__(self, load: Callable[[], dict[str, Skips]]) -> None:
        self._load = load
        self._points: dict[str, Skips] | None = None
        self.changed = False

    def get(self, token: str, text: str) -> Skips | None:
        """The points of the token's list, if they are the points of `text`; those of another text are dropped."""
        if len(text) < LONG:  # a posting takes a character or more: the list is too short to have points
            return None
        found = self.points.get(token)
        if found is None:
            return None
        self.changed = True  # the patch moves them, or they go
        if not found.holds(text):
            del self.points[token]
            return None
        return found

    @property
    def points(self) -> dict[str, Skips]:
        if self._points is None:
            self._points = self._load()
        return self._points
