"""The interface's words: a file per language in the theme, English where one lacks a key, a site's own over them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from llmnotes.cli import main
from llmnotes.config import builtin_theme
from llmnotes.engine.build import build
from llmnotes.i18n import interface_strings
from sites import run_cli, write_site
from test_incremental import OUTPUT, assert_equals_clean, let_the_clock_tick, make_site, page, read_tree

LANGUAGES = sorted(path.stem for path in (builtin_theme() / "i18n").glob("*.yaml"))

NOTES = {
    "notes/a.md": """
        ---
        title: Alpha
        tags: [x, y]
        ---
        ```python
        print(1)
        ```

        See [[b]].
        """,
    "notes/b.md": """
        ---
        title: Beta
        tags: [x, y]
        ---
        Beta.
        """,
}


def site(tmp_path: Path, language: str, strings: dict[str, str]) -> Path:
    config = {"pyproject.toml": f'[tool.llmnotes]\ntitle = "T"\nlanguage = "{language}"\n'}
    return write_site(tmp_path / "project", {**config, **NOTES, **strings})


def search_box(html: str) -> dict[str, str]:
    """The words of the header's search box: its data attributes for the script, placeholder and accessible names."""
    box = re.search(r'<div class="site-search"(.*?)</div>\s*<script', html, re.DOTALL)
    assert box, "the page has no search box"
    return dict(re.findall(r'(data-[\w-]+|placeholder|aria-label)="([^"]*)"', box.group(1)))


def test_every_language_file_has_the_keys_of_english_and_only_those() -> None:
    assert "en" in LANGUAGES and "zh" in LANGUAGES
    english = yaml.safe_load((builtin_theme() / "i18n/en.yaml").read_text(encoding="utf-8"))
    for language in LANGUAGES:
        table = yaml.safe_load((builtin_theme() / f"i18n/{language}.yaml").read_text(encoding="utf-8"))
        missing, extra = sorted(set(english) - set(table)), sorted(set(table) - set(english))
        assert (missing, extra) == ([], []), f"{language}.yaml lacks {missing} and has {extra}, which English lacks"
        assert all(isinstance(value, str) and value for value in table.values()), language
        # and each keeps the {placeholders} the English words fill in (interface_strings refuses otherwise)
        assert interface_strings(language) == table


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_search_box_speaks_the_sites_language(language: str, tmp_path: Path) -> None:
    root = site(tmp_path, language, {})
    build(root)
    box = search_box(page(root / OUTPUT, "notes/a.html"))
    words = interface_strings(language)
    assert box == {
        "data-no-results": words["search_no_results"],
        "data-count": words["search_count"],
        "data-count-one": words["search_count_one"],
        "data-more": words["search_more"],
        "data-error": words["search_error"],
        "placeholder": words["search_notes"],
        "aria-label": words["search_results"],
    }
    expected = {"en": "Search notes", "zh-CN": "搜索笔记"}[language]
    assert box["placeholder"] == expected
    assert f'<label class="visually-hidden" for="site-search-input">{expected}</label>' in page(
        root / OUTPUT, "notes/a.html"
    )


def test_a_language_without_words_of_its_own_is_shown_in_english(tmp_path: Path) -> None:
    root = site(tmp_path, "fr", {})
    build(root)
    html = page(root / OUTPUT, "notes/a.html")
    assert '<html lang="fr"' in html and ">Skip to content</a>" in html
    assert search_box(html)["placeholder"] == "Search notes" and "built with llmnotes" in html


def test_a_sites_own_words_override_the_themes_key_by_key(tmp_path: Path) -> None:
    strings = {
        "templates/i18n/zh.yaml": """
            # our own words
            search_notes: 找一篇笔记
            code_block_in: "{language} 程序"
            list_separator: " / "
            """,
        "templates/i18n/zh-CN.yaml": "search_results: 找到的笔记\n",  # the regional variant, over zh.yaml
    }
    root = site(tmp_path, "zh-CN", strings)
    build(root)
    html = page(root / OUTPUT, "notes/a.html")
    box = search_box(html)
    assert box["placeholder"] == "找一篇笔记" and box["aria-label"] == "找到的笔记"
    assert box["data-count"] == "{n} 条结果"  # a key the site does not give keeps the theme's Chinese
    assert ">跳到正文</a>" in html
    assert 'aria-label="python 程序"' in html  # the Markdown's words too: the code block's accessible name
    assert "共同标签: x / y" in html  # the related note shares two tags, joined by the site's separator
    assert "找一篇笔记" in page(root / OUTPUT, "index.html")
    assert_equals_clean(root, tmp_path)


