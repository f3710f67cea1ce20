"""The frozen data types every pipeline stage shares; this module imports nothing of the project."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Severity = Literal["error", "warning"]
PaperType = Literal["conference", "journal", "report", "preprint"]
PAPER_TYPES: tuple[PaperType, ...] = ("conference", "journal", "report", "preprint")
SECTION_FILES = ("index.md", "readme.md")  # a folder's own page, as in MkDocs, VitePress and on GitHub
Pickled = TypeVar("Pickled", bound="DataclassInstance")
# (name, key, make) -> what make made for that key; make(what it made for another key, or None): see BuildCache.derived
Derive = Callable[[str, Any, Callable[[Any], Any]], Any]


def pickled_by_constructor(cls: type[Pickled]) -> type[Pickled]:
    """Pickle a slotted dataclass as its field values, which unpickle into its slots directly (see `_filler`):
    several times faster than the field-by-field `__setstate__` slotted dataclasses get, and twice as fast as their
    constructor, which sets each field of a frozen class through `object.__setattr__`. The build cache and worker
    processes move tens of thousands of notes, links and headings this way: the parsed notes of every edit that
    relinks the site, at 10,000 notes."""
    names = [f.name for f in fields(cls)]
    getter = attrgetter(*names)
    values = getter if len(names) > 1 else lambda self: (getter(self),)  # attrgetter of one name: not a tuple
    make = _filler(cls, names)

    def reduce(self: Pickled) -> tuple[Callable[..., Pickled], tuple[Any, ...]]:
        return (make, values(self))

    patched: Any = cls  # a method put on the class after its definition, which a type checker cannot follow
    patched.__reduce__ = reduce
    return cls


def _filler(cls: type[Pickled], names: list[str]) -> Callable[..., Pickled]:
    """A function of the field values that makes an instance with them in its slots, as the constructor does but
    without its checks for a frozen class; unrolled, as dataclasses writes constructors, and put in the class's
    module under a name of its own, where unpickling finds it."""
    setters = {f"set_{index}": getattr(cls, name).__set__ for index, name in enumerate(names)}
    lines = "".join(f"    set_{index}(made, {name})\n" for index, name in enumerate(names))
    source = f"def fill({', '.join(names)}):\n    made = new(cls)\n{lines}    return made\n"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, **setters}
    exec(source, scope)  # our own field names only, as dataclasses writes constructors
    fill: Callable[..., Pickled] = scope["fill"]
    fill.__name__ = fill.__qualname__ = f"_filled_{cls.__name__}"
    fill.__module__ = cls.__module__
    setattr(sys.modules[cls.__module__], fill.__name__, fill)
    return fill


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the user's input, reported as `path:line:col: message`."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    severity: Severity = "error"
    hint: str | None = None
    rule: str | None = None  # the lint rule of `llmnotes check` that found it

    def location(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def format(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        text = f"{self.location()}: {prefix}{self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.col or 0, self.message)


class UserError(Exception):
    """A mistake in the user's input or command line; the CLI prints it without a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = Diagnostic(path="llmnotes", message=diagnostics)
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple:  # raised in a worker process, it travels back whole
        return (type(self), (self.diagnostics,))


