"""A one-line progress bar on the terminal, shown only once a build has taken longer than a second."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

DELAY = 1.0  # seconds before the bar appears: quick builds print nothing but their summary
REDRAW = 0.1  # seconds between redraws
Progress = Callable[[str, int, int], None]  # called with (stage, done, total) as a build goes
LABELS = {"parse": "parsing", "link": "linking", "render": "rendering"}


def silent(stage: str, done: int, total: int) -> None:
    """A Progress that shows nothing."""


class ProgressBar:
    """Call it with (stage, done, total); it draws on `stream` when that is a terminal, then `close()` clears it."""

    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.delay = delay
        self.last_drawn = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last_drawn < REDRAW and done < total):
            return
        self.last_drawn = now
        label = f"{LABELS.get(stage, stage):<9}"
        counts = f" {done}/{total}"
        width = max(10, min(40, shutil.get_terminal_size().columns - len(label) - len(counts) - 4))
        filled = width * done // total
        self.stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}]{counts}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the bar, so that what is printed next starts on a clean line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
