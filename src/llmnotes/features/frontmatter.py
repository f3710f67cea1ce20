"""Front matter as a person would write it: one `key: value` per field, quoted only where YAML needs it, and edits
of a note's keys in place that leave its other lines, comments and body as they were."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import yaml

from ..content.load import YAML_LOADER

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#]*")
_PLAIN_IN_LIST = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^,\[\]{}#]*")
_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_TRAILING_COMMENT = re.compile(r"^\s+#.*$")
FOLD_LONGER_THAN = 160  # text longer than this (an abstract, not a title) is written as a folded block…
WRAP_AT = 100  # …wrapped at this width


class FrontMatterError(ValueError):
    """The front matter cannot be edited in place (it is not YAML, or not a block mapping)."""


def render_fields(fields: dict[str, Any]) -> str:
    """`key: value` lines, in the order of `fields`."""
    return "".join(render_field(key, value) for key, value in fields.items())


def render_field(key: str, value: Any) -> str:
    """One field as YAML that reads back as `value`: plain where that is safe, else quoted; long text folded."""
    if (
        isinstance(value, str)
        and len(value) > FOLD_LONGER_THAN
        and "\n" not in value
        and value == " ".join(value.split())
    ):
        lines = textwrap.wrap(value, WRAP_AT, break_long_words=False, break_on_hyphens=False)
        text = f"{key}: >-\n" + "".join(f"  {line}\n" for line in lines)
        if _reads_back(text, key, value):
            return text
    text = f"{key}: {_value(value)}".rstrip() + "\n"
    return text if _reads_back(text, key, value) else f"{key}: {json.dumps(value, ensure_ascii=False)}\n"


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(str(item), _PLAIN_IN_LIST) for item in value) + "]"
    return _scalar(str(value), _PLAIN)


def _scalar(text: str, plain: re.Pattern[str]) -> str:
    if plain.fullmatch(text) and text == text.strip() and ": " not in text and not text.endswith(":"):
        try:
            if yaml.load(f"- {text}", Loader=YAML_LOADER) == [text]:  # not a number, a date, true, null…
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _reads_back(text: str, key: str, value: Any) -> bool:
    try:
        loaded = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return False
    expected = list(value) if isinstance(value, tuple) else value
    return isinstance(loaded, dict) and loaded.get(key) == expected


def split_note(text: str) -> tuple[list[str], list[str], list[str]] | None:
    """(opening fence, front matter lines, the rest from the closing fence on), each line with its ending; None
    when the note has no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        return None
    for index in range(1, len(lines)):
        if _FENCE_END.match(lines[index].rstrip("\r\n")):
            return lines[:1], lines[1:index], lines[index:]
    raise FrontMatterError("front matter starts with --- but is never closed")


def edit_front_matter(text: str, changes: dict[str, Any]) -> str:
    """The note with each key of `changes` set to its value: a key it has is rewritten where it stands (a comment
    at the end of its line is kept), new keys go after the others, and everything else is left byte for byte."""
    if not changes:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    parts = split_note(text[len(bom) :])
    if parts is None:
        return bom + "---" + newline + _with(render_fields(changes), newline) + "---" + newline + text[len(bom) :]
    opening, front, rest = parts
    spans = _key_spans("".join(front).replace("\r\n", "\n"))
    replaced: dict[int, tuple[int, str]] = {}  # first line -> (last line + 1, new text)
    added = []
    for key, value in changes.items():
        rendered = render_field(key, value)
        if key in spans:
            start, end, comment = spans[key]
            if comment and rendered.count("\n") == 1:
                rendered = rendered.rstrip("\n") + comment + "\n"
            replaced[start] = (end, rendered)
        else:
            added.append(rendered)
    edited: list[str] = []
    index = 0
    while index < len(front):
        if index in replaced:
            end, rendered = replaced[index]
            edited.append(_with(rendered, newline))
            index = end
        else:
            edited.append(front[index])
            index += 1
    if edited and not edited[-1].endswith("\n"):
        edited[-1] += newline
    edited += [_with(rendered, newline) for rendered in added]
    return bom + "".join(opening) + "".join(edited) + "".join(rest)


def _with(text: str, newline: str) -> str:
    return text.replace("\n", newline) if newline != "\n" else text


def _key_spans(front: str) -> dict[str, tuple[int, int, str]]:
    """Each top-level key's lines in the front matter: (first, last + 1, the comment that ends a one-line field)."""
    if not front.strip():
        return {}
    try:
        node = yaml.compose(front, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise FrontMatterError("front matter is not a block of key: value lines")
    lines = front.split("\n")
    spans = {}
    for key, value in node.value:
        start, end_mark = key.start_mark.line, value.end_mark
        end = end_mark.line if end_mark.column == 0 and end_mark.line > start else end_mark.line + 1
        while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1  # blank lines and comments after a block list belong to no key
        comment = ""
        if end == start + 1:
            tail = lines[start][end_mark.column :] if end_mark.line == start else ""
            comment = tail if _TRAILING_COMMENT.match(tail) else ""
        spans[str(key.value)] = (start, end, comment)
    return spans


def is_empty(value: Any) -> bool:
    """A field written but not filled in: `venue: ""`, `authors: []`, `year:`."""
    return value is None or value == "" or value == [] or value == {}
