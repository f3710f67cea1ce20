"""Where a cold build's CPU goes, per note: by stage, and within each stage by whose code runs (a library or ours).

Runs `llmnotes build` on a notes folder under py-spy (every process: the main one and its workers), then sorts each
sample by the stage it was taken in and by the innermost frame that belongs to a library (markdown-it-py with
mdit-py-plugins and linkify, Pygments, latex2mathml, Jinja with MarkupSafe and the compiled templates, PyYAML) or to
llmnotes; standard-library frames count for whoever called them. Samples of the main process waiting on its workers
are left out. py-spy slows what it samples a little: the totals run above `run.py`'s CPU, the shares hold.

    .venv/bin/pip install py-spy
    .venv/bin/python benchmarks/account.py benchmarks/corpus/10000/llmnotes
    .venv/bin/python benchmarks/account.py benchmarks/corpus/real-3751/site --no-strict
    .venv/bin/python benchmarks/account.py --samples FILE --notes 3751    # a saved py-spy raw file again
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

RATE = 100  # samples a second per process

WAITS = (  # the main process blocked on its workers, and the pool's own threads
    "IMapIterator.next",
    "_PollLikeSelector.select",
    "Condition.wait",
    "Connection._recv",
    "wait (threading",
    "Event.wait",
    "Pool._handle_workers",
    "Pool._handle_results",
    "Pool._handle_tasks",
    "Popen.poll",
)
LIBRARIES = (
    ("markdown_it/", "markdown-it-py"),
    ("mdit_py_plugins/", "markdown-it-py"),
    ("linkify_it/", "markdown-it-py"),
    ("pygments/", "Pygments"),
    ("latex2mathml/", "latex2mathml"),
    ("jinja2/", "Jinja"),
    ("markupsafe/", "Jinja"),
    (".html:", "Jinja"),  # a compiled template's own frames
    (".xml:", "Jinja"),
    ("yaml/", "PyYAML"),
)
# The first frame of a sample's stack (outermost first) that names one of these decides its stage.
STAGES = (
    ("_load_and_parse", "parse"),
    ("parse_all", "parse"),
    ("link_site", "link"),
    ("assemble_site", "link"),
    ("IndexJob.piece ", "search index: entries (workers)"),
    ("index_entry", "search index: entries (workers)"),
    ("IndexJob.assemble", "search index: postings and encoding (main)"),
    ("index_files", "search index: postings and encoding (main)"),
    ("emit/note.py", "note pages"),
    ("emit/bibliography.py", "BibTeX files"),
    ("emit/tags.py", "tag pages and tag index"),
    ("emit/home.py", "home and year pages"),
    ("emit/timeline.py", "timeline, lineage, feed, nav"),
    ("emit/lineage.py", "timeline, lineage, feed, nav"),
    ("emit/feed.py", "timeline, lineage, feed, nav"),
    ("emit/nav.py", "timeline, lineage, feed, nav"),
    ("all_outputs", "planning the outputs"),
    ("save_records", "cache and state"),
    ("BuildCache.save", "cache and state"),
    ("_find_and_load", "imports"),
    ("scan_inputs", "scan"),
)


def stage_of(frames: list[str]) -> str:
    if any("SiteWriter." in frame for frame in frames[-2:]):
        return "writing files"
    joined = ";".join(frames)
    for marker, stage in STAGES:
        if marker in joined:
            return stage
    return "other (sending work and results between processes, digests)"


def owner_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for marker, library in LIBRARIES:
            if marker in frame:
                return library
        if "llmnotes/" in frame:
            return "llmnotes"
    return "llmnotes"


def account(samples: Path) -> tuple[Counter[tuple[str, str]], int]:
    """(stage, owner) -> samples, and all samples counted."""
    counts: Counter[tuple[str, str]] = Counter()
    total = 0
    for line in samples.read_text(encoding="utf-8").splitlines():
        stack, _, number = line.rpartition(" ")
        frames = stack.split(";")
        # A forked worker's stack starts with the main process's frames at the fork: keep the worker's own.
        starts = [n for n, frame in enumerate(frames) if frame.startswith("BaseProcess._bootstrap ")]
        if starts:
            frames = frames[starts[-1] :]
        if any(wait in frame for frame in frames[-3:] for wait in WAITS):
            continue
        counts[stage_of(frames), owner_of(frames)] += int(number)
        total += int(number)
    return counts, total


def report(counts: Counter[tuple[str, str]], total: int, notes: int) -> str:
    def ms(samples: int) -> str:
        return f"{samples / RATE * 1000 / notes:.2f}"

    owners: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    for (stage, owner), samples in counts.items():
        owners[owner] += samples
        stages[stage] += samples
    lines = [
        f"{total / RATE:.1f} s of CPU sampled, {ms(total)} ms a note ({notes} notes)",
        "",
        "| stage | ms a note | of which, by whose code |",
        "| --- | ---: | --- |",
    ]
    for stage, samples in stages.most_common():
        parts = ", ".join(f"{o} {ms(c)}" for (s, o), c in counts.most_common() if s == stage)
        lines.append(f"| {stage} | {ms(samples)} | {parts} |")
    lines.append(f"| **all** | **{ms(total)}** | {', '.join(f'{o} {ms(c)}' for o, c in owners.most_common())} |")
    return "\n".join(lines)


def record(folder: Path, build_args: list[str], samples: Path) -> int:
    """Build the folder cold under py-spy into a scratch output; the number of notes the build reports."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        sys.exit("account.py needs py-spy: .venv/bin/pip install py-spy")
    shutil.rmtree(folder / ".llmnotes-cache", ignore_errors=True)
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "llmnotes", "build", "--root", str(folder), "--out", f"{out}/site"]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        spied = [spy, "record", "--subprocesses", "--format", "raw", "-r", str(RATE), "-o", str(samples), "--"]
        done = subprocess.run([*spied, *command, *build_args], env=env, capture_output=True, text=True, check=True)
    shutil.rmtree(folder / ".llmnotes-cache", ignore_errors=True)
    built = [line for line in done.stdout.splitlines() if line.startswith("built ")]
    return int(built[-1].split()[1]) if built else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="the site's folder (its notes and configuration)")
    parser.add_argument("--samples", type=Path, help="a py-spy raw file: read it instead of building")
    parser.add_argument("--notes", type=int, help="notes to divide by (default: what the build reports)")
    arguments, build_args = parser.parse_known_args()
    if arguments.samples is None:
        if arguments.folder is None:
            parser.error("give a folder to build, or --samples")
        arguments.samples = Path(tempfile.mkstemp(suffix=".txt", prefix="account-")[1])
        built = record(arguments.folder.resolve(), build_args, arguments.samples)
        print(f"samples kept in {arguments.samples}")
        notes = arguments.notes or built
    else:
        notes = arguments.notes or 1
    print(report(*account(arguments.samples), notes))


if __name__ == "__main__":
    main()
