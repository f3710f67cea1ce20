"""Accessibility: axe-core finds no serious or critical violation on any kind of page, in light and dark, at 1,280
and 375 px, and no page scrolls sideways except inside a region a keyboard can scroll."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import SCREENSHOTS

from llmnotes.engine.build import build
from sites import MATERIAL_SITE, write_site

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = {1280: 900, 375: 812}

# A note with everything that can grow wider than a phone: long code, an indented block, a wide table, a wide
# formula, a figure and an image; and callouts, footnotes and a task list for their colours.
EVERYTHING = """
---
tags: [多模态, 示例]
---
# 全部元素示例

**会议**: ICLR 2024

正文里有行内公式 $x^2 + y^2 = z^2$ 和 `inline_code()`，还有链接到 [图文对齐](图文对齐.md) 的笔记。[^1]

```python
def contrastive_loss(image_embeddings, text_embeddings, temperature=0.07, reduction="mean", label_smoothing=0.1):
    return cross_entropy(image_embeddings @ text_embeddings.T / temperature, reduction=reduction)
```

    indented_code_block_with_a_long_line = "an indented block also scrolls sideways when it is this long"

| 模型 | 参数量 | 视觉编码器 | 语言模型 | 训练数据 | 指令数据 | 评测基准 | 开源 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| LLaVA-1.5-13B | 13B | CLIP-ViT-L/336px | Vicuna-13B-v1.5 | LCS-558K | LLaVA-Instruct-665K | VQAv2/GQA/MMBench | 是 |

$$
\\mathcal{L} = -\\frac{1}{N}\\sum_{i=1}^{N}\\log\\frac{\\exp(\\mathrm{sim}(v_i, t_i)/\\tau)}
{\\sum_{j=1}^{N}\\exp(\\mathrm{sim}(v_i, t_j)/\\tau)}
- \\frac{1}{N}\\sum_{i=1}^{N}\\log\\frac{\\exp(\\mathrm{sim}(t_i, v_i)/\\tau)}
{\\sum_{j=1}^{N}\\exp(\\mathrm{sim}(t_i, v_j)/\\tau)}
$$

```flow
direction: LR
caption: 视觉指令微调的两个阶段
a[图文对预训练]
b[指令微调]
a --> b
```

![封面图](../../images/hero.svg)

!!! note "说明"
    这是一个提示框。

!!! warning
    这是一个警告框。

> 引用的一段话。

- [x] 已读
- [ ] 未读

[^1]: 一条脚注。
"""


@pytest.fixture(scope="module")
def everything_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mkdocs-material-shaped site (a section tree) with a note holding every kind of wide block."""
    files = {**MATERIAL_SITE, "docs/ICLR2024/多模态/全部.md": EVERYTHING}
    root = write_site(tmp_path_factory.mktemp("a11y"), files)
    build(root, strict=True)
    return root / "site"


