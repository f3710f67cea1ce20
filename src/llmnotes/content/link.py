"""Resolve every note's links against the site's slugs, titles, aliases and headings; collect backlinks."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from html import escape

from ..features.citations import is_paper, parsed_cite_keys
from ..model import Asset, Backlink, Diagnostic, Link, ParsedNote, ResolvedLink, Severity
from ..paths import fold, href, slugify, tag_path
from .parse import CLOSE, EMBED, END, HASHTAG, LABEL, OPEN
from .suggest import Suggester, did_you_mean

_MARKER = re.compile(f"([{OPEN}{LABEL}])(\\d+){END}|{CLOSE}")
_PLACE_MARKER = re.compile(f"([{EMBED}{HASHTAG}])(\\d+){END}")


@dataclass(frozen=True, slots=True)
class LinkIndex:
    """Every name a note can be linked by, folded, mapped to its slug."""

    by_name: dict[str, str]
    by_source: dict[str, str]
    notes: dict[str, ParsedNote]
    shared_names: dict[str, tuple[str, ...]]  # folded file name -> the notes in different folders it names
    names: Suggester = field(compare=False)  # "did you mean" among by_name
    by_key: dict[str, str] = field(default_factory=dict)  # citation key -> the slug of the note about that paper

    @classmethod
    def build(cls, notes: list[ParsedNote], last_names: Suggester | None = None) -> tuple[LinkIndex, list[Diagnostic]]:
        """Slugs win over titles and short titles, which win over aliases; clashes are reported. `last_names`: an
        earlier build's `names` (see Suggester.carried)."""
        problems: list[Diagnostic] = []
        by_slug: dict[str, ParsedNote] = {}
        for parsed in notes:
            first = by_slug.setdefault(parsed.note.slug, parsed)
            if first is not parsed:
                problems.append(
                    Diagnostic(
                        parsed.note.source,
                        f'two notes have the slug "{parsed.note.slug}": this one and {first.note.source}',
                        line=parsed.note.field_lines.get("slug"),
                        hint="rename one file, or set a different slug: in its front matter",
                    )
                )
        by_name = {fold(slug): slug for slug in by_slug}
        file_names: dict[str, list[str]] = {}
        for parsed in notes:
            note = parsed.note
            for name in (note.title, note.short_title):
                if name:
                    by_name.setdefault(fold(name), note.slug)
            if "/" in note.relative:  # [[guide/setup]] names notes/guide/setup.md, as in Obsidian
                by_name.setdefault(fold(note.relative.removesuffix(".md")), note.slug)
            file_names.setdefault(fold(note.relative.rpartition("/")[2].removesuffix(".md")), []).append(note.source)
        shared = {name: tuple(sources) for name, sources in file_names.items() if len(sources) > 1}
        for parsed in notes:
            note = parsed.note
            for alias in note.aliases:
                owner = by_name.setdefault(fold(alias), note.slug)
                if owner != note.slug:
                    problems.append(
                        Diagnostic(
                            note.source,
                            f'aliases: "{alias}" already names {by_slug[owner].note.source}',
                            line=note.field_lines.get("aliases"),
                            hint="an alias must name one note only; remove it from one of them",
                        )
                    )
        by_source = {p.note.source: p.note.slug for p in notes}
        by_key: dict[str, str] = {}
        if any(parsed.citations for parsed in notes):  # a site that cites nothing needs no keys here
            papers = parsed_cite_keys(p for p in by_slug.values() if p.note.kind == "note" and is_paper(p.note))
            by_key = {key: slug for slug, key in papers.items()}
        return cls(by_name, by_source, by_slug, shared, Suggester(by_name, 0.5, last=last_names), by_key), problems

    def find(self, link: Link, source: ParsedNote, reads: set[str] | None = None) -> str | None:
        """The slug of the note `link` leads to, or None; adds to `reads` what it looked up (see `NoteLinks`)."""
        if link.kind == "cite":  # a key no note has may be the bibliography's: see `references`
            if reads is not None:
                reads.add("k" + link.target)
            return self.by_key.get(link.target)
        if not link.target:
            return source.note.slug
        if link.kind == "markdown":
            note = source.note
            if link.target.startswith("/"):  # from the top of notes/ (or pages/), as VitePress and MkDocs read it
                folder = note.source.removesuffix(note.relative).rstrip("/")
            else:
                folder = posixpath.dirname(note.source)
            path = posixpath.normpath(posixpath.join(folder, link.target.lstrip("/")))
            if link.target.lower().endswith(".md"):
                candidates: tuple[str, ...] = (path,)
            else:
                candidates = (f"{path}.md", f"{path}/index.md", f"{path}/README.md", f"{path}/readme.md")
            if reads is not None:
                reads.update("p" + candidate for candidate in candidates)
            return next((self.by_source[c] for c in candidates if c in self.by_source), None)
        folded = fold(link.target)
        if reads is not None:
            reads.add("n" + folded)
        found = self.by_name.get(folded)
        if found is None:  # only then does the slug of what was written matter
            slug = slugify(link.target)
            if reads is not None:
                reads.add("n" + slug)
            found = self.by_name.get(slug)
        return found

    def suggest(self, text: str, cutoff: float = 0.0) -> tuple[str, ...]:
        """The slugs of the notes whose names are closest to `text`, closest first."""
        return tuple(dict.fromkeys(self.by_name[name] for name in self.names.suggest(fold(text), cutoff)))


