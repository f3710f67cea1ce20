"""Related papers: ranked by lineage, links and shared tags, found through indexes rather than all pairs."""

from __future__ import annotations

import re
from pathlib import Path

from llmnotes.engine.build import build
from llmnotes.features.related import related_notes
from llmnotes.model import Lineage, Link, ResolvedLink, Tag

REPO = Path(__file__).resolve().parents[1]


def resolved(source: str, target: str) -> ResolvedLink:
    link = Link("wiki", target, None, None, 1, 1, "", 0)
    return ResolvedLink(link, source, target, None)


def test_lineage_beats_links_beats_tags_and_weak_ties_are_left_out() -> None:
    slugs = ["a", "b", "c", "d", "e"]
    tags = [Tag("x", "x", ("a", "c", "d", "e")), Tag("y", "y", ("a", "d"))]
    links = {"a": (resolved("a", "c"),), "e": (resolved("e", "e"),)}
    lineage = Lineage(parents={"a": ("b",)}, children={"b": ("a",)})
    related = related_notes(slugs, tags, links, lineage)
    assert [(r.slug, r.score) for r in related["a"]] == [("b", 3.0), ("c", 3.0), ("d", 2.0)]
    assert related["a"][1].relations == ("links_to",) and related["a"][1].shared_tags == ("x",)
    assert [r.slug for r in related["c"]] == ["a"] and related["c"][0].relations == ("linked_from",)
    assert related["e"] == ()  # one shared tag is not enough; a link to itself does not count


def test_siblings_count_and_hubs_are_skipped(monkeypatch) -> None:
    import llmnotes.features.related as module

    lineage = Lineage(parents={"a": ("p",), "b": ("p",)}, children={"p": ("a", "b")})
    tags = [Tag("t", "t", ("a", "b"))]
    assert [r.slug for r in related_notes(["p", "a", "b"], tags, {}, lineage)["a"]] == ["p", "b"]
    monkeypatch.setattr(module, "MAX_FANOUT", 1)
    assert [r.slug for r in related_notes(["p", "a", "b"], tags, {}, lineage)["a"]] == ["p"]


def test_many_notes_only_meet_their_neighbours() -> None:
    count = 6000
    slugs = [f"n{i}" for i in range(count)]
    tags = [Tag(f"t{i}", f"t{i}", (f"n{2 * i}", f"n{2 * i + 1}")) for i in range(count // 2)]
    tags += [Tag(f"u{i}", f"u{i}", (f"n{2 * i}", f"n{2 * i + 1}")) for i in range(count // 2)]
    related = related_notes(slugs, tags, {}, Lineage())
    assert all(len(found) == 1 for found in related.values())
    assert related["n10"][0].slug == "n11" and related["n10"][0].shared_tags == ("t5", "u5")


def test_note_pages_show_related_papers_with_reasons(tmp_path: Path) -> None:
    build(REPO, tmp_path / "site", strict=True)
    page = (tmp_path / "site/notes/lima.html").read_text(encoding="utf-8")
    section = page.split('id="__related"')[1].split("</section>")[0]
    slugs = re.findall(r'<li><a href="([\w-]+)\.html"', section)
    # LIMA builds on both: each is a direct edge, and Self-Instruct also shares all three of LIMA's tags.
    assert slugs[:2] == ["self-instruct", "instructgpt"] and "lima" not in slugs and 2 <= len(slugs) <= 5
    assert '<span class="why-item">基于</span>' in section and "共同标签: " in section