# What a change of theme alone can break: the themes differ only in their colours.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def serious_violations(tab, where: str = "", colours_only: bool = False) -> list[str]:
    """axe-core's serious and critical violations on the page: rule, where, and the elements (selector, markup)."""
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.add_script_tag(content=AXE)
    options = {"resultTypes": ["violations"], **({"runOnly": COLOUR_RULES} if colours_only else {})}
    result = tab.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}) on {where or tab.url}: {v['help']} — "
        + "; ".join(f"{n['target']} {n['html'][:120]}" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_search(tab) -> None:
    if tab.locator(".search-popup").is_hidden():
        tab.locator("#site-search-input").focus()
        tab.keyboard.type("奖励模型")
        tab.wait_for_function("document.querySelector('.search-popup').dataset.query === '奖励模型'")
        assert tab.locator("#site-search-results [role=option]").count() >= 2
        tab.keyboard.press("ArrowDown")
    assert tab.locator(".search-popup").is_visible()


def open_tree(tab) -> None:
    opener = tab.locator("button.tree-open")
    if opener.is_visible() and opener.get_attribute("aria-expanded") == "false":  # a drawer at phone width
        opener.click()
    folder = tab.locator('#site-tree button.tree-toggle[aria-label="强化学习"]')
    if folder.get_attribute("aria-expanded") == "false":  # and a closed folder opened
        folder.click()
    assert tab.locator("#site-tree a", has_text="离线强化学习").is_visible()


# kind: (site fixture, page, what to do once it is open)
KINDS = {
    "home": ("site", "index.html", None),
    "paper note": ("site", "notes/gpt-3.html", None),
    "note with code, math, a table and a figure": ("everything_site", "notes/全部.html", None),
    "section page": ("everything_site", "notes/iclr2024.html", None),
    "tag page": ("site", "tags/预训练.html", None),
    "tag index": ("site", "tags/index.html", None),
    "reading list": ("site", "reading-list.html", None),
    "lineage": ("site", "lineage.html", None),
    "timeline": ("site", "timeline.html", None),
    "search results open": ("site", "notes/instructgpt.html", open_search),
    "404": ("site", "404.html", None),
    "navigation tree open": ("everything_site", "notes/视觉指令.html", open_tree),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_kind_passes_axe_in_both_themes_at_both_widths(page, request, kind: str) -> None:
    fixture, path, action = KINDS[kind]
    site: Path = request.getfixturevalue(fixture)
    problems: list[str] = []
    page.emulate_media(color_scheme="light")
    page.goto((site / path).as_uri())
    for width, height in WIDTHS.items():  # one page, resized: what a media query changes, it changes live
        page.set_viewport_size({"width": width, "height": height})
        if action:
            action(page)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            where = f"{kind} ({path}, {width} px, {scheme})"
            problems += serious_violations(page, where, colours_only=scheme == "dark")
        page.emulate_media(color_scheme="light")
        if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
            wide = page.evaluate(WIDEST)
            problems.append(f"{kind} ({path}, {width} px) scrolls sideways: {wide}")
    assert problems == [], "\n".join(problems)


# The elements sticking out past the right edge of the window, outside any scrolling box: what makes a page scroll.
WIDEST = """(() => {
  const out = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.right <= innerWidth + 0.5) continue;
    let parent = element.parentElement, clipped = false;
    for (; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== 'visible') { clipped = true; break; }
    }
    if (!clipped) out.push(element.outerHTML.slice(0, 100) + ` (right edge ${Math.round(box.right)})`);
  }
  return out.slice(0, 5);
})()"""


def test_skip_link_and_landmarks(page, site: Path) -> None:
    page.goto((site / "notes/t5.html").as_uri())
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    assert page.locator("header").count() >= 1 and page.locator("main#main").count() == 1
    assert page.locator("footer").count() == 1 and page.locator("nav[aria-label]").count() >= 2


def test_wide_blocks_scroll_sideways_from_the_keyboard_at_phone_width(mobile_page, everything_site: Path) -> None:
    tab = mobile_page
    tab.goto((everything_site / "notes/全部.html").as_uri())
    assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth")  # the page itself does not scroll
    blocks = {"code": "pre.highlight", "table": ".table-scroll", "formula": "div.math-block"}
    for name, selector in blocks.items():
        block = tab.locator(selector).first
        assert block.evaluate("b => b.scrollWidth > b.clientWidth"), f"the {name} should be wider than the screen"
        for _ in range(40):  # Tab, as a reader would, until the block has focus
            tab.keyboard.press("Tab")
            if block.evaluate("b => b === document.activeElement"):
                break
        else:
            pytest.fail(f"Tab never reached the {name}")
        assert block.get_attribute("aria-label")
        assert block.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"  # its focus ring shows
        for _ in range(3):
            tab.keyboard.press("ArrowRight")
        # the arrow keys scroll it (smoothly, so give the animation time)
        tab.wait_for_function("s => document.querySelector(s).scrollLeft > 0", arg=selector, timeout=5000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"focus-375-{name}.png"))
