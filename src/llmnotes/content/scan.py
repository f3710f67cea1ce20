"""Find every input of a build (notes, pages, templates, data, configuration) and digest it through the cache."""

from __future__ import annotations

import os
from collections.abc import Collection
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
        prefix = "" if folder == root else folder.relative_to(root).as_posix() + "/"
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


def rescan_notes(last: Inputs, cache: BuildCache, modified: Collection[str]) -> Inputs | None:
    """The last build's inputs with the `modified` notes digested again, when a watcher vouches that nothing else
    changed (the server: the first step of its rebuild then does not look at 10,000 stamps); None unless every
    one is a Markdown file the last build read, and no other input moved."""
    positions = {document.path: number for number, document in enumerate(last.documents)}
    if not modified or any(path not in positions for path in modified):
        return None  # a file added, deleted, or not a note: the full scan finds out what it means
    cache.inputs = dict(cache.previous.inputs)
    documents = list(last.documents)
    for path in modified:
        document = documents[positions[path]]
        documents[positions[path]] = document._replace(digest=cache.file_digest(path, document.source))
    return Inputs(tuple(documents), last.assets, last.problems, last.site_key, last.theme)


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
