"""The build cache in .llmnotes-cache/: input digests, parsed notes and output digests kept from the last build."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import __version__
from ..model import Diagnostic, ParsedNote

if TYPE_CHECKING:
    from ..content.scan import Inputs
    from ..features.search_skips import Skips
    from .conversions import ConversionFile

CACHE_DIR = ".llmnotes-cache"
SEARCH_SKIPS = "search-skips"
CARDS = "cards"  # the card keys of the notes, with their inputs (see PageContext.card_key)
LISTINGS = "listings"  # what each note gives the pages that list every note (see PageContext._listings)
LINKS = "links"  # what each note's links resolved to, with what they looked up (see link.resolve_links); in memory
NAV = "nav"  # the side navigation's folders, and each page's part of it, digested (see nav.nearby_key)
SUGGESTIONS = "suggestions"  # the "did you mean" of broken links, with the names they were chosen from (see suggest.py)
CHANGES = "-changes"  # beside a cache file, what changed in it since it was written whole
FORMAT = 1
# A file changed within this long of the build that stamped it may change again within the same clock tick
# without its stamp changing ("racy git"): such a file is hashed again next time instead of trusted.
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int]  # (mtime_ns, size, inode)
Loaded = TypeVar("Loaded")


def content_digest(data: bytes) -> str:
    """What the build cache knows a file's bytes by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def output_key(site_key: str, key: tuple, templates: str = "") -> str:
    """What the build state knows an output's inputs by: its own key (see model.Output), the site-wide inputs and
    the templates it was rendered with (see `templates_digest`)."""
    return content_digest(repr((site_key, key, templates)).encode())


def templates_digest(theme: dict[str, str], names: tuple[str, ...]) -> str:
    """The digest of the theme files `names` as the build finds them; "" for none."""
    return content_digest(repr([(name, theme.get(name)) for name in names]).encode()) if names else ""


@cache
def code_digest() -> str:
    """llmnotes' own version and source: a different llmnotes may build different pages from the same notes."""
    package = Path(__file__).parent.parent
    parts = [__version__.encode()]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
    return content_digest(b"\0".join(parts))


@dataclass
class BuildState:
    """What the last successful build saw and wrote; compared with the current inputs to skip unchanged work."""

    code: str = ""
    settings: tuple = ()  # output folder and command-line choices; another value makes another site
    inputs: dict[str, tuple[Stamp | None, str]] = field(default_factory=dict)  # path -> (stamp, digest)
    site_key: str = ""  # digest of every site-wide input: configuration, data, llmnotes
    theme: dict[str, str] = field(default_factory=dict)  # path inside the theme -> digest (see inputs.Inputs)
    outputs: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # output -> the templates it was rendered with
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # output -> the keys of its parts (Output.parts)
    written: dict[str, Stamp] = field(default_factory=dict)  # output file -> its stamp after writing
    warnings: tuple[Diagnostic, ...] = ()
    note_count: int = 0
    git_head: str | None = None  # the commit the notes' dates came from
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # note page -> where its body is in it
    search_keys: tuple[str, ...] = ()  # each search document's key, in the index's order, then the site order's
    records: str = ""  # the generation of the emitters' records saved with this state (see `body_edits`)
    serial: str = ""  # names the saved state that changes saved beside it apply to (see BuildCache.save_changes)


