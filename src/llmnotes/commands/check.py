"""`llmnotes check`: every validation the build makes, without writing a site, plus lint for a tidy collection."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from ..engine.build import open_project
from ..features.citations import paper_type
from ..model import Diagnostic, ParsedNote, Site

# Words that name the same thing in Chinese tags: each maps to the spelling it is compared as.
SYNONYMS = {"调优": "微调", "精调": "微调", "大语言模型": "大模型", "语言大模型": "大模型"}
_JOINERS = re.compile(r"[\s\-_·・]+")
_PLURAL = re.compile(r"(?<=[a-z]{2})(?:es|s)$")  # LLMs, transformers; not "ss" words that are too short


def check(root: Path, strict: bool | None = None, drafts: bool = False) -> list[Diagnostic]:
    """Problems (errors, as `build` reports them) and lint findings (warnings) of the site at `root`."""
    from ..content.compile import compile_site  # the Markdown and Jinja stack, as in build

    project = open_project(root, strict=strict, drafts=drafts)  # with build's options, to share its cache
    context, diagnostics, _ = compile_site(project)
    found = list(project.inputs.problems) + diagnostics + lint(context.site)
    return sorted(found, key=Diagnostic.sort_key)


def lint(site: Site) -> list[Diagnostic]:
    """Findings no build fails on, but a careful author wants to know about."""
    return near_duplicate_tags(site) + unlinked_notes(site) + missing_fields(site) + duplicates(site)


def tag_identity(tag: str) -> str:
    """What two spellings of one tag have in common: case, width, joiners, an English plural and synonyms aside."""
    text = _JOINERS.sub("", unicodedata.normalize("NFKC", tag).casefold())
    text = _PLURAL.sub("", text) if text.isascii() else text
    for word, canonical in SYNONYMS.items():
        text = text.replace(word, canonical)
    return text


def near_duplicate_tags(site: Site) -> list[Diagnostic]:
    spellings: dict[str, dict[str, list[ParsedNote]]] = defaultdict(lambda: defaultdict(list))
    for parsed in site.notes:
        for tag in parsed.note.tags:
            spellings[tag_identity(tag)][tag].append(parsed)
    found = []
    for variants in spellings.values():
        if len(variants) < 2:
            continue
        most = max(variants, key=lambda tag: (len(variants[tag]), tag))
        names = " / ".join(sorted(variants))
        for tag, holders in sorted(variants.items()):
            if tag == most:
                continue
            for parsed in holders:
                found.append(
                    _finding(
                        parsed,
                        "tags",
                        f'tag "{tag}" looks like "{most}" ({names})',
                        f'write "{most}" so that one tag page lists them all',
                        "near-duplicate-tag",
                    )
                )
    return found


def unlinked_notes(site: Site) -> list[Diagnostic]:
    built_on = {slug for parsed in site.notes for slug in parsed.note.builds_on}
    return [
        _finding(
            parsed,
            None,
            "no note links to this one",
            "link to it from a related note with [[" + parsed.note.slug + "]], or list it in a builds_on",
            "unlinked-note",
        )
        for parsed in site.notes
        if not site.backlinks.get(parsed.note.slug)
        and parsed.note.slug not in built_on
        and parsed.note.slug not in site.section_of  # its section page lists it
    ]


def missing_fields(site: Site) -> list[Diagnostic]:
    found = []
    for parsed in site.notes:
        if not parsed.note.field_lines:  # no front matter at all: a plain page (Obsidian, MkDocs), not a paper
            continue
        if not (parsed.note.summary or "").strip():
            found.append(_finding(parsed, "summary", "no summary", "add summary: with one sentence", "no-summary"))
        if not parsed.note.arxiv and not parsed.note.doi and paper_type(parsed.note) != "report":
            found.append(
                _finding(parsed, "arxiv", "no arXiv id (nor DOI)", "add arxiv: 2005.14165, or doi:", "no-arxiv")
            )
    return found


def duplicates(site: Site) -> list[Diagnostic]:
    found = []
    fields = (
        ("arxiv", lambda p: p.note.arxiv),
        ("title", lambda p: p.note.title.casefold()),
        ("citation_key", lambda p: p.note.citation_key),  # the second note's citations would get another key
    )
    for field, value_of in fields:
        holders: dict[str, list[ParsedNote]] = defaultdict(list)
        for parsed in sorted(site.notes, key=lambda p: p.note.source):  # the first file keeps it
            if value_of(parsed):
                holders[value_of(parsed)].append(parsed)
        for group in holders.values():
            for parsed in group[1:]:
                others = ", ".join(p.note.source for p in group if p is not parsed)
                hint = "merge the notes, or correct the field"
                rule = f"duplicate-{field.replace('_', '-')}"
                found.append(_finding(parsed, field, f"same {field} as {others}", hint, rule))
    return found


def _finding(parsed: ParsedNote, field: str | None, message: str, hint: str, rule: str) -> Diagnostic:
    line = parsed.note.field_lines.get(field) if field else None
    return Diagnostic(parsed.note.source, message, line=line, severity="warning", hint=hint, rule=rule)


def as_json(diagnostics: list[Diagnostic]) -> str:
    """The findings for tools: counts and one object per problem."""
    problems = [
        {
            "file": d.path,
            "line": d.line,
            "column": d.col,
            "severity": d.severity,
            "rule": d.rule,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diagnostics
    ]
    errors = sum(d.severity == "error" for d in diagnostics)
    summary = {"errors": errors, "warnings": len(diagnostics) - errors, "problems": problems}
    return json.dumps(summary, ensure_ascii=False, indent=2)
