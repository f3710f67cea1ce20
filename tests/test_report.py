"""Many problems are summarised by kind, with examples and the way to see them all; few are listed one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sites import run_cli, write_site


def _messy_site(root: Path) -> Path:
    """Twelve notes with two dead links each, three with a missing image, one missing anchor: 28 problems."""
    files = {f"notes/n{k}.md": f"# Note {k}\n\nSee [[gone-{k}]] and [x](missing-{k}.md).\n" for k in range(12)}
    for k in range(3):
        files[f"notes/n{k}.md"] += f"\n![figure](img/absent-{k}.png)\n"
    files["notes/n0.md"] += "\n[[n1#nowhere]]\n"
    files["notes/n1.md"] += "\n## Method\n"
    return write_site(root, files)


def test_many_warnings_are_summarised_by_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _messy_site(tmp_path)
    code, out, err = run_cli(root, "--no-strict", capsys=capsys)
    assert code == 0 and "(28 warnings)" in out
    lines = err.splitlines()
    assert lines[0] == "28 warnings in 12 files, by kind:"
    assert any(line.split() == ["broken-link", "24", "in", "12", "files,", "e.g."] for line in lines)
    assert any(line.split()[:2] == ["missing-file", "3"] for line in lines)
    assert any(line.split()[:2] == ["broken-anchor", "1"] for line in lines)
    assert "notes/n0.md:3:5: warning: broken link [[gone-0]]" in err  # examples keep file:line:col
    examples = [line for line in lines if line.startswith("      notes/")]
    assert len(examples) == 3 + 3 + 1  # the first few of each kind, not all 28
    assert lines[-1].startswith("every one of them: add -v, or run `llmnotes check --format json`")
    assert len(lines) < 20


def test_verbose_lists_every_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _messy_site(tmp_path)
    code, _, err = run_cli(root, "--no-strict", "-v", capsys=capsys)
    assert code == 0 and len(err.splitlines()) == 28 and "by kind" not in err


def test_many_errors_are_summarised_the_same_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _messy_site(tmp_path)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 1 and out == ""
    assert err.splitlines()[0] == "28 errors in 12 files, by kind:"
    assert err.rstrip().endswith("build failed with 28 errors; the previous site is untouched")


def test_a_few_warnings_are_listed_one_by_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path, {"notes/a.md": "# A\n\n[[b]] [[c]]\n"})
    code, _, err = run_cli(root, "--no-strict", capsys=capsys)
    assert code == 0
    assert err.splitlines() == [
        "notes/a.md:3:1: warning: broken link [[b]]: no note has this slug, title or alias",
        "notes/a.md:3:7: warning: broken link [[c]]: no note has this slug, title or alias",
    ]
