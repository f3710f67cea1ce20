"""Where does `llmnotes build` spend its time? Stage timings and a cProfile of an in-process build.

    .venv/bin/python benchmarks/profile.py [--size 1000] [--real] [--top 25] [--save benchmarks/results/profile.pstats]

Builds benchmarks/corpus/<size>/llmnotes (generated if missing) into a scratch folder twice, in this process:

1. without the profiler, with a timer around each stage function (`scan_inputs`, `compile.parse_all`,
   `link_site`, `all_outputs`, the rendering of each output, the writer's commit, the cache) and a total per kind
   of output, so the split is in real time; worker processes are turned off, so this is CPU work per stage;
2. under cProfile, printing the top functions by cumulative time, grouped by pipeline stage, and the top
   functions by own time (where the time is actually spent).

A function is put in a stage by its module (llmnotes/load.py, yaml → load; parse.py, markdown/, markdown_it,
mdit_py_plugins, pygments, latex2mathml → parse; links.py, site.py → link; pages/, render.py, search.py,
jinja2, markupsafe, templates → render; write.py → write), or else by the stage of its costliest caller.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named profile.py, as the benchmark's brief asks, which shadows the standard library's `profile`
# that cProfile imports: take benchmarks/ off the import path first, and load generate.py by its path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402

_spec = importlib.util.spec_from_file_location("benchmark_generate", HERE / "generate.py")
generate = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules[_spec.name] = generate
_spec.loader.exec_module(generate)  # type: ignore[union-attr]

STAGES = ("load", "parse", "link", "render", "write")
# (module, function name in it, stage): the stages llmnotes.engine.build, content.compile and engine.outputs run.
STAGE_FUNCTIONS = [
    ("llmnotes.engine.build", "load_config", "load"),
    ("llmnotes.engine.build", "scan_inputs", "load"),
    ("llmnotes.content.compile", "parse_all", "parse"),
    ("llmnotes.content.compile", "link_site", "link"),
    ("llmnotes.engine.outputs", "all_outputs", "render"),  # planning: every output and the key of what it shows
    ("llmnotes.engine.outputs", "_stage", "render"),
    ("llmnotes.engine.write", "SiteWriter.commit", "write"),
    ("llmnotes.engine.cache", "BuildCache.save", "write"),
    ("llmnotes.engine.cache", "BuildCache.save_quietly", "write"),
]
MODULE_STAGES = [
    ("llmnotes/content/load.py", "load"),
    ("llmnotes/config.py", "load"),
    ("/yaml/", "load"),
    ("llmnotes/content/parse.py", "parse"),
    ("llmnotes/markdown/", "parse"),
    ("/markdown_it/", "parse"),
    ("/mdit_py_plugins/", "parse"),
    ("/pygments/", "parse"),
    ("/latex2mathml/", "parse"),
    ("llmnotes/content/link.py", "link"),
    ("llmnotes/content/assemble.py", "link"),
    ("llmnotes/emit/", "render"),
    ("llmnotes/features/citations.py", "render"),
    ("llmnotes/features/search.py", "render"),
    ("/jinja2/", "render"),
    ("/markupsafe/", "render"),
    ("templates/", "render"),
    ("<template>", "render"),
    ("llmnotes/engine/write.py", "write"),
    ("llmnotes/engine/cache.py", "write"),
    ("llmnotes/content/scan.py", "load"),
    ("llmnotes/features/related.py", "link"),
    ("llmnotes/features/lineage.py", "link"),
    ("llmnotes/engine/history.py", "link"),
]


# ---- stage timers -----------------------------------------------------------------------------------------------


def _timed(function, bucket: dict[str, float], key: str, generator: bool = False):  # type: ignore[no-untyped-def]
    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            result = function(*args, **kwargs)
            if generator:
                result = iter(list(result))
            return result
        finally:
            bucket[key] += time.perf_counter() - started

    return wrapper


def install_timers() -> tuple[dict[str, float], dict[str, float]]:
    """Wrap the stage functions and time each output's rendering by kind; returns (stages, output kinds) totals.

    Worker processes are turned off, so that every stage runs (and is timed and profiled) in this process: the
    figures are CPU work per stage, not the wall time of a parallel build.
    """
    import llmnotes.engine.parallel as parallel

    parallel.MIN_ITEMS = 1 << 62
    stages: dict[str, float] = defaultdict(float)
    kinds: dict[str, float] = defaultdict(float)
    for module_name, name, stage in STAGE_FUNCTIONS:
        module = importlib.import_module(module_name)
        owner_name, _, attribute = name.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        target = getattr(owner, attribute, None)
        if target is None:
            continue
        if name == "_render_output":
            setattr(owner, attribute, _timed_by_kind(target, stages, kinds))
        else:
            setattr(owner, attribute, _timed(target, stages, stage))
    return stages, kinds


def _timed_by_kind(function, stages: dict[str, float], kinds: dict[str, float]):  # type: ignore[no-untyped-def]
    @functools.wraps(function)
    def wrapper(item, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return function(item, *args, **kwargs)
        finally:
            seconds = time.perf_counter() - started
            stages["render"] += seconds
            name = item.name
            kind = "note pages" if name.startswith("notes/") and name.endswith(".html") else name
            kind = "note .bib files" if name.endswith(".bib") and name.startswith("notes/") else kind
            kind = "tag pages" if name.startswith("tags/") and name != "tags/index.html" else kind
            kinds[kind] += seconds

    return wrapper


# ---- cProfile grouping ------------------------------------------------------------------------------------------


def _stage_of_file(filename: str) -> str | None:
    path = filename.replace("\\", "/")
    for fragment, stage in MODULE_STAGES:
        if fragment in path:
            return stage
    return None


def classify(stats: pstats.Stats) -> dict[tuple, str]:
    """Stage of every profiled function: by module, else by its costliest caller's stage (memoised)."""
    raw = stats.stats  # type: ignore[attr-defined]
    known: dict[tuple, str] = {}

    def stage(key: tuple, seen: frozenset) -> str:
        if key in known:
            return known[key]
        found = _stage_of_file(key[0])
        if found is None:
            callers = raw.get(key, (0, 0, 0, 0, {}))[4]
            ranked = sorted(callers.items(), key=lambda item: -item[1][3])
            for caller, _ in ranked:
                if caller not in seen:
                    candidate = stage(caller, seen | {key})
                    if candidate != "build":
                        found = candidate
                        break
        known[key] = found or "build"
        return known[key]

    for key in raw:
        stage(key, frozenset())
    return known


