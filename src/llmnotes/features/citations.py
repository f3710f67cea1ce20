"""Citations of the papers: citation keys, BibTeX entries, CSL-JSON items and Highwire `citation_*` meta tags."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Note, PaperType, ParsedNote

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
NEURIPS = "Advances in Neural Information Processing Systems"

# Words a citation key skips when it looks for the title's first real word.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "toward",
        "towards",
        "via",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "without",
    ]
)
# Proper nouns that BibTeX styles must not lowercase, beyond acronyms and mixed-case words, which are found by shape.
PROPER_NOUNS = frozenset(
    [
        "Transformer",
        "Transformers",
        "English",
        "Chinese",
        "Japanese",
        "German",
        "French",
        "Wikipedia",
        "Bayesian",
        "Gaussian",
        "Markov",
        "Monte",
        "Carlo",
        "Python",
        "Google",
        "Microsoft",
        "Meta",
        "Amazon",
        "Alibaba",
        "Adam",
        "Hessian",
        "Euclidean",
        "Riemannian",
        "Fourier",
        "Boltzmann",
        "Hopfield",
        "Turing",
        "Wasserstein",
        "Lipschitz",
        "Shapley",
        "Internet",
        "Web",
    ]
)
_CONFERENCE_VENUE = re.compile(
    r"\b(NeurIPS|NIPS|ICLR|ICML|ACL|EMNLP|NAACL|EACL|COLING|AAAI|IJCAI|CVPR|ICCV|ECCV|KDD|SIGIR|WSDM|RecSys|CIKM|"
    r"COLM|WWW|TheWebConf|Conference|Proceedings|Workshop|Symposium)\b",
    re.IGNORECASE,
)
_JOURNAL_VENUE = re.compile(r"\b(Journal|Transactions|JMLR|TMLR|TPAMI|TKDE|TACL|Letters|Review)\b", re.IGNORECASE)
_REPORT_VENUE = re.compile(r"\b(report|white ?paper|blog)\b", re.IGNORECASE)
_PARTICLES = frozenset(
    ["da", "de", "del", "della", "der", "di", "du", "la", "le", "van", "von", "zu", "den", "ten", "ter", "dos", "das"]
)
_SUFFIXES = frozenset(["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"])
_LATEX = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "<": r"{\textless}",
    ">": r"{\textgreater}",
}
_LATEX_CHARS = re.compile("[" + re.escape("".join(_LATEX)) + "]")
_PAGES = re.compile(r"^\s*(\w+)\s*(?:-+|–|—)\s*(\w+)\s*$")


@dataclass(frozen=True, slots=True)
class Name:
    """An author's name split the way BibTeX does: `von Last, Jr., First`; a one-word name is a literal."""

    given: str
    family: str
    suffix: str = ""

    @property
    def literal(self) -> bool:
        return not self.given and not self.suffix


