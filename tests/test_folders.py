"""Folders made for Obsidian, MkDocs or VitePress build as they are: sections, plain notes, copied files, links."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from sites import broken_links, page_facts, run_cli, write_site

# A 1×1 PNG: copied files must arrive byte for byte.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101007c8a5b6b0000000049454e44ae426082"
)

# An MkDocs project (mkdocs.yml beside docs/) that was also opened as an Obsidian vault, with VitePress-style links.
DOCS = {
    "pyproject.toml": '[tool.llmnotes]\ntitle = "文档"\nnotes_dir = "docs"\nlanguage = "zh"\n',
    "mkdocs.yml": "site_name: 文档\n",
    "docs/.obsidian/workspace.json": "{}\n",
    "docs/index.md": "# 欢迎\n\n这是文档的首页。先看 [安装](getting-started/install.md)。\n",
    "docs/getting-started/index.md": "# 入门\n\n从这里开始。\n",
    "docs/getting-started/install.md": """
        # 安装指南

        ![架构图](../images/架构.png)

        下载 [示例数据](files/data%20set.csv)，再读 [配置](../reference/config.md#选项)。
        """,
    "docs/getting-started/intro.md": "# 入门简介\n\n下一步：[安装](./install)。\n",
    "docs/getting-started/files/data set.csv": "a,b\n1,2\n",
    "docs/reference/README.md": "# 参考\n\n所有选项见 [配置](config)。\n",
    "docs/reference/config.md": "# 配置\n\n## 选项\n\n回到 [入门](../getting-started/)。\n",
    "docs/reference/提示.md": """
        # 提示框

        !!! note "MkDocs"
            缩进的正文。

        ::: warning VitePress
        小心。
        :::

        > [!danger] Obsidian
        > 危险。

        > [!example]- 折叠
        > 例子。
        """,
    "docs/reference/intro.md": "---\ntags: [参考]\n---\n# 参考简介\n\n同名文件在两个文件夹里。\n",
    "docs/笔记/注意力机制.md": """
        # 注意力机制

        ## 多头注意力

        见 [[配置]]、[[getting-started/intro]] 和 [安装](/getting-started/install)。 #机器学习/注意力
        """,
    "docs/笔记/脚本.md": "```bash\n# 装依赖（代码里的注释，不是标题）\npip install x\n```\n\n# 脚本说明\n\n正文。\n",
    "docs/笔记/随手记.md": """
        没有标题，也没有 front matter 的一段话。链接回 [[注意力机制#多头注意力]]。

        ![[架构.png]] ![[架构.png|120]] ![[images/架构.png|示意图]]

        数据：[[getting-started/files/data set.csv|表格]]，笔记嵌入：![[配置]]。
        """,
}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = write_site(tmp_path, DOCS)
    (root / "docs/images").mkdir()
    (root / "docs/images/架构.png").write_bytes(PNG)
    return root


def heading(page: Path) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page.read_text(encoding="utf-8"))
    assert match, page
    return match.group(1)


def test_a_docs_folder_builds_with_every_link_working(docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(docs, "--strict", capsys=capsys)
    assert code == 0, err
    assert "(0 warnings)" in out
    site = docs / "site"
    assert broken_links(site) == []
    assert (site / "notes/images/架构.png").read_bytes() == PNG
    assert (site / "notes/getting-started/files/data set.csv").read_text() == "a,b\n1,2\n"
    assert not any(".obsidian" in p.as_posix() for p in site.rglob("*"))
    assert heading(site / "notes/随手记.html") == "随手记"  # no heading either: the file name
    assert heading(site / "notes/注意力机制.html") == "注意力机制"
    assert heading(site / "notes/脚本.html") == "脚本说明"  # the first heading outside code
    tag_page = (site / "tags/机器学习-注意力.html").read_text(encoding="utf-8")  # Obsidian's inline #tag
    assert 'href="../notes/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6.html"' in tag_page
    for page in ("install.html", "注意力机制.html"):  # the leading heading that gave the title is not repeated
        assert (site / "notes" / page).read_text(encoding="utf-8").count("<h1") == 1, page


def test_index_and_readme_are_section_pages_that_list_their_folder(docs: Path, capsys) -> None:
    run_cli(docs, capsys=capsys)
    site = docs / "site/notes"
    section = (site / "getting-started.html").read_text(encoding="utf-8")
    assert heading(site / "getting-started.html") == "入门"
    listed = re.findall(r'<section class="section-contents".*?</section>', section, re.DOTALL)[0]
    assert re.findall(r'<a href="([^"]+)">', listed) == ["install.html", "getting-started-intro.html"]
    install = (site / "install.html").read_text(encoding="utf-8")
    assert '<a rel="up" href="getting-started.html">↑ 入门</a>' in install
    assert not (site / "docs.html").exists()  # docs/index.md is the home page, not a section page
    home = (docs / "site/index.html").read_text(encoding="utf-8")
    assert "<h1>欢迎</h1>" in home and "这是文档的首页。" in home
    assert '先看 <a class="internal" href="notes/install.html">安装</a>' in home
    top_list = re.findall(r'<ul class="section-list">.*?</ul>', home, re.DOTALL)[0]
    assert re.findall(r'<a href="([^"]+)">', top_list) == ["notes/getting-started.html", "notes/reference.html"]
    assert '<a rel="up" href="../index.html">↑ 欢迎</a>' in (site / "注意力机制.html").read_text(encoding="utf-8")
    # 笔记/ has no index.md, so its notes belong to the section above: the home page


def test_section_pages_are_not_papers_on_the_timeline_or_the_lineage_map(docs: Path, capsys) -> None:
    """A folder's index.md lists the folder: the timeline ("every paper by date") and the lineage map leave it out,
    where it stood as an undated paper named after its folder; the timeline keeps every note, and the lineage, as
    none of these notes builds on another, says how to begin one."""
    run_cli(docs, capsys=capsys)
    site = docs / "site"
    for page in ("timeline.html", "lineage.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "notes/getting-started.html" not in html and "notes/reference.html" not in html, page
    timeline = (site / "timeline.html").read_text(encoding="utf-8")
    assert "notes/install.html" in timeline and "notes/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6.html" in timeline
    lineage = (site / "lineage.html").read_text(encoding="utf-8").split('<main id="main"')[1]
    assert "builds_on" in lineage and "notes/install.html" not in lineage and "<svg" not in lineage


@pytest.mark.parametrize("year_pages", [False, True])
def test_the_home_page_year_pages_and_feed_list_notes_not_folders(
    docs: Path, year_pages: bool, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The lists of notes by year (the home page's, and on a large site a page per year) and the feed leave the
    folders' own pages out, as the timeline does: a site made of folders showed each folder's index.md as an
    undated note named after the folder, once per folder of that name."""
    from llmnotes.emit import home

    if year_pages:
        monkeypatch.setattr(home, "LIST_ALL_UP_TO", 2)  # a large site: recent notes, and a page per year
    run_cli(docs, capsys=capsys)
    site = docs / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    by_year = index[index.index('id="by-year"') :]
    shown = [site / "atom.xml"] + ([site / "years/undated.html"] if year_pages else [])
    for page in shown:
        html = page.read_text(encoding="utf-8")
        assert "notes/getting-started.html" not in html and "notes/reference.html" not in html, page
        assert "notes/install.html" in html, page
    if not year_pages:
        assert "notes/getting-started.html" not in by_year and "notes/install.html" in by_year
    notes = [p for p in (docs / "docs").rglob("*.md") if p.name.lower() not in ("index.md", "readme.md")]
    assert f"({len(notes)} " in by_year  # the count is of notes too
    assert 'href="notes/getting-started.html"' in index  # the folders stay in the list by section


def test_the_pager_steps_from_note_to_note_past_the_folders_pages(docs: Path, capsys) -> None:
    """A note's previous and next are the notes before and after it as the lists of papers show them: a folder's
    own page (index.md, README.md) is no step of the pager, and has none itself. A site made of folders sent a
    reader from its oldest note to a folder's page named after the folder, and from folder page to folder page."""
    run_cli(docs, capsys=capsys)
    notes = docs / "site" / "notes"
    sections = {"getting-started.html", "reference.html"}
    steps = {}
    for page in notes.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        found = {rel: [unquote(h) for h in re.findall(f'rel="{rel}" href="([^"]+)"', html)] for rel in ("prev", "next")}
        if page.name in sections:
            assert found == {"prev": [], "next": []}, page.name
            continue
        steps[page.name] = (found["prev"][0] if found["prev"] else None, found["next"][0] if found["next"] else None)
    assert not sections & {step for pair in steps.values() for step in pair}
    first = [name for name, (previous, _) in steps.items() if previous is None]
    walked = first[:]
    while (following := steps[walked[-1]][1]) is not None:
        assert steps[following][0] == walked[-1]  # and back again
        walked.append(following)
    assert len(first) == 1 and sorted(walked) == sorted(steps)  # one chain through every note


def test_links_and_images_land_where_the_files_were_copied(docs: Path, capsys) -> None:
    run_cli(docs, capsys=capsys)
    site = docs / "site/notes"
    install = page_facts(site / "install.html").urls
    assert "images/%E6%9E%B6%E6%9E%84.png" in install
    assert "getting-started/files/data%20set.csv" in install
    assert "config.html#选项" in [unquote(url) for url in install]
    intro = page_facts(site / "getting-started-intro.html").urls
    assert "install.html" in intro  # ./install, as VitePress writes it
    assert "getting-started.html" in page_facts(site / "config.html").urls  # ../getting-started/
    attention = page_facts(site / "注意力机制.html").urls
    assert {"config.html", "getting-started-intro.html", "install.html"} <= set(attention)
    assert "注意力机制.html#多头注意力" in [unquote(url) for url in page_facts(site / "随手记.html").urls]


def test_plain_notes_are_not_cited(docs: Path, capsys) -> None:
    run_cli(docs, capsys=capsys)
    page = (docs / "site/notes/install.html").read_text(encoding="utf-8")
    assert 'class="cite"' not in page and "lineage-panel" not in page and "citation_title" not in page
    assert not (docs / "site/notes/install.bib").exists()
    assert '<h3 class="year-heading" id="year-undated">年份不详</h3>' in (docs / "site/index.html").read_text("utf-8")
    assert "安装指南" not in (docs / "site/references.bib").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"docs/x.md": "# X\n\n![图](images/missing.png)\n"},
            "docs/x.md:3: broken link: no file images/missing.png in the notes folder"
            ' (did you mean "images/架构.png"?)',
        ),
        (
            {"docs/x.md": "# X\n\n正文。\n\n[外面](../mkdocs.yml)\n"},
            "docs/x.md:5: ../mkdocs.yml is outside the notes folder",
        ),
        (
            {"docs/x.md": "# X\n\n见 [[intro]]。\n"},
            "notes in 2 folders have this name: docs/getting-started/intro.md, docs/reference/intro.md",
        ),
        ({"docs/x.md": "# X\n\n正文。\n\n![[没有.png]]\n"}, "docs/x.md:5: embed ![[没有.png]]: no such file"),
        (
            {"docs/x.md": "# X\n\n![[data set.csv]]\n", "docs/reference/data set.csv": "x\n"},
            "embed ![[data set.csv]]: 2 files are named data set.csv: getting-started/files/data set.csv,"
            " reference/data set.csv (write the folder too",
        ),
        ({"docs/install.html": "<p>mine</p>\n"}, "docs/install.html: this file would take the place of"),
    ],
    ids=["missing image", "file outside", "ambiguous name", "missing embed", "ambiguous embed", "file's place"],
)
def test_a_wrong_file_link_names_file_and_line(docs: Path, capsys, extra: dict[str, str], expected: str) -> None:
    code, _, err = run_cli(write_site(docs, extra), capsys=capsys)
    assert code == 1 and expected in err
    assert not (docs / "site").exists()


