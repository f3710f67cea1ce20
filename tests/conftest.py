"""Under LLMNOTES_START_METHOD (CI runs the build suites once with `spawn`), even the small fixture sites are built
in worker processes started that way, so that the suites test what the workers produce."""

from __future__ import annotations

import os

import pytest

from llmnotes.engine import parallel


@pytest.fixture(autouse=True)
def workers_for_small_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get(parallel.START_METHOD_SETTING):
        monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
        monkeypatch.setattr(parallel, "worker_count", lambda: 2)