def stamp(path: Path | str) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class BuildCache:
    """The cache of one site; any unreadable or foreign cache counts as empty, since it only ever saves work."""

    def __init__(self, root: Path, settings: tuple, memory: CacheMemory | None = None) -> None:
        self.folder = root / CACHE_DIR
        self.settings = settings
        self.started_ns = time.time_ns()
        self.memory = memory
        self.inputs: dict[str, tuple[Stamp | None, str]] = {}
        self.scanned: Inputs | None = None  # what the build's first step found, which a server keeps with the state
        self._derived: dict[str, tuple[Any, Any]] = {}  # name -> (key, value) (see `derived`)
        self._derived_made: set[str] = set()  # the names whose value this build made, to be saved
        self._bases: dict[str, tuple[str, dict]] = {}  # name -> (key, value) in `<name>.pickle` (see `carried`)
        if memory is not None:
            memory.finish_saving()  # what the last build left for later, which `holds` compares with
            if memory.holds(self):
                memory.lend(self)
                return
        self.previous = self._load("state", BuildState) or BuildState()
        if self.previous.code != code_digest() or self.previous.settings != settings:
            self.previous = BuildState()
        saved = self._load("state-changes", tuple)
        self._changes: dict[str, Any] | None = None  # what the builds since the state was saved whole changed
        if self.previous.serial and saved and saved[0] == self.previous.serial:
            self._changes = saved[1]
            _apply(self.previous, saved[1])
        self.parsed_notes = Store(self, "parsed")  # parser options and source path -> the note parsed from it
        self.search_entries = Store(self, "search")  # digest of a document's inputs -> its search index entry

    def file_digest(self, path: Path | str, name: str, current: Stamp | None = None) -> str:
        """The digest of an input file; one whose stamp (`current`, else read now) is as the last build recorded it
        is not read again."""
        current = current or stamp(path)
        known = self.previous.inputs.get(name)
        if current is not None and known is not None and known[0] == current:
            self.inputs[name] = known
            return known[1]
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            data = b""
        value = content_digest(data)
        trusted = current if current is not None and self.started_ns - current[0] > RACY_NS else None
        self.inputs[name] = (trusted, value)
        return value

    @cached_property
    def conversions(self) -> ConversionFile:
        """What the converters made of each note's code and formulas; opened by the first note parsed, so that a
        build with nothing to parse does not even import sqlite3."""
        from .conversions import ConversionFile  # which imports this module

        return ConversionFile(self.folder.parent)

    def derived(self, name: str, key: object, make: Callable[[Any], Loaded]) -> Loaded:
        """What `make` made in an earlier build for an equal `key` (a digest, or the inputs themselves when comparing
        them is quicker than digesting them), else `make(what it made for the last key, or None)`: for a value worked
        out from the whole site that an edit seldom changes, or changes in a few places (the related notes of every
        note), kept in `<name>.pickle`, one key each."""
        last = self._last_derived(name)
        if last is not None and last[0] == key:
            self._derived[name] = last
            return last[1]  # type: ignore[no-any-return]
        value = make(None if last is None else last[1])
        self._derived[name] = (key, value)
        self._derived_made.add(name)
        return value

    def carried(self, name: str, key: str, on_disk: bool = True) -> tuple[dict, dict]:
        """What the last build with this `key` filled in under `name`, and a dict for this build to fill in, which
        the next build with it is given (kept in `<name>.pickle`, or not `on_disk`: then only by a server's memory):
        for values worked out note by note, each with the inputs it was made from (see PageContext.card_key). On
        disk, a build that changed a few entries saves those alone beside the file (see `_save_carried`)."""
        found = self._last_derived(name) if on_disk else self._derived.get(name)
        last = found[1] if found is not None and found[0] == key else {}
        filled: dict = {}
        self._derived[name] = (key, filled)
        if on_disk:
            self._derived_made.add(name)
        return last, filled

    def _last_derived(self, name: str) -> tuple[Any, Any] | None:
        """The (key, value) kept under `name` by the last build (see `derived`), from memory or its file, with the
        entries saved beside it since (see `_save_carried`)."""
        found = self._derived.get(name)
        if found is not None:
            return found
        found = self._load(name, tuple)
        if found is None or len(found) != 2:
            return None
        if not isinstance(found[1], dict):
            return found
        self._bases[name] = found
        changes = self._load(f"{name}{CHANGES}", tuple)
        if changes is None or len(changes) != 3 or changes[0] != found[0]:
            return found
        _, changed, removed = changes
        return found[0], {**{k: v for k, v in found[1].items() if k not in removed}, **changed}

    def _save_derived(self) -> None:
        for name in sorted(self._derived_made):
            self.save_quietly(partial(self._save_carried, name, *self._derived[name]))
        self._derived_made.clear()

    def _save_carried(self, name: str, key: Any, value: Any) -> None:
        """Save `value` under `name`: as the entries that differ from those in `<name>.pickle`, in a small file beside
        it, when they are few; else whole. The card keys of 10,000 notes took 0.03 s to write whole after a title
        edit that changed four. A value of a few entries that mostly changed (the side navigation's three, the
        hints' one) is written whole: its changes would be as large, and the next build would read both."""
        base = self._bases.get(name)
        changes = self.folder / f"{name}{CHANGES}.pickle"
        if base is not None and base[0] == key and isinstance(value, dict):
            before = base[1]
            changed = {k: v for k, v in value.items() if k not in before or before[k] != v}
            removed = frozenset(before.keys() - value.keys())
            if _few(len(changed) + len(removed), len(before)):
                self._dump(f"{name}{CHANGES}", (key, changed, removed))
                return
        self._dump(name, (key, value))
        changes.unlink(missing_ok=True)
        if isinstance(value, dict):
            self._bases[name] = (key, value)

    def preload(self) -> None:
        """Read now the stores and the derived values (see `derived`, `carried`) that an edit of a note's title, tags or
        links reads: the parsed notes, the search entries, the related notes, git's history and the card keys (see
        CacheMemory.preload)."""
        self.parsed_notes.preload()
        self.search_entries.preload()
        for name in PRELOADED:
            found = self._last_derived(name)
            if found is not None:
                self._derived[name] = found

    def parsed(self, key: str, note_digest: str) -> ParsedNote | None:
        """The note parsed from these exact bytes (and parser options, in `key`) last time, if the cache has it."""
        found = self.parsed_notes.get(key)
        return found if isinstance(found, ParsedNote) and found.note.digest == note_digest else None

    def save(self, state: BuildState) -> None:
        """Write the new state whole, and the stores if they changed since they were saved."""
        self._save_stores(state)
        state.serial = os.urandom(8).hex()
        self.save_quietly(lambda: self._dump("state", state))
        self.save_quietly(partial(Path.unlink, self.folder / "state-changes.pickle", missing_ok=True))
        self._changes = None
        if self.memory is not None:
            self.memory.keep(self, state)

    def save_build(self, state: BuildState) -> None:
        """Save what a build that compiled the site made: the stores, and its state as the changes from the last
        one's (see `save_changes`). Writing the whole state of 10,000 notes again took a tenth of a second of every
        edit that takes the full way, though such an edit changes a few dozen files."""
        self._save_stores(state)
        self.save_changes(state)

    def _save_stores(self, state: BuildState) -> None:
        """The stores that changed, the conversions of the notes that are gone forgotten, older versions' files
        deleted."""
        self.save_quietly(self.parsed_notes.save)
        self.save_quietly(self.search_entries.save)
        self._save_derived()
        if "conversions" in self.__dict__:  # notes were parsed: forget the conversions of the ones that are gone
            self.conversions.keep_only(set(state.inputs))
        for name in RETIRED:
            self.save_quietly(partial(Path.unlink, self.folder / name, missing_ok=True))

    def save_changes(self, state: BuildState, touched: dict[str, Collection[str]] | None = None) -> None:
        """Save `state`, which differs from the previous one in a few entries, as those changes beside the saved
        state: writing 10,000 notes' state again would take a tenth of a one-note edit's build. `touched` names,
        for some of the state's dicts, the only keys whose entries may differ (the others are compared whole)."""
        if not self.previous.serial:
            self.save(state)
            return
        self._save_derived()
        state.serial = self.previous.serial  # the state these changes apply to
        changes = _changes(self.previous, state, touched or {})
        self._changes = changes if self._changes is None else _merged(self._changes, changes)
        if sum(len(self._changes[name][0]) for name in _ENTRIES) > MOST_CHANGED_ENTRIES:
            self.save(state)
            return
        self.save_quietly(lambda: self._dump("state-changes", (state.serial, self._changes)))
        if self.memory is not None:
            self.memory.keep(self, state)

    def search_skips(self) -> dict[str, Skips]:
        """The skip points of the search index's long postings lists, as the index's last making or patch left them
        (see features.search_skips)."""
        return self._load(SEARCH_SKIPS, dict) or {}

    def keep_search_skips(self, skips: dict[str, Skips]) -> None:
        self.save_quietly(partial(self._dump, SEARCH_SKIPS, skips))

    def save_quietly(self, write: Callable[[], None]) -> None:
        """A cache that cannot be written costs the next build time, never correctness."""
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# The build cache of llmnotes; safe to delete.\n*\n")
            write()
        except OSError:
            pass

    def _load(self, name: str, kind: type[Loaded]) -> Loaded | None:
        return load_pickle(self.folder / f"{name}.pickle", kind)

    def _dump(self, name: str, value: object) -> None:
        dump_pickle(self.folder / f"{name}.pickle", value)


