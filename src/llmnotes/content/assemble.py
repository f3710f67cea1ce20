"""Assemble the `Site`: order the notes, merge tags, check `builds_on`, trace lineage and related notes, load data."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ..features.lineage import build_lineage
from ..features.related import related_facets, updated_related
from ..model import (
    Asset,
    Backlink,
    Derive,
    Diagnostic,
    Lineage,
    Note,
    ParsedNote,
    Reference,
    Related,
    ResolvedLink,
    Site,
    Tag,
)
from ..paths import fold, note_path, page_path, unique_slugs
from .load import YAML_LOADER

# Output files the built-in emitters write at the site root, which a page in pages/ must not take.
RESERVED_PAGES = {"timeline": "timeline.html", "lineage": "lineage.html"}
HOME_SLUG = "index"  # pages/index.md: the home page's introduction
HOME_PATH = "index.html"
HOME_MARK = " home"  # in `extra` of the notes folder's own index.md when it is the home page (no front matter key)


def note_order(parsed: ParsedNote, titles: bool = True) -> tuple:
    """Newest first: by year, then date, then title (unless not `titles`); notes without a year come last."""
    note = parsed.note
    return (
        -(note.year or 0),
        -(note.date.toordinal() if note.date else 0),
        fold(note.title) if titles else "",
        note.slug,
    )


def _afresh(_name: str, _key: object, make: Callable[[Any], Any]) -> Any:
    return make(None)


def _related(
    slugs: list[str],
    tags: tuple[Tag, ...],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
    derived: Derive,
) -> dict[str, tuple[Related, ...]]:
    """Every note's related notes; the last build's while every note's facets are (what the ranking reads of it:
    see related_facets), which most edits leave alone, and else worked out again only for the notes a change
    reaches (see `updated_related`)."""
    facets = related_facets(slugs, tags, links, lineage)

    def make(previous: Any) -> tuple:
        valid = isinstance(previous, tuple) and len(previous) == 2
        return updated_related(previous if valid else None, slugs, tags, links, lineage, facets)

    found: dict[str, tuple[Related, ...]] = derived("related", facets, make)[1]
    return found


def assemble_site(
    documents: list[ParsedNote],
    links: dict[str, tuple[ResolvedLink, ...]],
    backlinks: dict[str, tuple[Backlink, ...]],
    data: dict[str, Any],
    file_dates: dict[str, tuple[dt.date, dt.date]] | None = None,
    assets: tuple[Asset, ...] = (),
    embeds: dict[str, tuple[str, ...]] | None = None,
    section_titles: dict[str, str] | None = None,
    references: dict[str, Reference] | None = None,
    language: str = "en",
    derived: Derive = _afresh,
) -> tuple[Site, list[Diagnostic]]:
    """`documents` holds notes and standalone pages, one per slug; `file_dates` are by source path (from git);
    `section_titles` name folders' section pages in lists and links (MkDocs' nav titles), by folder; `references`
    the works the notes cite, by key, and `language` the site's, whose punctuation citations take. `derived`
    (name, key, make) may give what `make` made in an earlier build for the same key (see BuildCache.derived)."""
    if section_titles:
        documents = [name_section(p, section_titles) for p in documents]
    ordered = tuple(sorted((p for p in documents if p.note.kind == "note"), key=note_order))
    pages = tuple(sorted((p for p in documents if p.note.kind == "page"), key=lambda p: p.note.slug))
    sections, section_of = build_sections(ordered)
    ordered, pages = take_home_page(ordered, pages)
    by_slug = {p.note.slug: p for p in ordered + pages}
    tags = build_tags(ordered)
    problems = check_builds_on(ordered, by_slug) + check_reading_order(pages, by_slug) + check_reserved(pages)
    lineage, cycles = build_lineage([p.note for p in ordered])
    problems += cycles
    # Related notes of equal score come newest first; not in the display order, which a title edit changes: then
    # they are the last build's (see _related).
    newest_first = [p.note.slug for p in sorted(ordered, key=lambda p: note_order(p, titles=False))]
    site = Site(
        notes=ordered,
        pages=pages,
        paths={p.note.slug: output_path(p.note) for p in ordered + pages},
        by_slug=by_slug,
        labels={slug: p.note.label for slug, p in by_slug.items()},
        links=links,
        backlinks=backlinks,
        tags=tags,
        tag_of={fold(t.name): t for t in tags},
        data=data,
        lineage=lineage,
        related=_related(newest_first, tags, links, lineage, derived) if not cycles else {},
        dates=note_dates(ordered + pages, file_dates or {}),
        assets=assets,
        embeds=embeds or {},
        sections=sections,
        section_of=section_of,
        references=references or {},
        language=language,
    )
    return site, problems


def name_section(parsed: ParsedNote, titles: dict[str, str]) -> ParsedNote:
    """A section page under the name its folder has in `titles`, unless its front matter sets a short_title."""
    note = parsed.note
    title = titles.get(posixpath.dirname(note.relative)) if note.is_section and not note.short_title else None
    return replace(parsed, note=replace(note, short_title=title)) if title and title != note.title else parsed


def take_home_page(
    notes: tuple[ParsedNote, ...], pages: tuple[ParsedNote, ...]
) -> tuple[tuple[ParsedNote, ...], tuple[ParsedNote, ...]]:
    """The notes folder's own index.md or README.md is the site's home page, as in MkDocs, VitePress and docsify,
    unless pages/index.md already is: it leaves the notes for the pages, marked as the home page."""
    if any(p.note.slug == HOME_SLUG for p in pages):
        return notes, pages
    candidates = [p for p in notes if p.note.is_section and "/" not in p.note.relative]
    if not candidates:
        return notes, pages
    root = min(candidates, key=lambda p: p.note.relative)  # README.md before index.md, as `build_sections` has it
    home = replace(root, note=replace(root.note, kind="page", tags=(), extra={**root.note.extra, HOME_MARK: True}))
    return tuple(p for p in notes if p is not root), tuple(sorted((*pages, home), key=lambda p: p.note.slug))


def is_home(note: Note) -> bool:
    return note.kind == "page" and (note.slug == HOME_SLUG or bool(note.extra.get(HOME_MARK)))


def build_sections(notes: tuple[ParsedNote, ...]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each folder's index.md or README.md lists its subfolders' sections, then its notes, by file name (notes
    of a folder without one count in the nearest folder above that has one); each of them points up to it."""
    by_folder: dict[str, str] = {}
    for parsed in sorted((p for p in notes if p.note.is_section), key=lambda p: p.note.relative.split("/")):
        by_folder.setdefault(posixpath.dirname(parsed.note.relative), parsed.note.slug)
    if not by_folder:
        return {}, {}
    section_of: dict[str, str] = {}
    members: dict[str, list[tuple[bool, list[str], str]]] = {slug: [] for slug in by_folder.values()}
    for parsed in notes:
        note = parsed.note
        folder = posixpath.dirname(note.relative)
        if note.is_section and by_folder.get(folder) == note.slug:
            if not folder:
                continue
            folder = posixpath.dirname(folder)  # a section belongs to the folder above its own
        parent = by_folder.get(folder)
        while parent is None and folder:  # a folder without its own page belongs to the nearest one above
            folder = posixpath.dirname(folder)
            parent = by_folder.get(folder)
        if parent is not None and parent != note.slug:
            section_of[note.slug] = parent
            members[parent].append((not note.is_section, note.relative.split("/"), note.slug))
    sections = {slug: tuple(slug for *_, slug in sorted(found)) for slug, found in members.items()}
    return sections, section_of


