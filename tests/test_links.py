"""Link resolution: slugs, titles, aliases, relative .md paths and headings; broken links and backlinks."""

from __future__ import annotations

from llmnotes.content.link import LinkIndex, link_html, resolve_links
from llmnotes.content.parse import parse_note
from llmnotes.markdown import create_parser
from llmnotes.model import Note

MD = create_parser()


def note(source: str, body: str, **fields) -> Note:
    slug = source.rsplit("/", 1)[-1].removesuffix(".md")
    return Note(source=source, slug=slug, title=fields.pop("title", slug.upper()), body=body, body_line=1, **fields)


def resolve(*notes: Note, strict: bool = True):
    parsed = [parse_note(n, MD) for n in notes]
    index, index_problems = LinkIndex.build(parsed)
    links, backlinks, problems = resolve_links(parsed, index, strict)
    return parsed, links, backlinks, index_problems + problems


GPT3 = note(
    "notes/gpt-3.md",
    "## 方法\n\n## 实验与结论\n",
    title="Language Models are Few-Shot Learners",
    short_title="GPT-3",
    aliases=("GPT3",),
)


def test_every_link_form_resolves_to_the_note_and_heading() -> None:
    source = note(
        "notes/sub/cot.md",
        "A [[gpt-3]] B [[GPT3|别名]] C [[language models are few-shot learners]] D [[gpt-3#实验与结论]]"
        " E [x](../gpt-3.md#方法) F [[#局部]]\n\n## 局部\n",
    )
    _, links, _, problems = resolve(GPT3, source)
    assert problems == []
    assert [(r.target_slug, r.anchor) for r in links["cot"]] == [
        ("gpt-3", None),
        ("gpt-3", None),
        ("gpt-3", None),
        ("gpt-3", "实验与结论"),
        ("gpt-3", "方法"),
        ("cot", "局部"),
    ]


def test_resolved_links_render_relative_urls_and_target_labels() -> None:
    source = note("notes/cot.md", "见 [[gpt-3]] 与 [[gpt-3#方法|它的方法]]。\n")
    parsed, links, _, _ = resolve(GPT3, source)
    html = link_html(parsed[1].html, links["cot"], {"gpt-3": "GPT-3"}, {"gpt-3": "notes/gpt-3.html"}, "notes/cot.html")
    assert '<a class="internal" href="gpt-3.html">GPT-3</a>' in html
    assert '<a class="internal" href="gpt-3.html#%E6%96%B9%E6%B3%95">它的方法</a>' in html


def test_broken_links_are_all_reported_with_position_and_suggestion() -> None:
    source = note("notes/cot.md", "第一行\n\n见 [[gtp-3]] 和 [[gpt-3#不存在]]，\n以及 [y](missing.md)。\n")
    _, _, _, problems = resolve(GPT3, source)
    assert [p.format() for p in problems] == [
        'notes/cot.md:3:3: broken link [[gtp-3]]: no note has this slug, title or alias (did you mean "gpt-3"?)',
        'notes/cot.md:3:15: broken link [[gpt-3#不存在]]: notes/gpt-3.md has no heading "不存在" '
        "(headings: 方法, 实验与结论)",
        "notes/cot.md:4:8: broken link (missing.md): no note at this path",
    ]
    assert all(p.severity == "error" for p in problems)


def test_not_strict_turns_broken_links_into_warnings_and_visible_unresolved_text() -> None:
    source = note("notes/cot.md", "见 [[nothing]]。\n")
    parsed, links, _, problems = resolve(GPT3, source, strict=False)
    assert [p.severity for p in problems] == ["warning"]
    html = link_html(parsed[1].html, links["cot"], {}, {}, "notes/cot.html")
    assert '<span class="unresolved" title="[[nothing]]: not found">[[nothing]]</span>' in html


def test_backlinks_carry_the_linking_sentence_once_per_source() -> None:
    source = note("notes/cot.md", "开头。CoT 建立在 [[gpt-3]] 之上。后来 [[gpt-3]] 又出现。\n")
    _, _, backlinks, _ = resolve(GPT3, source)
    (backlink,) = backlinks["gpt-3"]
    assert (backlink.source_slug, backlink.context) == ("cot", "CoT 建立在 gpt-3 之上。")


def test_duplicate_slugs_and_shared_aliases_are_errors() -> None:
    first = note("notes/a/x.md", "", aliases=("Same",))
    second = note("notes/b/x.md", "")
    third = note("notes/y.md", "", aliases=("same",))
    _, _, _, problems = resolve(first, second, third)
    messages = [p.message for p in problems]
    assert 'two notes have the slug "x": this one and notes/a/x.md' in messages
    assert 'aliases: "same" already names notes/a/x.md' in messages
