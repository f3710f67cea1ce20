"""Loading notes: front matter into typed fields, and problems reported with file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from llmnotes.model import Diagnostic, Note
from sites import load_site, run_cli, write_site


class Loaded(NamedTuple):
    notes: list[Note]
    diagnostics: list[Diagnostic]


def load(tmp_path: Path, files: dict[str, str]) -> Loaded:
    """Write a site and load its notes as a build finds and reads them."""
    write_site(tmp_path, files)
    return Loaded(*load_site(tmp_path))


def test_front_matter_becomes_typed_fields_and_unknown_keys_are_kept(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "notes/t5.md": """
        ---
        title: "Exploring the Limits"
        authors: [Colin Raffel, Noam Shazeer]
        year: 2020
        arxiv: "1910.10683"
        tags: [预训练, T5]
        date: 2023-05-01
        reading_time: 12
        ---
        Body text.
        """
        },
    )
    assert result.diagnostics == []
    (note,) = result.notes
    assert note.slug == "t5"
    assert note.title == "Exploring the Limits"
    assert note.authors == ("Colin Raffel", "Noam Shazeer")
    assert note.year == 2020 and note.arxiv == "1910.10683"
    assert note.tags == ("预训练", "T5")
    assert note.date == dt.date(2023, 5, 1)
    assert note.extra == {"reading_time": 12}
    assert note.body.strip() == "Body text."
    assert note.body_line == 10


def test_wrong_type_names_file_line_and_field(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "notes/t5.md": """
        ---
        title: T5
        authors: [A]
        year: twenty
        ---
        """
        },
    )
    assert result.notes == []
    assert [d.format() for d in result.diagnostics] == ['notes/t5.md:4: year: expected a whole number, got "twenty"']


def test_every_field_problem_is_reported_at_once(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "notes/x.md": """
        ---
        title: [not, text]
        tags: {a: 1}
        draft: maybe
        arxiv: 2305.19860
        ---
        """
        },
    )
    messages = [d.format() for d in result.diagnostics]
    assert messages[0] == "notes/x.md:2: title: expected text, got a list"
    assert messages[1].startswith("notes/x.md:3: tags: expected a list of text, got a mapping")
    assert messages[2] == 'notes/x.md:4: draft: expected true or false, got "maybe"'
    assert "quote the id" in messages[3] and messages[3].startswith("notes/x.md:5: arxiv:")


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    result = load(tmp_path, {"notes/bad.md": '---\ntitle: "unclosed\nyear: 2020\n---\nbody\n'})
    (problem,) = result.diagnostics
    assert problem.path == "notes/bad.md"
    assert problem.line is not None and problem.line >= 2
    assert "not valid YAML" in problem.message


def test_a_key_given_twice_is_reported_at_its_second_line_at_any_depth(tmp_path: Path) -> None:
    text = "---\ntitle: A\ntags: [x]\nextra:\n  k: 1\n  k: 2\ntags: [y]\n---\nbody\n"
    result = load(tmp_path, {"notes/twice.md": text})
    assert not result.notes
    assert [(d.line, d.col, d.message.split(";")[0]) for d in result.diagnostics] == [
        (6, 3, "k: given twice (first on line 5)"),
        (7, 1, "tags: given twice (first on line 3)"),
    ]


def test_a_yaml_merge_may_override_keys(tmp_path: Path) -> None:
    text = "---\nbase: &base {venue: A, year: 2020}\nextra:\n  <<: *base\n  venue: B\n---\nbody\n"
    result = load(tmp_path, {"notes/merge.md": text})
    assert not result.diagnostics and result.notes[0].extra["extra"] == {"venue": "B", "year": 2020}


def test_unclosed_front_matter(tmp_path: Path) -> None:
    result = load(tmp_path, {"notes/open.md": "---\ntitle: x\n\nbody"})
    assert [d.format() for d in result.diagnostics] == [
        "notes/open.md:1: front matter starts with --- but is never closed (add a line with --- after the front matter)"
    ]


def test_slug_from_file_name_or_front_matter_and_nested_folders(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "notes/deep/er/GPT 3.md": "---\ntitle: G\n---\n",
            "notes/other.md": "---\ntitle: O\nslug: custom-slug\n---\n",
        },
    )
    assert sorted(n.slug for n in result.notes) == ["custom-slug", "gpt-3"]
    assert {n.source for n in result.notes} == {"notes/deep/er/GPT 3.md", "notes/other.md"}


def test_drafts_are_left_out_unless_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"notes/d.md": "---\ntitle: D\ndraft: true\n---\n", "notes/p.md": "---\ntitle: P\n---\n"}
    assert {n.slug: n.draft for n in load(tmp_path, files).notes} == {"d": True, "p": False}
    assert run_cli(tmp_path, capsys=capsys)[0] == 0
    assert (tmp_path / "site/notes/p.html").is_file() and not (tmp_path / "site/notes/d.html").exists()
    assert run_cli(tmp_path, "--drafts", capsys=capsys)[0] == 0
    assert (tmp_path / "site/notes/d.html").is_file()


def test_bom_crlf_and_missing_front_matter_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/crlf.md").write_bytes("\ufeff---\r\ntitle: 中文\r\n---\r\n正文\r\n".encode())
    (tmp_path / "notes/plain.md").write_text("# 第一个标题\n\n没有 front matter。\n", encoding="utf-8")
    result = Loaded(*load_site(tmp_path))
    titles = {n.slug: n.title for n in result.notes}
    assert titles == {"crlf": "中文", "plain": "第一个标题"}


def test_non_utf8_file_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/gbk.md").write_bytes(b"---\ntitle: x\n---\n" + "中文".encode("gbk"))
    (problem,) = load_site(tmp_path)[1]
    assert problem.line == 4 and "not UTF-8" in problem.message and problem.hint == "save the file as UTF-8"