def split_name(name: str) -> Name:
    """`Carroll L. Wainwright` → given `Carroll L.`, family `Wainwright`; `Last, First` is taken as written."""
    name = " ".join(name.split())
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) >= 3:
            return Name(parts[2], parts[0], parts[1])
        return Name(parts[1], parts[0])
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Name("", words[0], suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() == words[start - 1] and words[start - 1] in _PARTICLES:
        start -= 1
    return Name(" ".join(words[:start]), " ".join(words[start:]), suffix)


def paper_type(note: Note) -> PaperType:
    """The `type` the note sets, else one its fields imply: journal, booktitle, institution, then the venue's words."""
    if note.type:
        return note.type
    if note.journal:
        return "journal"
    if note.booktitle:
        return "conference"
    if note.institution:
        return "report"
    venue = note.venue or ""
    if _CONFERENCE_VENUE.search(venue):
        return "conference"
    if _JOURNAL_VENUE.search(venue):
        return "journal"
    if _REPORT_VENUE.search(venue):
        return "report"
    return "preprint"


def container(note: Note) -> str | None:
    """The proceedings, journal or institution the paper appeared in, for its type."""
    kind = paper_type(note)
    if kind == "conference":
        return note.booktitle or note.venue
    if kind == "journal":
        return note.journal or note.venue
    if kind == "report":
        return note.institution or note.org or note.venue
    return None


def citation_year(note: Note) -> int | None:
    return note.pub_year or note.year


def citation_month(note: Note) -> int | None:
    """The month belongs to `year`; a later `pub_year` has no known month."""
    return note.month if not note.pub_year or note.pub_year == note.year else None


def page_range(pages: str | None) -> tuple[str, str | None] | None:
    """`1-67`, `1--67` or `1–67` → ("1", "67"); an article number `60` → ("60", None)."""
    if not pages:
        return None
    match = _PAGES.match(pages)
    return (match.group(1), match.group(2)) if match else (pages.strip(), None)


def pdf_url(note: Note) -> str | None:
    return note.pdf or (f"https://arxiv.org/pdf/{note.arxiv}" if note.arxiv else None)


def is_paper(note: Note) -> bool:
    """Whether the note is about a paper, and so is cited and shows its lineage; a plain note (one brought from
    Obsidian or MkDocs, say) is not."""
    return bool(note.authors or note.year or note.arxiv or note.venue or note.doi or note.builds_on)


# ----- citation keys -----


@lru_cache(maxsize=1 << 14)  # the same authors' names and title words, note after note
def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: `Łukasz Müller` → `lukaszmuller`."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def base_key(note: Note) -> str:
    """First author's family name + year + the title's first word that is not a stopword: `raffel2020exploring`."""
    family = ascii_fold(split_name(note.authors[0]).family) if note.authors else ""
    year = citation_year(note)
    words = (ascii_fold(w) for w in re.split(r"[^\w]+", note.title))
    word = next((w for w in words if w and w not in STOPWORDS), "")
    return f"{family or 'anon'}{year if year else 'nd'}{word}"


def cite_keys(notes: Iterable[Note], base: Callable[[Note], str] = base_key) -> dict[str, str]:
    """slug → key: the note's `citation_key`, else the computed one (`base`: `base_key`, or the same made earlier);
    notes that would share a key get a, b, c… in order of date, title and slug, except a note that set the key
    itself, which keeps it."""
    groups: dict[str, list[Note]] = {}
    for note in notes:
        groups.setdefault(note.citation_key or base(note), []).append(note)
    keys: dict[str, str] = {}
    for key, members in groups.items():
        if len(members) == 1:
            keys[members[0].slug] = key
            continue
        members.sort(key=lambda n: (not n.citation_key, citation_month(n) or 13, n.title.casefold(), n.slug))
        if members[0].citation_key:
            keys[members.pop(0).slug] = key
        for index, note in enumerate(members):
            keys[note.slug] = key + _letters(index)
    return keys


def parsed_cite_keys(papers: Iterable[ParsedNote]) -> dict[str, str]:
    """`cite_keys` of parsed notes, from the base keys their parse made (10,000 took a tenth of a second again)."""
    papers = list(papers)
    made = {id(p.note): p.cite_base for p in papers}
    return cite_keys((p.note for p in papers), lambda note: made[id(note)] or base_key(note))


@dataclass(frozen=True, slots=True)
class CiteKeys:
    """A site's citation keys (`keys`, slug -> key, as `cite_keys` gives them), and how they were made: per base key,
    the notes that share it and their keys, for the next build of the same process to make again only the groups
    whose notes changed."""

    keys: dict[str, str]
    groups: dict[str, tuple[tuple[Note, ...], tuple[tuple[str, str], ...]]]


def grouped_cite_keys(papers: Iterable[ParsedNote], last: CiteKeys | None = None) -> CiteKeys:
    """`cite_keys` of parsed notes, from the base keys their parse made; a group of notes that share a base key
    takes its keys from `last` when its notes are the same objects (a server's title edit at 10,000 notes sorted
    every group again, 0.02 s)."""
    members: dict[str, list[Note]] = {}
    for parsed in papers:
        note = parsed.note
        members.setdefault(note.citation_key or parsed.cite_base or base_key(note), []).append(note)
    last_groups = last.groups if last is not None else {}
    keys: dict[str, str] = {}
    groups = {}
    for base, notes in members.items():
        shared = tuple(notes)
        found = last_groups.get(base)
        if found is None or found[0] != shared:
            alone = ((shared[0].slug, base),) if len(shared) == 1 else None
            found = (shared, alone or tuple(cite_keys(shared, lambda _note: base).items()))  # noqa: B023 (called at once)
        groups[base] = found
        keys.update(found[1])
    return CiteKeys(keys, groups)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# ----- BibTeX -----


def latex_escape(text: str) -> str:
    """Escape the characters LaTeX treats specially; braces become balanced commands so any text stays valid."""
    return _LATEX_CHARS.sub(lambda m: _LATEX[m.group(0)], " ".join(text.split()))


def verbatim(text: str) -> str:
    """A URL, DOI or identifier as written (styles print these verbatim), with braces and backslashes encoded."""
    return "".join(text.split()).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def protect_title(title: str, short_title: str | None = None) -> str:
    """Escape a title and brace the words a style must not lowercase: acronyms, mixed case, proper nouns."""
    out = []
    for word in " ".join(title.split()).split(" "):
        match = re.match(r"^([(\[\"']*)(.*?)([)\]\"'.,:;!?]*)$", word)
        lead, core, trail = match.groups() if match else ("", word, "")
        escaped = latex_escape(core)
        if core and _needs_protection(core, short_title):
            escaped = "{" + escaped + "}"
        out.append(latex_escape(lead) + escaped + latex_escape(trail))
    return " ".join(out)


def _needs_protection(word: str, short_title: str | None) -> bool:
    if short_title and word == short_title and " " not in short_title:
        return True
    for part in re.split(r"[-/]", word):
        letters = [c for c in part if c.isalpha()]
        if not letters:
            continue
        if any(c.isupper() for c in letters[1:]):  # GPT, RLHF, InstructGPT, LLaMA
            return True
        if letters[0].isupper() and any(c.isdigit() for c in part):  # T5, X2
            return True
        if part in PROPER_NOUNS:
            return True
    return False


def bibtex_name(name: str) -> str:
    parts = split_name(name)
    if parts.literal:
        return "{" + latex_escape(parts.family) + "}"
    family = latex_escape(parts.family)
    if re.search(r"\band\b", parts.family, re.IGNORECASE):
        family = "{" + family + "}"
    pieces = (
        [family, latex_escape(parts.suffix), latex_escape(parts.given)]
        if parts.suffix
        else [family, latex_escape(parts.given)]
    )
    return ", ".join(pieces)


def bibtex_entry(note: Note, key: str, fields: tuple[str, str] | None = None) -> str:
    """One BibTeX entry: @inproceedings, @article, @techreport or @misc, with arXiv `eprint` fields and DOI; from
    the note's `bibtex_fields` when given (the build makes them once, with the note's parse)."""
    entry_type, rest = fields or bibtex_fields(note)
    return f"@{entry_type}{{{key}{rest}"


def bibtex_fields(note: Note) -> tuple[str, str]:
    """A paper's BibTeX entry but its key, which depends on the other papers: its type, and what follows the key."""
    kind = paper_type(note)
    entry_type = {"conference": "inproceedings", "journal": "article", "report": "techreport", "preprint": "misc"}[kind]
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str | None, raw: bool = False) -> None:
        if value:
            fields.append((name, value if raw else "{" + latex_escape(value) + "}"))

    def add_verbatim(name: str, value: str | None) -> None:
        if value:
            fields.append((name, "{" + verbatim(value) + "}"))

    if note.authors:
        add("author", "{" + " and ".join(bibtex_name(a) for a in note.authors) + "}", raw=True)
    add("title", "{" + protect_title(note.title, note.short_title) + "}", raw=True)
    place = container(note)
    if kind == "conference":
        add("booktitle", place)
    elif kind == "journal":
        add("journal", place)
    elif kind == "report":
        add("institution", place)
    add("volume", note.volume)
    add("number", note.number)
    pages = page_range(note.pages)
    if pages:
        add("pages", "{" + "--".join(latex_escape(p) for p in pages if p) + "}", raw=True)
    add("publisher", note.publisher)
    year = citation_year(note)
    if year:
        add("year", "{" + str(year) + "}", raw=True)
    month = citation_month(note)
    if month:
        add("month", MONTHS[month - 1], raw=True)
    add_verbatim("doi", note.doi)
    if note.arxiv:
        add_verbatim("eprint", note.arxiv)
        add("archivePrefix", "arXiv")
        add("primaryClass", note.arxiv_class)
    url = note.url or (note.pdf if kind == "report" else None)
    if not url and kind == "preprint" and note.arxiv:
        url = f"https://arxiv.org/abs/{note.arxiv}"
    add_verbatim("url", url)
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {value}" for name, value in fields)
    return entry_type, f",\n{body}\n}}\n"


