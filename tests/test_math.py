"""`$…$` and `$$…$$`: MathML Core at build time, and TeX Chromium cannot show reported as a warning, shown as source."""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from llmnotes.markdown import create_parser
from llmnotes.markdown.math import CORE, to_mathml
from sites import run_cli, write_site


def render(markdown: str, env: dict[str, Any] | None = None) -> str:
    return create_parser().render(textwrap.dedent(markdown).lstrip("\n"), {} if env is None else env)


def problems(markdown: str) -> tuple[str, list[dict[str, Any]]]:
    env: dict[str, Any] = {}
    html = render(markdown, env)
    return html, env.get("problems", [])


def elements(html: str) -> list[str]:
    """Every MathML element name in the page's <math> elements."""
    names: list[str] = []
    for math in re.findall(r"<math[ >].*?</math>", html, re.DOTALL):
        names += [element.tag for element in ET.fromstring(math).iter()]
    return names


# ---- rendering ------------------------------------------------------------------------------------------


def test_inline_and_block_math_become_mathml() -> None:
    html, found = problems(
        """
        能量 $E = mc^2$ 守恒。

        $$
        \\frac{a}{b}
        $$
        """
    )
    assert found == []
    assert re.search(r"能量 <math><semantics><mrow>.*<mi>E</mi>.*</math> 守恒", html)
    assert '<div class="math-block" tabindex="0" role="group" aria-label="Formula"><math display="block">' in html
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in html
    assert "<script" not in html


def test_the_tex_is_kept_as_an_annotation() -> None:
    html = render("$x^2$\n")
    assert '<annotation encoding="application/x-tex">x^2</annotation></semantics></math>' in html


def test_output_is_deterministic() -> None:
    source = "$\\sum_{i=1}^n \\mathbf{x}_i$ and $$\\sqrt{\\alpha}$$\n"
    assert render(source) == render(source)


@pytest.mark.parametrize(
    "markdown",
    [
        "It costs $5 and $10.\n",
        "Between $ 1 and 2 $ dollars.\n",
        "Escaped \\$x\\$ dollars.\n",
        "Code `$x$` here.\n",
        "```\n$$x$$\n```\n",
        "Code:\n\n    $$x$$\n",
    ],
)
def test_dollars_that_are_not_math_stay_text(markdown: str) -> None:
    html, found = problems(markdown)
    assert "<math" not in html
    assert found == []
    assert "$" in html


def test_double_dollars_inside_a_paragraph_are_display_math() -> None:
    html = render("见 $$a+b$$ 一式。\n")
    region = 'tabindex="0" role="group" aria-label="Formula"'  # it can scroll sideways, so it can take focus
    assert f'<p>见 <span class="math-block" {region}><math display="block">' in html


def test_equation_labels_are_left_as_text_since_links_cannot_target_them() -> None:
    html = render("$$a = b$$ (eq1)\n")
    assert 'id="eq1"' not in html
    assert "</math></span> (eq1)</p>" in html


def test_bold_and_blackboard_letters_use_unicode_math_alphabets() -> None:
    html = render("$\\mathbf{xy} + \\boldsymbol{\\theta} + \\mathbb{R} + \\mathbf{1}$\n")
    assert "mathvariant" not in html  # Chromium ignores every mathvariant but "normal"
    for char in "𝐱𝐲𝜽ℝ𝟏":
        assert char in html


def test_upright_letters_and_words_stay_upright() -> None:
    html = render("$\\mathrm{d}x + \\mathrm{softmax}(z) + X^\\mathrm{T}$\n")
    assert '<mi mathvariant="normal">d</mi>' in html
    assert '<mi mathvariant="normal">T</mi>' in html
    assert "<mi>softmax</mi>" in html


