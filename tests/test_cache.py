"""The build cache: what a rebuild redoes, what it trusts, and that a bad cache never breaks a build."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from llmnotes.engine.build import build
from llmnotes.engine.cache import CACHE_DIR, BuildCache, BuildState, CacheMemory, Store, code_digest
from llmnotes.engine.progress import ProgressBar
from sites import run_cli, write_site


def small_site(root: Path) -> Path:
    return write_site(
        root,
        {
            "pyproject.toml": '[tool.llmnotes]\ntitle = "Cache test"\n',
            "notes/a.md": "---\ntitle: Alpha\nyear: 2020\ntags: [x, y]\n---\nAlpha links to [[b]].\n",
            "notes/b.md": "---\ntitle: Beta\nyear: 2021\ntags: [x]\n---\nBeta body.\n",
            "notes/c.md": "---\ntitle: Gamma\nyear: 2022\ntags: [z]\n---\nGamma stands alone.\n",
        },
    )


def test_a_build_with_nothing_changed_renders_and_writes_nothing(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    first = build(root)
    second = build(root)
    assert first.rendered > 0 and first.written == first.pages
    assert (second.rendered, second.written) == (0, 0)
    assert second.pages == first.pages and second.notes == 3


def test_a_body_edit_renders_its_page_and_what_shows_its_text_only(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    first = build(root)
    note = root / "notes/c.md"
    note.write_text(note.read_text() + "\nA new sentence.\n")
    second = build(root)
    assert "A new sentence." in (root / "site/notes/c.html").read_text()
    # Gamma's page and the search index; not the home page, tag pages or the other notes
    assert 0 < second.rendered <= 3 < first.rendered
    assert second.written < 10


def test_a_same_size_edit_within_the_same_second_is_still_seen(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    note = root / "notes/c.md"
    before = note.stat()
    note.write_text(note.read_text().replace("Gamma stands alone.", "Gamma stands ALONE."))
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, inode and time: only bytes differ
    build(root)
    assert "Gamma stands ALONE." in (root / "site/notes/c.html").read_text()


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    for path in (root / CACHE_DIR).glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    (root / "notes/c.md").write_text("---\ntitle: Gamma 2\n---\nChanged.\n")
    result = build(root)
    assert result.rendered > 0
    assert "Gamma 2" in (root / "site/notes/c.html").read_text()


def test_a_file_changed_in_the_site_by_hand_is_put_back(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    page = root / "site/notes/b.html"
    original = page.read_bytes()
    page.write_text("edited by hand")
    result = build(root)
    assert page.read_bytes() == original
    assert result.written == 1


def test_a_file_the_build_no_longer_makes_is_removed(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    assert (root / "site/notes/c.html").exists() and (root / "site/tags/z.html").exists()
    (root / "notes/c.md").unlink()
    build(root)
    assert not (root / "site/notes/c.html").exists()
    assert not (root / "site/tags/z.html").exists()
    assert not (root / "site/notes/c.bib").exists()


def test_a_failed_rebuild_changes_nothing_and_the_next_one_recovers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = small_site(tmp_path)
    build(root)
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "notes/a.md").write_text("---\ntitle: Alpha\n---\nNow links to [[nowhere]].\n")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and "nowhere" in err
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    (root / "notes/a.md").write_text("---\ntitle: Alpha\n---\nLinks to [[c]] now.\n")
    code, _, _ = run_cli(root, capsys=capsys)
    assert code == 0
    assert "Gamma" in (root / "site/notes/a.html").read_text()


def test_the_cli_says_when_nothing_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = small_site(tmp_path)
    _, first, _ = run_cli(root, capsys=capsys)
    _, second, _ = run_cli(root, capsys=capsys)
    assert "nothing changed" not in first
    assert "nothing changed" in second


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_and_erases_itself(tmp_path: Path) -> None:
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, delay=0)
    build(small_site(tmp_path), progress=bar)
    drawn = terminal.getvalue()
    assert "parsing" in drawn and "] 3/3" in drawn  # three notes parsed
    assert "rendering" in drawn and "linking" in drawn
    bar.close()
    assert terminal.getvalue().endswith("\r\033[K")


def test_the_progress_bar_waits_a_second_and_stays_off_when_not_a_terminal(tmp_path: Path) -> None:
    patient = FakeTerminal()
    build(small_site(tmp_path / "a"), progress=ProgressBar(patient))  # a quick build: under the one-second delay
    assert patient.getvalue() == ""
    piped = io.StringIO()
    build(small_site(tmp_path / "b"), progress=ProgressBar(piped, delay=0))
    assert piped.getvalue() == ""


def test_quiet_and_piped_builds_print_no_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(small_site(tmp_path), "-q", capsys=capsys)
    assert (code, out, err) == (0, "", "")


def test_a_store_writes_small_changes_apart_and_merges_them_when_they_grow(tmp_path: Path) -> None:
    def opened() -> Store:
        cache = BuildCache(tmp_path, ("settings",))
        cache.previous = BuildState(code=code_digest(), settings=("settings",))  # as after a successful build
        return Store(cache, "things")

    (tmp_path / CACHE_DIR).mkdir()
    store = opened()
    for number in range(1000):
        store.put(f"k{number}", number)
    store.save()
    base = tmp_path / CACHE_DIR / "things.pickle"
    changes = tmp_path / CACHE_DIR / "things-changes.pickle"
    base_bytes = base.read_bytes()
    store = opened()
    store.put("k1", "one")
    store.save()
    assert base.read_bytes() == base_bytes and changes.exists()  # one change: the base file is left alone
    store = opened()
    assert (store.get("k1"), store.get("k2")) == ("one", 2)
    for number in range(200):  # past a tenth of the base: merged into a new base of what this build used
        store.put(f"new{number}", number)
    store.save()
    assert not changes.exists()
    store = opened()
    assert (store.get("k1"), store.get("k2"), store.get("new5"), store.get("k3")) == ("one", 2, 5, None)
    for number in range(200):  # a patch of the search index asks for the few entries it changes, and drops none
        store.put(f"patched{number}", number)
    store.save(collect=False)
    assert not changes.exists()
    store = opened()
    assert (store.get("patched7"), store.get("new6"), store.get("new150")) == (7, 6, 150)  # asked for by none


def test_a_touched_but_unchanged_note_builds_nothing(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    note = root / "notes/b.md"
    note.write_bytes(note.read_bytes())  # saved again with the same bytes: a new time, nothing new to show
    result = build(root)
    assert (result.rendered, result.written) == (0, 0)


def test_changing_the_raw_html_policy_parses_the_notes_again(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    (root / "notes/c.md").write_text('---\ntitle: Gamma\n---\nSome <kbd title="t" onclick="go()">Ctrl</kbd> here.\n')
    build(root)
    assert '<kbd title="t">Ctrl</kbd>' in (root / "site/notes/c.html").read_text()  # sanitized, the default
    (root / "pyproject.toml").write_text('[tool.llmnotes]\ntitle = "Cache test"\nraw_html = "escape"\n')
    build(root)
    assert "&lt;kbd title=" in (root / "site/notes/c.html").read_text()
    (root / "pyproject.toml").write_text('[tool.llmnotes]\ntitle = "Cache test"\nraw_html = "allow"\n')
    build(root)
    assert '<kbd title="t" onclick="go()">Ctrl</kbd>' in (root / "site/notes/c.html").read_text()


def count_cache_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of each file the build cache reads (state, parsed, search...)."""
    read: list[str] = []
    load = BuildCache._load

    def counted(self: BuildCache, name: str, kind: type) -> object:
        read.append(name)
        return load(self, name, kind)

    monkeypatch.setattr(BuildCache, "_load", counted)
    return read


