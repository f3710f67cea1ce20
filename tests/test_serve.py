"""`llmnotes serve`: the site over HTTP, rebuilt on a save, open pages told to reload or shown the errors."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from llmnotes.commands.serve import Handler, LiveSite, SiteServer, _rebuild, _shown_already
from llmnotes.engine import outputs
from llmnotes.engine.build import build
from llmnotes.engine.cache import CacheMemory
from llmnotes.engine.parallel import START_METHOD_SETTING
from llmnotes.model import Diagnostic, UserError
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


def test_the_reload_names_the_files_that_changed(server: Server) -> None:
    events = server.events()
    (server.root / "notes/b.md").write_text(NOTE_B + "\nOnly the body changed.\n")
    name, data = next_event(events)
    changed = json.loads(data)
    assert name == "reload" and "notes/b.html" in changed
    assert "notes/a.html" not in changed, "a page that shows nothing of the edit is not reloaded"
    _, client = server.get("__llmnotes/reload.js")
    assert "changed.some((path) => path === here" in client  # each page reloads only if it is among them


@pytest.mark.parametrize(
    "written",
    [".obsidian/workspace.json", ".git/objects/ab/cdef0123", "notes/.obsidian/workspace.json", ".llmnotes-cache/x"],
)
def test_files_the_site_never_reads_send_no_reload(server: Server, written: str) -> None:
    events = server.events()
    for number in range(3):  # as Obsidian rewrites its workspace whenever a pane changes
        target = server.root / written
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'{{"pane": {number}}}\n')
        time.sleep(0.2)
    with pytest.raises(queue.Empty):
        next_event(events, within=1.5)


def test_a_git_commit_in_an_obsidian_vault_sends_no_reload(tmp_path: Path) -> None:
    vault = write_site(tmp_path / "vault", {".obsidian/app.json": "{}\n", "a.md": NOTE_A, "b.md": NOTE_B})
    git = ["git", "-C", str(vault), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    server = Server(vault)  # the vault is the notes folder: .git/ and .obsidian/ are inside what is watched
    try:
        events = server.events()
        subprocess.run([*git, "add", "a.md", "b.md"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "notes"], check=True)
        (vault / ".obsidian/workspace.json").write_text('{"pane": 2}\n')
        with pytest.raises(queue.Empty):
            next_event(events, within=1.5)
    finally:
        server.stop()


def test_a_save_that_changes_nothing_sends_no_reload(server: Server) -> None:
    events = server.events()
    (server.root / "notes/b.md").write_text(NOTE_B)  # the same bytes again
    with pytest.raises(queue.Empty):
        next_event(events, within=1.5)


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


def test_the_not_found_page_deep_in_the_site_finds_its_styles_and_links(server: Server) -> None:
    """The site's 404 page links to its styles and pages from the site's root: answered for notes/gone.html, it
    says so with a base, or it would show unstyled with links that lead nowhere."""
    status, body = server.get("notes/gone/deeper.html")
    assert status == 404 and '<base href="/">' in body and 'href="static/style.css"' in body


def test_a_server_stopped_right_after_an_edit_has_saved_its_cache(server: Server) -> None:
    """The cache is saved a moment after the open pages are told to reload (so as not to slow their requests): a
    server stopped before then saves it on its way out, and the next build finds nothing to do."""
    events = server.events()
    (server.root / "notes/b.md").write_text(NOTE_B + "\nA sentence added while serving.\n")
    assert next_event(events)[0] == "reload"
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    built = subprocess.run(
        [sys.executable, "-m", "llmnotes", "build", "--root", str(server.root)], capture_output=True, text=True
    )
    assert built.returncode == 0 and "nothing changed" in built.stdout, built.stdout


def test_a_server_saves_its_cache_a_moment_after_an_edit(server: Server) -> None:
    events = server.events()
    (server.root / "notes/b.md").write_text(NOTE_B + "\nA sentence added while serving.\n")
    assert next_event(events)[0] == "reload"
    time.sleep(1.5)
    server.stop()  # killed: nothing more is saved on the way out
    built = subprocess.run(
        [sys.executable, "-m", "llmnotes", "build", "--root", str(server.root)], capture_output=True, text=True
    )
    assert built.returncode == 0 and "nothing changed" in built.stdout, built.stdout


def test_the_server_listens_on_loopback_and_stops_cleanly(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    for page in (server.root / "site").rglob("*.html"):
        assert "__llmnotes" not in page.read_text(encoding="utf-8"), "the reload client leaked into the site"


def test_head_and_range_requests_are_answered_so_videos_play_in_safari(tmp_path: Path) -> None:
    clip = bytes(range(256)) * 40  # 10,240 bytes
    root = write_site(tmp_path / "notes-site", {"notes/a.md": "---\ntitle: A\n---\n[the clip](clip.mp4)\n"})
    (root / "notes/clip.mp4").write_bytes(clip)
    server = Server(root)
    try:
        status, headers, body = server.request("notes/clip.mp4", method="HEAD")
        assert (status, headers["Content-Length"], headers["Accept-Ranges"], body) == (200, "10240", "bytes", b"")
        status, headers, body = server.request("notes/clip.mp4", Range="bytes=0-1")  # what Safari asks first
        assert (status, headers["Content-Range"], body) == (206, "bytes 0-1/10240", clip[:2])
        status, headers, body = server.request("notes/clip.mp4", Range="bytes=10000-")
        assert (status, headers["Content-Range"], body) == (206, "bytes 10000-10239/10240", clip[10000:])
        status, headers, body = server.request("notes/clip.mp4", Range="bytes=-100")
        assert (status, body) == (206, clip[-100:])
        status, headers, _ = server.request("notes/clip.mp4", Range="bytes=20000-")
        assert (status, headers["Content-Range"]) == (416, "bytes */10240")
        status, headers, body = server.request("notes/a.html", method="HEAD")
        page = server.request("notes/a.html")[2]
        assert status == 200 and body == b"" and headers["Content-Length"] == str(len(page)) and page
        status, _, body = server.request("notes/missing.html", method="HEAD")
        assert (status, body) == (404, b"")
    finally:
        server.stop()


def test_a_reloading_page_fetches_again_only_the_files_that_changed(server: Server) -> None:
    status, headers, style = server.request("static/style.css")
    assert b"body" in style
    assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["ETag"]
    status, again, body = server.request("static/style.css", **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b""), "an unchanged file is not sent again"
    assert again["ETag"] == headers["ETag"]
    _, page_headers, _ = server.request("notes/b.html")
    events = server.events()
    (server.root / "notes/b.md").write_text(NOTE_B + "\nA sentence added while serving.\n")
    assert next_event(events)[0] == "reload"
    status, changed, page = server.request("notes/b.html", **{"If-None-Match": page_headers["ETag"]})
    assert status == 200 and b"A sentence added while serving." in page and changed["ETag"] != page_headers["ETag"]
    assert server.request("static/style.css", **{"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, _ = server.request("notes/missing.html")
    assert status == 404 and headers["Cache-Control"] == "no-store" and "ETag" not in headers


def test_a_reader_leaving_while_a_file_downloads_prints_no_traceback(tmp_path: Path) -> None:
    root = write_site(tmp_path / "notes-site", {"notes/a.md": "---\ntitle: A\n---\n[the data](data.bin)\n"})
    (root / "notes/data.bin").write_bytes(bytes(32 * 1024 * 1024))  # more than the sockets' buffers hold
    server = Server(root)
    try:
        port = int(server.url.rsplit(":", 1)[1].strip("/"))
        for _ in range(3):  # a browser cancelling the download: the connection reset while the server writes
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(b"GET /notes/data.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                client.recv(1024)
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.5)
        assert server.get("notes/a.html")[0] == 200  # still serving
        said = []
        while not server.lines.empty():
            said.append(server.lines.get())
        assert not any("Traceback" in line or "Error" in line for line in said), "".join(said)
    finally:
        server.stop()


def test_serve_takes_the_build_options(tmp_path: Path) -> None:
    root = write_site(tmp_path / "notes-site", {"notes/a.md": "---\ntitle: A\n---\nSee [[nowhere]].\n"})
    out = tmp_path / "elsewhere"
    server = Server(root, "--out", str(out), "--no-strict", "--base-url", "https://me.example.org/notes", "-q")
    try:
        status, page = server.get("notes/a.html")
        assert status == 200 and (out / "notes/a.html").is_file() and not (root / "site").exists()
        assert '<link rel="canonical" href="https://me.example.org/notes/notes/a.html">' in page
        assert "nowhere" in page  # shown as unresolved text, not a failed build
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=10)
        said = []
        while not server.lines.empty():
            said.append(server.lines.get())
        assert not any("nowhere" in line or "built" in line for line in said), said  # -q: errors only
    finally:
        server.stop()


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


def test_a_server_started_on_a_built_site_warms_up_and_its_first_edit_shows(tmp_path: Path) -> None:
    """The site was built before: the server's first build has nothing to do, and its warm-up keys every output in
    memory (build.warm_up) while the site is served. The first edit is then built from those keys: under the test
    suite each key carried over is checked against one worked out afresh (see tests/conftest.py)."""
    root = write_site(tmp_path / "site", {"notes/a.md": NOTE_A, "notes/b.md": NOTE_B})
    assert subprocess.run([sys.executable, "-m", "llmnotes", "build", "--root", str(root)], check=False).returncode == 0
    server = Server(root)
    try:
        said = ""
        deadline = time.monotonic() + 30
        while "ready: the site's keys in memory" not in said and time.monotonic() < deadline:
            said += server.lines.get(timeout=deadline - time.monotonic())
        assert "ready: the site's keys in memory" in said
        assert server.get("notes/a.html")[0] == 200, "served during the warm-up and after"
        events = server.events()
        (root / "notes/b.md").write_text(NOTE_B.replace("title: Beta", "title: Beta Two"))
        assert next_event(events, within=10)[0] == "reload"
        assert '<a class="internal" href="b.html">Beta Two</a>' in server.get("notes/a.html")[1]
        time.sleep(0.2)
        said = "".join(server.lines.get_nowait() for _ in range(server.lines.qsize()))
        assert "Traceback" not in said and "built 2 notes" in said
    finally:
        server.stop()


@dataclass
class HeldBuild:
    """A two-note site served in this process, a retitle of its note b saved, and a rebuild whose rendering of the
    outputs waits for `rest_may_render` (after its first look), as a large site's would take its time."""

    root: Path
    site_dir: Path
    live: LiveSite
    url: str
    rest_may_render: threading.Event
    rebuild: Callable[[], None]
    said: list[str]

    def wait_for_first_look(self) -> None:
        deadline = time.monotonic() + 20
        while self.live.generation == 0 and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def held_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldBuild]:
    root = write_site(tmp_path / "site", {"notes/a.md": NOTE_A, "notes/b.md": NOTE_B})
    site_dir = (root / "site").resolve()
    build(root)
    live = LiveSite()
    handler = type("SiteHandler", (Handler,), {"live": live, "site_dir": site_dir})
    http = SiteServer(("127.0.0.1", 0), partial(handler, directory=str(site_dir)))
    threading.Thread(target=http.serve_forever, daemon=True).start()
    rest_may_render = threading.Event()
    render_rest = outputs.render_and_write

    def held(*args: Any, **kwargs: Any) -> tuple[int, int]:
        assert rest_may_render.wait(timeout=20)
        return render_rest(*args, **kwargs)

    monkeypatch.setattr(outputs, "render_and_write", held)
    (root / "notes/b.md").write_text(NOTE_B.replace("title: Beta", "title: Beta Two"))
    options = {"output": site_dir, "strict": None, "drafts": False, "base_url": None, "memory": CacheMemory()}
    said: list[str] = []
    rebuild = partial(_rebuild, root, options, live, say=said.append, quiet=True, verbose=False)
    url = f"http://127.0.0.1:{http.server_address[1]}/"
    try:
        yield HeldBuild(root, site_dir, live, url, rest_may_render, rebuild, said)
    finally:
        rest_may_render.set()
        http.shutdown()


