"""`llmnotes import`: a note for each paper of a reference library that has none, and the fields a library knows
filled into the notes that already have the paper, their bodies and the fields written by hand left alone."""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..config import Config
from ..content.load import YAML_LOADER, load_note
from ..content.scan import scan_inputs
from ..engine.cache import BuildCache
from ..features.citations import cite_keys, is_paper, paper_type
from ..features.frontmatter import FrontMatterError, edit_front_matter, is_empty, split_note
from ..features.library import LibraryEntry, read_library
from ..features.metadata import parse_arxiv_id
from ..model import Diagnostic, Note, UsageError
from ..paths import fold, slugify
from .new import note_text

# What a library may fill in; `--overwrite` names some of these.
IMPORTED_FIELDS = (
    "title",
    "authors",
    "year",
    "month",
    "venue",
    "type",
    "journal",
    "booktitle",
    "institution",
    "volume",
    "number",
    "pages",
    "publisher",
    "arxiv",
    "arxiv_class",
    "doi",
    "url",
    "citation_key",
    "abstract",
)


@dataclass(frozen=True, slots=True)
class NoteChange:
    path: Path
    before: str | None  # None for a note the import creates
    after: str
    key: str  # the library entry's citation key


@dataclass
class ImportPlan:
    changes: list[NoteChange] = field(default_factory=list)
    unchanged: int = 0  # notes of the library's papers that already hold what it knows
    problems: list[Diagnostic] = field(default_factory=list)
    entries: int = 0

    @property
    def created(self) -> int:
        return sum(change.before is None for change in self.changes)


@dataclass
class _KnownNote:
    path: Path
    note: Note
    claimed_by: str | None = None  # the entry that already matched it in this import


def plan_import(config: Config, library: Path, overwrite: set[str], tags: list[str], folder: str | None) -> ImportPlan:
    """What importing `library` changes, without changing anything."""
    unknown = sorted(overwrite - set(IMPORTED_FIELDS))
    if unknown:
        raise UsageError(
            f"--overwrite: {', '.join(unknown)} is not a field a library fills in ({', '.join(IMPORTED_FIELDS)})"
        )
    target_folder = _folder(config, folder)
    shown = _shown(library, config.root)
    entries, problems = read_library(library, shown)
    plan = ImportPlan(problems=list(problems))
    entries = _distinct(entries, shown, plan.problems)
    plan.entries = len(entries)
    notes, unreadable = _existing_notes(config)
    plan.problems += [replace(d, severity="warning", hint="fix it, or the import cannot match it") for d in unreadable]
    known = [_KnownNote(config.root / note.source, note) for note in notes]
    by_id = _note_index(known)
    taken = {note.path.resolve() for note in known}
    for entry in entries:
        match = _match(entry, by_id)
        if match is None:
            path = _new_path(target_folder, entry, taken)
            taken.add(path.resolve())
            fields = {key: value for key, value in entry.fields.items() if not is_empty(value)}
            fields["tags"] = list(tags)
            plan.changes.append(NoteChange(path, None, note_text(config, fields), entry.key))
            continue
        if match.claimed_by is not None:
            plan.problems.append(
                Diagnostic(
                    shown,
                    f"{entry.key}: {match.note.source} is already the note of {match.claimed_by}; left as it is",
                    entry.line,
                    severity="warning",
                    hint="two entries of the library name the same paper: merge them in Zotero",
                )
            )
            continue
        match.claimed_by = entry.key
        change = _update(match, entry, overwrite, plan.problems)
        if change is None:
            plan.unchanged += 1
        else:
            plan.changes.append(change)
    return plan


def apply_import(plan: ImportPlan) -> None:
    """Write the planned notes; a new note never replaces a file made meanwhile."""
    for change in plan.changes:
        if change.before is None:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            with open(change.path, "x", encoding="utf-8", newline="") as file:
                file.write(change.after)
        else:
            with open(change.path, "w", encoding="utf-8", newline="") as file:
                file.write(change.after)


def diff(plan: ImportPlan, root: Path) -> str:
    """The planned changes as one unified diff, paths relative to the project's folder."""
    chunks = []
    for change in plan.changes:
        name = _shown(change.path, root)
        before = (change.before or "").splitlines(keepends=True)
        after = change.after.splitlines(keepends=True)
        old = "/dev/null" if change.before is None else f"a/{name}"
        chunks.append("".join(difflib.unified_diff(before, after, old, f"b/{name}")))
    return "".join(chunks)


def _existing_notes(config: Config) -> tuple[list[Note], list[Diagnostic]]:
    """The notes a build would read (drafts too), found and loaded as it finds and loads them, and the problems of
    those that cannot be read."""
    output = config.output_path.resolve()
    options = (str(output), config.strict_links, False)  # as `build`, whose cache then spares reading unchanged files
    inputs = scan_inputs(config, BuildCache(config.root, options), options, output)
    notes: list[Note] = []
    problems: list[Diagnostic] = []
    for document in inputs.documents:
        if document.kind == "note":
            note, found = load_note(Path(document.path), config.root, document.kind, document.relative)
            problems += found
            if note is not None:
                notes.append(note)
    return notes, problems


