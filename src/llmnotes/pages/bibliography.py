"""The bibliography: references.bib and references.json (CSL-JSON) for all notes, and notes/<slug>.bib for each."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..cite import bibliography, bibtex_entry, cite_keys, csl_items
from ..model import Page
from . import PageContext

BIB_PATH = "references.bib"
CSL_PATH = "references.json"


def note_bib_path(slug: str) -> str:
    return f"notes/{slug}.bib"


def emit(context: PageContext) -> Iterator[Page]:
    notes = [parsed.note for parsed in context.site.notes]
    keys = cite_keys(notes)
    yield Page(BIB_PATH, bibliography(notes, keys).encode("utf-8"))
    items = csl_items(notes, keys)
    yield Page(CSL_PATH, (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    for note in sorted(notes, key=lambda n: n.slug):
        yield Page(note_bib_path(note.slug), bibtex_entry(note, keys[note.slug]).encode("utf-8"))
