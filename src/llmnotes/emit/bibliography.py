"""The bibliography: references.bib and references.json (CSL-JSON) for all papers, and notes/<slug>.bib for each."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial

from ..features.citations import bibtex_entry, csl_item, is_paper
from ..model import Output, Page, ParsedNote
from . import PageContext, one_page

BIB_PATH = "references.bib"
CSL_PATH = "references.json"


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
    for parsed in sorted(papers, key=lambda p: p.note.slug):
        note = parsed.note
        key = (parsed.facts, keys[note.slug])
        yield one_page(note_bib_path(note.slug), key, partial(_bibtex, parsed, keys[note.slug]))


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


def _bibtex(parsed: ParsedNote, key: str) -> bytes:
    return bibtex_entry(parsed.note, key, parsed.bibtex).encode("utf-8")
