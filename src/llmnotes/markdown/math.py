"""Render `$…$` and `$$…$$` as MathML Core at build time; TeX Chromium cannot show is a warning and stays as source."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from .memo import remembered
from .scroll_regions import ENGLISH, focusable

if TYPE_CHECKING:
    from latex2mathml.converter import Converter

# latex2mathml loads with the first formula converted (its import takes importlib.metadata, e-mail and URL modules
# along, a tenth of a one-note edit): a note without formulas, or whose formulas are known, never needs it.

Reason = tuple[str, str]
"""(what cannot be shown, how to fix it)."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---- TeX that latex2mathml turns into correct MathML Core (each converted and looked at in Chromium) -----------

_SUPPORTED_WORDS = _words(
    """frac dfrac tfrac cfrac binom dbinom tbinom over choose atop sqrt
    hat widehat bar overline underline tilde widetilde vec dot ddot check breve acute grave mathring
    overrightarrow overleftarrow overbrace underbrace overset underset stackrel xrightarrow xleftarrow
    left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr limits nolimits
    mathbb mathbf mathcal mathrm mathit mathsf mathtt mathfrak mathscr mathnormal boldsymbol bm Bbb
    text textrm textbf textit textsf texttt textup textnormal mbox emph operatorname
    arccos arcsin arctan cos cosh cot coth csc deg dim exp hom ker ln lg log sec sin sinh tan tanh
    lim sup inf max min argmax argmin det gcd Pr liminf limsup bmod pmod mod arg sim
    quad qquad enspace thinspace hspace displaystyle textstyle scriptstyle scriptscriptstyle
    color textcolor phantom hphantom vphantom begin end
    rm bf it cal sf tt dag ddag substack boxed"""
)


@functools.cache
def supported() -> frozenset[str]:
    """The commands the converter turns into correct MathML Core: the words above and latex2mathml's one-character
    symbols (\\alpha, \\le, \\infty, …)."""
    return _SUPPORTED_WORDS | symbol_chars().keys()
ESCAPES = frozenset(",:;!> {}|\\$%#&_\n\t")
ENVIRONMENTS = _words("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array cases split")
ENVIRONMENTS |= _words("aligned align align* equation equation*")
GATHERED = _words("gathered gather gather*")  # centred lines: rewritten as a matrix of display-style rows
ENVIRONMENTS |= GATHERED
STRIKE = "MathML Core draws no strike-through; rewrite without it"
UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(("cancel", "bcancel", "xcancel", "sout"), STRIKE),
    "fbox": r"use \boxed{…}",
    **dict.fromkeys(("label", "ref", "eqref", "tag"), "equation labels are not supported; refer to it in words"),
    **dict.fromkeys(("newcommand", "renewcommand", "def", "DeclareMathOperator"), "write the expanded TeX instead"),
    **dict.fromkeys(
        ("mathop", "mathbin", "mathrel", "mathord", "mathopen", "mathclose", "mathpunct", "mathinner"),
        r"write the symbol itself, or \operatorname{name}",
    ),
    "not": r"put \not before a relation (\not=, \not\in, \not\equiv), or use a negated symbol such as \nleq",
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
    "linebreak": (r"a line break \\ in inline math", r"put the lines in a $$…$$ display formula"),
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
BARS = frozenset("|‖")  # Chromium stretches a bare <mo>‖</mo> to its row's height; TeX keeps \lVert its size
THIN_SPACE = "0.1667em"
BOX_STYLE = "border:0.05em solid;padding:0.3em"  # \boxed, as KaTeX draws it
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


# ---- TeX in the older or looser forms KaTeX and MathJax accept, rewritten into what the converter knows ------------

@functools.cache
def symbol_chars() -> dict[str, str]:
    """latex2mathml's one-character commands and their characters: `alpha` → α."""
    from latex2mathml.symbols_parser import SYMBOLS

    chars = {name[1:]: chr(int(code, 16)) for name, code in SYMBOLS.items() if re.fullmatch(r"\\[A-Za-z]+", name)}
    chars["sim"] = "∼"  # latex2mathml's \sim is "~", which has no negated form
    return chars


@functools.cache
def command_for() -> dict[str, str]:
    """The shortest command for each symbol character."""
    commands: dict[str, str] = {}
    for name, char in sorted(symbol_chars().items(), key=lambda item: (len(item[0]), item[0])):
        commands.setdefault(char, name)
    return commands

