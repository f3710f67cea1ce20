"""`llmnotes new`: write notes/<slug>.md with its front matter filled in (from arXiv or Crossref when given an id)
and the sections every note has."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..features.fetch import FetchError, arxiv_fields, crossref_fields
from ..features.frontmatter import render_fields
from ..features.metadata import ArxivId, Fields, arxiv_id_of_doi, parse_arxiv_id, parse_doi
from ..model import UsageError
from ..paths import slugify

SECTIONS = {
    "zh": ["一句话总结", "背景与问题", "方法", "实验与结论", "个人思考", "参考"],
    "en": ["Summary", "Background", "Method", "Results", "Thoughts", "References"],
}
# The order of a new note's fields; what the paper's facts hold beyond these follows them.
FIELD_ORDER = (
    "title",
    "short_title",
    "authors",
    "year",
    "month",
    "venue",
    "type",
    "journal",
    "booktitle",
    "volume",
    "number",
    "pages",
    "publisher",
    "institution",
    "arxiv",
    "arxiv_class",
    "doi",
    "pdf",
    "url",
    "citation_key",
    "tags",
    "builds_on",
    "summary",
    "abstract",
)


@dataclass(frozen=True, slots=True)
class NewNote:
    path: Path
    problem: str | None = None  # why the paper's facts are missing from it, when they are


def new_note(
    config: Config,
    title: str | None,
    arxiv: str | None,
    tags: list[str],
    builds_on: list[str],
    doi: str | None = None,
) -> NewNote:
    """Create the note; refuses to overwrite a file or to name a note that does not exist. With an arXiv id or a DOI
    the paper's facts are fetched; when that fails for want of an answer, the note is made with the id alone."""
    if title is not None and not title.strip():
        raise UsageError('the title is empty (e.g. llmnotes new "Attention Is All You Need")')
    paper, doi = _identifiers(arxiv, doi)
    if title is None and paper is None and doi is None:
        raise UsageError("give the paper's title, or --arxiv ID or --doi DOI (e.g. llmnotes new --arxiv 1706.03762)")
    known = {slugify(p.stem) for p in config.notes_path.rglob("*.md")} if config.notes_path.is_dir() else set()
    missing = [slug for slug in builds_on if slug not in known]
    if missing:
        raise UsageError(f"--builds-on: no note has the slug {', '.join(missing)} (use file names from notes/)")
    if title is not None:
        _free_path(config, title.strip())  # refuse before asking any service
    facts, problem = _fetch(config.root, paper, doi)
    name = (title or "").strip() or facts.get("title") or (f"arXiv {paper.id}" if paper else f"DOI {doi}")
    path = _free_path(config, name)
    fields: dict[str, Any] = {"title": facts.get("title") or name, "authors": [], "year": None}
    if fields["title"] != name:  # `llmnotes new InstructGPT --arxiv 2203.02155`: the paper's title, named short
        fields["short_title"] = name
    fields.update((key, value) for key, value in facts.items() if key != "title")
    fields.update(tags=tags, builds_on=builds_on)
    text = note_text(config, fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as file:  # "x": fails rather than overwrite a note made meanwhile
        file.write(text)
    return NewNote(path, problem)


def note_text(config: Config, fields: dict[str, Any]) -> str:
    """A new note: its front matter (with the fields a note should have, empty where unknown) and the sections."""
    fields = {"authors": [], "year": None, "venue": "", "tags": [], "builds_on": [], "summary": "", **fields}
    ordered = {key: fields[key] for key in FIELD_ORDER if key in fields}
    ordered.update((key, value) for key, value in fields.items() if key not in ordered)
    language = "zh" if config.language.lower().startswith("zh") else "en"
    body = "\n".join(f"## {heading}\n" for heading in SECTIONS[language])
    return "---\n" + render_fields(ordered) + "---\n\n" + body


def _identifiers(arxiv: str | None, doi: str | None) -> tuple[ArxivId | None, str | None]:
    paper = None
    if arxiv is not None:
        paper = parse_arxiv_id(arxiv)
        if paper is None:
            raise UsageError(f"--arxiv: {arxiv!r} is not an arXiv identifier such as 2005.14165 or cs/0112017")
    if doi is not None:
        found = parse_doi(doi)
        if found is None:
            raise UsageError(f"--doi: {doi!r} is not a DOI such as 10.18653/v1/2023.acl-long.754")
        of_arxiv = arxiv_id_of_doi(found)  # arXiv's own DOIs are not Crossref's: ask arXiv
        return (of_arxiv, None) if of_arxiv else (paper, found)
    return paper, None


def _fetch(root: Path, paper: ArxivId | None, doi: str | None) -> tuple[Fields, str | None]:
    """The paper's facts, or (when no answer came) what the id alone says and why that is all."""
    alone: Fields = {"year": paper.year, "month": paper.month, "arxiv": paper.id} if paper else {"doi": doi}
    try:
        if paper is not None:
            return arxiv_fields(paper, root), None
        if doi is not None:
            return crossref_fields(doi, root), None
    except FetchError as error:
        if error.unknown:
            option = f"--arxiv {paper.id}" if paper else f"--doi {doi}"
            raise UsageError(f"{option}: {error.message}; no note was created (check the identifier)") from None
        return alone, error.message
    return {}, None


def _free_path(config: Config, title: str) -> Path:
    slug = slugify(title)
    if not slug:
        raise UsageError(f"the title {title!r} gives an empty file name; use letters or digits in it")
    path = config.notes_path / f"{slug}.md"
    if path.exists():
        raise UsageError(
            f"{path.relative_to(config.root).as_posix()} already exists; llmnotes new never overwrites a note"
        )
    return path
