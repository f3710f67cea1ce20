"""Time `llmnotes build` (cold, warm, one note edited) and the installed peers (cold) on the synthetic corpus.

    .venv/bin/python benchmarks/run.py --sizes 100,1000,10000 [--json results.json] [--timeout 1200]

For each size it generates benchmarks/corpus/<size>/ if missing (see generate.py), then runs, one at a time:

  llmnotes cold   output folder and any .llmnotes-cache removed first
  llmnotes warm   the same command again, nothing changed
  llmnotes edit   one sentence appended to one note, then the same command (the note is restored afterwards)
  hugo, eleventy, pelican, mkdocs   cold (output and caches removed), each only if installed (install-peers.sh)

and prints a Markdown table. Each command runs as a child process in its own session; its figures are:

  wall     time.perf_counter() from spawn to exit
  CPU      user + system time of the child and every descendant it waited for (os.wait4 rusage)
  peak     ru_maxrss from os.wait4: the peak RSS of the *largest single process* of the tree (Linux reports the
           max over the child and its waited-for descendants, not their sum)
  tree     the largest sum of RSS over all processes of the child's session, sampled every 0.1 s from /proc;
           it can miss short spikes, but it counts worker processes together

"Cold" means no output folder and no tool cache; the operating system's file cache is warm (the corpus was
just written or read), since dropping it would need privileges and would disturb other work on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import floor  # noqa: E402
import generate  # noqa: E402

REPO = HERE.parent
LLMNOTES = REPO / ".venv" / "bin" / "llmnotes"
PEERS_VENV = HERE / ".peers-venv" / "bin"
ELEVENTY = HERE / "node_modules" / ".bin" / "eleventy"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
EDIT_SENTENCE = "\n补充一句：this sentence was appended by the benchmark to time a one-note rebuild。\n"


@dataclass
class Measurement:
    size: int
    tool: str
    run: str  # cold, warm, edit
    wall: float | None = None
    cpu: float | None = None
    peak_mb: float | None = None  # largest single process (wait4 ru_maxrss)
    tree_mb: float | None = None  # sampled sum over the process session
    files: int | None = None
    status: str = "ok"  # ok, exit N, timeout, missing
    detail: str = ""
    repeats: list[dict] = field(default_factory=list)


# ---- measuring one command --------------------------------------------------------------------------------------


def _session_rss(sid: int) -> int:
    """Sum of RSS (bytes) over every process whose session id is `sid`."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            if int(fields[3]) != sid:  # fields after the name: state ppid pgrp session ...
                continue
            with open(f"/proc/{entry.name}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(cmd: list[str], cwd: Path, timeout: float, log: Path, env: dict[str, str] | None = None) -> dict:
    """Run `cmd` in its own session; wall, CPU, peak RSS, sampled tree RSS, exit status."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        out.write(("$ cd " + str(cwd) + " && " + " ".join(cmd) + "\n").encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        peak_tree = 0
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            nonlocal peak_tree
            while not done.wait(0.1):
                peak_tree = max(peak_tree, _session_rss(proc.pid))
                if time.perf_counter() - started > timeout:
                    timed_out.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(ProcessLookupError, PermissionError):  # end what the session left behind, if any
        os.killpg(proc.pid, signal.SIGKILL)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # KiB on Linux
        "tree_mb": peak_tree / 2**20,
        "returncode": proc.returncode,
        "timed_out": timed_out.is_set(),
        "last_line": tail[-1] if len(tail) > 1 else "",
    }


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder)) if folder.is_dir() else 0


# ---- the tools --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    layout: str  # the corpus sub-folder it builds
    command: list[str]  # run in corpus/<size>/<layout>/; OUT is replaced by the output folder
    caches: tuple[str, ...] = ()  # folders (relative to the layout) removed before a cold run
    installed: bool = True
    env: dict[str, str] | None = None


def tools(snapshot: Path | None = None) -> list[Tool]:
    hugo = shutil.which("hugo")
    if snapshot is None:
        llmnotes = Tool("llmnotes", "llmnotes", [str(LLMNOTES), "build", "--root", ".", "--out", "OUT"])
    else:  # the copied src/ shadows the editable install; its templates/ sits beside it, as in a checkout
        llmnotes = Tool(
            "llmnotes",
            "llmnotes",
            [str(REPO / ".venv" / "bin" / "python"), "-m", "llmnotes", "build", "--root", ".", "--out", "OUT"],
            env={**os.environ, "PYTHONPATH": str(snapshot / "src")},
        )
    llmnotes = Tool(llmnotes.name, llmnotes.layout, llmnotes.command, (".llmnotes-cache",), True, llmnotes.env)
    lenient = [*llmnotes.command, "--no-strict"]
    material = PEERS_VENV / "python"
    has_material = material.exists() and subprocess.run([material, "-c", "import material"]).returncode == 0
    return [
        llmnotes,
        # the same notes with about three dead links each, built as a real site is: --no-strict
        Tool("llmnotes-broken", "llmnotes-broken", lenient, llmnotes.caches, True, llmnotes.env),
        # the real-shaped mkdocs-material folder (generate.write_real), read by llmnotes through its mkdocs.yml
        Tool("llmnotes-real", "site", lenient, llmnotes.caches, True, llmnotes.env),
        Tool(
            "mkdocs-material",
            "site",
            [str(PEERS_VENV / "mkdocs"), "build", "-q", "-d", "OUT"],
            (),
            has_material,
        ),
        Tool(
            "hugo",
            "hugo",
            [hugo or "hugo", "--quiet", "--destination", "OUT", "--cacheDir", "OUT.hugo-cache"],
            ("resources",),
            hugo is not None,
        ),
        Tool("eleventy", "eleventy", [str(ELEVENTY), "--quiet", "--output=OUT"], (".cache",), ELEVENTY.exists()),
        Tool(
            "pelican",
            "pelican",
            [str(PEERS_VENV / "pelican"), "content", "-s", "pelicanconf.py", "-o", "OUT", "-q"],
            ("cache", "__pycache__"),
            (PEERS_VENV / "pelican").exists(),
        ),
        Tool(
            "mkdocs",
            "mkdocs",
            [str(PEERS_VENV / "mkdocs"), "build", "-q", "-d", "OUT"],
            (),
            (PEERS_VENV / "mkdocs").exists(),
        ),
    ]


def take_snapshot() -> tuple[Path, str]:
    """Copy src/ and templates/ to a temporary folder, so edits made during a long run do not change what runs."""
    target = Path(tempfile.mkdtemp(prefix="llmnotes-bench-src-"))
    digest = hashlib.sha256()
    for folder in ("src", "templates"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
        for path in sorted((target / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes())
    return target, digest.hexdigest()[:12]


def git_head() -> str:
    """The commit the checkout is on, read from .git (no git command); other engineers may have uncommitted edits."""
    try:
        head = (REPO / ".git" / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = REPO / ".git" / ref
            if ref_file.exists():
                return ref_file.read_text().strip()[:12]
            for line in (REPO / ".git" / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0][:12]
            return "unknown"
        return head[:12]
    except OSError:
        return "unknown"


def versions(snapshot: Path | None = None) -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return "not installed"

    found = {"python": platform.python_version(), "llmnotes": first_line([str(LLMNOTES), "--version"])}
    found["llmnotes_commit"] = git_head()
    found["hugo"] = first_line(["hugo", "version"]) if shutil.which("hugo") else "not installed"
    found["pelican"] = first_line([str(PEERS_VENV / "pelican"), "--version"])
    found["mkdocs"] = first_line([str(PEERS_VENV / "mkdocs"), "--version"])
    found["mkdocs-material"] = next(
        (line for line in _lines([str(PEERS_VENV / "pip"), "show", "mkdocs-material"]) if line.startswith("Version")),
        "not installed",
    )
    found["eleventy"] = first_line([str(ELEVENTY), "--version"])
    found["node"] = first_line(["node", "--version"])
    return found


def _lines(cmd: list[str]) -> list[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return []


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory[1].split()[1] if len(memory) > 1 else "unknown",
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---- one size ---------------------------------------------------------------------------------------------------


def ensure_corpus(size: int, corpus: Path, names: list[str], real: bool = False) -> Path:
    base = corpus / (f"real-{size}" if real else str(size))
    missing = tuple(name for name in names if not (base / f".complete-{name}").exists())
    if missing:
        print(f"generating {size} notes for {', '.join(missing)} …", file=sys.stderr, flush=True)
        if real:
            generate.generate_real(size, corpus)
        else:
            generate.generate(size, corpus, missing)
    return base


def run_once(tool: Tool, base: Path, run: str, timeout: float, logs: Path) -> dict:
    workdir = base / tool.layout
    output = base / "out" / tool.name
    command = [part.replace("OUT", str(output)) if "OUT" in part else part for part in tool.command]
    if run == "cold":
        for folder in (output, Path(f"{output}.hugo-cache"), *(workdir / c for c in tool.caches)):
            shutil.rmtree(folder, ignore_errors=True)
    result = measure(command, workdir, timeout, logs / f"{base.name}-{tool.name}-{run}.log", tool.env)
    result["files"] = count_files(output)
    return result


def summarise(size: int, tool: Tool, run: str, results: list[dict], timeout: float) -> Measurement:
    m = Measurement(size, tool.name, run, repeats=results)
    bad = [r for r in results if r["timed_out"] or r["returncode"] != 0]
    if bad:
        r = bad[0]
        m.status = f"> {timeout / 60:g} min (killed)" if r["timed_out"] else f"exit {r['returncode']}"
        m.detail = r["last_line"][:300]
        m.wall, m.cpu, m.peak_mb, m.tree_mb = r["wall"], r["cpu"], r["peak_mb"], r["tree_mb"]  # until killed
        return m
    m.wall = statistics.median(r["wall"] for r in results)
    m.cpu = statistics.median(r["cpu"] for r in results)
    m.peak_mb = max(r["peak_mb"] for r in results)
    m.tree_mb = max(r["tree_mb"] for r in results)
    m.files = results[-1]["files"]
    m.detail = results[-1]["last_line"][:300] if tool.name == "llmnotes" else ""
    return m


REAL_TOOLS = ("llmnotes-real", "mkdocs-material")


def bench_size(size: int, args: argparse.Namespace, real: bool = False) -> list[Measurement]:
    """Time the chosen tools on the synthetic corpus of `size` notes, or with `real` on the real-shaped one."""
    selected = [t for t in tools(args.snapshot) if t.name in args.tools and (t.name in REAL_TOOLS) == real]
    base = ensure_corpus(size, args.corpus, sorted({t.layout for t in selected if t.installed}), real)
    logs = args.logs
    measurements = []
    for tool in selected:
        if not tool.installed:
            measurements.append(Measurement(size, tool.name, "cold", status="not installed"))
            continue
        runs = ["cold", "warm", "edit"] if tool.name in ("llmnotes", "llmnotes-real") else ["cold"]
        for run in runs:
            results = []
            for _ in range(args.repeat):
                if run == "edit":
                    note = _edited_note(base, tool, size)
                    original = note.read_bytes()
                    note.write_bytes(original + EDIT_SENTENCE.encode("utf-8"))
                    try:
                        results.append(run_once(tool, base, run, args.timeout, logs))
                    finally:
                        note.write_bytes(original)
                else:
                    results.append(run_once(tool, base, run, args.timeout, logs))
                if results[-1]["timed_out"] or results[-1]["returncode"] != 0:
                    break
            m = summarise(size, tool, run, results, args.timeout)
            print(f"  {size:>6} {tool.name:<9} {run:<5} {_fmt(m.wall)} s  {m.status}", file=sys.stderr, flush=True)
            measurements.append(m)
            if m.status != "ok" and tool.name == "llmnotes":
                break  # warm and edit mean nothing after a failed cold build
    return measurements


def _edited_note(base: Path, tool: Tool, size: int) -> Path:
    if tool.layout == "site":  # the real-shaped folder: a note in the middle of the sorted list
        notes = sorted(path for path in (base / "site" / "docs").rglob("*.md") if path.name != "index.md")
        return notes[len(notes) // 2]
    return base / tool.layout / "notes" / f"{generate.slug_of(max(1, size // 2))}.md"


# ---- report -----------------------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def table(measurements: list[Measurement]) -> str:
    lines = [
        "| notes | tool | run | wall (s) | CPU (s) | peak RSS, largest process (MB) | tree RSS, sampled (MB) "
        "| files written | status |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in measurements:
        wall = _fmt(m.wall) if m.status == "ok" else (m.status if m.status.startswith(">") else _fmt(m.wall))
        status = m.status if not m.status.startswith(">") else "timed out"
        if m.detail and m.status != "ok":
            status += f": `{m.detail[:120]}`"
        cpu = _fmt(m.cpu) if m.status == "ok" or m.cpu is None else f"{m.cpu:.2f} until killed"
        lines.append(
            f"| {m.size:,} | {m.tool} | {m.run} | {wall} | {cpu} | {_fmt(m.peak_mb, 0)} "
            f"| {_fmt(m.tree_mb, 0)} | {m.files if m.files is not None else '–'} | {status} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated note counts (default 100,1000)")
    parser.add_argument("--real", default="", help="sizes of the real-shaped corpus to time, e.g. 1000,3751")
    parser.add_argument(
        "--tools",
        default="llmnotes,llmnotes-broken,hugo,eleventy,pelican,mkdocs,llmnotes-real,mkdocs-material",
        help="which tools to time",
    )
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before a run is killed (default 1200)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is reported")
    parser.add_argument("--json", type=Path, help="also write every figure, with machine and versions, here")
    parser.add_argument("--corpus", type=Path, default=generate.DEFAULT_OUT, help="where corpus/<size>/ lives")
    parser.add_argument("--logs", type=Path, default=HERE / "results" / "logs", help="each command's output")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="run llmnotes from a copy of src/ and templates/ taken at the start (for long runs on a busy checkout)",
    )
    parser.add_argument("--report", type=Path, help="print the table of a saved --json run instead of running")
    parser.add_argument(
        "--floor", action="store_true", help="also time the bare library work on each corpus (floor.py) and compare"
    )
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        print(table([_measurement(entry, args.timeout) for entry in saved["results"]]))
        return
    args.tools = [t for t in args.tools.split(",") if t]
    args.corpus = args.corpus.resolve()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    real_sizes = [int(s.replace("_", "")) for s in args.real.split(",") if s]
    info = {"machine": machine(), "versions": versions()}
    if args.snapshot:
        args.snapshot, digest = take_snapshot()
        info["versions"]["llmnotes_source"] = f"snapshot of src/ and templates/, sha256 {digest}"
        print(f"running llmnotes from a snapshot in {args.snapshot}", file=sys.stderr)
    else:
        args.snapshot = None
    print(json.dumps(info, indent=2), file=sys.stderr)
    measurements: list[Measurement] = []
    for size, real in [(size, False) for size in sizes] + [(size, True) for size in real_sizes]:
        measurements += bench_size(size, args, real)
        if args.json:  # write as we go: a long run that is cut short keeps what it measured
            _write_json(args.json, info, measurements)
    print(table(measurements))
    if args.floor:
        info["floor"] = floors(measurements, args.corpus)
        print("\n" + floor_table(info["floor"]))
        if args.json:
            _write_json(args.json, info, measurements)
    if args.snapshot:
        shutil.rmtree(args.snapshot, ignore_errors=True)


def floors(measurements: list[Measurement], corpus: Path) -> list[dict]:
    """For each corpus llmnotes was timed cold on: the floor (floor.py) and llmnotes' CPU per note beside it."""
    found = []
    for m in measurements:
        if m.run != "cold" or m.status != "ok" or m.tool not in ("llmnotes", "llmnotes-real") or m.cpu is None:
            continue
        real = m.tool == "llmnotes-real"
        folder = corpus / (f"real-{m.size}/site/docs" if real else f"{m.size}/llmnotes/notes")
        figures = floor.floor(folder)
        notes = figures["notes"]
        found.append(
            {
                "corpus": f"{'real-shaped ' if real else ''}{m.size:,}",
                "floor": figures,
                "floor_ms_per_note": 1000 * figures["total"] / notes,
                "llmnotes_cpu_ms_per_note": 1000 * m.cpu / notes,
                "ratio": m.cpu / figures["total"],
            }
        )
    return found


def floor_table(rows: list[dict]) -> str:
    lines = [
        "| corpus | " + " | ".join(floor.STEPS) + " | floor | llmnotes cold CPU | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| | ms a note | ms a note | ms a note | ms a note | ms a note | ms a note | ms a note | |",
    ]
    for row in rows:
        figures, notes = row["floor"], row["floor"]["notes"]
        steps = " | ".join(f"{1000 * figures[step] / notes:.2f}" for step in floor.STEPS)
        lines.append(
            f"| {row['corpus']} | {steps} | {row['floor_ms_per_note']:.2f} | {row['llmnotes_cpu_ms_per_note']:.2f} "
            f"| {row['ratio']:.2f} |"
        )
    return "\n".join(lines)


def _measurement(entry: dict, timeout: float) -> Measurement:
    """A saved measurement; a killed run's figures are those it had reached when it was killed."""
    m = Measurement(**entry)
    if m.status != "ok" and m.repeats and m.cpu is None:
        first = m.repeats[0]
        m.cpu, m.peak_mb, m.tree_mb = first["cpu"], first["peak_mb"], first["tree_mb"]
    return m


def _write_json(path: Path, info: dict, measurements: list[Measurement]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**info, "results": [asdict(m) for m in measurements]}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
