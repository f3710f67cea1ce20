"""Orchestrate a build: load → parse → link → assemble → render → write, failing before any write on errors."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .config import Config, load_config
from .links import LinkIndex, resolve_links
from .load import load_notes
from .markdown import create_parser
from .model import Diagnostic, Page, UserError
from .pages import PageContext, all_pages
from .parse import parse_note
from .render import Renderer
from .site import assemble_site, load_data
from .write import check_output_dir, write_site


@dataclass(frozen=True, slots=True)
class BuildResult:
    notes: int
    pages: int
    output: Path
    warnings: tuple[Diagnostic, ...]
    seconds: float


def build(
    root: Path,
    output: Path | None = None,
    strict: bool | None = None,
    drafts: bool = False,
    force: bool = False,
) -> BuildResult:
    """Build the site rooted at `root`; raises `UserError` with every problem, leaving the old site as it was."""
    started = time.perf_counter()
    config = load_config(root)
    output = (output or config.output_path).resolve()
    check_output_dir(config, output, force)
    strict_links = config.strict_links if strict is None else strict
    pages, diagnostics, note_count = render_site(config, drafts, strict_links)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise UserError(diagnostics)
    write_site(pages, output)
    warnings = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
    return BuildResult(note_count, len(pages), output, warnings, time.perf_counter() - started)


def render_site(config: Config, drafts: bool, strict_links: bool) -> tuple[list[Page], list[Diagnostic], int]:
    """Every page of the site, or no pages and the diagnostics that stop the build."""
    root = config.root
    if not config.notes_path.is_dir():
        raise UserError(f"no notes folder at {config.notes_path} (create it, or set notes_dir in pyproject.toml)")
    loaded = load_notes(root, config.notes_path, include_drafts=drafts)
    standalone = load_notes(root, config.pages_path, include_drafts=drafts, kind="page")
    diagnostics = list(loaded.diagnostics + standalone.diagnostics)
    md = create_parser(allow_raw_html=config.raw_html == "allow")
    parsed = [parse_note(note, md) for note in loaded.notes + standalone.notes]
    for note in parsed:
        diagnostics.extend(note.diagnostics)
    index, problems = LinkIndex.build(parsed)
    diagnostics += problems
    links, backlinks, problems = resolve_links(parsed, index, strict_links)
    diagnostics += problems
    data, problems = load_data(root, config.data_path)
    diagnostics += problems
    site, problems = assemble_site(list(index.notes.values()), links, backlinks, data)
    diagnostics += problems
    if any(d.severity == "error" for d in diagnostics):
        return [], diagnostics, len(loaded.notes)
    pages = list(all_pages(PageContext(site, config, Renderer(config, site.data))))
    return pages, diagnostics, len(loaded.notes)
