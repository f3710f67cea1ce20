"""Formulas in a real browser: Chromium lays the MathML out, long ones scroll on a phone, bad ones show their TeX."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from browsing import SCREENSHOTS, screenshot

from llmnotes.build import build

LONG = (
    r"\mathcal{L}(\theta) = -\sum_{t=1}^{T} \log p_\theta(x_t \mid x_{<t})"
    r" + \lambda \lVert \theta \rVert_2^2 + \beta\, \mathrm{KL}(\pi_\theta \| \pi_{\mathrm{ref}})"
    r" + \gamma \sum_{i} \max(0, m - s_i) + \delta \sum_{j} \max(0, m - s_j)"
)


@pytest.fixture(scope="module")
def math_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("math") / "project"
    (root / "notes").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.llmnotes]\ntitle = "Math"\nlanguage = "zh-CN"\n', encoding="utf-8")
    aligned = (
        r"\begin{aligned}L &= L_1 + \lambda L_2 \\ \nabla_\theta L &= \frac{\partial L}{\partial \theta}\end{aligned}"
    )
    attention = r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}+M\right)V"
    note = f"""
        ---
        title: Attention
        ---
        缩放点积注意力 $\\mathrm{{softmax}}(QK^\\top/\\sqrt{{d_k}})V$ 的形式是：

        $${attention}$$

        对齐的推导：

        $${aligned}$$

        一个很长的损失：

        $${LONG}$$

        写错的公式 $\\cancel{{x}}$ 显示为源码。
        """
    (root / "notes/attention.md").write_text(textwrap.dedent(note).lstrip("\n"), encoding="utf-8")
    output = root.parent / "site"
    build(root, output)
    return output


def test_fraction_is_laid_out_as_mathml(page, math_site: Path) -> None:
    page.goto((math_site / "notes/attention.html").as_uri())
    block = page.locator(".math-block math").first
    line_height = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.prose p')).lineHeight)")
    box = block.bounding_box()
    assert box is not None and box["height"] > 1.3 * line_height
    numerator = page.locator(".math-block mfrac > :first-child").first.bounding_box()
    denominator = page.locator(".math-block mfrac > :last-child").first.bounding_box()
    assert numerator is not None and denominator is not None
    assert numerator["y"] + numerator["height"] <= denominator["y"] + 1  # stacked, not side by side
    annotation = page.locator("annotation").first
    assert not annotation.is_visible()  # the TeX is kept for copying, not shown twice
    assert page.locator("code.math-source").inner_text() == "$\\cancel{x}$"
    screenshot(page, "math-desktop")


def test_aligned_rows_line_up_at_the_equals_sign(page, math_site: Path) -> None:
    page.goto((math_site / "notes/attention.html").as_uri())
    table = page.locator(".math-block mtable").first
    equals = [table.locator("mtr").nth(row).locator("mo", has_text="=").bounding_box() for row in (0, 1)]
    assert equals[0] is not None and equals[1] is not None
    assert abs(equals[0]["x"] - equals[1]["x"]) < 1


def test_long_formula_scrolls_inside_its_block_on_a_phone(mobile_page, math_site: Path) -> None:
    mobile_page.goto((math_site / "notes/attention.html").as_uri())
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 375
    long_block = mobile_page.locator(".math-block").nth(2)
    widths = long_block.evaluate("b => [b.scrollWidth, b.clientWidth, b.scrollLeft]")
    assert widths[0] > widths[1] and widths[2] == 0  # wider than the column, starting at its left edge
    long_block.evaluate("b => b.scrollLeft = b.scrollWidth")
    assert long_block.evaluate("b => b.scrollLeft") > 0


def test_unilm_attention_formula_renders(page, site: Path) -> None:
    page.goto((site / "notes/unilm.html").as_uri())
    block = page.locator(".math-block").first
    block.scroll_into_view_if_needed()
    box = block.locator("math").bounding_box()
    assert box is not None and box["height"] > 30
    assert block.locator("mfrac msqrt").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    block.screenshot(path=str(SCREENSHOTS / "math-unilm.png"))
