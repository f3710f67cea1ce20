"""The built site opens in a real browser, from disk and over HTTP, with its styles applied."""

from __future__ import annotations

from browsing import screenshot


def test_home_and_note_render_with_styles(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    assert page.title() == "LLM 入门论文笔记"
    assert page.locator("link[rel=stylesheet]").count() >= 3
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "PingFang SC" in body_font
    page.locator("a.internal", has_text="InstructGPT").first.click()
    page.wait_for_load_state()  # the URL changes as the navigation commits, before the new page is parsed
    assert page.url.endswith("notes/instructgpt.html")
    assert page.locator("figure.diagram svg").count() >= 1
    if site_url.startswith("file:"):
        screenshot(page, "note-instructgpt-desktop")


def test_phone_width_has_no_horizontal_scrolling(mobile_page, site_url: str) -> None:
    for path in ("index.html", "notes/unilm.html", "notes/gpt-2.html", "tags/index.html", "reading-list.html"):
        mobile_page.goto(site_url + path)
        width = mobile_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