NOT = re.compile(r"\\not(?![A-Za-z])\s*(\\[A-Za-z]+|[^\\\s{}])")
LEGACY = {"dag": "dagger", "ddag": "ddagger"}
OPERATOR_NAME = r"(?:[A-Za-z ]|\\[,:; ])+"
MATHOP = re.compile(
    rf"\\mathop\s*\{{\s*(?:\\(?:mathrm|operatorname)\s*\{{({OPERATOR_NAME})\}}|\\rm\s+({OPERATOR_NAME}))\s*\}}"
)
OPERATOR_SPACES = {",": "\u2009", ":": "\u2005", ";": "\u2005", " ": "\u2004"}  # thin, medium, thick: as TeX
TEXT_MARKUP = {"<": "\ue000", ">": "\ue001", "&": "\ue002"}  # kept from the converter, which passes them raw
HIDDEN_MARKUP = {hidden: char for char, hidden in TEXT_MARKUP.items()}
WORD_SPACES = dict.fromkeys(map(ord, OPERATOR_SPACES.values()))
ROW_PARTS = re.compile(
    r"\\begin\s*\{[^}]*\}|\\end\s*\{[^}]*\}|\\\\(?:\s*\[\s*-?[\d.]+\s*[a-z]{2}\s*\])?|\\.|[{}&]", re.DOTALL
)
GATHERED_BLOCK = re.compile(
    r"\\begin\s*\{(gathered|gather\*?)\}((?:(?!\\begin\s*\{gather).)*?)\\end\s*\{\1\}", re.DOTALL
)


def _negated(match: re.Match[str]) -> str:
    r"""`\not=` as `\ne`, `\not\in` as `\nin`: the relation with a slash through it, when Unicode has one."""
    target = match.group(1)
    char = symbol_chars().get(target[1:]) if target.startswith("\\") else target
    negated = unicodedata.normalize("NFC", (char or "") + "\u0338")
    if char is None or len(negated) != 1:
        return match.group(0)  # left for check_source to report
    commands = command_for()
    return f"\\{commands[negated]} " if negated in commands else negated


def resolve_legacy(tex: str) -> str:
    r"""`\not` before a relation, `\dag`, `\ddag` and `\mathop{\mathrm{…}}` in the forms the converter knows."""
    tex = NOT.sub(_negated, tex)
    tex = MATHOP.sub(lambda match: rf"\operatorname*{{{match.group(1) or match.group(2).strip()}}}", tex)
    return re.sub(r"\\(dag|ddag)(?![A-Za-z])", lambda match: "\\" + LEGACY[match.group(1)], tex)


def split_rows(body: str) -> list[str] | None:
    r"""`body` split at each `\\` outside braces and environments; None when a row has a column `&` or braces
    do not balance."""
    rows: list[str] = []
    start = depth = 0
    for match in ROW_PARTS.finditer(body):
        part = match.group(0)
        if part == "{" or part.startswith("\\begin"):
            depth += 1
        elif part == "}" or part.startswith("\\end"):
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and part == "&":
            return None
        elif depth == 0 and part.startswith("\\\\"):
            rows.append(body[start : match.start()])
            start = match.end()
    rows.append(body[start:])
    if len(rows) > 1 and not rows[-1].strip():
        rows.pop()  # a final \\ ends the last line and starts none
    return rows if depth == 0 else None


def _stacked(rows: list[str]) -> str:
    """Centred lines in display style, as `gathered` sets them: a one-column matrix of display-style rows."""
    return r"\begin{matrix}" + r"\\".join(f"{{\\displaystyle {row}}}" for row in rows) + r"\end{matrix}"


def stack_lines(tex: str, display: bool) -> str:
    r"""`gathered` and `gather` as centred lines; in display math, `\\` outside any environment too (as KaTeX)."""

    def gathered(match: re.Match[str]) -> str:
        rows = split_rows(match.group(2))
        return match.group(0) if rows is None else _stacked(rows)

    for _ in range(tex.count("\\begin")):
        rewritten = GATHERED_BLOCK.sub(gathered, tex)
        if rewritten == tex:
            break
        tex = rewritten
    rows = split_rows(tex) if display and "\\\\" in tex else None
    if rows is None:
        return tex
    return _stacked(rows) if len(rows) > 1 else rows[0]  # one line and a final \\: just the line


# ---- TeX whose backslashes were lost before it reached the note ------------------------------------------------

