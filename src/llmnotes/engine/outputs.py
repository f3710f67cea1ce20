"""Render the outputs whose inputs changed (in workers), or let them update themselves, and write the site."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Any

from ..emit import all_outputs, first_outputs, open_pages, other_outputs, shown_first
from ..emit.context import CHECK_CARRIED, PageContext
from ..features.search_format import ROOT
from ..model import Gone, Output, Page
from ..paths import note_slug
from .cache import BuildCache, BuildState, Stamp, content_digest, output_key, stamp, templates_digest
from .parallel import run_all
from .progress import Progress
from .write import SiteWriter


def render_and_write(
    context: PageContext,
    state: BuildState,
    previous: BuildState,
    intact: dict[str, Stamp],
    output: Path,
    in_place: bool,
    report: Progress,
) -> tuple[int, int]:
    """Render the outputs whose inputs changed and write the files whose bytes changed; fills `state`.

    The outputs quick to key and long to render go first (`first_outputs`: the search index's patch, the pages
    that list every note): the workers render them while this process works out the keys of the ten thousand
    others (a page per note). The search index made afresh, in pieces, waits for the others' workers."""
    writer = SiteWriter(output, replace_all=not in_place)
    on_disk = {}
    if in_place:
        old_files = {path: file_digest for _, files in previous.outputs.values() for path, file_digest in files}
        on_disk = {path: file_digest for path, file_digest in old_files.items() if path in intact}
    plan = Plan(context, state, previous, intact, in_place)
    staged: list[str] = []
    try:
        firsts = first_outputs(context)
        first = plan.todo(firsts)
        pieced = [item for item in first if item.pieces and item.name not in plan.updatable]
        # Stable, the longest first: the index's patch, then the pages that list every note.
        first = sorted(
            (item for item in first if item not in pieced), key=lambda job: (not job.alone, not job.lists_all)
        )
        heavy = sum(item.lists_all or item.alone for item in first)
        render = RenderJob(context, firsts, on_disk, writer, plan.updatable, retry_in_pieces=True)
        sending = worker_setup(context)
        early = run_all(render, [item.name for item in first], heavy=heavy, single=len(first), sending=sending)
        try:
            others = other_outputs(context, firsts)
            todo = plan.todo(others)
            context.keep_keys()
            total = len(first) + len(pieced) + len(todo)
            for item, result in zip(first, early, strict=True):
                if result is None:  # its update could not be made: it is made afresh, in pieces, with the others
                    del plan.updatable[item.name]
                    pieced.append(item)
                    continue
                staged += plan.finish(item, *result)
                report("render", plan.done, total)
        finally:
            early.close()  # the workers end here, whatever happened
        others_job = RenderJob(context, [*pieced, *others], on_disk, writer, plan.updatable)
        staged += _render_others(plan, others_job, [*pieced, *todo], total, report)
        produced = {path for _, files in state.outputs.values() for path, _ in files}
        stamps = writer.commit(staged, stale=[path for path in previous.written if path not in produced])
    except BaseException:
        writer.abort()
        raise
    state.written.update({path: intact[path] for path in produced if path in intact and path not in stamps})
    state.written.update(stamps)
    return total, len(stamps)


@dataclass(frozen=True, slots=True)
class FirstLook:
    """What the reader of the notes an edit changed loads, known before the rest of the build renders: the files
    that will change, with their new bytes, and those that will not."""

    changed: dict[str, bytes]  # path in the site -> the bytes this build will write there
    settled: frozenset[str]  # paths whose bytes this build leaves as they are
    gone: frozenset[str] = frozenset()  # paths of the pages of notes deleted, which this build removes


def look_first(
    context: PageContext, state: BuildState, previous: BuildState, output: Path, slugs: list[str]
) -> FirstLook:
    """What the pages of `slugs` load (see emit.shown_first): an output whose key is the last build's and whose files
    are as it left them is settled; the others are rendered and compared with the site on disk. A server shows an
    edit's own page while it works out the other outputs' keys and renders the pages that list every note (0.6 s of
    a title edit at 10,000 notes), which the reader is not looking at."""
    return _look(context, state, previous, output, shown_first(context, slugs))


