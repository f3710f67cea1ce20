"""Rebuild after edits to notes' bodies alone: splice each new body into its page and patch the search index.

An edit that leaves everything other pages show of a note unchanged (its front matter, headings, links, embeds,
first paragraph, problems: its "face") changes two outputs only: the note's own page and the search index. A full
incremental build still loads every parsed note, links the whole site and works out every output's key, all in
proportion to the number of notes. This stage instead takes, from a kit the last full build saved for the note,
what its page and search entry are made from besides its body; replaces the body in the page on disk, at the span
the last build recorded; and patches the index files that hold the note's tokens and display record. The result
is byte for byte what a full build makes (tests/test_incremental.py compares them); anything it cannot vouch for
makes it step aside for the full build.
"""

from __future__ import annotations

import contextlib
import pickle
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import BuildCache, BuildState, Stamp, content_digest, output_key
from .config import Config, builtin_theme
from .history import file_dates
from .inputs import Document, Inputs
from .links import body_html, mark_external
from .load import load_note
from .markdown import create_parser
from .model import ParsedNote, ResolvedLink, pickled_by_constructor
from .parse import CITE, HASHTAG, parse_note
from .paths import fold
from .render import interface_strings
from .search import ROOT, document_key, patch_index, search_doc, site_documents_in_order
from .write import SiteWriter

if TYPE_CHECKING:
    from .pages import PageContext

MOST_NOTES = 8  # edited notes beyond which a full incremental build is as quick
KITS = "kits.sqlite"


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class NoteKit:
    """What a note's page and search entry were made from besides its body, at the last full build."""

    path: str
    face: str  # see `face_of`
    dates: tuple | None
    links: tuple[ResolvedLink, ...]
    labels: dict[str, str]  # of the link targets
    paths: dict[str, str]
    files: tuple[str, ...] | None  # embedded files
    tag_slugs: tuple[str, ...]
    body_targets: tuple  # the links' part of the body's key (see PageContext.body_key)
    key_rest: str  # the page key's other part
    card_key: str
    document: int  # the note's number in the search index


def face_of(parsed: ParsedNote) -> str:
    """A digest of everything about a note that pages other than its own, and its own page outside the body, show."""
    first = parsed.html.find("<p>")
    paragraph = parsed.html[first : parsed.html.find("</p>", first)] if first >= 0 else ""
    parts = (parsed.facts, parsed.headings, parsed.links, parsed.diagnostics, parsed.assets, parsed.embeds, paragraph)
    return content_digest(repr(parts).encode())


def make_kits(context: PageContext) -> dict[str, NoteKit]:
    """source -> kit of every note in the site; empty when the user's templates may show the body elsewhere."""
    config = context.config
    if _own_templates(config):
        return {}
    site = context.site
    documents = {p.note.slug: number for number, p in enumerate(site_documents_in_order(site))}
    kits = {}
    for parsed in site.notes:
        slug = parsed.note.slug
        links = site.links.get(slug, ())
        targets = {r.target_slug for r in links if r.target_slug}
        body_key = context.body_key(parsed)
        kits[parsed.note.source] = NoteKit(
            path=site.paths[slug],
            face=face_of(parsed),
            dates=site.dates.get(slug),
            links=links,
            labels={target: site.labels[target] for target in targets if target in site.labels},
            paths={target: site.paths[target] for target in targets},
            files=site.embeds.get(slug),
            tag_slugs=tuple(site.tag_of[fold(tag)].slug for tag in parsed.note.tags),
            body_targets=body_key[1],
            key_rest=context.memo["key_rest", slug],
            card_key=context.card_key(slug),
            document=documents[slug],
        )
    return kits


def _own_templates(config: Config) -> bool:
    """Whether the project replaces any of llmnotes' templates, which may then show a note's body elsewhere than
    in its place; templates of its own (say, for a data file) do not matter."""
    folder, theme = config.templates_path, builtin_theme()
    if not folder.is_dir() or folder.resolve() == theme.resolve():
        return False
    return any((folder / path.relative_to(theme)).is_file() for path in theme.rglob("*.html"))


def save_kits(cache: BuildCache, kits: dict[str, NoteKit]) -> str:
    """Store the kits for the next build; their generation, which the build state names, or "" when none (the
    next edit then takes the full way: like the rest of the cache, kits only ever save work)."""
    path = cache.folder / KITS
    for _ in range(2):  # a damaged file is deleted and made afresh
        try:
            if not kits:
                path.unlink(missing_ok=True)
                return ""
            cache.folder.mkdir(exist_ok=True)
            return _write_kits(path, kits)
        except (OSError, sqlite3.Error):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    return ""


def _write_kits(path: Path, kits: dict[str, NoteKit]) -> str:
    generation = secrets.token_hex(8)
    with contextlib.closing(sqlite3.connect(path)) as db, db:  # one transaction
        db.execute("CREATE TABLE IF NOT EXISTS kit (source TEXT PRIMARY KEY, data BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (generation TEXT)")
        db.execute("DELETE FROM kit")
        db.execute("DELETE FROM meta")
        rows = ((source, pickle.dumps(kit, pickle.HIGHEST_PROTOCOL)) for source, kit in kits.items())
        db.executemany("INSERT INTO kit VALUES (?, ?)", rows)
        db.execute("INSERT INTO meta VALUES (?)", (generation,))
    return generation


