"""Bare URLs in notes become links, ending before CJK punctuation; code and file names stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmnotes.markdown import create_parser
from sites import run_cli, write_site

MD = create_parser()


def test_a_bare_url_links_and_chinese_punctuation_after_it_stays_outside() -> None:
    html = MD.render("**代码**: https://wm2act.github.io/，见上\n")
    assert html == (
        '<p><strong>代码</strong>: <a href="https://wm2act.github.io/">https://wm2act.github.io/</a>，见上</p>\n'
    )


@pytest.mark.parametrize("after", ["，", "。", "；", "）", "、", "！", "？", "：", "」", "』", "】", "》", "…"])
def test_no_cjk_punctuation_mark_joins_the_url(after: str) -> None:
    html = MD.render(f"见 https://example.org/a/b{after}后文\n")
    assert f'<a href="https://example.org/a/b">https://example.org/a/b</a>{after}后文' in html


def test_urls_after_chinese_text_www_and_mail_addresses_link() -> None:
    html = MD.render("主页：https://a.io/x（见 www.example.com/p。）写信 someone@example.org\n")
    assert '主页：<a href="https://a.io/x">https://a.io/x</a>（见' in html
    assert '<a href="http://www.example.com/p">www.example.com/p</a>。）' in html
    assert '<a href="mailto:someone@example.org">someone@example.org</a>' in html


def test_a_path_in_a_url_keeps_its_chinese_letters_and_ascii_punctuation() -> None:
    html = MD.render("https://zh.wikipedia.org/wiki/注意力机制?a=1,2 and https://x.io/y.\n")
    assert '<a href="https://zh.wikipedia.org/wiki/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6?a=1,2">' in html
    assert '<a href="https://x.io/y">https://x.io/y</a>.' in html


def test_code_file_names_and_existing_links_are_left_alone() -> None:
    html = MD.render(
        "Run `curl https://a.io/x` then train.py and README.md; [site](https://b.io) <https://c.io>\n\n"
        "```\nhttps://d.io\n```\n"
    )
    assert "<code>curl https://a.io/x</code>" in html
    assert "train.py and README.md" in html  # not links to Paraguay's or Moldova's domains
    assert html.count("<a ") == 2 and '<a href="https://b.io">site</a>' in html
    assert "<pre" in html and 'href="https://d.io"' not in html


def test_a_linkified_url_on_a_page_is_marked_as_leaving_the_site(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"notes/a.md": "---\ntitle: A\n---\n代码：https://wm2act.github.io/，见上\n"})
    assert run_cli(root, capsys=capsys)[0] == 0
    page = (root / "site/notes/a.html").read_text(encoding="utf-8")
    link = '<a class="external" href="https://wm2act.github.io/" rel="noopener">https://wm2act.github.io/</a>，见上'
    assert link in page
