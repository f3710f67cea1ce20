"""Related papers: ranked by lineage, links and shared tags, found through indexes rather than all pairs."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from llmnotes.engine.build import build
from llmnotes.features.related import related_notes
from llmnotes.model import Lineage, Link, ResolvedLink, Tag
from sites import write_site

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


def _graph(
    rng: random.Random, slugs: list[str], note: str, before: tuple | None = None
) -> tuple[list[Tag], dict, Lineage]:
    """Tags, links and parents over `slugs` drawn at random; given the graph `before`, that graph with only `note`'s
    tags, links and parents drawn again."""

    def pick(most: int) -> list[str]:
        return rng.sample(slugs, rng.randint(0, min(most, len(slugs))))

    if before is None:
        members = {f"t{number}": set(pick(5)) for number in range(8)}
        links = {slug: {*pick(2)} for slug in slugs}
        parents = {slug: {*pick(1)} - {slug} for slug in slugs if rng.random() < 0.4}
    else:
        old_tags, old_links, old_lineage = before
        members = {tag.name: set(tag.note_slugs) & set(slugs) - {note} for tag in old_tags}
        for name in rng.sample(sorted(members), rng.randint(0, min(3, len(members)))):
            members[name].add(note)
        links = {s: {r.target_slug for r in old_links.get(s, ())} & set(slugs) for s in slugs if s != note}
        links[note] = set(pick(2))
        parents = {c: set(ps) & set(slugs) for c, ps in old_lineage.parents.items() if c in slugs and c != note}
        parents[note] = set(pick(1)) - {note}
    tags = [Tag(name, name, tuple(sorted(found))) for name, found in members.items() if found]
    children: dict[str, list[str]] = {}
    for child, its_parents in sorted(parents.items()):
        for parent in sorted(its_parents):
            children.setdefault(parent, []).append(child)
    lineage = Lineage(
        parents={c: tuple(sorted(ps)) for c, ps in parents.items() if ps},
        children={p: tuple(c) for p, c in children.items()},
    )
    return tags, {s: tuple(resolved(s, t) for t in sorted(ts)) for s, ts in links.items()}, lineage


def test_related_notes_worked_out_again_around_an_edit_are_those_worked_out_afresh(monkeypatch) -> None:
    """After one note's tags, links or parents change, or it is added, deleted or moved in the order,
    `updated_related` works out again only the notes around it, and gets every note's related notes as working them
    all out would: hubs (a tag on more than MAX_FANOUT notes, here 3) and siblings included."""
    import llmnotes.features.related as module

    monkeypatch.setattr(module, "MAX_FANOUT", 3)
    rng = random.Random(11)
    for _ in range(3000):
        slugs = [f"n{number}" for number in range(rng.randint(2, 40))]
        note = rng.choice(slugs)
        graph = _graph(rng, slugs, note)
        before = module.updated_related(None, slugs, *graph)
        kind = rng.choice(["edit", "add", "delete", "move"])
        edited = [slug for slug in slugs if slug != note or kind in ("edit", "add")]
        if kind == "add":
            note = "new"
        if kind in ("add", "move"):
            edited.insert(rng.randrange(len(edited) + 1), note)
        after_graph = _graph(rng, edited, note, graph)
        after = module.updated_related(before, edited, *after_graph)
        assert after == module.updated_related(None, edited, *after_graph), kind


def test_a_note_added_or_deleted_works_out_again_only_the_notes_it_meets_not_its_neighbours_tag_mates(
    monkeypatch,
) -> None:
    """The order of the notes breaks ties only, and a note added or deleted leaves the others in the same order: its
    neighbours in it, which share tags with many notes, rank their candidates as before, and neither they nor their
    tag-mates are worked out again (at 10,000 notes that was a thousand notes, 0.13 s of a note added)."""
    import llmnotes.features.related as module

    asked: list[set[str]] = []
    whole = module.related_notes
    monkeypatch.setattr(
        module, "related_notes", lambda *a, only=None, **k: asked.append(only) or whole(*a, only=only, **k)
    )
    slugs = [f"n{number}" for number in range(10)]
    tags = [Tag("a", "a", ("n2", "n3", "n7", "n8")), Tag("b", "b", ("n2", "n3", "n8"))]
    lineage = Lineage(parents={}, children={})
    before = module.updated_related(None, slugs, tags, {}, lineage)
    added = [*slugs[:3], "new", *slugs[3:]]  # between n2 and n3, sharing nothing with anyone
    asked.clear()
    after = module.updated_related(before, added, tags, {"new": (resolved("new", "n9"),)}, lineage)
    assert asked == [{"new", "n9"}], "the note added and the note it links to"
    assert after == module.updated_related(None, added, tags, {"new": (resolved("new", "n9"),)}, lineage)
    asked.clear()
    assert module.updated_related(after, slugs, tags, {}, lineage) == before
    assert asked == [{"new", "n9"}]


def test_note_pages_show_related_papers_with_reasons(tmp_path: Path) -> None:
    build(REPO, tmp_path / "site", strict=True)
    page = (tmp_path / "site/notes/lima.html").read_text(encoding="utf-8")
    section = page.split('id="__related"')[1].split("</section>")[0]
    slugs = re.findall(r'<li><a href="([\w-]+)\.html"', section)
    # LIMA builds on both: each is a direct edge, and Self-Instruct also shares all three of LIMA's tags.
    assert slugs[:2] == ["self-instruct", "instructgpt"] and "lima" not in slugs and 2 <= len(slugs) <= 5
    assert '<span class="why-item">基于</span>' in section and "共同标签: " in section


def _tied_site(root: Path, title_of_b: str) -> None:
    """Notes a, b and c of 2020 each share two tags with `hub`, so all three tie for its related list."""
    write_site(
        root,
        {
            "pyproject.toml": '[tool.llmnotes]\ntitle = "并列"\n',
            "notes/hub.md": "---\ntitle: Hub\nyear: 2021\ntags: [x, y]\n---\n正文。\n",
            "notes/a.md": "---\ntitle: Zeta\nyear: 2020\ntags: [x, y]\n---\n正文。\n",
            "notes/b.md": f"---\ntitle: {title_of_b}\nyear: 2020\ntags: [x, y]\n---\n正文。\n",
            "notes/c.md": "---\ntitle: Alpha\nyear: 2019\ntags: [x, y]\n---\n正文。\n",
        },
    )


def _related_of_hub(site: Path) -> list[str]:
    section = (site / "notes/hub.html").read_text(encoding="utf-8").split('id="__related"')[1].split("</section>")[0]
    return re.findall(r'<li><a href="([\w-]+)\.html"', section)


def test_related_notes_that_tie_come_newest_first_whatever_their_titles(tmp_path: Path) -> None:
    """Newest first, then by file name: a title edit, which moves a note in the lists, leaves every note's related
    notes as they were, so the build takes them from the last one (see BuildCache.derived)."""
    from llmnotes.content import assemble

    root = tmp_path / "project"
    _tied_site(root, "Beta")
    assert _related_of_hub(build(root).output) == ["a", "b", "c"]
    made = []
    original = assemble.updated_related
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assemble, "updated_related", lambda *args: made.append(1) or original(*args))
        _tied_site(root, "Aardvark")  # first in the lists of 2020 now, but not among related notes
        assert _related_of_hub(build(root).output) == ["a", "b", "c"]
        assert made == []
        edit_tags = (root / "notes/c.md").read_text(encoding="utf-8").replace("[x, y]", "[x]")
        (root / "notes/c.md").write_text(edit_tags, encoding="utf-8")
        assert _related_of_hub(build(root).output) == ["a", "b"]
        assert made == [1]


def test_a_note_given_a_link_or_a_tag_works_out_again_only_the_notes_whose_pairs_with_it_changed(
    monkeypatch,
) -> None:
    """A note that gains a link changes its pair with the note linked to and no other: its tag-mates (500 notes at
    10,000) rank it as before. A tag gained reaches that tag's notes only, not the notes of its other tags; and a
    build that changed no note's tags, links or lineage (a body or title edit) ranks nothing."""
    import llmnotes.features.related as module

    asked: list[set[str] | None] = []
    whole = module.related_notes
    monkeypatch.setattr(
        module, "related_notes", lambda *a, only=None, **k: asked.append(only) or whole(*a, only=only, **k)
    )
    slugs = [f"n{number}" for number in range(10)]
    tags = [Tag("a", "a", ("n1", "n2", "n3", "n4")), Tag("b", "b", ("n1", "n2", "n5")), Tag("c", "c", ("n6", "n7"))]
    lineage = Lineage(parents={}, children={})
    before = module.updated_related(None, slugs, tags, {}, lineage)
    asked.clear()
    assert module.updated_related(before, slugs, tags, {}, lineage) is before and asked == []
    linked = {"n1": (resolved("n1", "n9"),)}
    after = module.updated_related(before, slugs, tags, linked, lineage)
    assert asked == [{"n1", "n9"}] and after == module.updated_related(None, slugs, tags, linked, lineage)
    asked.clear()
    tagged = [*tags[:2], Tag("c", "c", ("n1", "n6", "n7"))]
    again = module.updated_related(after, slugs, tagged, linked, lineage)
    assert asked == [{"n1", "n6", "n7"}] and again == module.updated_related(None, slugs, tagged, linked, lineage)
    assert [r.slug for r in after[1]["n1"]] == ["n2", "n9"] and after[1]["n9"][0].relations == ("linked_from",)
