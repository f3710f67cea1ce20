"""Accessibility: axe-core finds no serious or critical violation on the main page kinds, in both themes."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PAGES = ["index.html", "notes/instructgpt.html", "notes/unilm.html", "tags/index.html", "reading-list.html"]


def serious_violations(tab) -> list[str]:
    tab.add_script_tag(content=AXE)
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations(page, site: Path, path: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((site / path).as_uri())
    assert serious_violations(page) == []


def test_skip_link_and_landmarks(page, site: Path) -> None:
    page.goto((site / "notes/t5.html").as_uri())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    assert page.locator("header").count() >= 1 and page.locator("main#main").count() == 1
    assert page.locator("footer").count() == 1 and page.locator("nav[aria-label]").count() >= 2


def test_focus_is_visible(page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
