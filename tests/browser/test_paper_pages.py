"""The lineage, the timeline and a note's citation in a real browser: both themes, phone width, filter, copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot
from test_accessibility import serious_violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["lineage.html", "timeline.html", "notes/self-instruct.html"])
def test_no_serious_accessibility_violations(page, site: Path, path: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((site / path).as_uri())
    if path.startswith("notes/"):
        page.click(".cite summary")
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lineage_is_readable_in_both_themes(page, site: Path, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((site / "lineage.html").as_uri())
    colours = page.evaluate(
        """() => {
            const node = document.querySelector('#lineage-t5');
            const style = (el, prop) => getComputedStyle(el)[prop];
            return {text: style(node.querySelector('text'), 'fill'), box: style(node.querySelector('rect'), 'fill'),
                    page: style(document.body, 'backgroundColor'),
                    edge: style(document.querySelector('.lineage-edge'), 'stroke')};
        }"""
    )
    assert colours["text"] != colours["box"] and colours["box"] == colours["page"]
    assert colours["edge"] not in (colours["page"], "none")
    if scheme == "dark":
        assert colours["page"] == "rgb(13, 17, 23)" and colours["text"] == "rgb(230, 237, 243)"
    screenshot(page, f"lineage-{scheme}")
    page.locator("#lineage-flan").click()
    assert page.url.endswith("notes/flan.html")


def test_phone_width_scrolls_only_inside_the_lineage(mobile_page, site_url: str) -> None:
    for path in ("lineage.html", "timeline.html", "notes/t5.html"):
        mobile_page.goto(site_url + path)
        if path.startswith("notes/"):
            mobile_page.click(".cite summary")
        assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 375, path
    mobile_page.goto(site_url + "lineage.html")
    scroller = mobile_page.evaluate(
        "(() => { const s = document.querySelector('.lineage-scroll'); return [s.scrollWidth, s.clientWidth]; })()"
    )
    assert scroller[0] > scroller[1]


def test_timeline_filters_by_tag_and_keeps_it_in_the_address(page, http_root: str) -> None:
    page.goto(http_root + "timeline.html")
    assert page.locator(".timeline-entry:visible").count() == 11
    page.select_option("#timeline-filter select", "rlhf")
    assert page.locator(".timeline-entry:visible").count() == 1
    assert page.locator(".timeline-year:visible").count() == 1
    assert page.locator("#timeline-filter output").inner_text() == "1 篇"
    assert "tag=rlhf" in page.url
    page.reload()
    assert page.locator(".timeline-entry:visible").count() == 1
    screenshot(page, "timeline-filtered")


def test_copy_bibtex_puts_the_entry_on_the_clipboard(browser, http_root: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    tab.goto(http_root + "notes/t5.html")
    tab.click(".cite summary")
    button = tab.locator("button.copy-bibtex")
    assert button.is_visible()
    button.click()
    tab.wait_for_function("document.querySelector('button.copy-bibtex').textContent === '已复制'")
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@article{raffel2020exploring,") and copied.rstrip().endswith("}")
    context.close()
