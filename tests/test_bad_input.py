"""Bad and hostile input: a clear message naming file and line, exit code 1, no traceback, the old site intact."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from sites import broken_links, run_cli, write_site

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
        (
            b"---\ntitle: A\ntags: [a]\nyear: 2020\ntags: [b]\n---\nx\n",
            "notes/a.md:5:1: tags: given twice (first on line 3); YAML would keep only this one",
        ),
    ],
    ids=[
        "unclosed quote",
        "tab indent",
        "list for text",
        "no closing fence",
        "GBK",
        "binary",
        "slug traversal",
        "duplicate key",
    ],
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
        ({"notes/c.md": "---\ntitle: Other\nslug: a\n---\nx\n"}, 'two notes have the slug "a"'),
        ({"notes/c.md": "---\ntitle: C\naliases: [Beta]\n---\nx\n"}, 'aliases: "Beta" already names notes/b.md'),
    ],
    ids=["same slug", "same alias"],
)
def test_two_notes_cannot_share_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict[str, str], expected: str
) -> None:
    code, _, err = run_cli(write_site(tmp_path, {**GOOD, **extra}), capsys=capsys)
    assert code == 1 and expected in err


# Tags become file names (tags/<slug>.html); aliases are only names to link by. (NUL and other control characters
# are refused outright: see test_control_characters_in_front_matter_are_refused_at_their_line.)
TRAVERSAL = r"""---
title: Traversal
tags: ["../../x", "../../../x", "../../../../x", "/etc/passwd", "CON", "nul", "Aux.html", "COM¹", "lpt9", "a\\b",
       "a:b|c", "..", "."]
