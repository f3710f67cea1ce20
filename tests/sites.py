"""Fixture sites written to temporary folders, running the CLI on them, and a checker for a built site's links."""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from llmnotes.cli import main
from llmnotes.config import load_config
from llmnotes.content.load import load_note
from llmnotes.content.scan import DocumentKind, scan_inputs
from llmnotes.engine.cache import BuildCache
from llmnotes.model import Diagnostic, Note


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write {relative path: text} under root (text is dedented) and return root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run_cli(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["build", "--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err



def load_site(root: Path, kind: DocumentKind = "note") -> tuple[list[Note], list[Diagnostic]]:
    """The notes (or, with kind="page", the pages) of the site at `root` as a build finds and reads them, drafts
    included (the build leaves those out later): `scan_inputs`, then `load_note` for each; with every problem
    found on the way."""
    config = load_config(root.resolve())
    output = config.output_path.resolve()
    options = (str(output), config.strict_links, False)
    inputs = scan_inputs(config, BuildCache(config.root, options), options, output)
    notes: list[Note] = []
    problems = list(inputs.problems)
    for document in inputs.documents:
        if document.kind == kind:
            note, found = load_note(Path(document.path), config.root, document.kind, document.relative)
            problems += found
            if note is not None:
                notes.append(note)
    return notes, problems


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.urls.append(value)


def page_facts(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def broken_links(site: Path) -> list[str]:
    """Every href/src in every HTML page that does not point at an existing file (and id)."""
    problems: list[str] = []
    facts = {p.resolve(): page_facts(p) for p in site.rglob("*.html")}
    for page, collected in sorted(facts.items()):
        for url in collected.urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            if parts.scheme or parts.netloc:
                problems.append(f"{page}: non-relative URL {url}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                problems.append(f"{page}: {url} -> missing file")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = facts[target].ids if target in facts else page_facts(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page}: {url} -> no id {unquote(parts.fragment)!r}")
    return problems


# A site shaped like an mkdocs-material one: mkdocs.yml with a nav, a Python tag a safe loader refuses, Chinese
# names, a hero home page and two levels of folders, each with its index.md.
MATERIAL_SITE = {
    "mkdocs.yml": """
        site_name: 论文笔记站
        site_description: 顶会论文的中文阅读笔记
        site_url: https://example.github.io/paper-notes
        repo_url: https://github.com/example/paper-notes
        theme:
          name: material
          language: zh
        markdown_extensions:
          - pymdownx.emoji:
              emoji_index: !!python/name:material.extensions.emoji.twemoji
        nav:
          - 首页: index.md
          - ICLR 2024 会议:
              - ICLR2024/index.md
              - 多模态学习:
                  - ICLR2024/多模态/index.md
                  - ICLR2024/多模态/视觉指令.md
              - ICLR2024/强化学习/index.md
          - NeurIPS2023/index.md
        """,
    "docs/index.md": """
        # 论文笔记

        欢迎来到**论文笔记**：按会议整理的阅读笔记。

        从 [ICLR 2024](ICLR2024/index.md) 开始，会议列表见 [表格](files/会议.csv)。

        ![封面](images/hero.svg)
        """,
    "docs/images/hero.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>\n',
    "docs/files/会议.csv": "会议,年份\nICLR,2024\n",
    "docs/ICLR2024/index.md": "# ICLR 2024\n\nICLR 2024 的笔记。\n",
    "docs/ICLR2024/多模态/index.md": "# 多模态\n\n多模态论文。\n",
    "docs/ICLR2024/多模态/视觉指令.md": "# 视觉指令微调\n\n**会议**: ICLR 2024\n\n回到 [首页](../../index.md)。\n",
    "docs/ICLR2024/多模态/图文对齐.md": "# 图文对齐\n\n正文。\n",
    "docs/ICLR2024/强化学习/index.md": "# 强化学习\n\n列表。\n",
    "docs/ICLR2024/强化学习/离线.md": "# 离线强化学习\n\n正文。\n",
    "docs/NeurIPS2023/index.md": "# NeurIPS 2023\n\n列表。\n",
    "docs/NeurIPS2023/对齐/index.md": "# 对齐\n\n对齐论文。\n",
    "docs/NeurIPS2023/对齐/dpo.md": "# 直接偏好优化\n\n正文。\n",
}
