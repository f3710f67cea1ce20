"""Read a reference library, a .bib (BibTeX or BibLaTeX, as Zotero and Better BibTeX export it) or CSL-JSON, into
entries holding front matter fields, with Unicode in place of LaTeX."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Diagnostic, UsageError
from .metadata import Fields, arxiv_id_of_doi, one_line, parse_arxiv_id, parse_doi, place_in_container

MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Entry types, BibTeX's and BibLaTeX's, as our `type:`; others (books, theses…) leave it to be inferred.
BIB_TYPES = {
    "article": "journal",
    "inproceedings": "conference",
    "conference": "conference",
    "techreport": "report",
    "report": "report",
    "misc": "preprint",
    "online": "preprint",
    "unpublished": "preprint",
    "preprint": "preprint",
}
CSL_TYPES = {
    "paper-conference": "conference",
    "article-journal": "journal",
    "report": "report",
    "article": "preprint",
    "manuscript": "preprint",
    "post": "preprint",
    "post-weblog": "preprint",
}
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s/]*(?:abs/|pdf/)?([a-z\-.]+/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?")
_PAGE_DASH = re.compile(r"\s*(?:-+|–|—)\s*")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    key: str  # the citation key the library gives it
    fields: Fields  # front matter fields, `citation_key` among them
    line: int | None  # where it starts in the library file

    @property
    def arxiv(self) -> str | None:
        return self.fields.get("arxiv")

    @property
    def doi(self) -> str | None:
        doi = self.fields.get("doi")
        return doi.lower() if doi else None


def read_library(path: Path, shown: str) -> tuple[list[LibraryEntry], list[Diagnostic]]:
    """Every entry of a .bib or CSL-JSON file (by its contents, whatever its extension), and what was skipped;
    raises UsageError for a file that cannot be read at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{shown}: cannot read it ({error}); export the library as UTF-8") from None
    if text.lstrip().startswith(("[", "{")):
        return _read_csl_json(text, shown)
    if "@" not in text:
        raise UsageError(f"{shown}: neither BibTeX nor CSL-JSON (export the library as .bib or CSL JSON)")
    return _read_bibtex(text, shown)


# ----- BibTeX and BibLaTeX -----


def latex_to_text(value: str) -> str:
    """`{\\"u}ber {BERT}` → `über BERT`: LaTeX accents and commands as Unicode, braces gone."""
    from pybtex.richtext import Text

    try:
        return one_line(Text.from_latex(value).render_as("text"))
    except Exception:  # pybtex's LaTeX reader refuses unbalanced braces: keep the text without them
        return one_line(value.replace("{", "").replace("}", ""))


def _read_bibtex(text: str, shown: str) -> tuple[list[LibraryEntry], list[Diagnostic]]:
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person
    from pybtex.database.input.bibtex import LowLevelParser, month_names
    from pybtex.scanner import PybtexSyntaxError

    problems: list[Diagnostic] = []

    def skip(error: PybtexSyntaxError) -> None:
        message = str(error).partition(": ")[2] or str(error)
        problems.append(Diagnostic(shown, f"{message}; the entry is skipped", error.lineno, severity="warning"))

    parser = LowLevelParser(text, macros=dict(month_names), handle_error=skip)
    entries: list[LibraryEntry] = []
    reported = 0
    for entry_type, body in parser:
        if len(problems) > reported:  # the parser gives back what it read of a broken entry: skip it
            reported = len(problems)
            continue
        if entry_type.lower() in ("string", "preamble", "comment") or not body or body[0] is None:
            continue
        key, raw_fields = body
        line = text.count("\n", 0, parser.command_start) + 1
        values: dict[str, str] = {}
        persons: dict[str, list[str]] = {}
        for name, value_list in raw_fields:
            value = " ".join("".join(value_list).split())
            if name.lower() in ("author", "editor"):
                names = [n for n in split_name_list(value) if n.strip().lower() != "others"]  # `and others`: et al.
                persons[name.lower()] = [_person(Person(n)) for n in names]
            else:
                values.setdefault(name.lower(), value)
        entries.append(LibraryEntry(key, _bib_fields(entry_type.lower(), key, values, persons), line))
    return entries, problems


