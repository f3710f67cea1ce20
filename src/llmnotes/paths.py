"""Slugs and URLs: file-system-safe names for notes and tags, and relative links between output files."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")
# Names Windows refuses as file names, whatever the extension.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}
MAX_SLUG_LENGTH = 80


@lru_cache(maxsize=1 << 16)  # tags and link targets repeat: 110,000 calls a build at 10,000 notes, 20,000 names
def fold(text: str) -> str:
    """The identity of a name: case and Unicode form do not matter (`RLHF` is `rlhf`)."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def slugify(text: str) -> str:
    """A lowercase, URL- and file-system-safe slug that keeps CJK and other letters; may be empty."""
    slug = _UNSAFE.sub("-", fold(text)).replace("_", "-")
    slug = _DASHES.sub("-", slug).strip("-")[:MAX_SLUG_LENGTH].strip("-")
    if slug in _WINDOWS_RESERVED:
        slug += "-"
    return slug


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Map each distinct name to a slug no other name shares; clashes and empty slugs get a hash suffix."""
    by_slug: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_slug.setdefault(slugify(name), []).append(name)
    result: dict[str, str] = {}
    for slug, owners in by_slug.items():
        for name in owners:
            clean = slug if (slug and len(owners) == 1) else f"{slug}-{short_hash(name)}".strip("-")
            result[name] = clean
    return result


def href(from_path: str, to_path: str, fragment: str | None = None) -> str:
    """A relative, percent-encoded URL from one output file to another (both POSIX paths in the site)."""
    if to_path == from_path:
        name = "" if fragment else quote(to_path.rpartition("/")[2], safe="/-._~")
        return name + ("#" + quote(fragment, safe="-._~") if fragment else "")
    return _href_from_folder(from_path.rpartition("/")[0], to_path, fragment)


@lru_cache(maxsize=1 << 16)  # pages in one folder link to the same notes and tags again and again
def _href_from_folder(folder: str, to_path: str, fragment: str | None) -> str:
    """`to_path` relative to `folder`; string work only (posixpath.relpath asks the OS for the cwd)."""
    from_dirs = folder.split("/") if folder else []
    to_parts = to_path.split("/")
    common = 0
    while common < len(from_dirs) and common < len(to_parts) - 1 and from_dirs[common] == to_parts[common]:
        common += 1
    url = quote("../" * (len(from_dirs) - common) + "/".join(to_parts[common:]), safe="/-._~")
    return url + ("#" + quote(fragment, safe="-._~") if fragment else "")


def note_path(slug: str) -> str:
    return f"notes/{slug}.html"


def note_slug(path: str) -> str | None:
    """The slug whose `note_path` is `path`, if it has the shape of one."""
    slug = path.removeprefix("notes/").removesuffix(".html")
    return slug if note_path(slug) == path else None


def page_path(slug: str) -> str:
    return f"{slug}.html"


def tag_path(tag_slug: str) -> str:
    return f"tags/{tag_slug}.html"