def _suggestion_query(link: Link) -> str:
    """What a broken link is compared with the notes' names by: its target, or a path's file name."""
    if link.kind == "wiki":
        return link.target
    return posixpath.basename(link.target.rstrip("/")).removesuffix(".md")


def resolve_links(
    notes: list[ParsedNote],
    index: LinkIndex,
    strict: bool,
    last: dict | None = None,
    kept: dict | None = None,
) -> tuple[dict[str, tuple[ResolvedLink, ...]], dict[str, tuple[Backlink, ...]], list[Diagnostic]]:
    """Resolve all links; broken ones are errors when `strict`, else warnings rendered as unresolved text.

    `last` is what an earlier build left in its `kept` (see BuildCache.carried): a note whose bytes and slug are the
    same, and none of whose lookups (names, paths, citation keys, headings) lands elsewhere now, takes its links'
    targets and problems from there instead of being resolved again, and its resolved links themselves when they
    are of the same parsed links; the backlinks are then updated around the notes resolved again. `kept` is filled
    for the next build."""
    severity: Severity = "error" if strict else "warning"
    resolutions, told = _unchanged_resolutions(notes, index, strict, last or {})
    last = last or {}
    made_before = last.get(_RESOLVED, {})
    entries: dict[str, NoteLinks] = {}
    made: dict[str, tuple[tuple[Link, ...], tuple[ResolvedLink, ...]]] = {}
    resolved: dict[str, tuple[ResolvedLink, ...]] = {}
    heading_suggesters: dict[str, Suggester] = {}  # per target note, made on its first broken anchor
    for parsed in notes:
        source, slug = parsed.note.source, parsed.note.slug
        entry = resolutions.get(source)
        known = made_before.get(source) if entry is not None else None
        if entry is None:
            entry = _resolve_note(parsed, index, severity, heading_suggesters, kept is not None)
        entries[source] = entry
        if known is not None and known[0] is parsed.links:
            results = known[1]
        else:
            results = tuple(
                ResolvedLink(link, slug, target, anchor)
                for link, (target, anchor) in zip(parsed.links, entry.targets, strict=True)
            )
        resolved[slug] = results
        made[source] = (parsed.links, results)
    if _BACKLINKS in last and _NOTES in last:
        ordered = _updated_backlinks(last[_NOTES], entries, resolved, last[_BACKLINKS])
    else:
        ordered = _backlinks(resolved.values())
    with_problems = [parsed for parsed in notes if entries[parsed.note.source].problems]
    untold = [parsed for parsed in with_problems if parsed.note.source not in told]
    broken = (parsed.links[p] for parsed in untold for p in entries[parsed.note.source].problems if isinstance(p, int))
    index.names.prepare(fold(_suggestion_query(link)) for link in broken)
    found: list[Diagnostic] = []
    hinted = last.get(_HINTED, {}) if kept is not None else {}
    hints: dict[str, frozenset[str]] = {}
    for parsed in with_problems:
        source = parsed.note.source
        if source not in told:
            told[source] = tuple(
                _missing_note(parsed, parsed.links[p], index, severity) if isinstance(p, int) else p
                for p in entries[source].problems
            )
            if kept is not None:
                hints[source] = _hint_reads(parsed, entries[source].problems, index)
        elif kept is not None:
            hints[source] = hinted[source]
        found += told[source]
    if kept is not None:
        kept[_INDEX] = _IndexNames(index.by_name, index.by_source, index.by_key, index.shared_names, strict)
        kept[_NOTES] = entries
        kept[_TOLD] = told
        kept[_HINTED] = hints
        kept[_RESOLVED] = made
        kept[_BACKLINKS] = ordered
    return resolved, ordered, found