# ----- CSL-JSON -----

CSL_TYPES = {"conference": "paper-conference", "journal": "article-journal", "report": "report", "preprint": "article"}


def csl_name(name: str) -> dict[str, str]:
    parts = split_name(name)
    if parts.literal:
        return {"literal": parts.family}
    item = {"family": parts.family, "given": parts.given}
    if parts.suffix:
        item["suffix"] = parts.suffix
    return item


def csl_item(note: Note, key: str) -> dict[str, Any]:
    """One CSL-JSON item, as citation processors (Zotero, Pandoc, citeproc-js) read it."""
    kind = paper_type(note)
    item: dict[str, Any] = {"id": key, "type": CSL_TYPES[kind], "title": note.title}
    if note.authors:
        item["author"] = [csl_name(a) for a in note.authors]
    year, month = citation_year(note), citation_month(note)
    if year:
        item["issued"] = {"date-parts": [[year, month] if month else [year]]}
    place = container(note)
    if kind in ("conference", "journal") and place:
        item["container-title"] = place
    if note.volume:
        item["volume"] = note.volume
    if note.number:
        item["issue"] = note.number
    pages = page_range(note.pages)
    if pages:
        item["page"] = "-".join(p for p in pages if p)
    if kind == "report" and place:
        item["publisher"] = place
        item["genre"] = "Technical report"
    elif note.publisher:
        item["publisher"] = note.publisher
    if kind == "preprint" and note.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{note.arxiv}"
    if note.doi:
        item["DOI"] = note.doi
    url = note.url or (f"https://arxiv.org/abs/{note.arxiv}" if note.arxiv else note.pdf)
    if url:
        item["URL"] = url
    return item


