"""Settings a folder made for another tool already holds (mkdocs.yml, docsify's window.$docsify), as defaults."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .model import Diagnostic, UserError


class _IgnoringUnknownTags(yaml.SafeLoader):
    """A safe loader that reads `!!python/name:…`, `!ENV` and other tags it does not know as nothing."""


_IgnoringUnknownTags.add_multi_constructor("", lambda loader, suffix, node: None)

# Hosts whose edit pages are <repository>/edit/<branch>/<path>, as MkDocs assumes for GitHub.
EDIT_HOSTS = {"github.com": "edit/main/", "gitlab.com": "-/edit/main/"}


def imported_settings(root: Path, notes_dir: str) -> dict[str, Any]:
    """`Config` values from mkdocs.yml, else from docsify's index.html in the notes folder; {} when neither."""
    mkdocs = root / "mkdocs.yml"
    if mkdocs.is_file():
        return _from_mkdocs(mkdocs, notes_dir)
    docsify = root / notes_dir / "index.html"
    if docsify.is_file():
        return _from_docsify(docsify.read_text(encoding="utf-8", errors="replace"))
    return {}


def edit_url_for(repo_url: str, folder: str) -> str:
    """Where a repository on GitHub or GitLab edits the files of `folder` (its default branch taken as main)."""
    prefix = EDIT_HOSTS.get(urlsplit(repo_url).netloc.lower())
    if not prefix:
        return ""
    folder = posixpath.normpath(folder.replace("\\", "/")).strip("/")  # notes_dir = "docs\\notes", written on Windows
    return f"{repo_url.rstrip('/')}/{prefix}{folder + '/' if folder not in ('', '.') else ''}"


def _from_mkdocs(path: Path, notes_dir: str) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=_IgnoringUnknownTags)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise UserError(
            Diagnostic(
                "mkdocs.yml",
                f"not valid YAML: {getattr(error, 'problem', None) or error}",
                line=mark.line + 1 if mark else None,
                hint="fix it, or set title and the rest in [tool.llmnotes] of pyproject.toml",
            )
        ) from None
    if not isinstance(document, dict):
        return {}
    theme = document.get("theme")
    found = {
        "title": document.get("site_name"),
        "description": document.get("site_description"),
        "author": document.get("site_author"),
        "language": theme.get("language") if isinstance(theme, dict) else None,
        "base_url": _web_url(document.get("site_url")),
        "repo_url": _web_url(document.get("repo_url")),
    }
    values: dict[str, Any] = {key: value.strip() for key, value in found.items() if isinstance(value, str) and value}
    if "base_url" in values and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    repo_url = values.get("repo_url", "")
    edit_uri = document.get("edit_uri")
    if isinstance(edit_uri, str) and edit_uri.startswith(("http://", "https://")):
        values["edit_url"] = edit_uri.rstrip("/") + "/"
    elif isinstance(edit_uri, str) and edit_uri and repo_url:
        values["edit_url"] = f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/"
    elif edit_uri is None and repo_url:
        values["edit_url"] = edit_url_for(repo_url, notes_dir)
    if not values.get("edit_url"):
        values.pop("edit_url", None)
    titles = dict(_nav_sections(document.get("nav")))
    if titles:
        values["section_titles"] = tuple(sorted(titles.items()))
    return values


def _web_url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _nav_sections(items: Any) -> list[tuple[str, str]]:
    """(folder, title) of each section of MkDocs' `nav`: the folder its pages share, named by the section's title."""
    found: list[tuple[str, str]] = []
    if not isinstance(items, list):
        return found
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            continue
        ((title, content),) = item.items()
        if not isinstance(content, list) or not isinstance(title, str):
            continue
        pages = _nav_pages(content)
        folders = {posixpath.dirname(page) for page in pages}
        if folders and "" not in folders:
            common = posixpath.commonpath(sorted(folders))
            if common:
                found.append((common, title.strip()))
        found += _nav_sections(content)
    return found


def _nav_pages(items: list) -> list[str]:
    pages = []
    for item in items:
        values = item.values() if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, str) and value.endswith(".md") and "://" not in value:
                pages.append(posixpath.normpath(value.lstrip("./")))
            elif isinstance(value, list):
                pages += _nav_pages(value)
    return pages


_DOCSIFY = re.compile(r"window\.\$docsify\s*=\s*\{")
_PLAIN_ENTRY = re.compile(r"""[{,]\s*(?:(name|repo)|(["'])(name|repo)\2)\s*:\s*(["'])([^"'\\\n]*)\4\s*(?=[,}])""")


def _from_docsify(page: str) -> dict[str, Any]:
    """`name` and `repo` of `window.$docsify = {…}` when they are plain strings at its top level; nothing else."""
    found = _DOCSIFY.search(page)
    if not found:
        return {}
    top = _top_level(page, found.end() - 1)
    if top is None:
        return {}
    entries = {(m.group(1) or m.group(3)): m.group(5).strip() for m in _PLAIN_ENTRY.finditer(top)}
    values: dict[str, Any] = {}
    if entries.get("name"):
        values["title"] = entries["name"]
    repo = entries.get("repo", "")
    if re.fullmatch(r"[\w.-]+/[\w.-]+", repo):  # docsify's short form: a GitHub repository
        repo = f"https://github.com/{repo}"
    if repo.startswith(("http://", "https://")):
        values["repo_url"] = repo
    return values


def _top_level(text: str, start: int) -> str | None:
    """The object literal opening at `start`, with what its nested braces, brackets and strings hold blanked out
    (its own strings kept); None when it does not close."""
    kept: list[str] = []
    depth = 0
    quote = ""
    for position in range(start, len(text)):
        char = text[position]
        if quote:
            if char == quote and text[position - 1] != "\\":
                quote = ""
            if depth == 1:
                kept.append(char)
            continue
        if char in "\"'`":
            quote = char
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
            if depth == 0:
                kept.append(char)
                return "".join(kept)
        if depth == 1 or (depth == 2 and char in "{[("):
            kept.append(char)
    return None
