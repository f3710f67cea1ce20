"""Standalone pages, the home page's introduction and reading order, and data files reaching templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from sites import broken_links, run_cli, write_site

BASE = {
    "notes/a.md": "---\ntitle: Paper A\nyear: 2020\n---\n见 [[about]] 与 [[list#说明]]。\n",
    "notes/b.md": "---\ntitle: Paper B\nyear: 2021\n---\n见 [[a]]。\n",
    "pages/index.md": "---\ntitle: 我的笔记\nreading_order: [b, a]\n---\n欢迎。先读 [[b]]。\n",
    "pages/about.md": "---\ntitle: 关于\n---\n关于本站，回到 [[a]]。\n",
    "pages/list.md": "---\ntitle: 清单\ntemplate: items.html\ndata: things/items\n---\n## 说明\n\n数据页。\n",
    "data/things/items.yaml": "items:\n  - name: 第一\n  - name: 第二\n",
    "templates/items.html": (
        '{% extends "base.html" %}{% block main %}{{ body | safe }}<ul>{% for item in page_data["items"] %}'
        '<li class="item">{{ item.name }}</li>{% endfor %}</ul><p id="all">{{ data | length }}</p>{% endblock %}'
    ),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_site(tmp_path, BASE)


def test_pages_render_at_the_root_and_link_both_ways(root: Path, capsys) -> None:
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    site = root / "site"
    about = (site / "about.html").read_text(encoding="utf-8")
    assert "<h1>关于</h1>" in about and '<a class="internal" href="notes/a.html">Paper A</a>' in about
    note = (site / "notes/a.html").read_text(encoding="utf-8")
    assert 'href="../about.html"' in note and 'href="../list.html#%E8%AF%B4%E6%98%8E"' in note
    assert broken_links(site) == []


def test_home_shows_the_introduction_and_the_reading_order(root: Path, capsys) -> None:
    run_cli(root, capsys=capsys)
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert "<h1>我的笔记</h1>" in home and "欢迎。先读" in home
    order = home.split('id="reading-order"')[1].split("</ol>")[0]
    assert order.index("notes/b.html") < order.index("notes/a.html")


def test_data_files_reach_templates_by_path(root: Path, capsys) -> None:
    run_cli(root, capsys=capsys)
    page = (root / "site/list.html").read_text(encoding="utf-8")
    assert page.count('class="item"') == 2 and "第二" in page
    assert '<p id="all">1</p>' in page


def test_malformed_data_file_names_file_and_line(root: Path, capsys) -> None:
    (root / "data/broken.yaml").write_text("a: 1\nb: [unclosed\nc: 2\n", encoding="utf-8")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1
    assert "data/broken.yaml:3:" in err and "not valid YAML" in err


def test_reading_order_must_name_notes(root: Path, capsys) -> None:
    (root / "pages/index.md").write_text("---\ntitle: x\nreading_order: [b, nope]\n---\n", encoding="utf-8")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and 'pages/index.md:3: reading_order: no note has the slug "nope"' in err


def test_own_templates_read_the_fields_of_listed_cards(tmp_path: Path, capsys) -> None:
    """Lists hand templates each note's card with its partial; a template may read the card's own fields too."""
    root = write_site(
        tmp_path,
        {
            "notes/a.md": "---\ntitle: Paper A\nyear: 2020\ntags: [llm]\n---\n见 [[b]]。\n",
            "notes/b.md": "---\ntitle: Paper B\nyear: 2021\ntags: [llm]\n---\n正文。\n",
            "templates/tag.html": (
                "{% for card in notes %}<p class=t>{{ card.title }}|{{ card['year'] }}|{{ card.tags | length }}"
                "|{{ card | length > 5 }}|{{ 'item' in card }}</p>{{ card.item }}{% endfor %}\n"
            ),
            "templates/note.html": (
                "{% for b in backlinks %}<p class=b>{{ b.label }} {{ b.context }} {{ b.get('venue') }}</p>"
                "{{ b.link }}{% endfor %}\n"
            ),
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    tag = (root / "site/tags/llm.html").read_text(encoding="utf-8")
    assert "<p class=t>Paper A|2020|1|True|True</p>" in tag and "<p class=t>Paper B|2021|1|True|True</p>" in tag
    assert tag.count('class="note-item"') == 2
    backlinks = (root / "site/notes/b.html").read_text(encoding="utf-8")
    assert '<p class=b>Paper A 见 b。 None</p><a href="a.html">Paper A</a>' in backlinks
