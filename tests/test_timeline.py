"""The timeline page: papers by year and month, oldest first, with venue, summary and a tag filter; linked site-wide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmnotes.engine.build import build
from sites import run_cli, write_site

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    output = tmp_path_factory.mktemp("timeline") / "site"
    build(REPO, output, strict=True)
    return (output / "timeline.html").read_text(encoding="utf-8")


def test_papers_are_listed_by_year_and_month(page: str) -> None:
    slugs = re.findall(r'class="note-link" href="notes/([\w-]+)\.html"', page)
    assert slugs == [
        "gpt-1",
        "gpt-2",
        "unilm",
        "gpt-3",
        "t5",
        "cot",
        "instructgpt",
        "flan",
        "llm4rec-survey",
        "lima",
        "self-instruct",
    ]
    years = re.findall(r'<h2 id="timeline-(\d+)">', page)
    assert years == ["2018", "2019", "2020", "2022", "2023"]
    assert '<time datetime="2020-05">5 月</time>' in page and '<time datetime="2019-02">2 月</time>' in page


def test_entries_show_venue_summary_and_tags(page: str) -> None:
    entry = page.split('href="notes/flan.html"')[1].split("</li>\n")[0]
    assert "ICLR 2022 (arXiv 2021)" in entry and "把 62 个数据集改写成自然语言指令" in entry
    assert '<time datetime="2022-04">4 月</time>' in page.split('href="notes/flan.html"')[0].rsplit("<li", 1)[1]
    assert '<li class="timeline-entry" data-tags="指令微调 零样本 规模效应">' in page


def test_the_tag_filter_lists_every_tag_and_works_without_script_as_a_full_list(page: str) -> None:
    form = page.split('<form class="filters timeline-filter"')[1].split("</form>")[0]
    assert form.startswith(' id="timeline-filter" hidden')
    assert '<option value="预训练">预训练 (5)</option>' in form
    assert "static/timeline.js" in page
    assert page.count('class="timeline-entry"') == 11


def test_home_and_navigation_link_the_timeline_and_lineage(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path / "p", {"notes/a.md": "---\ntitle: A\nyear: 2020\nmonth: 3\n---\nx\n"})
    assert run_cli(root, capsys=capsys)[0] == 0
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert home.count('href="timeline.html"') == 2 and home.count('href="lineage.html"') == 2
    note = (root / "site/notes/a.html").read_text(encoding="utf-8")
    assert 'href="../timeline.html">Timeline</a>' in note and 'href="../lineage.html">Lineage</a>' in note
    timeline = (root / "site/timeline.html").read_text(encoding="utf-8")
    assert '<time datetime="2020-03">Mar</time>' in timeline


def test_notes_without_a_year_come_last(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p",
        {
            "notes/a.md": "---\ntitle: A\n---\nx\n",
            "notes/b.md": "---\ntitle: B\nyear: 1999\nsummary: '<i>x</i>'\n---\nx\n",
        },
    )
    assert run_cli(root, capsys=capsys)[0] == 0
    timeline = (root / "site/timeline.html").read_text(encoding="utf-8")
    assert timeline.index('id="timeline-1999"') < timeline.index('id="timeline-undated"')
    assert "&lt;i&gt;x&lt;/i&gt;" in timeline
    assert 'title="Month unknown"' in timeline.split('id="timeline-1999"')[1].split("</li>")[0]