def load_pickle(path: Path, kind: type[Loaded]) -> Loaded | None:
    """The value a cache file holds, if this llmnotes wrote it and it is a `kind`."""
    try:
        with open(path, "rb") as file:
            header = pickle.load(file)
            if header != (FORMAT, code_digest()):
                return None
            value = pickle.load(file)
    except Exception:  # a missing, truncated or foreign cache file: start afresh
        return None
    return value if isinstance(value, kind) else None


def dump_pickle(path: Path, value: object) -> None:
    """Replace a cache file with `value`, all at once (see `load_pickle`)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump((FORMAT, code_digest()), file, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class CacheMemory:
    """What a long-running process (`serve`) keeps of the cache between its builds: the state the last build saved
    and the stores as loaded, so that the next build need not read them again. Used only while the state files on
    disk are the ones that build wrote: another process that builds the same site makes it read them afresh."""

    def __init__(self, save_later: bool = False) -> None:
        """With `save_later`, a build leaves the cache's saving to `finish_saving` (see `save`)."""
        self._cache: BuildCache | None = None
        self._state: BuildState | None = None
        self._files: tuple[Stamp | None, ...] = ()
        self._save_later = save_later
        self._pending: Callable[[], None] | None = None  # the last build's saving, left for later
        # The output keys of the last build that worked them out, with what each was made from: its next build
        # works out again only those whose inputs changed (see emit.context.PageContext.kept_keys). In memory only.
        self.output_keys: dict[str, Any] = {}

    def save(self, save: Callable[[], None]) -> None:
        """Save the cache of a build whose site is written: now, or, for a memory made to `save_later`, when
        `finish_saving` is called. A server shows the edit first and saves after (records, state and stores took
        a tenth of a second or two of a title edit at 10,000 notes); the next build finishes it first anyway."""
        self.finish_saving()
        if self._save_later:
            self._pending = save
        else:
            save()

    @property
    def saves_later(self) -> bool:
        """Whether a build leaves its saving for `finish_saving` (see `save`)."""
        return self._save_later

    def finish_saving(self) -> None:
        """Run the saving the last build left for later, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()

    def keep(self, cache: BuildCache, state: BuildState) -> None:
        self._cache, self._state, self._files = cache, state, self._stamps(cache.folder)

    def preload(self) -> None:
        """Read the stores and values the kept build left on disk, which an edit that takes the full way reads
        first: the parsed notes (0.4 s at 10,000 notes) and the search entries, the related notes. A server calls
        it once its first build is done, so that no edit waits for them."""
        if self._cache is not None:
            self.finish_saving()
            self._cache.preload()

    def holds(self, cache: BuildCache) -> bool:
        """Whether the kept state is what `cache` would read from disk."""
        kept = self._cache
        return (
            kept is not None
            and self._state is not None
            and kept.folder == cache.folder
            and kept.settings == cache.settings
            and self._state.code == code_digest()
            and self._stamps(cache.folder) == self._files
        )

    def lend(self, cache: BuildCache) -> None:
        """Give `cache` the kept state and stores."""
        kept, state = self._cache, self._state
        assert kept is not None and state is not None
        cache.previous, cache._changes = state, kept._changes
        cache.parsed_notes, cache.search_entries = kept.parsed_notes, kept.search_entries
        cache._derived, cache._bases = kept._derived, kept._bases
        cache.parsed_notes.cache = cache.search_entries.cache = cache

    def state(self) -> BuildState | None:
        """The state kept last (a build given this memory starts from it while `holds` says so)."""
        return self._state

    def scanned(self) -> Inputs | None:
        """The inputs the kept state's build found, for a build that `holds` it."""
        return None if self._cache is None else self._cache.scanned

    @staticmethod
    def _stamps(folder: Path) -> tuple[Stamp | None, ...]:
        return tuple(stamp(folder / f"{name}.pickle") for name in ("state", "state-changes"))


