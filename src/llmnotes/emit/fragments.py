"""The partials a page that lists every note rendered last time, one file per page, for its next render."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..engine.cache import Stamp, dump_pickle, load_pickle, stamp

FRAGMENTS = "fragments"  # the folder in the cache
LISTS_ALL = ".all"  # in the names of the files of the pages that list every note
Slot = tuple[str, str, str]  # a partial, the folder of the pages it is rendered for, a note's slug
Kept = dict[Slot, tuple[str, str, tuple[Slot, ...]]]  # slot -> (what it was made from, its text, partials it shows)


class FragmentFile:
    """The partials one page rendered, each with the key of what it was made from (a note's card key), kept in
    `folder` between builds: the tag index, timeline and feed of 10,000 notes render 10,000 partials each (a third
    of a second), of which a title edit changes one. `scope` digests what every partial may read besides its note
    and its own theme files (which each key holds): the configuration, data and interface strings, llmnotes itself;
    a file of another scope is not used."""

    def __init__(self, folder: Path, page: str, scope: str, lists_all: bool = False) -> None:
        """`lists_all`: the page lists every note, and a server reads its file ahead (see `read_ahead`)."""
        name = hashlib.blake2b(page.encode(), digest_size=12).hexdigest()
        self.path = folder / f"{name}{LISTS_ALL if lists_all else ''}.pickle"
        self.scope = scope

    def load(self) -> Kept:
        """The partials kept, as this process last read or wrote them while the file is as it left it."""
        known = _KNOWN.get(self.path)
        if known is not None and known[1] == self.scope and known[0] in (None, stamp(self.path)):
            return known[2]
        found = _read(self.path)
        return found[1] if found is not None and found[0] == self.scope else {}

    def save(self, kept: Kept, later: list[Callable[[], None]] | None = None) -> None:
        """Replace the file with `kept`, now or, with `later`, by the call put there; this process takes `kept` from
        memory meanwhile. A file that cannot be written costs the next build time, never bytes."""
        _KNOWN[self.path] = (None, self.scope, kept)
        write = partial(self._write, kept)
        if later is None:
            write()
        else:
            later.append(write)

    def _write(self, kept: Kept) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            dump_pickle(self.path, (self.scope, kept))
        except OSError:
            _KNOWN.pop(self.path, None)
            return
        if self.path in _KNOWN and _KNOWN[self.path][2] is kept:
            _KNOWN[self.path] = (stamp(self.path), self.scope, kept)


def read_ahead(folder: Path) -> None:
    """Read the partials kept in `folder` by the pages that list every note into this process's memory (see
    `_KNOWN`): a server does, before its first edit, which would else read the timeline's and the tag index's (0.1 s
    at 10,000 notes). Not those of the pages of each tag and year, of which an edit renders a few: 30 MB more."""
    for path in sorted(folder.glob(f"*{LISTS_ALL}.pickle")):
        _read(path)


def _read(path: Path) -> tuple[str, Kept] | None:
    """The file's scope and partials, remembered in `_KNOWN`; None for a file missing or not of this format."""
    found = load_pickle(path, tuple)
    if found is None or len(found) != 2 or not isinstance(found[0], str) or not isinstance(found[1], dict):
        return None
    _KNOWN[path] = (stamp(path), found[0], found[1])
    return found[0], found[1]


# What this process last read or wrote of each file (its stamp then, None while its writing waits), by path: a server
# renders the same pages again and again, and reading the timeline's 10,000 partials back took a tenth of a second.
# Only time depends on it: every partial taken from a file is checked against its key.
_KNOWN: dict[Path, tuple[Stamp | None, str, Kept]] = {}
