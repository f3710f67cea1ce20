"""`llmnotes serve`: build, serve the site on loopback, rebuild on every change and reload the open pages."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time
import webbrowser
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..config import Config, load_config, with_base_url
from ..engine.build import build, warm_up
from ..engine.cache import CACHE_DIR, CacheMemory
from ..model import UsageError, UserError
from .report import describe

if TYPE_CHECKING:
    from ..engine.outputs import FirstLook

EVENTS_PATH = "/__llmnotes/events"
CLIENT_PATH = "/__llmnotes/reload.js"
KEEPALIVE = 15.0  # seconds between comments that keep an idle event stream open
QUIET_MS = 20  # saves closer together than this are one change: a build starts this long after the last one
GROUP_MS = 1_000  # a burst of saves is grouped at most this long before a build starts anyway
STOP_WAIT = 5.0  # seconds a server stopping waits to save the last build's cache
SAVE_AFTER = 0.3  # seconds after the open pages are told to reload that the build's cache is saved (see `_save_soon`)
_BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")

# Injected into HTML responses by the server only; `llmnotes build` never writes it into the site.
CLIENT = """(() => {
  // This page's file in the site: the server renders the open pages first after an edit (see LiveSite.open_pages).
  const here = decodeURIComponent(location.pathname).replace(/^[/]+/, "").replace(/(^|[/])$/, "$1index.html");
  const events = new EventSource("/__llmnotes/events?page=" + encodeURIComponent(here));
  let overlay = null;
  const show = (problems) => {
    overlay ??= document.body.appendChild(Object.assign(document.createElement("div"), {id: "llmnotes-errors"}));
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,20,.94);color:#ffd7d7;font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap";
    overlay.textContent = "llmnotes: the build failed; fix these and save:\\n\\n" + problems.join("\\n");
  };
  events.addEventListener("errors", (event) => show(JSON.parse(event.data)));
  // Reload when this page's own file changed, or a file every page uses (styles, scripts, the section tree);
  // the search index's shards are fetched afresh when a search starts, so they need no reload.
  events.addEventListener("reload", (event) => {
    const changed = JSON.parse(event.data);
    const shared = (path) => path.startsWith("static/") && !path.startsWith("static/search/");
    if (overlay || changed.some((path) => path === here || shared(path))) location.reload();
  });
})();
"""


class LiveSite:
    """The last build's outcome, and the event streams of the open pages waiting for the next one."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0
        self.problems: list[str] = []
        self.changed_files: list[str] = []  # what the last good build wrote or removed
        self.compiling = threading.Lock()  # held by a build and by the warm-up (see `serve`): one at a time
        self.stopping = False
        # While a build goes on, a request waits for the finished site (it never sees half of one), but for the files
        # the build has said it leaves as they are, or will write with bytes it already knows (see `look_first`).
        self.site = threading.Condition()
        self.busy = False
        self.coming: dict[str, bytes] = {}
        self.settled: frozenset[str] = frozenset()
        self.gone: set[str] = set()  # the pages of notes deleted, which the build removes
        self.stop_after_build = False  # see `interrupt`
        self.open_pages: Counter[str] = Counter()  # path in the site -> the event streams of the pages showing it

    def opened(self, page: str) -> None:
        with self.changed:
            self.open_pages[page] += 1

    def closed(self, page: str) -> None:
        with self.changed:
            self.open_pages[page] -= 1
            if self.open_pages[page] <= 0:
                del self.open_pages[page]

    def pages_open(self) -> list[str]:
        """The pages open in browsers, which a build shows first (see engine.outputs.look_at_open). A page closed
        leaves the list when its stream is next written to (an event, or the keep-alive): until then its page is
        rendered first for nothing, a few thousandths of a second."""
        with self.changed:
            return sorted(self.open_pages)

    @contextlib.contextmanager
    def building(self) -> Iterator[tuple[dict[str, bytes], set[str]]]:
        """Around a build: the requests that come meanwhile wait for it. Gives what it answers early, by path, and
        the pages it answers as gone."""
        answered: dict[str, bytes] = {}
        removed: set[str] = set()
        with self.site:
            self.busy, self.coming, self.gone = True, answered, removed
        try:
            yield answered, removed
        finally:
            with self.site:
                self.busy, self.coming, self.settled, self.gone = False, {}, frozenset(), set()
                self.site.notify_all()

    def look_first(self, look: FirstLook) -> None:
        """Answer the files a first look names before the build ends (what the edited notes' pages load, then the
        other open pages), and have those pages reload: their reader sees the edit while the build renders the pages
        that list every note. A page the build removes is answered 404."""
        with self.site:
            self.coming.update(look.changed)
            self.settled |= look.settled
            self.gone.update(look.gone)
            self.site.notify_all()
        self.publish([], sorted([*look.changed, *look.gone]))

    @contextlib.contextmanager
    def answering(self, path: str) -> Iterator[bytes | None]:
        """Once the site can answer for `path` (see `site`), and while it does: the bytes a build going on will write
        there, or None to read the file (unless the build `removes` it)."""
        with self.site:
            self.site.wait_for(
                lambda: not self.busy or path in self.coming or path in self.settled or path in self.gone
            )
            yield self.coming.get(path)

    def removes(self, path: str) -> bool:
        """Whether the build going on removes the page at `path` (the page of a note deleted, open in a browser)."""
        return path in self.gone

    def interrupt(self, say: Callable[[str], None]) -> None:
        """Ctrl+C. While a build writes what the open pages already show (see `look_first`), it stops the server once
        that build is written, so that the site on disk holds what the reader saw; a second one stops it at once."""
        if self.coming and not self.stop_after_build:
            self.stop_after_build = True
            say("stopping once this build is written (Ctrl+C again to stop now)")
            return
        raise KeyboardInterrupt

    def publish(self, problems: list[str], changed_files: list[str] | None = None) -> None:
        """Tell the open pages: the build failed with `problems`, or these files of the site changed."""
        with self.changed:
            if not problems and not changed_files and not self.problems:
                return  # nothing any page shows changed (a save that changed nothing, a file the site ignores)
            self.generation += 1
            self.problems = problems
            self.changed_files = changed_files or []
            self.changed.notify_all()

    def moved_on(self, seen: int) -> bool:
        """Whether there is news for a page that saw build `seen`: a newer build, or the server stopping."""
        return self.generation != seen or self.stopping

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


