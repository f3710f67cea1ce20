"""Under LLMNOTES_START_METHOD (CI runs the build suites once with `spawn`), even the small fixture sites are built
in worker processes started that way, so that the suites test what the workers produce.

Every output key a server's build carries over from its last build is worked out again and compared (see
emit.context.CHECK_CARRIED): a key carried over wrongly fails the test that made it, whether or not a page shows it."""

from __future__ import annotations

import os

os.environ.setdefault("LLMNOTES_CHECK_CARRIED", "1")  # before llmnotes is imported: it reads it once

import pytest

from llmnotes.engine import outputs, parallel


@pytest.fixture(autouse=True)
def workers_for_small_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get(parallel.START_METHOD_SETTING):
        monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
        monkeypatch.setattr(parallel, "worker_count", lambda: 2)
        monkeypatch.setattr(outputs, "worker_setup", lambda context: 0)  # a server's edits too