def test_operators_get_tex_spacing_and_limits() -> None:
    html = render("$\\log p + \\max_i x_i + \\sum_{i=1}^n i + \\operatorname{softmax}(z) + \\infty$\n")
    assert '<mi>log</mi><mspace width="0.1667em"></mspace><mi>p</mi>' in html
    assert '<munder><mo movablelimits="true" lspace="0em" rspace="0.1667em">max</mo>' in html
    assert '<munderover><mo movablelimits="true">∑</mo>' in html
    assert "<mi>softmax</mi><mo" in html
    assert "<mi>∞</mi>" in html


def test_norm_bars_keep_the_size_of_the_text_unless_left_and_right_stretch_them() -> None:
    html = render("$\\lambda \\lVert \\theta \\rVert_2^2 + \\lvert x \\rvert + \\left\\| \\frac{a}{b} \\right\\|$\n")
    assert '<mo stretchy="false">‖</mo><mi>θ</mi><msubsup><mo stretchy="false">‖</mo>' in html
    assert '<mo stretchy="false">|</mo><mi>x</mi><mo stretchy="false">|</mo>' in html
    assert '<mo stretchy="true" fence="true" form="prefix">‖</mo>' in html


def test_aligned_becomes_a_table_aligned_at_the_ampersands() -> None:
    html, found = problems("$$\\begin{aligned}a&=b\\\\c&=d\\end{aligned}$$\n")
    assert found == []
    assert html.count('<mtd style="text-align:-webkit-right">') == 2
    assert html.count('<mtd style="text-align:left">') == 2
    assert "columnalign" not in html


ACCEPTED = [
    r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}+M\right)V",
    r"\mathcal{L}(\theta) = -\sum_{t=1}^{T} \log p_\theta(x_t \mid x_{<t}) + \lambda \lVert \theta \rVert_2^2",
    r"\mathbb{E}_{x\sim\mathcal{D}}\left[\exp\left(-\frac{x^2}{2}\right)\right] \propto \prod_i \hat{y}_i",
    r"\arg\max_\theta \min_{\phi} \nabla_\theta \partial x \infty \approx \cdot \times \le \ge",
    r"\tilde{x} \bar{x} \vec{v} \hat{y} \dot{x} \overline{ab} \underline{c} \widehat{xy} \widetilde{z}",
    r"\alpha\beta\gamma\delta\epsilon\varepsilon\zeta\eta\theta\kappa\lambda\mu\nu\xi\pi\rho\sigma\tau\phi\chi\psi\omega",
    r"\Gamma\Delta\Theta\Lambda\Xi\Pi\Sigma\Phi\Psi\Omega \mathbf{W}_q \mathbf{xy} \boldsymbol{\theta} \bm{h}",
    r"\text{if } x \in \mathbb{R}^{d\times n}, \quad \mathrm{KL}(p\|q) \geq 0, \, \binom{n}{k} \tfrac12 \dfrac{a}{b}",
    r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise}\end{cases}",
    r"\begin{pmatrix}a&b\\c&d\end{pmatrix} \begin{bmatrix}1\end{bmatrix} \begin{align*}a&=b\end{align*}",
    r"\lim_{n\to\infty} \int_0^1 f(x)\,\mathrm{d}x \sqrt[3]{x} \overbrace{a+b}^{n} \underbrace{c}_{d} x' f''",
    r"\langle a, b \rangle \lfloor x \rfloor \lceil y \rceil \pm \mp \to \Rightarrow \mapsto \forall \exists \emptyset",
    r"\operatorname{softmax}(z)_i \operatorname*{argmax}_x \argmin_y \det A \Pr(x) a \bmod b \ldots \cdots",
    r"\textbf{bold} \textit{it} \texttt{mono} \emph{em} \color{red}{x} \phantom{x} \big( \Big] \left\{ x \right\}",
]


@pytest.mark.parametrize("tex", ACCEPTED)
def test_accepted_tex_gives_only_mathml_core(tex: str) -> None:
    for display in (False, True):
        markup, reasons = to_mathml(tex, display)
        assert reasons == []
        names = [element.tag for element in ET.fromstring(markup).iter()]
        assert set(names) <= CORE
        assert "mathvariant" not in markup.replace('mathvariant="normal"', "")
        assert not re.search(r"<m[io]>\\", markup)  # no command leaked through as text


