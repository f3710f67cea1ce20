"""Read `[tool.llmnotes]` from the site's pyproject.toml into a validated, frozen `Config`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .model import Diagnostic, UserError

RAW_HTML_POLICIES = ("escape", "allow")


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    title: str = "Paper notes"
    description: str = ""
    author: str = ""
    language: str = "en"
    base_url: str = ""
    notes_dir: str = "notes"
    templates_dir: str = "templates"
    data_dir: str = "data"
    pages_dir: str = "pages"
    output_dir: str = "site"
    strict_links: bool = True
    raw_html: str = "escape"

    @property
    def notes_path(self) -> Path:
        return self.root / self.notes_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def data_path(self) -> Path:
        return self.root / self.data_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir


def builtin_theme() -> Path:
    """The theme shipped in the wheel, or the repository's templates/ in a source checkout."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


_STRING_KEYS = {f.name for f in fields(Config) if f.type == "str"}
_BOOL_KEYS = {f.name for f in fields(Config) if f.type == "bool"}


def load_config(root: Path) -> Config:
    """Read the configuration of the site rooted at `root`; every key is optional."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return Config(root=root)
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(
            Diagnostic(path="pyproject.toml", message=f"not valid TOML: {error}", hint="fix the syntax")
        ) from None
    table = document.get("tool", {}).get("llmnotes", {})
    return Config(root=root, **_validate(table))


def _validate(table: dict[str, Any]) -> dict[str, Any]:
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    known = sorted(_STRING_KEYS | _BOOL_KEYS)
    for key, value in table.items():
        where = f"[tool.llmnotes] {key}"
        if (key in _STRING_KEYS and isinstance(value, str)) or (key in _BOOL_KEYS and isinstance(value, bool)):
            values[key] = value
        elif key in _STRING_KEYS or key in _BOOL_KEYS:
            expected = "a string" if key in _STRING_KEYS else "true or false"
            problems.append(_problem(f"{where}: expected {expected}, got {value!r}"))
        else:
            problems.append(_problem(f"{where}: unknown key", hint=f"known keys: {', '.join(known)}"))
    if values.get("raw_html", "escape") not in RAW_HTML_POLICIES:
        choices = " or ".join(repr(p) for p in RAW_HTML_POLICIES)
        problems.append(_problem(f"[tool.llmnotes] raw_html: expected {choices}, got {values['raw_html']!r}"))
    base_url = values.get("base_url", "")
    if base_url and not base_url.startswith(("http://", "https://")):
        problems.append(
            _problem(
                f"[tool.llmnotes] base_url: expected an absolute http(s) URL, got {base_url!r}",
                hint='e.g. base_url = "https://example.github.io/notes/"',
            )
        )
    if base_url and not base_url.endswith("/"):
        values["base_url"] = base_url + "/"
    if problems:
        raise UserError(problems)
    return values


def _problem(message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(path="pyproject.toml", message=message, hint=hint)