ESCAPE_LETTERS = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CONTROL = re.compile(rf"({CONTROL_CHARACTER.pattern})([A-Za-z]*)|([\t\n])([A-Za-z]+)")
TEXT_ARGUMENT = re.compile(
    r"\\(?:text\w*|mbox|emph|mathrm|mathit|mathsf|mathtt|mathnormal|operatorname\*?|begin|end|color)\s*\{[^{}]*\}"
)
WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]+(?![A-Za-z])(\{?)")
# Commands a note might have lost the backslash of (`$alpha$`), or the backslash and the letter a string escape ate
# (`\a`lpha, `\b`eta, `\f`rac, `\t`ext): a word of four or more letters, or one needing a following brace.
LOST_WORDS = _words(
    """alpha beta gamma delta epsilon varepsilon zeta theta vartheta iota kappa lambda sigma upsilon omega varphi
    Gamma Delta Theta Lambda Sigma Upsilon Omega times cdot infty nabla partial approx notin"""
)
LOST_BEFORE_BRACE = _words("frac dfrac sqrt text textbf mathbf mathbb mathcal boldsymbol tilde overline")
LOST: dict[tuple[str, bool], list[str]] = {}
for _command in sorted(LOST_WORDS | LOST_BEFORE_BRACE):
    _brace = _command in LOST_BEFORE_BRACE
    for _fragment in (_command, _command[1:] if _command[0] in "abfnrtv" else ""):
        if len(_fragment) >= 3:
            LOST.setdefault((_fragment, _brace), []).append(_command)
LOST.setdefault(("eta", False), []).append("eta")
LOST.update({("ight", False): ["right"], ("ightarrow", False): ["rightarrow"]})  # `right` alone may be a word


def lost_backslashes(tex: str) -> list[Reason]:
    r"""Control characters where a program read `\a`, `\b`, `\f`, `\t`… as escapes, and command names whose
    backslash is missing (`lpha`, `rac{`): TeX that renders, but not as its author wrote it."""
    reasons: list[Reason] = []
    fix = "write the backslash back; a script that writes notes must escape backslashes or use raw strings"
    explained: set[int] = set()
    for match in CONTROL.finditer(tex):
        char, letters = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        guesses = [ESCAPE_LETTERS.get(char, "") + letters[:end] for end in range(len(letters), 0, -1)]
        # After a tab or a line break only a long enough word: a new line may well start with `in` or `u_t`.
        shortest = 3 if match.group(1) else 4
        guess = next((name for name in guesses if name in supported() and len(name) >= shortest), None)
        code = f"U+{ord(char):04X}"
        if guess:
            reasons.append((f'looks like a backslash was lost: \\{guess}? ({code} before "{letters}")', fix))
            explained.add(match.end() - len(letters))
        elif match.group(1):
            reasons.append((f"control character {code} (looks like a program read a backslash as an escape)", fix))
    for match in WORD.finditer(TEXT_ARGUMENT.sub(lambda found: " " * len(found.group(0)), tex)):
        word = match.group(0).rstrip("{")
        commands = LOST.get((word, True), []) if match.group(1) else []
        commands = commands or LOST.get((word, False), [])
        if commands and match.start() not in explained:
            guess = " or ".join(f"\\{command}" for command in commands)
            reasons.append((f'looks like a backslash was lost: {guess}? ("{word}")', fix))
    return reasons


# ---- TeX → checked MathML Core -------------------------------------------------------------------------------


def check_source(tex: str) -> list[Reason]:
    """Commands, environments and slips that the converter does not know or silently turns into wrong output."""
    reasons: list[Reason] = []
    for name in re.findall(r"\\([A-Za-z]+|.)", resolve_legacy(tex), re.DOTALL):
        if name in UNSUPPORTED:
            reasons.append((f"\\{name}", UNSUPPORTED[name]))
        elif name in "'`^\"~=.":
            reasons.append((f"\\{name}", "text accents are not supported; type the accented letter"))
        elif name not in supported() and name not in ESCAPES:
            reasons.append((f"unknown command \\{name}", f"rewrite without \\{name}"))
    for environment in re.findall(r"\\begin\s*\{([^}]*)\}", tex):
        if environment not in ENVIRONMENTS:
            fix = "use aligned, cases, array or a matrix, or one $$…$$ per line"
            reasons.append((f"environment {environment}", fix))
    for star, name in re.findall(r"\\operatorname(\*?)\s*\{([^{}]*)\}", tex):
        if not re.fullmatch(OPERATOR_NAME, name):
            reasons.append((f"\\operatorname{star}{{{name}}}", r"use letters only, or \argmax and \argmin"))
    if re.search(r"\\(?:text\w*|mbox|emph)\s*\{[^{}]*\{", tex):  # the converter ends the text at the inner }
        reasons.append((r"braces inside \text{…}", r"write the text without them, and math outside \text{…}"))
    braces = re.sub(r"\\.", "", tex, flags=re.DOTALL)
    depth = 0
    for char in braces:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        reasons.append(("unbalanced braces", "close every { with a }"))
    return reasons


def prepare(tex: str, display: bool) -> str:
    """TeX the converter renders right: the looser forms KaTeX accepts rewritten (`\\not=`, `\\dag`, `gathered`,
    `\\\\` lines, `arg\\,max`, `<` in `\\text`), and its quirks worked around (`\\mathrm{d}` came out italic, `\\sim`
    as a letter, `aligned` unaligned)."""
    tex = stack_lines(resolve_legacy(tex), display)
    tex = re.sub(r"\\operatorname(\*?)\s*\{([^{}]*)\}", _spaced_operator, tex)
    tex = re.sub(r"\\(text\w*|mbox|emph)(\s*)\{([^{}]*)\}", _hidden_markup, tex)
    tex = re.sub(r"\\(mathrm|mathnormal)\{", r"\\\1 {", tex)
    tex = re.sub(r"\\sim(?![A-Za-z])", r"\\thicksim", tex)
    tex = re.sub(r"\\arg(?![A-Za-z])", r"\\operatorname{arg}", tex)
    return re.sub(r"\\(begin|end)\s*\{(?:aligned|align\*?)\}", r"\\\1{align*}", tex)


def _spaced_operator(match: re.Match[str]) -> str:
    r"""`\operatorname{arg\,max}` as one name with a thin space in it."""
    name = re.sub(r"\\([,:; ])", lambda space: OPERATOR_SPACES[space.group(1)], match.group(2))
    return f"\\operatorname{match.group(1)}{{{name}}}"


def _hidden_markup(match: re.Match[str]) -> str:
    """`<`, `>` and `&` in `\text{…}` hidden from the converter, which writes them into the markup unescaped."""
    text = "".join(TEXT_MARKUP.get(char, char) for char in match.group(3))
    return f"\\{match.group(1)}{match.group(2)}{{{text}}}"


def to_mathml(tex: str, display: bool) -> tuple[str, list[Reason]]:
    """`<math>` for `tex` with the TeX kept as an annotation; or "" and why Chromium could not show it right."""
    markup, reasons = remembered("latex2mathml", (tex, display), lambda: _converted(tex, display))
    return markup, list(reasons)


@functools.lru_cache(maxsize=4096)
def _converted(tex: str, display: bool) -> tuple[str, tuple[Reason, ...]]:
    """to_mathml, once per formula and mode in a process: notes repeat their formulas."""
    lost = lost_backslashes(tex)
    if lost:
        return "", tuple(dict.fromkeys(lost))
    reasons = check_source(tex)
    try:
        root = _tree(prepare(tex, display), display)
    except ET.ParseError:
        ampersand = re.search(r"(?<!\\)&", tex)
        what = "& outside aligned, cases, array or a matrix" if ampersand else "TeX the converter garbles"
        return "", tuple(dict.fromkeys([*reasons, (what, r"write \& for an ampersand")]))
    except Exception as error:  # latex2mathml raises a dozen kinds for malformed TeX
        what = PARSE_ERRORS.get(type(error).__name__, f"TeX that cannot be parsed ({type(error).__name__})")
        return "", (*reasons, (what, r"check braces, arguments and \left…\right pairs"))
    _normalise(root)
    reasons = reasons or _check_core(root)  # a problem in the TeX explains the markup's problems better
    if reasons:
        return "", tuple(dict.fromkeys(reasons))
    children = list(root)
    body = children[0] if len(children) == 1 and children[0].tag == "mrow" else _element("mrow", {}, children)
    annotation = _element("annotation", {"encoding": "application/x-tex"}, [])
    annotation.text = tex
    semantics = _element("semantics", {}, [body, annotation])
    return serialize(_element("math", {"display": "block"} if display else {}, [semantics])), ()


# What an XML parser reads in text as something else than itself, or refuses: references (`&#x3B1;`, `&lt;`), `<`,
# a bare `&`, carriage returns (read as line feeds), `]]>` and characters XML does not allow.
# Outside XML's Char: control characters, surrogates, U+FFFE and U+FFFF. Two small classes: one class mixing
# control characters and the high ranges (or the complement of XML's Char) compiles in tens of milliseconds.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f]|[\ud800-\udfff\ufffe\uffff]"
_AS_XML_READS = re.compile(f"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));|[&<\r]|]]>|{_NOT_XML}")
_NOT_XML_CHARACTER = re.compile(_NOT_XML)
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _tree(tex: str, display: bool) -> ET.Element:
    """latex2mathml's element tree as reading its string output back gives it (the converter writes `&#x3B1;` into
    the tree's text for α), without writing and reading that string: it is written and read only for a formula
    whose text holds more than references, where the parser's reading decides. ET.ParseError when it is not XML."""
    from latex2mathml.converter import Converter

    converter = Converter(display="block" if display else "inline")
    root = converter.convert_to_element(tex)
    del root.attrib["xmlns"]  # the string's namespace declaration, which the parser takes off
    for element in root.iter():
        text = element.text
        if text and _AS_XML_READS.search(text):
            decoded = _decoded(text)
            if decoded is None:
                return _read_back(converter, root)
            element.text = decoded
        if any(_AS_XML_READS.search(value) for value in element.attrib.values()):
            return _read_back(converter, root)
    return root


def _read_back(converter: Converter, root: ET.Element) -> ET.Element:
    """The tree from the converter's own string output, read by the XML parser; its tags without the namespace."""
    root.set("xmlns", converter.xmlns)
    read = ET.fromstring(converter._convert(root))
    for element in read.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    return read


def _decoded(text: str) -> str | None:
    """Text with its references decoded, as an XML parser reads it; None when the parser would read more in it
    (markup, a bare `&`, a carriage return) or refuse it."""
    parts: list[str] = []
    last = 0
    for match in _AS_XML_READS.finditer(text):
        hexadecimal, decimal, name = match.groups()
        if name:
            character = _ENTITIES[name]
        elif hexadecimal or decimal:
            code = int(hexadecimal, 16) if hexadecimal else int(decimal)
            if code > 0x10FFFF or _NOT_XML_CHARACTER.match(chr(code)):
                return None
            character = chr(code)
        else:
            return None
        parts += (text[last : match.start()], character)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _element(tag: str, attributes: dict[str, str], children: Sequence[ET.Element]) -> ET.Element:
    element = ET.Element(tag, attributes)
    element.extend(children)
    return element


def _text(element: ET.Element) -> str:
    return element.text or ""


def _normalise(root: ET.Element) -> None:
    """Rewrite what latex2mathml writes for MathML 3 into what Chromium's MathML Core renders the same way."""
    for element in root.iter():
        _restyle(element)
        if element.tag == "mtext":
            element.text = "".join(HIDDEN_MARKUP.get(char, char) for char in _text(element)) or None
        if element.tag == "menclose" and element.attrib == {"notation": "box"}:
            element.tag, element.attrib = "mrow", {"style": BOX_STYLE}
        if element.tag == "mspace" and element.get("width", "") in NAMED_SPACES:
            element.set("width", NAMED_SPACES[element.get("width", "")])
        if element.tag == "mtd" and element.get("columnalign", "") in ALIGN_STYLES:
            element.set("style", ALIGN_STYLES[element.get("columnalign", "")])
        if element.tag in ("msub", "msup", "msubsup") and len(element) and _is_limit_operator(element[0]):
            element.tag = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}[element.tag]
            element[0].set("movablelimits", "true")  # under/over in display math, beside it inline: as TeX
            if len(_text(element[0])) > 1:
                element[0].attrib.update({"lspace": "0em", "rspace": THIN_SPACE})
        _fix_token_kind(element)  # all the above changes of this element are made: here or at its parent
    for element in list(root.iter()):
        if len(element) > 1:  # both look at neighbouring children
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


