"""A site made for MkDocs or docsify looks as its author meant: its home page, its section tree, its settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from llmnotes.engine.build import build
from sites import MATERIAL_SITE, broken_links, run_cli, write_site
from test_incremental import assert_equals_clean, edit


@pytest.fixture
def material(tmp_path: Path) -> Path:
    return write_site(tmp_path, MATERIAL_SITE)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def nav_tree(site: Path) -> list | None:
    script = text(site / "static/nav.js")
    assert script.startswith("window.llmnotesNav=") and script.endswith(";\n")
    return json.loads(script.removeprefix("window.llmnotesNav=").removesuffix(";\n"))


def fallback(page: str) -> str:
    """The section tree a page shows without scripts."""
    found = re.search(r'<nav class="site-tree" id="site-tree" aria-label="[^"]+">(.*?)</nav>', page, re.DOTALL)
    assert found, "the page has no section tree"
    return found.group(1)


def test_the_docs_folders_index_md_is_the_home_page(material: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(material, "--strict", capsys=capsys)
    assert code == 0, err
    site = material / "site"
    home = text(site / "index.html")
    assert "<h1>论文笔记</h1>" in home
    assert "欢迎来到<strong>论文笔记</strong>：按会议整理的阅读笔记。" in home
    assert '从 <a class="internal" href="notes/iclr2024.html">ICLR 2024</a> 开始' in home
    assert '<img src="notes/images/hero.svg" alt="封面"' in home  # its files, copied to notes/, from the site's root
    assert 'href="notes/files/%E4%BC%9A%E8%AE%AE.csv"' in home
    sections = re.findall(r'<ul class="section-list">(.*?)</ul>', home, re.DOTALL)[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="muted">\((\d+)\)</span>', sections) == [
        ("notes/iclr2024.html", "ICLR 2024 会议", "3"),  # notes at any depth, not counting section pages
        ("notes/neurips2023.html", "NeurIPS 2023", "1"),
    ]
    assert not (site / "notes/docs.html").exists()  # no section page of its own beside the home page
    note = text(site / "notes/视觉指令.html")
    assert '回到 <a class="internal" href="../index.html">首页</a>' in note
    assert broken_links(site) == []


def test_every_page_of_a_foldered_site_gets_the_section_tree(material: Path, capsys) -> None:
    run_cli(material, capsys=capsys)
    site = material / "site"
    tree = nav_tree(site)
    assert tree is not None
    assert [entry[:2] for entry in tree] == [
        ["ICLR 2024 会议", "notes/iclr2024.html"],  # nav titles name the sections
        ["NeurIPS 2023", "notes/neurips2023.html"],
    ]
    assert [entry[:2] for entry in tree[0][2]] == [
        ["多模态学习", "notes/多模态.html"],
        ["强化学习", "notes/强化学习.html"],
    ]
    assert tree[0][2][0][2] == [["图文对齐", "notes/图文对齐.html"], ["视觉指令微调", "notes/视觉指令.html"]]
    for page in site.rglob("*.html"):  # one shared file, loaded by a plain script tag (which file:// allows)
        depth = len(page.relative_to(site).parts) - 1
        assert f'<script src="{"../" * depth}static/nav.js"></script>' in text(page), page
    # without scripts, a note shows its ancestors, its folder's notes and itself marked
    nearby = fallback(text(site / "notes/视觉指令.html"))
    links = [(unquote(href), label) for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nearby)]
    assert links == [
        ("iclr2024.html", "ICLR 2024 会议"),
        ("多模态.html", "多模态学习"),
        ("图文对齐.html", "图文对齐"),
        ("视觉指令.html", "视觉指令微调"),
    ]
    assert '<a href="%E8%A7%86%E8%A7%89%E6%8C%87%E4%BB%A4.html" aria-current="page">' in nearby
    section = fallback(text(site / "notes/多模态.html"))  # a section page shows what it holds too
    assert "图文对齐" in section and "视觉指令微调" in section and "强化学习" in section


def test_a_site_without_folders_keeps_its_layout(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"notes/a.md": "# A\n\n正文。\n", "notes/b.md": "# B\n\n[[a]]\n"})
    run_cli(root, capsys=capsys)
    assert nav_tree(root / "site") is None
    assert 'class="site-tree"' not in text(root / "site/notes/a.html")


def test_a_large_folder_shows_only_the_notes_near_the_page_without_scripts(tmp_path: Path, capsys) -> None:
    files = {"notes/many/index.md": "# 很多\n"}
    files.update({f"notes/many/n{number:03}.md": f"# 第 {number} 篇\n" for number in range(80)})
    root = write_site(tmp_path, files)
    run_cli(root, capsys=capsys)
    nearby = fallback(text(root / "site/notes/n040.html"))
    shown = re.findall(r"第 (\d+) 篇", nearby)
    assert shown == [str(n) for n in range(28, 53)]  # twelve on either side
    assert '<span class="tree-more">…</span>' in nearby
    assert len(nav_tree(root / "site")[0][2]) == 80  # the shared tree has them all


def test_mkdocs_settings_are_the_defaults(material: Path, capsys) -> None:
    run_cli(material, capsys=capsys)
    site = material / "site"
    note = text(site / "notes/视觉指令.html")
    assert '<html lang="zh"' in note
    assert "<title>视觉指令微调 · 论文笔记站</title>" in note
    assert '<meta property="og:url" content="https://example.github.io/paper-notes/notes/' in note
    edit = re.search(r'<p class="edit-page"><a class="external" href="([^"]+)"', note)
    assert edit and unquote(edit.group(1)) == (
        "https://github.com/example/paper-notes/edit/main/docs/ICLR2024/多模态/视觉指令.md"
    )
    assert '<meta name="description" content="顶会论文的中文阅读笔记">' in text(site / "index.html")
    assert ">编辑此页<" in note


def test_pyproject_settings_win_over_mkdocs(material: Path, capsys) -> None:
    write_site(
        material,
        {
            "pyproject.toml": """
                [tool.llmnotes]
                title = "我自己的标题"
                language = "en"
                edit_url = "https://git.example.org/notes/-/edit/trunk/docs"
                """
        },
    )
    run_cli(material, capsys=capsys)
    note = text(material / "site/notes/dpo.html")
    assert "<title>直接偏好优化 · 我自己的标题</title>" in note and '<html lang="en"' in note
    assert 'href="https://git.example.org/notes/-/edit/trunk/docs/NeurIPS2023/%E5%AF%B9%E9%BD%90/dpo.md"' in note


def test_no_repository_no_edit_link(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"notes/a.md": "# A\n"})
    run_cli(root, capsys=capsys)
    assert "edit-page" not in text(root / "site/notes/a.html")


def test_a_broken_mkdocs_yml_is_named_with_its_line(material: Path, capsys) -> None:
    (material / "mkdocs.yml").write_text("site_name: 站\nnav:\n  - [a\n", encoding="utf-8")
    code, _, err = run_cli(material, capsys=capsys)
    assert code == 1
    assert "mkdocs.yml:4: not valid YAML" in err and "Traceback" not in err


def test_docsify_name_and_repository_are_read_when_plain(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "docs/index.html": """
                <script>
                  window.$docsify = {
                    loadSidebar: true,
                    plugins: [function (hook) { hook.init(function () { var name = 'not this'; }); }],
                    name: '读书笔记',
                    repo: 'someone/reading-notes',
                  }
                </script>
                """,
            "pyproject.toml": '[tool.llmnotes]\nnotes_dir = "docs"\n',
            "docs/.nojekyll": "",
            "docs/_sidebar.md": "- [A](a.md)\n",
            "docs/README.md": "# 首页\n\n欢迎。\n",
            "docs/a.md": "# A\n\n正文。\n",
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    note = text(root / "site/notes/a.html")
    assert "<title>A · 读书笔记</title>" in note
    assert 'href="https://github.com/someone/reading-notes/edit/main/docs/a.md"' in note


def test_a_large_site_home_page_shows_recent_notes_and_a_page_per_year(tmp_path: Path, capsys) -> None:
    notes = {
        f"notes/p{number:03}.md": (
            f"---\nyear: {2020 + number % 3}\ndate: 2024-01-{1 + number % 28:02}\n---\n# 论文 {number}\n"
        )
        for number in range(120)
    }
    root = write_site(tmp_path, notes)
    run_cli(root, capsys=capsys)
    site = root / "site"
    home = text(site / "index.html")
    assert home.count('<li class="note-item">') == 30  # not all 120
    assert re.findall(r'<a href="(years/\d+\.html)">(\d+)</a> <span class="muted">\((\d+)\)</span>', home) == [
        ("years/2022.html", "2022", "40"),
        ("years/2021.html", "2021", "40"),
        ("years/2020.html", "2020", "40"),
    ]
    recent = re.findall(r'<a class="note-link" href="notes/p(\d+)\.html">', home)
    assert recent[:4] == ["083", "055", "111", "027"]  # written 2024-01-28, then as the site orders them
    listed = set()
    for year in (2020, 2021, 2022):
        listed |= set(re.findall(r'href="../notes/(p\d+)\.html"', text(site / f"years/{year}.html")))
    assert listed == {f"p{number:03}" for number in range(120)}  # every note is on its year's page
    assert broken_links(site) == []


@pytest.mark.parametrize(
    ("change", "shows"),
    [
        (  # the home page's own body
            lambda root: edit(root, "docs/index.md", "按会议整理的阅读笔记", "按会议和方向整理的笔记"),
            ("index.html", "按会议和方向整理的笔记"),
        ),
        (  # the home page's title, which the top notes' "↑" links show
            lambda root: edit(root, "docs/index.md", "# 论文笔记", "# 读论文"),
            ("index.html", "<h1>读论文</h1>"),
        ),
        (
            lambda root: write_site(root, {"docs/NeurIPS2023/对齐/rlhf.md": "# 人类反馈强化学习\n"}),
            ("notes/dpo.html", '<li><a href="rlhf.html">人类反馈强化学习</a>'),
        ),
        (
            lambda root: edit(root, "mkdocs.yml", "多模态学习:", "视觉与语言:"),
            ("notes/图文对齐.html", "↑ 视觉与语言"),
        ),
    ],
)
def test_an_imported_site_rebuilds_as_a_clean_build_would(material: Path, tmp_path_factory, change, shows) -> None:
    build(material)
    change(material)
    build(material)
    output, text_shown = shows
    assert text_shown in unquote(text(material / "site" / output))
    assert_equals_clean(material, tmp_path_factory.mktemp("clean"))


def test_a_github_repository_in_pyproject_gives_the_edit_link(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "pyproject.toml": '[tool.llmnotes]\nrepo_url = "https://github.com/me/notes"\n',
            "notes/topic/a.md": "# A\n",
        },
    )
    run_cli(root, capsys=capsys)
    assert 'href="https://github.com/me/notes/edit/main/notes/topic/a.md"' in text(root / "site/notes/a.html")


def test_a_repository_that_is_not_a_url_is_refused(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {"pyproject.toml": '[tool.llmnotes]\nrepo_url = "me/notes"\n', "notes/a.md": "# A\n"})
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1
    assert "pyproject.toml: [tool.llmnotes] repo_url: expected an absolute http(s) URL, got 'me/notes'" in err
