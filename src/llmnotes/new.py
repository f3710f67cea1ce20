"""`llmnotes new`: write notes/<slug>.md with its front matter filled in and the sections every note has."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .config import Config
from .model import UsageError
from .paths import slugify

SECTIONS = {
    "zh": ["一句话总结", "背景与问题", "方法", "实验与结论", "个人思考", "参考"],
    "en": ["Summary", "Background", "Method", "Results", "Thoughts", "References"],
}
# New-style arXiv identifiers: YYMM.NNNNN, optionally with a version.
_ARXIV = re.compile(r"^(?:arxiv:)?(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?$", re.IGNORECASE)


def new_note(config: Config, title: str, arxiv: str | None, tags: list[str], builds_on: list[str]) -> Path:
    """Create the note and return its path; refuses to overwrite a file or to name a note that does not exist."""
    title = title.strip()
    if not title:
        raise UsageError('the title is empty (e.g. llmnotes new "Attention Is All You Need")')
    slug = slugify(title)
    if not slug:
        raise UsageError(f"the title {title!r} gives an empty file name; use letters or digits in it")
    path = config.notes_path / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{_shown(path, config)} already exists; llmnotes new never overwrites a note")
    known = {slugify(p.stem) for p in config.notes_path.rglob("*.md")} if config.notes_path.is_dir() else set()
    missing = [slug for slug in builds_on if slug not in known]
    if missing:
        raise UsageError(f"--builds-on: no note has the slug {', '.join(missing)} (use file names from notes/)")
    year, month, identifier = "", None, None
    if arxiv:
        match = _ARXIV.match(arxiv.strip())
        if not match:
            raise UsageError(f"--arxiv: {arxiv!r} is not an arXiv identifier such as 2005.14165")
        identifier = re.sub(
            r"^arxiv:|v\d+$", "", arxiv.strip(), flags=re.IGNORECASE
        )  # notes cite the paper, not a version
        year, month = str(2000 + int(match.group(1))), int(match.group(2))
    lines = [f"title: {_quoted(title)}", "authors: []", f"year: {year}".rstrip()]
    if identifier:
        lines += [f"month: {month}", f"arxiv: {_quoted(identifier)}"]
    lines += ['venue: ""', f"tags: {_flow(tags)}", f"builds_on: {_flow(builds_on)}", 'summary: ""']
    language = "zh" if config.language.lower().startswith("zh") else "en"
    body = "\n".join(f"## {heading}\n" for heading in SECTIONS[language])
    text = "---\n" + "\n".join(lines) + "\n---\n\n" + body
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:  # "x": fails rather than overwrite a note made meanwhile
        file.write(text)
    return path


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(map(_quoted, items)) + "]"


def _shown(path: Path, config: Config) -> str:
    return path.relative_to(config.root).as_posix()