def _is_word(text: str) -> bool:
    """Letters, maybe with spaces between (`arg max`): a function's or an operator's name."""
    return len(text) > 1 and text.translate(WORD_SPACES).isalpha()


def _fix_token_kind(element: ET.Element) -> None:
    """Symbols latex2mathml marks as the wrong kind of token get the spacing TeX gives them."""
    text = _text(element)
    if element.tag == "mo" and len(element) == 0 and text and element.get("movablelimits") != "true":
        if text in ORDINARY or _is_word(text):
            element.tag = "mi"  # ∞, ∅, \operatorname{softmax}, \max(a, b): no operator spacing
        elif text in BARS and "stretchy" not in element.attrib:
            element.set("stretchy", "false")  # \lVert, \rvert: as tall as the text, unlike \left\| … \right\|
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
    return element.tag == "mi" and _is_word(text) and text.translate(WORD_SPACES).isascii()


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
    parts: list[str] = []
    _write(element, parts)
    return "".join(parts)


def _write(element: ET.Element, parts: list[str]) -> None:
    tag = element.tag
    if element.attrib:
        attributes = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in element.attrib.items())
        parts.append(f"<{tag}{attributes}>")
    else:
        parts.append(f"<{tag}>")
    if element.text and (tag in TOKENS or tag == "annotation"):
        parts.append(html.escape(element.text, quote=False))
    for child in element:
        _write(child, parts)
    parts.append(f"</{tag}>")


