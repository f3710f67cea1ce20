"""Lineage: `builds_on` as a checked graph, ancestors and descendants on each note, and the SVG lineage page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmnotes.engine.build import build
from llmnotes.features.lineage import build_lineage
from llmnotes.features.lineage_svg import render_svg
from llmnotes.model import Note
from sites import broken_links, load_site, run_cli, write_site

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("lineage") / "site"
    build(REPO, output, strict=True)
    return output


class _Svg(HTMLParser):
    """Edges (from, to), year labels with their x, and node links with their box x, from the lineage page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.edges: list[tuple[str, str]] = []
        self.years: list[tuple[float, str]] = []
        self.nodes: dict[str, dict] = {}
        self._year_x: float | None = None
        self._node: str | None = None
        self._in_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "path" and "lineage-edge" in classes:
            self.edges.append((values["data-from"] or "", values["data-to"] or ""))
        elif tag == "text" and "lineage-year" in classes:
            self._year_x = float(values["x"] or 0)
        elif tag == "a" and "lineage-node" in classes:
            self._node = (values["id"] or "").removeprefix("lineage-")
            self.nodes[self._node] = {"href": values["href"], "label": ""}
        elif tag == "rect" and self._node:
            self.nodes[self._node]["x"] = float(values["x"] or 0)
            self.nodes[self._node]["right"] = float(values["x"] or 0) + float(values["width"] or 0)
        elif tag == "text" and self._node:
            self._in_text = True

    def handle_data(self, data: str) -> None:
        if self._year_x is not None:
            self.years.append((self._year_x, data))
            self._year_x = None
        elif self._in_text and self._node:
            self.nodes[self._node]["label"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "text":
            self._in_text = False
        if tag == "a":
            self._node = None


def read_svg(page: Path) -> _Svg:
    parser = _Svg()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_the_svg_draws_the_gpt_line_and_t5_to_flan(site: Path) -> None:
    svg = read_svg(site / "lineage.html")
    for edge in [("gpt-1", "gpt-2"), ("gpt-2", "gpt-3"), ("gpt-3", "instructgpt"), ("t5", "flan")]:
        assert edge in svg.edges, edge
    expected = {(parent, note.slug) for note in load_site(REPO)[0] for parent in note.builds_on}
    assert set(svg.edges) == expected and len(svg.edges) == len(expected)


def test_years_are_columns_in_order_and_nodes_sit_in_their_year(site: Path) -> None:
    svg = read_svg(site / "lineage.html")
    labels = [label for _, label in sorted(svg.years)]
    assert labels == ["2018", "2019", "2020", "2022", "2023"]
    x = {label: position for position, label in svg.years}
    node_x = {slug: node["x"] for slug, node in svg.nodes.items()}
    for slug, year in [("gpt-1", "2018"), ("gpt-2", "2019"), ("t5", "2020"), ("flan", "2022")]:
        assert svg.nodes[slug]["x"] < x[year] < svg.nodes[slug]["right"], slug
    assert node_x["gpt-1"] < node_x["gpt-2"] < node_x["gpt-3"] < node_x["flan"] < node_x["lima"]
    # LIMA builds on Self-Instruct within 2023: a sub-column, and the year's label spans both.
    assert node_x["self-instruct"] < x["2023"] < node_x["lima"]
    assert node_x["cot"] == node_x["flan"] == node_x["instructgpt"] and node_x["gpt-2"] == node_x["unilm"]


def test_nodes_link_to_their_notes_and_the_page_needs_no_script(site: Path) -> None:
    svg = read_svg(site / "lineage.html")
    assert len(svg.nodes) == 11
    assert (svg.nodes["t5"]["href"], svg.nodes["t5"]["label"]) == ("notes/t5.html", "T5")
    html = (site / "lineage.html").read_text(encoding="utf-8")
    main = html.split('<main id="main"')[1].split("</main>")[0]
    assert "<script" not in main and '<svg class="lineage-graph"' in main
    assert broken_links(site) == []


def test_each_note_shows_ancestors_and_descendants(site: Path) -> None:
    page = (site / "notes/gpt-3.html").read_text(encoding="utf-8")
    panel = page.split('id="__lineage"')[1].split("</section>")[0]
    upstream, downstream = panel.split("</dd>")[0], panel.split("</dd>")[1]
    assert re.findall(r'href="([\w-]+)\.html"', upstream) == ["gpt-1", "gpt-2"]
    assert re.findall(r'href="([\w-]+)\.html"', downstream) == [
        "cot",
        "instructgpt",
        "flan",
        "llm4rec-survey",
        "lima",
        "self-instruct",
    ]
    assert 'href="../lineage.html#lineage-gpt-3"' in panel


def note(slug: str, year: int, builds_on: tuple[str, ...] = (), month: int | None = None) -> Note:
    return Note(
        source=f"notes/{slug}.md",
        slug=slug,
        title=slug.upper(),
        body="",
        body_line=1,
        year=year,
        month=month,
        builds_on=builds_on,
        field_lines={"builds_on": 4},
    )


def test_ancestors_and_descendants_are_transitive_and_oldest_first() -> None:
    notes = [
        note("a", 2018),
        note("b", 2019, ("a",)),
        note("c", 2020, ("b", "a")),
        note("d", 2021, ("c",)),
        note("e", 2020),
    ]
    lineage, problems = build_lineage(notes)
    assert problems == []
    assert lineage.ancestors["d"] == ("a", "b", "c") and lineage.descendants["a"] == ("b", "c", "d")
    assert lineage.ancestors["e"] == () and lineage.descendants["e"] == ()
    assert lineage.children["a"] == ("b", "c") and lineage.parents["c"] == ("b", "a")


def test_a_cycle_is_a_build_error_naming_file_and_line(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p",
        {
            "notes/a.md": "---\ntitle: A\nyear: 2020\nbuilds_on: [c]\n---\nx\n",
            "notes/b.md": "---\ntitle: B\nyear: 2021\nbuilds_on: [a]\n---\nx\n",
            "notes/c.md": "---\ntitle: C\nyear: 2022\nsummary: s\nbuilds_on: [b]\n---\nx\n",
            "notes/d.md": "---\ntitle: D\nbuilds_on: [nope]\n---\nx\n",
        },
    )
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 1 and out == ""
    assert "notes/a.md:4: builds_on: a cycle: a → c → b → a" in err
    assert 'notes/d.md:3: builds_on: no note has the slug "nope"' in err
    assert "Traceback" not in err


def test_every_cycle_is_reported_once() -> None:
    notes = [note("a", 1, ("b",)), note("b", 1, ("a",)), note("c", 1, ("d",)), note("d", 1, ("c", "a"))]
    _, problems = build_lineage(notes)
    assert [p.format() for p in problems] == [
        "notes/a.md:4: builds_on: a cycle: a → b → a (a paper cannot build on itself, even through others; "
        "remove one of these slugs)",
        "notes/c.md:4: builds_on: a cycle: c → d → c (a paper cannot build on itself, even through others; "
        "remove one of these slugs)",
    ]


def test_svg_is_deterministic_escaped_and_routes_long_edges_around_boxes() -> None:
    notes = [
        note("a", 2018),
        note("b", 2019, ("a",)),
        note("c", 2020, ("b",)),
        note("d", 2021, ("a", "c")),
        Note(source="notes/x.md", slug="x", title='<script>"x" & {y}</script>', body="", body_line=1, year=2019),
    ]
    lineage, _ = build_lineage(notes)
    first = render_svg(notes, lineage, href=lambda s: f"notes/{s}.html", title="T & <b>")
    again = render_svg(list(reversed(notes)), lineage, href=lambda s: f"notes/{s}.html", title="T & <b>")
    assert first == again
    assert "<script>" not in first and "&lt;script&gt;" in first and "T &amp; &lt;b&gt;" in first
    edge = re.search(r'data-from="a" data-to="d" d="([^"]+)"', first)
    assert edge and "H" in edge.group(1)  # a -> d crosses two columns along a lane, not through b and c


def test_a_page_may_not_take_the_lineage_or_timeline_path(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p", {"notes/a.md": "---\ntitle: A\n---\nx\n", "pages/timeline.md": "---\ntitle: T\n---\nx\n"}
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and "pages/timeline.md: this page would overwrite the built-in timeline.html" in err


def test_the_lineage_draws_the_notes_in_it_and_says_how_to_start_one_when_none_are(tmp_path: Path) -> None:
    """A note that builds on nothing and that nothing builds on has no lineage: the page draws and lists the
    others, and its own page shows no link to a box it does not have. A site none of whose notes builds on another
    (a vault brought from elsewhere) gets a page that says how to begin one, not a column of thousands of
    unconnected boxes; an edit of a note outside the graph leaves the page alone."""
    root = write_site(
        tmp_path / "project",
        {
            "pyproject.toml": '[tool.llmnotes]\ntitle = "Lineage"\nlanguage = "en"\n',
            "notes/base.md": "---\ntitle: Base Paper\nyear: 2020\n---\nThe base.\n",
            "notes/next.md": "---\ntitle: Next Paper\nyear: 2021\nbuilds_on: [base]\n---\nBuilds on the base.\n",
            "notes/alone.md": "---\ntitle: Lone Paper\nyear: 2022\n---\nOn its own.\n",
        },
    )
    build(root)
    site = root / "site"
    svg = read_svg(site / "lineage.html")
    assert set(svg.nodes) == {"base", "next"} and svg.edges == [("base", "next")]
    listed = (site / "lineage.html").read_text(encoding="utf-8").split('class="lineage-as-list"')[1]
    assert "notes/next.html" in listed and "notes/alone.html" not in listed
    alone = (site / "notes/alone.html").read_text(encoding="utf-8")
    assert "The notes record no lineage for this paper." in alone and "lineage-alone" not in alone
    assert 'lineage.html#lineage-next"' in (site / "notes/next.html").read_text(encoding="utf-8")
    assert broken_links(site) == []
    before = (site / "lineage.html").stat()
    note = root / "notes/alone.md"
    note.write_text(note.read_text(encoding="utf-8").replace("Lone Paper", "A Lone Paper"), encoding="utf-8")
    assert build(root).rendered
    assert (site / "lineage.html").stat().st_mtime_ns == before.st_mtime_ns
    note = root / "notes/next.md"
    note.write_text(note.read_text(encoding="utf-8").replace("builds_on: [base]\n", ""), encoding="utf-8")
    build(root)
    page = (site / "lineage.html").read_text(encoding="utf-8")
    assert "No note builds on another yet" in page and "<svg" not in page.split('<main id="main"')[1]
    assert read_svg(site / "lineage.html").nodes == {} and broken_links(site) == []
