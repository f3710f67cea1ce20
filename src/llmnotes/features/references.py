"""Resolve the notes' citation keys: to the note about the paper, else to an entry of the bibliography file."""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..content.link import LinkIndex
from ..content.suggest import Suggester, did_you_mean
from ..model import Diagnostic, ParsedNote, Reference, Severity, UsageError
from ..paths import fold
from .citations import citation_year


def bibliography_source(config: Config) -> tuple[Path, str] | None:
    """The configured bibliography file and its path as shown (relative to the project), if one is configured."""
    if not config.bibliography:
        return None
    path = (config.root / config.bibliography).resolve()
    try:
        shown = path.relative_to(config.root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return path, shown


def load_bibliography(config: Config) -> tuple[dict[str, Reference], list[Diagnostic]]:
    """The entries of the `bibliography` file (BibTeX, BibLaTeX or CSL-JSON), by key; the first of a key wins."""
    source = bibliography_source(config)
    if source is None:
        return {}, []
    path, shown = source
    if not path.is_file():
        message = f"[tool.llmnotes] bibliography: no file {shown}"
        hint = "export your library there (e.g. Zotero's Better BibTeX, kept updated), or correct the path"
        return {}, [Diagnostic("pyproject.toml", message, hint=hint, rule="bibliography")]
    from .library import read_library  # pybtex: only for a site that has a bibliography

    try:
        entries, problems = read_library(path, shown)
    except UsageError as error:  # a file that is no library at all: said with its place in the file
        return {}, [_placed(shown, d) for d in error.diagnostics]
    references: dict[str, Reference] = {}
    lines: dict[str, int | None] = {}
    for entry in entries:
        if entry.key in references:
            where = f"{shown}:{lines[entry.key]}" if lines[entry.key] else shown
            message = f"the key {entry.key} is already used by the entry at {where}; this one is ignored"
            hint = "give one of them another key"
            problems.append(Diagnostic(shown, message, entry.line, severity="warning", hint=hint, rule="bibliography"))
            continue
        fields = entry.fields
        lines[entry.key] = entry.line
        references[entry.key] = Reference(
            key=entry.key,
            title=str(fields.get("title") or ""),
            authors=tuple(fields.get("authors") or ()),
            year=fields.get("year"),
            container=fields.get("venue"),
            doi=fields.get("doi"),
            arxiv=fields.get("arxiv"),
            url=fields.get("url"),
            place=f"{shown}:{entry.line}" if entry.line else shown,
        )
    return references, [_with_rule(d) for d in problems]


def _placed(shown: str, diagnostic: Diagnostic) -> Diagnostic:
    """The reader's `references.bib:1:13: not valid JSON…` as a diagnostic of that file, line and column."""
    found = re.match(rf"{re.escape(shown)}(?::(\d+))?(?::(\d+))?: (.*)", diagnostic.message, re.DOTALL)
    if found is None:
        return Diagnostic(shown, diagnostic.message, hint=diagnostic.hint, rule="bibliography")
    line, col, message = found.groups()
    return Diagnostic(shown, message, int(line) if line else None, int(col) if col else None, rule="bibliography")


def _with_rule(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.rule:
        return diagnostic
    return Diagnostic(
        diagnostic.path,
        diagnostic.message,
        diagnostic.line,
        diagnostic.col,
        diagnostic.severity,
        diagnostic.hint,
        "bibliography",
    )


def note_reference(parsed: ParsedNote, key: str) -> Reference:
    note = parsed.note
    return Reference(
        key=key,
        title=note.title,
        authors=note.authors,
        year=citation_year(note),
        container=note.venue,
        doi=note.doi,
        arxiv=note.arxiv,
        url=note.url,
        slug=note.slug,
        place=note.source,
    )


def resolve_citations(
    documents: list[ParsedNote], index: LinkIndex, bibliography: dict[str, Reference], strict: bool
) -> tuple[dict[str, Reference], list[Diagnostic]]:
    """Every key the notes cite, as the work it names (the note's, before the bibliography's); each unknown key is
    a broken link, an error when `strict`; a key that a note and the bibliography give different papers is
    reported."""
    severity: Severity = "error" if strict else "warning"
    references: dict[str, Reference] = {}
    missing: list[tuple[ParsedNote, str, int, int]] = []
    for parsed in documents:
        for link in parsed.links:
            if link.kind != "cite" or link.target in references:
                continue
            slug = index.by_key.get(link.target)
            if slug is not None:
                references[link.target] = note_reference(index.notes[slug], link.target)
            elif link.target in bibliography:
                references[link.target] = bibliography[link.target]
            else:
                missing.append((parsed, link.target, link.line, link.col))
    problems = _collisions(index, bibliography)
    if missing:
        keys = Suggester([*index.by_key, *bibliography], cutoff=0.65)  # keys share years and "ing": only close ones
        for parsed, key, line, col in missing:
            hint = did_you_mean("@" + guess for guess in keys.suggest(key))
            if hint is None:
                hint = "add the paper to the bibliography file, or give its note citation_key: " + key
            if not bibliography and not index.by_key:
                hint = 'no note has a citation key and no bibliography is configured (bibliography = "references.bib")'
            message = f"unknown citation @{key}: no note has this citation key, nor has the bibliography"
            problems.append(Diagnostic(parsed.note.source, message, line, col, severity, hint, "unknown-citation"))
    return references, problems


def _collisions(index: LinkIndex, bibliography: dict[str, Reference]) -> list[Diagnostic]:
    """A key that names a note's paper and another paper in the bibliography: citations get the note's."""
    problems = []
    for key in sorted(index.by_key.keys() & bibliography.keys()):
        parsed = index.notes[index.by_key[key]]
        entry = bibliography[key]
        if _same_paper(note_reference(parsed, key), entry):
            continue
        message = f'citation key {key} names this note and a different paper at {entry.place}: "{entry.title}"'
        hint = "citations of the key link to this note; give the bibliography entry or the note another key"
        line = parsed.note.field_lines.get("citation_key")
        problems.append(Diagnostic(parsed.note.source, message, line, None, "warning", hint, "citation-key-collision"))
    return problems


def _same_paper(one: Reference, other: Reference) -> bool:
    if one.arxiv and other.arxiv:
        return one.arxiv == other.arxiv
    if one.doi and other.doi:
        return one.doi.lower() == other.doi.lower()
    return _title_words(one.title) == _title_words(other.title)


def _title_words(title: str) -> str:
    return "".join(character for character in fold(title) if character.isalnum())
