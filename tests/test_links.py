"""Link resolution: slugs, titles, aliases, relative .md paths and headings; broken links and backlinks."""

from __future__ import annotations

from dataclasses import replace

import pytest

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


@pytest.mark.parametrize("new_process", [False, True])
def test_links_resolved_again_only_around_an_edit_match_a_fresh_resolution(monkeypatch, new_process: bool) -> None:
    """Each step is resolved twice: from the last step's kept resolutions, and afresh; the two agree in every link,
    backlink and problem (their order too), and only the notes whose lookups an edit moved are resolved again. In
    one process (a server) the backlinks are updated around those notes; a new one reads the kept resolutions only."""
    import llmnotes.content.link as link_module

    resolved_again: list[str] = []
    resolve_note = link_module._resolve_note

    def counting(parsed, *args):
        resolved_again.append(parsed.note.slug)
        return resolve_note(parsed, *args)

    monkeypatch.setattr(link_module, "_resolve_note", counting)

    def site(**changes: Note | None) -> list[Note]:
        notes: dict[str, Note | None] = {
            "gpt-3": GPT3,
            "t5": note("notes/t5.md", "## 方法\n\n见 [[gpt-3#方法]]。\n", title="Exploring Transfer", aliases=("T5",)),
            "cot": note("notes/cot.md", "基于 [[Exploring Transfer]] 与 [[t5#实验]]，另见 [[lima]]。\n"),
            "flan": note("notes/sub/flan.md", "[x](../t5.md) 和 [[GPT3]]，还有 [[不存在的笔记]]。\n"),
            "lima": None,
            "typo": note("notes/typo.md", "拼错了：[[Text-to-Tex]]。\n"),
            **changes,
        }
        # as a file's digest, which the kept resolutions are checked against
        return [replace(n, digest=repr((n.source, n.title, n.body, n.aliases))) for n in notes.values() if n]

    steps = [
        site(),
        site(t5=note("notes/t5.md", "## 方法\n\n## 实验\n\n见 [[gpt-3#方法]]。\n", title="Exploring Transfer")),
        site(t5=note("notes/t5.md", "## 方法\n\n## 实验\n\n见 [[gpt-3#方法]]。\n", title="Text-to-Text")),
        site(
            t5=note("notes/t5.md", "## 方法\n\n## 实验\n\n见 [[gpt-3#方法]]。\n", title="Text-to-Text"),
            lima=note("notes/lima.md", "少即是多。\n", aliases=("不存在的笔记",)),
        ),
        site(t5=None, lima=note("notes/lima.md", "少即是多。\n")),
    ]
    expected_again = [
        {"gpt-3", "t5", "cot", "flan", "typo"},  # nothing kept yet
        {"t5", "cot"},  # t5's body changed; cot links to its heading
        {"t5", "cot"},  # t5's title: cot links to it by its old one (and flan by its path, which did not move)
        {"lima", "cot", "flan"},  # lima and its alias answer two broken links
        {"lima", "cot", "flan"},  # t5 deleted: cot and flan linked to it; lima's body changed
    ]
    last: dict = {}
    hints = []
    for notes, again in zip(steps, expected_again, strict=True):
        parsed = [parse_note(n, MD) for n in notes]
        resolved_again.clear()
        kept: dict = {}
        if new_process:  # what a process keeps of the entries, without the objects it made of them
            last = {key: value for key, value in last.items() if key not in ("resolved", "backlinks")}
        index, _ = LinkIndex.build(parsed)
        incremental = resolve_links(parsed, index, False, last, kept)
        assert set(resolved_again) == again
        fresh_index, _ = LinkIndex.build(parsed)
        assert incremental == resolve_links(parsed, fresh_index, False)
        hints.append([d.hint for d in incremental[2] if d.path == "notes/typo.md"])
        last = kept
    # typo.md was resolved once, but its broken link's hint follows the notes' names
    assert hints[1:3] == [[None], ['did you mean "t5"?']]
    links, backlinks, problems = incremental
    assert links["cot"][1].target_slug is None  # [[Exploring Transfer]] leads nowhere since t5 was retitled
    assert [d.message for d in problems if "cot" in d.path] == [
        "broken link [[Exploring Transfer]]: no note has this slug, title or alias",
        "broken link [[t5#实验]]: no note has this slug, title or alias",
    ]
    assert [b.source_slug for b in backlinks["lima"]] == ["cot"]  # flan's [[不存在的笔记]] named it in step 4 only
    assert [d.message for d in problems if "flan" in d.path] == [
        "broken link (../t5.md): no note at this path",
        "broken link [[不存在的笔记]]: no note has this slug, title or alias",
    ]
