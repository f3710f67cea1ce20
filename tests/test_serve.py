"""`llmnotes serve`: the site over HTTP, rebuilt on a save, open pages told to reload or shown the errors."""

from __future__ import annotations

import queue
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmnotes.parallel import START_METHOD_SETTING
from serving import NOTE_A, NOTE_B, Server, served_site
from sites import write_site


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from served_site(tmp_path / "notes-site")


def next_event(events: queue.Queue[tuple[str, str]], within: float = 2.0) -> tuple[str, str]:
    return events.get(timeout=within)


def test_a_saved_edit_is_served_and_open_pages_reload_within_two_seconds(server: Server) -> None:
    status, page = server.get("notes/b.html")
    assert status == 200 and "Beta's first words." in page
    assert '<script src="/__llmnotes/reload.js"></script>' in page
    events = server.events()
    started = time.monotonic()
    (server.root / "notes/b.md").write_text(NOTE_B + "\nA sentence added while serving.\n")
    assert next_event(events)[0] == "reload"
    assert time.monotonic() - started < 2
    assert "A sentence added while serving." in server.get("notes/b.html")[1]


def test_a_broken_link_shows_the_errors_and_the_fix_clears_them(server: Server) -> None:
    events = server.events()
    (server.root / "notes/a.md").write_text("---\ntitle: Alpha\n---\nAlpha links to [[nowhere]].\n")
    name, data = next_event(events)
    assert name == "errors" and "notes/a.md:4:16: broken link [[nowhere]]" in data
    status, page = server.get("notes/a.html")
    assert status == 200 and "Alpha links to" in page  # the last good site is still served
    _, client = server.get("__llmnotes/reload.js")
    assert "llmnotes-errors" in client and 'addEventListener("errors"' in client
    late = server.events()  # a page opened while the build is broken is shown the errors at once
    assert next_event(late)[0] == "errors"
    (server.root / "notes/a.md").write_text(NOTE_A)
    assert next_event(events)[0] == "reload"


def test_rapid_saves_make_one_rebuild(server: Server) -> None:
    events = server.events()
    for number in range(5):
        (server.root / "notes/b.md").write_text(NOTE_B + f"\nSave {number}.\n")
    assert next_event(events)[0] == "reload"
    time.sleep(1)
    assert events.empty(), "several saves in a row should coalesce into one rebuild"
    assert "Save 4." in server.get("notes/b.html")[1]


def test_only_files_inside_the_site_are_served(server: Server, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve me")
    (server.root / "site/link-out.txt").symlink_to(secret)
    for path in ["../secret.txt", "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "/" + str(secret), "link-out.txt"]:
        status, body = server.get(path)
        assert status == 404 and "do not serve me" not in body, path


def test_the_server_listens_on_loopback_and_stops_cleanly(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    for page in (server.root / "site").rglob("*.html"):
        assert "__llmnotes" not in page.read_text(encoding="utf-8"), "the reload client leaked into the site"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python warns of a fork in a threaded process from 3.12 on")
def test_rebuilds_while_serving_never_fork_the_threaded_server(tmp_path: Path) -> None:
    count = 150  # enough pages for the rebuild to use worker processes
    notes = {f"notes/n{n}.md": f"---\ntitle: Note {n}\n---\nSee [[n{(n + 1) % count}]].\n" for n in range(count)}
    notes["pyproject.toml"] = '[tool.llmnotes]\ntitle = "Before"\n'
    # Even asked to fork, the server's rebuilds (its HTTP and watcher threads running) must not.
    server = Server(
        write_site(tmp_path / "big", notes),
        python_options=("-W", "error::DeprecationWarning"),
        env={START_METHOD_SETTING: "fork"},
    )
    try:
        events = server.events()
        (server.root / "pyproject.toml").write_text('[tool.llmnotes]\ntitle = "After"\n')  # every page changes
        assert next_event(events, within=60)[0] == "reload"
        assert "After" in server.get("notes/n7.html")[1]
        said = []
        while not server.lines.empty():
            said.append(server.lines.get())
        assert any(line.startswith(f"built {count} notes") for line in said), said
        assert not [line for line in said if "Warning" in line or "Traceback" in line], said
    finally:
        server.stop()
