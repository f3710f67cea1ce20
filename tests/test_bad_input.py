"""Bad and hostile input: a clear message naming file and line, exit code 1, no traceback, the old site intact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sites import run_cli, write_site

GOOD = {"notes/a.md": "---\ntitle: Alpha\n---\nAlpha.\n", "notes/b.md": "---\ntitle: Beta\n---\nSee [[a]].\n"}


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'---\ntitle: "unclosed\n---\nx\n', "notes/a.md:2:17: front matter is not valid YAML"),
        (b"---\ntitle: A\n\ttags: [x]\n---\nx\n", "notes/a.md:3:1: front matter is not valid YAML: found a tab"),
        (b"---\ntitle: [a, b]\n---\nx\n", "notes/a.md:2: title: expected text, got a list"),
        (b"---\ntitle: A\nbody without a closing fence\n", "notes/a.md:1: front matter starts with --- but is never"),
        (
            "---\ntitle: 中文\n---\n中文笔记\n".encode("gbk"),
            "notes/a.md:2: not UTF-8 text (byte 11 is 0xd6); it reads as GBK",
        ),
        (bytes(range(256)) * 4, "notes/a.md:2: not UTF-8 text (byte 128 is 0x80); it looks like a binary file"),
        (b"---\ntitle: A\nslug: ../../x\n---\nx\n", "notes/a.md:3: slug: may hold only letters, digits, - and _"),
    ],
    ids=["unclosed quote", "tab indent", "list for text", "no closing fence", "GBK", "binary", "slug traversal"],
)
def test_a_broken_note_is_named_and_the_site_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes, expected: str
) -> None:
    root = write_site(tmp_path, GOOD)
    assert run_cli(root, capsys=capsys)[0] == 0
    before = snapshot(root / "site")
    (root / "notes/a.md").write_bytes(raw)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 1 and expected in err, err
    assert "Traceback" not in out + err and "the previous site is untouched" in err
    assert snapshot(root / "site") == before


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("See [[nowhere]].", "notes/b.md:4:5: broken link [[nowhere]]"),
        ("See [[a#no such heading]].", "notes/b.md:4:5: broken link [[a#no such heading]]: notes/a.md has no heading"),
        ("See [a](missing.md).", "notes/b.md:4:9: broken link (missing.md): no note at this path"),
        ("---\ntitle: Beta\naliases: [Alpha]\n---\nx", 'aliases: "Alpha" already names notes/a.md'),
    ],
    ids=["wiki link", "heading", "path", "name clash"],
)
def test_a_build_failing_after_parsing_keeps_every_byte_of_an_incrementally_built_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str, expected: str
) -> None:
    root = write_site(tmp_path, GOOD)
    assert run_cli(root, capsys=capsys)[0] == 0
    (root / "notes/c.md").write_text("---\ntitle: Gamma\ntags: [new]\n---\nSee [[b]].\n", encoding="utf-8")
    assert run_cli(root, capsys=capsys)[0] == 0  # this time written in place, over the first build's files
    before, beside = snapshot(root / "site"), sorted(p.name for p in root.iterdir())
    text = broken if broken.startswith("---") else f"---\ntitle: Beta\n---\n{broken}"
    (root / "notes/b.md").write_text(text + "\n", encoding="utf-8")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and expected in err and "the previous site is untouched" in err, err
    assert snapshot(root / "site") == before
    assert sorted(p.name for p in root.iterdir()) == beside  # no staging folder left behind either


def test_a_ten_megabyte_note_builds_to_its_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paragraph = (
        "大模型的上下文学习给推荐系统带来新思路。In-context learning follows a few examples without fine-tuning.\n\n"
    )
    count = 10 * 2**20 // len(paragraph.encode())
    root = write_site(tmp_path, GOOD)
    ending = "最后一段：the note ends here."
    (root / "notes/big.md").write_text(f"---\ntitle: Big\n---\n{paragraph * count}{ending}\n", encoding="utf-8")
    assert (root / "notes/big.md").stat().st_size > 10 * 10**6
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    html = (root / "site/notes/big.html").read_text(encoding="utf-8")
    assert html.count("<p>大模型的上下文学习给推荐系统带来新思路。") == count and f"<p>{ending}</p>" in html


def test_a_bom_and_windows_line_ends_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path, GOOD)
    (root / "notes/a.md").write_bytes("\ufeff---\r\ntitle: Alpha\r\ntags: [x]\r\n---\r\nAlpha.\r\n".encode())
    assert run_cli(root, capsys=capsys)[0] == 0
    assert "<h1>Alpha</h1>" in (root / "site/notes/a.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"notes/sub/a.md": "---\ntitle: Other\n---\nx\n"}, 'two notes have the slug "a"'),
        ({"notes/c.md": "---\ntitle: C\naliases: [Beta]\n---\nx\n"}, 'aliases: "Beta" already names notes/b.md'),
    ],
    ids=["same slug", "same alias"],
)
def test_two_notes_cannot_share_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, str], expected: str
) -> None:
    code, _, err = run_cli(write_site(tmp_path, {**GOOD, **extra}), capsys=capsys)
    assert code == 1 and expected in err


HOSTILE = """---
title: "</script><script>alert(1)</script> \\"quoted\\" & 'single'"
authors: ["<b>Eve</b>", "O'Brien \\"Q\\""]
tags: ["<script>", "a\\"b"]
summary: "</title><script>alert(2)</script>"
arxiv: "1234.5678"
---
A [bad](javascript:alert(3)) link, a link to itself: [[x]].
"""


def test_hostile_titles_tags_and_authors_are_escaped_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path, {"notes/x.md": HOSTILE})
    assert run_cli(root, capsys=capsys)[0] == 0
    site = root / "site"
    for page in [*site.rglob("*.html"), *site.rglob("*.xml")]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script>alert|<b>Eve|</title><script", text), page
        assert not re.search(r"(href|src)=\"\s*javascript:", text, re.IGNORECASE), page  # shown as text, not a link
    note = (site / "notes/x.html").read_text(encoding="utf-8")
    assert 'content="&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34;' in note
    json.loads((site / "references.json").read_text(encoding="utf-8"))  # still valid JSON
    for shard in (site / "static/search").rglob("*.js"):
        payload = re.match(r'window\.__llmnotesSearch\.add\("[^"]+",(.*)\);\n', shard.read_text(encoding="utf-8"), re.S)
        assert payload is not None and json.loads(payload.group(1)) is not None


def test_a_note_with_five_thousand_links_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = " ".join("[[a]]" if n % 2 else "[[b|Beta]]" for n in range(5000))
    root = write_site(tmp_path, {**GOOD, "notes/c.md": f"---\ntitle: C\n---\n{body}\n"})
    assert run_cli(root, capsys=capsys)[0] == 0
    assert (root / "site/notes/c.html").read_text(encoding="utf-8").count('class="internal"') == 5000


def test_a_symlink_out_of_notes_is_refused_and_one_inside_is_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path / "project", GOOD)
    secret = tmp_path / "private.md"
    secret.write_text("---\ntitle: Private diary\n---\nNot for the web.\n")
    (root / "notes/diary.md").symlink_to(secret)
    (root / "notes/loop").mkdir()
    (root / "notes/loop/up").symlink_to("..")  # a folder loop: never walked into
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and "notes/diary.md: a symbolic link to" in err and "outside notes/" in err
    assert not (root / "site").exists()
    (root / "notes/diary.md").unlink()
    (root / "notes/alpha-again.md").symlink_to(root / "notes/a.md")
    assert run_cli(root, capsys=capsys)[0] == 0  # a link that stays inside notes/ is a note like any other
    assert "Alpha." in (root / "site/notes/alpha-again.html").read_text(encoding="utf-8")
