"""End to end: build fixture sites through the CLI and inspect the written files."""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from xml.etree import ElementTree

import pytest

from llmnotes.engine.build import build
from sites import broken_links, page_facts, run_cli, write_site

FIXTURE = {
    "pyproject.toml": """
        [tool.llmnotes]
        title = "测试笔记"
        language = "zh-CN"
        """,
    "notes/gpt-3.md": """
        ---
        title: "Language Models are Few-Shot Learners"
        short_title: GPT-3
        authors: [Tom B. Brown, Benjamin Mann]
        year: 2020
        venue: NeurIPS 2020
        arxiv: "2005.14165"
        tags: [预训练, RLHF]
        aliases: [GPT3]
        summary: 把模型放大到 175B，用上下文学习代替微调。
        ---
        ## 方法

        GPT-3 沿用 [[gpt-2]] 的结构。

        ```python
        print("hi")
        ```
        """,
    "notes/older/gpt-2.md": """
        ---
        title: "Language Models are Unsupervised Multitask Learners"
        short_title: GPT-2
        year: 2019
        tags: [预训练, rlhf]
        ---
        ## 方法

        后来的 [GPT-3](../gpt-3.md#方法) 把它放大。也见 [[instructgpt#方法|InstructGPT 的方法]]。
        """,
    "notes/instructgpt.md": """
        ---
        title: "Training language models to follow instructions with human feedback"
        short_title: InstructGPT
        year: 2022
        tags: [RLHF, 对齐, C++, C#]
        builds_on: [gpt-3]
        ---
        ## 方法

        基础模型是 [[GPT3]]，三步 RLHF。
        """,
    "notes/draft.md": """
        ---
        title: 草稿
        draft: true
        ---
        还没写完。
        """,
}


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return write_site(tmp_path / "proj", FIXTURE)


def test_build_writes_every_page_kind(site_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(site_root, capsys=capsys)
    assert (code, err) == (0, "")
    assert out.startswith("built 3 notes into ") and "(0 warnings)" in out
    site = site_root / "site"
    for path in (
        "index.html",
        "notes/gpt-3.html",
        "notes/gpt-2.html",
        "notes/instructgpt.html",
        "tags/index.html",
        "tags/预训练.html",
        "tags/rlhf.html",
        "404.html",
        "atom.xml",
        "static/style.css",
        "static/pygments.css",
    ):
        assert (site / path).is_file(), path
    assert not (site / "notes/draft.html").exists()
    assert not (site / "sitemap.xml").exists()  # no base URL: the next line says so
    assert "no sitemap.xml: a sitemap needs absolute URLs" in out


def test_every_href_and_src_points_at_an_existing_file_and_id(site_root: Path, capsys) -> None:
    assert run_cli(site_root, capsys=capsys)[0] == 0
    assert broken_links(site_root / "site") == []


def test_note_page_shows_facts_body_backlinks_and_neighbours(site_root: Path, capsys) -> None:
    run_cli(site_root, capsys=capsys)
    html = (site_root / "site/notes/gpt-3.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN" data-root="../" data-page="notes/gpt-3.html">' in html
    assert "Tom B. Brown, Benjamin Mann" in html and "NeurIPS 2020" in html
    assert 'href="https://arxiv.org/abs/2005.14165"' in html
    assert '<a class="internal" href="gpt-2.html">GPT-2</a>' in html
    assert 'class="highlight"' in html
    backlinks = html.split('id="__backlinks"')[1]
    assert "基础模型是 GPT3，三步 RLHF。" in backlinks and "后来的 GPT-3 把它放大。" in backlinks
    assert 'rel="prev" href="gpt-2.html"' in html and 'rel="next" href="instructgpt.html"' in html


def test_home_groups_notes_by_year_newest_first(site_root: Path, capsys) -> None:
    run_cli(site_root, capsys=capsys)
    html = (site_root / "site/index.html").read_text(encoding="utf-8")
    years = [html.index(f'id="year-{y}"') for y in (2022, 2020, 2019)]
    assert years == sorted(years)
    assert "把模型放大到 175B，用上下文学习代替微调。" in html


def test_tags_merge_case_and_never_share_urls(site_root: Path, capsys) -> None:
    run_cli(site_root, capsys=capsys)
    tags = site_root / "site/tags"
    index = (tags / "index.html").read_text(encoding="utf-8")
    assert 'href="rlhf.html">RLHF <span class="count">3</span>' in index
    assert "rlhf" not in index.replace('href="rlhf.html"', "")
    pages = sorted(p.name for p in tags.iterdir())
    cpp = [name for name in pages if name.startswith("c-")]
    assert len(cpp) == 2 and cpp[0] != cpp[1]
    assert all(name == name.lower() for name in pages)


def test_two_builds_are_byte_identical(site_root: Path, tmp_path: Path, capsys) -> None:
    run_cli(site_root, "--out", str(tmp_path / "one"), capsys=capsys)
    run_cli(site_root, "--out", str(tmp_path / "two"), capsys=capsys)
    comparison = filecmp.dircmp(tmp_path / "one", tmp_path / "two")
    files = [p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file()]
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "one", tmp_path / "two", files, shallow=False)
    assert (comparison.left_only, comparison.right_only, mismatch, errors) == ([], [], [], [])


def test_broken_link_fails_naming_file_line_col_and_keeps_the_old_site(site_root: Path, capsys) -> None:
    assert run_cli(site_root, capsys=capsys)[0] == 0
    before = (site_root / "site/index.html").read_bytes()
    note = site_root / "notes/instructgpt.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n见 [[gpt-4]] 与 [[gpt3#实验]]。\n", encoding="utf-8")
    code, out, err = run_cli(site_root, capsys=capsys)
    assert code == 1 and out == ""
    assert "notes/instructgpt.md:12:3: broken link [[gpt-4]]: no note has this slug, title or alias" in err
    assert 'notes/instructgpt.md:12:15: broken link [[gpt3#实验]]: notes/gpt-3.md has no heading "实验"' in err
    assert "build failed with 2 errors" in err and "Traceback" not in err
    assert (site_root / "site/index.html").read_bytes() == before


