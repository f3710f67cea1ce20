"""Take edits of notes' bodies alone into the site in place, through the note and search emitters' own updates.

An edit that leaves a note's face unchanged (see `emit.cards.face_of`: what other pages show of it) changes two outputs
only: the note's own page and the search index. Finding that out the usual way loads every parsed note, links the
whole site and works out every output's key, all in proportion to the number of notes. Instead, the engine keeps
the records those two emitters made of each note at the last full build (`emit.note.record`,
`emit.search_index.records`), and asks them for their cheaper update (`updated_page`, `updated_index`). The result
is byte for byte what a full build makes (tests/test_incremental.py compares them); anything the records cannot
vouch for sends the build the full way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import replace
from pathlib import Path

from ..config import Config
from ..content.load import load_note
from ..content.parse import CITE, parse_document, parse_key, parser_options
from ..content.scan import Document, Inputs
from ..emit.cards import face_of
from ..emit.context import PageContext
from ..emit.note import NoteRecord, record, updated_page
from ..emit.search_index import SearchRecord, indexed, updated_index
from ..features.search_format import ROOT
from ..features.search_skips import SkipTable
from ..i18n import interface_strings
from ..markdown import create_parser
from ..markdown.memo import Conversions, pickled, recording
from ..model import ParsedNote
from .cache import BuildCache, BuildState, Stamp, content_digest, output_key, templates_digest
from .history import file_dates, git_history
from .write import SiteWriter

MOST_NOTES = 8  # edited notes beyond which a full incremental build is as quick
RECORDS = "records.sqlite"
Record = tuple[NoteRecord, SearchRecord]  # a note's, as its page's and the search index's emitters keep it


def save_records(context: PageContext, cache: BuildCache, previous: BuildState, state: BuildState) -> str:
    """Store what the note and search emitters made each note's outputs from, for the next build: their generation,
    which the build state names, or "" when none (the next edit then takes the full way: like the rest of the
    cache, records only ever save work). None when the templates may show the body other than as itself (its page
    is then rendered on every edit).

    A note's record changes only with its page's key, and its place in the index only with the index's document
    keys: the records of notes whose page was kept and whose document kept its key are left as they were."""
    path = cache.folder / RECORDS
    for _ in range(2):  # a damaged file is deleted and made afresh
        try:
            if not context.renderer.passes_through("note.html", "body"):
                path.unlink(missing_ok=True)
                return ""
            cache.folder.mkdir(exist_ok=True)
            return _write_records(path, context, previous, state)
        except (OSError, sqlite3.Error):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    return ""


def _write_records(path: Path, context: PageContext, previous: BuildState, state: BuildState) -> str:
    site = context.site
    documents, _ = indexed(context)
    with contextlib.closing(sqlite3.connect(path)) as db, db:  # one transaction
        db.execute("PRAGMA synchronous = OFF")  # a cache: lost in a crash, it costs the next edit a full build
        db.execute("CREATE TABLE IF NOT EXISTS record (source TEXT PRIMARY KEY, data BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (generation TEXT)")
        known = db.execute("SELECT generation FROM meta").fetchall() == [(previous.records,)] and previous.records
        if not known:
            db.execute("DELETE FROM record")
        # The table holds a record of every note of the last build: those of the notes whose page kept its key and
        # whose document kept its key (its number may have moved: a note added or deleted before it, which the
        # record does not hold) are left as they are. Only the changed ones are looked at, not every note.
        old_keys, new_keys = set(previous.search_keys), state.search_keys
        old_outputs = previous.outputs
        changed_pages = {page for page, made in state.outputs.items() if old_outputs.get(page) != made}
        new_sources = state.inputs.keys() - previous.inputs.keys()  # a note renamed keeps its page and its keys
        numbers = {parsed.note.slug: number for number, parsed in enumerate(documents) if parsed}
        rows, sources = [], set()
        for parsed in site.notes:
            source, slug = parsed.note.source, parsed.note.slug
            sources.add(source)
            same_keys = new_keys[numbers[slug]] in old_keys and site.paths[slug] not in changed_pages
            if known and same_keys and source not in new_sources:
                continue
            search_record = SearchRecord(context.card_key(slug))
            rows.append((source, pickle.dumps((record(context, parsed), search_record), pickle.HIGHEST_PROTOCOL)))
        db.executemany("INSERT OR REPLACE INTO record VALUES (?, ?)", rows)
        gone = previous.inputs.keys() - sources  # notes deleted or left out (drafts), and the inputs that are not notes
        db.executemany("DELETE FROM record WHERE source = ?", ((source,) for source in gone))
        generation = os.urandom(8).hex()
        db.execute("DELETE FROM meta")
        db.execute("INSERT INTO meta VALUES (?)", (generation,))
    return generation


def _load_records(folder: Path, generation: str, sources: Iterable[str]) -> dict[str, Record] | None:
    path = folder / RECORDS
    if not generation or not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)) as db:
            if db.execute("SELECT generation FROM meta").fetchall() != [(generation,)]:
                return None
            found = {}
            for source in sources:
                row = db.execute("SELECT data FROM record WHERE source = ?", (source,)).fetchone()
                if row is None:
                    return None
                found[source] = pickle.loads(row[0])
    except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return None
    valid = all(isinstance(n, NoteRecord) and isinstance(i, SearchRecord) for n, i in found.values())
    return found if valid else None


def quick_rebuild(
    config: Config, inputs: Inputs, cache: BuildCache, previous: BuildState, output: Path, changed: list[str]
) -> tuple[BuildState, int, tuple[str, ...], dict[str, Collection[str]]] | None:
    """The new state, outputs rendered, files written and the state's entries it may have changed, after taking
    the `changed` notes' new bodies into the site in place; None, having changed nothing, when some edit is more
    than a body's (see the module): but for the cache, given the notes it parsed."""
    documents = {document.source: document for document in inputs.documents}
    if not changed or len(changed) > MOST_NOTES or any(name not in documents for name in changed):
        return None
    kept = _load_records(cache.folder, previous.records, changed)
    if kept is None or ROOT not in previous.outputs or not previous.search_keys:
        return None
    conversions = {source: cache.conversions.get(source) for source in changed}
    dates = file_dates(config.root, changed, history=git_history(config.root, previous.git_head, cache.derived))
    if any(dates.get(source) != kept[source][0].dates for source in changed):
        return None  # the page, feed and sitemap show a note's dates
    update = _Update(
        config,
        previous,
        output,
        replace(previous, inputs=cache.inputs, written=dict(previous.written), spans=dict(previous.spans)),
        SkipTable(cache.search_skips),
    )
    made = {}
    for source in changed:
        try:
            with recording(conversions[source]) as made[source]:
                updated = update.note(documents[source], *kept[source])
        except (OSError, ValueError, KeyError, IndexError, TypeError):  # outputs not as the last build left them
            updated = False
        if not updated:
            _keep_parses(cache, update.options, update.parsed, made)
            return None
    state = update.state
    state.search_keys = tuple(update.search_keys)
    # The index's parts (see Output.parts) are its documents' keys, which its key starts with: the next build's
    # patch of the index takes the old entries by them.
    state.parts = {**previous.parts, ROOT: state.search_keys[: len(previous.parts.get(ROOT, ()))]}
    # A patch can make a trigram file the index did not have yet (see search_format.gram_file); in path order, as
    # the index lists its files.
    old_digests = dict(previous.outputs[ROOT][1])
    index_files = old_digests | {
        path: content_digest(content) for path, content in update.files.items() if path.startswith(ROOT)
    }
    search_key = output_key(previous.site_key, state.search_keys)
    state.outputs = {**previous.outputs, **update.outputs, ROOT: (search_key, tuple(sorted(index_files.items())))}
    for path in update.outputs:
        old_digests.update(previous.outputs[path][1])
    written = _write(output, update.files, old_digests, state)
    if update.skips.changed:
        cache.keep_search_skips(update.skips.points)
    cache.search_entries.add(update.search_entries)
    for source in changed:
        if made[source] != conversions[source]:
            cache.conversions.put(source, pickled(made[source]))
    cache.conversions.flush()
    # The entries of the state this update can have changed, besides the inputs' stamps (see save_changes).
    pages = list(update.outputs)
    touched: dict[str, Collection[str]] = {
        "outputs": [*pages, ROOT],
        "written": written,
        "spans": pages,
        "templates": (),
        "parts": [ROOT],
    }
    return state, len(changed) + 1, written, touched