# The values kept by `BuildCache.derived` and `carried` that an edit of a note's title, tags or links reads
# (assemble._related, history.git_history, PageContext.card_key): `BuildCache.preload` reads them ahead.
PRELOADED = ("related", "git-history", CARDS, LISTINGS, NAV, SUGGESTIONS)
# What earlier versions of llmnotes kept in the cache folder and this one does not read: deleted on a full save.
RETIRED = ("search-postings.pickle", f"{LINKS}.pickle")
MOST_CHANGED_ENTRIES = 512  # changed since the state was saved whole, beyond which it is saved whole again
# the state's dicts, whose changes are their changed entries
_ENTRIES = ("inputs", "outputs", "templates", "parts", "written", "spans")


@dataclass(frozen=True, slots=True)
class _FilesDelta:
    """A change to an output of many files (the search index's thousands of shards) as its new key and the files
    that changed, not every file again: an edit that patches two shards then saves bytes, not half a megabyte."""

    key: str | None
    changed: tuple[tuple[str, str], ...]
    removed: frozenset[str]

    def applied(self, files: tuple[tuple[str, str], ...]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
        merged = {path: digest for path, digest in files if path not in self.removed}
        merged.update(self.changed)
        return self.key, tuple(merged.items())

    def then(self, later: _FilesDelta) -> _FilesDelta:
        changed = {path: digest for path, digest in self.changed if path not in later.removed}
        changed.update(later.changed)
        return _FilesDelta(later.key, tuple(changed.items()), (self.removed | later.removed) - changed.keys())


MANY_FILES = 64  # an output's change is saved as a _FilesDelta beyond this many files


def _output_change(before: Any, after: tuple[str | None, tuple[tuple[str, str], ...]]) -> Any:
    if before is _MISSING or len(after[1]) <= MANY_FILES:
        return after
    old_files, new_files = dict(before[1]), dict(after[1])
    changed = tuple((path, digest) for path, digest in after[1] if old_files.get(path) != digest)
    delta = _FilesDelta(after[0], changed, frozenset(old_files.keys() - new_files.keys()))
    return delta if delta.applied(before[1]) == after else after  # else the files' order changed too


def _changes(old: BuildState, new: BuildState, touched: dict[str, Collection[str]]) -> dict[str, Any]:
    """What `_apply` needs to make `new` of `old`: the changed entries of its dicts and search keys, and any
    other field that changed; only the `touched` keys of the dicts it names are looked at."""
    changes: dict[str, Any] = {}
    for name in _ENTRIES:
        before, after = getattr(old, name), getattr(new, name)
        if name in touched:
            keys = touched[name]
            changed = {key: after[key] for key in keys if key in after and before.get(key, _MISSING) != after[key]}
            removed = {key for key in keys if key in before and key not in after}
        else:
            changed = {key: value for key, value in after.items() if before.get(key, _MISSING) != value}
            removed = {key for key in before if key not in after}
        if name == "outputs":
            changed = {key: _output_change(before.get(key, _MISSING), value) for key, value in changed.items()}
        changes[name] = (changed, removed)
    if len(old.search_keys) == len(new.search_keys):
        pairs = enumerate(zip(old.search_keys, new.search_keys, strict=True))
        changes["search_keys"] = {number: after for number, (before, after) in pairs if before != after}
    else:
        changes["search_keys"] = new.search_keys
    for item in fields(BuildState):
        if item.name not in changes and getattr(old, item.name) != getattr(new, item.name):
            changes[item.name] = getattr(new, item.name)
    return changes


def _apply(state: BuildState, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name in _ENTRIES:
            entries = getattr(state, name)
            changed, removed = value
            for key in removed:
                entries.pop(key, None)
            for key, entry in changed.items():
                entries[key] = entry.applied(entries[key][1]) if isinstance(entry, _FilesDelta) else entry
        elif name == "search_keys" and isinstance(value, dict):
            keys = list(state.search_keys)
            for number, key in value.items():
                keys[number] = key
            state.search_keys = tuple(keys)
        else:
            setattr(state, name, value)


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """The changes of `first` then `second`, as one."""
    merged = {**first, **second}
    for name in _ENTRIES:
        (changed, removed), (more, gone) = first[name], second[name]
        kept = {key: value for key, value in changed.items() if key not in gone}
        for key, value in more.items():
            earlier = kept.get(key)
            if isinstance(value, _FilesDelta) and isinstance(earlier, _FilesDelta):
                value = earlier.then(value)
            elif isinstance(value, _FilesDelta) and earlier is not None:
                value = value.applied(earlier[1])
            kept[key] = value
        merged[name] = (kept, (removed | gone) - more.keys())
    keys, more_keys = first["search_keys"], second["search_keys"]
    if isinstance(more_keys, dict):  # positions changed: of the first's keys when it replaced them all
        if isinstance(keys, dict):
            merged["search_keys"] = {**keys, **more_keys}
        else:
            merged["search_keys"] = tuple(more_keys.get(number, key) for number, key in enumerate(keys))
    return merged


_MISSING = object()


class Store:
    """A dict the cache keeps between builds: a base file, and a small file with what changed since, so that
    one edited note does not rewrite the whole store; the two are merged when the second grows."""

    def __init__(self, cache: BuildCache, name: str) -> None:
        self.cache = cache
        self.name = name
        self._values: dict[str, Any] | None = None
        self._base_size = 0
        self._changes: dict[str, Any] = {}
        self._overlay: dict[str, Any] = {}
        self._used: set[str] = set()  # what this build asked for or put: all that a new base file keeps

    def get(self, key: str) -> Any:
        self._used.add(key)
        return self._loaded().get(key)

    def put(self, key: str, value: Any) -> None:
        self._used.add(key)
        self._loaded()[key] = value
        self._changes[key] = value

    def add(self, entries: dict[str, Any]) -> None:
        """Keep `entries` from now on without loading the whole store: into its small file of changes (the quick
        way of a body edit has no use for the rest). Nothing when the store has no base file to add to."""
        if self._values is not None:  # loaded already (a server's memory): saved as any change is
            for key, value in entries.items():
                self.put(key, value)
            self.cache.save_quietly(self.save)
            return
        if not entries or not (self.cache.folder / f"{self.name}.pickle").is_file():
            return
        overlay = self.cache._load(f"{self.name}{CHANGES}", dict) or {}
        self.cache.save_quietly(lambda: self.cache._dump(f"{self.name}{CHANGES}", {**overlay, **entries}))

    def preload(self) -> None:
        """Read the store now, if it is on disk (see CacheMemory.preload)."""
        if (self.cache.folder / f"{self.name}.pickle").is_file():
            self._loaded()

    def _loaded(self) -> dict[str, Any]:
        if self._values is None:
            # Values are keyed by digests of what they came from, so they hold whatever the last build's options or
            # outcome; _load checks that this llmnotes wrote them.
            base = self.cache._load(self.name, dict)
            overlay = self.cache._load(f"{self.name}{CHANGES}", dict) if base is not None else None
            self._base_size = len(base or {})
            self._overlay = overlay if isinstance(overlay, dict) else {}
            self._values = {**(base or {}), **self._overlay}
        return self._values

    def save(self, collect: bool = True) -> None:
        """Write what changed: to the small file when it stays small, else a new base file of what was used; of
        every value without `collect`, for a build that asked for the few it changes (a patch of the search index)
        and would otherwise drop the others.

        A build saves a store as soon as it is complete, while the process is small, and again only if it changed.
        """
        if not self._changes:
            return
        values = self._loaded()
        overlay = {**self._overlay, **self._changes}
        self.cache.folder.mkdir(exist_ok=True)
        if self._base_size and _few(len(overlay), self._base_size):
            self.cache._dump(f"{self.name}{CHANGES}", overlay)
            self._overlay = overlay
        else:
            kept = {key: value for key, value in values.items() if key in self._used} if collect else values
            self.cache._dump(self.name, kept)
            (self.cache.folder / f"{self.name}{CHANGES}.pickle").unlink(missing_ok=True)
            self._base_size, self._overlay = len(kept), {}
        self._changes = {}


def _few(changes: int, entries: int) -> bool:
    """Whether `changes` to a kept dict of `entries` are few enough to be saved beside its file instead of it: a
    tenth of it (at least 64), and never most of it (the next build would read two files as large)."""
    return changes <= max(64, entries // 10) and 2 * changes <= entries


def ensure_cache_folder(root: Path) -> Path:
    """The project's cache folder, made if need be with the .gitignore that keeps it out of the notes' repository."""
    folder = root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The build cache of llmnotes; safe to delete.\n*\n")
    return folder