def note_dates(
    documents: tuple[ParsedNote, ...], file_dates: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, tuple[dt.date, dt.date]]:
    """(written, last changed) per slug: `date:` and `updated:` in the front matter win over the file's history."""
    dates = {}
    for parsed in documents:
        note = parsed.note
        known = file_dates.get(note.source)
        created = note.date or (known[0] if known else None)
        updated = note.updated or (known[1] if known else None) or created
        if created and updated:
            dates[note.slug] = (created, max(created, updated))
    return dates


def build_tags(notes: tuple[ParsedNote, ...]) -> tuple[Tag, ...]:
    """One tag per folded name, shown as written most often; each with a URL slug no other tag shares."""
    written: dict[str, list[str]] = {}  # each spelling -> the slug of the note, per time it is written
    for parsed in notes:
        slug = parsed.note.slug
        for tag in parsed.note.tags:
            found = written.get(tag)
            if found is None:
                written[tag] = [slug]
            else:
                found.append(slug)
    spellings: dict[str, list[str]] = {}  # folded name -> its spellings, by first use
    for tag in written:
        spellings.setdefault(fold(tag), []).append(tag)
    position: dict[str, int] = {}
    members: dict[str, list[str]] = {}
    for key, forms in spellings.items():
        if len(forms) == 1:  # a note that writes a tag twice is listed once
            members[key] = list(dict.fromkeys(written[forms[0]]))
            continue
        position = position or {parsed.note.slug: n for n, parsed in enumerate(notes)}
        members[key] = sorted({slug for form in forms for slug in written[form]}, key=position.__getitem__)
    names = {key: min(forms, key=lambda s: (-len(written[s]), s)) for key, forms in spellings.items()}
    slugs = unique_slugs(list(names))
    tags = [Tag(names[key], slugs[key], tuple(members[key])) for key in names]
    return tuple(sorted(tags, key=lambda t: (-len(t.note_slugs), fold(t.name))))


