"""The same site on every platform: whichever way worker processes start, and from CRLF notes as from LF ones."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest

from llmnotes.engine import outputs, parallel
from llmnotes.engine.cache import CACHE_DIR
from llmnotes.tool_config import edit_url_for
from sites import run_cli, write_site

TOPICS = ["预训练", "RLHF", "retrieval", "对齐", "scaling"]


def many_notes(count: int) -> dict[str, str]:
    """A site big enough to give every stage work for several workers: linked notes, tags, a page, a typo'd link
    whose suggestion is worked out in the workers."""
    files = {
        "pyproject.toml": """
            [tool.llmnotes]
            title = "平台测试"
            language = "zh-CN"
            strict_links = false
            """,
        "pages/about.md": "---\ntitle: 关于\n---\n本站收录 [[note-0]] 等笔记。\n",
    }
    for number in range(count):
        files[f"notes/topic-{number % 3}/note-{number}.md"] = f"""
            ---
            title: "Note {number}: 模型 {number} 的笔记"
            year: {2015 + number % 9}
            tags: [{TOPICS[number % 5]}, {TOPICS[(number + 2) % 5]}]
            summary: 第 {number} 篇。
            ---
            ## 方法

            基于 [[note-{(number + 1) % count}]] 与 [[note-{(number * 7) % count}#方法]]，见 [[nte-{number}]]。

            ```python
            print({number})
            ```

            公式 $x^{number % 4}$ 与表格：

            | a | b |
            | - | - |
            | {number} | {number * 2} |
            """
    return files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Small sites use workers too, and the start methods of the pools the build made are recorded."""
    methods: list[str] = []
    get_context = multiprocessing.get_context

    def recording(method: str | None = None):  # type: ignore[no-untyped-def]
        methods.append(str(method))
        return get_context(method)

    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    monkeypatch.setattr(outputs, "worker_setup", lambda context: 0)  # nor do they wait for a larger edit
    monkeypatch.setattr(parallel.multiprocessing, "get_context", recording)
    yield methods


METHODS = [method for method in parallel.START_METHODS if method in multiprocessing.get_all_start_methods()]


def test_every_start_method_builds_the_same_bytes(
    tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = write_site(tmp_path / "proj", many_notes(24))
    sites = {}
    for method in METHODS:
        monkeypatch.setenv(parallel.START_METHOD_SETTING, method)
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)  # a cold build: every note parsed, every page rendered
        started.clear()
        # a test process with other threads (a browser driver's, from earlier tests) is never forked
        expected = "forkserver" if method == "fork" and parallel._has_other_threads() else method
        code, _, err = run_cli(root, "--out", str(tmp_path / method), capsys=capsys)
        assert code == 0 and 'did you mean "note-0"' in err, err  # the typo'd links' warnings, worked out by workers
        assert started and set(started) == {expected}, f"{method}: the build started no workers that way"
        sites[method] = tree(tmp_path / method)
    assert len(sites["fork" if "fork" in sites else "spawn"]) > 50
    for method, site in sites.items():
        assert site == sites[METHODS[0]], f"{method} built other bytes than {METHODS[0]}"


def test_an_incremental_build_under_spawn_equals_a_clean_one(
    tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(parallel.START_METHOD_SETTING, "spawn")
    files = many_notes(16)
    root = write_site(tmp_path / "proj", files)
    assert run_cli(root, capsys=capsys)[0] == 0
    (root / "notes/topic-1/note-4.md").write_text(
        (root / "notes/topic-1/note-4.md").read_text(encoding="utf-8").replace("RLHF", "检索"), encoding="utf-8"
    )
    started.clear()
    assert run_cli(root, capsys=capsys)[0] == 0
    assert set(started) == {"spawn"}
    clean = write_site(tmp_path / "clean", files)
    shutil.copy(root / "notes/topic-1/note-4.md", clean / "notes/topic-1/note-4.md")
    shutil.copystat(root / "notes/topic-1/note-4.md", clean / "notes/topic-1/note-4.md")
    assert run_cli(clean, capsys=capsys)[0] == 0
    assert tree(root / "site") == tree(clean / "site")


def test_crlf_notes_build_the_same_site_as_lf_notes(tmp_path: Path, capsys) -> None:
    files = many_notes(6)
    lf = write_site(tmp_path / "lf", files)
    crlf = write_site(tmp_path / "crlf", files)
    for path in crlf.rglob("*.md"):
        text = path.read_bytes()
        assert b"\r" not in text
        path.write_bytes(text.replace(b"\n", b"\r\n"))
    lf_code, _, lf_warnings = run_cli(lf, capsys=capsys)
    crlf_code, _, crlf_warnings = run_cli(crlf, capsys=capsys)
    assert lf_code == crlf_code == 0
    assert "note-0.md:9:33: warning: broken link [[nte-0]]" in lf_warnings
    assert crlf_warnings == lf_warnings  # the same lines and columns
    lf_site, crlf_site = tree(lf / "site"), tree(crlf / "site")
    assert len(lf_site) > 20
    assert crlf_site == lf_site
    assert not [path for path, content in crlf_site.items() if b"\r" in content]


def test_an_unknown_start_method_is_refused_with_the_choices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = write_site(tmp_path / "proj", many_notes(3))
    monkeypatch.setenv(parallel.START_METHOD_SETTING, "thread")
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 2
    assert "LLMNOTES_START_METHOD='thread'" in err and "fork, spawn, forkserver" in err
    assert "Traceback" not in err
    assert not (root / "site").exists()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this system")
def test_a_process_with_threads_never_forks_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.START_METHOD_SETTING, "fork")
    if parallel._has_other_threads():
        pytest.skip("another test left a thread running in this process")
    assert parallel.start_method() == "fork"
    stop = threading.Event()
    watcher = threading.Thread(target=stop.wait)  # as `llmnotes serve` runs its server and watcher
    watcher.start()
    try:
        assert parallel.start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        watcher.join()


def test_edit_links_use_url_slashes_for_a_windows_notes_folder() -> None:
    folder = str(PureWindowsPath("docs") / "notes")  # a notes_dir written on Windows: docs\notes
    assert edit_url_for("https://github.com/me/notes", folder) == "https://github.com/me/notes/edit/main/docs/notes/"


@pytest.mark.skipif("fork" not in METHODS, reason="workers cannot be forked here")
def test_a_title_edit_renders_the_pages_that_list_every_note_in_forked_workers(tmp_path: Path, capsys) -> None:
    """A title edit renders a handful of outputs, too few for workers by count, but among them the pages that list
    every note (the timeline, the tag index, the lineage map, the feed), which take in proportion to the site: with
    workers forked, which start without being sent the site, those go to two workers at once."""
    if parallel._has_other_threads():
        pytest.skip("a process with other threads is never forked")
    if os.environ.get(parallel.START_METHOD_SETTING):
        pytest.skip("with a start method set, the suite gives every step of a build workers (see conftest.py)")
    root = write_site(tmp_path / "proj", many_notes(24))
    assert run_cli(root, capsys=capsys)[0] == 0
    pool_sizes: list[int] = []
    start_pool = multiprocessing.pool.Pool.__init__

    def counted(self, processes=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        pool_sizes.append(processes)
        start_pool(self, processes, *args, **kwargs)

    note = root / "notes/topic-0/note-3.md"
    note.write_text(note.read_text(encoding="utf-8").replace('title: "', 'title: "改名 ', 1), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(multiprocessing.pool.Pool, "__init__", counted)
        assert run_cli(root, capsys=capsys)[0] == 0
    assert pool_sizes == [2]
    assert "改名" in (root / "site/timeline.html").read_text(encoding="utf-8")


def _square_noted(job: tuple[int, str]) -> int:
    number, folder = job
    Path(folder, str(number)).touch()
    return number * number


def test_workers_work_while_the_caller_goes_on_and_end_when_it_stops_asking(
    tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build keys ten thousand note pages while workers render the pages that list every note: run_all's
    workers start at once, not at the first result, and closing the results early leaves no process behind."""
    monkeypatch.setenv(parallel.START_METHOD_SETTING, "spawn")  # whatever threads the test process runs
    jobs = [(number, str(tmp_path)) for number in range(8)]
    results = parallel.run_all(_square_noted, jobs, chunk=1)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < len(jobs) and time.monotonic() < deadline:
        time.sleep(0.05)  # the caller's own work, asking nothing of `results`
    assert len(list(tmp_path.iterdir())) == len(jobs), "the workers waited to be asked"
    assert list(results) == [number * number for number in range(8)]
    assert started == ["spawn"] and not multiprocessing.active_children()
    results = parallel.run_all(_square_noted, jobs, chunk=1)
    assert next(results) == 0
    results.close()
    assert not multiprocessing.active_children()


def test_workers_that_must_be_sent_the_site_start_only_for_work_that_repays_it(
    tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server runs threads, so its workers are spawned (or forked from a forkserver) and sent the site, which
    costs as much as rendering hundreds of pages at 10,000 notes: fewer outputs than that render in the server's
    own process. Forked workers, which are sent nothing, start as before."""
    jobs = [(number, str(tmp_path)) for number in range(8)]
    monkeypatch.setenv(parallel.START_METHOD_SETTING, "spawn")
    assert list(parallel.run_all(_square_noted, jobs, chunk=1, sending=4)) == [n * n for n in range(8)]
    assert started == [], "two workers that each first cost 4 items would finish 8 items no sooner"
    assert list(parallel.run_all(_square_noted, jobs, chunk=1, sending=3)) == [n * n for n in range(8)]
    assert started == ["spawn"]
    if "fork" in multiprocessing.get_all_start_methods():
        monkeypatch.setenv(parallel.START_METHOD_SETTING, "fork")
        monkeypatch.setattr(parallel, "_has_other_threads", lambda: False)
        assert list(parallel.run_all(_square_noted, jobs, chunk=1, sending=100)) == [n * n for n in range(8)]
        assert started == ["spawn", "fork"]


def test_an_error_in_a_worker_is_told_though_its_pool_cannot_be_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython's Pool.terminate can wait for ever on a lock a killed worker held (seen once in CI); the build must
    still stop and tell its error."""

    class StuckPool:
        terminated = threading.Event()

        def __enter__(self) -> StuckPool:
            return self

        def __exit__(self, *_: object) -> None:  # as Pool's: terminate
            self.terminate()

        def terminate(self) -> None:
            self.terminated.set()
            threading.Event().wait()  # as the task thread waits for the lock the killed worker held

    def failing() -> Iterator[list[int]]:
        yield [1, 2]
        raise TypeError("an error in llmnotes' own code, in a worker")

    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.1)
    outcome: list[object] = []

    def consume() -> None:
        try:
            outcome.append(list(parallel._taken(StuckPool(), failing(), iter(()))))
        except TypeError as error:
            outcome.append(error)

    consuming = threading.Thread(target=consume, daemon=True)
    consuming.start()
    consuming.join(30)
    assert not consuming.is_alive(), "the build waited for ever on a pool that could not be stopped"
    assert StuckPool.terminated.is_set() and isinstance(outcome[0], TypeError)


@pytest.mark.parametrize("method", [method for method in ("fork", "spawn") if method in METHODS])
def test_an_index_patch_too_large_for_the_workers_is_made_in_pieces_and_equals_a_clean_build(
    method: str, tmp_path: Path, started: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The workers patch the search index while this process keys the note pages; an edit of more notes than a
    patch takes (search_patch.MAX_PATCHED) sends the index back, and it is made afresh in pieces, over workers."""
    from llmnotes.emit import search_index
    from llmnotes.features.search_patch import MAX_PATCHED

    monkeypatch.setenv(parallel.START_METHOD_SETTING, method)
    files = many_notes(MAX_PATCHED + 6)
    root = write_site(tmp_path / "proj", files)
    assert run_cli(root, capsys=capsys)[0] == 0
    for path in sorted((root / "notes").rglob("*.md"))[: MAX_PATCHED + 2]:
        path.write_text(path.read_text(encoding="utf-8") + "\n又读了一遍。\n", encoding="utf-8")
    made_in_pieces: list[int] = []
    pieces = search_index.IndexJob.pieces
    monkeypatch.setattr(search_index.IndexJob, "pieces", lambda job: made_in_pieces.append(1) or pieces(job))
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    assert made_in_pieces == [1]
    clean = tmp_path / "clean"
    shutil.copytree(root / "notes", clean / "notes")
    shutil.copytree(root / "pages", clean / "pages")
    shutil.copy(root / "pyproject.toml", clean / "pyproject.toml")
    assert run_cli(clean, capsys=capsys)[0] == 0
    assert tree(root / "site") == tree(clean / "site")
