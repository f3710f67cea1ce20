"""A stand-in for the arXiv and Crossref APIs on 127.0.0.1: the answers recorded in tests/data/, failures on demand."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

DATA = Path(__file__).parent / "data"


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (the tests' 0.5 s timeout against a slow answer) is expected, not an error: the
    default handler would print its BrokenPipeError traceback into whichever test's stderr is captured then."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class PaperApi:
    """Serves /arxiv/query?id_list=ID and /crossref/works/DOI; `failures` maps an id or DOI to what goes wrong:
    ("status", 503), ("slow", seconds), ("body", bytes) or ("error-entry", None)."""

    def __init__(self) -> None:
        self.failures: dict[str, tuple[str, object]] = {}
        self.asked: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.asked.append(self.path)
                status, body = api.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[int, bytes]:
        parts = urlsplit(path)
        if parts.path == "/arxiv/query":
            wanted = parse_qs(parts.query).get("id_list", [""])[0]
            recorded = DATA / "arxiv" / (wanted.replace("/", "_") + ".xml")
            default = recorded if recorded.is_file() else DATA / "arxiv" / "no-such-paper.xml"
            return self._failure(wanted) or (200, default.read_bytes().replace(b"{id}", wanted.encode()))
        if parts.path.startswith("/crossref/works/"):
            doi = unquote(parts.path.removeprefix("/crossref/works/"))
            recorded = DATA / "crossref" / (quote(doi.lower(), safe="") + ".json")
            found = (200, recorded.read_bytes()) if recorded.is_file() else (404, b"Resource not found.")
            return self._failure(doi) or found
        return 404, b"not here"

    def _failure(self, name: str) -> tuple[int, bytes] | None:
        kind, value = self.failures.get(name, ("", None))
        if kind == "status":
            return int(value), b"<html><body>Service Unavailable</body></html>"  # type: ignore[call-overload]
        if kind == "slow":
            time.sleep(float(value))  # type: ignore[arg-type]
            return 200, b""
        if kind == "body":
            return 200, value  # type: ignore[return-value]
        if kind == "error-entry":
            return 200, (DATA / "arxiv" / "error-entry.xml").read_bytes().replace(b"{id}", name.encode())
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_papers(monkeypatch: pytest.MonkeyPatch) -> Iterator[PaperApi]:
    """The stand-in, with LLMNOTES_ARXIV_API and LLMNOTES_CROSSREF_API pointing at it, for a fixture to yield."""
    api = PaperApi()
    monkeypatch.setenv("LLMNOTES_ARXIV_API", f"{api.base}/arxiv/query")
    monkeypatch.setenv("LLMNOTES_CROSSREF_API", f"{api.base}/crossref")
    yield api
    api.close()