# TeX that KaTeX renders and real notes use, rewritten before conversion: each with a piece of the MathML it gives.
ROW = '<mtd><mrow><mstyle displaystyle="true" scriptlevel="0">'
LIMITS = '<munder><mo movablelimits="true" lspace="0em" rspace="0.1667em">'
RENDERED = {
    r"a = b + c \\ d = e": f"<mtable><mtr>{ROW}<mi>a</mi><mo>=</mo>",
    r"h_t = f(x) \\[4pt] y_t = g(h_t) \\": f"</mtr><mtr>{ROW}<msub><mi>y</mi>",
    r"E = mc^2 \\": "<mrow><mi>E</mi><mo>=</mo>",
    r"\begin{gathered} a = b \\ c = d \end{gathered}": f"<mtable><mtr>{ROW}<mi>a</mi>",
    r"\begin{gather*} a \\ b \end{gather*}": f"</mtr><mtr>{ROW}<mi>b</mi>",
    r"\left\{\begin{gathered} x = 1 \\ y = 0 \end{gathered}\right.": 'form="prefix">{</mo><mtable>',
    r"\begin{split} L &= a \\ &= b \end{split}": '<mtd style="text-align:-webkit-right"><mi>L</mi></mtd>',
    r"\int_0^1 f(x)\,{\rm d}x": '<mrow><mi mathvariant="normal">d</mi></mrow><mi>x</mi>',
    r"{\rm softmax}(z) + {\bf x}": "<mi>softmax</mi>",
    r"{\bf x}^\top {\cal L}": "<mi>𝐱</mi>",
    r"A^\dag + B^\ddag": "<msup><mi>A</mi><mi>†</mi></msup><mo>+</mo><msup><mi>B</mi><mi>‡</mi></msup>",
    r"\sum_{\substack{i < n \\ i \ne j}} a_{ij}": '<munder><mo>∑</mo><mrow><mstyle scriptlevel="1"><mtable><mtr>',
    r"a \not= b": "<mi>a</mi><mo>≠</mo><mi>b</mi>",
    r"x \not\in S": "<mi>x</mi><mo>∉</mo><mi>S</mi>",
    r"p \not\equiv q": "<mi>p</mi><mo>≢</mo><mi>q</mi>",
    r"a \not < b \not\sim c": "<mi>a</mi><mo>≮</mo><mi>b</mi><mo>≁</mo><mi>c</mi>",
    r"\operatorname*{arg\,max}_\theta f": f"{LIMITS}arg\u2009max</mo>",
    r"\mathop{\mathrm{arg\,min}}_x f": f"{LIMITS}arg\u2009min</mo>",
    r"\operatorname{arg\,max}(x)": "<mi>arg\u2009max</mi><mo",
    r"\boxed{E = mc^2}": '<mrow style="border:0.05em solid;padding:0.3em"><mrow><mi>E</mi>',
    r"\text{<b>bold</b>} < x": "<mtext>&lt;b&gt;bold&lt;/b&gt;</mtext><mo>&lt;</mo>",
}


@pytest.mark.parametrize(("tex", "piece"), RENDERED.items())
def test_tex_other_renderers_accept_renders_as_mathml_core(tex: str, piece: str) -> None:
    markup, reasons = to_mathml(tex, True)
    assert reasons == []
    assert piece in markup
    assert {element.tag for element in ET.fromstring(markup).iter()} <= CORE
    assert not re.search(r"<m[io]>\\", markup)


@pytest.mark.parametrize(
    ("tex", "piece"),
    [
        (r"\alpha < \beta", "<mi>α</mi><mo>&lt;</mo><mi>β</mi>"),  # symbols the converter writes as &#x3B1;
        (r"x > \infty", "<mi>x</mi><mo>&gt;</mo><mi>∞</mi>"),
        (r"\text{a b} \& c", "<mtext>a\u00a0b</mtext><mi>&amp;</mi><mi>c</mi>"),  # its &#x000A0; and &amp;
    ],
)
def test_characters_the_converter_writes_as_references_show_as_themselves(tex: str, piece: str) -> None:
    """latex2mathml's tree holds `&#x3B1;`-style references; they come out as the characters, escaped once."""
    markup, reasons = to_mathml(tex, False)
    assert reasons == []
    assert piece in markup
    assert "&amp;#" not in markup