def _load_kits(folder: Path, generation: str, sources: Iterable[str]) -> dict[str, NoteKit] | None:
    path = folder / KITS
    if not generation or not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)) as db:
            if db.execute("SELECT generation FROM meta").fetchall() != [(generation,)]:
                return None
            kits = {}
            for source in sources:
                row = db.execute("SELECT data FROM kit WHERE source = ?", (source,)).fetchone()
                if row is None:
                    return None
                kits[source] = pickle.loads(row[0])
    except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        return None
    return kits if all(isinstance(kit, NoteKit) for kit in kits.values()) else None


def quick_rebuild(
    config: Config, inputs: Inputs, cache: BuildCache, previous: BuildState, output: Path, changed: list[str]
) -> tuple[BuildState, int, int] | None:
    """The new state, outputs rendered and files written, after splicing the `changed` notes' new bodies into
    the site in place; None, having changed nothing, when some edit is more than a body's (see the module)."""
    documents = {document.source: document for document in inputs.documents}
    if not changed or len(changed) > MOST_NOTES or any(name not in documents for name in changed):
        return None
    kits = _load_kits(cache.folder, previous.kits, changed)
    if kits is None or ROOT not in previous.outputs or not previous.search_keys:
        return None
    dates = file_dates(config.root, changed)  # one look at git's history for all of them
    if any(dates.get(source) != kits[source].dates for source in changed):
        return None  # the page, feed and sitemap show a note's dates
    splice = _Splice(
        config,
        previous,
        output,
        replace(previous, inputs=cache.inputs, written=dict(previous.written), spans=dict(previous.spans)),
    )
    for source in changed:
        try:
            spliced = splice.note(documents[source], kits[source])
        except (OSError, ValueError, KeyError, IndexError, TypeError):  # outputs not as the last build left them
            spliced = False
        if not spliced:
            return None
    state = splice.state
    index_files = dict(previous.outputs[ROOT][1])
    if not all(path in index_files for path in splice.files if path.startswith(ROOT)):
        return None
    state.search_keys = tuple(splice.search_keys)
    index_files.update((path, content_digest(content)) for path, content in splice.files.items() if path in index_files)
    search_key = output_key(previous.site_key, state.search_keys)
    state.outputs = {**previous.outputs, **splice.outputs, ROOT: (search_key, tuple(index_files.items()))}
    old_digests = dict(previous.outputs[ROOT][1])
    for path in splice.outputs:
        old_digests.update(previous.outputs[path][1])
    return state, len(changed) + 1, _write(output, splice.files, old_digests, state)


class _Splice:
    """The new bytes of the pages and index files that body edits change, made one note at a time."""

    def __init__(self, config: Config, previous: BuildState, output: Path, state: BuildState) -> None:
        self.config = config
        self.previous = previous
        self.output = output
        self.state = state
        self.md = create_parser(config.raw_html, interface_strings(config.language))
        self.files: dict[str, bytes] = {}  # output path -> new bytes
        self.outputs: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {}
        self.search_keys = list(previous.search_keys)

    def read(self, path: str) -> bytes:
        return self.files[path] if path in self.files else (self.output / path).read_bytes()

    def note(self, document: Document, kit: NoteKit) -> bool:
        """Splice one note's new body into its page and the search index; False when it is not a body edit."""
        previous, source = self.previous, document.source
        note, problems = load_note(Path(document.path), self.config.root, document.kind, document.relative)
        if note is None or problems or note.digest != document.digest:
            return False  # the full build says what is wrong
        parsed = parse_note(note, self.md)
        span = previous.spans.get(kit.path)
        if span is None or face_of(parsed) != kit.face or CITE in parsed.html:
            return False  # its citations and reference list are the full build's (see `citation_style`)
        old_body_key = (previous.inputs[source][1], kit.body_targets, kit.files)
        new_body_key = (note.digest, kit.body_targets, kit.files)
        if previous.outputs.get(kit.path, (None,))[0] != output_key(previous.site_key, (old_body_key, kit.key_rest)):
            return False  # the kit is not of the page on disk
        if self.search_keys[kit.document] != document_key(old_body_key, kit.card_key):
            return False
        tags = list(kit.tag_slugs) if HASHTAG in parsed.html else []
        body = mark_external(body_html(parsed.html, kit.links, kit.labels, kit.paths, kit.files or (), tags, kit.path))
        page = self.read(kit.path)
        start, end = span
        old_body = page[start:end].decode()
        self.files[kit.path] = page[:start] + body.encode() + page[end:]
        self.state.spans[kit.path] = (start, start + len(body.encode()))
        self.outputs[kit.path] = (
            output_key(previous.site_key, (new_body_key, kit.key_rest)),
            ((kit.path, content_digest(self.files[kit.path])),),
        )
        self.search_keys[kit.document] = document_key(new_body_key, kit.card_key)
        old_doc, new_doc = search_doc(parsed.note, kit.path, old_body), search_doc(parsed.note, kit.path, body)
        patched = patch_index(self.read, kit.document, old_doc, new_doc)
        self.files.update(patched or {})
        return patched is not None


def _write(output: Path, files: dict[str, bytes], old_digests: dict[str, str], state: BuildState) -> int:
    """Write the files whose bytes changed, as a build does (see write.SiteWriter); how many."""
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
    return len(stamps)
