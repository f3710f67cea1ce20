"""Which converter shows more of a real-shaped formula set right in Chromium: llmnotes' latex2mathml, or math-core?

    .venv/bin/python benchmarks/math_compare.py [--json FILE] [--page FILE] [--screenshots DIR]

math-core (PyPI `math-core`, a Rust LaTeX → MathML Core converter) is not a dependency of llmnotes: the script
imports it from benchmarks/.math-core, installing the wheel there on first use
(`pip install --target benchmarks/.math-core math-core`), so the project's environment is not touched.

The formulas: every formula of tests/test_math.py (ACCEPTED and WARNED), the formulas of the repository's notes,
one of the synthetic benchmark corpus, and REAL below: formulas shaped like those in public paper-note sites
(softmax, attention, KL, expectations, argmax, cases, matrices, norms, hats, bold symbols, \\mathbb, \\operatorname,
\\text with Chinese) and the constructs that fell back to TeX on such sites (`\\\\` outside an environment, `\\rm`,
`\\dag`, `\\substack`, `gathered`, `split`, `\\not`, backslashes lost to a program's string escapes).

Each formula is either one KaTeX renders ("valid") or one it rejects or that is visibly broken ("invalid"). The
judgement, per converter, is mechanical and reproducible:

- a valid formula is **right** when the converter gives MathML (llmnotes: no warning; math-core: no error) whose
  elements are all MathML Core (HTML inside <mtext> allowed: Chromium's HTML parser renders it), with no <merror>
  and no command leaked into the text, and which passes the formula's own expectations (the lines of a `\\\\`
  formula are rows of a table, `\\dag` gives †, `\\not=` gives ≠…);
- an invalid formula is **right** when the converter refuses it (llmnotes warns and shows the TeX; math-core raises).

--page writes an HTML page showing each formula as both converters render it, and --screenshots takes screenshots
of it in Chromium (Debian's /usr/bin/chromium through Playwright) to look at: the mechanical checks cannot see
spacing or glyphs.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import re
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MATH_CORE_DIR = HERE / ".math-core"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

from llmnotes.markdown import create_parser  # noqa: E402
from llmnotes.markdown.math import CORE, _converted  # noqa: E402

HTML_IN_TEXT = frozenset(("b", "i", "em", "strong", "code", "span"))


@dataclass(frozen=True)
class Formula:
    tex: str
    source: str
    valid: bool = True  # KaTeX renders it
    display: bool = True
    expect: tuple[str, ...] = field(default=())  # "mtr=2": that many <mtr>; any other string: in the token text


def real(tex: str, *expect: str, valid: bool = True, display: bool = True) -> Formula:
    return Formula(tex, "real", valid, display, expect)


REAL = [
    # The constructs that fell back to TeX on real sites.
    real(r"a = b + c \\ d = e", "mtr=2"),
    real(r"\mathcal{L} = \mathcal{L}_{\rm CE} + \lambda \mathcal{L}_{\rm KL} \\ \text{where } \lambda = 0.1", "mtr=2"),
    real(r"h_t = \tanh(W x_t + U h_{t-1} + b) \\[4pt] y_t = \mathrm{softmax}(V h_t)", "mtr=2"),
    real(r"\int_0^1 f(x)\,{\rm d}x", "d"),
    real(r"{\bf x}^\top {\bf W} {\bf y}", "𝐱"),
    real(r"A^\dag = (A^\top A)^{-1} A^\top", "†"),
    real(r"p^{\dag} \quad q^{\ddag}", "†", "‡"),
    real(r"\sum_{\substack{1 \le i \le n \\ i \ne j}} a_{ij}", "mtr=2"),
    real(r"\begin{gathered} a = b \\ c = d + e \end{gathered}", "mtr=2"),
    real(r"\left\{\begin{gathered} x + y = 1 \\ x - y = 0 \end{gathered}\right.", "mtr=2"),
    real(r"\begin{split} L &= a + b \\ &= c \end{split}", "mtr=2"),
    real(r"a \not= b", "≠"),
    real(r"x \not\in S", "∉"),
    real(r"p \not\equiv q \pmod{n}", "≢"),
    # Common formulas of ML paper notes.
    real(r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}"),
    real(r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V"),
    real(r"\mathrm{MultiHead}(Q,K,V) = \mathrm{Concat}(\mathrm{head}_1, \ldots, \mathrm{head}_h) W^O"),
    real(r"D_{\mathrm{KL}}(P \parallel Q) = \sum_{x} P(x) \log \frac{P(x)}{Q(x)}"),
    real(r"\mathbb{E}_{(x, y) \sim \mathcal{D}} \left[ \log \pi_\theta(y \mid x) \right]"),
    real(r"\hat{y} = \arg\max_{y \in \mathcal{Y}} p(y \mid x)"),
    real(r"\theta^* = \operatorname*{arg\,max}_\theta \sum_i \log p_\theta(x_i)", "munder=2"),
    real(r"\mathrm{ReLU}(x) = \begin{cases} x & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}"),
    real(r"R = \begin{bmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{bmatrix}"),
    real(
        r"\begin{pmatrix} a_{11} & \cdots & a_{1n} \\ \vdots & \ddots & \vdots \\ "
        r"a_{m1} & \cdots & a_{mn} \end{pmatrix}"
    ),
    real(r"\|W\|_F^2 + \left\lVert x - \hat{x} \right\rVert_2"),
    real(r"\hat{\theta}_{\mathrm{MLE}} = \widehat{\mathrm{Var}}(X)"),
    real(r"\mathbf{h}_t = \boldsymbol{\alpha}^\top \mathbf{V} + \bm{x}"),
    real(r"\mathbf{W}_Q, \mathbf{W}_K \in \mathbb{R}^{d_{\text{model}} \times d_k}"),
    real(r"\operatorname{LayerNorm}(x + \operatorname{Dropout}(h))"),
    real(r"\text{损失} = \text{交叉熵} + \lambda \cdot \text{正则项}"),
    real(r"\text{准确率} = \frac{TP + TN}{TP + TN + FP + FN}"),
    real(
        r"\mathcal{L}_{\mathrm{DPO}} = -\mathbb{E}\left[\log \sigma\left(\beta \log \frac{\pi_\theta(y_w \mid x)}"
        r"{\pi_{\mathrm{ref}}(y_w \mid x)} - \beta \log \frac{\pi_\theta(y_l \mid x)}{\pi_{\mathrm{ref}}(y_l \mid x)}"
        r"\right)\right]"
    ),
    real(
        r"L^{\mathrm{CLIP}}(\theta) = \hat{\mathbb{E}}_t\left[\min\left(r_t(\theta)\hat{A}_t, "
        r"\operatorname{clip}(r_t(\theta), 1-\epsilon, 1+\epsilon)\hat{A}_t\right)\right]"
    ),
    real(r"\mathrm{LN}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta"),
    real(r"\mathrm{PPL} = \exp\left(-\frac{1}{N}\sum_{i=1}^{N} \log p(w_i \mid w_{<i})\right)"),
    real(r"PE_{(pos, 2i)} = \sin\left(pos / 10000^{2i/d_{\text{model}}}\right)"),
    real(r"h = W_0 x + \Delta W x = W_0 x + BAx, \quad B \in \mathbb{R}^{d \times r}, r \ll \min(d, k)"),
    real(
        r"\hat{m}_t = \frac{m_t}{1 - \beta_1^t}, \quad "
        r"\theta_t = \theta_{t-1} - \alpha \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}"
    ),
    real(r"p(\theta \mid \mathcal{D}) = \frac{p(\mathcal{D} \mid \theta) p(\theta)}{p(\mathcal{D})}"),
    real(r"\log p(x) \ge \mathbb{E}_{q(z \mid x)}[\log p(x \mid z)] - D_{\mathrm{KL}}(q(z \mid x) \,\|\, p(z))"),
    real(
        r"\mathcal{N}(x; \mu, \Sigma) = \frac{1}{(2\pi)^{d/2} |\Sigma|^{1/2}} "
        r"\exp\left(-\frac{1}{2}(x-\mu)^\top \Sigma^{-1} (x-\mu)\right)"
    ),
    real(
        r"\mathcal{L} = -\log \frac{\exp(\mathrm{sim}(z_i, z_j)/\tau)}"
        r"{\sum_{k=1}^{2N} \mathbb{1}_{[k \neq i]} \exp(\mathrm{sim}(z_i, z_k)/\tau)}"
    ),
    real(r"q(x_t \mid x_{t-1}) = \mathcal{N}(x_t; \sqrt{1-\beta_t}\, x_{t-1}, \beta_t \mathbf{I})"),
    real(r"\bar{\alpha}_t = \prod_{s=1}^{t} (1 - \beta_s)"),
    real(
        r"\nabla_\theta J(\theta) = \mathbb{E}_{\tau \sim \pi_\theta}\left[\sum_{t=0}^{T} "
        r"\nabla_\theta \log \pi_\theta(a_t \mid s_t) R(\tau)\right]"
    ),
    real(r"Q^*(s, a) = \mathbb{E}\left[r + \gamma \max_{a'} Q^*(s', a') \mid s, a\right]"),
    real(r"\mathrm{Recall@}K = \frac{|\{\text{relevant}\} \cap \{\text{top-}K\}|}{|\{\text{relevant}\}|}"),
    real(r"\mathrm{DCG@}k = \sum_{i=1}^{k} \frac{2^{rel_i} - 1}{\log_2(i + 1)}"),
    real(
        r"\mathcal{L}_{\mathrm{BPR}} = -\sum_{(u,i,j)} \ln \sigma(\hat{y}_{ui} - \hat{y}_{uj}) + \lambda \|\Theta\|^2"
    ),
    real(r"H^{(l+1)} = \sigma\left(\tilde{D}^{-\frac{1}{2}} \tilde{A} \tilde{D}^{-\frac{1}{2}} H^{(l)} W^{(l)}\right)"),
    real(r"\{ x \in \mathbb{R}^d : \|x\|_2 \le 1 \}, \quad \lfloor n/2 \rfloor, \quad \mathcal{O}(n^2 d)"),
    real(r"\frac{\partial \mathcal{L}}{\partial W} = \delta x^\top, \quad \mathbf{x} \odot \mathbf{y}, A \otimes B"),
    real(r"x \xrightarrow{\text{fine-tune}} y, \quad a \overset{\text{def}}{=} b"),
    real(r"\underbrace{a + \cdots + a}_{k\ \text{terms}} = ka"),
    real(r"x \approx y \propto z, \quad u \sim \mathcal{U}(0, 1)"),
    real(r"\mathrm{sim}(u, v) = \frac{u^\top v}{\|u\| \|v\|}, \quad \sigma(x) = \frac{1}{1 + e^{-x}}"),
    real(r"\mathrm{GELU}(x) \approx 0.5x\left(1 + \tanh\left[\sqrt{2/\pi}\left(x + 0.044715x^3\right)\right]\right)"),
    real(r"p_\theta(x_{1:T}) = \prod_{t=1}^{T} p_\theta(x_t \mid x_{<t})"),
    real(
        r"\mathrm{score}(q, d) = \sum_{t \in q} \mathrm{IDF}(t) \cdot \frac{f(t, d) (k_1 + 1)}"
        r"{f(t, d) + k_1 \left(1 - b + b \frac{|d|}{\mathrm{avgdl}}\right)}"
    ),
    real(r"\left| \frac{a}{b} \right| \le \langle q, k \rangle, \quad \sqrt[n]{x}"),
    real(r"\forall \epsilon > 0, \exists \delta > 0, \quad f: \mathcal{X} \to \mathcal{Y}"),
    real(r"\int_{-\infty}^{\infty} e^{-x^2} \, dx = \sqrt{\pi}, \quad a \equiv b \pmod{m}"),
    real(r"\Pr[X \ge t] \le \frac{\mathbb{E}[X]}{t}, \quad \binom{n}{k} = \frac{n!}{k!(n-k)!}"),
    real(r"\widetilde{W} = W + \Big( \frac{a}{b} \Big), \quad \dfrac{1}{2}, \quad x \mapsto \mathbb{E}[x]"),
    real(
        r"\begin{aligned} \nabla_\theta L &= \frac{\partial L}{\partial \theta} \\ "
        r"&= X^\top (X\theta - y) \end{aligned}"
    ),
    real(r"\mathrm{softmax}(QK^\top/\sqrt{d_k})V", display=False),
    real(r"\text{top-}k", display=False),
    # What KaTeX renders but MathML Core has no way to draw, or llmnotes leaves out.
    real(r"\boxed{E = mc^2}"),
    real(r"\cancel{x} + y"),
    real(r"E = mc^2 \tag{1}"),
    real(r"\begin{array}{c|c} 1 & 2 \\ \hline 3 & 4 \end{array}"),
    real(r"\mathop{\mathrm{arg\,min}}_x f(x)", "munder=1"),
    # Backslashes lost to a program's string escapes (Python "\alpha" is BEL + "lpha"), or dropped with the letter.
    real("\alpha + \beta", valid=False),
    real("\frac{1}{2} \times \theta", valid=False),
    real(r"lpha_t = rac{1}{2}", valid=False),
    real(r"\mathcal{L} = ext{loss} + eta", valid=False),
    real(r"p_{theta}(x)", valid=False),
]

# Formulas of tests/test_math.py that KaTeX does not render either (broken TeX, or commands it refuses by default),
# or that are visibly broken: backslashes lost to a program's string escapes.
BROKEN = {
    r"\unknowncommand x", r"a & b", r"\frac{a}{", r"{a} + b}", r"\frac{a}", r"x_1_2", r"\left( x",
    r"\begin{matrix}a", r"\end{matrix}", r"\label{eq} x", r"\href{https://example.com}{x}", r"\'e",
    "\x07lpha + \x08eta", "\x0crac{1}{2}", "x \x09imes y", "x = 1\x0aabla f", r"lpha_t", r"eta + 1",
    r"rac{1}{2}", r"ext{loss}", r"p_{theta}(x)", "x\x01y",
}  # fmt: skip
# What KaTeX shows for some formulas of the tests, beyond giving MathML: display math puts \mathop's limits under it.
EXPECT = {
    r"\mathop{max}_i": ("munder=1",),
    r"a = b + c \\ d = e": ("mtr=2",),
    r"h_t = f(x) \\[4pt] y_t = g(h_t) \\": ("mtr=2",),
    r"\begin{gathered} a = b \\ c = d \end{gathered}": ("mtr=2",),
    r"\begin{gather*} a \\ b \end{gather*}": ("mtr=2",),
    r"\sum_{\substack{i < n \\ i \ne j}} a_{ij}": ("mtr=2",),
    r"A^\dag + B^\ddag": ("†", "‡"),
    r"a \not= b": ("≠",),
    r"x \not\in S": ("∉",),
    r"p \not\equiv q": ("≢",),
    r"a \not < b \not\sim c": ("≮", "≁"),
    r"\operatorname*{arg\,max}_\theta f": ("munder=1",),
    r"\mathop{\mathrm{arg\,min}}_x f": ("munder=1",),
}


def test_formulas() -> list[Formula]:
    import test_math

    texts = [*test_math.ACCEPTED, *test_math.WARNED, *getattr(test_math, "RENDERED", {})]
    return [Formula(tex, "tests", tex not in BROKEN, True, EXPECT.get(tex, ())) for tex in texts]


def note_formulas() -> list[Formula]:
    parser = create_parser()
    formulas = []
    for path in sorted((REPO / "notes").glob("*.md")):
        tokens = parser.parse(path.read_text(encoding="utf-8"), {})
        for token in tokens:
            for child in [token, *(token.children or [])]:
                if child.type in ("math_inline", "math_inline_double", "math_block"):
                    display = child.type != "math_inline"
                    formulas.append(Formula(child.content.strip(), f"notes/{path.name}", True, display))
    corpus = r"\mathcal{L}_{7} = -\sum_{t=1}^{128} \log p(x_t \mid x_{<t}) + \alpha \lVert \theta \rVert^2"
    return [*formulas, Formula(corpus, "benchmark corpus", True, False)]


def all_formulas() -> list[Formula]:
    """Each formula once per mode, the copy with the most expectations kept, in first-seen order."""
    best: dict[tuple[str, bool], Formula] = {}
    for formula in [*test_formulas(), *note_formulas(), *REAL]:
        key = (formula.tex, formula.display)
        if key not in best or len(formula.expect) > len(best[key].expect):
            best[key] = formula
    return list(best.values())


# ---- the two converters --------------------------------------------------------------------------------------


def math_core() -> Callable[[str, bool], str]:
    """math-core's converter (errors raise), installed into benchmarks/.math-core on first use."""
    if not (MATH_CORE_DIR / "math_core").is_dir():
        pip = [sys.executable, "-m", "pip", "install", "-q", "--only-binary", ":all:", "--target", str(MATH_CORE_DIR)]
        subprocess.run([*pip, "math-core"], check=True)
    sys.path.insert(0, str(MATH_CORE_DIR))
    from math_core import LatexToMathML

    converter = LatexToMathML(fancy_error=False)
    return lambda tex, display: converter.convert_with_local_state(tex, displaystyle=display)


