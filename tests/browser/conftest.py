"""Browser fixtures: the repository's site built once, Debian's Chromium through Playwright, a loopback server."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llmnotes.engine.build import build

REPO = Path(__file__).resolve().parents[2]
# Browser tests share the fixture helpers of tests/ (sites.py, serving.py), which pytest puts on the path only
# for the test files in that folder itself.
sys.path.insert(0, str(REPO / "tests"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, browser tests skip on a developer's machine but fail in CI, which installs it."""
    if Path(CHROMIUM).exists() and shutil.which("chromium"):
        return
    if os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own notes, built once for all browser tests."""
    output = tmp_path_factory.mktemp("browser") / "site"
    build(REPO, output, strict=True)
    return output


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def mobile_page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def http_root(site: Path) -> Iterator[str]:
    """The built site served over HTTP on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(params=["file", "http"])
def site_url(request: pytest.FixtureRequest, site: Path) -> str:
    """The site's root URL, once over file:// and once over HTTP (ends with a slash)."""
    if request.param == "file":
        return site.as_uri() + "/"
    return request.getfixturevalue("http_root")
