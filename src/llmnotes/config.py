"""Read `[tool.llmnotes]` from the site's pyproject.toml into a validated, frozen `Config`."""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .model import Diagnostic, UsageError, UserError
from .tool_config import edit_url_for, imported_settings

RAW_HTML_POLICIES = ("sanitize", "escape", "allow")
NOTES_DIR = "notes"
_DOCS_DIR = re.compile(r"^docs_dir:[ \t]*(\S+)", re.MULTILINE)
# Files of a project that are not part of its site, when the notes folder is the project itself.
PROJECT_FILES = {"pyproject.toml", "mkdocs.yml", "package.json", "package-lock.json"}
# docsify's navigation files: they say how to move around the site, they are not notes.
DOCSIFY_FILES = {"_sidebar.md", "_navbar.md", "_coverpage.md"}


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    title: str = "Paper notes"
    description: str = ""
    author: str = ""
    language: str = "en"
    base_url: str = ""
    notes_dir: str = NOTES_DIR
    templates_dir: str = "templates"
    data_dir: str = "data"
    pages_dir: str = "pages"
    output_dir: str = "site"
    strict_links: bool = True
    raw_html: str = "sanitize"
    repo_url: str = ""
    edit_url: str = ""  # a note's path inside the notes folder appended to it is where the note is edited
    bibliography: str = ""  # a .bib (BibTeX, BibLaTeX) or CSL-JSON file, from the project's folder, that notes cite
    section_titles: tuple[tuple[str, str], ...] = ()  # (folder inside the notes folder, title), from mkdocs.yml's nav
    feed_limit: int = 50  # the feed's entries: the notes changed last; 0 for every note

    @property
    def notes_path(self) -> Path:
        return self.root / self.notes_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def data_path(self) -> Path:
        return self.root / self.data_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir


def builtin_theme() -> Path:
    """The theme shipped in the wheel, or the repository's templates/ in a source checkout."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


_STRING_KEYS = {f.name for f in fields(Config) if f.type == "str"}
_BOOL_KEYS = {f.name for f in fields(Config) if f.type == "bool"}
_COUNT_KEYS = {f.name for f in fields(Config) if f.type == "int"}


def load_config(root: Path) -> Config:
    """Read the configuration of the site rooted at `root`; every key is optional."""
    pyproject = root / "pyproject.toml"
    table: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise UserError(
                Diagnostic(path="pyproject.toml", message=f"not valid TOML: {error}", hint="fix the syntax")
            ) from None
        table = document.get("tool", {}).get("llmnotes", {})
    values = _validate(table)
    if "notes_dir" not in values and not (root / NOTES_DIR).is_dir():
        values["notes_dir"] = other_tools_notes(root) or NOTES_DIR
    values = {**imported_settings(root, values.get("notes_dir", NOTES_DIR)), **values}  # ours win
    if values.get("repo_url") and "edit_url" not in values:
        values["edit_url"] = edit_url_for(values["repo_url"], values.get("notes_dir", NOTES_DIR))
    return Config(root=root, **values)


def with_base_url(config: Config, base_url: str | None) -> Config:
    """`config` with the command line's --base-url in place of the configured one (None: as configured)."""
    if base_url is None:
        return config
    if not base_url.startswith(("http://", "https://")):
        message = f"--base-url: expected an absolute http(s) URL such as https://me.github.io/notes/, got {base_url!r}"
        raise UsageError(Diagnostic(path="llmnotes", message=message))
    return replace(config, base_url=base_url if base_url.endswith("/") else base_url + "/")