def _folder(config: Config, folder: str | None) -> Path:
    if not folder:
        return config.notes_path
    normal = posixpath.normpath(folder.replace("\\", "/").strip("/"))
    if normal.startswith("..") or normal.startswith("/") or normal == ".":
        raise UsageError(f"--folder: {folder!r} must be a folder inside the notes folder, e.g. --folder papers/2024")
    return config.notes_path / normal


def _distinct(entries: list[LibraryEntry], shown: str, problems: list[Diagnostic]) -> list[LibraryEntry]:
    """One entry per key and per paper: a repeated key keeps the first, the same paper twice (same arXiv id, DOI, or
    title and year) is one paper whose fields the first entry gives and the others complete."""
    kept: list[LibraryEntry] = []
    by_key: dict[str, LibraryEntry] = {}
    by_paper: dict[tuple[str, str], int] = {}
    for entry in entries:
        if not entry.fields.get("title"):
            problems.append(
                Diagnostic(shown, f"{entry.key}: the entry has no title; it is skipped", entry.line, severity="warning")
            )
            continue
        first = by_key.get(entry.key)
        if first is not None:
            message = f"{entry.key}: the key is used again (first at line {first.line}); this entry is skipped"
            problems.append(
                Diagnostic(shown, message, entry.line, severity="warning", hint="give each entry its own key")
            )
            continue
        by_key[entry.key] = entry
        identities = _identities(entry)
        same = next((by_paper[i] for i in identities if i in by_paper), None)
        if same is None:
            for identity in identities:
                by_paper[identity] = len(kept)
            kept.append(entry)
            continue
        original = kept[same]
        merged = {**original.fields, **{k: v for k, v in entry.fields.items() if is_empty(original.fields.get(k))}}
        kept[same] = LibraryEntry(original.key, merged, original.line)
        message = f"{entry.key}: the same paper as {original.key} (line {original.line}); imported as one"
        problems.append(
            Diagnostic(shown, message, entry.line, severity="warning", hint="merge the duplicates in Zotero")
        )
    return kept


def _identities(entry: LibraryEntry) -> list[tuple[str, str]]:
    found = []
    if entry.arxiv:
        found.append(("arxiv", entry.arxiv))
    if entry.doi:
        found.append(("doi", entry.doi))
    found.append(("title", f"{fold(' '.join(slugify(entry.fields['title']).split('-')))} {entry.fields.get('year')}"))
    return found


def _note_index(known: list[_KnownNote]) -> dict[tuple[str, str], _KnownNote]:
    """Each note by its arXiv id, its DOI, its `citation_key` and the key the site gives it."""
    index: dict[tuple[str, str], _KnownNote] = {}
    papers = [item.note for item in known if is_paper(item.note)]
    computed = cite_keys(papers)
    for item in known:
        note = item.note
        arxiv = parse_arxiv_id(note.arxiv) if note.arxiv else None
        if arxiv:
            index.setdefault(("arxiv", arxiv.id), item)
        if note.doi:
            index.setdefault(("doi", note.doi.lower()), item)
        if note.citation_key:
            index.setdefault(("key", note.citation_key), item)
        if note.slug in computed:
            index.setdefault(("key", computed[note.slug]), item)
    return index


def _match(entry: LibraryEntry, index: dict[tuple[str, str], _KnownNote]) -> _KnownNote | None:
    for identity in (("arxiv", entry.arxiv), ("doi", entry.doi), ("key", entry.key)):
        if identity[1] and identity in index:
            return index[identity]
    return None


def _update(
    item: _KnownNote, entry: LibraryEntry, overwrite: set[str], problems: list[Diagnostic]
) -> NoteChange | None:
    """The note with the fields it lacks (and those named by --overwrite) from the entry; None when none change."""
    try:
        with open(item.path, encoding="utf-8", newline="") as file:  # as it is: \r\n stays \r\n
            text = file.read()
        parts = split_note(text.removeprefix("\ufeff"))
        front: dict[str, Any] = {}
        if parts is not None:
            front = yaml.load("".join(parts[1]), Loader=YAML_LOADER) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, FrontMatterError) as error:
        message = f"cannot update it from {entry.key}: {error}"
        problems.append(Diagnostic(item.note.source, message, severity="warning"))
        return None
    changes = {}
    for key, value in entry.fields.items():
        if is_empty(value):
            continue
        if key == "type" and key not in overwrite and paper_type(item.note) not in ("preprint", value):
            continue  # the note's venue says more than a library that saved the preprint
        if is_empty(front.get(key)) or (key in overwrite and front.get(key) != value):
            changes[key] = value
    if not changes:
        return None
    try:
        after = edit_front_matter(text, changes)
    except FrontMatterError as error:
        problems.append(Diagnostic(item.note.source, f"cannot update it from {entry.key}: {error}", severity="warning"))
        return None
    return NoteChange(item.path, text, after, entry.key)


def _new_path(folder: Path, entry: LibraryEntry, taken: set[Path]) -> Path:
    """notes/<slug of the title>.md, or with the citation key after it when another note has that name."""
    slug = slugify(entry.fields["title"]) or slugify(entry.key) or "paper"
    path = folder / f"{slug}.md"
    if path.resolve() in taken or path.exists():
        path = folder / f"{slug}-{slugify(entry.key)}.md"
    number = 2
    while path.resolve() in taken or path.exists():
        path = folder / f"{slug}-{slugify(entry.key)}-{number}.md"
        number += 1
    return path


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
