"""The section tree of an mkdocs-material-shaped site, from disk: a sidebar at 1280 px, a drawer at 375 px, usable
from the keyboard, and clean under axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot
from test_accessibility import serious_violations

from llmnotes.engine.build import build
from sites import MATERIAL_SITE, write_site

NOTE = "notes/视觉指令.html"


@pytest.fixture(scope="module")
def material_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("material"), MATERIAL_SITE)
    build(root, strict=True)
    return root / "site"


def toggle(tab, name: str):
    return tab.locator(f'#site-tree button.tree-toggle[aria-label="{name}"]')


def test_the_sidebar_shows_where_the_page_is(page, material_site: Path) -> None:
    page.goto((material_site / NOTE).as_uri())
    tree = page.locator("#site-tree")
    assert tree.is_visible()
    box = tree.bounding_box()
    assert box["x"] == 0 and 200 <= box["width"] <= 320 and box["height"] >= 800  # down the left side
    assert page.locator("main").bounding_box()["x"] >= box["width"]  # beside the text, not over it
    assert toggle(page, "ICLR 2024 会议").get_attribute("aria-expanded") == "true"  # its ancestors are open
    assert toggle(page, "多模态学习").get_attribute("aria-expanded") == "true"
    assert toggle(page, "强化学习").get_attribute("aria-expanded") == "false"
    assert toggle(page, "NeurIPS 2023").get_attribute("aria-expanded") == "false"
    current = page.locator('#site-tree a[aria-current="page"]')
    assert current.inner_text() == "视觉指令微调"
    colour = "a => getComputedStyle(a).color"
    assert current.evaluate(colour) != page.locator("#site-tree a", has_text="图文对齐").evaluate(colour)  # marked
    assert not page.locator("#site-tree a", has_text="离线强化学习").count()  # closed branches are not drawn yet
    assert not page.locator(".tree-open").is_visible()
    screenshot(page, "section-tree-1280")


def test_the_tree_works_from_the_keyboard(page, material_site: Path) -> None:
    page.goto((material_site / NOTE).as_uri())
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "强化学习":
            break
    else:
        pytest.fail("Tab never reached the 强化学习 folder's button")
    page.keyboard.press("Enter")
    assert toggle(page, "强化学习").get_attribute("aria-expanded") == "true"
    offline = page.locator("#site-tree a", has_text="离线强化学习")
    assert offline.is_visible()
    page.keyboard.press("Tab")  # the section's own page
    page.keyboard.press("Tab")  # its note
    assert offline.evaluate("a => a === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url("**/notes/%E7%A6%BB%E7%BA%BF.html")
    assert page.locator('#site-tree a[aria-current="page"]').inner_text() == "离线强化学习"
    toggle(page, "强化学习").focus()  # Space on a folder's button closes it
    page.keyboard.press("Space")
    assert toggle(page, "强化学习").get_attribute("aria-expanded") == "false"


def test_at_phone_width_the_tree_is_a_drawer(mobile_page, material_site: Path) -> None:
    tab = mobile_page
    tab.goto((material_site / NOTE).as_uri())
    tree = tab.locator("#site-tree")
    opener = tab.locator("button.tree-open")
    assert not tree.is_visible() and opener.is_visible()
    assert opener.get_attribute("aria-expanded") == "false"
    screenshot(tab, "section-tree-375")
    opener.focus()
    tab.keyboard.press("Enter")
    assert tree.is_visible() and opener.get_attribute("aria-expanded") == "true"
    box = tree.bounding_box()
    assert box["x"] == 0 and box["width"] <= 375 * 0.86
    current = tab.locator('#site-tree a[aria-current="page"]')
    assert current.evaluate("a => a === document.activeElement")  # focus goes to where the reader is
    screenshot(tab, "section-tree-375-drawer")
    assert serious_violations(tab) == []
    tab.keyboard.press("Escape")
    assert not tree.is_visible() and opener.get_attribute("aria-expanded") == "false"
    assert opener.evaluate("b => b === document.activeElement")
    opener.click()
    tab.locator("button.tree-close").click()
    assert not tree.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["index.html", NOTE, "notes/iclr2024.html", "tags/index.html"])
def test_pages_with_the_tree_pass_axe(page, material_site: Path, path: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((material_site / path).as_uri())
    assert page.locator("#site-tree").is_visible()  # every page, not only notes
    assert serious_violations(page) == []


def test_without_scripts_a_note_shows_the_tree_near_it(browser, material_site: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.goto((material_site / NOTE).as_uri())
    links = tab.locator("#site-tree a").all_inner_texts()
    assert links == ["ICLR 2024 会议", "多模态学习", "图文对齐", "视觉指令微调"]
    assert tab.locator("#site-tree").is_visible()
    screenshot(tab, "section-tree-no-script")
    context.close()


def test_the_home_page_is_the_sites_own_index_md(page, material_site: Path) -> None:
    page.goto((material_site / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "论文笔记"
    assert page.evaluate("document.querySelector('.intro img').naturalWidth") == 40  # its image, from disk
    assert page.locator("#site-tree > ul > li").count() == 2  # the tree's top: the two conferences
    screenshot(page, "section-tree-home-1280")
    page.locator(".section-list a", has_text="NeurIPS 2023").click()
    page.wait_for_url("**/notes/neurips2023.html")
    assert toggle(page, "NeurIPS 2023").get_attribute("aria-expanded") == "true"  # a section page opens itself
    assert page.locator('#site-tree a[aria-current="page"]').inner_text() == "NeurIPS 2023"


@pytest.mark.parametrize("path", ["lineage.html", "timeline.html", "tags/index.html", NOTE])
def test_nothing_hides_under_the_sidebar(page, material_site: Path, path: str) -> None:
    page.goto((material_site / path).as_uri())
    edge = page.locator("#site-tree").bounding_box()["width"]
    for element in page.locator("main > *").all():
        box = element.bounding_box()
        assert box is None or box["x"] >= edge, element.evaluate("e => e.outerHTML.slice(0, 80)")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # and nothing runs off the right