def _person(person: Any) -> str:
    """`Wainwright, Carroll L.` → `Carroll L. Wainwright`; `{OpenAI}` stays one name."""
    parts = [
        *person.first_names,
        *person.middle_names,
        *person.prelast_names,
        *person.last_names,
        *person.lineage_names,
    ]
    return latex_to_text(" ".join(parts))


def _bib_fields(entry_type: str, key: str, values: dict[str, str], persons: dict[str, list[str]]) -> Fields:
    text = {name: latex_to_text(value) for name, value in values.items() if name not in ("url", "doi", "file")}
    fields: Fields = {"title": text.get("title", "")}
    if persons.get("author"):
        fields["authors"] = [name for name in persons["author"] if name]
    year, month = _bib_date(text)
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    arxiv = _bib_arxiv(values, text)
    journal = text.get("journal") or text.get("journaltitle") or ""
    kind = BIB_TYPES.get(entry_type)
    if journal and (journal.lower() == "arxiv" or ("arxiv" in journal.lower() and arxiv)):
        journal, kind = "", "preprint"  # Google Scholar's `journal={arXiv preprint arXiv:…}`
    venue = journal or text.get("booktitle") or text.get("institution") or ""
    if venue:
        fields["venue"] = venue
    if kind:
        fields["type"] = kind
    for name, value in (
        ("journal", journal),
        ("booktitle", text.get("booktitle")),
        ("institution", text.get("institution")),
    ):
        if value:
            fields[name] = value
    for ours, theirs in (("volume", "volume"), ("number", "number"), ("pages", "pages"), ("publisher", "publisher")):
        if text.get(theirs):
            fields[ours] = _PAGE_DASH.sub("-", text[theirs]) if ours == "pages" else text[theirs]
    if arxiv:
        fields["arxiv"] = arxiv
        category = text.get("primaryclass") or text.get("eprintclass")
        if category:
            fields["arxiv_class"] = category
    doi = parse_doi(values.get("doi", "").replace("\\_", "_"))
    if doi and not arxiv_id_of_doi(doi):
        fields["doi"] = doi
    url = values.get("url", "").replace("\\_", "_").replace("\\%", "%")
    if url and "arxiv.org/" not in url and "doi.org/" not in url:
        fields["url"] = url
    if text.get("abstract"):
        fields["abstract"] = text["abstract"]
    fields["citation_key"] = key
    return fields


def _bib_date(text: dict[str, str]) -> tuple[int | None, int | None]:
    """BibLaTeX's `date = {2022-03-04}` (or a range), else `year` and `month` (`mar`, `March`, `3`)."""
    found = _DATE.match(text.get("date", "")) or _DATE.match(text.get("year", ""))
    if not found:
        return None, None
    month = int(found.group(2)) if found.group(2) else _month(text.get("month", ""))
    return int(found.group(1)), month if month and 1 <= month <= 12 else None


def _month(value: str) -> int | None:
    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    return MONTH_NAMES.index(value[:3]) + 1 if value[:3] in MONTH_NAMES else None


def _bib_arxiv(values: dict[str, str], text: dict[str, str]) -> str | None:
    """The arXiv id: `eprint` with `archiveprefix`/`eprinttype` arXiv, arXiv's DOI, or an arXiv URL or journal."""
    prefix = (text.get("archiveprefix") or text.get("eprinttype") or "").lower()
    if values.get("eprint") and (prefix == "arxiv" or not prefix):
        found = parse_arxiv_id(values["eprint"])
        if found:
            return found.id
    doi = parse_doi(values.get("doi", ""))
    of_doi = arxiv_id_of_doi(doi) if doi else None
    if of_doi:
        return of_doi.id
    for candidate in (
        values.get("url", ""),
        text.get("journal", ""),
        text.get("note", ""),
        text.get("howpublished", ""),
    ):
        match = _ARXIV_IN_TEXT.search(candidate.replace("arxiv.org", "arxiv"))
        found = parse_arxiv_id(match.group(1)) if match else None
        if found:
            return found.id
    return None