def test_a_server_keeps_the_cache_in_memory_until_another_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` builds again and again in one process: the state and stores its last build saved are not read back
    from disk, unless a build elsewhere (another terminal) replaced them."""
    root = small_site(tmp_path / "site")
    read = count_cache_reads(monkeypatch)
    memory = CacheMemory()
    build(root, memory=memory)
    for number, title in enumerate(["Beta two", "Beta three"]):
        read.clear()
        (root / "notes/b.md").write_text(f"---\ntitle: {title}\nyear: 2021\ntags: [x]\n---\nBeta {number}.\n")
        build(root, memory=memory)
        assert "state" not in read and "parsed" not in read, "the server read back what it had just saved"
        assert f"{title}</a>" in (root / "site/notes/a.html").read_text(encoding="utf-8")
    (root / "notes/c.md").write_text("---\ntitle: Gamma two\nyear: 2022\ntags: [z]\n---\nGamma.\n")
    build(root)  # another process
    read.clear()
    (root / "notes/a.md").write_text("---\ntitle: Alpha two\nyear: 2020\ntags: [x, y]\n---\nAlpha, [[c]].\n")
    build(root, memory=memory)
    assert "state" in read, "a state another process saved was not read"
    clean = tmp_path / "clean"
    build(root, output=clean)
    for page in ("notes/a.html", "notes/c.html", "index.html"):
        assert (root / "site" / page).read_bytes() == (clean / page).read_bytes()


def test_a_server_reads_the_stores_ahead_and_its_first_full_edit_reads_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` reads the parsed notes, search entries, related notes, card keys and the partials of the pages that
    list every note once its first build is done (they took half a second of the first title edit at 10,000
    notes): the first edit that takes the full way reads no store, only the partials of the few tag and year
    pages it renders, and builds what a clean build does."""
    from llmnotes.emit import fragments
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # rendered in this process, as in a server
    root = small_site(tmp_path / "site")
    build(root)
    monkeypatch.setattr(fragments, "_KNOWN", {})  # as in a new process
    read = count_cache_reads(monkeypatch)
    load = fragments.load_pickle
    def counted(path: Path, kind: type) -> object:
        read.append("all partials" if path.name.endswith(f"{fragments.LISTS_ALL}.pickle") else "partials")
        return load(path, kind)

    monkeypatch.setattr(fragments, "load_pickle", counted)
    memory = CacheMemory()
    assert build(root, memory=memory).rendered == 0  # the server's first build: nothing to do, nothing loaded
    assert not {"parsed", "search", "related", "cards", "all partials"} & set(read)
    memory.preload()
    fragments.read_ahead(root / CACHE_DIR / fragments.FRAGMENTS)
    assert {"parsed", "search", "related", "cards", "all partials"} <= set(read)
    assert "partials" not in read, "a tag's or a year's page: rendered by few edits, not read ahead"
    read.clear()
    (root / "notes/b.md").write_text("---\ntitle: Beta two\nyear: 2021\ntags: [x]\n---\nBeta body.\n")
    build(root, memory=memory)
    assert set(read) <= {"partials"}, "the first full edit read what the server had read ahead"
    clean = tmp_path / "clean"
    build(root, output=clean)
    for page in ("notes/a.html", "notes/b.html", "index.html", "tags/x.html"):
        assert (root / "site" / page).read_bytes() == (clean / page).read_bytes()


def test_a_server_shows_a_build_before_it_saves_the_cache(tmp_path: Path) -> None:
    """`serve` sends the reload as soon as the site is written and saves the cache after: a memory made to save
    later leaves the state unsaved until `finish_saving`, and a build started before then saves it first, so that
    each build still starts from the last one and equals a clean build."""
    root = small_site(tmp_path / "site")
    state_file = root / CACHE_DIR / "state.pickle"
    memory = CacheMemory(save_later=True)
    build(root, memory=memory)
    assert (root / "site/notes/b.html").is_file() and not state_file.exists()
    memory.finish_saving()
    assert state_file.is_file()
    for title in ("Beta two", "Beta three"):  # the second build saves the first's cache before it starts
        (root / "notes/b.md").write_text(f"---\ntitle: {title}\nyear: 2021\ntags: [x]\n---\nBeta body.\n")
        result = build(root, memory=memory)
        assert result.rendered and f"{title}</a>" in (root / "site/notes/a.html").read_text(encoding="utf-8")
    memory.finish_saving()
    assert build(root).rendered == 0, "another process found the cache as the server's last build left it"
    clean = tmp_path / "clean"
    build(root, output=clean)
    for page in ("notes/a.html", "notes/b.html", "index.html", "tags/x.html"):
        assert (root / "site" / page).read_bytes() == (clean / page).read_bytes()


def test_a_server_keeps_the_partials_of_the_pages_that_list_every_note_in_memory_and_writes_them_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timeline and the tag index keep the partials they render in a file each (see FragmentFile): a server
    takes them from memory instead of reading them back (the timeline's are 17 MB at 10,000 notes), and writes the
    new ones after the page has reloaded, with the rest of the cache."""
    from llmnotes.emit import fragments
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # rendered in this process, as in a server
    root = small_site(tmp_path / "site")
    memory = CacheMemory(save_later=True)
    build(root, memory=memory)
    memory.finish_saving()
    folder = root / CACHE_DIR / fragments.FRAGMENTS
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert len(before) >= 2, "the timeline and the tag index keep their partials"
    read: list[Path] = []
    load = fragments.load_pickle
    monkeypatch.setattr(fragments, "load_pickle", lambda path, kind: read.append(path) or load(path, kind))
    (root / "notes/b.md").write_text("---\ntitle: Beta two\nyear: 2021\ntags: [x]\n---\nBeta body.\n")
    build(root, memory=memory)
    assert "Beta two" in (root / "site/timeline.html").read_text(encoding="utf-8")
    assert read == [], "the partials came from memory"
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before, "written after, not before"
    memory.finish_saving()
    written = [path.name for path in folder.iterdir() if before.get(path.name) != path.read_bytes()]
    assert written, "the partials that changed are written with the rest of the cache"
    monkeypatch.undo()
    assert build(root).rendered == 0, "another process finds the cache as the server's last build left it"
    clean = tmp_path / "clean"
    build(root, output=clean)
    for page in ("timeline.html", "tags/index.html", "notes/a.html"):
        assert (root / "site" / page).read_bytes() == (clean / page).read_bytes()


