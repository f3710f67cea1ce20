"""Orchestrate a build: load → parse → link → assemble → render → write, redoing only what changed since the last."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from markdown_it import MarkdownIt

from .cache import BuildCache, BuildState, Stamp, code_digest, stamp
from .config import Config, load_config
from .inputs import Document, Inputs, scan_inputs
from .links import LinkIndex, resolve_links
from .load import content_digest, load_note
from .markdown import create_parser
from .model import Diagnostic, Output, ParsedNote, UserError
from .pages import PageContext, all_outputs
from .parallel import run_all
from .parse import parse_note
from .render import Renderer
from .site import assemble_site, load_data
from .write import MARKER, SiteWriter, check_output_dir

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class BuildResult:
    notes: int
    pages: int  # files in the site
    output: Path
    warnings: tuple[Diagnostic, ...]
    seconds: float
    rendered: int = 0  # outputs rendered this time; the others were unchanged
    written: int = 0  # files written this time


def build(
    root: Path,
    output: Path | None = None,
    strict: bool | None = None,
    drafts: bool = False,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site rooted at `root`; raises `UserError` with every problem, leaving the old site as it was."""
    started = time.perf_counter()
    report = progress or _silent
    config = load_config(root)
    output = (output or config.output_path).resolve()
    check_output_dir(config, output, force)
    strict_links = config.strict_links if strict is None else strict
    options = (str(output), strict_links, drafts)
    cache = BuildCache(config.root, options)
    inputs = scan_inputs(config, cache, options)
    previous = cache.previous
    in_place = bool(previous.code) and (output / MARKER).is_file()
    intact = _intact_files(previous, output) if in_place else {}
    same_inputs = previous.inputs == cache.inputs and previous.site_key == inputs.site_key
    if in_place and same_inputs and len(intact) == len(previous.written):  # and nobody touched the site
        seconds = time.perf_counter() - started
        return BuildResult(previous.note_count, len(previous.written), output, previous.warnings, seconds)
    parsed, diagnostics = _parse_all(config, inputs, cache, report)
    report("link", 0, 1)
    context, problems, note_count = _link(config, parsed, drafts, strict_links)
    report("link", 1, 1)
    diagnostics += problems
    if any(d.severity == "error" for d in diagnostics):
        raise UserError(diagnostics)
    warnings = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
    outputs = all_outputs(context)
    state = BuildState(code_digest(), options, cache.inputs, inputs.site_key, warnings=warnings, note_count=note_count)
    rendered, written = _render_and_write(outputs, state, previous, intact, output, in_place, report)
    cache.save(state, {p.note.source: p for p in parsed})
    seconds = time.perf_counter() - started
    return BuildResult(note_count, len(state.written), output, warnings, seconds, rendered, written)


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _parse_all(
    config: Config, inputs: Inputs, cache: BuildCache, report: Progress
) -> tuple[list[ParsedNote], list[Diagnostic]]:
    """Every note and page parsed: from the cache when its bytes are unchanged, else in worker processes."""
    parsed: dict[str, ParsedNote] = {}
    todo: list[Document] = []
    for document in inputs.documents:
        found = cache.parsed(document.source, document.digest)
        if found is None:
            todo.append(document)
        else:
            parsed[document.source] = found
    diagnostics: list[Diagnostic] = []
    md = create_parser(allow_raw_html=config.raw_html == "allow")
    work = partial(_load_and_parse, root=config.root, md=md)
    for done, (document, (note, problems)) in enumerate(zip(todo, run_all(work, todo), strict=True), 1):
        diagnostics += problems
        if note is not None:
            parsed[document.source] = note
        report("parse", done, len(todo))
    ordered = [parsed[d.source] for d in inputs.documents if d.source in parsed]
    for note in ordered:
        diagnostics.extend(note.diagnostics)
    return ordered, diagnostics


def _load_and_parse(document: Document, root: Path, md: MarkdownIt) -> tuple[ParsedNote | None, list[Diagnostic]]:
    note, problems = load_note(document.path, root, document.kind)
    if note is not None and note.digest != document.digest:
        problems.append(Diagnostic(document.source, "the file changed while the build read it", hint="build again"))
        return None, problems
    return (parse_note(note, md) if note is not None else None), problems


def _link(
    config: Config, parsed: list[ParsedNote], drafts: bool, strict_links: bool
) -> tuple[PageContext, list[Diagnostic], int]:
    """Resolve links, assemble the site and the page context; the count is of the notes in the site."""
    documents = [p for p in parsed if drafts or not p.note.draft]
    index, diagnostics = LinkIndex.build(documents)
    links, backlinks, problems = resolve_links(documents, index, strict_links)
    diagnostics += problems
    data, problems = load_data(config.root, config.data_path)
    diagnostics += problems
    site, problems = assemble_site(list(index.notes.values()), links, backlinks, data)
    diagnostics += problems
    context = PageContext(site, config, Renderer(config, site.data))
    return context, diagnostics, len(site.notes)


def _render_and_write(
    outputs: list[Output],
    state: BuildState,
    previous: BuildState,
    intact: dict[str, Stamp],
    output: Path,
    in_place: bool,
    report: Progress,
) -> tuple[int, int]:
    """Render the outputs whose inputs changed and write the files whose bytes changed; fills `state`."""
    old_files = {path: file_digest for _, files in previous.outputs.values() for path, file_digest in files}
    todo: list[tuple[Output, str | None]] = []
    for item in outputs:
        key = content_digest(repr((state.site_key, item.key)).encode()) if item.key is not None else None
        old = previous.outputs.get(item.name)
        if in_place and key is not None and old is not None and old[0] == key and all(p in intact for p, _ in old[1]):
            state.outputs[item.name] = old
        else:
            todo.append((item, key))

    def unchanged(path: str, file_digest: str) -> bool:
        return in_place and path in intact and old_files.get(path) == file_digest

    render = partial(_render_output, unchanged=unchanged)
    writer = SiteWriter(output, replace_all=not in_place)
    try:
        for done, ((item, key), files) in enumerate(zip(todo, run_all(render, [o for o, _ in todo]), strict=True), 1):
            for path, _, content in files:
                if content is not None:
                    writer.add(path, content)
            state.outputs[item.name] = (key, tuple((path, file_digest) for path, file_digest, _ in files))
            report("render", done, len(todo))
        produced = {path for _, files in state.outputs.values() for path, _ in files}
        stamps = writer.commit(stale=[path for path in previous.written if path not in produced])
    except BaseException:
        writer.abort()
        raise
    state.written.update({path: intact[path] for path in produced if path in intact and path not in stamps})
    state.written.update(stamps)
    return len(todo), len(stamps)


def _render_output(item: Output, unchanged: Callable[[str, str], bool]) -> list[tuple[str, str, bytes | None]]:
    """(path, digest, bytes) of each file; the bytes left out when the file on disk already holds them."""
    files = []
    for page in item.render():
        file_digest = content_digest(page.content)
        files.append((page.path, file_digest, None if unchanged(page.path, file_digest) else page.content))
    return files


def _intact_files(previous: BuildState, output: Path) -> dict[str, Stamp]:
    """The files the last build wrote that are still as it left them."""
    found = {}
    for path, expected in previous.written.items():
        if stamp(output / path) == expected:
            found[path] = expected
    return found
