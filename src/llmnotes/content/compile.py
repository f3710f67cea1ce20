"""Compile the site: parse every note (in workers, or from the cache), link, resolve citations and assemble."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from ..config import Config
from ..emit.context import PageContext
from ..emit.fragments import FRAGMENTS
from ..emit.render import COMPILED_TEMPLATES, Renderer
from ..engine.cache import CARDS, LINKS, LISTINGS, NAV, SUGGESTIONS, BuildCache
from ..engine.conversions import ConversionFile
from ..engine.history import file_dates, git_history, repository, shallow_clone_warning
from ..engine.parallel import run_all
from ..engine.progress import Progress, silent
from ..features.references import load_bibliography, resolve_citations
from ..i18n import interface_strings
from ..markdown import create_parser
from ..markdown.memo import pickled, recording
from ..model import Diagnostic, ParsedNote, Severity
from .assemble import assemble_site, load_data
from .link import LinkIndex, check_assets, find_embeds, qualify_slugs, resolve_links
from .load import load_note
from .parse import parse_document, parse_key, parser_options
from .scan import Document, Inputs
from .suggest import Suggester

if TYPE_CHECKING:
    from ..engine.build import Project


def compile_site(project: Project, report: Progress = silent) -> tuple[PageContext, list[Diagnostic], int]:
    """Parse every note (from the cache when unchanged), link and assemble the site: the page context every output
    is rendered from, the problems found, and how many notes the site has."""
    config, inputs, cache = project.config, project.inputs, project.cache
    parsed, diagnostics = parse_all(config, inputs, cache, report)
    cache.save_quietly(cache.parsed_notes.save)  # now, before the process grows: saving briefly doubles a store
    report("link", 0, 1)
    context, problems, note_count = link_site(
        config, inputs, parsed, project.drafts, project.strict_links, cache, project.git_head
    )
    report("link", 1, 1)
    return context, diagnostics + problems, note_count


def parse_all(
    config: Config, inputs: Inputs, cache: BuildCache, report: Progress
) -> tuple[list[ParsedNote], list[Diagnostic]]:
    """Every note and page parsed: from the cache when its bytes are unchanged, else in worker processes."""
    parsed: dict[str, ParsedNote] = {}
    todo: list[Document] = []
    strings = interface_strings(config.language, config)
    options = parser_options(config.raw_html, strings)
    parsed_before: set[str] = set()  # edited notes, whose last parse's conversions the cache may hold
    for document in inputs.documents:
        key = parse_key(options, document.source)
        found = cache.parsed(key, document.digest)
        if found is None:
            todo.append(document)
            if cache.parsed_notes.get(key) is not None:
                parsed_before.add(document.source)
        else:
            parsed[document.source] = found
    diagnostics: list[Diagnostic] = []
    work = partial(
        _load_and_parse,
        root=config.root,
        raw_html=config.raw_html,
        strings=tuple(strings.items()),
        parsed_before=frozenset(parsed_before),
    )
    for done, (document, (note, problems, conversions)) in enumerate(zip(todo, run_all(work, todo), strict=True), 1):
        diagnostics += problems
        if note is not None:
            parsed[document.source] = note
            cache.parsed_notes.put(parse_key(options, document.source), note)
            cache.conversions.put(document.source, conversions)
        report("parse", done, len(todo))
    cache.conversions.flush()
    ordered = [parsed[d.source] for d in inputs.documents if d.source in parsed]
    for note in ordered:
        diagnostics.extend(note.diagnostics)
    return ordered, diagnostics


def _load_and_parse(
    document: Document,
    root: Path,
    raw_html: str,
    strings: tuple[tuple[str, str], ...],
    parsed_before: frozenset[str] = frozenset(),
) -> tuple[ParsedNote | None, list[Diagnostic], bytes]:
    """The note parsed, the problems found, and what the converters made of its code and formulas (which the next
    parse of the note takes instead of converting again: see markdown.memo). A note `parsed_before` takes its
    last parse's: an edit of its title or tags leaves its code and formulas as they were, and Pygments compiling a
    lexer and latex2mathml's import took 0.13 s of a one-note parse that takes 0.01 s without them."""
    note, problems = load_note(Path(document.path), root, document.kind, document.relative)
    if note is not None and note.digest != document.digest:
        problems.append(Diagnostic(document.source, "the file changed while the build read it", hint="build again"))
        return None, problems, b""
    if note is None:
        return None, problems, b""
    known = ConversionFile(root).get(document.source) if document.source in parsed_before else None
    with recording(known) as conversions:
        parsed = parse_document(note, _parser(raw_html, strings))
    return parsed, problems, pickled(conversions)  # pickled here, in a worker: the main process only stores them


