"""CPU per note of two stages alone, in one process: parsing, and rendering note pages (issue 17).

    .venv/bin/python benchmarks/stage_cost.py parse ROOT [--notes N] [--repeat K] [--skip S]
    .venv/bin/python benchmarks/stage_cost.py pages ROOT [--repeat K]

`parse` loads the first N notes of the site at ROOT (sorted by path, after skipping S) and parses each, K times,
with the formula and code-block memos emptied before each round: the minimum CPU time per note, which other work
on a shared machine inflates least. `pages` builds ROOT cold (its .llmnotes-cache removed before and after) into a
scratch folder, worker processes off and broken links allowed, then renders every note page again K times from
the same site: the minimum CPU time per page. The rounds reuse the preview cards made during the build, as the
pages of one folder share them in a build.

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
    from llmnotes.markdown import highlight, math

    config = load_config(root)
    folder = config.notes_path
    paths = sorted(folder.rglob("*.md"))[skip : skip + notes_wanted]
    loaded = (load_note(path, root, "note", path.relative_to(folder).as_posix())[0] for path in paths)
    notes = [note for note in loaded if note is not None]
    md = _parser(config.raw_html, config.language)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("parse", "pages"))
    parser.add_argument("root", type=Path, help="the site's folder (as for llmnotes build --root)")
    parser.add_argument("--notes", type=int, default=1000, help="parse: how many notes (default 1000)")
    parser.add_argument("--skip", type=int, default=0, help="parse: notes to skip first (default 0)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the least is shown (default 3)")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.stage == "parse":
        print(parse_cost(root, args.notes, args.repeat, args.skip))
    else:
        print(pages_cost(root, args.repeat))


if __name__ == "__main__":
    main()