def test_no_strict_renders_broken_links_as_unresolved_text(site_root: Path, capsys) -> None:
    note = site_root / "notes/instructgpt.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n见 [[gpt-4]]。\n", encoding="utf-8")
    code, out, err = run_cli(site_root, "--no-strict", capsys=capsys)
    assert code == 0 and "(1 warnings)" in out
    assert "notes/instructgpt.md:12:3: warning: broken link [[gpt-4]]" in err
    html = (site_root / "site/notes/instructgpt.html").read_text(encoding="utf-8")
    assert '<span class="unresolved" title="[[gpt-4]]: not found">[[gpt-4]]</span>' in html


def test_front_matter_error_is_reported_without_traceback(site_root: Path) -> None:
    (site_root / "notes/t5.md").write_text("---\ntitle: T5\nauthors: [A]\nyear: twenty\n---\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "llmnotes", "build", "--root", str(site_root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert 'notes/t5.md:4: year: expected a whole number, got "twenty"' in result.stderr
    assert "Traceback" not in result.stderr


def test_drafts_flag_includes_drafts(site_root: Path, capsys) -> None:
    code, out, _ = run_cli(site_root, "--drafts", capsys=capsys)
    assert code == 0 and out.startswith("built 4 notes")
    assert (site_root / "site/notes/draft.html").is_file()


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


@pytest.mark.parametrize("out", ["notes", ".", "..", "templates", "notes/site"])
def test_out_refuses_the_project_and_its_sources(site_root: Path, tmp_path: Path, out: str, capsys) -> None:
    (site_root / "templates").mkdir()
    before = tree(tmp_path)
    code, _, err = run_cli(site_root, "--out", str(site_root / out), "--force", capsys=capsys)  # even when forced
    assert code == 2 and "refusing to build into" in err
    assert tree(tmp_path) == before  # not a file deleted, changed or added, not even the build cache


@pytest.mark.parametrize(
    ("repository", "out"),
    [("proj", "proj"), (".", "."), ("mine", "mine")],
    ids=["the project is a git repo", "the project is inside a git repo", "another git repo"],
)
def test_out_refuses_the_root_of_a_git_work_tree(
    site_root: Path, tmp_path: Path, repository: str, out: str, capsys
) -> None:
    (tmp_path / repository).mkdir(exist_ok=True)
    subprocess.run(["git", "init", "-q", str(tmp_path / repository)], check=True)
    (tmp_path / repository / "README.md").write_text("someone's work\n")
    before = tree(tmp_path)
    code, _, err = run_cli(site_root, "--out", str(tmp_path / out), "--force", capsys=capsys)
    assert code == 2 and f"refusing to build into {(tmp_path / out).resolve()}: it" in err, err
    assert tree(tmp_path) == before


def test_out_refuses_a_folder_of_other_files_unless_forced(site_root: Path, capsys) -> None:
    other = site_root / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert run_cli(site_root, "--out", str(other), capsys=capsys)[0] == 2
    assert (other / "keep.txt").read_text() == "mine"
    (site_root / "notes/extra.md").write_text("---\ntitle: Extra\n---\nA passing note.\n")
    assert run_cli(site_root, "--out", str(other), "--force", capsys=capsys)[0] == 0
    assert (other / "keep.txt").read_text() == "mine" and (other / "notes/extra.html").is_file()
    (site_root / "notes/extra.md").unlink()  # the next build removes the page it made, and only that
    assert run_cli(site_root, "--out", str(other), capsys=capsys)[0] == 0
    assert not (other / "notes/extra.html").exists() and (other / "keep.txt").read_text() == "mine"


def test_feed_and_sitemap_use_absolute_urls_only_with_base_url(site_root: Path, capsys) -> None:
    run_cli(site_root, capsys=capsys)
    assert not (site_root / "site/sitemap.xml").exists()
    (site_root / "pyproject.toml").write_text('[tool.llmnotes]\nbase_url = "https://me.github.io/notes"\n')
    out = run_cli(site_root, capsys=capsys)[1]
    assert "no sitemap.xml" not in out
    sitemap = (site_root / "site/sitemap.xml").read_text(encoding="utf-8")
    feed = (site_root / "site/atom.xml").read_text(encoding="utf-8")
    assert "<loc>https://me.github.io/notes/tags/%E9%A2%84%E8%AE%AD%E7%BB%83.html</loc>" in sitemap
    assert "404.html" not in sitemap
    assert '<link rel="alternate" type="text/html" href="https://me.github.io/notes/notes/gpt-3.html"/>' in feed
    assert 'href="https://me.github.io/notes/index.html"' in (site_root / "site/404.html").read_text(encoding="utf-8")
    (site_root / "pyproject.toml").write_text("")
    run_cli(site_root, capsys=capsys)
    assert not (site_root / "site/sitemap.xml").exists()  # without the base URL again, the old sitemap goes


ABSOLUTE = re.compile(r'(?:href|content|src)="(https?://[^"]*)"|<(?:id|loc)>(https?://[^<]*)<')


def absolute_urls(site: Path) -> set[str]:
    """Every absolute URL in the site's own pages, feed and sitemap (not the links notes make to papers)."""
    found = set()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml"):
            for match in ABSOLUTE.finditer(path.read_text(encoding="utf-8")):
                found.add(match.group(1) or match.group(2))
    return {url for url in found if "arxiv.org" not in url}


def test_base_url_on_the_command_line_reaches_every_absolute_url(site_root: Path, capsys) -> None:
    (site_root / "pyproject.toml").write_text('[tool.llmnotes]\nbase_url = "https://old.example.org/"\n')
    code, out, _ = run_cli(site_root, "--base-url", "https://me.github.io/notes", capsys=capsys)
    assert code == 0 and "no sitemap.xml" not in out
    site = site_root / "site"
    urls = absolute_urls(site)
    assert urls and all(url.startswith("https://me.github.io/notes/") for url in urls), sorted(urls)
    page = (site / "notes/gpt-3.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://me.github.io/notes/notes/gpt-3.html">' in page
    assert '<meta property="og:url" content="https://me.github.io/notes/notes/gpt-3.html">' in page
    feed = (site / "atom.xml").read_text(encoding="utf-8")
    assert "<id>https://me.github.io/notes/</id>" in feed and 'href="https://me.github.io/notes/atom.xml"' in feed
    assert "<loc>https://me.github.io/notes/notes/gpt-3.html</loc>" in (site / "sitemap.xml").read_text("utf-8")
    assert 'href="https://me.github.io/notes/index.html"' in (site / "404.html").read_text(encoding="utf-8")
    code, _, err = run_cli(site_root, "--base-url", "me.github.io/notes", capsys=capsys)
    assert code == 2 and "--base-url: expected an absolute http(s) URL" in err


def feed_ids(site: Path) -> list[str]:
    return re.findall(r"<id>([^<]*)</id>", (site / "atom.xml").read_text(encoding="utf-8"))


def test_without_a_base_url_two_sites_feed_ids_never_collide(tmp_path: Path, capsys) -> None:
    one = write_site(tmp_path / "one", FIXTURE)
    other = write_site(tmp_path / "other", {**FIXTURE, "pyproject.toml": '[tool.llmnotes]\ntitle = "别人的笔记"\n'})
    for root in (one, other):
        assert run_cli(root, capsys=capsys)[0] == 0
    ids, other_ids = feed_ids(one / "site"), feed_ids(other / "site")
    assert len(ids) == 4 and all(i.startswith("urn:uuid:") for i in ids)  # the feed's own, and one per note
    assert len(set(ids)) == 4 and not set(ids) & set(other_ids)
    shutil.rmtree(one / "site")
    shutil.rmtree(one / ".llmnotes-cache")
    assert run_cli(one, capsys=capsys)[0] == 0
    assert feed_ids(one / "site") == ids  # stable: a reader does not see old entries as new


def test_the_feed_holds_the_notes_changed_last_and_an_edit_elsewhere_leaves_it_alone(tmp_path: Path, capsys) -> None:
    """The feed holds the `feed_limit` notes (50 unless set) changed last, the latest first: a feed of every note of
    a large site is megabytes that each reader fetches again on every poll, and was rendered again after an edit
    of any note. An older note edited today comes first; a note outside the feed retitled leaves it as it was."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Notes"\nfeed_limit = 2\n'}
    for number in range(5):
        files[f"notes/n{number}.md"] = f"---\ntitle: Note {number}\nyear: 2020\n---\n\nText {number}.\n"
    root = write_site(tmp_path / "project", files)  # outside git: a note changed when its file did
    days = {number: dt.datetime(2024, 3, 1 + number, 12).timestamp() for number in range(5)}
    for number, day in days.items():
        os.utime(root / f"notes/n{number}.md", (day, day))

    def titles() -> list[str]:
        feed = ElementTree.parse(root / "site/atom.xml").getroot()
        return [entry.findtext(f"{ATOM}title") or "" for entry in feed.findall(f"{ATOM}entry")]

    assert run_cli(root, capsys=capsys)[0] == 0
    assert titles() == ["Note 4", "Note 3"]
    before = (root / "site/atom.xml").stat()
    note = root / "notes/n0.md"
    note.write_text(note.read_text(encoding="utf-8").replace("Note 0", "Note zero"), encoding="utf-8")
    os.utime(note, (days[0], days[0]))  # retitled, on its old day: still the oldest
    assert run_cli(root, capsys=capsys)[0] == 0
    after = (root / "site/atom.xml").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not written again
    assert "Note zero" in (root / "site/notes/n0.html").read_text(encoding="utf-8")
    note = root / "notes/n1.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nMore today.\n", encoding="utf-8")
    assert run_cli(root, capsys=capsys)[0] == 0
    assert titles() == ["Note 1", "Note 4"]
    (root / "pyproject.toml").write_text('[tool.llmnotes]\ntitle = "Notes"\nfeed_limit = 0\n', encoding="utf-8")
    assert run_cli(root, capsys=capsys)[0] == 0
    assert titles() == ["Note 1", "Note 4", "Note 3", "Note 2", "Note zero"]  # 0: every note


ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_entry_ids_are_the_name_based_uuids_readers_already_know() -> None:
    """Entry ids are RFC 4122 version 5 UUIDs of the note's slug: the ones earlier builds published, whatever the
    slug's script (a reader seeing a new id shows the entry again as new)."""
    from llmnotes.emit.feed import feed_ids

    slugs = ["gpt-3", "lima", "多模态推荐", "3D视觉/高斯溅射", ""]
    feed_id, entry_ids = feed_ids("https://me.github.io/notes/", slugs)
    site = uuid.uuid5(uuid.NAMESPACE_URL, "llmnotes:https://me.github.io/notes/")
    assert feed_id == site.urn
    assert entry_ids == {slug: uuid.uuid5(site, slug).urn for slug in slugs}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_two_repositories_with_the_same_settings_get_different_feed_ids(tmp_path: Path, capsys) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@b.org"}
    env |= {"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@b.org"}
    ids = []
    for name, day in (("one", "2024-01-01"), ("two", "2024-02-02")):
        root = write_site(tmp_path / name, FIXTURE)
        env |= {"GIT_AUTHOR_DATE": f"{day}T00:00:00Z", "GIT_COMMITTER_DATE": f"{day}T00:00:00Z"}
        for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "notes"]):
            subprocess.run(["git", "-C", str(root), *command], check=True, capture_output=True, env=env)
        assert run_cli(root, capsys=capsys)[0] == 0
        ids.append(feed_ids(root / "site"))
    assert not set(ids[0]) & set(ids[1])


