"""Orchestrate a build: load → parse → link → assemble → render → write, redoing only what changed since the last."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, load_config, with_base_url
from ..content.scan import Inputs, rescan_notes, scan_inputs
from ..model import Diagnostic, UserError
from .cache import BuildCache, BuildState, CacheMemory, Stamp, code_digest, stamp
from .history import git_head
from .progress import Progress, silent
from .write import MARKER, check_output_dir

if TYPE_CHECKING:  # the modules a build with nothing to do does not import
    from ..emit.context import PageContext
    from .outputs import FirstLook

# Why a site without a base URL has no sitemap.xml (see emit.sitemap): the protocol takes absolute URLs only.
NO_SITEMAP = (
    "no sitemap.xml: a sitemap needs absolute URLs; set base_url under [tool.llmnotes] or pass --base-url to make one"
)


@dataclass(frozen=True, slots=True)
class BuildResult:
    notes: int
    pages: int  # files in the site
    output: Path
    warnings: tuple[Diagnostic, ...]
    seconds: float
    rendered: int = 0  # outputs rendered this time; the others were unchanged
    written: int = 0  # files written this time
    quick: bool = False  # only notes' bodies changed, and went straight into their pages (see `body_edits`)
    changed: tuple[str, ...] = ()  # the site's files written or removed this time, relative to the output folder
    notices: tuple[str, ...] = ()  # what the site leaves out and why, one line each (not problems with the notes)


def build(
    root: Path,
    output: Path | None = None,
    strict: bool | None = None,
    drafts: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    base_url: str | None = None,
    memory: CacheMemory | None = None,
    seen_changed: Collection[str] = (),
    first_look: Callable[[FirstLook], None] | None = None,
    open_pages: Collection[str] = (),
) -> BuildResult:
    """Build the site rooted at `root`; raises `UserError` with every problem, leaving the old site as it was.

    `base_url` (the command line's --base-url) replaces the configured one; `memory` keeps the cache between the
    builds of one process (see `CacheMemory`); `seen_changed`, the paths of the files a watcher saw added, modified
    or deleted since the last build and nothing else, spares a build with `memory` the look at every input (see
    `scan.rescan_notes`).
    `first_look` is told, once the site is compiled and before its pages render, what the pages of the notes that
    changed load (see outputs.look_first): a server answers them first; and then, if they are not among those, what
    `open_pages` (paths in the site, the pages open in its readers' browsers) hold (see outputs.look_at_open)."""
    # A build makes millions of small objects and next to no reference cycles: the cyclic garbage collector would
    # walk the growing heap again and again for nothing (a fifth of a 10,000-note build's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(
            root, output, strict, drafts, force, progress, base_url, memory, seen_changed, first_look, open_pages
        )
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Project:
    """A site about to be compiled: its configuration, the command's choices, the last build's cache and every input
    file, digested."""

    config: Config
    output: Path
    strict_links: bool
    drafts: bool
    cache: BuildCache
    inputs: Inputs
    git_head: str | None  # the commit checked out, whose history gives the notes' dates (see history.git_head)

    @property
    def options(self) -> tuple:
        """What else besides the inputs makes another site: the output folder and the command-line choices."""
        return (str(self.output), self.strict_links, self.drafts)


def open_project(
    root: Path,
    output: Path | None = None,
    strict: bool | None = None,
    drafts: bool = False,
    base_url: str | None = None,
    memory: CacheMemory | None = None,
    seen_changed: Collection[str] = (),
) -> Project:
    """Read the configuration and the last build's cache, and find and digest every input (the first step of every
    command that compiles the site: build, check, serve). Unchanged files are not read."""
    config = with_base_url(load_config(root.resolve()), base_url)
    output = (output or config.output_path).resolve()
    strict_links = config.strict_links if strict is None else strict
    options = (str(output), strict_links, drafts)
    cache = BuildCache(config.root, options, memory)
    last = memory.scanned() if memory is not None and cache.previous is memory.state() else None
    rescanned = rescan_notes(last, cache, config, output, seen_changed) if last is not None else None
    inputs = rescanned or scan_inputs(config, cache, options, output)
    cache.scanned = inputs
    return Project(config, output, strict_links, drafts, cache, inputs, git_head(config.root))


def _build(
    root: Path,
    output: Path | None,
    strict: bool | None,
    drafts: bool,
    force: bool,
    progress: Progress | None,
    base_url: str | None,
    memory: CacheMemory | None,
    seen_changed: Collection[str],
    first_look: Callable[[FirstLook], None] | None,
    open_pages: Collection[str],
) -> BuildResult:
    started = time.perf_counter()
    report = progress or silent
    project = open_project(root, output, strict, drafts, base_url, memory, seen_changed)
    config, output, cache, inputs = project.config, project.output, project.cache, project.inputs
    notices = _notices(config)
    check_output_dir(config, output, force)
    if inputs.problems:
        raise UserError(list(inputs.problems))
    previous = cache.previous
    ours = (output / MARKER).is_file()
    # A folder of someone else's files (allowed with --force): write ours among them and never delete theirs.
    foreign = not ours and output.is_dir() and any(output.iterdir())
    if foreign:
        previous = BuildState()
    in_place = (bool(previous.code) and ours) or foreign
    head = project.git_head  # a new commit can change the notes' dates without changing a file
    same_site = previous.site_key == inputs.site_key and previous.git_head == head
    changed = None  # the notes whose bytes changed, when the site's files and the set of inputs are as last time
    if in_place and same_site and previous.inputs.keys() == cache.inputs.keys():
        changed = [name for name, (_, digest) in cache.inputs.items() if previous.inputs[name][1] != digest]
    if changed:
        from .body_edits import quick_rebuild  # here, not at the top: nor does a build with nothing to do load Markdown

        # It checks the files it reads and writes itself: looking at every file of the site would take longer.
        quick = quick_rebuild(config, inputs, cache, previous, output, changed)
        if quick is not None:
            state, rendered, written_files, touched = quick
            _save(memory, partial(cache.save_changes, state, touched))
            seconds = time.perf_counter() - started
            return BuildResult(
                state.note_count,
                len(state.written),
                output,
                state.warnings,
                seconds,
                rendered,
                len(written_files),
                quick=True,
                changed=written_files,
                notices=notices,
            )
    intact = _intact_files(previous, output) if in_place and changed == [] else None
    if intact is not None and len(intact) == len(previous.written):  # nothing changed, and nobody touched the site
        if previous.inputs != cache.inputs:  # files touched but not changed: remember their new stamps
            cache.save_changes(replace(previous, inputs=cache.inputs))
        elif memory is not None:  # the server's next build starts from this state without reading it again
            memory.keep(cache, previous)
        seconds = time.perf_counter() - started
        return BuildResult(
            previous.note_count, len(previous.written), output, previous.warnings, seconds, notices=notices
        )
    from ..content.compile import compile_site  # nor Jinja
    from .outputs import look_at_open, look_first, render_and_write, save_records

    context, diagnostics, note_count = compile_site(project, report)
    if any(d.severity == "error" for d in diagnostics):
        raise UserError(diagnostics)
    warnings = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
    state = BuildState(code_digest(), project.options, cache.inputs, inputs.site_key, inputs.theme)
    state.warnings, state.note_count = warnings, note_count
    state.git_head = head
    if first_look is not None and in_place:
        look = look_first(context, state, previous, output, _changed_notes(context, previous, cache))
        first_look(look)
        others = [path for path in open_pages if path not in look.changed and path not in look.settled]
        if others:
            first_look(look_at_open(context, state, previous, output, others))
    if intact is None:  # after the first look: 12,000 files' stamps take 0.05 s at 10,000 notes
        intact = _intact_files(previous, output) if in_place else {}
    rendered, written = render_and_write(context, state, previous, intact, output, in_place, report)

    def save() -> None:
        context.renderer.save_fragments()
        state.records = save_records(context, cache, previous, state)
        cache.save_build(state)

    _save(memory, save)
    seconds = time.perf_counter() - started
    files_changed = _changed_files(previous, state)
    return BuildResult(
        note_count,
        len(state.written),
        output,
        warnings,
        seconds,
        rendered,
        written,
        changed=files_changed,
        notices=notices,
    )


def warm_up(
    root: Path,
    memory: CacheMemory,
    output: Path | None = None,
    strict: bool | None = None,
    drafts: bool = False,
    base_url: str | None = None,
) -> bool:
    """Compile the site and work out every output's key into `memory`, writing nothing, if the site is as its last
    build left it (else False: the next build does the work). A server does this once it serves, so that even its
    first edit works out again only the keys that edit changes (see PageContext.carried_key)."""
    collecting = gc.isenabled()
    gc.disable()  # see `build`
    try:
        memory.preload()
        project = open_project(root, output, strict, drafts, base_url, memory)
        cache, inputs = project.cache, project.inputs
        previous = cache.previous
        same = previous.site_key == inputs.site_key and previous.git_head == project.git_head
        # By digest: a file saved just before the last build has no stamp in its state (see BuildCache.file_digest)
        digests = {name: digest for name, (_, digest) in cache.inputs.items()}
        if same and digests != {name: digest for name, (_, digest) in previous.inputs.items()}:
            same = False
        if inputs.problems or not previous.code or not same:
            return False
        from ..content.compile import compile_site  # as in `_build`
        from ..emit import first_outputs, other_outputs
        from .outputs import Plan

        context, _, _ = compile_site(project)
        firsts = first_outputs(context)  # the outputs' keys are worked out as they are listed
        outputs = [*firsts, *other_outputs(context, firsts)]
        # and what the build state would record of each, as if the site's files were as the last build left them
        state = BuildState(code_digest(), project.options, cache.inputs, inputs.site_key, inputs.theme)
        Plan(context, state, previous, previous.written, in_place=True).todo(outputs)
        context.keep_keys()
        return True
    finally:
        if collecting:
            gc.enable()


def _save(memory: CacheMemory | None, save: Callable[[], None]) -> None:
    """Save the cache of a build whose site is written: now, or when `memory` says (see CacheMemory.save)."""
    if memory is None:
        save()
    else:
        memory.save(save)


def _notices(config: Config) -> tuple[str, ...]:
    return () if config.base_url else (NO_SITEMAP,)


def _changed_files(previous: BuildState, state: BuildState) -> tuple[str, ...]:
    """The files whose stamps differ from the last build's: written anew (a new inode), added or removed."""
    before, after = previous.written, state.written
    return tuple(sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path)))


def _changed_notes(context: PageContext, previous: BuildState, cache: BuildCache) -> list[str]:
    """The slugs of the notes whose files are new or changed since the last build."""
    last = previous.inputs
    changed = {name for name, (_, digest) in cache.inputs.items() if name not in last or last[name][1] != digest}
    return [parsed.note.slug for parsed in context.site.notes if parsed.note.source in changed]


def _intact_files(previous: BuildState, output: Path) -> dict[str, Stamp]:
    """The files the last build wrote that are still as it left them."""
    folder = f"{output}/"
    return {path: expected for path, expected in previous.written.items() if stamp(folder + path) == expected}
