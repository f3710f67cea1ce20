"""Formulas in a real browser: Chromium lays the MathML out, long ones scroll on a phone, bad ones show their TeX."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from browsing import SCREENSHOTS, screenshot

from llmnotes.engine.build import build

LONG = (
    r"\mathcal{L}(\theta) = -\sum_{t=1}^{T} \log p_\theta(x_t \mid x_{<t})"
    r" + \lambda \lVert \theta \rVert_2^2 + \beta\, \mathrm{KL}(\pi_\theta \| \pi_{\mathrm{ref}})"
    r" + \gamma \sum_{i} \max(0, m - s_i) + \delta \sum_{j} \max(0, m - s_j)"
)


# TeX that KaTeX renders and fell back to source on real sites; each must now be laid out as MathML.
REAL_NOTE = r"""
---
title: Real
---
两行：

$$
\mathcal{L} = \mathcal{L}_{\rm CE} + \lambda \mathcal{L}_{\rm KL} \\
\text{where } \lambda = 0.1
$$

$$\sum_{\substack{1 \le i \le n \\ i \ne j}} a_{ij} \quad A^\dag \quad a \not= b \quad x \not\in S$$

$$\left\{\begin{gathered} x + y = 1 \\ x - y = 0 \end{gathered}\right. \quad \boxed{E = mc^2}$$

$$\theta^* = \operatorname*{arg\,max}_\theta \lambda \lVert \theta \rVert_2^2$$

丢了反斜杠的 $lpha_t$ 显示为源码。
"""


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
    (root / "notes/real.md").write_text(REAL_NOTE.lstrip("\n"), encoding="utf-8")
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


def test_constructs_real_notes_use_are_laid_out_as_mathml(page, math_site: Path) -> None:
    page.goto((math_site / "notes/real.html").as_uri())
    blocks = page.locator(".math-block")
    assert blocks.count() == 4
    assert page.locator("pre.math-source").count() == 0
    assert page.locator("code.math-source").inner_text() == "$lpha_t$"

    lines = blocks.nth(0).locator("mtr")  # \\ outside an environment: two lines, one under the other, centred
    first, second = lines.nth(0).bounding_box(), lines.nth(1).bounding_box()
    assert first is not None and second is not None
    assert second["y"] >= first["y"] + first["height"] - 1
    assert abs((first["x"] + first["width"] / 2) - (second["x"] + second["width"] / 2)) < 2

    sum_sign = blocks.nth(1).locator("munder > mo").first.bounding_box()
    conditions = blocks.nth(1).locator("munder mtr")  # \substack: two conditions stacked under the sum
    top, bottom = conditions.nth(0).bounding_box(), conditions.nth(1).bounding_box()
    assert sum_sign is not None and top is not None and bottom is not None
    assert sum_sign["y"] + sum_sign["height"] <= top["y"] + 1 and top["y"] < bottom["y"]
    text = blocks.nth(1).inner_text()
    assert "†" in text and "≠" in text and "∉" in text

    gathered = blocks.nth(2).locator("mtr")
    assert gathered.count() == 2
    box = blocks.nth(2).locator('mrow[style*="border"]')
    assert box.evaluate("b => getComputedStyle(b).borderTopStyle") == "solid"
    assert box.evaluate("b => parseFloat(getComputedStyle(b).borderTopWidth)") > 0

    letter = blocks.nth(3).locator("munder + mi").bounding_box()  # λ
    operator = blocks.nth(3).locator("munder > mo").first.bounding_box()
    subscript = blocks.nth(3).locator("munder > :last-child").first.bounding_box()
    assert operator is not None and subscript is not None and letter is not None
    assert subscript["y"] >= operator["y"] + operator["height"] - 1  # arg max with θ under it, as KaTeX
    bars = blocks.nth(3).locator("mo", has_text="‖")
    bar = bars.first.bounding_box()
    assert bar is not None and bar["height"] < 1.6 * letter["height"]  # \lVert as tall as the text, not the row
    screenshot(page, "math-real-constructs")
