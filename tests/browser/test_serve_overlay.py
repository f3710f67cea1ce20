"""In a real browser: a page served by `llmnotes serve` reloads on a save and shows the build's errors over itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import screenshot

from serving import NOTE_A, Server, served_site


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from served_site(tmp_path / "served")


def test_the_page_reloads_shows_the_errors_and_clears_them(server: Server, page: object) -> None:
    page.goto(server.url + "notes/a.html")
    page.wait_for_timeout(300)  # the event stream opens
    (server.root / "notes/a.md").write_text("---\ntitle: Alpha\n---\nAlpha now says something new.\n")
    page.wait_for_function("document.body.innerText.includes('Alpha now says something new.')", timeout=3000)
    (server.root / "notes/a.md").write_text("---\ntitle: Alpha\n---\nAlpha links to [[nowhere]].\n")
    overlay = page.locator("#llmnotes-errors")
    overlay.wait_for(timeout=3000)
    assert "notes/a.md:4:16: broken link [[nowhere]]" in overlay.inner_text()
    assert overlay.get_attribute("role") == "alert"
    screenshot(page, "serve-error-overlay")
    (server.root / "notes/a.md").write_text(NOTE_A)
    page.wait_for_function("!document.getElementById('llmnotes-errors')", timeout=3000)
    assert "Alpha links to" in page.inner_text("main")