def test_a_note_added_to_a_crowded_tag_renders_a_few_outputs_not_every_note_with_the_tag(tmp_path: Path) -> None:
    """A card shows a note's tags by name, not by count: a note joining a tag of forty leaves their pages alone."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Crowded tag"\n'}
    for number in range(40):
        text = f"---\ntitle: Note {number}\nyear: 2020\ntags: [shared]\n---\nBody {number}.\n"
        files[f"notes/n{number:02}.md"] = text
    root = write_site(tmp_path, files)
    build(root)
    (root / "notes/added.md").write_text("---\ntitle: Added\nyear: 2019\ntags: [shared]\n---\nNew.\n", "utf-8")
    result = build(root)
    assert "Added" in (root / "site/tags/shared.html").read_text(encoding="utf-8")
    assert result.rendered < 20, f"{result.rendered} outputs rendered for one note added"


def test_edits_to_an_output_of_many_files_save_the_files_that_changed_not_all_of_them(tmp_path: Path) -> None:
    # The search index is one output of thousands of files; each body edit patches a few of them.
    settings = ("settings",)
    files = tuple((f"static/search/t/{number}.js", f"digest-{number}") for number in range(500))
    state = BuildState(code=code_digest(), settings=settings, outputs={"static/search/": ("key-0", files)})
    BuildCache(tmp_path, settings).save(state)
    expected = dict(files)
    for edit in range(1, 4):
        cache = BuildCache(tmp_path, settings)
        current = dict(cache.previous.outputs["static/search/"][1])
        current[f"static/search/t/{edit}.js"] = f"edited-{edit}"  # a shard patched
        current.pop(f"static/search/t/{100 + edit}.js")  # a shard emptied
        current[f"static/search/t/new-{edit}.js"] = "added"  # a shard split off
        expected = current
        new = BuildState(
            **{**vars_of(cache.previous), "outputs": {"static/search/": (f"key-{edit}", tuple(current.items()))}}
        )
        cache.save_changes(new)
        saved = (tmp_path / CACHE_DIR / "state-changes.pickle").stat().st_size
        assert saved < 2_000  # the whole output's list of files pickles to over 15 kB
    loaded = BuildCache(tmp_path, settings).previous.outputs["static/search/"]
    assert loaded == ("key-3", tuple(expected.items()))


def vars_of(state: BuildState) -> dict:
    return {name: getattr(state, name) for name in BuildState.__dataclass_fields__}


def test_a_server_told_which_files_changed_looks_at_those_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve` passes every file its watcher saw change: notes saved, added (in a new folder too) or deleted and the
    project's own templates need no look at every other input (a full scan is 0.07 s at 10,000 notes); anything
    else (an asset, docsify's sidebar, a folder gone) takes the full look. Each build is the clean build's."""
    import llmnotes.engine.build as engine
    from llmnotes.config import builtin_theme

    root = small_site(tmp_path / "site")
    template = root / "templates/tag.html"
    template.parent.mkdir()
    template.write_text((builtin_theme() / "tag.html").read_text(encoding="utf-8"), encoding="utf-8")
    memory = CacheMemory()
    build(root, memory=memory)
    scans: list[int] = []
    scan = engine.scan_inputs
    monkeypatch.setattr(engine, "scan_inputs", lambda *args: scans.append(1) or scan(*args))
    full_scans: list[str] = []

    def built_as_clean(*changed: Path) -> None:
        scans.clear()
        build(root, memory=memory, seen_changed=[str(path) for path in changed])
        full_scans.extend([step] if scans else [])
        copy = tmp_path / f"clean-{step}"  # a build of the project itself would write the cache the server keeps
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site", CACHE_DIR))
        clean = build(copy).output
        for page in sorted(clean.rglob("*")):
            if page.is_file() and page.name != ".llmnotes-site":
                here = root / "site" / page.relative_to(clean)
                assert here.read_bytes() == page.read_bytes(), f"{step}: {here} is not the clean build's"
        assert sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*")) == sorted(
            p.relative_to(clean) for p in clean.rglob("*")
        ), step

    note = root / "notes/b.md"
    step = "saved"
    note.write_text(note.read_text(encoding="utf-8").replace("Beta body.", "Beta body, edited."), encoding="utf-8")
    built_as_clean(note)
    step = "retitled"
    note.write_text(note.read_text(encoding="utf-8").replace("title: Beta", "title: Beta renamed"), encoding="utf-8")
    built_as_clean(note)
    assert "Beta renamed</a>" in (root / "site/notes/a.html").read_text(encoding="utf-8")
    step = "added"
    added = root / "notes/more/d.md"
    added.parent.mkdir()
    added.write_text("---\ntitle: Delta\nyear: 2023\ntags: [x]\n---\nDelta links to [[a]].\n", encoding="utf-8")
    (root / "notes/more/e.md").write_text("---\ntitle: Epsilon\nyear: 2023\n---\nEpsilon.\n", encoding="utf-8")
    built_as_clean(added, root / "notes/more/e.md", root / "notes/more/4913.md")  # and an editor's probe, gone
    assert "Delta</a>" in (root / "site/notes/a.html").read_text(encoding="utf-8")
    step = "template"
    text = template.read_text(encoding="utf-8")
    at = text.rindex("{% endblock %}")
    template.write_text(text[:at] + "<!-- edited tag page -->\n" + text[at:], encoding="utf-8")
    built_as_clean(template)
    assert "<!-- edited tag page -->" in (root / "site/tags/x.html").read_text(encoding="utf-8")
    step = "moved"
    moved = root / "notes/d.md"
    added.rename(moved)
    built_as_clean(added, moved)
    step = "deleted"
    moved.unlink()
    built_as_clean(moved)
    assert not (root / "site/notes/d.html").exists()
    assert full_scans == []
    step = "asset"
    figure = root / "notes/figure.png"
    figure.write_bytes(b"\x89PNG")
    built_as_clean(figure)
    step = "sidebar"
    sidebar = root / "notes/_sidebar.md"
    sidebar.write_text("* [Alpha](a.md)\n", encoding="utf-8")
    built_as_clean(sidebar)
    step = "sidebar gone"
    sidebar.unlink()
    built_as_clean(sidebar)
    step = "folder"
    shutil.rmtree(root / "notes/more")
    built_as_clean(root / "notes/more")
    step = "a folder named like a note"
    odd = root / "notes/archive.md"
    odd.mkdir()
    (odd / "z.md").write_text("---\ntitle: Zeta\nyear: 2018\n---\nZeta.\n", encoding="utf-8")
    built_as_clean(odd, odd / "z.md")
    step = "that folder gone"
    shutil.rmtree(odd)
    built_as_clean(odd)  # its note's file is not named: the watcher may see the folder alone go
    assert full_scans == ["asset", "sidebar", "sidebar gone", "folder", "that folder gone"]


