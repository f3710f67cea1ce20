"""CPU per note of three stages alone: parsing, note pages and the search index (issue 17).

    .venv/bin/python benchmarks/stage_cost.py parse ROOT [--notes N] [--repeat K] [--skip S]
    .venv/bin/python benchmarks/stage_cost.py parse-stage ROOT [--notes N] [--serial]
    .venv/bin/python benchmarks/stage_cost.py pages ROOT [--repeat K]
    .venv/bin/python benchmarks/stage_cost.py search ROOT [--notes N] [--repeat K] [--site FILE]

`parse` loads the first N notes of the site at ROOT (sorted by path, after skipping S) and parses each, K times,
with the formula and code-block memos emptied before each round: the minimum CPU time per note, which other work
on a shared machine inflates least. `parse-stage` runs the parse stage once as a cold build does (its
.llmnotes-cache removed first; nothing saved): the first N documents loaded and parsed in worker processes (or, with
--serial, in this one), and shows the CPU of the workers and of this process, per note. A least of several rounds
and warm memos make `parse` lower than one pass of the stage: compare it with `parse --repeat 1`.

`pages` builds ROOT cold (its .llmnotes-cache removed before and after) into a scratch folder, worker processes
off and broken links allowed, then renders every note page again K times from the same site: the minimum CPU time
per page. The rounds reuse the preview cards made during the build, as the pages of one folder share them in a
build.

`search` compiles ROOT cold (parsed and linked, no output written; or reads the site pickled in FILE by an earlier
run, so that two versions of llmnotes are timed on the same site), then times two parts of the search index: a
document's entry (`index_entry`, what the worker processes do) over the first N documents, and what the main
process does with every document's entry (the postings, the index files, and pickling the postings the cache
keeps): the least CPU time of K rounds of each.

Under `valgrind --tool=callgrind`, the difference of the instruction counts of two runs with different --notes
(e.g. 1 and 101) gives the instructions per note, which do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import tempfile
import time
from pathlib import Path


def parse_cost(root: Path, notes_wanted: int, repeat: int, skip: int) -> str:
    from llmnotes.config import load_config
    from llmnotes.content.compile import _parser
    from llmnotes.content.load import load_note
    from llmnotes.content.parse import parse_note
    from llmnotes.i18n import interface_strings
    from llmnotes.markdown import highlight, math

    config = load_config(root)
    folder = config.notes_path
    paths = sorted(folder.rglob("*.md"))[skip : skip + notes_wanted]
    loaded = (load_note(path, root, "note", path.relative_to(folder).as_posix())[0] for path in paths)
    notes = [note for note in loaded if note is not None]
    md = _parser(config.raw_html, tuple(interface_strings(config.language, config).items()))
    gc.disable()
    best = float("inf")
    for _ in range(repeat):
        math._converted.cache_clear()
        memo = getattr(highlight, "_highlighted", None)  # older sources have no code-block memo
        if memo is not None:
            memo.cache_clear()
        started = time.process_time()
        for note in notes:
            parse_note(note, md)
        best = min(best, time.process_time() - started)
    return f"{len(notes)} notes parsed, least of {repeat} rounds: {best / max(len(notes), 1) * 1000:.3f} ms CPU a note"


def pages_cost(root: Path, repeat: int) -> str:
    import llmnotes.engine.parallel as parallel
    from llmnotes.emit import note as note_page
    from llmnotes.engine.build import build

    parallel.MIN_ITEMS = 1 << 62  # every output rendered in this process
    calls: list[tuple] = []
    render = note_page._render

    def recording(*args: object) -> tuple[bytes, str]:
        calls.append(args)
        return render(*args)

    note_page._render = recording  # emit() binds it when the build plans the pages
    with tempfile.TemporaryDirectory(prefix="llmnotes-stage-cost-") as scratch:
        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)
        build(root, Path(scratch) / "site", strict=False)
        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)
    gc.disable()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for args in calls:
            render(*args)
        best = min(best, time.process_time() - started)
    return f"{len(calls)} note pages, least of {repeat} rounds: {best / max(len(calls), 1) * 1000:.3f} ms CPU a page"


def search_cost(root: Path, notes_wanted: int, repeat: int, site_file: Path | None) -> str:
    import pickle
    import sys

    from llmnotes.features import search

    sys.setrecursionlimit(100_000)  # a site's notes refer to one another
    if site_file is not None and site_file.exists():
        site = pickle.loads(site_file.read_bytes())
    else:
        from llmnotes.content.compile import compile_site
        from llmnotes.engine.build import open_project

        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="llmnotes-stage-cost-") as scratch:
            site = compile_site(open_project(root, Path(scratch) / "site", strict=False))[0].site
        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)
        if site_file is not None:
            site_file.write_bytes(pickle.dumps(site, protocol=pickle.HIGHEST_PROTOCOL))
    documents, order = search.indexed_documents(site)
    some = documents[:notes_wanted]
    gc.disable()
    entry = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for document in some:
            search.index_entry(document, site)
        entry = min(entry, time.process_time() - started)
    entries = [search.index_entry(document, site) for document in documents]
    together = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        state = search.index_state([search.batch_of(range(len(entries)), entries)])
        search.index_files(state, order)
        pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        together = min(together, time.process_time() - started)
        del state
        gc.collect()
    return (
        f"{len(some)} entries, least of {repeat} rounds: {entry / max(len(some), 1) * 1000:.3f} ms CPU a document;"
        f" the main process's part for all {len(documents)}: {together:.2f} s"
        f" ({together / max(len(documents), 1) * 1000:.3f} ms a document)"
    )


def parse_stage_cost(root: Path, notes_wanted: int, serial: bool) -> str:
    import resource
    from dataclasses import replace

    from llmnotes.content.compile import parse_all
    from llmnotes.engine import parallel
    from llmnotes.engine.build import open_project
    from llmnotes.engine.cache import CACHE_DIR

    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    if serial:
        parallel.MIN_ITEMS = 1 << 62
    gc.disable()  # as a build does
    project = open_project(root)
    inputs = replace(project.inputs, documents=project.inputs.documents[:notes_wanted])
    count = len(inputs.documents)
    before = resource.getrusage(resource.RUSAGE_SELF)
    parse_all(project.config, inputs, project.cache, lambda stage, done, total: None)
    after = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    workers_cpu = workers.ru_utime + workers.ru_stime
    return (
        f"{count} documents parsed in {'this process' if serial else 'worker processes'}: the workers"
        f" {workers_cpu * 1000 / max(count, 1):.3f} ms CPU a note (their start included), this process"
        f" {main_cpu * 1000 / max(count, 1):.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("parse", "parse-stage", "pages", "search"))
    parser.add_argument("root", type=Path, help="the site's folder (as for llmnotes build --root)")
    parser.add_argument("--notes", type=int, default=1000, help="parse, parse-stage, search: how many (default 1000)")
    parser.add_argument("--skip", type=int, default=0, help="parse: notes to skip first (default 0)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the least is shown (default 3)")
    parser.add_argument("--serial", action="store_true", help="parse-stage: in this process, no workers")
    parser.add_argument("--site", type=Path, help="search: the compiled site, pickled (written when missing)")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.stage == "parse":
        print(parse_cost(root, args.notes, args.repeat, args.skip))
    elif args.stage == "parse-stage":
        print(parse_stage_cost(root, args.notes, args.serial))
    elif args.stage == "search":
        print(search_cost(root, args.notes, args.repeat, args.site))
    else:
        print(pages_cost(root, args.repeat))


if __name__ == "__main__":
    main()
