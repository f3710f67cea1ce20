"""Spread independent pieces of work over worker processes, one per core, keeping results in order."""

from __future__ import annotations

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
    function: Callable[[Item], Result], items: Sequence[Item], here: int = 0, chunk: int = 32
) -> Iterator[Result]:
    """`function` over `items`, results in order; in forked workers when there are enough items and cores.

    The first `here` items run in this process while the workers start on the others. Workers are forked, so
    they see `function`, `items` and everything they refer to without pickling; only results travel back.
    Where fork is unavailable (Windows, macOS's default) all the work runs in this process.
    """
    global _work
    workers = min(worker_count(), (len(items) - here) // MIN_ITEMS)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    _work = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            batches = [range(start, min(start + chunk, len(items))) for start in range(here, len(items), chunk)]
            from_workers = pool.imap(_run_batch, batches)  # the workers start now
            yield from [function(item) for item in items[:here]]
            for results in from_workers:
                yield from results
    finally:
        _work = None


def _run_batch(indices: range) -> list[Any]:
    assert _work is not None
    function, items = _work
    return [function(items[index]) for index in indices]