# ---- the plugin -----------------------------------------------------------------------------------------------


def visible(tex: str) -> str:
    """Control characters as their Unicode pictures (U+0007 as ␇), so the fallback and the message show them."""
    return CONTROL_CHARACTER.sub(
        lambda match: "␡" if match.group(0) == "\x7f" else chr(0x2400 + ord(match.group(0))), tex
    )


def _report(env: MutableMapping[str, Any] | None, reasons: list[Reason], tex: str, dollars: str, where: dict) -> None:
    """Record one warning for the formula in env["problems"], which parse.py turns into file:line diagnostics."""
    if env is None:
        return
    flat = visible(" ".join(tex.split()))
    flat = dollars + (flat if len(flat) <= 60 else flat[:59] + "…") + dollars
    whats = ", ".join(what for what, _ in reasons)
    fixes = "; ".join(dict.fromkeys(fix for _, fix in reasons))
    env.setdefault("problems", []).append(
        {"message": f"math: {whats} in {flat} ({fixes})", "severity": "warning", "rule": "math", **where}
    )


def render_inline(token: Token, env: MutableMapping[str, Any] | None, region: str = "") -> str:
    """`$…$` as inline `<math>`, `$$…$$` inside a paragraph as display math; else the TeX in `<code>`.

    `region`: the attributes that let a keyboard scroll a display formula wider than the screen."""
    tex = token.content.strip()
    display = token.type == "math_inline_double"
    markup, reasons = to_mathml(tex, display)
    if not reasons:
        return f'<span class="math-block"{region}>{markup}</span>' if display else markup
    source = f"{token.markup}{visible(tex)}{token.markup}"
    meta = token.meta or {}
    where = {"line": meta.get("line", 0), **({"col": meta["col"]} if "col" in meta else {})}
    _report(env, reasons, tex, token.markup, where)
    return f'<code class="math-source">{html.escape(source)}</code>'