def test_a_line_break_with_columns_outside_an_environment_still_warns() -> None:
    markup, reasons = to_mathml(r"a &= b \\ c &= d", True)
    assert markup == ""
    assert any("& outside aligned" in what for what, _ in reasons), reasons


def test_words_that_merely_look_like_commands_are_left_alone() -> None:
    for tex in (r"\text{alpha beta} + \mathrm{eta}", r"\operatorname{rate}(x)", r"x_{left} + y_{right}", "a\n\\beta"):
        assert to_mathml(tex, True)[1] == [], tex


def test_a_formula_repeated_across_notes_converts_the_same() -> None:
    html = render("$\\not= \\dag$ and $\\not= \\dag$\n")
    first, second = re.findall(r"<math>.*?</math>", html)
    assert first == second and "≠" in first


WARNED = {
    r"\cancel{x}": r"\cancel",
    r"\fbox{x}": r"\fbox",
    r"\unknowncommand x": r"unknown command \unknowncommand",
    r"\begin{multline}a\\b\end{multline}": "environment multline",
    r"a \\ b": "a line break",  # inline: lines cannot stack inside a line of text
    r"a & b": "& outside aligned",
    r"\frac{a}{": "unbalanced braces",
    r"{a} + b}": "unbalanced braces",
    r"\frac{a}": "a missing argument",
    r"x_1_2": "a double subscript",
    r"\left( x": r"\left without \right",
    r"\begin{matrix}a": r"\begin without \end",
    r"\end{matrix}": r"unknown command \end",
    r"\label{eq} x": r"\label",
    r"a \not x": r"\not",  # no negated x
    r"\mathop{max}_i": r"\mathop",
    r"\operatorname{arg-max}_x": r"\operatorname{arg-max}",
    r"\href{https://example.com}{x}": r"\href",
    r"\begin{array}{l|r}a&b\end{array}": "table rules",
    r"\'e": r"\'",
    r"\text{a {b} c}": r"braces inside \text{…}",  # latex2mathml ended the text at the inner }
    r"\text{if $x_{i}$}": r"braces inside \text{…}",
    # Backslashes lost on the way: Python's "\alpha" is BEL + "lpha", "\frac" is FF + "rac"; editors may drop those.
    "\x07lpha + \x08eta": r'looks like a backslash was lost: \alpha? (U+0007 before "lpha")',
    "\x0crac{1}{2}": r'looks like a backslash was lost: \frac? (U+000C before "rac")',
    "x \x09imes y": r'looks like a backslash was lost: \times? (U+0009 before "imes")',
    "x = 1\x0aabla f": r'looks like a backslash was lost: \nabla? (U+000A before "abla")',
    r"lpha_t": r'looks like a backslash was lost: \alpha? ("lpha")',
    r"eta + 1": r'looks like a backslash was lost: \beta or \eta? ("eta")',
    r"rac{1}{2}": r'looks like a backslash was lost: \frac? ("rac")',
    r"ext{loss}": r'looks like a backslash was lost: \text? ("ext")',
    r"p_{theta}(x)": r'looks like a backslash was lost: \theta? ("theta")',
    "x\x01y": "control character U+0001",
}


@pytest.mark.parametrize(("tex", "what"), WARNED.items())
def test_tex_chromium_cannot_show_is_reported(tex: str, what: str) -> None:
    markup, reasons = to_mathml(tex, False)
    assert markup == ""
    assert any(what in reason for reason, _ in reasons), reasons


# ---- problems: line, column, message, fallback -----------------------------------------------------------