aliases: ["../../y", "/etc/shadow", "PRN", "con", "a\\c"]
---
Tagged.
"""
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{kind}{n}" for kind in ("com", "lpt") for n in range(1, 10)}


def test_tags_and_aliases_cannot_name_files_outside_the_site_or_unsafe_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path / "outer/project",
        {
            "notes/x.md": TRAVERSAL,
            "notes/b.md": "---\ntitle: B\n---\nSee [[../../y]], [[/etc/shadow]], [[PRN]], [[a\\c]].\n",
        },
    )
    before = set(tmp_path.rglob("*"))
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    site = root / "site"
    made = {p.relative_to(root).parts[0] for p in set(tmp_path.rglob("*")) - before}
    assert made == {"site", ".llmnotes-cache"}, made  # nothing written beside the site or above the project
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve()), path
        for name in path.relative_to(site).parts:
            assert re.fullmatch(r"\.?[\w-]+(\.[\w-]+)*", name) and "\0" not in name, name  # no "..", "/", "\\", ":"
            assert name.split(".")[0].lower() not in WINDOWS_RESERVED, name
    tag_pages = [p for p in (site / "tags").iterdir() if p.name != "index.html"]
    assert len(tag_pages) == 13  # each tag its own page: none lost to a name another tag took
    assert broken_links(site) == []
    assert (site / "notes/b.html").read_text(encoding="utf-8").count('<a class="internal" href="x.html">') == 4


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ('title: "bell\\a"', "notes/c.md:2: title: holds the control character U+0007"),
        ('tags: [ok, "x\\0y"]', "notes/c.md:2: tags: holds the control character U+0000"),
    ],
)
def test_control_characters_in_front_matter_are_refused_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], front: str, expected: str
) -> None:
    root = write_site(tmp_path, {**GOOD, "notes/c.md": f"---\n{front}\n---\nx\n"})
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and expected in err, err  # XML 1.0 allows no NUL or BEL in the feed, even escaped


TITLE = "</script><script>alert(1)</script> \"quoted\" & 'single'"
SUMMARY = "</title><script>alert(2)</script>"
HOSTILE = """---
title: "</script><script>alert(1)</script> \\"quoted\\" & 'single'"
authors: ["<b>Eve</b>", "O'Brien \\"Q\\""]
tags: ["<script>", "a\\"b"]
summary: "</title><script>alert(2)</script>"
arxiv: "1234.5678"
---
A [bad](javascript:alert(3)) link, a link to itself: [[x]].
"""


class _Embedded(HTMLParser):
    """A page's <meta> name/property → contents, and each inline <script>'s type and text, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("name") or values.get("property")) and values.get("content") is not None:
            self.meta.setdefault(values.get("name") or values.get("property") or "", []).append(values["content"] or "")
        if tag == "script" and "src" not in values:
            self._script = []
            self.scripts.append((values, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts[-1] = (self.scripts[-1][0], "".join(self._script))
            self._script = None


def embedded(page: Path) -> _Embedded:
    parser = _Embedded()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def test_hostile_titles_tags_and_authors_are_escaped_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path, {"notes/x.md": HOSTILE, "notes/y.md": "---\ntitle: Why\n---\nSee [[x]].\n"})
    assert run_cli(root, capsys=capsys)[0] == 0
    site = root / "site"
    for page in [*site.rglob("*.html"), *site.rglob("*.xml")]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script>alert|<b>Eve|</title><script", text), page
        assert not re.search(r"(href|src)=\"\s*javascript:", text, re.IGNORECASE), page  # shown as text, not a link
    for page in site.rglob("*.html"):  # inline scripts: the text cannot end them early or open a comment
        for attrs, text in embedded(page).scripts:
            assert "</" not in text and "<!--" not in text, page
            if attrs.get("type") == "application/json":
                json.loads(text)
    [previews] = [
        text for attrs, text in embedded(site / "notes/y.html").scripts if attrs.get("id") == "llmnotes-previews"
    ]
    [preview] = json.loads(previews)
    assert (preview["title"], preview["summary"], preview["url"]) == (TITLE, SUMMARY, "x.html")
    meta = embedded(site / "notes/x.html").meta  # attribute values read back exactly as written
    assert meta["og:title"] == meta["citation_title"] == [TITLE]
    assert meta["description"] == meta["og:description"] == [SUMMARY]
    assert meta["citation_author"] == ["<b>Eve</b>", '"Q", O\'Brien']  # Highwire's "Last, First" form
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.parse(site / "atom.xml").getroot().findall(f"{atom}entry")
    [entry] = [e for e in entries if e.find(f"{atom}link").get("href") == "notes/x.html"]
    assert entry.findtext(f"{atom}title") == TITLE and entry.findtext(f"{atom}summary") == SUMMARY
    assert [a.findtext(f"{atom}name") for a in entry.findall(f"{atom}author")] == ["<b>Eve</b>", 'O\'Brien "Q"']
    assert [c.get("term") for c in entry.findall(f"{atom}category")] == ["<script>", 'a"b']
    references = json.loads((site / "references.json").read_text(encoding="utf-8"))
    [reference] = [item for item in references if item.get("URL") == "https://arxiv.org/abs/1234.5678"]
    assert reference["title"] == TITLE and reference["author"][0] == {"literal": "<b>Eve</b>"}
    records = []
    for shard in (site / "static/search").rglob("*.js"):  # loaded by <script src>, so only valid JS matters here
        payload = re.match(r'window\.__llmnotesSearch\.add\("[^"]+",(.*)\);\n', shard.read_text(encoding="utf-8"), re.S)
        assert payload is not None
        data = json.loads(payload.group(1))
        if shard.parent.name == "d":
            records += data
    shown = [record[1] for record in records if record and record[0] == "notes/x.html"]  # (a free slot's is None)
    assert shown == [TITLE]  # shown with textContent


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


def test_an_unreadable_note_is_named_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root here, where chmod 000 cannot stop a read: the refusal the OS would give is simulated.
    root = write_site(tmp_path, {**GOOD, "notes/secret.md": "---\ntitle: Secret\n---\nx\n"})
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "secret.md":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1
    assert "notes/secret.md: cannot read the file: Permission denied (check its permissions)" in err
    assert "Traceback" not in err and not (root / "site").exists()


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (b"", "empty-note"),
        (b"---\n---\n", "empty-note"),
        (b"---\ntitle: Only front matter\n---\n", "Only front matter"),
    ],
    ids=["empty file", "empty front matter", "only front matter"],
)
def test_an_empty_note_builds_a_page_named_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: bytes, title: str
) -> None:
    root = write_site(tmp_path, GOOD)
    (root / "notes/empty-note.md").write_bytes(raw)
    code, out, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "") and "(0 warnings)" in out
    assert f"<h1>{title}</h1>" in (root / "site/notes/empty-note.html").read_text(encoding="utf-8")