# ----- Highwire meta tags (Google Scholar, Zotero) -----


def highwire_author(name: str) -> str:
    """`Family, Given`, unless both halves hold a space, which Zotero would split into two people."""
    parts = split_name(name)
    if parts.literal:
        return parts.family
    if " " in parts.family and " " in parts.given:
        return " ".join(p for p in (parts.given, parts.family, parts.suffix) if p)
    return f"{parts.family}, {parts.given}" + (f" {parts.suffix}" if parts.suffix else "")


def highwire_tags(note: Note) -> list[tuple[str, str]]:
    """The `citation_*` meta tags, in the order Google Scholar documents them; one tag names the item type."""
    kind = paper_type(note)
    tags: list[tuple[str, str]] = [("citation_title", note.title)]
    tags += [("citation_author", highwire_author(a)) for a in note.authors]
    year, month = citation_year(note), citation_month(note)
    if year:
        tags.append(("citation_publication_date", f"{year}/{month:02d}" if month else str(year)))
    place = container(note)
    if place:
        name = {
            "conference": "citation_conference_title",
            "journal": "citation_journal_title",
            "report": "citation_technical_report_institution",
        }.get(kind)
        if name:
            tags.append((name, place))
    if note.volume:
        tags.append(("citation_volume", note.volume))
    if note.number:
        tags.append(("citation_issue", note.number))
    pages = page_range(note.pages)
    if pages:
        tags.append(("citation_firstpage", pages[0]))
        if pages[1]:
            tags.append(("citation_lastpage", pages[1]))
    if note.publisher:
        tags.append(("citation_publisher", note.publisher))
    if note.doi:
        tags.append(("citation_doi", note.doi))
    if note.arxiv:
        tags.append(("citation_arxiv_id", note.arxiv))
    pdf = pdf_url(note)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    return tags