class UsageError(UserError):
    """A command-line choice llmnotes refuses (exit code 2), e.g. an output folder that holds the notes."""


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Note:
    """A note as loaded from disk: typed front matter plus the Markdown body."""

    source: str  # path relative to the project root, POSIX separators
    slug: str
    title: str
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    short_title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    arxiv: str | None = None
    url: str | None = None
    pdf: str | None = None
    code: str | None = None
    doi: str | None = None
    org: str | None = None
    type: PaperType | None = None  # None: inferred from the other fields (see cite.paper_type)
    booktitle: str | None = None
    journal: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    institution: str | None = None
    month: int | None = None  # 1-12, the month of `year`
    pub_year: int | None = None  # the year citations use when the version of record came out later than `year`
    arxiv_class: str | None = None  # arXiv primary category, e.g. cs.CL
    citation_key: str | None = None  # the key citations use, as the author's library has it; None: computed
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    builds_on: tuple[str, ...] = ()
    summary: str | None = None
    date: dt.date | None = None
    updated: dt.date | None = None
    draft: bool = False
    kind: Literal["note", "page"] = "note"
    extra: dict[str, Any] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)
    digest: str = ""  # of the file's path and bytes: what the build cache keys the parsed note by
    relative: str = ""  # path inside notes/ (or pages/), POSIX separators, e.g. "guide/index.md"

    @property
    def is_section(self) -> bool:
        """An index.md or README.md: the page of its folder, which lists what the folder holds."""
        return self.kind == "note" and self.relative.rpartition("/")[2].lower() in SECTION_FILES

    @property
    def label(self) -> str:
        """The name shown in lists and links: the short title when there is one."""
        return self.short_title or self.title


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    id: str


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Link:
    """A link from a note's body to another note, as written, before resolution."""

    kind: Literal["wiki", "markdown", "cite"]
    target: str  # slug, title, alias or relative .md path, without the fragment; a citation's key
    fragment: str | None
    text: str | None  # explicit link text, None when the target's label should be shown
    line: int  # 1-based, in the note's file
    col: int  # 1-based
    context: str  # the sentence that holds the link, as plain text
    placeholder: int  # index of the placeholder the parsed HTML carries for this link


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class CitedItem:
    """One key of a citation as written: `[see @key, p. 3]` has prefix "see" and locator "p. 3"."""

    link: int  # the number of its `Link` (kind "cite") among the note's links
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False  # `[-@key]`: the year only


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Citation:
    """A citation in a note's text: `[@a; @b]` in parentheses, or `@a` in the running text (author, then year)."""

    in_text: bool
    items: tuple[CitedItem, ...]


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Reference:
    """A work that notes cite: a note about a paper, or an entry of the bibliography file."""

    key: str
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    container: str | None = None  # the venue, journal or proceedings
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    slug: str | None = None  # the note's, when a note has this key
    place: str = ""  # where it is written: the note's file, or the bibliography's file and line


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class ParsedNote:
    """A note after Markdown parsing: body HTML with link placeholders, headings and outgoing links.

    Its `note.body` is empty: the HTML has taken its place.
    """

    note: Note
    # The body HTML as UTF-8 (see `html`): every edit of the full way loads 10,000 parsed notes, whose bodies unpickle
    # four times faster as bytes than as text to decode (0.03 s against 0.12 s), and take less memory.
    markup: bytes
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    facts: str = ""  # digest of the front matter's values: what lists and previews of other pages show of it
    assets: tuple[tuple[str, int], ...] = ()  # files the body embeds or links to: (path inside notes/, line)
    embeds: tuple[tuple[str, int], ...] = ()  # Obsidian's ![[file]] embeds as written, found by the link stage
    citations: tuple[Citation, ...] = ()  # `[@key]` and `@key`, in order; each holds the place of its placeholder
    bibtex: tuple[str, str] | None = None  # a paper's BibTeX entry but its key (citations.bibtex_fields)
    cite_base: str = ""  # a paper's citation key before any a, b, c… (citations.base_key)
    lead: str | None = None  # its first paragraph as plain text, links as placeholders (see parse.lead_text)

    @property
    def html(self) -> str:
        """The body HTML, with link placeholders."""
        return self.markup.decode()


@pickled_by_constructor
@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """A link after resolution: the target note and heading id, or None when it is broken."""

    link: Link
    source_slug: str
    target_slug: str | None
    anchor: str | None


@dataclass(frozen=True, slots=True)
class Backlink:
    source_slug: str
    context: str


@dataclass(frozen=True, slots=True)
class Tag:
    name: str  # as written most often
    slug: str
    note_slugs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lineage:
    """The `builds_on` graph over the notes: direct and transitive neighbours, each oldest first."""

    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> the notes it builds on
    children: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> the notes that build on it
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    descendants: dict[str, tuple[str, ...]] = field(default_factory=dict)