def llmnotes(tex: str, display: bool) -> str:
    markup, reasons = _converted.__wrapped__(tex, display)  # uncached, to time the conversion itself
    if reasons:
        raise ValueError("; ".join(what for what, _ in reasons))
    return markup


def math_core_version() -> str:
    record = next(MATH_CORE_DIR.glob("math_core-*.dist-info"), None)
    return record.name.removesuffix(".dist-info").split("-")[1] if record else "?"


# ---- the judgement -------------------------------------------------------------------------------------------


def problems(markup: str, formula: Formula) -> list[str]:
    """Why `markup` would not show `formula` right in Chromium; [] when it would."""
    entities = re.sub(r"&(?!lt;|gt;|amp;|quot;|#)(\w+);", lambda m: html.unescape(m.group(0)), markup)
    try:
        root = ET.fromstring(re.sub(r'\sxmlns="[^"]*"', "", entities))
    except ET.ParseError as error:
        return [f"not well-formed ({error})"]
    found: list[str] = []
    text_parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        inside_text = element in text_parents and text_parents[element].tag in ("mtext", *HTML_IN_TEXT)
        if element.tag not in CORE and not (element.tag in HTML_IN_TEXT and inside_text):
            found.append(f"<{element.tag}> is not MathML Core")
        if element.tag == "merror":
            found.append("<merror>")
        if element.tag in ("mi", "mo") and re.search(r"\\[A-Za-z]", element.text or ""):
            found.append(f"leaked {element.text!r}")
        if element.tag in ("mi", "mo", "mn", "mtext") and re.search(r"[\x00-\x08\x0b-\x1f]", element.text or ""):
            found.append("control character in the text")
    text = "".join(element.text or "" for element in root.iter() if element.tag != "annotation")
    for expectation in formula.expect:
        if "=" in expectation:
            tag, count = expectation.split("=")
            if sum(1 for element in root.iter() if element.tag == tag) != int(count):
                found.append(f"expected {count} <{tag}>")
        elif expectation not in text:
            found.append(f"expected {expectation!r}")
    return found


@dataclass
class Outcome:
    right: bool
    why: str
    markup: str


def judge(convert: Callable[[str, bool], str], formula: Formula) -> Outcome:
    try:
        markup = convert(formula.tex, formula.display)
    except Exception as error:  # a refusal: llmnotes' warning, math-core's LatexError
        return Outcome(not formula.valid, f"refused: {str(error).splitlines()[0][:120]}", "")
    found = problems(markup, formula)
    if not formula.valid:
        return Outcome(False, "rendered broken TeX without a word", markup)
    return Outcome(not found, "; ".join(found) or "ok", markup)


# ---- report, page, screenshots -------------------------------------------------------------------------------


def page(formulas: list[Formula], results: dict[str, list[Outcome]]) -> str:
    rows = []
    for index, formula in enumerate(formulas):
        cells = [f"<td>{index}</td><td><code>{html.escape(formula.tex)}</code></td>"]
        for name in results:
            outcome = results[name][index]
            mark = "✓" if outcome.right else "✗"
            shown = outcome.markup or f"<small>{html.escape(outcome.why)}</small>"
            cells.append(f'<td class="{"right" if outcome.right else "wrong"}">{mark} {shown}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    css = (REPO / "templates/static/math.css").read_text(encoding="utf-8")
    head = "".join(f"<th>{name}</th>" for name in results)
    return textwrap.dedent(
        f"""\
        <!doctype html><html lang="en"><meta charset="utf-8"><title>math_compare</title>
        <style>{css}
        body {{ font: 15px/1.5 serif; margin: 1em; }} table {{ border-collapse: collapse; }}
        td, th {{ border: 1px solid #ccc; padding: 4px 8px; vertical-align: middle; max-width: 520px; }}
        code {{ font-size: 11px; word-break: break-all; }} .wrong {{ background: #fee; }}
        </style><table><tr><th>#</th><th>TeX</th>{head}</tr>{"".join(rows)}</table></html>
        """
    )


def screenshots(page_path: Path, folder: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(page_path.resolve().as_uri())
        height = tab.evaluate("document.documentElement.scrollHeight")
        for number, top in enumerate(range(0, height, 1000)):
            path = folder / f"math-compare-{number:02d}.png"
            tab.screenshot(
                path=str(path),
                full_page=True,
                clip={"x": 0, "y": top, "width": 1400, "height": min(1000, height - top)},
            )
            shots.append(path)
        browser.close()
    return shots


def timing(convert: Callable[[str, bool], str], formulas: list[Formula], passes: int = 5) -> float:
    """Milliseconds per formula, the best of `passes` runs over the whole set (refusals included)."""
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for formula in formulas:
            with contextlib.suppress(Exception):  # a refusal costs time too
                convert(formula.tex, formula.display)
        best = min(best, time.perf_counter() - start)
    return best * 1000 / len(formulas)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--json", type=Path, help="write every formula's outcome here")
    arguments.add_argument("--page", type=Path, help="write a page showing both converters' output side by side")
    arguments.add_argument("--screenshots", type=Path, help="screenshot that page in Chromium into this folder")
    options = arguments.parse_args()

    formulas = all_formulas()
    other = math_core()
    converters = {"llmnotes (latex2mathml)": llmnotes, f"math-core {math_core_version()}": other}
    results = {name: [judge(convert, formula) for formula in formulas] for name, convert in converters.items()}

    valid = [index for index, formula in enumerate(formulas) if formula.valid]
    invalid = [index for index, formula in enumerate(formulas) if not formula.valid]
    print(f"{len(formulas)} formulas: {len(valid)} KaTeX renders, {len(invalid)} broken or refused by KaTeX")
    for name, outcomes in results.items():
        shown = sum(outcomes[index].right for index in valid)
        refused = sum(outcomes[index].right for index in invalid)
        milliseconds = timing(converters[name], formulas)
        print(
            f"  {name:26} shows {shown}/{len(valid)} right, refuses {refused}/{len(invalid)} broken; "
            f"{milliseconds:.3f} ms per formula (best of 5 passes, uncached)"
        )
    names = list(results)
    for index, formula in enumerate(formulas):
        verdicts = [results[name][index] for name in names]
        if len({outcome.right for outcome in verdicts}) > 1 or not verdicts[0].right:
            print(f"\n#{index} [{formula.source}{'' if formula.valid else ', invalid'}] {formula.tex!r}")
            for name, outcome in zip(names, verdicts, strict=True):
                print(f"    {'right' if outcome.right else 'WRONG'}  {name}: {outcome.why}")
    if options.json:
        data = [
            {"tex": formula.tex, "source": formula.source, "valid": formula.valid, "display": formula.display,
             **{name: {"right": results[name][index].right, "why": results[name][index].why} for name in names}}
            for index, formula in enumerate(formulas)
        ]  # fmt: skip
        options.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    if options.page or options.screenshots:
        page_path = options.page or (options.screenshots / "math-compare.html")
        page_path.parent.mkdir(parents=True, exist_ok=True)
        page_path.write_text(page(formulas, results), encoding="utf-8")
        if options.screenshots:
            for path in screenshots(page_path, options.screenshots):
                print(path)


if __name__ == "__main__":
    main()
