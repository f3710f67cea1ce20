"""A bug in llmnotes is reported as one, with its traceback; a mistake in the site's own template is the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

import llmnotes.emit.render
from sites import run_cli, write_site

NOTE = "---\ntitle: Alpha\n---\nSome text.\n"


def test_an_error_in_llmnotes_own_code_is_reported_as_a_bug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_href(*args: object) -> str:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(llmnotes.emit.render, "href", broken_href)  # what the built-in theme's url() calls
    root = write_site(tmp_path, {"notes/a.md": NOTE})
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 70 and out == ""
    assert "Traceback (most recent call last)" in err and "broken_href" in err
    assert "internal error: this is a bug in llmnotes, not a problem in your notes" in err
    assert "template" not in err.splitlines()[-1]
    assert not (root / "site").exists(), "nothing is written"


def test_an_error_in_the_sites_own_template_is_the_users_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path,
        {
            "notes/a.md": NOTE,
            "templates/note.html": '{% extends "base.html" %}{% block main %}{{ note.title + 1 }}{% endblock %}\n',
        },
    )
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and "Traceback" not in err
    assert "template note.html failed while rendering notes/a.html" in err
