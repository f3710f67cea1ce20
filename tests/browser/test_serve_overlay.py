"""In a real browser: a page served by `llmnotes serve` reloads on a save and shows the build's errors over itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import screenshot

from serving import NOTE_A, Server, served_site
from sites import write_site


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from served_site(tmp_path / "served")


def open_tabs(page: Any, server: Server, paths: dict[str, str]) -> tuple[dict[str, Any], dict[str, int]]:
    """A tab per page of the site (the first in `page`), each counting its loads from when their event streams are
    open."""
    tabs = {name: page if number == 0 else page.context.new_page() for number, name in enumerate(paths)}
    loads = dict.fromkeys(paths, 0)
    for name, tab in tabs.items():
        tab.on("load", lambda _, name=name: loads.__setitem__(name, loads[name] + 1))
        tab.goto(server.url + paths[name])
    page.wait_for_timeout(300)  # the event streams open
    loads.update(dict.fromkeys(paths, 0))
    return tabs, loads


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


def test_a_retitle_reloads_each_open_page_once_and_every_one_shows_the_new_title(tmp_path: Path, page: object) -> None:
    """A retitle in a site of folders, served: the note's page (its heading, and the section tree beside it, which
    the server may answer before the lists are written) and the timeline open in another tab each reload once and
    show the new title."""
    root = write_site(
        tmp_path / "folders",
        {
            "notes/models/bert.md": "---\ntitle: BERT\nyear: 2018\n---\nSee [[t5]].\n",
            "notes/models/t5.md": "---\ntitle: T5\nyear: 2019\n---\nText to text.\n",
            "notes/surveys/llm4rec.md": "---\ntitle: LLM4Rec\nyear: 2023\n---\nA survey.\n",
        },
    )
    server = Server(root)
    try:
        tabs, loads = open_tabs(page, server, {"note": "notes/t5.html", "timeline": "timeline.html"})
        timeline = tabs["timeline"]
        note = root / "notes/models/t5.md"
        note.write_text(note.read_text().replace("title: T5", "title: Text-to-Text Transfer (T5)"))
        page.wait_for_function("document.querySelector('h1').innerText.includes('Text-to-Text')", timeout=5000)
        timeline.wait_for_function("document.body.innerText.includes('Text-to-Text')", timeout=5000)
        page.wait_for_function(
            "[...document.querySelectorAll('.site-tree a')].some(a => a.innerText.includes('Text-to-Text'))",
            timeout=5000,
        )
        page.wait_for_timeout(1000)  # a second reload, were one sent, would come by now
        assert loads == {"note": 1, "timeline": 1}
        screenshot(page, "serve-retitled-note")
    finally:
        server.stop()


def test_an_open_tag_page_shows_its_templates_edit_and_a_deleted_notes_open_page_says_not_found(
    tmp_path: Path, page: object
) -> None:
    """Each open page names itself to the server, which shows it first (see test_serve for the order): a tag's page
    reloads with its template's edit (in the project's copy of the theme), and the page of a note deleted reloads
    into the site's "not found" page, styled; each tab loads once per change it shows."""
    root = write_site(
        tmp_path / "themed",
        {
            "notes/bert.md": "---\ntitle: BERT\nyear: 2018\ntags: [encoder]\n---\nSee [[t5]].\n",
            "notes/t5.md": "---\ntitle: T5\nyear: 2019\ntags: [encoder]\n---\nText to text.\n",
        },
    )
    shutil.copytree(Path(__file__).resolve().parents[2] / "templates", root / "templates")
    server = Server(root)
    try:
        tabs, loads = open_tabs(page, server, {"tag": "tags/encoder.html", "note": "notes/bert.html"})
        note_tab = tabs["note"]
        template = root / "templates/tag.html"
        text = template.read_text(encoding="utf-8")
        at = text.rindex("{% endblock %}")
        template.write_text(text[:at] + '<p class="edited-here">本站改过</p>\n' + text[at:], encoding="utf-8")
        page.wait_for_selector(".edited-here", timeout=5000)
        assert "BERT" in page.inner_text("main")
        screenshot(page, "serve-tag-template-edited")
        (root / "notes/bert.md").unlink()
        note_tab.wait_for_function("!document.body.innerText.includes('See')", timeout=5000)
        status = note_tab.evaluate("fetch(location.href).then(answer => answer.status)")
        assert status == 404
        styled = "[...document.styleSheets].some(s => s.href.endsWith('/static/style.css') && s.cssRules.length)"
        assert note_tab.evaluate(styled), "the site's 404 page, styled, though it is answered in notes/"
        page.wait_for_function("!document.body.innerText.includes('BERT')", timeout=5000)
        page.wait_for_timeout(1000)  # a second reload, were one sent, would come by now
        assert loads == {"tag": 2, "note": 1}, "the tag's page reloads for the template, then for the deletion"
        screenshot(note_tab, "serve-deleted-note-page")
    finally:
        server.stop()