def test_while_a_build_renders_the_rest_the_edited_note_s_page_is_served_and_other_pages_wait(
    held_build: HeldBuild,
) -> None:
    """A retitle re-renders every page that lists the note (at 10,000 notes, 0.6 s of lists); the writer looks at
    the note's own page, which the server answers as soon as the site is compiled."""
    held, site_dir = held_build, held_build.site_dir
    before = (site_dir / "notes/a.html").read_bytes()
    building = threading.Thread(target=held.rebuild)
    building.start()
    try:
        held.wait_for_first_look()
        assert held.live.changed_files == ["notes/b.html"], "the open page of the edited note reloads first"
        with urllib.request.urlopen(held.url + "notes/b.html", timeout=5) as answer:
            early = answer.read()
        assert b"<h1>Beta Two</h1>" in early
        with urllib.request.urlopen(held.url + "static/style.css", timeout=5) as answer:
            assert answer.status == 200, "what the page loads and the build leaves as it is comes at once"
        other: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=lambda: other.put(urllib.request.urlopen(held.url + "notes/a.html").read())).start()
        with pytest.raises(queue.Empty):
            other.get(timeout=0.5)  # a page the build has yet to render waits for it: never half a site
        assert building.is_alive() and (site_dir / "notes/a.html").read_bytes() == before
    finally:
        held.rest_may_render.set()
        building.join(timeout=20)
    assert b">Beta Two</a>" in other.get(timeout=5), "and then gets the finished site's page"
    assert _without_client(early) == (site_dir / "notes/b.html").read_bytes(), "the page answered early is the build's"
    assert held.live.generation == 2 and "notes/a.html" in held.live.changed_files
    assert "notes/b.html" not in held.live.changed_files, "the page that reloaded first does not reload again"