class Handler(SimpleHTTPRequestHandler):
    """Files under the site only, HTML with the reload client added, and the event stream."""

    live: LiveSite
    site_dir: Path

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        """What a GET would answer, without the body: browsers and link checkers ask before they fetch."""
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            if with_body:
                self._events()
            else:
                self._send(HTTPStatus.OK, "text/event-stream", b"", with_body=False)
            return
        if path == CLIENT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", CLIENT.encode(), with_body)
            return
        relative = _site_path(path)
        with self.live.answering(relative) as coming:
            if coming is None:
                found = None if self.live.removes(relative) else self._read(path)
                missing = self._not_found_page() if found is None else b""
        if coming is not None:
            kind = self.guess_type(relative)
            self._send_site_file(kind, _content_tag(coming, kind == "text/html"), coming, with_body)
        elif found is None:
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", _with_client(missing), with_body)
        else:
            self._send_site_file(*found, with_body)

    def _read(self, url_path: str) -> tuple[str, str, bytes | None] | None:
        """The type, entity tag and bytes of the file a URL names (no bytes when the browser holds them already);
        None when the site has no such file."""
        target = self._file(url_path)
        if target is None:
            return None
        kind = self.guess_type(str(target))
        tag = _entity_tag(target, kind == "text/html")
        return kind, tag, None if self._holds(tag) else target.read_bytes()

    def _holds(self, tag: str) -> bool:
        return tag in self.headers.get("If-None-Match", "").split(", ")

    def _send_site_file(self, kind: str, tag: str, body: bytes | None, with_body: bool) -> None:
        if body is None or self._holds(tag):
            self._not_modified(tag)
            return
        if kind == "text/html":
            body, kind = _with_client(body), "text/html; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body, with_body, ranged=True, tag=tag)

    def _not_found_page(self) -> bytes:
        """The site's 404 page, its links (relative to the site's root) made to work at any depth: the server answers
        it for a missing page deep in the site, the page of a note just deleted in notes/ among them."""
        not_found = self.site_dir / "404.html"
        if not not_found.is_file():
            return b"not found"
        return not_found.read_bytes().replace(b"<head>", b'<head>\n<base href="/">', 1)

    def _not_modified(self, tag: str) -> None:
        """The browser's copy is the file: an open page reloading after an edit fetches again only what changed."""
        self.send_response(HTTPStatus.NOT_MODIFIED)
        self.send_header("ETag", tag)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _file(self, url_path: str) -> Path | None:
        """The file a URL names, only if it lies inside the site (no `..`, no symlink out of it)."""
        relative = unquote(url_path).lstrip("/")
        if "\0" in relative:
            return None
        candidate = (self.site_dir / relative).resolve()
        if not candidate.is_relative_to(self.site_dir):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _send(
        self,
        status: HTTPStatus,
        kind: str,
        body: bytes,
        with_body: bool = True,
        ranged: bool = False,
        tag: str | None = None,
    ) -> None:
        """Send `body`, or with `ranged` the part a Range header asks for: Safari plays video only from a
        server that answers `Range: bytes=0-1` with 206 Partial Content. A file with an entity `tag` may be kept by
        the browser, which asks whether it changed each time it uses it (see `_entity_tag`)."""
        headers = {"Content-Type": kind, "Cache-Control": "no-store"}
        if tag is not None:
            headers.update({"Cache-Control": "no-cache", "ETag": tag})
        if ranged:
            headers["Accept-Ranges"] = "bytes"
            asked = self.headers.get("Range")
            part = byte_range(asked, len(body)) if asked else None
            if part is not None and not part:
                headers["Content-Range"] = f"bytes */{len(body)}"
                status, body = HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, b""
            elif part is not None:
                headers["Content-Range"] = f"bytes {part.start}-{part.stop - 1}/{len(body)}"
                status, body = HTTPStatus.PARTIAL_CONTENT, body[part.start : part.stop]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        page = parse_qs(urlsplit(self.path).query).get("page", [""])[0]
        if page:
            self.live.opened(page)
        try:
            self._stream()
        finally:
            if page:
                self.live.closed(page)

    def _stream(self) -> None:
        live = self.live
        with live.changed:
            seen = live.generation
            problems = list(live.problems)
        try:
            if problems:
                self._event("errors", problems)
            while True:
                with live.changed:
                    live.changed.wait_for(partial(live.moved_on, seen), timeout=KEEPALIVE)
                    if live.stopping:
                        return
                    fresh, seen, problems = live.generation != seen, live.generation, list(live.problems)
                    changed_files = list(live.changed_files)
                if not fresh:
                    self.wfile.write(b": keep-alive\n\n")
                elif problems:
                    self._event("errors", problems)
                else:
                    self._event("reload", changed_files)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def _event(self, name: str, data: object) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