def _backlinks(resolved: Iterable[tuple[ResolvedLink, ...]]) -> dict[str, tuple[Backlink, ...]]:
    """Each note's backlinks: the notes that link to it, by slug, with the sentence of their first such link."""
    backlinks: dict[str, dict[str, Backlink]] = {}
    for results in resolved:
        for result in results:
            target_slug, slug = result.target_slug, result.source_slug
            if target_slug and target_slug != slug:
                backlinks.setdefault(target_slug, {}).setdefault(slug, Backlink(slug, result.link.context))
    return {target: tuple(by_source[s] for s in sorted(by_source)) for target, by_source in backlinks.items()}


def _updated_backlinks(
    before: dict[str, NoteLinks],
    entries: dict[str, NoteLinks],
    resolved: dict[str, tuple[ResolvedLink, ...]],
    backlinks: dict[str, tuple[Backlink, ...]],
) -> dict[str, tuple[Backlink, ...]]:
    """`backlinks`, made from the entries `before`, updated to `entries`: only the notes that notes resolved again
    (or gone) linked to, or now link to, are looked at."""
    changed = [source for source, entry in entries.items() if before.get(source) is not entry]
    gone = [source for source in before if source not in entries]
    old_sources: set[str] = set()
    touched: set[str] = set()
    for source in (*changed, *gone):
        if source in before:
            old_sources.add(before[source].slug)
            touched.update(target for target, _ in before[source].targets if target)
    new = _backlinks(resolved[entries[source].slug] for source in changed)
    touched.update(new)
    updated = dict(backlinks)
    for target in touched:
        by_source = {b.source_slug: b for b in backlinks.get(target, ()) if b.source_slug not in old_sources}
        by_source.update((b.source_slug, b) for b in new.get(target, ()))
        if by_source:
            updated[target] = tuple(by_source[s] for s in sorted(by_source))
        else:
            updated.pop(target, None)
    return updated


# Under which `resolve_links` keeps, for the next build, its index's names, each note's entry, the problems told,
# each note's resolved links (with the parsed links they were made from) and the backlinks.
_INDEX, _NOTES, _TOLD, _RESOLVED, _BACKLINKS = "index", "notes", "told", "resolved", "backlinks"
_HINTED = "hinted"  # source -> what the "did you mean" of its broken links read (see `_hint_reads`)


@dataclass(frozen=True, slots=True)
class _IndexNames:
    """What a build's link index resolved names, paths and citation keys to, and what broken links were told."""

    by_name: dict[str, str]
    by_source: dict[str, str]
    by_key: dict[str, str]
    shared_names: dict[str, tuple[str, ...]]
    strict: bool