def test_a_language_the_theme_lacks_takes_the_sites_file_over_english(tmp_path: Path) -> None:
    root = site(tmp_path, "de", {"templates/i18n/de.yml": "search_notes: Notizen durchsuchen\ntoc: Inhalt\n"})
    build(root)
    html = page(root / OUTPUT, "notes/a.html")
    assert search_box(html)["placeholder"] == "Notizen durchsuchen"
    assert ">Skip to content</a>" in html  # what the German file does not give is English


def test_a_site_may_add_words_for_its_own_templates(tmp_path: Path) -> None:
    footer = (builtin_theme() / "_site_footer.html").read_text(encoding="utf-8")  # the footer base.html shows
    assert footer.count("{{ t.built_with }}") == 1
    own = {
        "templates/_site_footer.html": footer.replace("{{ t.built_with }}", "{{ t.colophon }}"),
        "templates/i18n/en.yaml": "colophon: Notes kept by hand\n",
    }
    root = site(tmp_path, "en", {})
    for relative, text in own.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    build(root)
    assert '<div class="wrap">Notes kept by hand</div>' in page(root / OUTPUT, "index.html")


def test_editing_and_removing_the_sites_words_equals_a_clean_build(tmp_path: Path) -> None:
    root = make_site(tmp_path)  # the incremental suite's site: Chinese, with a code block in notes/gpt-2.md
    build(root)
    original = read_tree(root / OUTPUT)
    assert 'aria-label="python 代码"' in page(root / OUTPUT, "notes/gpt-2.html")
    words = root / "templates/i18n/zh.yaml"
    words.parent.mkdir(parents=True)
    words.write_text('search_notes: 搜一搜\ncode_block_in: "{language} 源码"\n', encoding="utf-8")
    build(root)
    assert 'placeholder="搜一搜"' in page(root / OUTPUT, "about.html")
    assert 'aria-label="python 源码"' in page(root / OUTPUT, "notes/gpt-2.html")  # not the cached parse's words
    assert_equals_clean(root, tmp_path)
    let_the_clock_tick()
    words.write_text('search_notes: 找笔记\ncode_block_in: "{language} 程序"\n', encoding="utf-8")
    build(root)
    assert 'placeholder="找笔记"' in page(root / OUTPUT, "about.html")
    assert 'aria-label="python 程序"' in page(root / OUTPUT, "notes/gpt-2.html")
    assert_equals_clean(root, tmp_path)
    shutil.rmtree(words.parent)
    build(root)
    assert read_tree(root / OUTPUT) == original


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('search_notes: "找笔记\n', "templates/i18n/zh.yaml:2:1: not valid YAML: found unexpected end of stream"),
        ("- 搜索\n- 结果\n", "templates/i18n/zh.yaml:1: expected one `key: text` line per string"),
        ("toc: 目录\nsearch_notes: [搜索]\n", "templates/i18n/zh.yaml:2: search_notes: expected text, got a list"),
        ("search_count: 共 {count} 条\n", "templates/i18n/zh.yaml:1: search_count: {count} is not a placeholder"),
        ('code_block_in: "{language 代码"\n', "templates/i18n/zh.yaml:1: code_block_in: a lone { or }"),
        ("1: 一\n", "templates/i18n/zh.yaml:1: a key must be a name such as search_notes, got 1"),
    ],
    ids=["yaml", "not a mapping", "not text", "unknown placeholder", "lone brace", "key not a name"],
)
def test_a_bad_words_file_stops_the_build_naming_its_line(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = site(tmp_path, "zh-CN", {})
    (root / "templates/i18n").mkdir(parents=True)
    (root / "templates/i18n/zh.yaml").write_text(text, encoding="utf-8")
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 1 and expected in err, err
    assert "Traceback" not in out + err and not (root / OUTPUT).exists()
    assert main(["check", "--root", str(root)]) == 1
    assert expected in capsys.readouterr().out


def test_two_files_for_one_language_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = site(tmp_path, "zh-CN", {"templates/i18n/zh.yaml": "toc: 目录\n", "templates/i18n/zh.yml": "toc: 目录\n"})
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1
    assert "templates/i18n/zh.yml: templates/i18n/zh.yaml and templates/i18n/zh.yml both give the strings of zh" in err

