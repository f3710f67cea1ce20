"""The interface's words per language: the theme's i18n/<language>.yaml, a site's own over the built-in's."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

import yaml

from .config import Config, builtin_theme
from .content.load import YAML_LOADER
from .content.load import shown as value_shown
from .model import Diagnostic, UserError

FALLBACK = "en"  # every key has its English words, which a language without its own shows
FOLDER = "i18n"  # inside a theme folder: the built-in theme's, or a site's templates/
_SUFFIXES = (".yaml", ".yml")

# What was read, by the files' paths and stamps: a process reads them once, and again only when one changed.
_loaded: dict[tuple[tuple[str, tuple[int, int] | None], ...], Mapping[str, str]] = {}


def interface_strings(language: str, site: Config | None = None) -> Mapping[str, str]:
    """The interface strings of a site in `language`, a BCP 47 tag such as zh-CN: the English ones, overridden by
    the language's (zh.yaml), overridden by its regional variant's (zh-CN.yaml); for each, the site's own
    templates/i18n/ file over the built-in theme's. A site's files may also add keys, for its own templates."""
    files = _files(language, site)
    key = tuple((str(path), _stamp(path)) for path, _ in files)
    found = _loaded.get(key)
    if found is None:
        if len(_loaded) > 8:  # a long `serve` session: forget the words of files edited since
            _loaded.clear()
        found = _loaded[key] = _merge(files)
    return found


def _files(language: str, site: Config | None) -> list[tuple[Path, str]]:
    """The files that give the strings, the one that overrides the others last, each with the name it is shown by."""
    builtin = builtin_theme()
    folders: list[tuple[Path, Path | None]] = [(builtin / FOLDER, None)]  # with the root its files are shown from
    if site is not None and site.templates_path.is_dir() and site.templates_path.resolve() != builtin.resolve():
        folders.append((site.templates_path / FOLDER, site.root))
    tag = language.strip().lower().replace("_", "-")
    languages = list(dict.fromkeys([FALLBACK, tag.split("-")[0], tag]))
    by_folder = [(_by_language(folder, root), root) for folder, root in folders]
    files = []
    for name in languages:
        for found, root in by_folder:
            if name in found:
                path = found[name]
                files.append((path, path.relative_to(root).as_posix() if root is not None else str(path)))
    return files


def _by_language(folder: Path, root: Path | None) -> dict[str, Path]:
    """The strings files in a folder, by the language their name gives (zh-CN.yaml and zh_cn.yml give zh-cn)."""
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in _SUFFIXES or path.name.startswith(".") or not path.is_file():
            continue
        name = path.stem.lower().replace("_", "-")
        if name in found:
            shown = [(p.relative_to(root).as_posix() if root is not None else str(p)) for p in (found[name], path)]
            message = f"{shown[0]} and {shown[1]} both give the strings of {name}"
            raise UserError(Diagnostic(shown[1], message, hint="keep one of the two files"))
        found[name] = path
    return found


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _merge(files: list[tuple[Path, str]]) -> Mapping[str, str]:
    merged: dict[str, str] = {}
    problems: list[Diagnostic] = []
    english: dict[str, str] | None = None  # the built-in English strings, whose {placeholders} the others keep
    for path, shown in files:
        strings, lines, found = _read(path, shown)
        problems += found
        if english is None:
            english = dict(strings)
        else:
            problems += _placeholder_problems(strings, lines, english, shown)
        merged.update(strings)
    if problems:
        raise UserError(problems)
    return merged


def _read(path: Path, shown: str) -> tuple[dict[str, str], dict[str, int], list[Diagnostic]]:
    """One file's strings and the line of each key, or the problems that keep it from being used."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return {}, {}, [Diagnostic(shown, "not UTF-8 text", hint="save the file as UTF-8")]
    except OSError as error:
        return {}, {}, [Diagnostic(shown, f"cannot read the file: {error.strerror}", hint="check its permissions")]
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        mapping = node.value if isinstance(node, yaml.MappingNode) else []
        keys = [(loader.construct_object(key), key.start_mark.line + 1) for key, _ in mapping]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        return {}, {}, [Diagnostic(shown, f"not valid YAML: {problem}", line, col)]
    finally:
        loader.dispose()
    if data is None:
        return {}, {}, []
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        message = f"expected one `key: text` line per string, e.g. `search_notes: Find a note`, got {value_shown(data)}"
        return {}, {}, [Diagnostic(shown, message, 1, hint=f"see the keys of {builtin_theme() / FOLDER / 'en.yaml'}")]
    strings: dict[str, str] = {}
    lines: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for key, line in keys:
        if not isinstance(key, str):
            message = f"a key must be a name such as search_notes, got {value_shown(key)}"
            problems.append(Diagnostic(shown, message, line))
            continue
        value = data[key]
        if not isinstance(value, str):
            hint = f'write it as one line of text, quoted if need be: {key}: "…"'
            problems.append(Diagnostic(shown, f"{key}: expected text, got {value_shown(value)}", line, hint=hint))
            continue
        strings[key], lines[key] = value, line
    return strings, lines, problems


def _placeholder_problems(
    strings: dict[str, str], lines: dict[str, int], english: dict[str, str], shown: str
) -> list[Diagnostic]:
    """A string whose English words have {placeholders} (`{n} results`) may use those, and no others."""
    problems = []
    for key, value in strings.items():
        allowed = _placeholders(english.get(key, ""))
        if not allowed:
            continue  # braces mean themselves here
        names = " ".join(f"{{{name}}}" for name in sorted(allowed))
        try:
            unknown = sorted(_placeholders(value) - allowed)
        except ValueError:
            message = f"{key}: a lone {{ or }} in text that fills in {names}"
            problems.append(Diagnostic(shown, message, lines[key], hint="write a brace as {{ or }}"))
            continue
        if unknown:
            message = f"{key}: {' '.join('{' + name + '}' for name in unknown)} is not a placeholder of this string"
            problems.append(Diagnostic(shown, message, lines[key], hint=f"it may use {names}"))
    return problems


def _placeholders(text: str) -> set[str]:
    """The {names} a string fills in; ValueError for a lone brace."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