@dataclass(frozen=True, slots=True)
class NoteLinks:
    """What resolving one note's links found, and what it looked up to find it (see `resolve_links`)."""

    slug: str
    digest: str
    reads: frozenset[str]  # "n" + a folded name, "p" + a source path, "k" + a citation key, "h" + a slug (headings)
    targets: tuple[tuple[str | None, str | None], ...]  # each link's target slug and heading id
    problems: tuple[Diagnostic | int, ...]  # a broken anchor's diagnostic; a broken link's number in the note


def _unchanged_resolutions(
    notes: list[ParsedNote], index: LinkIndex, strict: bool, last: dict
) -> tuple[dict[str, NoteLinks], dict[str, tuple[Diagnostic, ...]]]:
    """The last build's entries of the notes whose resolution cannot have changed (see `resolve_links`), and of
    these, the problems told as they were: unless some name, path or shared file name changed, which any broken
    link's "did you mean" may show."""
    before, entries, told, hinted = last.get(_INDEX), last.get(_NOTES), last.get(_TOLD), last.get(_HINTED)
    if not isinstance(before, _IndexNames) or not isinstance(entries, dict) or before.strict != strict:
        return {}, {}
    moved: set[str] = set()  # the lookups whose answer changed
    for prefix, old, new in (
        ("n", before.by_name, index.by_name),
        ("p", before.by_source, index.by_source),
        ("k", before.by_key, index.by_key),
    ):
        if old != new:
            moved.update(prefix + name for name, _ in old.items() ^ new.items())
    if not isinstance(told, dict) or not isinstance(hinted, dict) or before.shared_names != index.shared_names:
        told = {}
    elif moved:
        told = _still_told(told, hinted, moved, index)
    found = {}
    for parsed in notes:  # a note edited (or new here) may have other headings
        note = parsed.note
        entry = entries.get(note.source)
        if isinstance(entry, NoteLinks) and entry.digest == note.digest and entry.slug == note.slug:
            found[note.source] = entry
        else:
            moved.add("h" + note.slug)
    unchanged = {source: entry for source, entry in found.items() if entry.reads.isdisjoint(moved)}
    return unchanged, {source: told[source] for source in unchanged if source in told}


def _still_told(
    told: dict[str, tuple[Diagnostic, ...]], hinted: dict[str, frozenset[str]], moved: set[str], index: LinkIndex
) -> dict[str, tuple[Diagnostic, ...]]:
    """The problems told last time that a change of names leaves as they were: those of notes whose broken links'
    "did you mean" read no name that now leads elsewhere and no query whose answer the names that came and went may
    change (see Suggester.forgotten). A moved path or citation key, or a suggester not carried over, tells all again:
    a retitle on a site of 11,000 broken links told every one of them again, a tenth of a served edit. Where no hint
    was told, the suggester is not asked: its first question makes its index of every name, which a server's first
    retitle on a site of 10,000 notes without broken links made for nothing (0.1 s; 0.01 s to update it after)."""
    if any(read[0] in "pk" for read in moved):
        return {}
    if not any(hinted.values()):  # no "did you mean" told (a site without broken links): no suggester to ask
        return {source: told[source] for source in told.keys() & hinted.keys()}
    forgotten = index.names.forgotten()
    if forgotten is None:
        return {}
    stale = moved | {"q" + query for query in forgotten}
    return {source: told[source] for source in told.keys() & hinted.keys() if hinted[source].isdisjoint(stale)}


def _hint_reads(parsed: ParsedNote, problems: Iterable[Diagnostic | int], index: LinkIndex) -> frozenset[str]:
    """What the "did you mean" of the note's broken links read: each link's query ("q") and the names its answer
    holds ("n"), whatever cutoff the hint took (see `_missing_note`)."""
    reads: set[str] = set()
    for problem in problems:
        if isinstance(problem, int):
            query = fold(_suggestion_query(parsed.links[problem]))
            reads.add("q" + query)
            reads.update("n" + name for _, name in index.names.answers.get(query, ()))
    return frozenset(reads)


