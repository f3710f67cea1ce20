"""A note's written and updated dates: from git history (renames followed), else the file system; front matter wins."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from llmnotes.engine import history
from llmnotes.engine.build import build
from sites import write_site

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

NOTE = "---\ntitle: Alpha\nyear: 2020\n---\nFirst words.\n"
OTHER = "---\ntitle: Beta\nyear: 2021\n---\nLinks to [[alpha]].\n"


def git(root: Path, *args: str, day: str = "2024-01-01", committed: str | None = None) -> None:
    """Run git as author A on `day`; `committed` alone sets only the committer date (git keeps an amended or
    rebased commit's author date)."""
    stamp = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    if committed is not None:
        del env["GIT_AUTHOR_DATE"]
        env["GIT_COMMITTER_DATE"] = f"{committed}T12:00:00+00:00"
    env |= {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org"}
    env |= {"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def repository(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "repo", {"notes/alpha.md": NOTE, "notes/beta.md": OTHER})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", day="2024-01-05")
    return root


def shown(root: Path, slug: str) -> str:
    return (root / f"site/notes/{slug}.html").read_text(encoding="utf-8")


def test_dates_come_from_the_first_and_last_commit(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(NOTE + "More words.\n")
    git(root, "commit", "-q", "-am", "more", day="2024-03-09")
    build(root, base_url="https://me.example.org/")
    page = shown(root, "alpha")
    assert '<time datetime="2024-01-05">2024-01-05</time>' in page and '<time datetime="2024-03-09">' in page
    assert '<time datetime="2024-01-05">' in shown(root, "beta") and "2024-03-09" not in shown(root, "beta")
    feed = (root / "site/atom.xml").read_text(encoding="utf-8")
    assert "<updated>2024-03-09T00:00:00Z</updated>" in feed
    sitemap = (root / "site/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://me.example.org/notes/alpha.html</loc><lastmod>2024-03-09</lastmod>" in sitemap


def test_a_rebased_and_amended_history_keeps_the_dates_it_was_written(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(NOTE + "More words.\n")
    git(root, "commit", "-q", "-am", "more", day="2024-03-09")
    git(root, "rebase", "-q", "--force-rebase", "--root", committed="2024-09-09")  # every commit rewritten
    git(root, "commit", "-q", "--amend", "-m", "more, reworded", committed="2024-10-10")
    build(root)
    page = shown(root, "alpha")
    assert '<time datetime="2024-01-05">' in page and '<time datetime="2024-03-09">' in page
    assert "2024-09-09" not in page and "2024-10-10" not in page


def test_paths_git_would_quote_get_their_git_dates(tmp_path: Path) -> None:
    names = {
        "tab": "notes/a\tb.md",
        "quote": 'notes/say "hi".md',
        "slash": "notes/back\\slash.md",
        "cjk": "notes/注意力.md",
    }
    files = {path: f"---\ntitle: {slug}\nslug: {slug}\n---\nWords.\n" for slug, path in names.items()}
    root = write_site(tmp_path / "repo", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", day="2024-01-05")
    when = 1_700_000_000  # 2023-11-14: what the file's own time would say
    for path in names.values():
        os.utime(root / path, (when, when))
    build(root)
    for slug in names:
        page = shown(root, slug)
        assert '<time datetime="2024-01-05">' in page and "2023-11-14" not in page, slug


def test_a_shallow_clone_warns_once_with_the_fix(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(NOTE + "More.\n")
    git(root, "commit", "-q", "-am", "more", day="2024-03-09")
    assert not [w for w in build(root).warnings if w.rule == "shallow-clone"]
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", (root / ".git").as_uri(), str(clone)], check=True, capture_output=True
    )
    result = build(clone)
    shallow = [w for w in result.warnings if w.rule == "shallow-clone"]
    assert len(shallow) == 1 and "fetch-depth: 0" in shallow[0].format()
    assert '<time datetime="2024-03-09">' in shown(clone, "beta")  # what the warning is about: beta is older
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--unshallow"], check=True, capture_output=True)
    result = build(clone)
    assert not [w for w in result.warnings if w.rule == "shallow-clone"]
    assert '<time datetime="2024-01-05">' in shown(clone, "beta") and "2024-03-09" not in shown(clone, "beta")


def test_a_renamed_note_keeps_the_date_it_was_written(tmp_path: Path) -> None:
    root = repository(tmp_path)
    git(root, "mv", "notes/alpha.md", "notes/gamma.md")
    (root / "notes/beta.md").write_text(OTHER.replace("[[alpha]]", "[[gamma]]"))
    git(root, "commit", "-q", "-am", "rename", day="2024-06-01")
    build(root)
    page = shown(root, "gamma")
    assert '<time datetime="2024-01-05">' in page and '<time datetime="2024-06-01">' in page


def test_front_matter_dates_win(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(
        NOTE.replace("year: 2020", "year: 2020\ndate: 2023-12-24\nupdated: 2024-02-02")
    )
    git(root, "commit", "-q", "-am", "dated", day="2024-05-05")
    build(root)
    page = shown(root, "alpha")
    assert '<time datetime="2023-12-24">' in page and '<time datetime="2024-02-02">' in page
    assert "2024-05-05" not in page


def test_a_commit_that_changes_no_file_still_updates_the_dates(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(NOTE + "Edited, not yet committed.\n")
    build(root)
    assert "2024-07-07" not in shown(root, "alpha")
    git(root, "commit", "-q", "-am", "commit the edit", day="2024-07-07")  # no file changes on disk
    result = build(root)
    assert '<time datetime="2024-07-07">' in shown(root, "alpha")
    assert result.rendered > 0


def test_outside_git_the_file_times_are_used(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"notes/alpha.md": NOTE, "notes/beta.md": OTHER})
    when = 1_700_000_000  # 2023-11-14 UTC
    os.utime(root / "notes/alpha.md", (when, when))
    build(root)
    assert '<time datetime="2023-11-14">2023-11-14</time>' in shown(root, "alpha")


def test_outside_git_no_git_process_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder with no .git above it is in no repository: git is not asked (each run cost a build a few
    milliseconds, a body edit of 0.3 s two of them); a repository made later is asked again."""
    if any((folder / ".git").exists() for folder in tmp_path.parents):
        pytest.skip("the temporary folder is inside a git work tree")
    root = write_site(tmp_path / "notes-site", {"notes/alpha.md": NOTE, "notes/beta.md": OTHER})
    runs: list[list[str]] = []
    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda command, **options: runs.append(command) or run(command, **options))
    build(root)
    (root / "notes/beta.md").write_text(OTHER + "\nA sentence more.\n")
    assert build(root).quick
    assert not [command for command in runs if command[0] == "git"]
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "notes")
    git(root, "commit", "-q", "-m", "first", day="2024-02-02")
    runs.clear()
    build(root)
    assert [command for command in runs if command[0] == "git"]
    assert '<time datetime="2024-02-02">' in shown(root, "alpha")


def test_a_fresh_clone_builds_the_same_site(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / "notes/alpha.md").write_text(NOTE + "More.\n")
    git(root, "commit", "-q", "-am", "more", day="2024-03-09")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True, capture_output=True)
    build(root)
    build(clone)
    files = sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(clone / "site") for p in (clone / "site").rglob("*") if p.is_file())
    assert all((root / "site" / f).read_bytes() == (clone / "site" / f).read_bytes() for f in files)


def test_edits_between_commits_read_the_history_once_per_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dates come from git's log of the whole history: at 300 commits of 10,000 notes, reading it took 1.7 s,
    and every edit read it again, a body edit too (2.1 s where one outside git takes 0.3 s). The cache keeps it
    for the commit checked out: edits that commit nothing read it no more, a commit reads it again."""
    root = repository(tmp_path)
    walks: list[Path] = []
    walk = history._git_history
    monkeypatch.setattr(history, "_git_history", lambda folder: walks.append(folder) or walk(folder))
    build(root)
    assert len(walks) == 1
    (root / "notes/beta.md").write_text(OTHER + "\nA sentence more.\n")
    assert build(root).quick
    (root / "notes/alpha.md").write_text(NOTE.replace("Alpha", "Alpha retitled"))
    assert not build(root).quick
    assert len(walks) == 1 and '<time datetime="2024-01-05">' in shown(root, "alpha")
    git(root, "commit", "-q", "-am", "both edits", day="2024-06-01")
    build(root)
    assert len(walks) == 2
    for slug in ("alpha", "beta"):
        assert '<time datetime="2024-06-01">' in shown(root, slug) and "A sentence more." in shown(root, "beta")