class SiteServer(ThreadingHTTPServer):
    """A thread per request; a reader who leaves before a file is sent (a closed tab, a cancelled download) is
    not an error, and prints no traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset, ConnectionAborted
            super().handle_error(request, client_address)


def byte_range(header: str, size: int) -> range | None:
    """The bytes a `Range` header asks for of a file of `size` bytes (RFC 9110): an empty range when none of them
    exists (416), None to send the whole file (a header this server does not take, such as several ranges)."""
    found = _BYTE_RANGE.fullmatch(header.strip())
    if found is None or found.group(1) == found.group(2) == "":
        return None
    start, end = found.group(1), found.group(2)
    if start == "":  # the last `end` bytes
        return range(max(0, size - int(end)), size)
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if end and int(end) < first:
        return None  # not a valid range: ignored
    return range(first, last + 1) if first < size else range(0)


def _with_client(body: bytes) -> bytes:
    tag = f'<script src="{CLIENT_PATH}"></script>'.encode()
    at = body.rfind(b"</body>")
    return body[:at] + tag + body[at:] if at >= 0 else body + tag


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    drafts: bool = False,
    say: Callable[[str], None] = print,
    output: Path | None = None,
    strict: bool | None = None,
    base_url: str | None = None,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """Build, serve and rebuild until interrupted (Ctrl+C); the options are `build`'s, and `quiet` prints only
    errors and where the site is served, `verbose` every warning."""
    import watchfiles  # only the server needs it

    config = with_base_url(load_config(root.resolve()), base_url)
    site_dir = (output or config.output_path).resolve()
    live = LiveSite()
    memory = CacheMemory(save_later=True)  # see `_rebuild`
    options = {"output": site_dir, "strict": strict, "drafts": drafts, "base_url": base_url, "memory": memory}
    rebuild = partial(_rebuild, root=config.root, options=options, live=live, say=say, quiet=quiet, verbose=verbose)
    rebuild()
    threading.Thread(target=_warm_up, args=(config.root, options, live, say, quiet), daemon=True).start()
    site_dir.mkdir(parents=True, exist_ok=True)
    handler = type("SiteHandler", (Handler,), {"live": live, "site_dir": site_dir})
    server = SiteServer((host, port), partial(handler, directory=str(site_dir)))
    address = f"http://{host}:{server.server_address[1]}/"
    stop = threading.Event()
    interrupted = signal.signal(signal.SIGINT, lambda *_: live.interrupt(say))
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        say(f"serving {_shown(site_dir)}/ at {address} (Ctrl+C to stop)")
        if open_browser:
            webbrowser.open(address)
        watched = [p for p in _watched(config) if p.exists()]
        only_sources = partial(
            _is_source, ignored=_ignored(config, site_dir), root=str(config.root), default=watchfiles.DefaultFilter()
        )
        # watchfiles' `debounce` is the longest it groups changes; its `step`, how long it waits for another.
        changes_seen = watchfiles.watch(
            *watched, watch_filter=only_sources, debounce=GROUP_MS, step=QUIET_MS, stop_event=stop
        )
        for changes in changes_seen:
            # The notes saved, added or deleted need no look at the other inputs (see scan.rescan_notes).
            rebuild(seen_changed=sorted({path for _, path in changes}))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, interrupted)
        stop.set()
        live.stop()
        server.shutdown()
        server.server_close()
        if live.compiling.acquire(timeout=STOP_WAIT):  # not if a warm-up goes on: the cache would cost it time only
            memory.finish_saving()
            live.compiling.release()
        say("stopped")


def _warm_up(root: Path, options: dict[str, Any], live: LiveSite, say: Callable[[str], None], quiet: bool) -> None:
    """While the reader looks at the site: read what the first edit would read (the parsed notes, the search
    entries, the partials of the pages that list every note: 0.5-1 s at 10,000 notes), and compile the site and
    work out every output's key (see build.warm_up), so that the first edit after the server starts works out again
    only the keys it changes, as the next ones do. Requests are served meanwhile; a save waits for it, as it would
    for another build."""
    from ..emit.fragments import FRAGMENTS, read_ahead  # the emitters' package, which a build with nothing to do skips
    from ..engine import body_edits  # noqa: F401  (a body edit's, which the warm-up does not import)

    started = time.perf_counter()
    try:
        with live.compiling:
            memory = options["memory"]
            read_ahead(root / CACHE_DIR / FRAGMENTS)
            keyed = warm_up(root, memory, options["output"], options["strict"], options["drafts"], options["base_url"])
            # The site in memory is a million objects that live as long as the server: set them aside, so that the
            # collector does not walk them again and again. Its first walks, right after the warm-up, took
            # 0.3-0.4 s each, three of them, in the middle of the first edit.
            gc.collect()
            gc.freeze()
    except (UserError, OSError):
        return  # the next build says what is wrong
    if keyed and not quiet:
        say(f"ready: the site's keys in memory in {time.perf_counter() - started:.2f} s")


def _rebuild(
    root: Path,
    options: dict[str, Any],
    live: LiveSite,
    say: Callable[[str], None],
    quiet: bool,
    verbose: bool,
    seen_changed: Collection[str] = (),
) -> None:
    """Build through the incremental engine; errors go to the terminal and to the open pages."""
    memory = options["memory"]
    try:
        with live.compiling, live.building() as (shown, removed):
            memory.finish_saving()  # the last build's, if its time has not come yet
            opened = live.pages_open()
            result = build(root, **options, seen_changed=seen_changed, first_look=live.look_first, open_pages=opened)
    except UserError as error:
        if isinstance(error, UsageError) and live.generation == 0:
            raise  # the first build: e.g. an --out that would overwrite the notes stops before the server starts
        problems = [d.format() for d in error.diagnostics]
        say("\n".join(problems) + f"\nbuild failed with {len(problems)} problems; still serving the last good site")
        live.publish(problems)
    else:
        if not quiet:
            for line in describe(result.warnings, everything=verbose):
                say(line)
            say(f"built {result.notes} notes in {result.seconds:.2f} s ({result.rendered} outputs rendered)")
        site_dir = result.output
        # The pages that reloaded when the build began to show them, with the bytes it wrote, need not reload again.
        live.publish(
            [], [path for path in result.changed if not _shown_already(site_dir, path, shown.get(path), removed)]
        )
        _save_soon(live, memory)
    if live.stop_after_build:  # Ctrl+C during the build (see LiveSite.interrupt)
        raise KeyboardInterrupt


def _shown_already(site_dir: Path, path: str, shown: bytes | None, removed: set[str]) -> bool:
    """Whether the open pages saw the file at `path` as the build left it, during the build (see `look_first`)."""
    file = site_dir / path
    if path in removed:
        return not file.exists()
    try:
        return shown is not None and file.read_bytes() == shown
    except OSError:
        return False


def _save_soon(live: LiveSite, memory: CacheMemory) -> None:
    """Save the build's cache once the open pages have reloaded: saving (0.1-0.2 s at 10,000 notes) competes with
    their requests for the interpreter, and slowed each page's reload by a few hundredths of a second. The next
    build, and the server stopping, save it first if they come sooner."""

    def save() -> None:
        with live.compiling:
            memory.finish_saving()

    timer = threading.Timer(SAVE_AFTER, save)
    timer.daemon = True
    timer.start()


def _entity_tag(file: Path, with_client: bool) -> str:
    """What the file's bytes are known by to browsers: its stamp, which every write of the build changes (a file is
    replaced, never written in place); an HTML page's, with the reload client the server adds to it."""
    stat = file.stat()
    client = f"-{_CLIENT_DIGEST}" if with_client else ""
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-{stat.st_ino:x}{client}"'