def _resolve_note(
    parsed: ParsedNote,
    index: LinkIndex,
    severity: Severity,
    heading_suggesters: dict[str, Suggester],
    recording: bool = True,
) -> NoteLinks:
    """What resolving the note's links finds; and, `recording`, what it looked up (a build that keeps no entries
    for the next has no use for it)."""
    slug = parsed.note.slug
    reads: set[str] | None = set() if recording else None
    targets: list[tuple[str | None, str | None]] = []
    problems: list[Diagnostic | int] = []
    for number, link in enumerate(parsed.links):
        target_slug = index.find(link, parsed, reads)
        anchor = None
        if target_slug is None:
            if link.kind != "cite":
                problems.append(number)
        elif link.fragment:
            if reads is not None:
                reads.add("h" + target_slug)
            anchor = _find_heading(index.notes[target_slug], link.fragment)
            if anchor is None:
                target = index.notes[target_slug]
                if target_slug not in heading_suggesters:
                    heading_suggesters[target_slug] = Suggester([h.text for h in target.headings], 0.4, 1)
                guesses = heading_suggesters[target_slug].suggest(link.fragment)
                problems.append(_missing_heading(parsed, link, target, guesses, severity))
                target_slug = None
        targets.append((target_slug, anchor))
    return NoteLinks(slug, parsed.note.digest, frozenset(reads or ()), tuple(targets), tuple(problems))


def _find_heading(target: ParsedNote, fragment: str) -> str | None:
    wanted = fold(fragment)
    for heading in target.headings:
        if heading.id == fragment or fold(heading.text) == wanted or heading.id == slugify(fragment):
            return heading.id
    return None


def _written(link: Link) -> str:
    if link.kind == "wiki":
        inner = link.target + (f"#{link.fragment}" if link.fragment else "")
        return f"[[{inner}]]"
    return f"({link.target}{'#' + link.fragment if link.fragment else ''})"


def qualify_slugs(notes: list[ParsedNote]) -> list[ParsedNote]:
    """Notes in different folders that share a file name (two intro.md, two index.md) take their folder into
    their slug, `guide-intro`; one at the top of notes/ keeps the plain name, and a slug: set by hand is kept."""
    counts = Counter(parsed.note.slug for parsed in notes)
    qualified = []
    for parsed in notes:
        note = parsed.note
        if counts[note.slug] > 1 and "slug" not in note.field_lines and "/" in note.relative:
            name = posixpath.dirname(note.relative) if note.is_section else note.relative.removesuffix(".md")
            parsed = replace(parsed, note=replace(note, slug=slugify(name)))
        qualified.append(parsed)
    return qualified


def _missing_note(parsed: ParsedNote, link: Link, index: LinkIndex, severity: Severity) -> Diagnostic:
    if link.kind == "wiki":
        hint = did_you_mean(index.suggest(_suggestion_query(link)))
        what = "no note has this slug, title or alias"
    else:  # suggest other notes' paths, as written from this note's folder
        folder = posixpath.dirname(parsed.note.source)
        # a file name says less than a note's name ("appendix-3" is not "openfusion-3"): only close ones
        close = index.suggest(_suggestion_query(link), 0.75)
        paths = (posixpath.relpath(index.notes[slug].note.source, folder) for slug in close)
        hint = did_you_mean(paths)
        what = "no note at this path"
    sharing = index.shared_names.get(fold(link.target)) if link.kind == "wiki" else None
    if sharing:
        what = f"notes in {len(sharing)} folders have this name: {', '.join(sharing)}"
        folder = posixpath.dirname(index.notes[index.by_source[sharing[0]]].note.relative)
        hint = f"name the folder too, e.g. [[{folder}/{link.target}]]"
    elif link.kind == "wiki" and posixpath.splitext(link.target)[1].lower() not in ("", ".md"):
        hint = f"to show a file, link it as Markdown relative to this note, e.g. ![]({link.target})"
    message = f"broken link {_written(link)}: {what}"
    return Diagnostic(parsed.note.source, message, link.line, link.col, severity, hint, "broken-link")