@cache
def _parser(raw_html: str, strings: tuple[tuple[str, str], ...]) -> MarkdownIt:
    """The Markdown parser, made once per process: workers that are not forked make their own rather than receive
    it (its plugins' functions do not pickle)."""
    return create_parser(raw_html, dict(strings))


def link_site(
    config: Config,
    inputs: Inputs,
    parsed: list[ParsedNote],
    drafts: bool,
    strict_links: bool,
    cache: BuildCache,
    head: str | None = None,
) -> tuple[PageContext, list[Diagnostic], int]:
    """Resolve links, assemble the site and the page context; the count is of the notes in the site. `head`: the
    commit checked out (see history.git_head), None outside git."""
    documents = qualify_slugs([p for p in parsed if drafts or not p.note.draft])
    last_suggestions, next_suggestions = cache.carried(SUGGESTIONS, inputs.site_key)
    carried = last_suggestions.get(SUGGESTIONS)
    index, diagnostics = LinkIndex.build(documents, carried if isinstance(carried, Suggester) else None)
    if cache.memory is not None:  # a server: read from and written to a file, they would cost more than they save
        last_links, next_links = cache.carried(LINKS, inputs.site_key, on_disk=False)
        links, backlinks, problems = resolve_links(documents, index, strict_links, last_links, next_links)
    else:
        links, backlinks, problems = resolve_links(documents, index, strict_links)
    diagnostics += problems
    suggester = index.names.carried()
    if suggester is not None:  # a site with broken links: their "did you mean", for the next build
        next_suggestions[SUGGESTIONS] = suggester
    severity: Severity = "error" if strict_links else "warning"
    diagnostics += check_assets(documents, inputs.assets, set(index.notes), severity)
    embeds, problems = find_embeds(documents, inputs.assets, severity)
    diagnostics += problems
    data, problems = load_data(config.root, config.data_path)
    diagnostics += problems
    bibliography, problems = load_bibliography(config)
    diagnostics += problems
    references, problems = resolve_citations(documents, index, bibliography, strict_links)
    diagnostics += problems
    mtimes = {name: found[0] for name, (found, _) in cache.inputs.items() if found is not None}
    history = git_history(config.root, head, cache.derived)
    dates = file_dates(config.root, [p.note.source for p in documents], mtimes, history)
    diagnostics += shallow_clone_warning(repository(config.root))
    site, problems = assemble_site(
        list(index.notes.values()),
        links,
        backlinks,
        data,
        dates,
        inputs.assets,
        embeds,
        dict(config.section_titles),
        references,
        config.language,
        cache.derived,
    )
    diagnostics += problems
    # What every partial may show besides its note and its own theme files: the settings, data, interface words and
    # llmnotes (the site key).
    renderer = Renderer(
        config,
        site.data,
        cache.folder / FRAGMENTS,
        inputs.site_key,
        inputs.theme,
        cache.folder / COMPILED_TEMPLATES,
        save_fragments_later=cache.memory is not None and cache.memory.saves_later,  # a server: after the reload
    )
    context = PageContext(
        site,
        config,
        renderer,
        cache.search_entries,
        inputs.theme,
        carried={name: cache.carried(name, inputs.site_key) for name in (CARDS, LISTINGS, NAV)},
        kept_keys=cache.memory.output_keys if cache.memory is not None else None,
    )
    return context, diagnostics, len(site.notes)
