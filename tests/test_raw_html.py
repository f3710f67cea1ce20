"""Raw HTML in notes, sanitized by default: allowed markup kept, every attack vector stopped with a warning at
its line, comments gone silently, `markdown` blocks rendered, relative URLs rewritten like Markdown links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmnotes.content.parse import parse_note
from llmnotes.markdown import create_parser
from llmnotes.model import Note
from sites import broken_links, run_cli, write_site

MD = create_parser()
BODY_LINE = 5  # the body starts at line 5 of the file


def parse(body: str):
    return parse_note(Note(source="notes/x.md", slug="x", title="X", body=body, body_line=BODY_LINE), MD)


SAFE_SCHEMES = ("http:", "https:", "mailto:")


class _Unsafe(HTMLParser):
    """Whatever a browser would run or let restyle the page, as it reads the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "meta", "base", "link"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{name}= on <{tag}>")
            url = re.sub(r"[\t\n\r]", "", value or "").strip().lower()
            scheme = re.match(r"[a-z][a-z0-9+.-]*:", url)
            if name in ("href", "src", "xlink:href", "action") and scheme and scheme[0] not in SAFE_SCHEMES:
                self.found.append(f"{name}={value!r} on <{tag}>")

    def handle_comment(self, data: str) -> None:
        self.found.append("comment")


def unsafe(html: str) -> list[str]:
    parser = _Unsafe()
    parser.feed(html)
    parser.close()
    return parser.found


VECTORS = {
    "script": ("<script>alert(1)</script>", "removed <script>"),
    "script inline": ("a <script>alert(1)</script> b", "removed <script>"),
    "style element": ("<style>body { display: none }</style>", "removed <style>"),
    "style attribute": ('<div style="position:fixed;inset:0">x</div>', "removed the style attribute of <div>"),
    "onerror": ("<img src=x onerror=alert(1)>", "removed the onerror attribute of <img>"),
    "onclick inline": ('a <span onclick="alert(1)">b</span>', "removed the onclick attribute of <span>"),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', 'removed href="javascript:…" of <a>'),
    "javascript with a tab": ('<a href="jav&#x09;ascript:alert(1)">x</a>', 'removed href="javascript:…" of <a>'),
    "javascript upper case": ('<a href=" JaVaScRiPt:alert(1)">x</a>', 'removed href="javascript:…" of <a>'),
    "vbscript": ('<a href="vbscript:msgbox(1)">x</a>', 'removed href="vbscript:…" of <a>'),
    "data image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', 'removed src="data:…" of <img>'),
    "data page": ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>', 'removed href="data:…"'),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', "removed <iframe>"),
    "object": ('<object data="movie.swf"></object>', "removed <object>"),
    "embed": ('<embed src="movie.swf">', "removed <embed>"),
    "svg with script": ("<svg><script>alert(1)</script></svg>", "removed <svg>"),
    "svg onload": ('<svg onload="alert(1)"></svg>', "removed <svg>"),
    "math with a link": ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "removed <math>"),
    "form": ('<form action="https://evil.example/"><input name="q"></form>', "removed <form>"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "removed <meta>"),
    "base": ('<base href="https://evil.example/">', "removed <base>"),
}


@pytest.mark.parametrize("vector", VECTORS.values(), ids=VECTORS.keys())
def test_each_vector_is_stopped_with_a_warning_at_its_line(vector: tuple[str, str]) -> None:
    html, message = vector
    parsed = parse(f"First line.\n\n{html}\n\nLast line.\n")
    assert unsafe(parsed.html) == [], parsed.html
    assert "alert(1)" not in parsed.html and "evil.example" not in parsed.html
    [warning] = parsed.diagnostics
    assert (warning.path, warning.line, warning.severity) == ("notes/x.md", BODY_LINE + 2, "warning")
    assert message in warning.message
    assert 'raw_html = "allow"' in (warning.hint or "")
    assert "<p>First line.</p>" in parsed.html and "<p>Last line.</p>" in parsed.html


def test_a_warning_names_the_line_inside_a_block_and_after_line_breaks() -> None:
    parsed = parse(
        '<div>\n<p>fine</p>\n<img src="a.png" onerror="x()">\n</div>\n\nText and\nmore <b onmouseover="y()">b</b>\n'
    )
    assert sorted((d.line, d.message.split(":")[1].strip()) for d in parsed.diagnostics) == [
        (BODY_LINE + 2, "removed the onerror attribute of <img>"),
        (BODY_LINE + 6, "removed the onmouseover attribute of <b>"),
    ]


def test_comments_vanish_silently() -> None:
    parsed = parse("Text <!-- an inline comment --> more.\n\n<!-- a block\ncomment -->\n\n<!--\n\n-->\nEnd.\n")
    assert "comment" not in parsed.html and "<!--" not in parsed.html and "&lt;!--" not in parsed.html
    assert "<p>Text  more.</p>" in parsed.html and "End." in parsed.html
    assert parsed.diagnostics == ()