# ----- CSL-JSON -----


def _read_csl_json(text: str, shown: str) -> tuple[list[LibraryEntry], list[Diagnostic]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{shown}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise UsageError(f"{shown}: CSL-JSON is a list of items, got {type(items).__name__}")
    entries: list[LibraryEntry] = []
    problems: list[Diagnostic] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("id"):
            problems.append(Diagnostic(shown, f"item {number} has no id; it is skipped", severity="warning"))
            continue
        entries.append(LibraryEntry(str(item["id"]), _csl_fields(item), None))
    return entries, problems


def _csl_fields(item: dict[str, Any]) -> Fields:
    def text(name: str) -> str:
        value = item.get(name)
        return one_line(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else ""

    fields: Fields = {"title": text("title")}
    authors = [_csl_name(person) for person in item.get("author", []) if isinstance(person, dict)]
    if authors:
        fields["authors"] = [name for name in authors if name]
    year, month = _csl_date(item.get("issued"))
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    kind = CSL_TYPES.get(text("type"))
    container = text("container-title")
    arxiv = _csl_arxiv(item)
    if container.lower().startswith("arxiv"):
        container, kind = "", "preprint"
    place_in_container(fields, container, kind)
    if kind == "report" and text("publisher"):
        fields["institution"] = text("publisher")
    for ours, theirs in (("volume", "volume"), ("number", "issue"), ("pages", "page")):
        if text(theirs):
            fields[ours] = _PAGE_DASH.sub("-", text(theirs)) if ours == "pages" else text(theirs)
    if text("publisher") and kind not in ("report", "preprint"):
        fields["publisher"] = text("publisher")
    if arxiv:
        fields["arxiv"] = arxiv
    doi = parse_doi(text("DOI"))
    if doi and not arxiv_id_of_doi(doi):
        fields["doi"] = doi
    url = text("URL")
    if url and "arxiv.org/" not in url and "doi.org/" not in url:
        fields["url"] = url
    if text("abstract"):
        fields["abstract"] = text("abstract")
    fields["citation_key"] = str(item["id"])
    return fields


def _csl_name(person: dict[str, Any]) -> str:
    if person.get("literal"):
        return one_line(str(person["literal"]))
    parts = (person.get("given"), person.get("non-dropping-particle"), person.get("family"), person.get("suffix"))
    return one_line(" ".join(str(part) for part in parts if part))


def _csl_date(issued: Any) -> tuple[int | None, int | None]:
    if not isinstance(issued, dict):
        return None, None
    parts = issued.get("date-parts")
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    values = [int(p) for p in first if isinstance(p, int) or (isinstance(p, str) and p.isdigit())]
    if not values:
        found = _DATE.match(str(issued.get("raw", "")))
        values = [int(g) for g in found.groups() if g] if found else []
    year = values[0] if values else None
    month = values[1] if len(values) > 1 and 1 <= values[1] <= 12 else None
    return year, month


def _csl_arxiv(item: dict[str, Any]) -> str | None:
    """Zotero writes an arXiv preprint's id as `number: "arXiv:2203.02155"` and its DOI as arXiv's own."""
    doi = parse_doi(str(item.get("DOI", "")))
    of_doi = arxiv_id_of_doi(doi) if doi else None
    if of_doi:
        return of_doi.id
    for name in ("number", "URL", "container-title", "note"):
        match = _ARXIV_IN_TEXT.search(str(item.get(name, "")).replace("arxiv.org", "arxiv"))
        found = parse_arxiv_id(match.group(1)) if match else None
        if found:
            return found.id
    return None