def test_a_page_open_in_a_browser_that_shows_the_edit_is_served_before_the_rest_of_the_build(
    held_build: HeldBuild,
) -> None:
    """Note a's page, which links to the retitled note b, is open: its event stream names it, and the build renders
    it right after b's own page; a's reader sees the new title while the rest of the build is held."""
    held = held_build
    stream = urllib.request.urlopen(held.url + "__llmnotes/events?page=notes/a.html", timeout=20)
    try:
        deadline = time.monotonic() + 5
        while held.live.pages_open() != ["notes/a.html"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert held.live.pages_open() == ["notes/a.html"]
        building = threading.Thread(target=held.rebuild)
        building.start()
        try:
            deadline = time.monotonic() + 20
            while held.live.generation < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert held.live.changed_files == ["notes/a.html"], "told to reload after b's own page"
            with urllib.request.urlopen(held.url + "notes/a.html", timeout=5) as answer:
                early = answer.read()
            assert b">Beta Two</a>" in early and building.is_alive()
        finally:
            held.rest_may_render.set()
            building.join(timeout=20)
        assert _without_client(early) == (held.site_dir / "notes/a.html").read_bytes()
    finally:
        stream.close()


def test_the_open_page_of_a_note_deleted_answers_not_found_before_the_build_ends(tmp_path: Path) -> None:
    """A build that removes an open page says so in its first look (see outputs.look_at_open): the page reloads and
    is answered 404 at once, while the other pages wait for the finished site; the end of the build does not
    reload it again."""
    site_dir = tmp_path / "site"
    (site_dir / "notes").mkdir(parents=True)
    (site_dir / "notes/c.html").write_text("<p>Gamma</p>")
    (site_dir / "notes/a.html").write_text("<p>Alpha</p>")
    (site_dir / "404.html").write_text("<p>No such page</p>")
    live = LiveSite()
    handler = type("SiteHandler", (Handler,), {"live": live, "site_dir": site_dir})
    http = SiteServer(("127.0.0.1", 0), partial(handler, directory=str(site_dir)))
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/"
    try:
        with live.building() as (_, removed):
            live.look_first(outputs.FirstLook({}, frozenset(), frozenset({"notes/c.html"})))
            assert live.changed_files == ["notes/c.html"]
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(url + "notes/c.html", timeout=5)
            assert answer.value.code == 404 and b"No such page" in answer.value.read()
            other: queue.Queue[bytes] = queue.Queue()
            threading.Thread(target=lambda: other.put(urllib.request.urlopen(url + "notes/a.html").read())).start()
            with pytest.raises(queue.Empty):
                other.get(timeout=0.3)
            (site_dir / "notes/c.html").unlink()  # as the build then does
        assert b"Alpha" in other.get(timeout=5)
        assert _shown_already(site_dir, "notes/c.html", None, removed), "not told to reload again"
    finally:
        http.shutdown()


def test_a_build_that_fails_after_its_first_look_leaves_the_last_good_site_served(
    held_build: HeldBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edited page was shown early; then a template of a list fails to render. The pages show the error, and
    the server answers the last good site again, not what the failed build had shown."""
    held = held_build

    def failing(*_: Any, **__: Any) -> tuple[int, int]:
        assert held.rest_may_render.wait(timeout=20)
        raise UserError(Diagnostic("templates/timeline.html", "unexpected end of template", line=3))

    monkeypatch.setattr(outputs, "render_and_write", failing)
    building = threading.Thread(target=held.rebuild)
    building.start()
    held.wait_for_first_look()
    with urllib.request.urlopen(held.url + "notes/b.html", timeout=5) as answer:
        assert b"<h1>Beta Two</h1>" in answer.read()
    held.rest_may_render.set()
    building.join(timeout=20)
    assert held.live.problems == ["templates/timeline.html:3: unexpected end of template"]
    with urllib.request.urlopen(held.url + "notes/b.html", timeout=5) as answer:
        assert b"<h1>Beta</h1>" in answer.read(), "the last good site, as on disk"
    assert b"<h1>Beta</h1>" in (held.site_dir / "notes/b.html").read_bytes()


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_after_an_edit_shows_stops_once_the_site_holds_it_or_at_once_pressed_twice(
    held_build: HeldBuild, presses: int
) -> None:
    """The reader saw the retitle and stops the server while the build still renders the lists: the site on disk
    must hold what was shown, not the edit before; a second Ctrl+C does not wait (and leaves the last site whole)."""
    held, site_dir = held_build, held_build.site_dir
    before = (site_dir / "notes/b.html").read_bytes()

    def press() -> None:
        held.wait_for_first_look()
        for _ in range(presses):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        held.rest_may_render.set()

    previous = signal.signal(signal.SIGINT, lambda *_: held.live.interrupt(held.said.append))
    try:
        threading.Thread(target=press).start()
        with pytest.raises(KeyboardInterrupt):
            held.rebuild()  # in the main thread, as `serve` runs it: there Ctrl+C lands
    finally:
        signal.signal(signal.SIGINT, previous)
    page = (site_dir / "notes/b.html").read_bytes()
    if presses == 1:
        assert b"<h1>Beta Two</h1>" in page and b">Beta Two</a>" in (site_dir / "notes/a.html").read_bytes()
        assert held.said == ["stopping once this build is written (Ctrl+C again to stop now)"]
    else:
        assert page == before, "stopped in the middle: the last site stays whole"


def _without_client(page: bytes) -> bytes:
    return page.replace(b'<script src="/__llmnotes/reload.js"></script>', b"")