def _name(key: tuple) -> str:
    filename, line, function = key
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{function} ({path}:{line})" if line else function


def report(stats: pstats.Stats, top: int) -> str:
    raw = stats.stats  # type: ignore[attr-defined]
    stages = classify(stats)
    out = io.StringIO()
    by_cumulative = sorted(raw.items(), key=lambda item: -item[1][3])
    # Leave out this script's own stage timers, which only wrap the stage functions listed anyway.
    chosen = [(key, value) for key, value in by_cumulative if Path(key[0]).resolve() != Path(__file__).resolve()]
    chosen = chosen[:top]
    out.write(f"top {top} functions by cumulative time, grouped by stage (calls, own s, cumulative s):\n")
    for stage in ("build", *STAGES):
        rows = [(key, value) for key, value in chosen if stages[key] == stage]
        if not rows:
            continue
        out.write(f"\n  [{stage}]\n")
        for key, (_, calls, own, cumulative, _) in rows:
            out.write(f"    {calls:>9} {own:8.2f} {cumulative:8.2f}  {_name(key)}\n")
    out.write("\nown time per stage (sum over every function the stage owns):\n")
    totals: dict[str, float] = defaultdict(float)
    for key, (_, _, own, _, _) in raw.items():
        totals[stages[key]] += own
    whole = sum(totals.values()) or 1.0
    for stage in (*STAGES, "build"):
        out.write(f"  {stage:<7} {totals[stage]:8.2f} s  {100 * totals[stage] / whole:5.1f} %\n")
    out.write(f"\ntop {top} functions by own time:\n")
    for key, (_, calls, own, cumulative, _) in sorted(raw.items(), key=lambda item: -item[1][2])[:top]:
        out.write(f"    {calls:>9} {own:8.2f} {cumulative:8.2f}  [{stages[key]}] {_name(key)}\n")
    return out.getvalue()


# ---- main -------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--top", type=int, default=25, help="how many functions to list (default 25)")
    parser.add_argument("--save", type=Path, help="also save the raw cProfile stats here (for snakeviz etc.)")
    parser.add_argument("--corpus", type=Path, default=generate.DEFAULT_OUT)
    parser.add_argument("--timers-only", action="store_true", help="skip the cProfile build (e.g. at 10,000 notes)")
    parser.add_argument("--real", action="store_true", help="the real-shaped corpus (built --no-strict) instead")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if args.real:
        if not (corpus / f"real-{args.size}" / ".complete-site").exists():
            generate.generate_real(args.size, corpus)
        root = corpus / f"real-{args.size}" / "site"
    else:
        if not (corpus / str(args.size) / ".complete-llmnotes").exists():
            generate.generate(args.size, corpus, ("llmnotes",))
        root = corpus / str(args.size) / "llmnotes"
    strict = False if args.real else None

    from llmnotes.engine.build import build

    stages, emitters = install_timers()
    scratch = Path(tempfile.mkdtemp(prefix="llmnotes-profile-"))
    try:
        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)  # cold builds: nothing reused
        started = time.perf_counter()
        result = build(root, scratch / "timed", strict=strict)
        wall = time.perf_counter() - started
        print(f"built {result.notes} notes into {result.pages} pages in {wall:.2f} s (no profiler)\n")
        print("time per stage, all in this process (timers around the stage functions):")
        for stage in STAGES:
            print(f"  {stage:<7} {stages[stage]:8.2f} s  {100 * stages[stage] / wall:5.1f} %")
        other = wall - sum(stages.values())
        print(f"  {'other':<7} {other:8.2f} s  {100 * other / wall:5.1f} %")
        print("\nrender, per kind of output:")
        for name, seconds in sorted(emitters.items(), key=lambda item: -item[1])[:12]:
            print(f"  {name:<16} {seconds:8.2f} s")
        if args.timers_only:
            return
        shutil.rmtree(root / ".llmnotes-cache", ignore_errors=True)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(build, root, scratch / "profiled", strict=strict)
        print(f"\nunder cProfile: {time.perf_counter() - started:.2f} s\n")
        stats = pstats.Stats(profiler)
        if args.save:
            args.save.parent.mkdir(parents=True, exist_ok=True)
            stats.dump_stats(str(args.save))
        print(report(stats, args.top))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