def check_builds_on(notes: tuple[ParsedNote, ...], by_slug: dict[str, ParsedNote]) -> list[Diagnostic]:
    problems = []
    for parsed in notes:
        note = parsed.note
        for reference in note.builds_on:
            if reference not in by_slug or by_slug[reference].note.kind != "note":
                problems.append(
                    Diagnostic(
                        note.source,
                        f'builds_on: no note has the slug "{reference}"',
                        line=note.field_lines.get("builds_on"),
                        hint="use the slug (file name without .md) of a note in notes/",
                    )
                )
            elif reference == note.slug:
                problems.append(
                    Diagnostic(
                        note.source,
                        "builds_on: a note cannot build on itself",
                        note.field_lines.get("builds_on"),
                    )
                )
    return problems


def check_reserved(pages: tuple[ParsedNote, ...]) -> list[Diagnostic]:
    """A page must not take the path of a built-in page such as the timeline."""
    return [
        Diagnostic(
            p.note.source,
            f"this page would overwrite the built-in {RESERVED_PAGES[p.note.slug]}",
            line=p.note.field_lines.get("slug"),
            hint="rename the file or set a different slug:",
        )
        for p in pages
        if p.note.slug in RESERVED_PAGES
    ]


def check_reading_order(pages: tuple[ParsedNote, ...], by_slug: dict[str, ParsedNote]) -> list[Diagnostic]:
    """The home page's optional `reading_order: [slug, ...]` must name notes."""
    problems = []
    for parsed in pages:
        order = parsed.note.extra.get("reading_order")
        if order is None:
            continue
        line = parsed.note.field_lines.get("reading_order")
        if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
            problems.append(Diagnostic(parsed.note.source, "reading_order: expected a list of note slugs", line))
            continue
        for slug in order:
            if slug not in by_slug or by_slug[slug].note.kind != "note":
                problems.append(Diagnostic(parsed.note.source, f'reading_order: no note has the slug "{slug}"', line))
    return problems


def output_path(note: Note) -> str:
    if is_home(note):
        return HOME_PATH
    return note_path(note.slug) if note.kind == "note" else page_path(note.slug)


def load_data(root: Path, data_dir: Path) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Every YAML file under the data folder, by file name without extension (`data/a/b.yaml` is `a/b`)."""
    data: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    if not data_dir.is_dir():
        return data, problems
    files = sorted(p for p in data_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        source = path.relative_to(root).as_posix()
        try:
            data[path.relative_to(data_dir).with_suffix("").as_posix()] = yaml.load(
                path.read_text(encoding="utf-8"), Loader=YAML_LOADER
            )
        except UnicodeDecodeError:
            problems.append(Diagnostic(source, "not UTF-8 text", hint="save the file as UTF-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problem = getattr(error, "problem", None) or str(error)
            problems.append(
                Diagnostic(
                    source,
                    f"not valid YAML: {problem}",
                    line=mark.line + 1 if mark else None,
                    col=mark.column + 1 if mark else None,
                )
            )
    return data, problems
