"""The partials a page that lists every note rendered last time, one file per page, for its next render."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from ..engine.cache import code_digest

FRAGMENTS = "fragments"  # the folder in the cache
Slot = tuple[str, str, str]  # a partial, the folder of the pages it is rendered for, a note's slug
Kept = dict[Slot, tuple[str, str]]  # slot -> (what it was made from, its text)


class FragmentFile:
    """The partials one page rendered, each with the key of what it was made from (a note's card key), kept in
    `folder` between builds: the tag index, timeline and feed of 10,000 notes render 10,000 partials each (a third
    of a second), of which a title edit changes one. `scope` digests what every partial may read besides its note
    and its own theme files (which each key holds): the configuration, data and interface strings, llmnotes itself;
    a file of another scope is not used."""

    def __init__(self, folder: Path, page: str, scope: str) -> None:
        self.path = folder / f"{hashlib.blake2b(page.encode(), digest_size=12).hexdigest()}.pickle"
        self.header = (code_digest(), scope)

    def load(self) -> Kept:
        try:
            with open(self.path, "rb") as file:
                if pickle.load(file) != self.header:
                    return {}
                kept = pickle.load(file)
        except Exception:  # missing, truncated or foreign: render the partials afresh
            return {}
        return kept if isinstance(kept, dict) else {}

    def save(self, kept: Kept) -> None:
        """Replace the file with `kept`; a file that cannot be written costs the next build time, never bytes."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".fragments-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as file:
                    pickle.dump(self.header, file, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass
