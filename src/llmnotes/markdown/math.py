"""Render `$…$` and `$$…$$` as MathML Core at build time; TeX Chromium cannot show is a warning and stays as source."""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import MutableMapping, Sequence
from typing import Any

from latex2mathml.converter import convert
from latex2mathml.symbols_parser import SYMBOLS
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

Reason = tuple[str, str]
"""(what cannot be shown, how to fix it)."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---- TeX that latex2mathml turns into correct MathML Core (each converted and looked at in Chromium) -----------

SUPPORTED = _words(
    """frac dfrac tfrac cfrac binom dbinom tbinom over choose atop sqrt
    hat widehat bar overline underline tilde widetilde vec dot ddot check breve acute grave mathring
    overrightarrow overleftarrow overbrace underbrace overset underset stackrel xrightarrow xleftarrow
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr limits nolimits
    mathbb mathbf mathcal mathrm mathit mathsf mathtt mathfrak mathscr mathnormal boldsymbol bm Bbb
    text textrm textbf textit textsf texttt textup textnormal mbox emph operatorname
    arccos arcsin arctan cos cosh cot coth csc deg dim exp hom ker ln lg log sec sin sinh tan tanh
    lim sup inf max min argmax argmin det gcd Pr liminf limsup bmod pmod mod arg sim
    quad qquad enspace thinspace hspace displaystyle textstyle scriptstyle scriptscriptstyle
    color textcolor phantom hphantom vphantom begin end"""
) | {name[1:] for name in SYMBOLS if re.fullmatch(r"\\[A-Za-z]+", name)}  # \alpha, \le, \infty, … (one character)
ESCAPES = frozenset(",:;!> {}|\\$%#&_\n\t")
ENVIRONMENTS = _words("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array cases split")
ENVIRONMENTS |= _words("aligned align align* equation equation*")
STRIKE = "MathML Core draws no strike-through; rewrite without it"
UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(("cancel", "bcancel", "xcancel", "sout"), STRIKE),
    **dict.fromkeys(("boxed", "fbox"), "MathML Core draws no boxes; rewrite without it"),
    **dict.fromkeys(("label", "ref", "eqref", "tag"), "equation labels are not supported; refer to it in words"),
    **dict.fromkeys(("newcommand", "renewcommand", "def", "DeclareMathOperator"), "write the expanded TeX instead"),
    **dict.fromkeys(
        ("mathop", "mathbin", "mathrel", "mathord", "mathopen", "mathclose", "mathpunct", "mathinner"),
        r"write the symbol itself, or \operatorname{name}",
    ),
    "not": r"use a negated symbol such as \neq, \notin or \nleq",
    "hline": "remove it: table rules are not drawn",
    "href": "put the link in the text next to the formula",
}
PARSE_ERRORS = {
    "MissingSuperScriptOrSubscriptError": "^ or _ with nothing after it",
    "DoubleSubscriptsError": "a double subscript (use braces: x_{i,j})",
    "DoubleSuperscriptsError": "a double superscript (use braces: x^{ab})",
    "MissingEndError": r"\begin without \end",
    "ExtraLeftOrMissingRightError": r"\left without \right, or \right without \left",
    "NoAvailableTokensError": "a command without its argument",
    "NumeratorNotFoundError": r"\frac without its arguments",
    "DenominatorNotFoundError": r"\frac without its second argument",
}
BAD_ATTRIBUTES: dict[str, Reason] = {
    "linebreak": (r"a line break \\ outside aligned, cases or a matrix", r"wrap the lines in \begin{aligned}…"),
    "columnlines": (r"table rules (| in \begin{array})", "remove them: they are not drawn"),
    "rowlines": (r"\hline", "remove it: table rules are not drawn"),
    "href": (r"\href", "put the link in the text next to the formula"),
}

# ---- MathML Core, and how Chromium renders it ---------------------------------------------------------------

CORE = _words(
    """math mi mn mo ms mspace mtext mrow mfrac msqrt mroot mstyle merror mpadded mphantom msub msup msubsup
    munder mover munderover mmultiscripts mprescripts none mtable mtr mtd semantics annotation annotation-xml"""
)
TOKENS = _words("mi mn mo ms mtext")
ROWS = _words("math mrow mstyle mtd mpadded mphantom msqrt merror")  # children laid out side by side
ARITY = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2, "msubsup": 3, "munderover": 3}
GLOBAL_ATTRIBUTES = _words("class id style dir displaystyle mathbackground mathcolor mathsize scriptlevel")
ATTRIBUTES = {
    "math": _words("display"),
    "mi": _words("mathvariant"),
    "mo": _words("form fence separator lspace rspace stretchy symmetric maxsize minsize largeop movablelimits"),
    "mfrac": _words("linethickness"),
    "mspace": _words("width height depth"),
    "mpadded": _words("width height depth lspace voffset"),
    "munder": _words("accentunder"),
    "mover": _words("accent"),
    "munderover": _words("accent accentunder"),
    "mtd": _words("columnspan rowspan"),
}
LENGTHS = _words("width height depth lspace rspace voffset")
LENGTH = re.compile(r"-?(\d+\.?\d*|\.\d+)(em|ex|px|pt|in|cm|mm|pc|%)?")
NAMED_SPACES = {
    f"{sign}{name}mathspace": f"{'-' if sign else ''}{eighteenths / 18:.4f}em"
    for sign in ("", "negative")
    for name, eighteenths in (("veryverythin", 1), ("verythin", 2), ("thin", 3), ("medium", 4), ("thick", 5))
}
BIG_OPERATORS = frozenset("∑∏∐⋀⋁⋂⋃⨀⨁⨂⨄⨆")  # limits go under and over in display math; not ∫
LIMIT_OPERATORS = _words("lim max min sup inf")
ORDINARY = frozenset("∞∅⊤⊥†‡⋯…⋮⋱∠")  # TeX spaces these as letters; as <mo> Chromium puts thick spaces round them
NOT_OPERATORS = ORDINARY | frozenset("∂∇′″‴")
THIN_SPACE = "0.1667em"
ALIGN_STYLES = {"left": "text-align:left", "right": "text-align:-webkit-right"}  # Chromium ignores columnalign
TEXT_STYLES = {
    "bold": "font-weight:bold",
    "italic": "font-style:italic",
    "bold-italic": "font-weight:bold;font-style:italic",
    "monospace": "font-family:monospace",
    "sans-serif": "font-family:sans-serif",
}

# Chromium ignores every mathvariant but "normal": bold, blackboard, script… letters become Unicode math letters.
LATIN = {"bold": 0x1D400, "italic": 0x1D434, "bold-italic": 0x1D468, "script": 0x1D49C, "bold-script": 0x1D4D0,
         "fraktur": 0x1D504, "double-struck": 0x1D538, "bold-fraktur": 0x1D56C, "sans-serif": 0x1D5A0,
         "bold-sans-serif": 0x1D5D4, "sans-serif-italic": 0x1D608, "sans-serif-bold-italic": 0x1D63C,
         "monospace": 0x1D670}  # fmt: skip
GREEK = {"bold": 0x1D6A8, "italic": 0x1D6E2, "bold-italic": 0x1D71C, "bold-sans-serif": 0x1D756,
         "sans-serif-bold-italic": 0x1D790}  # fmt: skip
DIGITS = {"bold": 0x1D7CE, "double-struck": 0x1D7D8, "sans-serif": 0x1D7E2, "bold-sans-serif": 0x1D7EC,
          "monospace": 0x1D7F6}  # fmt: skip
GREEK_ORDER = "".join(map(chr, range(0x391, 0x3AA))).replace("\u03a2", "ϴ") + "∇"
GREEK_ORDER += "".join(map(chr, range(0x3B1, 0x3CA))) + "∂ϵϑϰϕϱϖ"
LETTERLIKE = {
    ("italic", "h"): "ℎ",
    **{("script", k): v for k, v in zip("BEFHILMRego", "ℬℰℱℋℐℒℳℛℯℊℴ", strict=True)},
    **{("fraktur", k): v for k, v in zip("CHIRZ", "ℭℌℑℜℨ", strict=True)},
    **{("double-struck", k): v for k, v in zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True)},
}


def styled(text: str, variant: str) -> str:
    """`text` in the Unicode mathematical alphabet of a mathvariant; characters it lacks stay as they are."""
    out = []
    for char in text:
        if (variant, char) in LETTERLIKE:
            out.append(LETTERLIKE[variant, char])
        elif char.isascii() and char.isalpha() and variant in LATIN:
            out.append(chr(LATIN[variant] + (ord(char) - 65 if char.isupper() else 26 + ord(char) - 97)))
        elif char in GREEK_ORDER and variant in GREEK:
            out.append(chr(GREEK[variant] + GREEK_ORDER.index(char)))
        elif char.isascii() and char.isdigit() and variant in DIGITS:
            out.append(chr(DIGITS[variant] + ord(char) - 48))
        else:
            out.append(char)
    return "".join(out)


# ---- TeX → checked MathML Core -------------------------------------------------------------------------------


def check_source(tex: str) -> list[Reason]:
    """Commands, environments and slips that the converter does not know or silently turns into wrong output."""
    reasons: list[Reason] = []
    for name in re.findall(r"\\([A-Za-z]+|.)", tex, re.DOTALL):
        if name in UNSUPPORTED:
            reasons.append((f"\\{name}", UNSUPPORTED[name]))
        elif name in "'`^\"~=.":
            reasons.append((f"\\{name}", "text accents are not supported; type the accented letter"))
        elif name not in SUPPORTED and name not in ESCAPES:
            reasons.append((f"unknown command \\{name}", f"rewrite without \\{name}"))
    for environment in re.findall(r"\\begin\s*\{([^}]*)\}", tex):
        if environment not in ENVIRONMENTS:
            fix = "use aligned, cases, array or a matrix, or one $$…$$ per line"
            reasons.append((f"environment {environment}", fix))
    for star, name in re.findall(r"\\operatorname(\*?)\s*\{([^{}]*)\}", tex):
        if not re.fullmatch(r"[A-Za-z ]+", name):
            reasons.append((f"\\operatorname{star}{{{name}}}", r"use letters only, or \argmax and \argmin"))
    if re.search(r"\\(?:text\w*|mbox|emph)\s*\{[^}]*[<>&]", tex):
        reasons.append((r"<, > or & inside \text{…}", r"write them as \lt, \gt and \& outside \text"))
    braces = re.sub(r"\\.", "", tex, flags=re.DOTALL)
    depth = 0
    for char in braces:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        reasons.append(("unbalanced braces", "close every { with a }"))
    return reasons


def prepare(tex: str) -> str:
    """Work around converter quirks: `\\mathrm{d}` came out italic, `\\sim` as a letter, `aligned` unaligned."""
    tex = re.sub(r"\\(mathrm|mathnormal)\{", r"\\\1 {", tex)
    tex = re.sub(r"\\sim(?![A-Za-z])", r"\\thicksim", tex)
    tex = re.sub(r"\\arg(?![A-Za-z])", r"\\operatorname{arg}", tex)
    return re.sub(r"\\(begin|end)\s*\{(?:aligned|align\*?)\}", r"\\\1{align*}", tex)


def to_mathml(tex: str, display: bool) -> tuple[str, list[Reason]]:
    """`<math>` for `tex` with the TeX kept as an annotation; or "" and why Chromium could not show it right."""
    reasons = check_source(tex)
    try:
        root = ET.fromstring(convert(prepare(tex), display="block" if display else "inline"))
    except ET.ParseError:
        ampersand = re.search(r"(?<!\\)&", tex)
        what = "& outside aligned, cases, array or a matrix" if ampersand else "TeX the converter garbles"
        return "", list(dict.fromkeys([*reasons, (what, r"write \& for an ampersand")]))
    except Exception as error:  # latex2mathml raises a dozen kinds for malformed TeX
        what = PARSE_ERRORS.get(type(error).__name__, f"TeX that cannot be parsed ({type(error).__name__})")
        return "", [*reasons, (what, r"check braces, arguments and \left…\right pairs")]
    _normalise(root)
    reasons = reasons or _check_core(root)  # a problem in the TeX explains the markup's problems better
    if reasons:
        return "", list(dict.fromkeys(reasons))
    children = list(root)
    body = children[0] if len(children) == 1 and children[0].tag == "mrow" else _element("mrow", {}, children)
    annotation = _element("annotation", {"encoding": "application/x-tex"}, [])
    annotation.text = tex
    semantics = _element("semantics", {}, [body, annotation])
    return serialize(_element("math", {"display": "block"} if display else {}, [semantics])), []


def _element(tag: str, attributes: dict[str, str], children: Sequence[ET.Element]) -> ET.Element:
    element = ET.Element(tag, attributes)
    element.extend(children)
    return element


def _text(element: ET.Element) -> str:
    return element.text or ""


def _normalise(root: ET.Element) -> None:
    """Rewrite what latex2mathml writes for MathML 3 into what Chromium's MathML Core renders the same way."""
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    for element in root.iter():
        _restyle(element)
        if element.tag == "mspace" and element.get("width", "") in NAMED_SPACES:
            element.set("width", NAMED_SPACES[element.get("width", "")])
        if element.tag == "mtd" and element.get("columnalign", "") in ALIGN_STYLES:
            element.set("style", ALIGN_STYLES[element.get("columnalign", "")])
        if element.tag in ("msub", "msup", "msubsup") and len(element) and _is_limit_operator(element[0]):
            element.tag = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}[element.tag]
            element[0].set("movablelimits", "true")  # under/over in display math, beside it inline: as TeX
            if len(_text(element[0])) > 1:
                element[0].attrib.update({"lspace": "0em", "rspace": THIN_SPACE})
    for element in root.iter():
        _fix_token_kind(element)
    for element in list(root.iter()):
        _space_functions(element)
        _merge_upright_letters(element)


def _restyle(element: ET.Element) -> None:
    variant = element.get("mathvariant")
    if variant is None or element.tag not in TOKENS or (variant == "normal" and element.tag == "mi"):
        return
    del element.attrib["mathvariant"]
    if element.tag == "mtext":
        if variant in TEXT_STYLES:
            element.set("style", TEXT_STYLES[variant])
    else:
        element.text = styled(_text(element), variant)


def _is_limit_operator(element: ET.Element) -> bool:
    text = _text(element)
    limits = text in BIG_OPERATORS or text in LIMIT_OPERATORS or element.get("movablelimits") == "true"
    return element.tag == "mo" and limits


def _fix_token_kind(element: ET.Element) -> None:
    """Symbols latex2mathml marks as the wrong kind of token get the spacing TeX gives them."""
    text = _text(element)
    if element.tag == "mo" and len(element) == 0 and text and element.get("movablelimits") != "true":
        if text in ORDINARY or (len(text) > 1 and text.isalpha()):
            element.tag = "mi"  # ∞, ∅, \operatorname{softmax}, \max(a, b): no operator spacing
    elif element.tag == "mi" and len(text) == 1 and text not in NOT_OPERATORS and len(element) == 0:
        category = unicodedata.category(text)
        if category in ("Sm", "Ps", "Pe") or text == "‖":
            element.tag = "mo"  # ±, ⟹, ⟨, ⌊: operator spacing, but no stretching
            if category != "Sm" or text == "|":
                element.set("stretchy", "false")


def _is_function(element: ET.Element) -> bool:
    if element.tag in ("msub", "msup", "msubsup") and len(element):
        element = element[0]
    text = _text(element)
    return element.tag == "mi" and len(text) > 1 and text.isascii() and text.isalpha()


def _space_functions(parent: ET.Element) -> None:
    """A thin space after log, exp, sin, \\operatorname{…} when an operand, not a bracket, follows (as in TeX)."""
    if parent.tag not in ROWS:
        return
    children = list(parent)
    for index in range(len(children) - 1, 0, -1):
        if _is_function(children[index - 1]) and children[index].tag not in ("mo", "mspace"):
            parent.insert(index, ET.Element("mspace", {"width": THIN_SPACE}))


def _merge_upright_letters(parent: ET.Element) -> None:
    """`\\mathrm{softmax}` comes as one <mi> per letter: make it one word, so it is read as one."""
    children = list(parent)
    start = 0
    while start < len(children):
        end = start
        while end < len(children) and _is_upright_letter(children[end]):
            end += 1
        if end - start > 1:
            children[start].text = "".join(_text(child) for child in children[start:end])
            del children[start].attrib["mathvariant"]  # a word in <mi> is upright anyway
            for child in children[start + 1 : end]:
                parent.remove(child)
        start = max(end, start + 1)


def _is_upright_letter(element: ET.Element) -> bool:
    text = _text(element)
    return element.tag == "mi" and element.attrib == {"mathvariant": "normal"} and len(text) == 1 and text.isalpha()


def _check_core(root: ET.Element) -> list[Reason]:
    """What in the tree is not MathML Core; attributes that Chromium ignores without harm are dropped."""
    reasons: list[Reason] = []
    for element in root.iter():
        tag = element.tag
        if tag not in CORE:
            what = "strike-throughs and boxes (<menclose>)" if tag == "menclose" else f"<{tag}>"
            reasons.append((what, "MathML Core cannot show it; rewrite without it"))
            continue
        if tag in TOKENS and len(element):
            reasons.append((f"markup inside <{tag}>", r"write the symbol itself, or \operatorname{name}"))
        if tag in ARITY and len(element) != ARITY[tag]:
            reasons.append(("a missing argument", r"give \frac two arguments, and ^ and _ one each"))
        leaked = re.search(r"\\[A-Za-z]+", _text(element)) if tag in ("mi", "mo") else None
        if leaked:
            reasons.append((f"unknown command {leaked.group(0)}", f"rewrite without {leaked.group(0)}"))
        for name, value in list(element.attrib.items()):
            if name in BAD_ATTRIBUTES:
                reasons.append(BAD_ATTRIBUTES[name])
            elif name not in GLOBAL_ATTRIBUTES and name not in ATTRIBUTES.get(tag, ()):
                del element.attrib[name]  # rowspacing, columnalign, accent on <mo>: hints Core does without
            elif name in LENGTHS and not LENGTH.fullmatch(value):
                del element.attrib[name]  # MathML 3 pseudo-units such as "-0.5width"
    return reasons


def serialize(element: ET.Element) -> str:
    """Deterministic HTML for a MathML tree: attributes in order, text escaped, whitespace between tags dropped."""
    attributes = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in element.attrib.items())
    inner = html.escape(_text(element), quote=False) if element.tag in TOKENS or element.tag == "annotation" else ""
    inner += "".join(serialize(child) for child in element)
    return f"<{element.tag}{attributes}>{inner}</{element.tag}>"


# ---- the plugin -----------------------------------------------------------------------------------------------


def _report(env: MutableMapping[str, Any] | None, reasons: list[Reason], tex: str, dollars: str, where: dict) -> None:
    """Record one warning for the formula in env["problems"], which parse.py turns into file:line diagnostics."""
    if env is None:
        return
    flat = " ".join(tex.split())
    flat = dollars + (flat if len(flat) <= 60 else flat[:59] + "…") + dollars
    whats = ", ".join(what for what, _ in reasons)
    fixes = "; ".join(dict.fromkeys(fix for _, fix in reasons))
    env.setdefault("problems", []).append(
        {"message": f"math: {whats} in {flat} ({fixes})", "severity": "warning", **where}
    )


def render_inline(token: Token, env: MutableMapping[str, Any] | None) -> str:
    """`$…$` as inline `<math>`, `$$…$$` inside a paragraph as display math; else the TeX in `<code>`."""
    tex = token.content.strip()
    display = token.type == "math_inline_double"
    markup, reasons = to_mathml(tex, display)
    if not reasons:
        return f'<span class="math-block">{markup}</span>' if display else markup
    source = f"{token.markup}{tex}{token.markup}"
    meta = token.meta or {}
    where = {"line": meta.get("line", 0), **({"col": meta["col"]} if "col" in meta else {})}
    _report(env, reasons, tex, token.markup, where)
    return f'<code class="math-source">{html.escape(source)}</code>'


def render_block(token: Token, env: MutableMapping[str, Any] | None) -> str:
    """`$$…$$` on its own lines as block MathML; else the TeX in `<pre>`."""
    tex = token.content.strip()
    markup, reasons = to_mathml(tex, display=True)
    if reasons:
        _report(env, reasons, tex, "$$", {"line": token.map[0] if token.map else 0})
        return f'<pre class="math-source"><code>$$\n{html.escape(tex)}\n$$</code></pre>\n'
    return f'<div class="math-block">{markup}</div>\n'


def _locate_inline_math(state: StateCore) -> None:
    """Give each inline formula the 0-based line and 1-based column of its opening `$` in the source."""
    lines = state.src.split("\n")
    line = 0
    for block in state.tokens:
        line = block.map[0] if block.map else line
        if block.type != "inline" or not block.children:
            continue
        cursor = (line, 0)
        last = block.map[1] if block.map else line + 1
        for child in block.children:
            if child.type not in ("math_inline", "math_inline_double"):
                continue
            found = _find(lines, child.markup + child.content.split("\n", 1)[0], cursor, last)
            child.meta = {**(child.meta or {}), "line": found[0] if found else cursor[0]}
            if found:
                child.meta["col"] = found[1] + 1
                cursor = (found[0], found[1] + 1)


def _find(lines: list[str], needle: str, cursor: tuple[int, int], last: int) -> tuple[int, int] | None:
    """0-based (line, column) of `needle` at or after the cursor, before line `last`."""
    for index in range(cursor[0], min(last, len(lines))):
        col = lines[index].find(needle, cursor[1] if index == cursor[0] else 0)
        if col >= 0:
            return index, col
    return None


def plugin(md: MarkdownIt, **options: Any) -> None:
    """`$…$` (not `$5 and $10`, not `$ x $`), `$$…$$` in a paragraph, and `$$…$$` blocks.

    `options` go to mdit_py_plugins' dollarmath_plugin and override our defaults.
    """
    settings = {
        "allow_space": False,
        "allow_digits": False,
        "allow_blank_lines": False,
        "allow_labels": False,
        "double_inline": True,
    }
    dollarmath_plugin(md, **{**settings, **options})
    md.core.ruler.after("inline", "math_locate", _locate_inline_math)

    def inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return render_inline(tokens[idx], env)

    def block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return render_block(tokens[idx], env)

    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, inline)
    md.add_render_rule("math_block", block)