def test_text_from_notes_is_escaped_everywhere(site_root: Path, capsys) -> None:
    (site_root / "notes/x.md").write_text(
        '---\ntitle: "<script>alert(1)</script>"\ntags: ["a\\"b</"]\nsummary: "x < y & z"\n---\n',
        encoding="utf-8",
    )
    assert run_cli(site_root, capsys=capsys)[0] == 0
    for path in (site_root / "site").rglob("*.*ml"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, path
    assert "&lt;script&gt;" in (site_root / "site/notes/x.html").read_text(encoding="utf-8")
    page_facts(site_root / "site/tags/index.html")


def test_quiet_prints_nothing_and_usage_errors_exit_2(site_root: Path, capsys) -> None:
    assert run_cli(site_root, "-q", capsys=capsys) == (0, "", "")
    with pytest.raises(SystemExit) as caught:
        run_cli(site_root, "--no-such-flag", capsys=capsys)
    assert caught.value.code == 2


def test_a_note_links_to_itself_by_slug_title_path_and_heading(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path,
        {
            "notes/self.md": """
                ---
                title: Self Reference
                ---
                ## 方法 Intro

                See [[self]], [[self#方法 Intro]], [[Self Reference|by title]], [this note](self.md),
                [its method](self.md#方法-intro) and [the heading](#方法-intro).
                """
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    assert broken_links(root / "site") == []
    html = (root / "site/notes/self.html").read_text(encoding="utf-8")
    body = html.split("<p>See ")[1].split("</p>")[0]
    assert body.count('href="self.html"') == 3 and body.count('href="#%E6%96%B9%E6%B3%95-intro"') == 3
    assert "No note links here yet." in html.split('id="__backlinks"')[1]  # a note is not its own backlink


@pytest.mark.parametrize(("language", "expected"), [("en", "No note has tags yet"), ("zh", "还没有笔记打上标签")])
def test_a_site_without_tags_says_on_its_tag_index_how_to_add_them(tmp_path: Path, language: str, expected: str):
    root = write_site(
        tmp_path,
        {
            "pyproject.toml": f'[tool.llmnotes]\ntitle = "Notes"\nlanguage = "{language}"\n',
            "notes/plain.md": "A note without front matter.\n",
        },
    )
    build(root)
    index = (root / "site/tags/index.html").read_text(encoding="utf-8")
    assert expected in index and "tag-cloud" not in index
    (root / "notes/plain.md").write_text("Now tagged #RLHF.\n", encoding="utf-8")
    build(root)
    index = (root / "site/tags/index.html").read_text(encoding="utf-8")
    assert expected not in index and 'href="rlhf.html"' in index
