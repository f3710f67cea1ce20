"""The package as a user installs it: one version, a licence, type information, and one command line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import llmnotes
from llmnotes.cli import main
from sites import write_site

REPO = Path(__file__).resolve().parents[1]


def test_the_version_is_kept_in_one_place_and_printed_by_version(capsys: pytest.CaptureFixture[str]) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    source = REPO / project["tool"]["hatch"]["version"]["path"]
    assert re.search(r'^__version__ = "([^"]+)"$', source.read_text(encoding="utf-8"), re.MULTILINE)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out == f"llmnotes {llmnotes.__version__}\n"


def test_the_licence_and_type_information_ship() -> None:
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2026 llmnotes contributors" in licence
    assert tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"] == "MIT"
    assert (Path(llmnotes.__file__).parent / "py.typed").is_file()  # the wheel packs the whole package folder


def test_quiet_and_verbose_mean_the_same_in_build_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = {f"notes/n{i}.md": f"---\ntitle: N{i}\n---\nSee [[missing{i}]].\n" for i in range(25)}
    root = write_site(tmp_path, notes)
    for command in ("build", "check"):
        assert main([command, "--root", str(root), "--no-strict", "-q"]) == 0
        captured = capsys.readouterr()
        assert "missing" not in captured.out + captured.err, command  # -q: errors only
        assert main([command, "--root", str(root), "--no-strict", "-v"]) == 0
        captured = capsys.readouterr()
        assert all(f"missing{i}" in captured.out + captured.err for i in range(25)), command  # -v: every one
