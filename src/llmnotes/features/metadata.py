"""A paper's front matter fields from an arXiv id (the arXiv API's Atom answer) or a DOI (Crossref's JSON answer)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

# New-style identifiers (since April 2007): YYMM.NNNN or YYMM.NNNNN; old-style: archive[.SUBJECT]/YYMMNNN.
_NEW_ID = re.compile(r"(\d{2})(0[1-9]|1[0-2])\.\d{4,5}")
_OLD_ID = re.compile(r"([a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/(\d{2})(0[1-9]|1[0-2])\d{3}")
_VERSION = re.compile(r"v\d+$")
_ID_IN_TEXT = re.compile(
    r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)?(?P<id>.+?)(?:\.pdf)?/?$", re.IGNORECASE
)
# DOIs that arXiv itself registers (with DataCite, so Crossref does not know them): 10.48550/arXiv.2203.02155.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_IN_TEXT = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?\s*(?P<doi>.+?)\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
# Crossref's work types, as our `type:` values; other types (books, datasets…) leave `type:` to be inferred.
CROSSREF_TYPES = {
    "journal-article": "journal",
    "proceedings-article": "conference",
    "report": "report",
    "report-component": "report",
    "posted-content": "preprint",
}

Fields = dict[str, Any]  # front matter keys -> values, in the order a note shows them


class MalformedAnswer(Exception):
    """The service answered something that is not the answer it documents."""


class UnknownPaper(Exception):
    """The service answered that it has no such paper."""


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv identifier without its version: the paper, not one revision of it."""

    id: str
    year: int  # of the first version, from the identifier itself
    month: int


def parse_arxiv_id(text: str) -> ArxivId | None:
    """`2203.02155`, `2203.02155v3`, `arXiv:2203.02155`, `cs/0112017`, `math.GT/0309136v2` or an arxiv.org
    abstract or PDF URL → the id; None when it is none of these."""
    match = _ID_IN_TEXT.match(text.strip())
    candidate = _VERSION.sub("", match.group("id")) if match else ""
    new = _NEW_ID.fullmatch(candidate)
    if new:
        return ArxivId(candidate, 2000 + int(new.group(1)), int(new.group(2)))
    old = _OLD_ID.fullmatch(candidate)
    if old:
        archive, year = old.group(1).lower(), int(old.group(2))
        return ArxivId(
            f"{archive}/{candidate.rpartition('/')[2]}", year + (1900 if year >= 91 else 2000), int(old.group(3))
        )
    return None


def parse_doi(text: str) -> str | None:
    """`10.1007/s11280-024-01291-2`, `doi:10.…` or `https://doi.org/10.…` → the DOI; None when it is not one."""
    match = _DOI_IN_TEXT.match(text)
    doi = match.group("doi") if match else ""
    return doi if _DOI.match(doi) else None


def arxiv_id_of_doi(doi: str) -> ArxivId | None:
    """The arXiv id a DOI of arXiv's own (10.48550/arXiv.…) names."""
    match = _ARXIV_DOI.match(doi)
    return parse_arxiv_id(match.group(1)) if match else None


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def from_arxiv_atom(data: bytes, wanted: ArxivId) -> Fields:
    """The fields of the paper in the arXiv API's answer to `id_list=<wanted>`.

    Raises UnknownPaper when the answer has no such paper and MalformedAnswer when it is not the API's Atom feed.
    """
    try:
        feed = ET.fromstring(data)
    except ET.ParseError as error:
        raise MalformedAnswer(f"not XML: {error}") from None
    if feed.tag != f"{ATOM}feed":
        raise MalformedAnswer(f"expected an Atom feed, got <{feed.tag.rpartition('}')[2]}>")
    for entry in feed.iter(f"{ATOM}entry"):
        entry_id = one_line(entry.findtext(f"{ATOM}id"))
        if "/api/errors" in entry_id:  # how the API says that it refused the query
            raise UnknownPaper(one_line(entry.findtext(f"{ATOM}summary")) or "arXiv refused the identifier")
        found = parse_arxiv_id(entry_id)
        if found is not None and found.id == wanted.id and one_line(entry.findtext(f"{ATOM}title")):
            return _arxiv_fields(entry, wanted)
    raise UnknownPaper(f"arXiv has no paper {wanted.id}")