def _keep_parses(
    cache: BuildCache, options: str, parsed: dict[str, ParsedNote], made: dict[str, Conversions]
) -> None:
    """Give the cache the parses of the notes whose edit was more than a body's, for the full build to take: a title
    edit parsed the note twice (0.01 s on a real site)."""
    for source, note in parsed.items():
        cache.parsed_notes.put(parse_key(options, source), note)
        cache.conversions.put(source, pickled(made[source]))


class _Update:
    """The new bytes of the pages and index files that body edits change, made one note at a time."""

    def __init__(
        self, config: Config, previous: BuildState, output: Path, state: BuildState, skips: SkipTable
    ) -> None:
        self.config = config
        self.previous = previous
        self.output = output
        self.state = state
        strings = interface_strings(config.language, config)
        self.md = create_parser(config.raw_html, strings)
        self.options = parser_options(config.raw_html, strings)
        self.parsed: dict[str, ParsedNote] = {}  # the notes whose edit was more than a body's, by source
        self.files: dict[str, bytes] = {}  # output path -> new bytes
        self.outputs: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {}
        self.search_keys = list(previous.search_keys)
        self.search_entries: dict[str, bytes] = {}  # the new entries of the edited documents, by key
        self.skips = skips  # the index's long postings lists' skip points, moved by each patch (see search_skips)

    def read(self, path: str) -> bytes:
        """The bytes of an output file as this update left it, or as the last build did: raises ValueError for a
        file someone changed or removed since (the full build then writes it again)."""
        if path in self.files:
            return self.files[path]
        with open(self.output / path, "rb") as file:
            info = os.fstat(file.fileno())
            if (info.st_mtime_ns, info.st_size, info.st_ino) != self.previous.written.get(path):
                raise ValueError(f"{path} is not as the last build wrote it")
            return file.read()

    def note(self, document: Document, page: NoteRecord, in_index: SearchRecord) -> bool:
        """Take one note's new body into its page and the search index; False when the edit is not a body's."""
        previous, path = self.previous, page.path
        note, problems = load_note(Path(document.path), self.config.root, document.kind, document.relative)
        if note is None or problems or note.digest != document.digest:
            return False  # the full build says what is wrong
        parsed = parse_document(note, self.md)
        span = previous.spans.get(path)
        if span is None or face_of(parsed) != page.face or CITE in parsed.html:
            self.parsed[document.source] = parsed
            return False  # its citations and reference list are the full build's (see `citation_style`)
        old_key, new_key = page.page_key(previous.inputs[document.source][1]), page.page_key(note.digest)
        templates = templates_digest(previous.theme, previous.templates.get(path, ()))
        if previous.outputs.get(path, (None,))[0] != output_key(previous.site_key, old_key, templates):
            return False  # the record is not of the page on disk
        old_page = self.read(path)
        new_page, body = updated_page(page, parsed, old_page, span)
        old_body = old_page[span[0] : span[1]].decode()
        patched = updated_index(
            self.read,
            self.search_keys,
            in_index,
            note,
            path,
            (old_body, body),
            (old_key[0], new_key[0]),
            self.search_entries,
            self.skips,
        )
        if patched is None:
            return False
        self.files[path] = new_page
        self.files.update(patched)
        self.state.spans[path] = (span[0], span[0] + len(body.encode()))
        digest = content_digest(new_page)
        self.outputs[path] = (output_key(previous.site_key, new_key, templates), ((path, digest),))
        return True


def _write(output: Path, files: dict[str, bytes], old_digests: dict[str, str], state: BuildState) -> tuple[str, ...]:
    """Write the files whose bytes changed, as a build does (see write.SiteWriter); which, in order."""
    writer = SiteWriter(output, replace_all=False)
    staged = []
    try:
        for path, content in files.items():
            if old_digests.get(path) != content_digest(content):
                writer.write(path, content)
                staged.append(path)
        stamps: dict[str, Stamp] = writer.commit(staged, stale=[])
    except BaseException:
        writer.abort()
        raise
    state.written.update(stamps)
    return tuple(sorted(stamps))
