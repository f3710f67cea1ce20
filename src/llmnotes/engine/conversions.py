"""Keep what the converters made of each note's code and formulas at its last parse, for the note's next edit."""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import CACHE_DIR, code_digest, ensure_cache_folder

if TYPE_CHECKING:  # not the Markdown parser, which a build with nothing to do never loads
    from ..markdown.memo import Conversions

FILE = "conversions.sqlite"
BATCH = 256  # notes written at a time


class ConversionFile:
    """.llmnotes-cache/conversions.sqlite: a note's conversions (see markdown.memo) by its source path, written as
    the workers send them during a build (nothing of them stays in memory), read one note at a time by a body edit.
    A cache: one that cannot be read or written costs time only, and another llmnotes's is emptied."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / CACHE_DIR / FILE
        self._pending: list[tuple[str, bytes]] = []
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def put(self, source: str, pickled: bytes) -> None:
        """Keep the note's conversions, pickled (see markdown.memo.pickled)."""
        self._pending.append((source, pickled))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what was put since the last flush."""
        pending, self._pending = self._pending, []
        if not pending or self._broken:
            return
        try:
            db = self._open()
            with db:
                db.executemany("INSERT OR REPLACE INTO conversion VALUES (?, ?)", pending)
        except (OSError, sqlite3.Error):
            self._broken = True

    def keep_only(self, sources: set[str]) -> None:
        """Forget the notes that are gone."""
        self.flush()
        if self._broken or not self.path.is_file():
            return
        try:
            db = self._open()
            gone = [(source,) for (source,) in db.execute("SELECT source FROM conversion") if source not in sources]
            with db:
                db.executemany("DELETE FROM conversion WHERE source = ?", gone)
        except (OSError, sqlite3.Error):
            self._broken = True

    def get(self, source: str) -> Conversions:
        """The note's conversions at its last parse; empty when unknown."""
        if not self.path.is_file():
            return {}
        try:
            with contextlib.closing(sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True)) as db:
                if db.execute("SELECT code FROM meta").fetchall() != [(code_digest(),)]:
                    return {}
                row = db.execute("SELECT data FROM conversion WHERE source = ?", (source,)).fetchone()
            found = pickle.loads(row[0]) if row else {}
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            ensure_cache_folder(self.root)
            db = sqlite3.connect(self.path)
            try:
                db.execute("PRAGMA synchronous = OFF")  # a cache: lost in a crash, it costs conversions
                db.execute("CREATE TABLE IF NOT EXISTS conversion (source TEXT PRIMARY KEY, data BLOB)")
                db.execute("CREATE TABLE IF NOT EXISTS meta (code TEXT)")
                if db.execute("SELECT code FROM meta").fetchall() != [(code_digest(),)]:
                    with db:  # another llmnotes may convert otherwise
                        db.execute("DELETE FROM conversion")
                        db.execute("DELETE FROM meta")
                        db.execute("INSERT INTO meta VALUES (?)", (code_digest(),))
            except sqlite3.DatabaseError:  # not a database: made afresh
                db.close()
                self.path.unlink(missing_ok=True)
                raise
            self._db = db
        return self._db