def render_block(token: Token, env: MutableMapping[str, Any] | None, region: str = "") -> str:
    """`$$…$$` on its own lines as block MathML; else the TeX in `<pre>`. `region`: as for render_inline."""
    tex = token.content.strip()
    markup, reasons = to_mathml(tex, display=True)
    if reasons:
        _report(env, reasons, tex, "$$", {"line": token.map[0] if token.map else 0})
        return f'<pre class="math-source"><code>$$\n{html.escape(visible(tex))}\n$$</code></pre>\n'
    return f'<div class="math-block"{region}>{markup}</div>\n'


def _locate_inline_math(state: StateCore) -> None:
    """Give each inline formula the 0-based line and 1-based column of its opening `$` in the source."""
    if "$" not in state.src:
        return
    lines = state.src.split("\n")
    line = 0
    for block in state.tokens:
        line = block.map[0] if block.map else line
        if block.type != "inline" or not block.children or "$" not in block.content:
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


def plugin(md: MarkdownIt, formula_label: str = ENGLISH.formula, **options: Any) -> None:
    """`$…$` (not `$5 and $10`, not `$ x $`), `$$…$$` in a paragraph, and `$$…$$` blocks.

    Display formulas can take focus, named `formula_label`. `options` go to mdit_py_plugins' dollarmath_plugin
    and override our defaults.
    """
    region = focusable(formula_label)
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
        return render_inline(tokens[idx], env, region)

    def block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return render_block(tokens[idx], env, region)

    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, inline)
    md.add_render_rule("math_block", block)