def test_a_second_note_of_the_same_name_moves_only_the_nested_one(docs: Path, capsys) -> None:
    write_site(docs, {"docs/install.md": "# 顶层安装\n"})
    assert run_cli(docs, capsys=capsys)[0] == 0
    site = docs / "site/notes"
    assert heading(site / "install.html") == "顶层安装"
    assert heading(site / "getting-started-install.html") == "安装指南"
    assert broken_links(docs / "site") == []


def test_obsidian_embeds_show_files_found_by_name_or_path(docs: Path, capsys) -> None:
    assert run_cli(docs, capsys=capsys)[0] == 0
    page = (docs / "site/notes/随手记.html").read_text(encoding="utf-8")
    image = "images/%E6%9E%B6%E6%9E%84.png"
    assert f'<img src="{image}" alt="架构.png">' in page  # by file name, wherever it is
    assert f'<img src="{image}" alt="架构.png" width="120">' in page  # |120 is a width, as in Obsidian
    assert f'<img src="{image}" alt="示意图">' in page  # by its path from the top of the notes folder
    assert '<a href="getting-started/files/data%20set.csv">表格</a>' in page  # [[file]] links to it
    assert '<a class="internal" href="config.html">配置</a>' in page  # ![[note]] links to the note


def test_an_obsidian_vault_builds_where_it_is(tmp_path: Path, capsys) -> None:
    vault = write_site(
        tmp_path / "vault",
        {
            ".obsidian/app.json": "{}\n",
            "pyproject.toml": '[tool.llmnotes]\ntitle = "我的库"\n',
            "欢迎.md": "# 欢迎\n\n先看 [[想法/第一个想法]]。\n\n![[Pasted image 1.png]] #收件箱\n",
            "想法/第一个想法.md": "只有正文。\n",
        },
    )
    (vault / "Pasted image 1.png").write_bytes(PNG)
    code, out, err = run_cli(vault, capsys=capsys)  # no notes/ folder: the vault is the notes folder
    assert code == 0 and out.startswith("built 2 notes"), err
    site = vault / "site"
    assert (site / "notes/Pasted image 1.png").read_bytes() == PNG
    assert not (site / "notes/pyproject.toml").exists() and not (site / "notes/.obsidian").exists()
    assert heading(site / "notes/第一个想法.html") == "第一个想法"
    assert broken_links(site) == []
    write_site(vault, {"想法/第二个.md": "又一个。\n"})
    code, out, err = run_cli(vault, capsys=capsys)  # the site inside the vault is not read as notes
    assert code == 0 and out.startswith("built 3 notes"), err
    assert not (site / "notes/site").exists()


