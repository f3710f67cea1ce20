"""Spread independent pieces of work over worker processes, one per core, keeping results in order."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items a pool's start-up costs more than it saves.
MIN_ITEMS = 64
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked workers inherit


def worker_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_all(
    function: Callable[[Item], Result], items: Sequence[Item], alone: int = 0, chunk: int = 32
) -> Iterator[Result]:
    """`function` over `items`, results in order; in forked workers when there are enough items and cores.

    The last `alone` items run in this process once the workers are done: they may use workers of their own.
    Workers are forked, so they see `function`, `items` and everything they refer to without pickling; only
    results travel back. Where fork is unavailable (Windows) all the work runs in this process.
    """
    global _work
    shared = len(items) - alone
    workers = min(worker_count(), shared // MIN_ITEMS)
    in_worker = multiprocessing.current_process().daemon  # a worker cannot have workers of its own
    if workers < 2 or in_worker or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    _work = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
            batches = [range(start, min(start + chunk, shared)) for start in range(0, shared, chunk)]
            for results in pool.imap(_run_batch, batches):
                yield from results
    finally:
        _work = None
    yield from map(function, items[shared:])


def _start_worker() -> None:
    # What the worker inherited is never garbage: set it aside, and collect only what the worker makes
    # (rendering templates leaves reference cycles behind).
    gc.freeze()
    gc.enable()


def _run_batch(indices: range) -> list[Any]:
    assert _work is not None
    function, items = _work
    return [function(items[index]) for index in indices]