def test_a_server_takes_no_page_whole_with_the_side_navigation_of_a_folder_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site with one folder shows the tree beside every page; once the folder is gone no page shows one. A server
    took the unchanged pages whole from its last build, with their trees."""
    from llmnotes.emit import context

    monkeypatch.setattr(context, "CHECK_CARRIED", False)  # which would make every page's key afresh
    root = small_site(tmp_path / "site")
    folder = root / "notes/more"
    folder.mkdir()
    (folder / "e.md").write_text("---\ntitle: Epsilon\nyear: 2019\n---\nEpsilon.\n", encoding="utf-8")
    memory = CacheMemory()
    build(root, memory=memory)
    assert 'id="site-tree"' in (root / "site/notes/b.html").read_text(encoding="utf-8")
    shutil.rmtree(folder)
    build(root, memory=memory)
    assert 'id="site-tree"' not in (root / "site/notes/b.html").read_text(encoding="utf-8")
    clean = build(root, output=tmp_path / "clean").output
    for page in ("notes/a.html", "notes/b.html", "notes/c.html", "index.html"):
        assert (root / "site" / page).read_bytes() == (clean / page).read_bytes(), page


def test_a_build_deletes_what_earlier_versions_kept_in_the_cache_and_this_one_does_not_read(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    build(root)
    retired = root / CACHE_DIR / "search-postings.pickle"  # 55 MB at 10,000 notes, left by an older llmnotes
    retired.write_bytes(b"postings an older llmnotes kept")
    (root / "notes" / "d.md").write_text("---\ntitle: Delta\nyear: 2023\n---\nDelta.\n", encoding="utf-8")
    build(root)
    assert not retired.exists()
    assert (root / CACHE_DIR / "state.pickle").is_file()


def test_templates_are_compiled_once_and_again_only_when_their_text_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja's compiled templates stay in the cache: a title edit compiles nothing; the site's own edited template
    is compiled again and shows, and another llmnotes's compiled templates go; a cache folder that cannot be written
    costs compiling only."""
    import jinja2

    root = small_site(tmp_path)
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(
        self: jinja2.Environment, source: str, name: str | None = None, *more: object, **named: object
    ) -> object:
        compiled.append(name or "")
        return compile_template(self, source, name, *more, **named)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    build(root)
    assert "note.html" in compiled
    compiled.clear()
    note = root / "notes/c.md"
    note.write_text(note.read_text().replace("Gamma", "Gamma ray"))
    assert build(root).rendered
    assert compiled == []
    assert "Gamma ray" in (root / "site/notes/c.html").read_text()
    builtin = Path(__file__).parent.parent / "templates" / "note.html"
    own = root / "templates" / "note.html"
    own.parent.mkdir()
    own.write_text(builtin.read_text().replace("</article>", "<p>own note template</p></article>", 1))
    folder = root / CACHE_DIR / "templates"
    another = folder / "0123456789abcdef-__jinja2_note.cache"  # compiled by another llmnotes
    another.write_bytes(b"another llmnotes's bytecode")
    build(root)
    assert compiled == ["note.html"]
    assert not another.exists() and len(list(folder.iterdir())) > 1
    assert "own note template" in (root / "site/notes/c.html").read_text()
    compiled.clear()
    shutil.rmtree(folder)
    folder.write_text("a file where the folder of compiled templates goes")  # so that nothing can be kept there
    note.write_text(note.read_text().replace("Gamma ray", "Gamma rays"))
    assert build(root).rendered
    assert "note.html" in compiled and "own note template" in (root / "site/notes/c.html").read_text()


