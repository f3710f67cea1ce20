"""The bibliography: references.bib and references.json (CSL-JSON) for all papers, and notes/<slug>.bib for each."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial

from ..features.citations import bibtex_entry, csl_item, is_paper
from ..model import Gone, Output, Page, ParsedNote
from .context import PageContext

BIB_PATH = "references.bib"
CSL_PATH = "references.json"
NOTE_BIBS = "notes/*.bib"  # the output of every paper's own BibTeX file


def note_bib_path(slug: str) -> str:
    return f"notes/{slug}.bib"


def emit(context: PageContext) -> Iterator[Output]:
    papers = [parsed for parsed in context.site.notes if is_paper(parsed.note)]
    keys = context.cite_keys()
    ordered = sorted(papers, key=lambda p: keys[p.note.slug])  # as both files list them
    # an entry is made of its note's front matter and its key
    parts = tuple(f"{keys[p.note.slug]} {p.facts}" for p in ordered)
    entries = [(p, keys[p.note.slug]) for p in ordered]
    files = ((BIB_PATH, _bibtex_entry, _bib_entries, _bib_file), (CSL_PATH, _csl_entry, _csl_entries, _csl_file))
    for path, make, split, join in files:
        yield Output(
            path,
            parts,
            partial(_whole, path, make, entries, join),
            parts=parts,
            update=partial(_updated, path, make, entries, parts, split, join),
        )
    # One output for the notes' own .bib files: ten thousand outputs of their own cost every build as many keys.
    by_slug = {p.note.slug: p for p in papers}
    note_parts = tuple(f"{slug}\0{by_slug[slug].facts}\0{keys[slug]}" for slug in sorted(by_slug))
    yield Output(
        NOTE_BIBS,
        note_parts,
        lambda: [_note_bib(by_slug[slug], keys[slug]) for slug in sorted(by_slug)],
        parts=note_parts,
        update=partial(_updated_note_bibs, by_slug, keys, note_parts),
    )


Entry = tuple[ParsedNote, str]  # a paper's note and its citation key


def _whole(
    path: str, make: Callable[[ParsedNote, str], str], entries: list[Entry], join: Callable[[list[str]], str]
) -> list[Page]:
    return [Page(path, join([make(*entry) for entry in entries]).encode("utf-8"))]


def _updated(
    path: str,
    make: Callable[[ParsedNote, str], str],
    entries: list[Entry],
    parts: tuple[str, ...],
    split: Callable[[str], list[str] | None],
    join: Callable[[list[str]], str],
    read: Callable[[str], bytes],
    old_parts: tuple[str, ...],
) -> list[Page] | None:
    """The file from the last build's, with only the entries whose note or key changed made again."""
    old = split(read(path).decode("utf-8"))
    if old is None or len(old) != len(old_parts):
        return None
    kept = dict(zip(old_parts, old, strict=True))
    texts = [kept[part] if part in kept else make(*entry) for part, entry in zip(parts, entries, strict=True)]
    return [Page(path, join(texts).encode("utf-8"))]


def _bibtex_entry(parsed: ParsedNote, key: str) -> str:
    return bibtex_entry(parsed.note, key, parsed.bibtex)


def _bib_file(entries: list[str]) -> str:
    return "\n".join(entries)  # each ends with a newline: a blank line between them


def _bib_entries(text: str) -> list[str] | None:
    if not text:
        return []
    pieces = text.split("\n\n@")
    last = len(pieces) - 1
    return [("@" if number else "") + piece + ("\n" if number < last else "") for number, piece in enumerate(pieces)]


_ITEM_BREAK = "\n  },\n  {\n"  # between two items of the top-level list: nested ones are indented further


def _csl_entry(parsed: ParsedNote, key: str) -> str:
    """A CSL-JSON item as the file shows it, indented one level."""
    item = json.dumps(csl_item(parsed.note, key), ensure_ascii=False, indent=2)
    return "\n".join("  " + line for line in item.split("\n"))


def _csl_file(entries: list[str]) -> str:
    return ("[\n" + ",\n".join(entries) + "\n]" if entries else "[]") + "\n"


def _csl_entries(text: str) -> list[str] | None:
    if not text.startswith("[\n  {\n") or not text.endswith("\n  }\n]\n"):
        return [] if text == "[]\n" else None
    pieces = text[len("[\n  {\n") : -len("\n  }\n]\n")].split(_ITEM_BREAK)
    return ["  {\n" + piece + "\n  }" for piece in pieces]


def _note_bib(parsed: ParsedNote, key: str) -> Page:
    return Page(note_bib_path(parsed.note.slug), bibtex_entry(parsed.note, key, parsed.bibtex).encode("utf-8"))


def _updated_note_bibs(
    by_slug: dict[str, ParsedNote],
    keys: dict[str, str],
    parts: tuple[str, ...],
    read: Callable[[str], bytes],
    old_parts: tuple[str, ...],
) -> list[Page | Gone]:
    """The .bib files of the papers whose front matter or key changed, and the files of notes no longer papers gone
    (a part starts with its note's slug and a NUL)."""
    unchanged = set(old_parts)
    changed = [slug for slug, part in zip(sorted(by_slug), parts, strict=True) if part not in unchanged]
    gone = sorted({part.partition("\0")[0] for part in old_parts} - by_slug.keys())
    return [*(_note_bib(by_slug[slug], keys[slug]) for slug in changed), *(Gone(note_bib_path(slug)) for slug in gone)]