def look_at_open(
    context: PageContext, state: BuildState, previous: BuildState, output: Path, paths: Collection[str]
) -> FirstLook:
    """`look_first` at the pages open in a server's browsers (`paths`, but those it has looked at already) that render
    alone (see emit.open_pages): a tag's page open while its template is edited showed 1.2 s after the save at
    10,000 notes, once the build had rendered every tag's page. The page of a note deleted is gone."""
    look = _look(context, state, previous, output, open_pages(context, paths))
    notes = context.site.by_slug
    gone = [path for path in paths if (slug := note_slug(path)) is not None and slug not in notes]
    return replace(look, gone=frozenset(path for path in gone if path in previous.outputs))


def _look(
    context: PageContext, state: BuildState, previous: BuildState, output: Path, items: list[Output]
) -> FirstLook:
    changed: dict[str, bytes] = {}
    settled: set[str] = set()
    for item in items:
        old = previous.outputs.get(item.name)
        if item.key is not None and old is not None and previous.site_key == state.site_key:
            templates = templates_digest(context.theme, previous.templates.get(item.name, ()))
            files = [path for path, _ in old[1]]
            if old[0] == output_key(state.site_key, item.key, templates) and all(
                stamp(output / path) == previous.written.get(path) for path in files
            ):
                settled.update(files)
                continue
        for page in item.render():
            file = output / page.path
            if file.is_file() and file.read_bytes() == page.content:
                settled.add(page.path)
            else:
                changed[page.path] = page.content
    return FirstLook(changed, frozenset(settled))


def _render_others(plan: Plan, render: RenderJob, todo: list[Output], total: int, report: Progress) -> list[str]:
    """Render `todo`, outputs in pieces first: their pieces to the workers, the rest in this process while the
    workers render the pages (see Output.pieces). An output that patches its files does that instead, alone."""
    context = render.context
    pieced = [item for item in todo if item.pieces and item.piece and item.assemble and item.name not in plan.updatable]
    todo = [item for item in todo if item not in pieced]
    # Stable: the large jobs last, in their order; pages that list every note first, each to a worker of its own.
    todo.sort(key=lambda job: (job.alone, not job.lists_all))
    heavy = sum(item.lists_all and not item.alone for item in todo)
    alone = sum(item.alone for item in todo)
    counts = [item.pieces() for item in pieced]  # type: ignore[misc]
    jobs: list[Job] = [(item.name, n) for item, count in zip(pieced, counts, strict=True) for n in range(count)]
    names = [item.name for item in todo]
    single = len(jobs) + heavy
    results = run_all(render, [*jobs, *names], alone=alone, single=single, heavy=heavy, sending=worker_setup(context))
    staged: list[str] = []
    for item, count in zip(pieced, counts, strict=True):
        context.renderer.take_used()
        files = _stage(item.assemble(islice(results, count)), render.on_disk, render.writer)  # type: ignore[misc]
        staged += plan.finish(item, files, context.renderer.take_used())
        report("render", plan.done, total)
    for item, (files, templates) in zip(todo, results, strict=True):
        staged += plan.finish(item, files, templates)
        report("render", plan.done, total)
    return staged


def worker_setup(context: PageContext) -> int:
    """What a render worker that is not forked costs before its first output, in outputs' worth (a page renders in
    2 ms): started from a forkserver that must first load llmnotes (0.5 s), it unpickles the site and lists the
    outputs again with their keys (1.3 s for two at 10,000 notes). A server's edit of the tag page's template
    rendered its 200 pages in 2.0 s at 10,000 notes, 0.8 s alone; in 1.2 s at 1,500 notes, 0.4 s alone."""
    return WORKER_START + len(context.site.notes) // NOTES_PER_SETUP_OUTPUT


WORKER_START, NOTES_PER_SETUP_OUTPUT = 250, 15  # see `worker_setup`
_OUTPUT_KEYS = "output keys"  # see Plan._key
_STATE_OUTPUTS = "state outputs"  # the last build's `BuildState.outputs` (see Plan.taken)


