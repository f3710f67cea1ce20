"""Find every input of a build (notes, pages, templates, data, configuration) and digest it through the cache."""

from __future__ import annotations

import bisect
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from ..config import DOCSIFY_FILES, PROJECT_FILES, Config, builtin_theme
from ..engine.cache import BuildCache, Stamp, code_digest, content_digest
from ..model import Asset, Diagnostic

DocumentKind = Literal["note", "page"]  # a note, or a standalone page from pages/


class Document(NamedTuple):
    """A Markdown file to load: a note, or a standalone page from pages/ (a named tuple: one is made for each of
    10,000 notes on every build, the first step of a one-note edit too, and a frozen dataclass takes thrice as long)."""

    path: str  # a plain string: a Path for each of 10,000 notes costs more than reading their stamps
    source: str  # relative to the project root, POSIX separators
    kind: DocumentKind
    digest: str
    relative: str  # inside its folder (notes/ or pages/)


@dataclass(frozen=True, slots=True)
class Inputs:
    documents: tuple[Document, ...]
    assets: tuple[Asset, ...]  # the other files in notes/: images, PDFs…
    problems: tuple[Diagnostic, ...]  # files that must not be read, e.g. links to outside their folder
    site_key: str  # digest of everything every page may depend on: configuration, data, llmnotes
    theme: dict[str, str]  # path inside the theme -> digest of the file a build uses: the project's, else built-in


def scan_inputs(config: Config, cache: BuildCache, options: tuple, output: Path) -> Inputs:
    """Every input file, digested; unchanged files (same size, time and inode as last build) are not read."""
    root = config.root
    documents = []
    assets = []
    problems = []
    # When the notes folder holds the others (an Obsidian vault as the project), they are not notes.
    others = {config.pages_path, config.templates_path, config.data_path, output}
    sources: tuple[tuple[Path, DocumentKind], ...] = ((config.notes_path, "note"), (config.pages_path, "page"))
    for folder, kind in sources:
        if not folder.is_dir():
            continue
        prefix = _prefix(folder, root)
        inside = folder.resolve()
        skipped = {str(place) for place in others if place != folder and place.is_relative_to(folder)}
        for relative, entry in _visible_entries(folder, skipped):
            source = prefix + relative
            is_markdown = relative.endswith(".md")
            if not is_markdown and (kind == "page" or (folder == root and relative in PROJECT_FILES)):
                continue
            if is_markdown and kind == "note" and relative.rpartition("/")[2] in DOCSIFY_FILES:
                continue
            if entry.is_symlink() and not (target := Path(entry.path).resolve()).is_relative_to(inside):
                where = prefix.rstrip("/")
                message = f"a symbolic link to {target}, outside {where}/: not read, so it cannot leak"
                problems.append(Diagnostic(source, message, hint=f"copy the file into {where}/ or remove the link"))
                continue
            digest = cache.file_digest(entry.path, source, _stamp(entry))
            if is_markdown:
                documents.append(Document(entry.path, source, kind, digest, relative))
            else:
                assets.append(Asset(Path(entry.path), source, relative, digest))
    if not any(document.kind == "note" for document in documents):
        problems.append(_no_notes(config))
    if config.bibliography:  # an input of the pages that cite, whose keys hold what they show of it
        cache.file_digest(root / config.bibliography, f"bibliography {config.bibliography}")
    site_wide = [f"options {options!r}", f"config {config!r}", f"llmnotes {code_digest()}"]
    for path in _files_below(config.data_path):
        name = f"data/{path.relative_to(config.data_path).as_posix()}"
        site_wide.append(f"{name} {cache.file_digest(path, name)}")
    theme: dict[str, str] = {}
    for label, folder in _theme_folders(config):
        for path in _files_below(folder):
            in_theme = path.relative_to(folder).as_posix()
            theme.setdefault(in_theme, cache.file_digest(path, f"{label}/{in_theme}"))
    # Every page shows the interface's words (templates/i18n/): they count as site-wide, not as one template.
    site_wide += [f"theme/{name} {digest}" for name, digest in sorted(theme.items()) if name.startswith("i18n/")]
    site_key = content_digest("\n".join(site_wide).encode())
    return Inputs(tuple(documents), tuple(assets), tuple(problems), site_key, theme)


def rescan_notes(last: Inputs, cache: BuildCache, config: Config, output: Path, seen: Collection[str]) -> Inputs | None:
    """The last build's inputs updated with the files a watcher `seen` change since (and vouches nothing else did):
    notes modified digested again, notes added put in their place, notes deleted left out, and the project's own
    templates digested again; so that the first step of a server's rebuild does not look at 10,000 stamps. None
    when any of them is something else (an asset, data, the configuration, a folder, a page), for the full scan."""
    if not seen:
        return None
    inputs_before = cache.inputs
    cache.inputs = dict(cache.previous.inputs)  # as the last build found them, each file digested again updated
    rescanned = _rescanned(last, cache, config, output, seen)
    if rescanned is None:
        cache.inputs = inputs_before  # for the full scan to fill, without the files the watcher saw gone
    return rescanned