def test_allowed_markup_survives() -> None:
    parsed = parse(
        'a <span class="x">b</span> c, <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <mark>m</mark>'
        "<br>\n\n"
        '<center><img src="https://example.org/f.png" alt="figure" width="300" height="200" title="t"></center>\n\n'
        '<details open>\n<summary id="s">More</summary>\n<table><thead><tr><th colspan="2">h</th></tr></thead>'
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>\n</details>\n\n"
        '<a href="https://example.org/" title="site">site</a> <a href="mailto:me@example.org">mail</a>\n'
    )
    html = parsed.html
    assert '<p>a <span class="x">b</span> c, <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>' in html
    assert (
        '<center><img src="https://example.org/f.png" alt="figure" width="300" height="200" title="t"></center>' in html
    )
    assert '<details open="">\n<summary id="s">More</summary>\n<table><thead><tr><th colspan="2">h</th>' in html
    assert '<a href="https://example.org/" title="site">site</a> <a href="mailto:me@example.org">mail</a>' in html
    assert parsed.diagnostics == ()


def test_details_hold_the_markdown_between_their_tags() -> None:
    html = parse("<details>\n<summary>Proof</summary>\n\n- step **one**\n- step two\n\n</details>\n\nAfter.\n").html
    assert re.search(
        r"<details>\s*<summary>Proof</summary>\s*<ul>.*step <strong>one</strong>.*</ul>\s*</details>", html, re.S
    )
    assert html.rstrip().endswith("<p>After.</p>")


def test_an_unclosed_inline_tag_ends_with_its_paragraph() -> None:
    html = parse("a <b>bold\n\nnext paragraph\n").html
    assert "<p>a <b>bold</b></p>" in html and "<p>next paragraph</p>" in html


def test_tokens_and_type_parameters_that_are_not_html_show_as_text() -> None:
    html = parse("Append <eos>, start with <s> and </s>, return List<T> and <think>.\n").html
    assert "Append &lt;eos&gt;, start with &lt;s&gt; and &lt;/s&gt;, return List&lt;T&gt; and &lt;think&gt;." in html


HERO = """\
<div class="hero" markdown>
<p class="hero-sub">一句话介绍 <span class="hl">重点</span><br>第二行</p>

**加粗** 和 [链接](guide/index.md)
</div>
"""


def test_a_markdown_attribute_block_renders_its_content_as_markdown() -> None:
    parsed = parse(HERO)
    assert parsed.html.startswith(
        '<div class="hero">\n<p class="hero-sub">一句话介绍 <span class="hl">重点</span><br>第二行</p>\n'
        "<p><strong>加粗</strong> 和 "
    )
    assert parsed.html.rstrip().endswith("</p>\n</div>")
    assert "markdown" not in parsed.html
    [link] = parsed.links
    assert (link.kind, link.target, link.line) == ("markdown", "guide/index.md", BODY_LINE + 3)


@pytest.mark.parametrize("attribute", ["markdown", 'markdown="1"', "markdown='block'", "markdown=span"])
def test_markdown_blocks_nest_in_each_spelling(attribute: str) -> None:
    html = parse(
        f'<div class="grid" {attribute}>\n<details {attribute}>\n<summary>S</summary>\n\n*inner* text\n</details>\n\n'
        "- one\n</div>\n"
    ).html
    assert re.fullmatch(
        r'<div class="grid">\n<details>\n<summary>S</summary>\n<p><em>inner</em> text</p>\n</details>\n'
        r"<ul>\n<li>one</li>\n</ul>\n</div>\n",
        html,
    ), html


def test_a_markdown_block_without_its_closing_tag_is_plain_html() -> None:
    parsed = parse("<div markdown>\n**not closed**\n\nText.\n")
    assert "<div>" in parsed.html and "**not closed**" in parsed.html and "<p>Text.</p>" in parsed.html


def test_escape_and_allow_stay_available() -> None:
    note = '<div markdown>\n*x*\n</div>\n\n<b onclick="f()">b</b>\n'
    escaped = parse_note(Note("notes/x.md", "x", "X", body=note, body_line=1), create_parser("escape")).html
    assert "&lt;div markdown&gt;" in escaped and "&lt;b onclick" in escaped
    allowed = parse_note(Note("notes/x.md", "x", "X", body=note, body_line=1), create_parser("allow")).html
    assert "<div>\n<p><em>x</em></p>\n</div>" in allowed and '<b onclick="f()">b</b>' in allowed


