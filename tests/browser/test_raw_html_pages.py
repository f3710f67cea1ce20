"""Raw HTML in a real browser: sanitized notes run nothing an author slipped in (the same notes do when allowed),
and an mkdocs-material hero renders as its author meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot
from test_accessibility import serious_violations

from llmnotes.engine.build import build
from sites import write_site

ATTACKS = """---
title: Attacks
---
Before.

<script>alert("script")</script>

<img src="missing.png" onerror="alert('onerror')">

<svg onload="alert('svg')"><circle r="5"></circle></svg>

<details open ontoggle="alert('toggle')"><summary>s</summary>x</details>

<iframe srcdoc="<script>parent.alert('iframe')</script>"></iframe>

<style>body { background: rgb(255, 0, 0) !important }</style>

<div id="overlay" style="position:fixed;inset:0;background:rgb(255,0,0)">covered</div>

<p>Click <a id="js" href="jav&#x09;ascript:alert('href')">here</a> and
<span onmouseover="alert('hover')" id="hover">here</span>.</p>

After.
"""

HERO = """---
title: 论文笔记
---
<!-- hero section: mkdocs-material -->
<div class="hero" markdown>
<p class="hero-sub">一句话介绍 <span class="hl">重点</span><br>第二行</p>

**加粗** 和 [指南](guide.md)，代码：https://wm2act.github.io/，见上
</div>

<details markdown>
<summary>更多</summary>

- 折叠的 *内容*
</details>
"""


def _site(root: Path, policy: str) -> Path:
    files = {
        "pyproject.toml": f'[tool.llmnotes]\ntitle = "Raw"\nraw_html = "{policy}"\n',
        "notes/attacks.md": ATTACKS,
        "notes/hero.md": HERO,
        "notes/guide.md": "---\ntitle: 指南\n---\n正文。\n",
    }
    write_site(root, files)
    build(root, strict=False)
    return root / "site"


@pytest.fixture(scope="module")
def sanitized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(tmp_path_factory.mktemp("sanitized"), "sanitize")


def _attack(page: object, site: Path) -> list[str]:
    """The alerts the attacks page raises when opened, hovered and clicked; and whether the page is defaced."""
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    page.goto((site / "notes/attacks.html").as_uri())  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    # As a reader would, though a page-wide overlay may lie over them.
    page.locator("#hover").dispatch_event("mouseover")  # type: ignore[attr-defined]
    page.locator("#js").evaluate("link => link.click()")  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")  # type: ignore[attr-defined]
    overlay = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const e = document.getElementById('overlay'); return e ? getComputedStyle(e).position : '' })()"
    )
    if background == "rgb(255, 0, 0)":
        fired.append("restyled the page")
    if overlay == "fixed":
        fired.append("covered the page")
    return fired


def test_no_attack_runs_on_a_sanitized_page(browser: object, sanitized: Path) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        tab = context.new_page()
        assert _attack(tab, sanitized) == []
        assert tab.locator(".prose").inner_text().startswith("Before.")
        assert "After." in tab.locator(".prose").inner_text()
    finally:
        context.close()


def test_the_same_attacks_run_when_raw_html_is_allowed(browser: object, tmp_path: Path) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        fired = _attack(context.new_page(), _site(tmp_path, "allow"))
    finally:
        context.close()
    assert {"script", "onerror", "hover", "href", "restyled the page", "covered the page"} <= set(fired), fired


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_hero_renders_with_its_markdown_and_no_tag_shows(page, sanitized: Path, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((sanitized / "notes/hero.html").as_uri())
    prose = page.locator(".prose")
    text = prose.inner_text()
    assert "<" not in text and "hero section" not in text, text
    assert page.locator(".hero .hero-sub .hl").inner_text() == "重点"
    assert page.locator(".hero strong").inner_text() == "加粗"
    link = page.locator(".hero a.external")
    assert (
        link.get_attribute("href") == "https://wm2act.github.io/" and link.inner_text() == "https://wm2act.github.io/"
    )
    assert not page.locator("details li").is_visible()
    page.locator("details summary").click()
    assert page.locator("details li em").inner_text() == "内容"
    assert serious_violations(page) == []
    screenshot(page, f"raw-html-hero-{scheme}")
    page.locator(".hero a.internal").click()
    page.wait_for_url("**/notes/guide.html")