@pytest.mark.parametrize(
    ("files", "page"),
    [
        (
            {
                "mkdocs.yml": "site_name: X\ndocs_dir: 'content'\ntheme:\n  icon: !!python/name:x.y\n",
                "content/a.md": "# A\n",
            },
            "notes/a.html",
        ),
        ({"docs/.vitepress/config.mts": "export default {}\n", "docs/guide/a.md": "# A\n"}, "notes/a.html"),
    ],
    ids=["mkdocs docs_dir", "vitepress docs"],
)
def test_mkdocs_and_vitepress_projects_build_from_their_docs_folder(
    tmp_path: Path, capsys, files: dict[str, str], page: str
) -> None:
    root = write_site(tmp_path, files)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 0 and out.startswith("built 1 note into"), err
    assert heading(root / "site" / page) == "A"


@pytest.mark.parametrize(
    ("files", "built", "page"),
    [
        (
            {
                "README.md": "# 论文笔记\n\n见 [第一篇](cv/first.md)。\n",
                "cv/first.md": "# 第一篇\n\n正文。\n",
                "nlp/deep/second.md": "# 第二篇\n",
            },
            2,
            "notes/first.html",
        ),
        (
            {
                "README.md": "# 笔记\n",
                "_sidebar.md": "- [第一篇](first.md)\n",
                ".nojekyll": "",
                "index.html": "<script>window.$docsify = {}</script><script src='docsify.min.js'></script>\n",
                "first.md": "# 第一篇\n",
            },
            1,
            "notes/first.html",
        ),
        (
            {
                "docs/README.md": "# 笔记\n",
                "docs/_sidebar.md": "- [第一篇](guide/first.md)\n",
                "docs/guide/first.md": "# 第一篇\n",
                "package.json": "{}\n",
            },
            1,
            "notes/first.html",
        ),
        ({"code.py": "print()\n", "docs/a/first.md": "# 第一篇\n"}, 1, "notes/first.html"),
    ],
    ids=["plain GitHub repository", "docsify at the top", "docsify in docs/", "notes only in docs/"],
)
def test_a_folder_of_markdown_without_notes_dir_is_read_as_notes(
    tmp_path: Path, capsys, files: dict[str, str], built: int, page: str
) -> None:
    root = write_site(tmp_path / "repo", files)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 0 and out.startswith(f"built {built} note"), err  # the folder's README is the home page
    assert heading(root / "site" / page) == "第一篇"
    if any(name.endswith("README.md") for name in files):
        assert "笔记" in heading(root / "site/index.html")
    assert not list((root / "site").rglob("_sidebar*")), "docsify's sidebar is navigation, not a note"


@pytest.mark.parametrize(
    "files",
    [{"pyproject.toml": '[tool.llmnotes]\ntitle = "X"\n', "code.py": "print()\n"}, {"notes/image.png": "png"}],
    ids=["nothing at all", "a notes folder without Markdown"],
)
def test_a_build_that_finds_no_notes_fails_and_says_where_it_looked(
    tmp_path: Path, capsys, files: dict[str, str]
) -> None:
    root = write_site(tmp_path / "project", files)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 1 and out == ""
    assert "no notes: found no Markdown (.md) files in" in err and str(root) in err
    assert "--root" in err and "notes_dir" in err
    assert not (root / "site").exists(), "no empty site is written"
