"""Configuration from [tool.llmnotes]: every key optional, wrong values named with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmnotes.config import load_config
from llmnotes.model import UserError


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.notes_path == tmp_path / "notes"
    assert config.output_path == tmp_path / "site"
    assert config.strict_links is True
    assert config.raw_html == "sanitize"


def test_values_are_read_and_base_url_gets_a_slash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.llmnotes]\ntitle = "读书笔记"\nlanguage = "zh-CN"\n'
        'base_url = "https://x.org/notes"\nstrict_links = false\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert (config.title, config.language, config.base_url, config.strict_links) == (
        "读书笔记",
        "zh-CN",
        "https://x.org/notes/",
        False,
    )


def test_wrong_types_and_unknown_keys_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.llmnotes]\ntitle = 3\nstrict_links = "yes"\ntitel = "x"\nbase_url = "example.org"\nraw_html = "strip"\n'
        "feed_limit = -5\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    text = str(caught.value)
    assert "[tool.llmnotes] title: expected a string, got 3" in text
    assert "[tool.llmnotes] strict_links: expected true or false, got 'yes'" in text
    assert "[tool.llmnotes] titel: unknown key" in text and "known keys:" in text
    assert "[tool.llmnotes] feed_limit: expected a count, got -5" in text and "0 for no limit" in text
    assert "base_url: expected an absolute http(s) URL" in text
    assert """raw_html: expected one of "sanitize", "escape", "allow", got 'strip'""" in text
