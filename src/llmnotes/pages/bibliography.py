"""The bibliography: references.bib and references.json (CSL-JSON) for all papers, and notes/<slug>.bib for each."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial

from ..cite import bibliography, bibtex_entry, csl_items, is_paper
from ..model import Note, Output
from . import PageContext, one_page

BIB_PATH = "references.bib"
CSL_PATH = "references.json"


def note_bib_path(slug: str) -> str:
    return f"notes/{slug}.bib"


def emit(context: PageContext) -> Iterator[Output]:
    papers = [parsed for parsed in context.site.notes if is_paper(parsed.note)]
    notes = [parsed.note for parsed in papers]
    keys = context.cite_keys()
    everything = (context.notes_key(), tuple(keys.values()))
    yield one_page(BIB_PATH, everything, lambda: bibliography(notes, keys).encode("utf-8"))
    yield one_page(CSL_PATH, everything, lambda: _csl_json(notes, keys))
    for parsed in sorted(papers, key=lambda p: p.note.slug):
        note = parsed.note
        key = (parsed.facts, keys[note.slug])
        yield one_page(note_bib_path(note.slug), key, partial(_bibtex, note, keys[note.slug]))


def _csl_json(notes: list[Note], keys: dict[str, str]) -> bytes:
    return (json.dumps(csl_items(notes, keys), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _bibtex(note: Note, key: str) -> bytes:
    return bibtex_entry(note, key).encode("utf-8")
