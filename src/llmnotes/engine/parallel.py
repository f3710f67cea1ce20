"""Spread independent pieces of work over worker processes, one per core, keeping results in order."""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, TypeVar

from ..model import UsageError

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a pool's start-up costs more than it saves.
MIN_ITEMS = 64
START_METHOD_SETTING = "LLMNOTES_START_METHOD"
START_METHODS = ("fork", "spawn", "forkserver")
# What a forkserver loads once, so that each worker it forks starts with llmnotes imported.
PRELOAD = ["llmnotes.content.compile", "llmnotes.engine.outputs"]
THREADS_GONE_CHECKS = 50  # a millisecond apart
STOP_SECONDS = 5.0  # how long a pool stopped midway may take to end (see `_stop`)
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # the function and items of this worker


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """How worker processes start: LLMNOTES_START_METHOD when set, else `fork` where it is safe, else the platform's
    own choice (`spawn` on macOS and Windows, `forkserver` on Linux in a process with threads).

    `fork` is safe on Linux only, and only while this process runs no other thread (`llmnotes serve` runs two): a
    thread holding a lock when the process forks leaves that lock held forever in the child. So even when the
    setting asks for `fork`, a process with threads starts its workers from a forkserver (or spawns them).
    """
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_SETTING, "").strip()
    if chosen and chosen not in START_METHODS:
        raise UsageError(
            f"{START_METHOD_SETTING}={chosen!r} is not a way to start worker processes"
            f" (set it to one of {', '.join(START_METHODS)}, or unset it for the default)"
        )
    if chosen and chosen not in available:
        raise UsageError(
            f"{START_METHOD_SETTING}={chosen}: this system cannot start processes that way"
            f" (it can: {', '.join(method for method in START_METHODS if method in available)})"
        )
    if not chosen:
        chosen = "fork" if sys.platform.startswith("linux") else "spawn"
    if chosen == "fork" and _has_other_threads():
        return "forkserver" if "forkserver" in available else "spawn"
    return chosen


def _has_other_threads() -> bool:
    """Whether this process runs threads besides the main one, Python's or others (a file watcher's, a library's:
    the kernel knows those)."""
    if threading.active_count() > 1:
        return True
    # A thread Python has joined (a finished pool's) may stay in the kernel's list a moment longer.
    for _ in range(THREADS_GONE_CHECKS):
        try:
            if len(os.listdir("/proc/self/task")) <= 1:
                return False
        except OSError:  # not Linux: Python's own count is all there is
            return False
        time.sleep(0.001)
    return True


def run_all(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    alone: int = 0,
    chunk: int = 32,
    weight: int = 1,
    single: int = 0,
    heavy: int = 0,
    sending: int = 0,
) -> Generator[Result, None, None]:
    """`function` over `items`, results in order; in worker processes when there are enough items and cores. An
    item of `weight` counts as that many (a run of documents). Workers take `chunk` items at a time, but the first
    `single` one at a time: large results that this process takes up as they come (the search index's pieces),
    not in lumps that wait for it, all in memory at once. `heavy` items among them (pages that list every note)
    count as MIN_ITEMS each where workers are forked, as two such pages are worth a pool then: not where workers
    must be sent the whole site first. `sending` is what a worker that is not forked costs before its first item
    (sent the site, it unpickles it and lists the outputs again), in items' worth: such workers are started only
    for enough work to repay it, which a server's edit of one template seldom is (see outputs.worker_setup).

    The workers start at once, and work while the caller goes on until it asks for their results; closing the
    generator ends them. The last `alone` items run in this process once the workers are done: they may use
    workers of their own.
    Forked workers see `function`, `items` and everything they refer to without pickling. Workers started any
    other way (spawn, forkserver) receive `function` and `items` pickled once, together, so that what the items
    share with the function (the site's notes) travels once; a function whose state cannot be pickled (a parser,
    templates) must rebuild it in the worker, once. Only results travel back.
    """
    method = start_method()
    shared = len(items) - alone
    load = shared * weight + (heavy * (MIN_ITEMS - weight) if method == "fork" else 0)
    workers = min(worker_count(), load // MIN_ITEMS)
    if method != "fork" and workers >= 2 and load * (workers - 1) <= sending * workers:
        workers = 0  # `workers` would finish after this process alone: they must first be sent the site
    in_worker = multiprocessing.current_process().daemon  # a worker cannot have workers of its own
    if workers < 2 or in_worker:
        return (function(item) for item in items)
    # The workers start now, not when the first result is asked for: the caller may go on with other work meanwhile.
    pool, results = _started(method, workers, function, items[:shared], chunk, single)
    taken = _taken(pool, results, map(function, items[shared:]))
    next(taken)  # into its `with`: from now on, closing or dropping the iterator ends the workers
    return taken


def _started(
    method: str, workers: int, function: Callable[[Item], Result], items: Sequence[Item], chunk: int, single: int
) -> tuple[Any, Iterator[list[Result]]]:
    global _work
    context = multiprocessing.get_context(method)
    if method == "fork":
        _work = (function, items)
        start: Callable[..., None] = _start_forked
        start_arguments: tuple = ()
    else:
        if method == "forkserver":
            context.set_forkserver_preload(PRELOAD)
        start = _start_unpickling
        start_arguments = (pickle.dumps((function, items), protocol=pickle.HIGHEST_PROTOCOL),)
    try:
        pool = context.Pool(workers, initializer=start, initargs=start_arguments)
    except BaseException:
        _work = None
        raise
    first = min(single, len(items))
    batches = [range(begin, begin + 1) for begin in range(first)]
    batches += [range(begin, min(begin + chunk, len(items))) for begin in range(first, len(items), chunk)]
    return pool, pool.imap(_run_batch, batches)


def _taken(pool: Any, results: Iterator[list[Result]], after: Iterator[Result]) -> Generator[Any, None, None]:
    """None, then the workers' results in order, then `after`'s, made in this process once the workers are gone."""
    global _work
    try:
        yield None
        for batch in results:
            yield from batch
    except BaseException:  # an error in a worker, an interrupt, or the caller closing the results midway
        _stop(pool)
        raise
    else:
        pool.terminate()  # every result is in: the workers wait for work, holding nothing
    finally:
        _work = None
    yield from after


def _stop(pool: Any) -> None:
    """End the workers of a pool stopped midway: `Pool.terminate`, given STOP_SECONDS. A worker killed while it
    sends a result leaves the results' lock held for ever, and CPython's terminate then waits for the pool's task
    thread, which waits for that lock: the error that stopped the build was never told (seen once, on Python 3.13,
    in the test of an error in llmnotes' own code). The workers are killed before that wait; the pool's threads,
    daemons, are left to end with the process."""
    stopping = threading.Thread(target=pool.terminate, name="llmnotes-stop-workers", daemon=True)
    stopping.start()
    stopping.join(STOP_SECONDS)


def _start_forked() -> None:
    # What the worker inherited is never garbage: set it aside, and collect only what the worker makes
    # (rendering templates leaves reference cycles behind).
    gc.freeze()
    gc.enable()


def _start_unpickling(payload: bytes) -> None:
    global _work
    gc.disable()  # unpickling the site makes a great many objects, none of them garbage
    _work = pickle.loads(payload)
    _start_forked()


def _run_batch(indices: range) -> list[Any]:
    assert _work is not None
    function, items = _work
    return [function(items[index]) for index in indices]