def _missing_heading(
    parsed: ParsedNote, link: Link, target: ParsedNote, guesses: tuple[str, ...], severity: Severity
) -> Diagnostic:
    texts = [h.text for h in target.headings]
    hint = did_you_mean("#" + guess for guess in guesses) or ("headings: " + ", ".join(texts[:8]) if texts else None)
    return Diagnostic(
        parsed.note.source,
        f'broken link {_written(link)}: {target.note.source} has no heading "{link.fragment}"',
        link.line,
        link.col,
        severity,
        hint,
        "broken-anchor",
    )


def link_html(
    html: str, links: tuple[ResolvedLink, ...], labels: dict[str, str], paths: dict[str, str], from_path: str
) -> str:
    """Replace a parsed body's placeholders with relative `<a>` tags, or unresolved `<span>`s."""
    closers: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == CLOSE:
            return closers.pop() if closers else ""
        kind, number = match.group(1), int(match.group(2))
        resolved = links[number]
        if kind == LABEL:
            return _label(resolved, labels)
        if resolved.target_slug is None:
            closers.append("</span>")
            return f'<span class="unresolved" title="{escape(_written(resolved.link))}: not found">'
        closers.append("</a>")
        url = href(from_path, paths[resolved.target_slug], resolved.anchor)
        return f'<a class="internal" href="{escape(url)}">'

    return _MARKER.sub(replace, html)


def link_labels(html: str, links: tuple[ResolvedLink, ...], labels: dict[str, str], escaped: bool = True) -> str:
    """`link_html` without the `<a>` and `<span>` tags around the labels: for text that drops tags anyway (an
    excerpt), and a third the cost, with no URL to work out. Not `escaped`: the labels as plain text."""

    def replace(match: re.Match[str]) -> str:
        kind = match.group(1)
        return _label(links[int(match.group(2))], labels, escaped) if kind == LABEL else ""

    return _MARKER.sub(replace, html)


def _label(resolved: ResolvedLink, labels: dict[str, str], escaped: bool = True) -> str:
    """What a link shows: its target's label (and heading), or what was written when it leads nowhere."""
    name = labels.get(resolved.target_slug or "", resolved.link.target)
    if resolved.link.fragment and resolved.anchor:
        name = f"{name} § {resolved.link.fragment}" if resolved.link.target else resolved.link.fragment
    name = name if resolved.target_slug else _written(resolved.link)
    return escape(name, quote=False) if escaped else name


def check_assets(
    notes: list[ParsedNote], assets: tuple[Asset, ...], slugs: set[str], severity: Severity
) -> list[Diagnostic]:
    """Every image and file a note points at must be in notes/; no copied file may take a page's place."""
    present = {asset.relative for asset in assets}
    files = Suggester(present, limit=1)
    problems = []
    for parsed in notes:
        for path, line in parsed.assets:
            if path == ".." or path.startswith("../"):
                message = f"{path} is outside the notes folder, and the site holds only what is inside it"
                hint = "move the file into the notes folder and link it from there"
                problems.append(Diagnostic(parsed.note.source, message, line, None, severity, hint, "file-outside"))
            elif path not in present:
                hint = did_you_mean(files.suggest(path)) or "the path is relative to this note's folder"
                message = f"broken link: no file {path} in the notes folder"
                problems.append(Diagnostic(parsed.note.source, message, line, None, severity, hint, "missing-file"))
    for asset in assets:
        if asset.relative.endswith(".html") and asset.relative.removesuffix(".html") in slugs:
            message = f"this file would take the place of the page of the note {asset.relative.removesuffix('.html')}"
            problems.append(Diagnostic(asset.source, message, hint="rename the file"))
    return problems