def _content_tag(content: bytes, with_client: bool) -> str:
    """What the bytes of a file a build has not written yet are known by (see `_entity_tag`)."""
    client = f"-{_CLIENT_DIGEST}" if with_client else ""
    return f'"{hashlib.blake2b(content, digest_size=8).hexdigest()}{client}"'


def _site_path(url_path: str) -> str:
    """The path in the site of the file a URL names, as the build knows it (a folder's is its index.html)."""
    relative = unquote(url_path).lstrip("/")
    return relative + "index.html" if relative == "" or relative.endswith("/") else relative


_CLIENT_DIGEST = hashlib.blake2b(CLIENT.encode(), digest_size=4).hexdigest()


def _watched(config: Config) -> list[Path]:
    return [
        config.notes_path,
        config.pages_path,
        config.data_path,
        config.templates_path,
        config.root / "pyproject.toml",
        *([config.root / config.bibliography] if config.bibliography else []),  # Better BibTeX keeps it exported
    ]


def _ignored(config: Config, site_dir: Path) -> tuple[str, ...]:
    """The output folder (--out's, or output_dir) and the cache (the staging folders, `.site-new-…`, are hidden)."""
    return (str(site_dir), str(config.output_path.resolve()), str((config.root / ".llmnotes-cache").resolve()))


def _is_source(
    change: Any, path: str, ignored: tuple[str, ...], root: str, default: Callable[[Any, str], bool]
) -> bool:
    """Editors' swap and backup files, anything in a hidden folder (.obsidian/, .git/), the build's own output,
    staging folders and cache are not changes to the notes; watchfiles' own filter says the rest."""
    name = os.path.basename(path)
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")) or path.startswith(ignored):
        return False
    inside = os.path.relpath(path, root).split(os.sep)
    if any(part.startswith(".") for part in inside[:-1]):  # the build never reads a hidden folder either
        return False
    return default(change, path)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