def test_notes_links_and_headings_come_back_from_the_cache_equal_and_still_frozen() -> None:
    import dataclasses
    import pickle

    from llmnotes.model import Heading, Link, Note, ParsedNote

    note = Note("notes/a.md", "a", "Alpha", "", 3, authors=("Ada",), year=2021, tags=("x", "y"), extra={"k": [1]})
    link = Link("wiki", "b", "method", None, 4, 2, "See b.", 0)
    parsed = ParsedNote(note, b"<p>Alpha</p>", (Heading(2, "Method", "method"),), (link,), lead="Alpha")
    back = pickle.loads(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == parsed and back.note.extra == {"k": [1]} and back.links[0].fragment == "method"
    assert hash(back.links[0]) == hash(link)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.note.title = "Changed"  # type: ignore[misc]


def test_a_carried_value_is_saved_as_its_changes_only_while_they_are_few_of_its_entries(tmp_path: Path) -> None:
    """Carried values (card keys, the hints of broken links, the side navigation) are saved as the entries that
    changed, beside the file, when those are few; a value whose entries mostly changed is saved whole, so the next
    build reads one file, not a second as large."""

    def saved(name: str, value: dict) -> tuple[dict, bool]:
        cache = BuildCache(tmp_path, ("settings",))
        last, filled = cache.carried(name, "key")
        filled.update(value)
        cache._save_derived()
        return last, (tmp_path / CACHE_DIR / f"{name}-changes.pickle").exists()

    (tmp_path / CACHE_DIR).mkdir()
    many = {f"k{number}": number for number in range(1000)}
    assert saved("many", many) == ({}, False)
    assert saved("many", {**many, "k1": "one"}) == (many, True)  # one entry of 1,000: beside the file
    assert saved("many", many)[0] == {**many, "k1": "one"}
    one = {"index": list(range(1000))}
    assert saved("one", one) == ({}, False)
    assert saved("one", {"index": [1]}) == (one, False)  # its only entry changed: whole
    assert saved("one", one)[0] == {"index": [1]}