def find_embeds(
    notes: list[ParsedNote], assets: tuple[Asset, ...], severity: Severity
) -> tuple[dict[str, tuple[str, ...]], list[Diagnostic]]:
    """The file each `![[embed]]` shows, found as Obsidian finds it: by its path from the note's folder or from
    the top of notes/, else by its file name wherever it is, when only one file has that name."""
    present = {asset.relative for asset in assets}
    by_name: dict[str, list[str]] = {}
    for relative in sorted(present):
        by_name.setdefault(relative.rpartition("/")[2], []).append(relative)
    found: dict[str, tuple[str, ...]] = {}
    problems = []
    for parsed in notes:
        if not parsed.embeds:
            continue
        folder = posixpath.dirname(parsed.note.relative) if parsed.note.kind == "note" else ""
        paths = []
        for target, line in parsed.embeds:
            near, top = posixpath.normpath(posixpath.join(folder, target)), posixpath.normpath(target)
            named = [] if "/" in target else by_name.get(target, [])
            path = near if near in present else top if top in present else named[0] if len(named) == 1 else ""
            if not path:
                what = f"{len(named)} files are named {target}: {', '.join(named)}" if named else "no such file"
                hint = "write the folder too, e.g. ![[" + named[0] + "]]" if named else "check the file name"
                problems.append(
                    Diagnostic(parsed.note.source, f"embed ![[{target}]]: {what}", line, None, severity, hint, "embed")
                )
            paths.append(path)
        found[parsed.note.slug] = tuple(paths)
    return found, problems


def fill_places(html_text: str, files: tuple[str, ...], tag_slugs: list[str], from_path: str) -> str:
    """Put the URLs, relative to the page at `from_path`, where the parsed body holds the places of its embedded
    files (`files`, paths inside notes/) and of its #tags' pages (`tag_slugs`, in the order of the note's tags)."""

    def url(match: re.Match[str]) -> str:
        number = int(match.group(2))
        if match.group(1) == HASHTAG:
            return escape(href(from_path, tag_path(tag_slugs[number])))
        return escape(href(from_path, "notes/" + files[number])) if files[number] else ""  # the build said why

    return _PLACE_MARKER.sub(url, html_text)


def body_html(
    html_text: str,
    links: tuple[ResolvedLink, ...],
    labels: dict[str, str],
    paths: dict[str, str],
    files: tuple[str, ...],
    tag_slugs: list[str],
    page_path: str,
) -> str:
    """A parsed body with its links resolved and the places of its embedded files and #tags filled (see
    `fill_places`), for the page at `page_path`."""
    linked = link_html(html_text, links, labels, paths, page_path)
    return fill_places(linked, files, tag_slugs, page_path) if files or tag_slugs else linked


_ANCHOR = re.compile(r"<a( [^>]*)>")
_EXTERNAL_HREF = re.compile(r' href="https?://')
_CLASS = re.compile(r' class="([^"]*)"')


def mark_external(html_text: str) -> str:
    """Mark links that leave the site: class "external" (the stylesheet adds an arrow) and rel="noopener"; a link
    of the note's raw HTML keeps its own classes."""

    def mark(match: re.Match[str]) -> str:
        attributes = match.group(1)
        if not _EXTERNAL_HREF.search(attributes):
            return match.group(0)
        if _CLASS.search(attributes):
            attributes = _CLASS.sub(r' class="\1 external"', attributes, count=1)
            return f'<a{attributes} rel="noopener">'
        return f'<a class="external"{attributes} rel="noopener">'

    if ' href="http' not in html_text:  # no link leaves the site: nothing to look at
        return html_text
    return _ANCHOR.sub(mark, html_text)