def _rescanned(last: Inputs, cache: BuildCache, config: Config, output: Path, seen: Collection[str]) -> Inputs | None:
    notes_folder = f"{config.notes_path}/"
    templates_folder = f"{config.templates_path}/"
    others = tuple(f"{place}/" for place in (config.pages_path, config.templates_path, config.data_path, output))
    positions = {document.path: number for number, document in enumerate(last.documents)}
    documents: list[Document | None] = list(last.documents)
    added: list[Document] = []
    vanished: list[str] = []
    theme = dict(last.theme)
    for path in seen:
        if os.path.islink(path):
            return None  # read or refused by where it leads: the full scan's call
        exists = os.path.isfile(path)
        if path in positions:
            number = positions[path]
            document = documents[number]
            assert document is not None
            if exists:
                documents[number] = document._replace(digest=cache.file_digest(path, document.source))
            else:
                documents[number] = None
                cache.inputs.pop(document.source, None)
        elif path.startswith(templates_folder) and not path.startswith(notes_folder):
            in_theme = path[len(templates_folder) :]
            name = f"theme/{in_theme}"
            if not exists or name not in cache.previous.inputs or in_theme.startswith("i18n/"):
                return None  # a template added, deleted or of the interface's words: what the theme is changes
            theme[in_theme] = cache.file_digest(path, name)
        elif not path.startswith(notes_folder) or path.startswith(others) or not path.endswith(".md"):
            return None
        elif path.rpartition("/")[2] in DOCSIFY_FILES:
            return None  # docsify's sidebar or cover page says what the site is (see config.load_config)
        elif exists:
            relative = path[len(notes_folder) :]
            if not _plainly_a_note(config.notes_path, relative):
                return None
            source = _prefix(config.notes_path, config.root) + relative
            added.append(Document(path, source, "note", cache.file_digest(path, source), relative))
        else:
            vanished.append(path)  # an editor's file that came and went; or a folder named like a note, gone
    if vanished and not _folders_of(positions).isdisjoint(vanished):
        return None  # the notes it held are gone too
    kept = [document for document in documents if document is not None]
    for document in added:  # into the scan's order, which `kept` is in: a few keys made, not 10,000
        bisect.insort(kept, document, key=_scan_order)
    if not any(document.kind == "note" for document in kept):
        return None  # the last note deleted: the full scan says so
    return Inputs(tuple(kept), last.assets, last.problems, last.site_key, theme)


def _folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder the files at `paths` are in, at any depth."""
    folders: set[str] = set()
    for path in paths:
        folder = os.path.dirname(path)
        while folder not in folders and folder != os.path.dirname(folder):
            folders.add(folder)
            folder = os.path.dirname(folder)
    return folders


def _prefix(folder: Path, root: Path) -> str:
    """What goes before a path inside `folder` to make it relative to the project's `root`."""
    return "" if folder == root else folder.relative_to(root).as_posix() + "/"


def _plainly_a_note(folder: Path, relative: str) -> bool:
    """Whether the full scan would read the Markdown file at `relative` in the notes `folder` as a note: not in a
    hidden folder or node_modules/, not below a symbolic link."""
    parts = relative.split("/")
    if any(part.startswith(".") or part == "node_modules" for part in parts):
        return False
    return os.path.realpath(folder / relative) == str(folder.resolve() / relative)


def _scan_order(document: Document) -> tuple[int, list[str]]:
    """The order of `scan_inputs`: the notes, then the pages, each by their path inside their folder."""
    return (document.kind != "note", document.relative.split("/"))


def _no_notes(config: Config) -> Diagnostic:
    """A build that found nothing to publish says where it looked instead of writing an empty site."""
    where = config.notes_path.relative_to(config.root).as_posix() if config.notes_path != config.root else "."
    looked = f"{where}/ in {config.root}" if config.notes_path.is_dir() else f"{config.root} (it has no {where}/)"
    return Diagnostic(
        "llmnotes",
        f"no notes: found no Markdown (.md) files in {looked}",
        hint="put notes in notes/, point --root at the folder that holds them, or set notes_dir = \"...\" "
        "under [tool.llmnotes] in pyproject.toml",
    )


def _visible_entries(folder: Path, skipped: Collection[str] = ()) -> list[tuple[str, os.DirEntry[str]]]:
    """Relative POSIX paths of the files below folder, hidden ones (.obsidian/, .DS_Store), node_modules/ and the
    `skipped` folders left out, in a stable order; each with its directory entry, which knows whether it is a
    symbolic link without another system call. Plain strings, as pathlib costs more than the walk. Like os.walk,
    folders that are symbolic links are not entered."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if not is_folder:
                found.append((prefix + entry.name, entry))
            elif entry.name != "node_modules" and entry.path not in skipped and not entry.is_symlink():
                pending.append((entry.path, f"{prefix}{entry.name}/"))
    return sorted(found, key=lambda item: item[0].split("/"))


def _stamp(entry: os.DirEntry[str]) -> Stamp | None:
    try:
        info = entry.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _theme_folders(config: Config) -> list[tuple[str, Path]]:
    """The project's templates, then the built-in theme under them: a file in the first replaces its namesake."""
    theme = builtin_theme()
    folders = [("theme", config.templates_path)]
    if theme.resolve() != config.templates_path.resolve():
        folders.append(("builtin-theme", theme))
    return folders


def _files_below(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for parent, subfolders, files in os.walk(folder):
        subfolders.sort()
        found.extend(Path(parent) / name for name in sorted(files))
    return found