@pickled_by_constructor  # the build cache keeps every note's (see BuildCache.derived)
@dataclass(frozen=True, slots=True)
class Related:
    """A note worth reading next to another one, with why: the relations and the shared tags."""

    slug: str
    score: float
    relations: tuple[str, ...]  # of "builds_on", "built_on_by", "links_to", "linked_from", "sibling"
    shared_tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """The whole site after linking: notes in display order, tags, links and backlinks."""

    notes: tuple[ParsedNote, ...]  # newest first, then by title
    pages: tuple[ParsedNote, ...]  # standalone pages from pages/, by slug
    by_slug: dict[str, ParsedNote]  # notes and pages
    paths: dict[str, str]  # slug of every note and page -> its output path
    labels: dict[str, str]  # slug of every note and page -> the name its links show
    links: dict[str, tuple[ResolvedLink, ...]]  # source slug -> its links in order
    backlinks: dict[str, tuple[Backlink, ...]]  # target slug -> notes linking to it
    tags: tuple[Tag, ...]
    tag_of: dict[str, Tag]  # folded tag name -> tag
    data: dict[str, Any]
    lineage: Lineage = field(default_factory=Lineage)
    related: dict[str, tuple[Related, ...]] = field(default_factory=dict)  # slug -> best first
    dates: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # slug -> (written, last changed)
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)  # section slug -> what its folder holds
    section_of: dict[str, str] = field(default_factory=dict)  # slug -> the section page of its folder
    assets: tuple[Asset, ...] = ()
    embeds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # slug -> each embed's file inside notes/
    references: dict[str, Reference] = field(default_factory=dict)  # citation key -> the work, for every key cited
    language: str = "en"  # the site's: citations and reference lists take its punctuation


@dataclass(frozen=True, slots=True)
class Asset:
    """A file in notes/ that is not a note (an image, a PDF…): copied to the same place under the site's notes/."""

    path: Path
    source: str  # relative to the project root, POSIX separators
    relative: str  # inside notes/
    digest: str


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: its path inside the output directory and its bytes."""

    path: str  # POSIX, relative to the output root, e.g. "notes/t5.html"
    content: bytes
    body_span: tuple[int, int] | None = None  # where the note's body is in `content`, for `body_edits` to replace


@dataclass(frozen=True, slots=True)
class Gone:
    """A file an output's `update` takes away (a search index file left with nothing to hold)."""

    path: str


@dataclass(frozen=True, slots=True)
class Output:
    """A page, or files made together (the search index), with what they depend on, rendered only when needed.

    `key` names every input the bytes depend on beyond the site-wide ones (templates, configuration, data,
    llmnotes itself); when it is the same as last build's, the files on disk are kept. None: render every build.

    An output made of many parts (a bibliography's entries, the search index's documents) may name the key of each
    part and offer `update`: given the files the last build wrote (a reader of them) and the last build's part keys,
    it makes the new files from the old ones, redoing only the parts whose keys changed, and names those that go
    (`Gone`); None when it cannot, and the output is rendered. The files it leaves out stay as the last build wrote
    them.

    A large output may also come in pieces, which the engine hands to the workers before the pages: `pieces()`,
    called in the main process before the workers start, readies them and says how many; `piece(n)` makes the n-th
    in a worker; `assemble` takes their results in order, as they come, and makes the files in the main process
    while the workers go on with the pages. `render` makes the same files in one call.
    """

    name: str  # unique among outputs; the path when it is one file
    key: tuple | None
    render: Callable[[], list[Page]]
    alone: bool = False  # a large job that spreads its own work over the workers: rendered after the pages
    lists_all: bool = False  # lists every note: takes in proportion to the site, worth a worker even alone
    keeps_partials: bool = False  # lists many notes: keeps their partials between builds, as `lists_all` ones do
    parts: tuple[str, ...] = ()
    update: Callable[[Callable[[str], bytes], tuple[str, ...]], Sequence[Page | Gone] | None] | None = None
    pieces: Callable[[], int] | None = None
    piece: Callable[[int], Any] | None = None
    assemble: Callable[[Iterator[Any]], list[Page]] | None = None