def other_tools_notes(root: Path) -> str | None:
    """The notes of a folder kept some other way, when it has no notes/: MkDocs' docs_dir (docs/), VitePress' or
    docsify's docs/ or the folder itself, an Obsidian vault itself, or a plain folder of Markdown files (a GitHub
    repository with a README.md and folders of notes)."""
    mkdocs = root / "mkdocs.yml"
    if mkdocs.is_file():  # read with a pattern: mkdocs.yml often holds !!python tags a YAML loader refuses
        found = _DOCS_DIR.search(mkdocs.read_text(encoding="utf-8", errors="replace"))
        return found.group(1).strip("'\"") if found else "docs"
    docs = root / "docs"
    if (docs / ".vitepress").is_dir() or _is_docsify(docs):
        return "docs"
    if (root / ".vitepress").is_dir() or (root / ".obsidian").is_dir() or _is_docsify(root):
        return "."
    if _has_markdown(root):
        return "."
    if _has_markdown(docs, below=True):
        return "docs"
    return "." if _has_markdown(root, below=True) else None


def _is_docsify(folder: Path) -> bool:
    if any((folder / name).is_file() for name in DOCSIFY_FILES):
        return True
    page = folder / "index.html"
    return (folder / ".nojekyll").is_file() and page.is_file() and "docsify" in page.read_text("utf-8", "replace")


def _has_markdown(folder: Path, below: bool = False) -> bool:
    """Whether folder (or, `below`, one of its visible sub-folders) has a Markdown file; deeper notes need a
    notes_dir."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    if any(entry.name.endswith(".md") and entry.is_file() for entry in entries):
        return True
    for entry in entries if below else ():
        if entry.is_dir() and not entry.name.startswith((".", "_")) and entry.name != "node_modules":
            with contextlib.suppress(OSError), os.scandir(entry.path) as inner:
                if any(child.name.endswith(".md") and child.is_file() for child in inner):
                    return True
    return False


def _validate(table: dict[str, Any]) -> dict[str, Any]:
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    known = sorted(_STRING_KEYS | _BOOL_KEYS | _COUNT_KEYS)
    for key, value in table.items():
        where = f"[tool.llmnotes] {key}"
        if (
            (key in _STRING_KEYS and isinstance(value, str))
            or (key in _BOOL_KEYS and isinstance(value, bool))
            or (key in _COUNT_KEYS and type(value) is int and value >= 0)
        ):
            values[key] = value
        elif key in _STRING_KEYS or key in _BOOL_KEYS or key in _COUNT_KEYS:
            expected = "a string" if key in _STRING_KEYS else "true or false" if key in _BOOL_KEYS else "a count"
            hint = f"e.g. {key} = 50, or 0 for no limit" if key in _COUNT_KEYS else None
            problems.append(_problem(f"{where}: expected {expected}, got {value!r}", hint=hint))
        else:
            problems.append(_problem(f"{where}: unknown key", hint=f"known keys: {', '.join(known)}"))
    if values.get("raw_html", "sanitize") not in RAW_HTML_POLICIES:
        choices = ", ".join(f'"{p}"' for p in RAW_HTML_POLICIES)
        problems.append(_problem(f"[tool.llmnotes] raw_html: expected one of {choices}, got {values['raw_html']!r}"))
    for key in ("repo_url", "edit_url"):
        if values.get(key) and not values[key].startswith(("http://", "https://")):
            example = "https://github.com/me/notes" + ("/edit/main/notes/" if key == "edit_url" else "")
            message = f"[tool.llmnotes] {key}: expected an absolute http(s) URL, got {values[key]!r}"
            problems.append(_problem(message, hint=f'e.g. {key} = "{example}"'))
    base_url = values.get("base_url", "")
    if base_url and not base_url.startswith(("http://", "https://")):
        problems.append(
            _problem(
                f"[tool.llmnotes] base_url: expected an absolute http(s) URL, got {base_url!r}",
                hint='e.g. base_url = "https://example.github.io/notes/"',
            )
        )
    if base_url and not base_url.endswith("/"):
        values["base_url"] = base_url + "/"
    if values.get("edit_url") and not values["edit_url"].endswith("/"):
        values["edit_url"] += "/"
    if problems:
        raise UserError(problems)
    return values


def _problem(message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(path="pyproject.toml", message=message, hint=hint)
