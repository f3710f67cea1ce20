"""Markdown parsing: extensions, CJK heading ids, highlighting, raw HTML policy, and link extraction."""

from __future__ import annotations

from llmnotes.content.parse import parse_note
from llmnotes.i18n import interface_strings
from llmnotes.markdown import create_parser
from llmnotes.markdown.wikilinks import parse_wikilink
from llmnotes.model import Note


def parse(body: str, raw_html: str = "sanitize", language: str = "en"):
    note = Note(source="notes/x.md", slug="x", title="X", body=body, body_line=5)
    return parse_note(note, create_parser(raw_html, interface_strings(language)))


def test_gfm_extensions_render() -> None:
    html = parse(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nTerm\n: Definition\n\nText[^n].\n\n[^n]: Note.\n"
    ).html
    assert "<table>\n" in html and "<td>2</td>" in html
    assert "<s>old</s>" in html
    assert '<label><input class="task-list-item-checkbox" checked="checked" disabled="disabled"' in html
    assert "done</label>" in html  # the item's text names its checkbox for screen readers
    assert "<dt>Term</dt>" in html and "<dd>Definition</dd>" in html
    assert 'class="footnote-ref"' in html and "Note." in html


def test_heading_ids_keep_chinese_and_are_unique() -> None:
    parsed = parse("## 方法\n\n## 方法\n\n### Chain of Thought 思维链\n")
    assert [h.id for h in parsed.headings] == ["方法", "方法-1", "chain-of-thought-思维链"]
    assert [h.text for h in parsed.headings] == ["方法", "方法", "Chain of Thought 思维链"]
    assert '<h2 id="方法">' in parsed.html and '<h2 id="方法-1">' in parsed.html


def test_code_is_highlighted_by_pygments_and_unknown_languages_are_escaped() -> None:
    html = parse("```python\nx = 1\n```\n\n```nosuchlang\n<b>\n```\n").html
    assert '<code class="language-python"><span class="n">x</span>' in html
    assert "&lt;b&gt;" in html


def test_code_blocks_and_tables_can_be_scrolled_from_the_keyboard_and_are_named() -> None:
    body = "```python\nx = 1\n```\n\n```\nplain\n```\n\n    indented\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    html = parse(body).html
    focusable = ' tabindex="0" role="group" aria-label='
    assert f'<pre class="highlight"{focusable}"python code"><code class="language-python">' in html
    assert f'<pre class="highlight"{focusable}"Code"><code>plain' in html
    assert f"<pre{focusable}\"Code\"><code>indented\n</code></pre>" in html
    assert f'<div class="table-scroll"{focusable}"Table">\n<table>\n<thead>' in html
    assert html.rstrip().endswith("</table>\n</div>")
    chinese = parse(body, language="zh-CN").html
    assert 'aria-label="python 代码"' in chinese and 'aria-label="代码"' in chinese and 'aria-label="表格"' in chinese
    assert 'aria-label="&quot;&gt; code"' in parse('```">\nx\n```\n').html  # the language is escaped


def test_raw_html_is_escaped_or_passed_through_as_the_policy_says() -> None:
    assert "&lt;script&gt;" in parse("<script>alert(1)</script>\n", raw_html="escape").html
    assert "<sup>2</sup>" in parse("x<sup>2</sup>\n", raw_html="escape").html.replace("&lt;", "<").replace("&gt;", ">")
    assert "<script>alert(1)</script>" in parse("<script>alert(1)</script>\n", raw_html="allow").html


def test_wikilink_syntax_is_split_into_target_fragment_and_text() -> None:
    assert parse_wikilink("t5") == ("t5", None, None)
    assert parse_wikilink("t5#方法|T5 的方法") == ("t5", "方法", "T5 的方法")
    assert parse_wikilink("#方法") == ("", "方法", None)
    assert parse_wikilink("Language Models are Few-Shot Learners") == (
        "Language Models are Few-Shot Learners",
        None,
        None,
    )


def test_links_are_recorded_with_line_column_and_sentence() -> None:
    body = "第一行。\n\n先说别的。这里引用 [[t5]] 作为例子！最后\n一句见 [T5](t5.md#方法)。\n"
    parsed = parse(body)
    wiki, markdown = parsed.links
    assert (wiki.kind, wiki.target, wiki.line, wiki.col) == ("wiki", "t5", 7, 11)
    assert wiki.context == "这里引用 t5 作为例子！"
    assert (markdown.kind, markdown.target, markdown.fragment, markdown.line, markdown.col) == (
        "markdown",
        "t5.md",
        "方法",
        8,
        10,
    )
    assert markdown.context == "最后 一句见 T5。"


def test_external_and_non_note_links_are_left_alone() -> None:
    parsed = parse("[site](https://example.org) [pdf](paper.pdf) [[t5]]\n")
    assert [link.target for link in parsed.links] == ["t5"]
    assert 'href="https://example.org"' in parsed.html


def test_callouts_of_mkdocs_vitepress_and_obsidian_become_one_kind_of_box() -> None:
    parsed = parse(
        '!!! note "注意"\n    MkDocs 的 **提示**。\n\n'
        "::: tip 小技巧\nVitePress 的提示。\n:::\n\n"
        "> [!warning] <小心>\n> Obsidian 的提示，[[x]] 链接照常。\n\n"
        "> [!NOTE]\n> GitHub 写法。\n\n"
        "::: details\n藏起来。\n:::\n\n"
        "> [!example]- 折叠\n> 内容\n\n"
        "> 普通引用\n"
    )
    html = parsed.html
    assert [link.target for link in parsed.links] == ["x"]
    assert '<div class="admonition note">\n<p class="admonition-title">注意</p>\n<p>MkDocs 的 <strong>提示' in html
    assert '<div class="admonition tip">\n<p class="admonition-title">小技巧</p>\n<p>VitePress 的提示。</p>' in html
    assert '<p class="admonition-title">&lt;小心&gt;</p>\n<p>Obsidian 的提示，' in html  # the title line is gone
    assert '<div class="admonition note">\n<p class="admonition-title">Note</p>\n<p>GitHub 写法。</p>\n</div>' in html
    assert '<details class="admonition details">\n<summary class="admonition-title">Details</summary>' in html
    assert '<details class="admonition example">\n<summary class="admonition-title">折叠</summary>' in html
    assert html.count("<details") == html.count("</details>") == 2
    assert "<blockquote>\n<p>普通引用</p>\n</blockquote>" in html and html.count("<blockquote>") == 1


def test_inline_hashtags_join_the_note_tags_as_in_obsidian() -> None:
    note = Note(
        source="notes/x.md",
        slug="x",
        title="X",
        body="读 #深度学习 和 #RLHF/ppo，不算 #1、C#、`#code`、[链接 #内](y.md)、[[y|#内]]。\n\n## 小结 #总结\n",
        body_line=5,
        tags=("rlhf/PPO",),
    )
    parsed = parse_note(note, create_parser())
    assert parsed.note.tags == ("rlhf/PPO", "深度学习", "总结")  # case and width fold onto the front matter's
    assert parsed.html.count('class="hashtag"') == 3 and ">#深度学习</a>" in parsed.html
    assert "不算 #1、C#、<code>#code</code>" in parsed.html
