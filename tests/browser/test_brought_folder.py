"""A folder brought from MkDocs or Obsidian, in a real browser: copied images show, sections lead up and down."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot
from test_accessibility import serious_violations

from llmnotes.engine.build import build
from sites import write_site
from test_folders import DOCS, PNG


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("docs"), DOCS)
    (root / "docs/images").mkdir()
    (root / "docs/images/架构.png").write_bytes(PNG)
    build(root, strict=True)
    return root / "site"


def test_a_copied_image_shows_from_disk_and_sections_lead_up_and_down(page, docs_site: Path) -> None:
    page.goto((docs_site / "notes/getting-started.html").as_uri())
    contents = page.locator("section.section-contents a")
    assert contents.all_inner_texts() == ["安装指南", "入门简介"]
    contents.first.click()
    page.wait_for_url("**/notes/install.html")
    image = page.locator(".prose img")
    assert image.get_attribute("alt") == "架构图"
    assert page.evaluate("document.querySelector('.prose img').naturalWidth") == 1  # the copied file loaded
    assert page.locator("h1").count() == 1
    assert page.locator("#__related").inner_text() == "相关笔记"  # not "papers": these are documentation pages
    screenshot(page, "folders-install")
    page.locator("nav.breadcrumb a").click()
    page.wait_for_url("**/notes/getting-started.html")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["notes/getting-started.html", "notes/install.html", "notes/提示.html"])
def test_sections_embeds_and_callouts_pass_axe(page, docs_site: Path, path: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((docs_site / path).as_uri())
    assert serious_violations(page) == []
    if path == "notes/提示.html":
        folded = page.locator("details.admonition.example")
        assert not folded.locator("p", has_text="例子。").is_visible()
        folded.locator("summary").click()
        assert folded.locator("p", has_text="例子。").is_visible()
        screenshot(page, f"folders-callouts-{scheme}")