def test_unsupported_inline_math_warns_with_line_and_column_and_shows_the_source() -> None:
    html, found = problems(
        """
        第一行。

        第二段，$a$ 然后 $\\cancel{x} < 1$ 结束。
        """
    )
    assert found == [
        {
            "line": 2,
            "col": 12,
            "message": "math: \\cancel in $\\cancel{x} < 1$ (MathML Core draws no strike-through; rewrite without it)",
            "severity": "warning",
            "rule": "math",
        }
    ]
    assert '<code class="math-source">$\\cancel{x} &lt; 1$</code>' in html
    assert "<menclose" not in html


def test_formula_on_a_later_line_of_a_paragraph_and_in_a_list_gets_that_line() -> None:
    _, found = problems(
        """
        - item one
        - item two has
          a bad $\\unknowncommand$ here
        """
    )
    assert [(problem["line"], problem.get("col")) for problem in found] == [(2, 9)]
    assert found[0]["message"].startswith("math: unknown command \\unknowncommand in $\\unknowncommand$ (")


def test_unsupported_block_math_warns_with_its_first_line_and_shows_the_source() -> None:
    html, found = problems(
        """
        前文。

        $$
        \\begin{multline}a \\\\ b\\end{multline}
        $$
        """
    )
    assert [problem["line"] for problem in found] == [2]
    assert "col" not in found[0]
    assert found[0]["message"].startswith("math: environment multline in $$\\begin{multline}")
    assert '<pre class="math-source"><code>$$\n\\begin{multline}a \\\\ b\\end{multline}\n$$</code></pre>' in html


def test_script_inside_math_cannot_inject_markup() -> None:
    html, found = problems(
        "$<script>alert(1)</script>$ and $\\text{<script>alert(2)</script>}$ and $$</math><b>x</b>$$\n"
    )
    assert "<script" not in html and "<b>" not in html
    assert "<mtext>&lt;script&gt;alert(2)&lt;/script&gt;</mtext>" in html  # text, as KaTeX shows it
    assert found == []
    assert "<mo>&lt;</mo><mo>/</mo>" in html
    assert set(elements(html)) <= CORE


def test_lost_backslash_warns_at_its_place_and_shows_the_control_character() -> None:
    html, found = problems("Loss $\x07lpha_t$ and $$\n\theta\n$$ here.\n")
    assert [(problem["line"], problem.get("col")) for problem in found] == [(0, 6), (0, 20)]
    assert found[0]["message"] == (
        'math: looks like a backslash was lost: \\alpha? (U+0007 before "lpha") in $␇lpha_t$ '
        "(write the backslash back; a script that writes notes must escape backslashes or use raw strings)"
    )
    assert '<code class="math-source">$␇lpha_t$</code>' in html
    assert "\x07" not in html
    assert "\\theta?" in found[1]["message"]


def test_long_formulas_are_shortened_in_the_message() -> None:
    _, found = problems("$\\cancel{x} + " + " + ".join(f"a_{i}" for i in range(40)) + "$\n")
    assert "…$ (" in found[0]["message"]
    assert len(found[0]["message"]) < 200


# ---- end to end -----------------------------------------------------------------------------------------


def test_build_warns_with_file_and_line_and_still_succeeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(
        tmp_path / "project",
        {
            "pyproject.toml": '[tool.llmnotes]\ntitle = "Math"\n',
            "notes/x.md": """
                ---
                title: X
                ---
                Good: $\\frac{1}{2}$.

                Bad: $\\cancel{x}$.
                """,
        },
    )
    code, out, err = run_cli(root, "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0
    assert "(1 warnings)" in out
    assert "notes/x.md:6:6: warning: math: \\cancel in $\\cancel{x}$ (" in err
    page = (tmp_path / "site" / "notes" / "x.html").read_text(encoding="utf-8")
    assert "<mfrac>" in page and '<code class="math-source">$\\cancel{x}$</code>' in page
    assert 'href="../static/math.css"' in page
    assert (tmp_path / "site" / "static" / "math.css").is_file()