class Plan:
    """Which outputs to render, by their keys against the last build's, and what they made: fills the state."""

    def __init__(
        self, context: PageContext, state: BuildState, previous: BuildState, intact: dict[str, Stamp], in_place: bool
    ) -> None:
        self.theme = context.theme
        self.state, self.previous, self.intact, self.in_place = state, previous, intact, in_place
        self.updatable: dict[str, Kept] = {}  # output -> its parts' keys and its files at the last build
        self.digests: dict[tuple[str, ...], str] = {}  # pages of a kind share their templates: one digest per set
        self.done = 0
        # (output's key, templates' digest) -> `output_key`: this build's, and in a server the last build's
        self.keys: dict[tuple[tuple, str], str] = {}
        self.last_keys: dict[tuple[tuple, str], str] = {}
        # The outputs an emitter took whole from this process's last build (see PageContext.taken), and what that
        # build's state recorded of each: while the site-wide inputs and the theme are the same, such an output whose
        # entry in the last state is still that very one has the same key, and is kept without working it out.
        self.taken: set[str] = set()
        self.last_outputs: dict[str, tuple] = {}
        if context.kept_keys is not None:
            last = context.kept_keys.get(_OUTPUT_KEYS)
            self.last_keys = last[1] if last is not None and last[0] == state.site_key else {}
            context.next_keys[_OUTPUT_KEYS] = (state.site_key, self.keys)
            if in_place and previous.site_key == state.site_key and previous.theme == state.theme:
                self.taken, self.last_outputs = context.taken, context.kept_keys.get(_STATE_OUTPUTS) or {}
            context.next_keys[_STATE_OUTPUTS] = state.outputs

    def _templates(self, names: tuple[str, ...]) -> str:
        found = self.digests.get(names)
        if found is None:
            found = self.digests[names] = templates_digest(self.theme, names)
        return found

    def _key(self, item: Output, templates: tuple[str, ...]) -> str | None:
        """The output's key in the build state. In a server, taken from the last build's while the output's own
        key, its templates and the site key are the same: 10,000 digests took 0.03 s of every edit."""
        if item.key is None:
            return None
        known = (item.key, self._templates(templates))
        found = self.keys.get(known) or self.last_keys.get(known)
        if found is None or CHECK_CARRIED:
            made = output_key(self.state.site_key, *known)
            if found is not None and found != made:
                raise AssertionError(f"the key of {item.name} carried over from the last build is not its key")
            found = made
        self.keys[known] = found
        return found

    def todo(self, outputs: list[Output]) -> list[Output]:
        """The outputs to render: their keys changed, or their files did. The others' files are kept."""
        state, previous, intact, in_place = self.state, self.previous, self.intact, self.in_place
        todo = []
        taken, last_outputs = self.taken, self.last_outputs
        for item in outputs:
            old = previous.outputs.get(item.name)
            templates = previous.templates.get(item.name, ())
            if item.name == ROOT:
                state.search_keys = item.key or ()
            if item.parts:
                state.parts[item.name] = item.parts
            files = old[1] if old is not None else ()
            # most outputs are one file: spared a generator each, ten thousand times a build
            if len(files) == 1:
                files_intact = files[0][0] in intact
            else:
                files_intact = old is not None and all(path in intact for path, _ in files)
            # An output an emitter took whole (see `taken`) is kept without working its key out: 10,000 note pages
            # keyed again took a title edit's server 0.02 s.
            if old is not None and files_intact and item.name in taken and old is last_outputs.get(item.name):
                if CHECK_CARRIED and self._key(item, templates) != old[0]:
                    raise AssertionError(f"the key of {item.name}, taken whole from the last build, is not its key")
                self._keep(item.name, old, templates)
                continue
            key = self._key(item, templates)
            if in_place and key is not None and old is not None and old[0] == key and files_intact:
                self._keep(item.name, old, templates)
            else:
                todo.append(item)
                old_parts = previous.parts.get(item.name)
                same_site = previous.site_key == state.site_key  # parts' keys hold only what is their own
                if in_place and same_site and item.update and old_parts and old and files_intact:
                    self.updatable[item.name] = (old_parts, old[1])  # its files are as the last build wrote them
        return todo

    def _keep(self, name: str, old: tuple, templates: tuple[str, ...]) -> None:
        """Record an output as the last build left it: its key, files, templates and where its body is."""
        state = self.state
        state.outputs[name] = old
        if templates:
            state.templates[name] = templates
        for path, _ in old[1]:
            span = self.previous.spans.get(path)
            if span is not None:
                state.spans[path] = span

    def finish(self, item: Output, files: list[Staged], templates: tuple[str, ...]) -> list[str]:
        """Record what `item` made; the paths of the files it staged."""
        state = self.state
        if templates:
            state.templates[item.name] = templates
        state.outputs[item.name] = (self._key(item, templates), tuple((path, digest) for path, digest, _, _ in files))
        state.spans.update((path, span) for path, _, _, span in files if span)
        self.done += 1
        return [path for path, _, wrote, _ in files if wrote]