def test_a_site_shows_raw_html_and_prints_each_warning_with_file_and_line(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "notes/a.md": '---\ntitle: A\n---\n<!-- draft: say more -->\nHi <span class="x">there</span>.\n\n'
            '<script>alert(1)</script>\n\n<a class="btn" href="https://example.org/">site</a>\n',
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    assert "notes/a.md:7: warning: raw HTML: removed <script>: notes cannot run scripts (remove it, or set" in err
    page = (root / "site/notes/a.html").read_text(encoding="utf-8")
    assert 'Hi <span class="x">there</span>.' in page and "draft: say more" not in page and "alert(1)" not in page
    assert '<a class="btn external" href="https://example.org/" rel="noopener">site</a>' in page
    assert "&lt;" not in page.split('<div class="prose">')[1].split("</article>")[0]


def test_relative_src_and_href_in_raw_html_are_copied_and_rewritten(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "notes/guide/intro.md": '---\ntitle: Intro\n---\n<figure><img src="img/fig one.png" alt="fig" width="300">'
            '<figcaption>Fig.</figcaption></figure>\n\nSee <a href="../papers/p.pdf">the paper</a>.\n',
            "notes/other.md": "---\ntitle: Other\n---\nNothing.\n",
        },
    )
    (root / "notes/guide/img").mkdir()
    (root / "notes/guide/img/fig one.png").write_bytes(b"\x89PNG fake")
    (root / "notes/papers").mkdir()
    (root / "notes/papers/p.pdf").write_bytes(b"%PDF fake")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    page = (root / "site/notes/intro.html").read_text(encoding="utf-8")
    assert '<img src="guide/img/fig%20one.png" alt="fig" width="300">' in page
    assert '<a href="papers/p.pdf">the paper</a>' in page
    assert (root / "site/notes/guide/img/fig one.png").read_bytes() == b"\x89PNG fake"
    assert broken_links(root / "site") == []  # loads relative to the page


def test_a_missing_file_in_raw_html_is_a_broken_link_at_its_line(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"notes/a.md": '---\ntitle: A\n---\nText.\n\n<img src="missing.png">\n'})
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and "notes/a.md:6: broken link: no file missing.png in the notes folder" in err


def test_raw_html_links_to_notes_resolve_and_are_checked(tmp_path: Path, capsys) -> None:
    files = {
        "notes/a.md": '---\ntitle: A\n---\n<div class="hero" markdown>\nGo to <a href="guide/b.md" class="btn">B</a>'
        ' or <a href="guide/">the guide</a>.\n</div>\n',
        "notes/guide/b.md": "---\ntitle: Bee\n---\n## Setup\nText.\n",
        "notes/guide/index.md": "---\ntitle: Guide\n---\nGuide.\n",
    }
    root = write_site(tmp_path, files)
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    page = (root / "site/notes/a.html").read_text(encoding="utf-8")
    assert '<div class="hero">\n<p>Go to <a class="internal" href="b.html">B</a> or ' in page
    assert '<a class="internal" href="guide.html">the guide</a>.</p>\n</div>' in page
    assert 'href="a.html"' in (root / "site/notes/b.html").read_text(encoding="utf-8")  # a backlink
    files["notes/a.md"] += '\nAnd <a href="guide/b.md#nowhere">a heading</a>, <a href="gone.md">gone</a>.\n'
    write_site(tmp_path, files)
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1
    assert 'notes/a.md:8:14: broken link (guide/b.md#nowhere): notes/guide/b.md has no heading "nowhere"' in err
    assert "notes/a.md:8:" in err and "broken link (gone.md): no note at this path" in err


def test_a_mkdocs_material_home_shows_no_escaped_tags(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "mkdocs.yml": "site_name: Papers\n",
            "docs/index.md": "---\ntitle: Papers\n---\n<!-- hero -->\n" + HERO + "\n<!-- end -->\n",
            "docs/guide/index.md": "# Guide\n\n<div markdown>\n<!-- note -->\n**代码**: https://wm2act.github.io/，见上\n</div>\n",
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    for page in (root / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"&lt;/?(div|p|span|br|!--)", text), page
    guide = next((root / "site").rglob("guide*.html")).read_text(encoding="utf-8")
    assert (
        '<a class="external" href="https://wm2act.github.io/" rel="noopener">https://wm2act.github.io/</a>，见上'
        in guide
    )


def test_a_hashtag_in_the_text_of_a_raw_link_is_not_a_tag() -> None:
    parsed = parse('![[a.pdf]] then #tag1 and <a href="https://x.io">#nottag</a> #tag2\n')
    assert parsed.note.tags == ("tag1", "tag2")
    assert '<a href="https://x.io">#nottag</a>' in parsed.html


def test_an_id_the_page_scripts_use_is_dropped() -> None:
    html = parse('<div id="llmnotes-previews" class="x">[]</div> <span id="mine">m</span>\n').html
    assert '<div class="x">[]</div>' in html and '<span id="mine">m</span>' in html
