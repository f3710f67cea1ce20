"""Find every input of a build (notes, pages, templates, data, configuration) and digest it through the cache."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .cache import BuildCache, code_digest
from .config import Config
from .load import content_digest, find_note_files
from .render import builtin_theme


@dataclass(frozen=True, slots=True)
class Document:
    """A Markdown file to load: a note, or a standalone page from pages/."""

    path: Path
    source: str  # relative to the project root, POSIX separators
    kind: Literal["note", "page"]
    digest: str


@dataclass(frozen=True, slots=True)
class Inputs:
    documents: tuple[Document, ...]
    site_key: str  # digest of everything every page may depend on: configuration, templates, data, llmnotes


def scan_inputs(config: Config, cache: BuildCache, options: tuple) -> Inputs:
    """Every input file, digested; unchanged files (same size, time and inode as last build) are not read."""
    root = config.root
    documents = []
    for folder, kind in ((config.notes_path, "note"), (config.pages_path, "page")):
        if not folder.is_dir():
            continue
        for path in find_note_files(folder):
            source = path.relative_to(root).as_posix()
            documents.append(Document(path, source, kind, cache.file_digest(path, source)))  # type: ignore[arg-type]
    site_wide = [f"options {options!r}", f"config {config!r}", f"llmnotes {code_digest()}"]
    for label, folder in _site_wide_folders(config):
        for path in _files_below(folder):
            name = f"{label}/{path.relative_to(folder).as_posix()}"
            site_wide.append(f"{name} {cache.file_digest(path, name)}")
    return Inputs(tuple(documents), content_digest("\n".join(site_wide).encode()))


def _site_wide_folders(config: Config) -> list[tuple[str, Path]]:
    theme = builtin_theme()
    folders = [("theme", config.templates_path), ("data", config.data_path)]
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
