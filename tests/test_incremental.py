"""An incremental build gives exactly the site a clean build gives, and rewrites only the files whose bytes changed.

Every case builds a small site (which fills the cache and the output), changes it, builds it again into the same
output, and compares that output file by file with a clean build of a pristine copy of the changed sources.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from llmnotes.engine.build import BuildResult, build, warm_up
from llmnotes.engine.cache import CACHE_DIR, SEARCH_SKIPS, BuildCache, BuildState, CacheMemory, load_pickle
from llmnotes.features import search_format, search_skips
from llmnotes.features.search_format import ROOT
from llmnotes.model import ParsedNote, UserError
from sites import run_cli, write_site

REPO = Path(__file__).resolve().parents[1]
OUTPUT = "site"  # the default output folder, inside the project

SITE = {
    "pyproject.toml": """
        [tool.llmnotes]
        title = "增量构建测试"
        language = "zh-CN"
        """,
    "notes/bert.md": """
        ---
        title: "BERT: Pre-training of Deep Bidirectional Transformers"
        short_title: BERT
        authors: [Jacob Devlin, Ming-Wei Chang]
        year: 2018
        venue: NAACL 2019
        tags: [编码器]
        aliases: [Bert]
        summary: 用掩码语言模型预训练双向编码器。
        ---
        ## 方法

        掩码语言模型：预测 $P(x_i \\mid x_{\\setminus i})$。
        """,
    "notes/gpt-2.md": """
        ---
        title: "Language Models are Unsupervised Multitask Learners"
        short_title: GPT-2
        year: 2019
        venue: OpenAI blog
        tags: [预训练, rlhf]
        aliases: [GPT2]
        summary: 更大的语言模型不经微调就能做多种任务。
        ---
        ## 方法

        目标是 $\\log p(x) = \\sum_i \\log p(x_i \\mid x_{<i})$。后来的 [[gpt-3]] 把它放大。

        ```python
        print("gpt-2")
        ```
        """,
    "notes/gpt-3.md": """
        ---
        title: "Language Models are Few-Shot Learners"
        year: 2020
        venue: NeurIPS 2020
        tags: [预训练, RLHF, 上下文学习]
        aliases: [GPT3]
        builds_on: [gpt-2]
        summary: 把模型放大到 175B，用上下文学习代替微调。
        ---
        ## 方法

        沿用 [[gpt-2]] 的结构，见 [GPT-2 的方法](gpt-2.md#方法)。

        ## 实验

        参数量 $N = 1.75 \\times 10^{11}$。
        """,
    "notes/t5.md": """
        ---
        title: "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"
        short_title: T5
        year: 2020
        venue: JMLR
        tags: [预训练, 编码器-解码器]
        aliases: [T5]
        summary: 把所有 NLP 任务统一成文本到文本。
        ---
        ## 方法

        Text-to-text。
        """,
    "notes/instructgpt.md": """
        ---
        title: "Training language models to follow instructions with human feedback"
        short_title: InstructGPT
        year: 2022
        venue: NeurIPS 2022
        tags: [RLHF, 对齐]
        aliases: [Instruct GPT]
        builds_on: [gpt-3]
        summary: SFT、奖励模型、PPO 三步对齐人的意图。
        ---
        ## 方法

        基础模型是 [[GPT3]]，规模见 [[gpt-3#实验]]。
        """,
    "notes/flan.md": """
        ---
        title: "Finetuned Language Models Are Zero-Shot Learners"
        short_title: FLAN
        year: 2022
        venue: ICLR 2022
        tags: [指令微调]
        builds_on: [t5]
        summary: 指令微调让模型零样本地做没见过的任务。
        ---
        ## 方法

        在 [[t5]] 上做指令微调，和 [InstructGPT](instructgpt.md) 同年。
        """,
    "notes/lima.md": """
        ---
        title: "LIMA: Less Is More for Alignment"
        short_title: LIMA
        year: 2023
        venue: NeurIPS 2023
        tags: [对齐, 数据]
        builds_on: [instructgpt]
        summary: 1000 条精选样本的监督微调就够对齐。
        ---
        ## 方法

        只用 1000 条样本，对比 [[instructgpt|InstructGPT]]。
        """,
    "pages/index.md": """
        ---
        title: 我的笔记
        reading_order: [gpt-2, gpt-3, instructgpt]
        ---
        欢迎。先读 [[gpt-2]]，再看 [[papers|论文清单]]。
        """,
    "pages/about.md": """
        ---
        title: 关于
        ---
        关于本站：从 [[t5]] 读起也行。
        """,
    "pages/papers.md": """
        ---
        title: 论文清单
        template: items.html
        data: papers
        ---
        ## 说明

        数据页。
        """,
    "data/papers.yaml": """
        items:
          - name: GPT-3
          - name: LIMA
        """,
    "data/unused.yaml": """
        comment: 没有模板用它
        """,
    "notes/appendix/index.md": """
        # 附录

        实验数据见 [表格](files/table.csv)。

        ![[chart.svg]]
        """,
    "notes/appendix/img/chart.svg": """
        <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>
        """,
    "notes/appendix/files/table.csv": """
        model,params
        BERT,340M
        """,
    "notes/appendix/glossary.md": """
        # 术语表

        Span corruption：[[t5]] 的预训练目标。
        """,
    "templates/items.html": (
        '{% extends "base.html" %}{% block main %}{{ body | safe }}<ul>{% for item in page_data["items"] %}'
        '<li class="item">{{ item.name }}</li>{% endfor %}</ul>{% endblock %}'
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def make_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "project", SITE)


def make_site_with_theme_copy(tmp_path: Path) -> Path:
    """The site with a copy of the built-in theme in its templates/, as every user who customises one page starts."""
    root = make_site(tmp_path)
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
    return root


def output_files(site: Path) -> dict[str, Path]:
    """Every file in a built site by relative path.

    Names starting with ".llmnotes" (the `.llmnotes-site` marker, a manifest the engine may keep) are left out on
    both sides: they are the engine's bookkeeping, not pages a reader sees. Everything else is compared.
    """
    return {
        path.relative_to(site).as_posix(): path
        for path in sorted(site.rglob("*"))
        if path.is_file() and not any(part.startswith(".llmnotes") for part in path.relative_to(site).parts)
    }


def read_tree(site: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in output_files(site).items()}


def everything(site: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file in the output folder, the engine's own included: bytes, st_mtime_ns and st_ino."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            info = path.stat()
            files[path.relative_to(site).as_posix()] = (path.read_bytes(), info.st_mtime_ns, info.st_ino)
    return files


def stat_tree(site: Path) -> dict[str, tuple[int, int]]:
    """(st_mtime_ns, st_ino) of every output file: a rewrite, in place or by renaming a new file over it, shows."""
    stats = {}
    for name, path in output_files(site).items():
        info = path.stat()
        stats[name] = (info.st_mtime_ns, info.st_ino)
    return stats


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(0, at - 80)
    return (
        f"first difference at byte {at} (sizes {len(a)} and {len(b)}):\n"
        f"      incremental: {a[start : at + 80].decode('utf-8', 'replace')!r}\n"
        f"      clean:       {b[start : at + 80].decode('utf-8', 'replace')!r}"
    )


def assert_same_tree(incremental: Path, clean: Path) -> None:
    """The two built sites hold the same files with the same bytes; the message names the paths that differ."""
    left, right = read_tree(incremental), read_tree(clean)
    assert right, f"the clean build wrote nothing into {clean}"
    only_left = sorted(left.keys() - right.keys())
    only_right = sorted(right.keys() - left.keys())
    differing = sorted(name for name in left.keys() & right.keys() if left[name] != right[name])
    if only_left or only_right or differing:
        lines = ["the incremental build differs from a clean build:"]
        if only_left:
            lines.append(f"  only in the incremental build: {only_left}")
        if only_right:
            lines.append(f"  missing from the incremental build: {only_right}")
        if differing:
            lines.append(f"  different bytes: {differing}")
            lines.append(f"    {differing[0]}: {_first_difference(left[differing[0]], right[differing[0]])}")
        pytest.fail("\n".join(lines), pytrace=False)


def clean_build(root: Path, tmp_path: Path) -> Path:
    """Build a pristine copy of the project's sources (no cache, no output) from scratch; returns its output."""
    return clean_result(root, tmp_path).output


def clean_result(root: Path, tmp_path: Path) -> BuildResult:
    """What building a pristine copy of the project's sources from scratch gives (see `clean_build`)."""
    pristine = tmp_path / "pristine"
    if pristine.exists():
        shutil.rmtree(pristine)

    def skip(folder: str, names: list[str]) -> set[str]:
        return {CACHE_DIR, OUTPUT} & set(names) if Path(folder) == root else set()

    shutil.copytree(root, pristine, ignore=skip)
    assert not (pristine / CACHE_DIR).exists() and not (pristine / OUTPUT).exists()
    return build(pristine)


def assert_equals_clean(root: Path, tmp_path: Path, result: BuildResult | None = None) -> None:
    """The site equals a clean build's; and so do the warnings of `result`, the incremental build's, if given."""
    clean = clean_result(root, tmp_path)
    assert_same_tree(root / OUTPUT, clean.output)
    if result is not None:
        assert result.warnings == clean.warnings


def let_the_clock_tick() -> None:
    """Make a rewrite visible in st_mtime_ns even where file times advance in coarse steps (a kernel tick, a few ms).

    The outputs' mtimes are not set back with os.utime instead: the engine trusts a file it wrote only while its
    stamp is as it left it, so touching them would look like an edit by hand and ask for a rewrite.
    """
    time.sleep(0.05)


def edit(root: Path, relative: str, old: str, new: str) -> None:
    """Replace `old` (which must be there, once) by `new` in a source file."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{relative} should contain {old!r} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def page(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------------
# The changes: each edits the project, names outputs it must reach and text that must show afterwards


@dataclass(frozen=True)
class Change:
    apply: Callable[[Path], None]
    # outputs whose bytes must differ from the first build's (made, removed or changed): a stale copy would show
    reaches: tuple[str, ...]
    # (output, text) that must be in the output after the change
    shows: tuple[tuple[str, str], ...] = ()
    # (output, text) that must no longer be in the output after the change
    hides: tuple[tuple[str, str], ...] = ()
    # only notes' bodies changed, nothing other pages show of them: taken into their pages (engine/body_edits.py)
    quick: bool = False


def rename_gpt2(root: Path) -> None:
    (root / "notes/gpt-2.md").rename(root / "notes/gpt2.md")
    edit(root, "notes/gpt-3.md", "builds_on: [gpt-2]", "builds_on: [gpt2]")
    edit(
        root,
        "notes/gpt-3.md",
        "沿用 [[gpt-2]] 的结构，见 [GPT-2 的方法](gpt-2.md#方法)",
        "沿用 [[gpt2]] 的结构，见 [GPT-2 的方法](gpt2.md#方法)",
    )
    edit(root, "pages/index.md", "reading_order: [gpt-2,", "reading_order: [gpt2,")
    edit(root, "pages/index.md", "先读 [[gpt-2]]", "先读 [[gpt2]]")


OVERRIDE_COMMENT = "<!-- 本站自己的 base.html -->"


def override_base_template(root: Path) -> None:
    text = (REPO / "templates/base.html").read_text(encoding="utf-8")
    assert text.count("</body>") == 1
    (root / "templates/base.html").write_text(text.replace("</body>", f"{OVERRIDE_COMMENT}\n</body>"), "utf-8")


NEW_NOTE = """\
---
title: "LLaMA: Open and Efficient Foundation Language Models"
short_title: LLaMA
year: 2023
venue: arXiv
tags: [预训练, 开源]
builds_on: [gpt-3]
summary: 只用公开数据训练的基础模型。
---
## 方法

和 [[gpt-3]] 一样是解码器，但更小。
"""

BERT_ADDITION = """
见 [原文](https://arxiv.org/abs/1810.04805)。

```python
print("bert")
```

$$\\mathcal{L} = -\\log p(x_i)$$
"""

RAW_HTML_ADDITION = """
<!-- 草稿：以后再写 -->
<div class="box" markdown>
**粗体** 见 https://example.org/x，完
</div>
"""

CHANGES = {
    "body edit": Change(
        lambda root: append(root, "notes/lima.md", "\n新加的一句话。\n"),
        reaches=("notes/lima.html",),
        shows=(("notes/lima.html", "新加的一句话。"),),
        quick=True,
    ),
    "body edit with code, a formula and a link out of the site": Change(
        lambda root: append(root, "notes/bert.md", BERT_ADDITION),
        reaches=("notes/bert.html",),
        shows=(
            ("notes/bert.html", '<a class="external" href="https://arxiv.org/abs/1810.04805" rel="noopener">原文</a>'),
            ("notes/bert.html", "<math"),
            ("notes/bert.html", 'class="highlight"'),
        ),
        quick=True,
    ),
    "body edit of a section with an embedded file": Change(
        lambda root: append(root, "notes/appendix/index.md", "\n图表来自论文的附录。\n"),
        reaches=("notes/appendix.html",),
        shows=(
            ("notes/appendix.html", "图表来自论文的附录。"),
            ("notes/appendix.html", 'src="appendix/img/chart.svg"'),
        ),
        quick=True,
    ),
    "body edit with raw HTML, a markdown block and a bare URL": Change(
        lambda root: append(root, "notes/lima.md", RAW_HTML_ADDITION),
        reaches=("notes/lima.html",),
        shows=(
            (
                "notes/lima.html",
                '<div class="box">\n<p><strong>粗体</strong> 见 <a class="external" href="https://example.org/x"',
            ),
            ("notes/lima.html", "</a>，完</p>\n</div>"),
        ),
        hides=(("notes/lima.html", "草稿"),),
        quick=True,
    ),
    "body edit whose raw HTML links to another note": Change(
        lambda root: append(root, "notes/lima.md", '\n<p>对照 <a href="bert.md" class="btn">BERT</a>。</p>\n'),
        reaches=("notes/lima.html", "notes/bert.html"),  # a backlink
        shows=(("notes/lima.html", '对照 <a class="internal" href="bert.html">BERT</a>。'),),
    ),
    "two notes' bodies edited": Change(
        lambda root: (append(root, "notes/lima.md", "\n其一。\n"), append(root, "notes/t5.md", "\n其二。\n")),
        reaches=("notes/lima.html", "notes/t5.html"),
        shows=(("notes/lima.html", "其一。"), ("notes/t5.html", "其二。")),
        quick=True,
    ),
    "first paragraph edited": Change(  # what lists show of the note (its excerpt) changes, not what they list
        lambda root: edit(root, "notes/lima.md", "只用 1000 条样本", "只用 1000 条精选样本"),
        reaches=("notes/lima.html", "notes/instructgpt.html"),  # its backlink quotes the sentence
        shows=(("notes/instructgpt.html", "只用 1000 条精选样本"),),
    ),
    "body edit that adds a heading": Change(
        lambda root: append(root, "notes/bert.md", "\n## 讨论\n\n一段话。\n"),
        reaches=("notes/bert.html",),
        shows=(("notes/bert.html", 'id="讨论"'),),
    ),
    "body edit of the sentence that holds a link": Change(
        lambda root: edit(root, "notes/gpt-3.md", "沿用 [[gpt-2]] 的结构", "沿用 [[gpt-2]] 的整体结构"),
        reaches=("notes/gpt-3.html", "notes/gpt-2.html"),  # the backlink on GPT-2 quotes the sentence
        shows=(("notes/gpt-2.html", "的整体结构"),),
    ),
    "title of a linked note": Change(
        lambda root: edit(root, "notes/gpt-3.md", 'title: "Language Models', 'title: "GPT-3: Language Models'),
        reaches=(
            "notes/gpt-3.html",
            "notes/gpt-2.html",  # its link label, its backlink from gpt-3, its next neighbour
            "notes/instructgpt.html",  # two link labels, its lineage
            "index.html",
            "tags/预训练.html",
            "tags/rlhf.html",
            "lineage.html",
        ),
        shows=(
            (
                "notes/gpt-2.html",
                '<a class="internal" href="gpt-3.html">GPT-3: Language Models are Few-Shot Learners</a>',
            ),
            ("notes/instructgpt.html", "GPT-3: Language Models are Few-Shot Learners § 实验</a>"),
            ("index.html", "GPT-3: Language Models are Few-Shot Learners"),
            ("tags/上下文学习.html", "GPT-3: Language Models are Few-Shot Learners"),
        ),
    ),
    "summary": Change(
        lambda root: edit(root, "notes/gpt-3.md", "用上下文学习代替微调。", "上下文学习就够了。"),
        reaches=("index.html",),
        shows=(("index.html", "上下文学习就够了。"),),
        hides=(("index.html", "用上下文学习代替微调。"),),
    ),
    "year": Change(
        lambda root: edit(root, "notes/bert.md", "year: 2018", "year: 2021"),
        reaches=("index.html", "notes/bert.html", "notes/gpt-2.html", "notes/t5.html", "notes/instructgpt.html"),
        shows=(("notes/bert.html", 'rel="prev" href="t5.html"'), ("notes/gpt-2.html", 'rel="next" href="gpt-3.html"')),
        hides=(("notes/gpt-2.html", 'rel="prev" href="bert.html"'),),
    ),
    "tag added": Change(
        lambda root: edit(root, "notes/lima.md", "tags: [对齐, 数据]", "tags: [对齐, 数据, 小样本]"),
        reaches=("notes/lima.html", "tags/index.html", "tags/小样本.html"),
        shows=(("tags/小样本.html", "LIMA"),),
    ),
    "tag removed": Change(
        lambda root: edit(root, "notes/lima.md", "tags: [对齐, 数据]", "tags: [对齐]"),
        reaches=("notes/lima.html", "tags/index.html", "tags/数据.html"),
    ),
    "tag case flips the shown spelling": Change(
        # RLHF twice and rlhf once show as "RLHF"; once against twice, "rlhf" wins. Same size: only the bytes differ.
        lambda root: edit(root, "notes/instructgpt.md", "tags: [RLHF, 对齐]", "tags: [rlhf, 对齐]"),
        reaches=("tags/index.html", "tags/rlhf.html", "notes/gpt-3.html", "notes/instructgpt.html"),
        shows=(("tags/index.html", 'href="rlhf.html">rlhf <span'),),
        hides=(("tags/index.html", 'href="rlhf.html">RLHF <span'),),
    ),
    "link added": Change(
        lambda root: append(root, "notes/t5.md", "\n后来的对齐工作见 [[lima]]。\n"),
        reaches=("notes/t5.html", "notes/lima.html"),
        shows=(("notes/lima.html", "后来的对齐工作见"),),
    ),
    "link removed": Change(
        lambda root: edit(root, "notes/flan.md", "，和 [InstructGPT](instructgpt.md) 同年", ""),
        reaches=("notes/flan.html", "notes/instructgpt.html"),
        hides=(("notes/instructgpt.html", "同年"),),
    ),
    "note added": Change(
        lambda root: write_site(root, {"notes/llama.md": NEW_NOTE}),
        reaches=(
            "notes/llama.html",
            "notes/gpt-3.html",
            "notes/lima.html",
            "index.html",
            "tags/index.html",
            "tags/开源.html",
            "tags/预训练.html",
            "lineage.html",
            "atom.xml",
        ),
        shows=(("notes/gpt-3.html", 'href="llama.html"'),),
    ),
    "note deleted": Change(
        lambda root: (root / "notes/bert.md").unlink(),
        reaches=("notes/bert.html", "notes/bert.bib", "tags/编码器.html", "notes/gpt-2.html", "index.html"),
        hides=(("index.html", "BERT"),),
    ),
    "note file renamed": Change(
        rename_gpt2,
        reaches=("notes/gpt-2.html", "notes/gpt2.html", "notes/gpt-3.html", "notes/bert.html", "index.html"),
        shows=(("notes/gpt-3.html", 'href="gpt2.html#%E6%96%B9%E6%B3%95"'),),
    ),
    "builds_on": Change(
        lambda root: edit(root, "notes/lima.md", "builds_on: [instructgpt]", "builds_on: [instructgpt, flan]"),
        reaches=("notes/lima.html", "notes/flan.html", "notes/t5.html", "lineage.html"),
        shows=(("lineage.html", 'data-from="flan" data-to="lima"'),),
    ),
    "builds_on names an ancestor it had already": Change(  # its lineage is the same: only its page's list shows it
        lambda root: edit(root, "notes/lima.md", "builds_on: [instructgpt]", "builds_on: [instructgpt, gpt-3]"),
        reaches=("notes/lima.html",),
    ),
    "template override added": Change(
        override_base_template,
        reaches=("index.html", "notes/bert.html", "tags/index.html", "about.html", "papers.html", "404.html"),
        shows=(("index.html", OVERRIDE_COMMENT), ("notes/lima.html", OVERRIDE_COMMENT)),
    ),
    "data used by a template": Change(
        lambda root: append(root, "data/papers.yaml", "  - name: LLaMA\n"),
        reaches=("papers.html",),
        shows=(("papers.html", '<li class="item">LLaMA</li>'),),
    ),
    "data used by nothing": Change(
        lambda root: append(root, "data/unused.yaml", "more: 还是没人用\n"),
        reaches=(),
    ),
    "config title": Change(
        lambda root: edit(root, "pyproject.toml", 'title = "增量构建测试"', 'title = "改过名的笔记"'),
        reaches=("index.html", "notes/bert.html", "tags/index.html", "404.html", "atom.xml"),
        shows=(("notes/bert.html", "改过名的笔记"), ("atom.xml", "改过名的笔记")),
    ),
    "config language": Change(  # the language also names code blocks for screen readers, inside cached parses
        lambda root: edit(root, "pyproject.toml", 'language = "zh-CN"', 'language = "en"'),
        reaches=("index.html", "notes/gpt-2.html"),
        shows=(("notes/gpt-2.html", 'aria-label="python code"'), ("notes/gpt-2.html", "Skip to content")),
        hides=(("notes/gpt-2.html", "python 代码"),),
    ),
    "config base_url": Change(
        lambda root: append(root, "pyproject.toml", 'base_url = "https://me.example.org/notes"\n'),
        reaches=("atom.xml", "sitemap.xml", "404.html"),
        shows=(("sitemap.xml", "<loc>https://me.example.org/notes/notes/lima.html</loc>"),),
    ),
    "page edited": Change(
        lambda root: edit(root, "pages/about.md", "从 [[t5]] 读起也行。", "从 [[bert]] 读起更好。"),
        reaches=("about.html", "notes/bert.html", "notes/t5.html"),
        shows=(("about.html", '<a class="internal" href="notes/bert.html">BERT</a>'),),
    ),
    "linked file edited": Change(
        lambda root: append(root, "notes/appendix/files/table.csv", "T5,11B\n"),
        reaches=("notes/appendix/files/table.csv",),
        shows=(("notes/appendix/files/table.csv", "T5,11B"),),
    ),
    "file added with an image of it": Change(
        lambda root: (
            write_site(root, {"notes/appendix/fig.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n'}),
            append(root, "notes/appendix/glossary.md", "\n![图](fig.svg)\n"),
        ),
        reaches=("notes/appendix/fig.svg", "notes/glossary.html"),
        shows=(("notes/glossary.html", '<img src="appendix/fig.svg" alt="图"'),),
    ),
    "inline #tag added": Change(
        lambda root: append(root, "notes/lima.md", "\n少量数据也够 #小样本\n"),
        reaches=("notes/lima.html", "tags/小样本.html", "tags/index.html"),
        shows=(("notes/lima.html", '<a class="hashtag" href="../tags/%E5%B0%8F%E6%A0%B7%E6%9C%AC.html">#小样本</a>'),),
    ),
    "embedded file moved": Change(
        lambda root: (root / "notes/appendix/img/chart.svg").rename(root / "notes/appendix/files/chart.svg"),
        reaches=("notes/appendix.html", "notes/appendix/img/chart.svg", "notes/appendix/files/chart.svg"),
        shows=(("notes/appendix.html", '<img src="appendix/files/chart.svg" alt="chart.svg">'),),
    ),
    "note added to a section": Change(
        lambda root: write_site(root, {"notes/appendix/notation.md": "# 记号\n\n$x$ 是输入。\n"}),
        # the section lists it; the tree holds it, and its sibling shows it in the tree drawn without scripts
        reaches=("notes/notation.html", "notes/appendix.html", "index.html", "static/nav.js", "notes/glossary.html"),
        shows=(
            ("notes/appendix.html", '<a href="notation.html">记号</a>'),
            ("static/nav.js", '["记号","notes/notation.html"]'),
            ("notes/glossary.html", '<li><a href="notation.html">记号</a>'),
        ),
    ),
    "section title edited": Change(
        lambda root: edit(root, "notes/appendix/index.md", "# 附录", "# 附录与数据"),
        reaches=("notes/appendix.html", "notes/glossary.html", "static/nav.js", "notes/bert.html", "index.html"),
        shows=(
            ("notes/glossary.html", "↑ 附录与数据"),
            ("notes/bert.html", '<li><a href="appendix.html">附录与数据</a>'),  # its neighbour in the tree
            ("static/nav.js", '["附录与数据","notes/appendix.html",'),
        ),
    ),
    "note moved to another folder": Change(
        lambda root: (root / "notes/appendix/glossary.md").rename(root / "notes/glossary.md"),
        # same slug and page, another place in the tree
        reaches=("notes/glossary.html", "notes/appendix.html", "static/nav.js", "notes/bert.html"),
        shows=(("notes/bert.html", '<li><a href="glossary.html">术语表</a>'),),
        hides=(("notes/glossary.html", "↑ 附录"),),
    ),
    "section named by mkdocs.yml's nav": Change(
        lambda root: write_site(root, {"mkdocs.yml": "nav:\n  - 资料:\n    - appendix/index.md\n"}),
        reaches=("notes/appendix.html", "notes/glossary.html", "static/nav.js", "index.html"),
        shows=(("notes/glossary.html", "↑ 资料"), ("static/nav.js", '["资料","notes/appendix.html",')),
    ),
    "note of the same name added in a folder": Change(
        lambda root: write_site(root, {"notes/top/glossary.md": "# 另一份术语表\n"}),
        reaches=(
            "notes/appendix-glossary.html",
            "notes/top-glossary.html",
            "notes/glossary.html",  # gone: the note moved to appendix-glossary.html
            "notes/appendix.html",
        ),
        shows=(("notes/appendix.html", '<a href="appendix-glossary.html">术语表</a>'),),
    ),
    "home page's reading order": Change(
        lambda root: edit(root, "pages/index.md", "[gpt-2, gpt-3, instructgpt]", "[t5, flan, lima]"),
        reaches=("index.html",),
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Tests


def test_a_warm_build_equals_clean_and_rewrites_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    before, stats = read_tree(root / OUTPUT), stat_tree(root / OUTPUT)
    let_the_clock_tick()
    build(root)
    assert read_tree(root / OUTPUT) == before
    rewritten = sorted(name for name, stat in stat_tree(root / OUTPUT).items() if stats.get(name) != stat)
    assert rewritten == [], f"a build with nothing changed rewrote these: {rewritten}"
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize("name", list(CHANGES))
def test_an_incremental_build_equals_a_clean_one_and_rewrites_only_changed_files(name: str, tmp_path: Path) -> None:
    change = CHANGES[name]
    root = make_site(tmp_path)
    site = root / OUTPUT
    build(root)
    before, stats = read_tree(site), stat_tree(site)
    let_the_clock_tick()
    change.apply(root)
    result = build(root)
    assert result.quick == change.quick, "a change to a body alone goes straight into its page, and only such a one"
    after, stats_after = read_tree(site), stat_tree(site)
    # the change shows where a reader would look for it (so a stale copy of those outputs could not pass)
    stale = [output for output in change.reaches if before.get(output) == after.get(output)]
    assert stale == [], f"the change should have reached these outputs, which kept the first build's bytes: {stale}"
    if not change.reaches:
        assert after == before
    for output, text in change.shows:
        assert text in page(site, output), output
    for output, text in change.hides:
        assert text not in page(site, output), output
    # the whole site, and the warnings, are what a clean build of the changed sources gives
    assert_equals_clean(root, tmp_path, result)
    # and an output whose bytes are what they were was left alone (checked last: correctness comes first)
    same_bytes = [output for output in before.keys() & after.keys() if before[output] == after[output]]
    rewritten = sorted(output for output in same_bytes if stats[output] != stats_after[output])
    assert rewritten == [], f"these outputs were rewritten with the bytes they already had: {rewritten}"


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_server_carries_over_the_keys_a_change_leaves_and_builds_what_a_clean_build_does(
    name: str, tmp_path: Path
) -> None:
    """A server keeps its last build's output keys with what each was made from, and works out again only those
    whose inputs changed (see PageContext.carried_key). Under the test suite every key carried over is also worked
    out afresh and compared (see tests/conftest.py); and the site and the warnings are a clean build's."""
    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    let_the_clock_tick()
    CHANGES[name].apply(root)
    result = build(root, memory=memory)
    assert_equals_clean(root, tmp_path, result)


def test_a_server_takes_the_pages_an_edit_leaves_whole_from_its_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retitle in a folder: the server keys again the note's own page, its folder's pages (their side navigation
    shows the title) and the pages that link to it; the other pages are taken whole from its last build, without
    working out their lists (see note._Carried). Under the test suite each page taken is checked against one made
    afresh (see tests/conftest.py)."""
    from llmnotes.emit import note

    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    keyed: list[str] = []
    rest_key = note._rest_key
    monkeypatch.setattr(
        note, "_rest_key", lambda parsed, *args: keyed.append(parsed.note.slug) or rest_key(parsed, *args)
    )
    edit(root, "notes/appendix/glossary.md", "# 术语表", "# 术语与记号")
    result = build(root, memory=memory)
    assert {"glossary", "appendix", "t5"} <= set(keyed), keyed  # its own page, its folder's, the page it links to
    assert not {"gpt-2", "lima", "flan"} & set(keyed), keyed
    monkeypatch.undo()
    assert_equals_clean(root, tmp_path, result)


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_server_renders_in_workers_that_were_sent_the_site_after_taking_pages_whole(
    method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server runs threads, so its workers are started from a forkserver (or spawned) and sent the site pickled,
    without the keys it kept. A template edit once it has warmed up renders every note page in them: each makes the
    keys of the pages the server took whole from its last build, from the site alone (a server crashed on it)."""
    from llmnotes.emit import context, nav, search_index
    from llmnotes.engine import parallel

    for module in (context, nav, search_index):  # which would make in this process every key it carries over
        monkeypatch.setattr(module, "CHECK_CARRIED", False)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setattr(parallel, "worker_count", lambda: 2)
    monkeypatch.setenv(parallel.START_METHOD_SETTING, method)
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    memory = CacheMemory()
    assert warm_up(root, memory)
    let_the_clock_tick()
    note_template = root / "templates" / "note.html"
    text = note_template.read_text(encoding="utf-8")
    at = text.rindex("{% endblock %}")
    note_template.write_text(text[:at] + "<!-- 本站改过 -->\n" + text[at:], encoding="utf-8")
    result = build(root, memory=memory)
    assert "<!-- 本站改过 -->" in page(root / OUTPUT, "notes/t5.html")
    assert_equals_clean(root, tmp_path, result)


def test_a_server_that_warmed_up_on_a_built_site_makes_only_the_keys_its_first_edit_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server starts on a site built before (its first build has nothing to do, and keys nothing): its warm-up
    compiles the site and keys every output without writing, so the first edit is as quick as the next."""
    from llmnotes.emit import context, note

    root = make_site(tmp_path)
    build(root)
    site = root / OUTPUT
    before = stat_tree(site)
    memory = CacheMemory()
    assert build(root, memory=memory).rendered == 0
    monkeypatch.setattr(context, "CHECK_CARRIED", False)  # which would work out every key carried over too
    made: list[str] = []
    key_rest = note._key_rest
    monkeypatch.setattr(note, "_key_rest", lambda slug, *args: made.append(slug) or key_rest(slug, *args))
    assert warm_up(root, memory)
    assert stat_tree(site) == before, "the warm-up writes nothing"
    everything = set(made)
    made.clear()
    edit(root, "notes/flan.md", 'title: "Finetuned', 'title: "Instruction-Finetuned')
    result = build(root, memory=memory)
    assert {"flan", "t5", "instructgpt"} <= set(made) < everything, made
    monkeypatch.undo()
    assert_equals_clean(root, tmp_path, result)
    edit(root, "notes/flan.md", "在 [[t5]] 上做", "在 [[t5]] 与 [[gpt-3]] 上做")  # another card, a new backlink
    assert not warm_up(root, memory), "nothing is warmed up on a site that changed since its last build"
    build(root, memory=memory)  # the note was saved just now: the state keeps no stamp for it (see file_digest)
    earlier = time.time() - 60
    os.utime(root / "notes/flan.md", (earlier, earlier))  # as its stamp is once trusted: the same bytes
    assert warm_up(root, memory), "a site whose files have the bytes its last build saw is warmed up"


def test_a_server_shows_the_date_a_note_took_while_unchanged_when_another_edit_builds_the_site(tmp_path: Path) -> None:
    """Outside git a note's dates are its file's: a file touched, not changed, builds nothing, and its new date
    shows with the next edit's build. Its card changed though its bytes did not (see emit.context.CardFacts)."""
    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    day = time.mktime((2024, 1, 2, 12, 0, 0, 0, 0, -1))
    os.utime(root / "notes/bert.md", (day, day))
    assert build(root, memory=memory).rendered == 0
    edit(root, "notes/flan.md", 'title: "Finetuned', 'title: "Instruction-Finetuned')
    result = build(root, memory=memory)
    assert "2024-01-02" in page(root / OUTPUT, "notes/bert.html")
    assert_equals_clean(root, tmp_path, result)


def test_a_server_shows_a_retitled_note_in_the_related_notes_of_the_notes_that_share_its_tags(tmp_path: Path) -> None:
    """Related notes share tags and nothing else: no link, no lineage; a title edit still reaches their pages."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Related"\n'}
    # a and b are not each other's neighbours in the pager: c comes between them
    for name, year, tags in (("a", 2020, "[rlhf, data]"), ("c", 2021, "[other]"), ("b", 2022, "[rlhf, data]")):
        files[f"notes/{name}.md"] = f"---\ntitle: Paper {name.upper()}\nyear: {year}\ntags: {tags}\n---\nBody.\n"
    root = write_site(tmp_path / "project", files)
    memory = CacheMemory()
    build(root, memory=memory)
    assert "Paper A" in page(root / OUTPUT, "notes/b.html")
    edit(root, "notes/a.md", "title: Paper A", "title: Paper Alpha")
    result = build(root, memory=memory)
    assert "Paper Alpha" in page(root / OUTPUT, "notes/b.html")
    assert_equals_clean(root, tmp_path, result)


def test_a_server_works_out_again_the_page_keys_of_the_notes_that_show_an_edited_title_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmnotes.emit import context, note

    monkeypatch.setattr(context, "CHECK_CARRIED", False)  # which would work out every key carried over too
    made: list[str] = []
    key_rest = note._key_rest
    monkeypatch.setattr(note, "_key_rest", lambda slug, *args: made.append(slug) or key_rest(slug, *args))
    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    everything = set(made)
    made.clear()
    edit(root, "notes/flan.md", 'title: "Finetuned', 'title: "Instruction-Finetuned')
    build(root, memory=memory)
    # FLAN's own page, and those that list it: T5's (FLAN builds on T5) and InstructGPT's (FLAN links to it)
    assert {"flan", "t5", "instructgpt"} <= set(made) < everything, made
    assert_equals_clean(root, tmp_path)


def test_a_title_edit_parses_the_note_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save first tries the body-only update, which parses the note; a title edit then takes the full way, which
    takes that parse from the cache instead of parsing the note again."""
    from llmnotes.content import parse

    parsed: list[str] = []
    parse_note = parse.parse_note
    monkeypatch.setattr(parse, "parse_note", lambda note, md: parsed.append(note.slug) or parse_note(note, md))
    root = make_site(tmp_path)
    build(root)
    parsed.clear()
    let_the_clock_tick()
    edit(root, "notes/flan.md", 'title: "Finetuned', 'title: "Instruction-Finetuned')
    result = build(root)
    assert parsed == ["flan"]
    assert "Instruction-Finetuned" in page(root / OUTPUT, "notes/flan.html")
    assert_equals_clean(root, tmp_path, result)


def test_a_server_asks_no_did_you_mean_of_a_site_without_broken_links_when_a_title_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retitle moves a name, and the hints told may then change; a site that told none has nothing to check, and
    its "did you mean" index (10,000 names: 0.1 s) is not made for it."""
    from llmnotes.content import suggest

    made: list[int] = []
    index = suggest.Suggester._index
    monkeypatch.setattr(suggest.Suggester, "_index", lambda self: made.append(len(self.source)) or index(self))
    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    edit(root, "notes/flan.md", 'title: "Finetuned', 'title: "Instruction-Finetuned')
    result = build(root, memory=memory)
    assert made == []
    assert "Instruction-Finetuned" in page(root / OUTPUT, "notes/flan.html")
    assert_equals_clean(root, tmp_path, result)


@pytest.mark.parametrize("server", [False, True])
def test_an_edit_makes_again_the_side_navigation_of_the_pages_whose_folders_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: bool
) -> None:
    """A page of a site in folders shows the part of the tree near it; a build takes each page's part from the last
    build while the folders it shows hold the same entries (a real site's title edit made 3,751 pages' parts, 0.17 s).
    A note retitled at the top changes the parts of the pages beside it, not those of a folder below, whose entry
    is the same; a note retitled in that folder, the reverse."""
    from llmnotes.emit import context, nav

    monkeypatch.setattr(context, "CHECK_CARRIED", False)  # which would make every part carried over too
    monkeypatch.setattr(nav, "CHECK_CARRIED", False)
    made: list[str] = []
    made_key = nav._made_key  # the part of the tree a page shows, made and digested for its key
    monkeypatch.setattr(nav, "_made_key", lambda pages, path: made.append(path) or made_key(pages, path))
    root = make_site(tmp_path)
    memory = CacheMemory() if server else None
    build(root, memory=memory)
    assert {"notes/appendix.html", "notes/glossary.html", "notes/flan.html"} <= set(made)
    made.clear()
    let_the_clock_tick()
    edit(root, "notes/gpt-3.md", 'title: "Language Models', 'title: "Large Language Models')  # its label
    build(root, memory=memory)
    assert "notes/gpt-3.html" in made and "notes/bert.html" in made and "notes/glossary.html" not in made
    nav = page(root / OUTPUT, "notes/bert.html").split('id="site-tree"')[1].split("</nav>")[0]
    assert "Large Language Models" in nav  # the side navigation beside it shows the new title
    assert_equals_clean(root, tmp_path)
    made.clear()
    let_the_clock_tick()
    edit(root, "notes/appendix/glossary.md", "# 术语表", "# 术语对照表")
    build(root, memory=memory)
    assert "notes/glossary.html" in made and "notes/appendix.html" in made and "notes/bert.html" not in made
    assert_equals_clean(root, tmp_path)


def test_a_body_edit_rewrites_its_page_and_leaves_unrelated_pages_alone(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    site = root / OUTPUT
    before, stats = read_tree(site), stat_tree(site)
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    build(root)
    after, stats_after = read_tree(site), stat_tree(site)
    assert "新加的一句话。" in page(site, "notes/lima.html")
    assert stats_after["notes/lima.html"] != stats["notes/lima.html"]
    # BERT, T5 and FLAN have no relation to LIMA (FLAN is not its ancestor until the builds_on case)
    unrelated = ["notes/bert.html", "notes/t5.html", "notes/flan.html", "tags/编码器.html", "about.html"]
    unrelated += ["static/style.css", "lineage.html"]
    changed = [output for output in unrelated if after[output] != before[output]]
    assert changed == [], f"a body edit of LIMA changed outputs unrelated to it: {changed}"
    rewritten = [output for output in unrelated if stats_after[output] != stats[output]]
    assert rewritten == [], f"outputs unrelated to the edited note were rewritten: {rewritten}"
    assert_equals_clean(root, tmp_path)


def test_a_broken_heading_link_fails_keeps_the_site_and_the_fix_builds_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site(tmp_path)
    build(root)
    before = everything(root / OUTPUT)
    let_the_clock_tick()
    edit(root, "notes/gpt-3.md", "## 实验", "## 评测")  # instructgpt links to [[gpt-3#实验]]
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and 'notes/gpt-3.md has no heading "实验"' in err
    with pytest.raises(UserError):
        build(root)
    # the whole output folder, the engine's own files included, is as the last good build left it
    assert everything(root / OUTPUT) == before, "a failed build touched the site"
    edit(root, "notes/instructgpt.md", "[[gpt-3#实验]]", "[[gpt-3#评测]]")
    code, _, err = run_cli(root, capsys=capsys)
    assert (code, err) == (0, "")
    assert 'href="gpt-3.html#%E8%AF%84%E6%B5%8B"' in page(root / OUTPUT, "notes/instructgpt.html")
    assert_equals_clean(root, tmp_path)


def test_a_template_override_added_then_removed(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    original = read_tree(root / OUTPUT)
    override_base_template(root)
    build(root)
    overridden = read_tree(root / OUTPUT)
    html = [name for name in original if name.endswith(".html")]
    missed = [name for name in html if OVERRIDE_COMMENT.encode() not in overridden[name]]
    assert missed == [], f"pages built without the overriding base.html: {missed}"
    assert_equals_clean(root, tmp_path)
    (root / "templates/base.html").unlink()
    build(root)
    assert read_tree(root / OUTPUT) == original
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize(
    ("template", "used_by"),
    [
        ("tag.html", lambda name: name.startswith("tags/") and name != "tags/index.html"),
        ("note.html", lambda name: name.startswith("notes/") and name.endswith(".html")),
        ("static/style.css", lambda name: name == "static/style.css"),
    ],
    ids=["tag page", "note page", "stylesheet"],
)
def test_a_template_edit_renders_only_the_pages_made_with_it(
    template: str, used_by: Callable[[str], bool], tmp_path: Path
) -> None:
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    site = root / OUTPUT
    before, stats = read_tree(site), stat_tree(site)
    let_the_clock_tick()
    edited = root / "templates" / template
    text = edited.read_text(encoding="utf-8")
    if template.endswith(".html"):  # in its last block: a child template shows nothing outside its blocks
        at = text.rindex("{% endblock %}")
        edited.write_text(text[:at] + "<!-- 本站改过 -->\n" + text[at:], encoding="utf-8")
    else:
        edited.write_text(text + "\n/* 本站改过 */\n", encoding="utf-8")
    result = build(root)
    after, stats_after = read_tree(site), stat_tree(site)
    changed = sorted(name for name in after if after[name] != before.get(name))
    expected = sorted(name for name in before if used_by(name))
    assert expected and changed == expected
    rewritten = sorted(name for name in after if stats_after[name] != stats[name])
    assert rewritten == expected
    assert result.rendered < len(before) // 2 or template == "note.html"
    assert_equals_clean(root, tmp_path)


def test_a_title_edit_makes_again_only_its_own_entries_of_the_bibliography(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """references.bib and references.json list every paper: an edit of one paper's title takes its entries into the
    files the last build wrote, instead of making every paper's entries again."""
    from llmnotes.emit import bibliography
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # rendered in this process, where the calls are counted
    root = make_site(tmp_path)
    build(root)
    papers = page(root / OUTPUT, "references.bib").count("\n@")
    made: list[str] = []
    for name in ("bibtex_entry", "csl_item"):
        function = getattr(bibliography, name)
        monkeypatch.setattr(bibliography, name, lambda *args, f=function, n=name: made.append(n) or f(*args))
    let_the_clock_tick()
    CHANGES["title of a linked note"].apply(root)
    build(root)
    assert "{GPT-3}: Language Models" in page(root / OUTPUT, "references.bib")
    assert '"GPT-3: Language Models' in page(root / OUTPUT, "references.json")
    assert papers >= 5 and made.count("csl_item") == 1 and made.count("bibtex_entry") == 2  # and notes/gpt-3.bib
    assert_equals_clean(root, tmp_path)


def test_the_pages_that_list_every_note_render_only_when_what_they_show_of_the_notes_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timeline, the lineage and the tag index show each note's card: an edit of a note's first paragraph
    (its excerpt, shown on other pages) leaves them alone; a title edit renders them."""
    from llmnotes.emit import lineage, tags, timeline
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # rendered in this process, where the calls are counted
    rendered: list[str] = []
    for module, name in ((timeline, "_render"), (lineage, "_render"), (tags, "_render_index")):
        function = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, f=function, n=module.__name__: rendered.append(n) or f(*a))
    root = make_site(tmp_path)
    build(root)
    assert len(rendered) == 3
    rendered.clear()
    let_the_clock_tick()
    CHANGES["first paragraph edited"].apply(root)
    assert not build(root).quick
    assert rendered == []
    assert_equals_clean(root, tmp_path)  # (builds a clean copy, rendering them)
    rendered.clear()
    let_the_clock_tick()
    edit(root, "notes/lima.md", 'title: "LIMA: Less', 'title: "LIMA: Much Less')
    build(root)
    assert sorted(rendered) == ["llmnotes.emit.lineage", "llmnotes.emit.tags", "llmnotes.emit.timeline"]
    assert "LIMA: Much Less" in page(root / OUTPUT, "timeline.html")
    assert_equals_clean(root, tmp_path)


def counting_partials(monkeypatch: pytest.MonkeyPatch, name_of: Callable[[str, str, dict], str | None]) -> list[str]:
    """Render in this process from now on, and list `name_of(template, page path, context)` of each template
    rendered, where it is not None."""
    from llmnotes.emit.render import Renderer
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)
    rendered: list[str] = []
    text = Renderer._text

    def counted(self: Renderer, template_name: str, page_path: str, context: dict) -> str:
        name = name_of(template_name, page_path, context)
        if name is not None:
            rendered.append(name)
        return text(self, template_name, page_path, context)

    monkeypatch.setattr(Renderer, "_text", counted)
    return rendered


def retitle_lima(root: Path) -> None:
    let_the_clock_tick()
    edit(root, "notes/lima.md", 'title: "LIMA: Less', 'title: "LIMA: Much Less')
    build(root)


def rebuild_with(root: Path, files: dict[str, str]) -> None:
    let_the_clock_tick()
    write_site(root, files)
    build(root)


def test_the_pages_that_list_every_note_render_again_only_the_entries_of_notes_whose_card_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timeline, the feed and the tag index show a partial per note; they keep them between builds, so a
    title edit renders again the entries of that note only (10,000 of each took a third of a second a page), and
    the pages still equal a clean build's. An edit of the page's own template renders the page around the entries
    it kept; one of the partial itself renders every entry again."""

    def entry(template_name: str, page_path: str, context: dict) -> str | None:
        if template_name in ("_timeline_entry.html", "_feed_entry.xml") or (template_name, page_path) == (
            "_card.html",
            "tags/",
        ):
            return f"{template_name} {context['card']['slug'] if 'card' in context else context['note'].slug}"
        return None

    rendered = counting_partials(monkeypatch, entry)
    root = make_site(tmp_path)
    build(root)
    notes = sum(name.startswith("_timeline_entry.html") for name in rendered)
    assert notes >= 8 and sum(name.startswith("_feed_entry.xml") for name in rendered) >= notes  # + sections
    rendered.clear()
    retitle_lima(root)
    assert sorted(rendered) == ["_card.html lima", "_feed_entry.xml lima", "_timeline_entry.html lima"]
    for listing in ("timeline.html", "atom.xml"):
        assert "LIMA: Much Less" in page(root / OUTPUT, listing), listing
    assert_equals_clean(root, tmp_path)
    rendered.clear()
    let_the_clock_tick()
    timeline_page = (REPO / "templates/timeline.html").read_text(encoding="utf-8")
    write_site(root, {"templates/timeline.html": timeline_page.replace("<h1>", '<h1 class="own">')})
    build(root)
    assert '<h1 class="own">' in page(root / OUTPUT, "timeline.html")
    assert rendered == []  # the page again, around the entries it kept
    assert_equals_clean(root, tmp_path)
    rendered.clear()
    rebuild_with(root, {"templates/_timeline_entry.html": "<li>{{ card.title }}</li>\n"})
    assert sum(name.startswith("_timeline_entry.html") for name in rendered) == notes
    assert "<li>LIMA: Much Less Is More for Alignment</li>" in page(root / OUTPUT, "timeline.html")
    assert_equals_clean(root, tmp_path)


def test_a_title_edit_makes_again_the_card_keys_of_that_note_and_of_the_notes_whose_excerpt_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that keys the whole site takes each note's card key from the last build while the card's inputs are
    the same (10,000 excerpts and digests took a tenth of a title edit's build). A retitled note's own card is made
    again, and so are the cards of the notes whose first paragraph links to it, whose excerpts show its title."""
    from llmnotes.emit.context import PageContext
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)  # a forked worker's count would not come back
    made: list[str] = []
    digest = PageContext._card_digest

    def counted(self: PageContext, parsed: ParsedNote) -> str:
        made.append(parsed.note.slug)
        return digest(self, parsed)

    monkeypatch.setattr(PageContext, "_card_digest", counted)
    root = make_site(tmp_path)
    build(root)
    assert {"gpt-2", "gpt-3", "t5", "instructgpt", "lima"} <= set(made)
    made.clear()
    let_the_clock_tick()
    CHANGES["title of a linked note"].apply(root)
    build(root)
    # gpt-2: "…后来的 [[gpt-3]] 把它放大。", instructgpt: "基础模型是 [[GPT3]]，规模见 [[gpt-3#实验]]。"
    assert sorted(made) == ["gpt-2", "gpt-3", "instructgpt"]
    previews = page(root / OUTPUT, "notes/lima.html")  # LIMA links to InstructGPT: the page holds its preview
    assert json.dumps("基础模型是 GPT-3: Language Models are Few-Shot Learners，")[1:-1] in previews
    made.clear()
    let_the_clock_tick()
    edit(root, "notes/t5.md", "tags: [预训练, 编码器-解码器]", "tags: [预训练, 编码器-解码器, 迁移]")
    build(root)
    assert made == ["t5"]
    assert_equals_clean(root, tmp_path)


def test_the_tag_index_and_the_timeline_render_again_only_the_groups_that_show_an_edited_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tag index keeps one _tag_group.html per tag, the timeline one _timeline_year.html per year, each made of
    its notes' entries: a title edit renders the groups of the note's tags and year again, not the others (at 10,000
    notes they held 40,000 entries); an edit of the entry partial inside them renders every group again. Each time
    the site equals a clean build."""

    def group(template_name: str, _page_path: str, context: dict) -> str | None:
        if template_name == "_tag_group.html":
            return f"tag {context['tag'].name}"
        return f"year {context['group'].year}" if template_name == "_timeline_year.html" else None

    rendered = counting_partials(monkeypatch, group)
    root = make_site(tmp_path)
    build(root)
    tag_groups = sum(name.startswith("tag ") for name in rendered)
    assert tag_groups > 4 and "tag 对齐" in rendered and "year 2023" in rendered
    rendered.clear()
    retitle_lima(root)
    assert sorted(rendered) == ["tag 对齐", "tag 数据", "year 2023"]  # its tags and year
    assert "LIMA: Much Less" in page(root / OUTPUT, "timeline.html")
    assert_equals_clean(root, tmp_path)
    rendered.clear()
    rebuild_with(root, {"templates/_card.html": '<span data-own="card">{% include "_note_link.html" %}</span>\n'})
    assert sum(name.startswith("tag ") for name in rendered) == tag_groups
    assert 'data-own="card"' in page(root / OUTPUT, "tags/index.html")
    assert_equals_clean(root, tmp_path)


def test_a_large_sites_home_page_renders_only_when_a_note_it_lists_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond LIST_ALL_UP_TO notes the home page lists the recent ones and counts the years: a title edit of an
    old note renders its year's page, not the home page; one of a recent note renders both."""
    from llmnotes.emit import home
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)
    rendered: list[str] = []
    render = home._render
    monkeypatch.setattr(home, "_render", lambda *a: rendered.append("home") or render(*a))
    root = write_numbered_notes(tmp_path, home.LIST_ALL_UP_TO + 1, lambda number: f"year: {1900 + number}\n")
    build(root)
    assert rendered == ["home"]
    let_the_clock_tick()
    edit(root, "notes/n000.md", '"Note 0"', '"Oldest note"')  # the oldest: not among the recent ones
    build(root)
    assert rendered == ["home"]
    assert "Oldest note" in page(root / OUTPUT, "years/1900.html")
    assert_equals_clean(root, tmp_path)  # (builds a clean copy, rendering it)
    rendered.clear()
    let_the_clock_tick()
    edit(root, "notes/n100.md", '"Note 100"', '"Newest note"')
    build(root)
    assert rendered == ["home"]
    assert "Newest note" in page(root / OUTPUT, "index.html")
    assert_equals_clean(root, tmp_path)


def test_the_pages_that_list_a_tag_or_a_year_make_only_the_cards_of_the_entries_they_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title edit renders the pages of the note's tags and year again, each listing its notes by their kept
    partials: they ask for the card of the note whose entry they render, not of every note listed (at 10,000 notes
    a year page made 3,000 cards no template read). The pages still show every note and equal a clean build's."""
    from llmnotes.emit import home, tags
    from llmnotes.emit.context import PageContext
    from llmnotes.engine import parallel

    monkeypatch.setattr(parallel, "worker_count", lambda: 1)
    made: dict[str, list[str]] = {}  # page -> the cards asked for while it rendered
    rendering: list[str] = []
    card = PageContext.card

    def counted(self: PageContext, slug: str) -> object:
        if rendering:
            made.setdefault(rendering[-1], []).append(slug)
        return card(self, slug)

    def watched(render: Callable[..., bytes]) -> Callable[..., bytes]:
        def rendered(*args: object) -> bytes:
            rendering.append(str(args[-1]))  # the page's path
            try:
                return render(*args)
            finally:
                rendering.pop()

        return rendered

    monkeypatch.setattr(PageContext, "card", counted)
    monkeypatch.setattr(home, "_render_year", watched(home._render_year))
    monkeypatch.setattr(tags, "_render_tag", watched(tags._render_tag))
    count = home.LIST_ALL_UP_TO + 20
    root = write_numbered_notes(tmp_path, count, lambda _: "year: 2020\ntags: [all]\n")
    build(root)
    assert {page: len(set(slugs)) for page, slugs in made.items()} == {"years/2020.html": count, "tags/all.html": count}
    made.clear()
    let_the_clock_tick()
    edit(root, "notes/n050.md", '"Note 50"', '"Retitled note"')
    build(root)
    assert made == {"years/2020.html": ["n050"], "tags/all.html": ["n050"]}
    for listing in ("years/2020.html", "tags/all.html"):
        shown = page(root / OUTPUT, listing)
        assert "Retitled note" in shown and shown.count('class="note-item"') == count
    assert_equals_clean(root, tmp_path)


def write_numbered_notes(tmp_path: Path, count: int, front: Callable[[int], str]) -> Path:
    """A site of `count` notes, n000.md on, titled "Note <number>", each with the front matter lines `front` gives."""
    notes = {
        f"notes/n{number:03}.md": f'---\ntitle: "Note {number}"\n{front(number)}---\n\nText {number}.\n'
        for number in range(count)
    }
    return write_site(tmp_path / "project", {"pyproject.toml": '[tool.llmnotes]\ntitle = "Many"\n', **notes})


def count_records(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the notes whose body-edit records the builds from now on make (see engine/body_edits.py)."""
    from llmnotes.engine import body_edits

    made: list[str] = []
    record = body_edits.record

    def counted(context: object, parsed: ParsedNote) -> object:
        made.append(parsed.note.slug)
        return record(context, parsed)  # type: ignore[arg-type]

    monkeypatch.setattr(body_edits, "record", counted)
    return made


def test_a_full_build_keeps_the_records_of_notes_it_did_not_render_and_body_edits_after_it_stay_quick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records a body edit needs are made again only for the notes whose page or search entry changed."""
    root = make_site(tmp_path)
    build(root)
    notes = len(list((root / OUTPUT / "notes").glob("*.html")))
    made = count_records(monkeypatch)
    let_the_clock_tick()
    edit(root, "notes/t5.md", "tags: [", "tags: [新标签, ")  # a change other pages show: the full way
    assert not build(root).quick
    assert "t5" in made and len(made) < notes, made  # the others kept their records
    for note in ("lima", "t5", "bert"):
        let_the_clock_tick()
        append(root, f"notes/{note}.md", "\n又一句。\n")
        assert build(root).quick, note
        assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize("change", ["added", "deleted"])
def test_a_note_added_or_deleted_keeps_the_other_notes_records_and_body_edits_after_it_stay_quick(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note added or deleted shifts the index's numbers of the documents after it; their records do not hold
    their numbers, so only the notes whose pages change (the note, its neighbours in the pager) are recorded again,
    not every note (at 10,000 notes that was half a second of every such build)."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Notes"\n'}
    for number in range(12):
        front = f"---\ntitle: Paper {number}\nyear: {2000 + number}\n---\n"
        files[f"notes/paper-{number:02}.md"] = f"{front}\nText {number}.\n"
    root = write_site(tmp_path / "project", files)
    plain = {"notes/aaa-plain.md": "---\ntitle: A plain note\nyear: 2005\n---\n\nIt links nowhere.\n"}
    if change == "deleted":
        write_site(root, plain)
    build(root)
    made = count_records(monkeypatch)
    let_the_clock_tick()
    if change == "added":
        write_site(root, plain)  # its path comes first: every document after it moves
    else:
        (root / "notes/aaa-plain.md").unlink()
    assert not build(root).quick
    assert set(made) <= {"aaa-plain", "paper-04", "paper-05", "paper-06"}, made
    for note in ("paper-00", "paper-11", "paper-07"):
        let_the_clock_tick()
        append(root, f"notes/{note}.md", "\n又一句。\n")
        assert build(root).quick, note
        assert "又一句。" in page(root / OUTPUT, f"notes/{note}.html")
        assert_equals_clean(root, tmp_path)


def test_two_successive_edits_equal_a_clean_build(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    CHANGES["title of a linked note"].apply(root)
    build(root)
    CHANGES["note deleted"].apply(root)
    CHANGES["link added"].apply(root)
    build(root)
    site = root / OUTPUT
    assert "GPT-3: Language Models" in page(site, "notes/gpt-2.html") and not (site / "notes/bert.html").exists()
    assert "后来的对齐工作见" in page(site, "notes/lima.html")
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize("damage", ["output folder deleted", "one page deleted", "one page edited by hand"])
def test_a_damaged_output_is_rebuilt_from_the_cache(damage: str, tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    site = root / OUTPUT
    if damage == "output folder deleted":
        shutil.rmtree(site)
    elif damage == "one page deleted":
        (site / "notes/gpt-3.html").unlink()
    else:
        (site / "notes/gpt-3.html").write_text("edited by hand", encoding="utf-8")
    assert (root / CACHE_DIR).is_dir()
    build(root)
    assert "Language Models are Few-Shot Learners" in page(site, "notes/gpt-3.html")
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize("edited", [False, True], ids=["unchanged", "edited"])
@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_missing_or_corrupt_cache_never_breaks_a_build(damage: str, edited: bool, tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    cache = root / CACHE_DIR
    files = [path for path in cache.rglob("*") if path.is_file()]
    assert files, "the first build left no cache to damage"
    if damage == "deleted":
        shutil.rmtree(cache)
    else:
        for path in files:  # same size, every byte flipped: no longer anything the engine wrote
            path.write_bytes(bytes(byte ^ 0x5A for byte in path.read_bytes()) or b"\xff garbage")
    if edited:
        CHANGES["title of a linked note"].apply(root)
    build(root)
    if edited:
        assert "GPT-3: Language Models" in page(root / OUTPUT, "notes/gpt-2.html")
    assert_equals_clean(root, tmp_path)


def test_body_edits_one_after_another_each_equal_a_clean_build(tmp_path: Path) -> None:
    """Builds keep their changes to the build state beside it (not the whole state again), quick ones and one that
    takes the full way alike; each build after them still starts from the right state."""
    root = make_site(tmp_path)
    build(root)
    changes = root / CACHE_DIR / "state-changes.pickle"
    for number, note in enumerate(["lima", "lima", "t5", "bert", "lima"]):
        let_the_clock_tick()
        append(root, f"notes/{note}.md", f"\n第 {number} 次补充。\n")
        assert build(root).quick
        assert changes.is_file()
        assert f"第 {number} 次补充。" in page(root / OUTPUT, f"notes/{note}.html")
        assert_equals_clean(root, tmp_path)
        if number == 2:  # a change other pages show: the full way, which changes a few dozen of the state's entries
            edit(root, "notes/t5.md", "tags: [", "tags: [新标签, ")
            assert not build(root).quick
            assert changes.is_file()
            assert_equals_clean(root, tmp_path)
    edit(root, "notes/lima.md", "第 4 次补充。", "")  # and back to bytes built before
    assert build(root).quick
    assert_equals_clean(root, tmp_path)


def test_a_replaced_note_template_turns_body_edits_into_full_builds(tmp_path: Path) -> None:
    """A project's own note.html may show the body more than once, or count its words: its pages are rendered."""
    root = make_site(tmp_path)
    template = (REPO / "templates/note.html").read_text(encoding="utf-8")
    write_site(
        root,
        {"templates/note.html": template.replace("{{ body | safe }}", "{{ body | safe }}<p>{{ body | length }}</p>")},
    )
    build(root)
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    assert not build(root).quick
    assert_equals_clean(root, tmp_path)


def test_a_project_with_its_own_copy_of_the_theme_still_splices_body_edits(tmp_path: Path) -> None:
    """Every user who customises one page starts from a copy of the theme: a template that prints the body as it is
    keeps body edits on the quick way, and the result is still what a clean build makes."""
    root = make_site_with_theme_copy(tmp_path)
    note = (root / "templates/note.html").read_text(encoding="utf-8")
    note = note.replace("{{ body | safe }}", "<main>{{ body|safe }}</main>")
    (root / "templates/note.html").write_text(note, encoding="utf-8")
    build(root)
    for number in range(2):
        let_the_clock_tick()
        append(root, "notes/lima.md", f"\n第 {number} 句。\n")
        assert build(root).quick
        assert f"第 {number} 句。</p>\n</main>" in page(root / OUTPUT, "notes/lima.html")
        assert_equals_clean(root, tmp_path)


def test_a_body_edit_whose_first_chinese_phrase_needs_a_new_trigram_file_stays_quick(tmp_path: Path) -> None:
    """A site written in English has no file of CJK trigrams (none is written for nothing); the first Chinese
    sentence makes one, and the body edit still takes the quick way to the clean build's site."""
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Notes"\n'}
    for number in range(3):
        files[f"notes/paper-{number}.md"] = f"""
            ---
            title: Paper {number}
            year: 202{number}
            ---

            Attention is computed over every token of paper {number}.
            """
    root = write_site(tmp_path / "project", files)
    build(root)
    grams = root / OUTPUT / "static/search/g"
    assert not grams.exists() or not list(grams.iterdir())
    let_the_clock_tick()
    append(root, "notes/paper-1.md", "\n注意力机制的计算量随长度平方增长。\n")
    assert build(root).quick
    assert list(grams.iterdir())
    assert_equals_clean(root, tmp_path)
    let_the_clock_tick()
    append(root, "notes/paper-2.md", "\n稀疏注意力把它降到线性。\n")
    assert build(root).quick
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize(
    "use",
    ["{% if body %}<hr>{% endif %}", "{% set text = body %}{{ text | safe }}", "{% include 'extra.html' %}"],
    ids=["tested", "assigned", "included"],
)
def test_a_template_that_does_more_with_the_body_than_print_it_renders_the_page(use: str, tmp_path: Path) -> None:
    root = make_site(tmp_path)
    template = (REPO / "templates/note.html").read_text(encoding="utf-8")
    write_site(
        root,
        {
            "templates/note.html": template.replace("{{ body | safe }}", "{{ body | safe }}" + use),
            "templates/extra.html": "<p>{{ body | striptags | wordcount }}</p>\n",
        },
    )
    build(root)
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    assert not build(root).quick
    assert_equals_clean(root, tmp_path)


def test_the_page_a_body_edit_changes_if_changed_by_hand_sends_the_edit_the_full_way(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    pristine = read_tree(root / OUTPUT)
    (root / OUTPUT / "notes/lima.html").write_text("被人改过", encoding="utf-8")
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    assert not build(root).quick
    assert read_tree(root / OUTPUT)["notes/lima.html"] != pristine["notes/lima.html"]
    assert "新加的一句话" in page(root / OUTPUT, "notes/lima.html")
    assert_equals_clean(root, tmp_path)


def test_another_page_changed_by_hand_is_put_right_by_the_next_build_after_a_body_edit(tmp_path: Path) -> None:
    # A body edit looks only at the files it changes (looking at all 28,000 of a 10,000-note site would cost a
    # third of its time); the next build that finds nothing to do sees the hand-made change and writes the page.
    root = make_site(tmp_path)
    build(root)
    pristine = read_tree(root / OUTPUT)
    (root / OUTPUT / "notes/bert.html").write_text("被人改过", encoding="utf-8")
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    assert build(root).quick
    assert "新加的一句话" in page(root / OUTPUT, "notes/lima.html")
    assert build(root).rendered
    assert read_tree(root / OUTPUT)["notes/bert.html"] == pristine["notes/bert.html"]
    assert_equals_clean(root, tmp_path)


def test_a_damaged_records_file_costs_one_full_build_and_nothing_else(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    build(root)
    (root / CACHE_DIR / "records.sqlite").write_bytes(b"not a database" * 100)
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n其一。\n")
    assert not build(root).quick
    assert_equals_clean(root, tmp_path)
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n其二。\n")
    assert build(root).quick
    assert_equals_clean(root, tmp_path)


def test_a_damaged_conversions_file_costs_conversions_and_is_made_afresh(tmp_path: Path) -> None:
    """conversions.sqlite only spares a body edit its code's and formulas' conversions: damaged, the edit converts
    them and stays quick, and the next full build writes the file anew."""
    root = make_site(tmp_path)
    build(root)
    conversions = root / CACHE_DIR / "conversions.sqlite"
    assert conversions.is_file()
    conversions.write_bytes(b"not a database" * 100)
    let_the_clock_tick()
    append(root, "notes/gpt-2.md", "\n其一。\n")
    assert build(root).quick
    assert_equals_clean(root, tmp_path)
    let_the_clock_tick()
    edit(root, "notes/gpt-2.md", "tags: [", "tags: [新标签, ")
    assert not build(root).quick
    assert conversions.read_bytes().startswith(b"SQLite format 3")


def test_an_index_file_damaged_behind_the_builds_back_sends_the_edit_the_full_way(tmp_path: Path) -> None:
    """A file changed with its size, time and inode kept (a restore that keeps stamps) looks intact: the quick way
    finds it unreadable and steps aside; the full build writes the index afresh."""
    root = make_site(tmp_path)
    build(root)
    manifest = root / OUTPUT / "static/search/manifest.js"
    info = manifest.stat()
    with manifest.open("r+b") as file:  # in place: the same inode
        file.write(b"#" * info.st_size)
    os.utime(manifest, ns=(info.st_atime_ns, info.st_mtime_ns))
    let_the_clock_tick()
    append(root, "notes/lima.md", "\n新加的一句话。\n")
    assert not build(root).quick
    assert_equals_clean(root, tmp_path)


@pytest.mark.parametrize(
    "partial", ["_card.html", "_note_link.html", "_note_item.html", "_site_head.html", "_site_header.html"]
)
def test_a_partial_rendered_once_per_folder_is_part_of_every_page_that_shows_it(partial: str, tmp_path: Path) -> None:
    """Lists show a note through a partial rendered once per note and folder, and every page its site header
    through one rendered once per folder, not once per page: an edit of the partial still reaches every page that
    shows it, and only those, as a clean build makes them."""
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    site = root / OUTPUT
    before, stats = read_tree(site), stat_tree(site)
    let_the_clock_tick()
    edited = root / "templates" / partial
    edited.write_text("<!-- 本站改过 -->" + edited.read_text(encoding="utf-8"), encoding="utf-8")
    build(root)
    after, stats_after = read_tree(site), stat_tree(site)
    showing = sorted(name for name in after if "<!-- 本站改过 -->".encode() in after[name])
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert showing and changed == showing
    assert sorted(name for name in after if stats_after[name] != stats[name]) == showing
    pages = [name for name in after if name.endswith(".html")]
    assert showing == pages if partial.startswith("_site") else len(showing) < len(pages)
    assert_equals_clean(root, tmp_path)


def test_the_state_a_body_edit_saves_is_the_state_it_built(tmp_path: Path) -> None:
    # A body edit saves only the entries it knows it changed; read back from disk, the state must be the one the
    # build ended with (the server keeps that one in memory), or the next build would trust stale entries.
    root = make_site(tmp_path)
    memory = CacheMemory()
    build(root, memory=memory)
    for number in range(3):
        let_the_clock_tick()
        append(root, "notes/lima.md", f"\n第 {number} 句补充。\n")
        assert build(root, memory=memory).quick
        in_memory = memory._state
        from_disk = BuildCache(root, in_memory.settings).previous
        assert {name: getattr(from_disk, name) for name in BuildState.__dataclass_fields__} == {
            name: getattr(in_memory, name) for name in BuildState.__dataclass_fields__
        }


def count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, each code block highlighted and formula converted, as "code 'source'" or "formula 'source'"."""
    from llmnotes.markdown import highlight, math

    converted: list[str] = []

    def counted(name: str, convert: Callable) -> Callable:
        def wrapper(*arguments: object) -> object:
            converted.append(f"{name} {arguments[0]!r}")
            return convert.__wrapped__(*arguments)  # not the process's memo: only what the engine kept may spare it

        return wrapper

    monkeypatch.setattr(highlight, "_highlighted", counted("code", highlight._highlighted))
    monkeypatch.setattr(math, "_converted", counted("formula", math._converted))
    return converted


def test_a_body_edit_takes_the_notes_code_and_formulas_from_its_last_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Highlighting a block and converting a formula cost a one-note edit more than the rest of its parse (Pygments
    compiles the language's lexer, latex2mathml is imported): an edit of the prose around them converts nothing
    again, and one of the code or the formula converts just what changed; each build equals a clean one."""
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    converted = count_conversions(monkeypatch)
    for number in range(2):  # the second time, from what the first edit kept
        let_the_clock_tick()
        append(root, "notes/gpt-2.md", f"\n第 {number} 次补充。\n")
        assert build(root).quick
        assert converted == []
        assert_equals_clean(root, tmp_path)
        converted.clear()  # what the clean build converted
    let_the_clock_tick()
    edit(root, "notes/gpt-2.md", 'print("gpt-2")', 'print("GPT-2")')
    assert build(root).quick
    assert converted == ["code 'print(\"GPT-2\")\\n'"]
    assert '<span class="s2">"GPT-2"</span>' in page(root / OUTPUT, "notes/gpt-2.html")
    assert_equals_clean(root, tmp_path)


def test_a_title_or_tag_edit_takes_the_notes_code_and_formulas_from_its_last_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that takes the full way (the title, the tags) parses the note again too: its code and formula,
    unchanged, are not converted again (a third of a second at 10,000 notes); a note added is. Each build equals a
    clean one."""
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    converted = count_conversions(monkeypatch)
    let_the_clock_tick()
    edit(root, "notes/gpt-2.md", 'title: "', 'title: "新的 ')
    result = build(root)
    assert not result.quick and result.rendered
    assert converted == []
    assert_equals_clean(root, tmp_path)
    converted.clear()  # what the clean build converted
    let_the_clock_tick()
    edit(root, "notes/gpt-2.md", "tags: [", "tags: [新标签, ")
    assert not build(root).quick
    assert converted == []
    assert_equals_clean(root, tmp_path)
    converted.clear()
    let_the_clock_tick()
    copy = (root / "notes/gpt-2.md").read_text(encoding="utf-8")
    copy = copy.replace('title: "', 'title: "副本 ').replace("GPT-2", "GPT-2 副本").replace("[GPT2]", "[]")
    (root / "notes/gpt-2-copy.md").write_text(copy, encoding="utf-8")
    build(root)
    assert sorted({conversion.split()[0] for conversion in converted}) == ["code", "formula"]  # no last parse
    assert_equals_clean(root, tmp_path)


def test_notes_added_deleted_and_edited_patch_the_index_from_skip_points_that_follow_the_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps skip points into its long postings lists (here lists of 8 postings or more, a point every
    4; at 10,000 notes, of 512 or more, every 64) so that a patch walks a few postings of a common word's list,
    not thousands. Through notes added, deleted, retitled and edited in their bodies (the quick way and the full
    way), each build equals a clean one, and the cache's points still mark where the common word's postings
    start in the list on disk."""
    monkeypatch.setattr(search_format, "LONG", 8)  # the lists made with points
    monkeypatch.setattr(search_skips, "LONG", 8)  # the lists a patch looks for points of
    monkeypatch.setattr(search_skips, "SKIP", 4)
    files = {"pyproject.toml": '[tool.llmnotes]\ntitle = "Notes"\n'}
    for number in range(30):
        body = f"Transformer {'注意力 ' * (number % 3)}{number}."
        files[f"notes/paper-{number:02}.md"] = f"---\ntitle: Paper {number}\nyear: {2000 + number % 7}\n---\n\n{body}\n"
    root = write_site(tmp_path / "project", files)
    build(root)
    edits: list[Callable[[], None]] = [
        lambda: write_site(root, {"notes/added.md": "---\ntitle: Added\nyear: 2003\n---\n\nTransformer 注意力.\n"}),
        lambda: append(root, "notes/paper-05.md", "\nTransformer transformer 又一句。\n"),
        lambda: edit(root, "notes/paper-11.md", "title: Paper 11", "title: Paper eleven"),
        lambda: (root / "notes/paper-20.md").unlink(),
        lambda: append(root, "notes/added.md", "\n注意力 注意力。\n"),
        lambda: (root / "notes/paper-03.md").unlink(),
    ]
    for change in edits:
        let_the_clock_tick()
        change()
        build(root)
        assert_equals_clean(root, tmp_path)
        skips = load_pickle(root / CACHE_DIR / f"{SEARCH_SKIPS}.pickle", dict)
        assert skips is not None
        for token in ("transformer", "注意"):
            text = _postings_on_disk(root / OUTPUT, token)
            points = skips[token]
            assert points.holds(text) and len(points.offsets) >= 2
            starts = {(start, before) for start, before in _posting_starts(text)}
            assert set(zip(points.offsets, points.befores, strict=True)) <= starts


def _postings_on_disk(site: Path, token: str) -> str:
    for shard in (site / ROOT / "t").glob("*.js"):
        tokens, postings = search_format.read_script(shard.read_bytes())  # type: ignore[misc]
        found = dict(zip(search_format.front_decoded(tokens), postings.split(" "), strict=True))
        if token in found:
            return found[token]
    raise AssertionError(f"no {token} in the index")


def _posting_starts(text: str) -> list[tuple[int, int]]:
    """Where each posting of an encoded list starts, and the document of the posting before it."""
    varints = search_format._VARINT.findall(text)
    numbers = search_format.decode_numbers(text)
    starts, at, offset, before = [], 0, 0, -1
    while at < len(numbers):
        starts.append((offset, before))
        size = 2 if numbers[at] & 1 else 1
        before += (numbers[at] >> 1) + 1
        offset += sum(map(len, varints[at : at + size]))
        at += size
    return starts


@pytest.mark.parametrize("server", [False, True])
def test_the_links_an_edit_breaks_or_mends_are_reported_as_a_clean_build_reports_them(
    tmp_path: Path, server: bool
) -> None:
    """The links of the notes an edit leaves alone are not resolved again (see link.resolve_links), yet each build's
    broken links, their hints, the pages and the backlinks are what a clean build gives; and, in a server, the
    cards of the notes whose first paragraph shows a link that an edit broke or mended (see emit.context.CardFacts)."""
    root = make_site(tmp_path)
    append(root, "pyproject.toml", "strict_links = false\n")
    edit(root, "notes/flan.md", "在 [[t5]] 上", "在 [[t5]] 与 [[Language Models are Few-Shot Learners]] 上")
    append(root, "notes/flan.md", "\n对照 [[Orca]]。\n")
    append(root, "notes/t5.md", "\n还有 [[Orca 2]]。\n")  # its hint names orca while there is one
    memory = CacheMemory() if server else None
    build(root, memory=memory)
    steps = [
        (lambda: edit(root, "notes/gpt-3.md", 'title: "Language Models', 'title: "Large Language Models'), 3),
        (lambda: write_site(root, {"notes/orca.md": "---\ntitle: Orca\n---\n少即是多，参见 [[flan]]。\n"}), 2),
        (lambda: edit(root, "notes/gpt-3.md", 'title: "Large Language Models', 'title: "Language Models'), 1),
        (lambda: (root / "notes/orca.md").unlink(), 2),
    ]
    for apply, broken in steps:
        let_the_clock_tick()
        apply()
        result = build(root, memory=memory)
        assert len([w for w in result.warnings if w.rule == "broken-link"]) == broken
        assert_equals_clean(root, tmp_path, result)
    flan = page(root / OUTPUT, "notes/flan.html")
    assert 'href="gpt-3.html">Language Models are Few-Shot Learners</a>' in flan and "[[Orca]]: not found" in flan
    # A retitle that moves no path: T5's [[Orca 2]], in a note the edit leaves alone, had no hint and has one now.
    let_the_clock_tick()
    edit(root, "notes/lima.md", 'title: "LIMA: Less Is More for Alignment"', 'title: "Orca"')
    result = build(root, memory=memory)
    assert [w.hint for w in result.warnings if w.rule == "broken-link"] == ['did you mean "lima"?']
    assert_equals_clean(root, tmp_path, result)


def test_a_build_tells_first_what_the_edited_notes_pages_load_as_it_then_writes_them(tmp_path: Path) -> None:
    """What a server answers before the rest of its build renders (see engine.outputs.look_first): the edited
    note's page and the section tree, whose title changed, with the bytes the build then writes; and the theme's
    files, which it leaves as they are. Nothing else is said to change."""
    root = write_site(
        tmp_path / "folders",
        {
            "notes/models/bert.md": "---\ntitle: BERT\n---\nSee [[t5]].\n",
            "notes/models/t5.md": "---\ntitle: T5\n---\nText to text.\n",
            "notes/surveys/llm4rec.md": "---\ntitle: LLM4Rec\n---\nA survey.\n",
        },
    )
    build(root)
    site = root / OUTPUT
    nav_before = (site / "static/nav.js").read_bytes()
    note = root / "notes/models/t5.md"
    note.write_text(note.read_text().replace("title: T5", "title: Encoder-decoder T5"))  # between the others
    looks = []
    build(root, first_look=looks.append)
    (look,) = looks
    assert sorted(look.changed) == ["notes/t5.html", "static/nav.js"]
    for path, content in look.changed.items():
        assert (site / path).read_bytes() == content, f"{path} as told first is not as written"
    assert nav_before != look.changed["static/nav.js"] and b"Encoder-decoder T5" in look.changed["notes/t5.html"]
    page = look.changed["notes/t5.html"].decode()
    assert 'rel="prev" href="' in page and 'rel="next" href="' in page, "the pager's neighbours on either side"
    assert {"static/style.css", "static/tree.js"} <= look.settled
    assert all((site / path).is_file() for path in look.settled)


def test_a_build_tells_next_what_the_pages_open_in_a_servers_browsers_hold(tmp_path: Path) -> None:
    """After the edited notes' pages, the pages open in a server's browsers (see outputs.look_at_open): the tag's page
    open while its template is edited, and the page of a note that links to a retitled one, with the bytes the build
    then writes; an open page the edit leaves as it is is settled; the timeline, which lists every note, renders with
    the rest of the build; the page of a note deleted is gone (a page that never was is not)."""
    root = make_site_with_theme_copy(tmp_path)
    build(root)
    site = root / OUTPUT
    tag_page = next(path for path in sorted((site / "tags").glob("*.html")) if path.name != "index.html")
    tag_path = tag_page.relative_to(site).as_posix()
    let_the_clock_tick()
    template = root / "templates/tag.html"
    text = template.read_text(encoding="utf-8")
    at = text.rindex("{% endblock %}")
    template.write_text(text[:at] + "<!-- 本站改过 -->\n" + text[at:], encoding="utf-8")
    looks: list = []
    build(root, first_look=looks.append, open_pages=[tag_path, "notes/lima.html", "timeline.html"])
    first, opened = looks
    assert first.changed == {}, "no note changed"
    assert list(opened.changed) == [tag_path] and "<!-- 本站改过 -->".encode() in opened.changed[tag_path]
    assert opened.changed[tag_path] == tag_page.read_bytes(), "as told first, so written"
    assert "notes/lima.html" in opened.settled and "timeline.html" not in opened.settled
    let_the_clock_tick()
    edit(root, "notes/t5.md", "title: T5", "title: Text-to-Text T5")
    linking = sorted(
        path.relative_to(site).as_posix()
        for path in (site / "notes").glob("*.html")
        if 'href="t5.html"' in path.read_text(encoding="utf-8") and path.name != "t5.html"
    )
    assert linking
    looks.clear()
    build(root, first_look=looks.append, open_pages=[linking[0], "notes/t5.html"])
    first, opened = looks
    assert "notes/t5.html" in first.changed and "notes/t5.html" not in opened.changed, "looked at once"
    assert list(opened.changed) == [linking[0]] and b"Text-to-Text T5" in opened.changed[linking[0]]
    assert opened.changed[linking[0]] == (site / linking[0]).read_bytes()
    assert opened.gone == frozenset()
    assert_equals_clean(root, tmp_path)
    let_the_clock_tick()
    (root / "notes/bert.md").unlink()
    looks.clear()
    build(root, first_look=looks.append, open_pages=["notes/bert.html", "notes/no-such-note.html"])
    assert looks[-1].gone == {"notes/bert.html"} and not (site / "notes/bert.html").exists()
