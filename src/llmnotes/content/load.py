"""Read a note (or page) into a typed `Note`: split and validate its YAML front matter, with file:line diagnostics."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import yaml

from ..engine.cache import content_digest
from ..model import PAPER_TYPES, SECTION_FILES, Diagnostic, Note
from ..paths import slugify

try:
    from yaml import CSafeLoader as YAML_LOADER  # libyaml's parser: several times faster
except ImportError:  # PyYAML built without libyaml: the same loader in pure Python, under the same name
    from yaml import SafeLoader as YAML_LOADER  # type: ignore[assignment]

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_HEADING = re.compile(r"#[ \t]+(.+?)[ \t#]*")
_LEADING_HEADING = re.compile(r"((?:[ \t]*\n)*)#[ \t]+(.+?)[ \t#]*(?:\n|$)")
_FENCE_OPEN = re.compile(r"[ ]{0,3}(`{3,}|~{3,})")
_SLUG_CHARS = re.compile(r"^[\w\-]+$", re.UNICODE)
_CITATION_KEY = re.compile(r'^[^\s,{}#%"\'()=\\~]+$')
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

TEXT_FIELDS = (
    "title",
    "short_title",
    "venue",
    "arxiv",
    "url",
    "pdf",
    "code",
    "doi",
    "org",
    "summary",
    "slug",
    "booktitle",
    "journal",
    "volume",
    "number",
    "pages",
    "publisher",
    "institution",
    "arxiv_class",
    "citation_key",
)
LIST_FIELDS = ("authors", "tags", "aliases", "builds_on")
DATE_FIELDS = ("date", "updated")


def load_note(
    path: Path, root: Path, kind: Literal["note", "page"] = "note", relative: str | None = None
) -> tuple[Note | None, list[Diagnostic]]:
    """Load one file; returns the note (None when it cannot be used) and the problems found.

    `relative` is its path inside notes/ (or pages/), by default its file name.
    """
    source = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Diagnostic(source, f"cannot read the file: {error.strerror}", hint="check its permissions")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            Diagnostic(
                source,
                f"not UTF-8 text (byte {error.start} is 0x{raw[error.start]:02x}){_likely_encoding(raw)}",
                line=line,
                hint="save the file as UTF-8",
            )
        ]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = _split_front_matter(text, source)
    if isinstance(split, Diagnostic):
        return None, [split]
    front_text, body, body_line = split
    fields, lines, problems = _parse_yaml(front_text, source)
    if problems:
        return None, problems
    return _build_note(source, path, fields, lines, body, body_line, kind, content_digest(raw), relative or path.name)


def _likely_encoding(raw: bytes) -> str:
    """Chinese notes saved by older Windows editors are usually GBK: say so when the bytes read as such."""
    if b"\0" in raw:
        return "; it looks like a binary file"
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    has_chinese = any("\u4e00" <= char <= "\u9fff" for char in decoded)
    return "; it reads as GBK/GB18030 Chinese, so convert it, e.g. iconv -f GB18030 -t UTF-8" if has_chinese else ""


def _split_front_matter(text: str, source: str) -> tuple[str, str, int] | Diagnostic:
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return "", text, 1
    for index in range(1, len(lines)):
        if _FENCE_END.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return Diagnostic(
        source,
        "front matter starts with --- but is never closed",
        line=1,
        hint="add a line with --- after the front matter",
    )


class _FrontMatterLoader(YAML_LOADER):
    """The safe loader, noting every key given twice in one mapping (YAML would keep the last in silence)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[str, yaml.Mark, int]] = []  # (key, where it is again, line it was first on)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue  # a `<<:` merge may override keys: that is what it is for
            seen = (key.tag, key.value)
            if seen in first_lines:
                self.repeated.append((key.value, key.start_mark, first_lines[seen]))
            else:
                first_lines[seen] = key.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(front_text: str, source: str) -> tuple[dict[str, Any], dict[str, int], list[Diagnostic]]:
    """The front matter's keys and values and the line of each key, composed and constructed once."""
    if not front_text.strip():
        return {}, {}, []
    loader = _FrontMatterLoader(front_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        col = mark.column + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        return {}, {}, [Diagnostic(source, f"front matter is not valid YAML: {problem}", line, col)]
    finally:
        loader.dispose()
    if loader.repeated:  # lines count from the file's first, the opening ---
        repeated = [
            Diagnostic(
                source,
                f"{key}: given twice (first on line {first + 2}); YAML would keep only this one",
                mark.line + 2,
                mark.column + 1,
                hint=f"keep one {key}: line, e.g. merge the two lists into one",
            )
            for key, mark, first in loader.repeated
        ]
        return {}, {}, sorted(repeated, key=Diagnostic.sort_key)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        got = type(data).__name__
        return {}, {}, [Diagnostic(source, f"front matter must be a mapping of keys to values, got {got}", 2)]
    lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    return {str(k): v for k, v in data.items()}, lines, []


def _build_note(
    source: str,
    path: Path,
    fields: dict[str, Any],
    lines: dict[str, int],
    body: str,
    body_line: int,
    kind: Literal["note", "page"],
    digest: str,
    relative: str,
) -> tuple[Note | None, list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def fail(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Diagnostic(source, f"{key}: {message}", line=lines.get(key), hint=hint))

    values: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if key in fields and fields[key] is not None:
            values[key] = _text(key, fields[key], fail)
    for key in LIST_FIELDS:
        if key in fields and fields[key] is not None:
            values[key] = _text_list(key, fields[key], fail)
    for key in DATE_FIELDS:
        if key in fields and fields[key] is not None:
            values[key] = _date(key, fields[key], fail)
    if fields.get("year") is not None:
        values["year"] = _year(fields["year"], fail)
    if fields.get("pub_year") is not None:
        values["pub_year"] = _year(fields["pub_year"], fail, "pub_year")
    if fields.get("month") is not None:
        values["month"] = _month(fields["month"], fail)
    if fields.get("type") is not None:
        values["type"] = _paper_type(fields["type"], fail)
    if fields.get("draft") is not None:
        if isinstance(fields["draft"], bool):
            values["draft"] = fields["draft"]
        else:
            fail("draft", f"expected true or false, got {shown(fields['draft'])}")
    citation_key = values.get("citation_key")
    if citation_key is not None and not _CITATION_KEY.match(citation_key):
        message = f"a BibTeX key has no spaces, commas, braces, quotes, # or %, got {shown(citation_key)}"
        fail("citation_key", message)
    slug = values.pop("slug", None)
    if slug is not None and not _SLUG_CHARS.match(slug):
        fail("slug", f"may hold only letters, digits, - and _, got {shown(slug)}", hint="e.g. slug: my-note")
    if problems:
        return None, sorted(problems, key=Diagnostic.sort_key)
    slug = slugify(slug or (_default_name(path) if kind == "note" else path.stem))
    if not slug:
        return None, [Diagnostic(source, "the file name gives an empty slug", hint="rename it or set slug:")]
    title = values.pop("title", None) or _first_heading(body) or path.stem
    leading = _LEADING_HEADING.match(body)
    if leading and leading.group(2) == title:  # the page shows the title already: not twice
        body = leading.group(1) + "\n" + body[leading.end() :]  # the same number of lines before the rest
    known = set(TEXT_FIELDS) | set(LIST_FIELDS) | set(DATE_FIELDS) | {"year", "draft", "pub_year", "month", "type"}
    extra = {k: v for k, v in fields.items() if k not in known}
    typed: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    note = Note(
        source=source,
        slug=slug,
        title=title,
        body=body,
        body_line=body_line,
        kind=kind,
        extra=extra,
        field_lines=lines,
        digest=digest,
        relative=relative,
        **typed,
    )
    return note, []


def _default_name(path: Path) -> str:
    """What names a note without a slug: its file name, or its folder's for an index.md or README.md (a page
    in pages/ keeps its file name: pages/index.md is the home page's introduction)."""
    return path.parent.name if path.name.lower() in SECTION_FILES else path.stem


def shown(value: Any) -> str:
    """A YAML value as a message about it names it: quoted text, "a list", "a mapping", "nothing" or the value."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else repr(value)


def _text(key: str, value: Any, fail: Any) -> str | None:
    if isinstance(value, str):
        return _printable(key, value.strip(), fail)
    if key == "arxiv" and isinstance(value, float):
        fail(
            key,
            f"got the number {value!r}, which drops digits",
            hint='quote the id, e.g. arxiv: "2305.19860"',
        )
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    fail(key, f"expected text, got {shown(value)}")
    return None


def _text_list(key: str, value: Any, fail: Any) -> list[str]:
    if isinstance(value, str):
        return [_printable(key, value.strip(), fail)]
    if not isinstance(value, list):
        fail(key, f"expected a list of text, got {shown(value)}", hint=f"e.g. {key}: [a, b]")
        return []
    items: list[str] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            items.append(_printable(key, item.strip(), fail))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            items.append(str(item))
        else:
            fail(key, f"expected a list of text, but one item is {shown(item)}")
    return items


def _printable(key: str, text: str, fail: Any) -> str:
    """Control characters (which YAML escapes such as "\\0" put in) break the feed's XML and show as nothing."""
    found = _CONTROL.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        fail(key, f"holds the control character {code}, which no page can show", hint="remove it")
    return text


def _date(key: str, value: Any, fail: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    fail(key, f"expected a date like 2023-05-18, got {shown(value)}")
    return None


def _year(value: Any, fail: Any, key: str = "year") -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    fail(key, f"expected a whole number, got {shown(value)}")
    return None


def _month(value: Any, fail: Any) -> int | None:
    number = value.strip() if isinstance(value, str) else value
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 12:
        return number
    fail("month", f"expected a month number from 1 to 12, got {shown(value)}", hint="e.g. month: 5 for May")
    return None


def _paper_type(value: Any, fail: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in PAPER_TYPES:
        return value.strip().lower()
    fail("type", f"expected one of {', '.join(PAPER_TYPES)}, got {shown(value)}")
    return None


def _first_heading(body: str) -> str | None:
    """The text of the first `# heading` outside fenced code (where `# ` starts a comment)."""
    fence = ""
    for line in body.split("\n"):
        opening = _FENCE_OPEN.match(line)
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
        elif opening:
            fence = opening.group(1)
        else:
            heading = _HEADING.fullmatch(line)
            if heading:
                return heading.group(1).strip()
    return None