def _arxiv_fields(entry: ET.Element, wanted: ArxivId) -> Fields:
    published = one_line(entry.findtext(f"{ATOM}published"))
    try:
        first_version = dt.datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedAnswer(f"the date of the first version is {published!r}") from None
    authors = [one_line(author.findtext(f"{ATOM}name")) for author in entry.findall(f"{ATOM}author")]
    fields: Fields = {
        "title": one_line(entry.findtext(f"{ATOM}title")),
        "authors": [name for name in authors if name],
        "year": first_version.year,
        "month": first_version.month,
    }
    journal_ref = one_line(entry.findtext(f"{ARXIV}journal_ref"))
    if journal_ref:
        fields["venue"] = journal_ref
    fields["arxiv"] = wanted.id
    category = entry.find(f"{ARXIV}primary_category")
    if category is not None and category.get("term"):
        fields["arxiv_class"] = category.get("term")
    doi = one_line(entry.findtext(f"{ARXIV}doi"))
    if doi:
        fields["doi"] = doi
    for link in entry.findall(f"{ATOM}link"):
        if link.get("title") == "pdf" and link.get("href"):
            fields["pdf"] = _VERSION.sub("", link.get("href", "").replace("http://", "https://", 1))
    abstract = one_line(entry.findtext(f"{ATOM}summary"))
    if abstract:
        fields["abstract"] = abstract
    return fields


def from_crossref_json(data: bytes, doi: str) -> Fields:
    """The fields of the work in Crossref's answer to `/works/<doi>`; raises MalformedAnswer for anything else."""
    try:
        answer = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedAnswer(f"not JSON: {error}") from None
    work = answer.get("message") if isinstance(answer, dict) else None
    if not isinstance(work, dict) or answer.get("status") != "ok":
        raise MalformedAnswer("no work in it")
    title = _first_text(work.get("title"))
    if not title:
        raise MalformedAnswer("the work has no title")
    subtitle = _first_text(work.get("subtitle"))
    if subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    fields: Fields = {"title": title, "authors": [name for name in map(_crossref_name, _list(work, "author")) if name]}
    year, month = _crossref_date(work)
    if year:
        fields["year"] = year
    if month:
        fields["month"] = month
    kind = CROSSREF_TYPES.get(str(work.get("type")))
    container = _first_text(work.get("container-title"))
    place_in_container(fields, container, kind)
    for ours, theirs in (("volume", "volume"), ("number", "issue"), ("pages", "page"), ("publisher", "publisher")):
        value = _text(work.get(theirs)) or (_text(work.get("article-number")) if ours == "pages" else "")
        if value:
            fields[ours] = value
    fields["doi"] = _text(work.get("DOI")) or doi
    abstract = _text(work.get("abstract"))
    if abstract:
        fields["abstract"] = abstract
    return fields


def _text(value: Any) -> str:
    """A Crossref string without its JATS or HTML markup (`<i>`, `<jats:p>`) and entities."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return one_line(html.unescape(_TAG.sub(" ", value))) if isinstance(value, str) else ""


def _first_text(value: Any) -> str:
    if isinstance(value, list):
        return next((text for text in map(_text, value) if text), "")
    return _text(value)


def _list(work: dict[str, Any], key: str) -> list[Any]:
    value = work.get(key)
    return value if isinstance(value, list) else []


def _crossref_name(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    if person.get("name"):  # an organisation
        return _text(person["name"])
    return one_line(f"{_text(person.get('given'))} {_text(person.get('family'))}")


def _crossref_date(work: dict[str, Any]) -> tuple[int | None, int | None]:
    """The year and month the work was issued (its earliest publication, print or online)."""
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = work.get(key, {}).get("date-parts") if isinstance(work.get(key), dict) else None
        first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
        if first and isinstance(first[0], int):
            month = first[1] if len(first) > 1 and isinstance(first[1], int) and 1 <= first[1] <= 12 else None
            return first[0], month
    return None, None


def place_in_container(fields: Fields, container: str, kind: str | None) -> None:
    """The venue, type, and journal or booktitle that a CSL or Crossref container title and type give."""
    if container:
        fields["venue"] = container
    if kind:
        fields["type"] = kind
    if container and kind in ("journal", "conference"):
        fields["journal" if kind == "journal" else "booktitle"] = container