class RenderJob:
    """Render an output by name, and stage each file unless the site already holds its bytes: (path, digest, staged,
    body span) per file. Runs in worker processes; the bytes never travel back to the main one.

    Outputs render through closures over the page context, which do not pickle: a worker that is not forked
    receives the context (the site, and the keys and cards worked out so far) and makes the outputs again, once.
    With `retry_in_pieces`, an output in pieces whose update cannot be made gives None instead of rendering: the
    engine makes it in pieces, over the workers, which a worker cannot have.
    """

    def __init__(
        self,
        context: PageContext,
        outputs: list[Output],
        on_disk: dict[str, str],
        writer: SiteWriter,
        updatable: dict[str, Kept],
        retry_in_pieces: bool = False,
    ) -> None:
        self.context = context
        self.outputs: dict[str, Output] | None = {item.name: item for item in outputs}
        self.on_disk = on_disk  # path -> digest of the files the output already holds, as the last build wrote them
        self.writer = writer
        self.updatable = updatable  # output -> its parts' keys and files on disk (see Output.update)
        self.retry_in_pieces = retry_in_pieces

    def __getstate__(self) -> tuple:
        # the cache stays here, and what it carries from build to build
        context = replace(
            self.context,
            search_entries=None,
            carried={},
            kept_keys=None,
            next_keys={},
        )
        return (context, self.on_disk, self.writer, self.updatable, self.retry_in_pieces)

    def __setstate__(self, state: tuple) -> None:
        self.context, self.on_disk, self.writer, self.updatable, self.retry_in_pieces = state
        self.outputs = None

    def __call__(self, job: Job) -> Any:
        """The output's files, and the templates they were rendered with; or, for (name, number), the result of
        that piece of the output (see Output.pieces)."""
        if self.outputs is None:
            self.outputs = {item.name: item for item in all_outputs(self.context)}
        if isinstance(job, tuple):
            name, number = job
            return self.outputs[name].piece(number)  # type: ignore[misc]
        return self._render(self.outputs[job])

    def _render(self, item: Output) -> tuple[list[Staged], tuple[str, ...]] | None:
        renderer = self.context.renderer
        renderer.take_used()
        if item.update is not None and item.name in self.updatable:
            old_parts, old_files = self.updatable[item.name]
            updated = item.update(self.writer.read_kept, old_parts)
            if updated is not None:
                pages = [page for page in updated if isinstance(page, Page)]
                gone = {page.path for page in updated if isinstance(page, Gone)}
                made = {file[0]: file for file in _stage(pages, self.on_disk, self.writer)}
                # The files it did not make again or take away are as the last build wrote them, in their order.
                kept = [made.pop(path, (path, digest, False, None)) for path, digest in old_files if path not in gone]
                return [*kept, *made.values()], renderer.take_used()
            if self.retry_in_pieces and item.pieces:
                return None
        if item.lists_all or item.keeps_partials:  # its thousands of partials, of which an edit changes a few
            with renderer.keeping_fragments(item.name, item.lists_all):
                pages = item.render()
        else:
            pages = item.render()
        return _stage(pages, self.on_disk, self.writer), renderer.take_used()


Kept = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]  # an output's parts' keys, and its (path, digest) files
Job = str | tuple[str, int]  # an output to render, by name, or a piece of one
Staged = tuple[str, str, bool, tuple[int, int] | None]  # a file's path, digest, whether written, body span


def _stage(pages: list[Page], on_disk: dict[str, str], writer: SiteWriter) -> list[Staged]:
    files = []
    for page in pages:
        file_digest = content_digest(page.content)
        stage = on_disk.get(page.path) != file_digest
        if stage:
            writer.write(page.path, page.content)
        files.append((page.path, file_digest, stage, page.body_span))
    return files


def save_records(context: PageContext, cache: BuildCache, previous: BuildState, state: BuildState) -> str:
    """Keep what the next build needs to take an edit of notes' bodies alone the quick way (see `body_edits`)."""
    from .body_edits import save_records

    return save_records(context, cache, previous, state)
