"""The partials a page that lists every note rendered last time, one file per page, for its next render."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..engine.cache import dump_pickle, load_pickle

FRAGMENTS = "fragments"  # the folder in the cache
Slot = tuple[str, str, str]  # a partial, the folder of the pages it is rendered for, a note's slug
Kept = dict[Slot, tuple[str, str, tuple[Slot, ...]]]  # slot -> (what it was made from, its text, partials it shows)


class FragmentFile:
    """The partials one page rendered, each with the key of what it was made from (a note's card key), kept in
    `folder` between builds: the tag index, timeline and feed of 10,000 notes render 10,000 partials each (a third
    of a second), of which a title edit changes one. `scope` digests what every partial may read besides its note
    and its own theme files (which each key holds): the configuration, data and interface strings, llmnotes itself;
    a file of another scope is not used."""

    def __init__(self, folder: Path, page: str, scope: str) -> None:
        self.path = folder / f"{hashlib.blake2b(page.encode(), digest_size=12).hexdigest()}.pickle"
        self.scope = scope

    def load(self) -> Kept:
        found = load_pickle(self.path, tuple)
        if found is None or len(found) != 2 or found[0] != self.scope or not isinstance(found[1], dict):
            return {}
        return found[1]

    def save(self, kept: Kept) -> None:
        """Replace the file with `kept`; a file that cannot be written costs the next build time, never bytes."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            dump_pickle(self.path, (self.scope, kept))
        except OSError:
            pass
