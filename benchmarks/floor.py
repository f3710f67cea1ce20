"""The floor: the bare library work a build of a corpus cannot avoid, timed in one process (CPU seconds).

    .venv/bin/python benchmarks/floor.py benchmarks/corpus/10000/llmnotes/notes [--json FILE]
    .venv/bin/python benchmarks/floor.py benchmarks/corpus/real-3751/site/docs

For every Markdown file below the folder, each step alone, with nothing of llmnotes' own:

  yaml       PyYAML loading the front matter, if there is one (with libyaml's CSafeLoader where it exists)
  markdown   markdown-it-py rendering the body with the syntax of the plugins llmnotes enables (CommonMark, tables,
             strikethrough, footnotes, task lists, definition lists, `$` math, `:::` containers, `!!!` admonitions,
             heading anchors, linkify), every plugin's stock renderer
  pygments   Pygments highlighting each fenced code block with the lexer its info string names
  formulas   latex2mathml converting each `$…$` / `$$…$$` formula
  jinja      Jinja rendering a minimal autoescaped page per note: title, the rendered body as Markup, a date

The sum is what a build that does nothing but call its libraries would spend; `run.py --floor` puts llmnotes' cold
CPU per note beside it. Times are `time.process_time()` per step over the whole corpus, so other work on the
machine inflates them less than wall time would; each step runs once (the corpus is large enough).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from pathlib import Path

STEPS = ("yaml", "markdown", "pygments", "formulas", "jinja")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ date }}</p>{{ body }}</main></body></html>
"""


def _parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin).use(anchors_plugin, max_level=6)
    md.use(dollarmath_plugin).use(container_plugin, "tip").use(admon_plugin)
    return md


def floor(folder: Path) -> dict[str, float]:
    """CPU seconds of each step over every Markdown file below `folder`, and the number of notes."""
    import jinja2
    import latex2mathml.converter
    import yaml
    from markupsafe import Markup
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    texts = [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.md"))]
    seconds: dict[str, float] = {}

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML was built with it
    started = time.process_time()
    bodies, titles = [], []
    for text in texts:
        found = FRONT_MATTER.match(text)
        meta = yaml.load(found.group(1), Loader=loader) if found else None
        titles.append(str((meta or {}).get("title", "")) if isinstance(meta, dict) else "")
        bodies.append(text[found.end() :] if found else text)
    seconds["yaml"] = time.process_time() - started

    md = _parser()
    started = time.process_time()
    tokens = [md.parse(body) for body in bodies]
    rendered = [md.renderer.render(stream, md.options, {}) for stream in tokens]
    seconds["markdown"] = time.process_time() - started

    fences = [(t.info.strip().split(" ")[0], t.content) for stream in tokens for t in stream if t.type == "fence"]
    formulas = [
        (child.content, child.type == "math_inline_double")
        for stream in tokens
        for t in stream
        for child in ([t] if t.type == "math_block" else t.children or ())
        if child.type in ("math_inline", "math_inline_double", "math_block")
    ]
    formatter = HtmlFormatter(nowrap=True)
    started = time.process_time()
    for language, code in fences:
        try:
            lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
        except ClassNotFound:
            continue
        highlight(code, lexer, formatter)
    seconds["pygments"] = time.process_time() - started

    started = time.process_time()
    for tex, display in formulas:
        with contextlib.suppress(Exception):  # a formula the converter refuses costs what it cost
            latex2mathml.converter.convert(tex, display="block" if display else "inline")
    seconds["formulas"] = time.process_time() - started

    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    started = time.process_time()
    for title, body in zip(titles, rendered, strict=True):
        template.render(title=title, body=Markup(body), date="2026-12-01")
    seconds["jinja"] = time.process_time() - started

    seconds["total"] = sum(seconds.values())
    return {"notes": len(texts), "code_blocks": len(fences), "formula_count": len(formulas), **seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the notes folder of a corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = floor(args.folder)
    notes = figures["notes"]
    counts = f"{figures['code_blocks']:,} code blocks, {figures['formula_count']:,} formulas"
    print(f"{notes:,} notes, {counts} in {args.folder}")
    for step in (*STEPS, "total"):
        print(f"  {step:<9} {figures[step]:7.2f} s CPU  {1000 * figures[step] / notes:6.2f} ms a note")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
