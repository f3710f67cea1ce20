"""An edit that moves a note in the site's order (its title, year or date) patches the search index: documents are
numbered by output path, so the other documents keep their numbers and only the files holding what changed are
written again; the site is still a clean build's."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from llmnotes.emit import search_index
from llmnotes.engine.build import build
from llmnotes.features.search_format import ROOT
from sites import write_site
from test_incremental import OUTPUT, assert_equals_clean, edit, let_the_clock_tick

NOTES = 150


def corpus() -> dict[str, str]:
    """NOTES notes of one year, ordered by title as by path, each with a paragraph of English words and one of
    Chinese (whose every three characters in a row the phrase index holds)."""
    rng = random.Random(16)
    words = [f"w{''.join(rng.choices('abcdefghijklmnopqrstuvwxyz', k=rng.randint(3, 8)))}" for _ in range(2000)]
    chars = [chr(0x4E00 + number) for number in range(2000)]
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Numbering"\n'}
    for number in range(NOTES):
        english = " ".join(rng.choices(words, k=60))
        chinese = "".join(rng.choices(chars, k=40))
        files[f"notes/n{number:03}.md"] = (
            f'---\ntitle: "Note {number:03}"\nyear: 2020\ntags: [t{number % 7}]\n---\n\n{english}\n\n{chinese}。\n'
        )
    return files


def index_files_written(root: Path, relative: str, old: str, new: str) -> tuple[list[str], int]:
    """The search index's files the build after the edit writes, and how many the index has."""
    let_the_clock_tick()
    edit(root, relative, old, new)
    result = build(root)
    assert not result.quick  # a front-matter edit takes the full incremental way
    index = [path for path in (root / OUTPUT / ROOT).rglob("*") if path.is_file()]
    return sorted(path for path in result.changed if path.startswith(ROOT)), len(index)


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("notes/n149.md", '"Note 149"', '"A note renamed"'),  # from last in the site's order to first
        ("notes/n100.md", "year: 2020", "year: 2024"),  # from the 101st to the first
    ],
)
def test_an_edit_that_moves_a_note_in_the_site_order_rewrites_a_few_index_files(
    relative: str, old: str, new: str, tmp_path: Path
) -> None:
    root = write_site(tmp_path / "project", corpus())
    build(root)
    written, total = index_files_written(root, relative, old, new)
    assert total > 100  # token shards, display data, phrase files: numbering them afresh would rewrite most
    assert len(written) <= 8, written  # the manifest, the note's display data, the shards of the words it changed
    assert f"{ROOT}manifest.js" in written
    assert_equals_clean(root, tmp_path)


def test_a_rename_after_a_body_edit_patches_the_index_rather_than_making_it_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body edit takes the quick way (see engine.body_edits), which patches the index itself: the next edit's
    patch must start from the entries that one left, not from those before it."""
    root = write_site(tmp_path / "project", corpus())
    build(root)
    let_the_clock_tick()
    edit(root, "notes/n040.md", "。\n", "。补充一句。\n")
    assert build(root).quick
    made: list[int] = []
    whole = search_index.index_state
    monkeypatch.setattr(search_index, "index_state", lambda batches: made.append(1) or whole(batches))
    written, _ = index_files_written(root, "notes/n040.md", '"Note 040"', '"A note renamed"')
    assert made == []  # made afresh, it takes every document's entry again: a second at 10,000 notes
    assert len(written) <= 8, written
    assert_equals_clean(root, tmp_path)


def test_a_note_added_or_deleted_patches_the_index_rather_than_making_it_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents sit in slots that a note added or deleted does not move (but for the few next to its own): the
    index is patched, writing the files that hold the note's words, not made afresh (numbered 0 to n - 1 by path,
    every document after the new one moved, and every file of the index with it: 3.7 s of a 10,000-note add)."""
    root = write_site(tmp_path / "project", corpus())
    build(root)
    made: list[int] = []
    whole = search_index.index_state
    monkeypatch.setattr(search_index, "index_state", lambda batches: made.append(1) or whole(batches))
    before = len([path for path in (root / OUTPUT / ROOT).rglob("*") if path.is_file()])
    let_the_clock_tick()
    added = "---\ntitle: \"An added note\"\nyear: 2021\ntags: [t1]\n---\n\nwfresh words 新加的一段话。\n"
    write_site(root, {"notes/a-added.md": added})  # first by path: every document's number would move
    result = build(root)
    written = [path for path in result.changed if path.startswith(ROOT)]
    # patched: the files holding its words and trigrams (and those of a document whose slot it took, if any)
    assert made == [] and 0 < len(written) < before, (len(written), before)
    assert_equals_clean(root, tmp_path)  # (which makes the clean build's index afresh)
    made.clear()
    let_the_clock_tick()
    (root / "notes/a-added.md").unlink()
    result = build(root)
    written = [path for path in result.changed if path.startswith(ROOT)]
    assert made == [] and 0 < len(written) < before, (len(written), before)
    assert_equals_clean(root, tmp_path)


def test_a_deleted_notes_phrase_files_go_with_it_and_the_index_is_still_patched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a site written in English, a note with the site's first Chinese phrase makes the trigram file its
    trigrams fall in; deleting it again leaves that file with nothing to hold: the patch takes it away (as an index
    made afresh would not write it) instead of making the whole index again."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "English"\n'}
    for number in range(40):
        files[f"notes/e{number:02}.md"] = f'---\ntitle: "English note {number}"\n---\n\nPlain words, number {number}.\n'
    root = write_site(tmp_path / "project", files)
    build(root)
    made: list[int] = []
    whole = search_index.index_state
    monkeypatch.setattr(search_index, "index_state", lambda batches: made.append(1) or whole(batches))
    let_the_clock_tick()
    write_site(root, {"notes/chinese.md": '---\ntitle: "A Chinese note"\n---\n\n注意力机制。\n'})
    written = [path for path in build(root).changed if path.startswith(f"{ROOT}g/")]
    assert made == [] and written  # the phrase's file, made by the patch
    let_the_clock_tick()
    (root / "notes/chinese.md").unlink()
    gone = [path for path in build(root).changed if path.startswith(f"{ROOT}g/")]
    assert made == [] and gone == written and not any((root / OUTPUT / path).exists() for path in gone)
    assert_equals_clean(root, tmp_path)
