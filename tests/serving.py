"""A running `llmnotes serve` for tests: its address, plain GETs and the event stream the pages listen to."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sites import write_site

NOTE_A = "---\ntitle: Alpha\n---\nAlpha links to [[b]].\n"
NOTE_B = "---\ntitle: Beta\n---\n## Method\n\nBeta's first words.\n"


def _as_from_a_shell() -> None:
    """Ctrl+C reaches the server as it does from a terminal, whatever the test process did with SIGINT before
    (a thread that blocked it, multiprocessing starting its helpers): a child inherits the signal mask and an
    ignored disposition, and then never sees the signal the tests send."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    def __init__(
        self, root: Path, *options: str, python_options: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, *python_options, "-m", "llmnotes", "serve", "--root", str(root), "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            preexec_fn=_as_from_a_shell,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_output, daemon=True).start()
        self.url = self._wait_for_address()

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _wait_for_address(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            found = re.search(r"at (http://\S+/) ", line)
            if found:
                return found.group(1)
        raise AssertionError("the server did not say where it serves")

    def request(self, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of any request."""
        asked = urllib.request.Request(self.url + path, method=method, headers=headers)
        try:
            with urllib.request.urlopen(asked, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def events(self) -> queue.Queue[tuple[str, str]]:
        """(event, data) pairs from the event stream, as they arrive."""
        found: queue.Queue[tuple[str, str]] = queue.Queue()

        def listen() -> None:
            with urllib.request.urlopen(self.url + "__llmnotes/events", timeout=60) as stream:
                name = ""
                for raw in stream:
                    line = raw.decode("utf-8").rstrip("\n")
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        found.put((name, line[6:]))

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.3)  # let the stream open before anything changes
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def served_site(folder: Path) -> Iterator[Server]:
    """For a fixture: a two-note site in `folder` under `llmnotes serve`, stopped afterwards."""
    running = Server(write_site(folder, {"notes/a.md": NOTE_A, "notes/b.md": NOTE_B}))
    try:
        yield running
    finally:
        running.stop()
