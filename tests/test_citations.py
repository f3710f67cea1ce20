"""Citations in the text: pandoc's `[@key]` forms resolve to notes or to the bibliography file, render author–year
with a reference list, and fail like broken links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmnotes.commands.check import check
from llmnotes.content.parse import parse_note
from llmnotes.engine.build import build
from llmnotes.markdown import create_parser
from llmnotes.model import Note
from sites import broken_links, run_cli, write_site
from test_incremental import assert_equals_clean, edit, let_the_clock_tick

BIBLIOGRAPHY = r"""
@article{chung2022scaling,
  title = {Scaling Instruction-Finetuned Language Models},
  author = {Chung, Hyung Won and Hou, Le and Longpre, Shayne and Zoph, Barret},
  year = {2022},
  eprint = {2210.11416},
  archivePrefix = {arXiv},
}

@inproceedings{muller2020uber,
  title = {{\"U}ber {BERT} und mehr},
  author = {M{\"u}ller, J{\"o}rg and Smith, Ann},
  booktitle = {Proceedings of X},
  year = {2020},
  doi = {10.1000/xyz.123},
}

@online{brown2020language,
  title = {Language Models are Few-Shot Learners},
  author = {Brown, Tom B.},
  date = {2020-05-28},
  url = {https://example.org/gpt3},
}
"""

INSTRUCTGPT = """
    ---
    title: Training language models to follow instructions with human feedback
    short_title: InstructGPT
    authors: [Long Ouyang, Jeff Wu, Xu Jiang]
    year: 2022
    venue: NeurIPS 2022
    arxiv: "2203.02155"
    ---
    InstructGPT fine-tunes GPT-3 with human feedback.
    """


def english_site(tmp_path: Path, body: str, bibliography: str = BIBLIOGRAPHY, language: str = "en") -> Path:
    return write_site(
        tmp_path / "project",
        {
            "pyproject.toml": f"""
                [tool.llmnotes]
                title = "Citations"
                language = "{language}"
                bibliography = "references.bib"
                """,
            "references.bib": bibliography,
            "notes/instructgpt.md": INSTRUCTGPT,
            "notes/reading.md": "---\ntitle: Reading\n---\n" + body,
        },
    )


def prose(site: Path, name: str = "reading") -> str:
    html = (site / "notes" / f"{name}.html").read_text(encoding="utf-8")
    return html[html.index('<div class="prose">') : html.index("</article>")]


def reference_list(html: str) -> list[str]:
    """The reference list's entries as plain text, in order."""
    section = html[html.index('<section class="references"') :]
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li[^>]*>(.*?)</li>", section)]


def test_each_form_renders_author_year_linked_to_the_note_or_the_reference_list(tmp_path: Path) -> None:
    root = english_site(
        tmp_path,
        "RLHF [@ouyang2022training] scales [see @chung2022scaling, p. 3; @muller2020uber].\n"
        "As @ouyang2022training show, and as GPT-3 did [-@brown2020language].\n"
        "@chung2022scaling [sec. 4] scale further.\n",
    )
    site = build(root).output
    body = prose(site)
    assert '(<a class="cite" href="instructgpt.html">Ouyang et al., 2022</a>)' in body
    assert '(see <a class="cite" href="#ref-chung2022scaling">Chung et al., 2022</a>, p. 3; ' in body
    assert '<a class="cite" href="#ref-muller2020uber">Müller and Smith, 2020</a>)' in body
    assert (
        'As <span class="citation"><a class="cite" href="instructgpt.html">Ouyang et al. (2022)</a></span> show' in body
    )
    assert 'did <span class="citation">(<a class="cite" href="#ref-brown2020language">2020</a>)</span>' in body
    assert '<a class="cite" href="#ref-chung2022scaling">Chung et al. (2022, sec. 4)</a></span> scale' in body
    assert broken_links(site) == []


def test_the_reference_list_orders_by_author_and_links_notes_and_identifiers(tmp_path: Path) -> None:
    root = english_site(
        tmp_path, "[@ouyang2022training; @muller2020uber] and [@chung2022scaling] and @ouyang2022training again.\n"
    )
    body = prose(build(root).output)
    assert reference_list(body) == [
        "Chung, H. W., Hou, L., Longpre, S., et al. (2022). Scaling Instruction-Finetuned Language Models. "
        "arXiv:2210.11416",
        "Müller, J., Smith, A. (2020). Über BERT und mehr. Proceedings of X. doi:10.1000/xyz.123",
        "Ouyang, L., Wu, J., Jiang, X. (2022). Training language models to follow instructions with human feedback. "
        "NeurIPS 2022. arXiv:2203.02155",
    ]
    assert '<h2 id="__references">References</h2>' in body
    assert '<a href="instructgpt.html">Training language models' in body  # the entry of a note links to it
    assert 'href="https://doi.org/10.1000/xyz.123"' in body
    assert 'href="https://arxiv.org/abs/2210.11416"' in body


def test_a_chinese_site_uses_full_width_brackets_and_gb_t_7714_entries(tmp_path: Path) -> None:
    root = english_site(
        tmp_path, "如@chung2022scaling所示，指令微调有效[@ouyang2022training, 第 3 页]。\n", language="zh-CN"
    )
    body = prose(build(root).output)
    assert (
        '如<span class="citation"><a class="cite" href="#ref-chung2022scaling">Chung 等（2022）</a></span>所示' in body
    )
    assert '（<a class="cite" href="instructgpt.html">Ouyang 等，2022</a>，第 3 页）' in body
    assert '<h2 id="__references">参考文献</h2>' in body
    assert reference_list(body)[0] == (
        "Chung H W, Hou L, Longpre S, 等. 2022. Scaling Instruction-Finetuned Language Models. arXiv:2210.11416"
    )


def test_a_citation_of_a_note_is_a_link_for_its_backlinks(tmp_path: Path) -> None:
    root = english_site(tmp_path, "Preference tuning works [@ouyang2022training].\n")
    target = (build(root).output / "notes" / "instructgpt.html").read_text(encoding="utf-8")
    backlinks = target[target.index('<section class="backlinks"') :]
    assert 'href="reading.html">Reading</a>' in backlinks
    assert "Preference tuning works [@ouyang2022training]." in backlinks


def test_works_of_one_author_and_year_are_told_apart_by_letters(tmp_path: Path) -> None:
    bibliography = (
        BIBLIOGRAPHY + "@misc{chung2022other, title = {Another}, author = {Chung, A. and B, C and D, E}, year = 2022}\n"
    )
    root = english_site(tmp_path, "[@chung2022scaling; @chung2022other]\n", bibliography=bibliography)
    body = prose(build(root).output)
    # the letters follow the reference list, ordered by title within the author and year: "Another" first
    assert ">Chung et al., 2022b</a>; " in body and ">Chung et al., 2022a</a>)" in body
    assert [entry[:41] for entry in reference_list(body)] == [
        "Chung, A., B, C., D, E. (2022a). Another.",
        "Chung, H. W., Hou, L., Longpre, S., et al",
    ]


def test_an_unknown_key_is_a_broken_link_with_its_place_and_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = english_site(tmp_path, "Fine.\nThen [see @chung2022scalling, p. 2] again.\n")
    code, _, err = run_cli(root, capsys=capsys)
    assert code != 0
    assert "notes/reading.md:5:11: unknown citation @chung2022scalling" in err
    assert 'did you mean "@chung2022scaling"?' in err
    assert "Traceback" not in err

    code, out, err = run_cli(root, "--no-strict", capsys=capsys)
    assert code == 0
    assert "notes/reading.md:5:11: warning: unknown citation @chung2022scalling" in err + out
    assert '<span class="unresolved" title="@chung2022scalling: not found">@chung2022scalling</span>' in prose(
        root / "site"
    )


def test_check_reports_unknown_citations_under_their_rule(tmp_path: Path) -> None:
    root = english_site(tmp_path, "[@nobody2020]\n")
    found = [d for d in check(root) if d.rule == "unknown-citation"]
    assert [(d.path, d.line, d.col, d.severity) for d in found] == [("notes/reading.md", 4, 2, "error")]


def test_e_mail_addresses_urls_code_and_escaped_handles_are_not_citations(tmp_path: Path) -> None:
    body = (
        "Write to ouyang@example.com, see https://medium.com/@someone/post, run `git log --author=@me`,\n"
        "and follow \\@karpathy (关注\\@karpathy). [a link @x](https://example.org) stays a link.\n\n"
        "```\n@decorator\n```\n"
    )
    root = english_site(tmp_path, body)
    result = build(root)
    html = prose(result.output)
    assert 'class="citation"' not in html and 'class="references"' not in html
    assert "@karpathy" in html and "<code>git log --author=@me</code>" in html
    assert 'href="mailto:ouyang@example.com"' in html
    assert not [w for w in result.warnings if w.rule == "unknown-citation"]


def test_in_text_keys_end_at_punctuation_and_chinese_characters() -> None:
    md = create_parser()
    note = Note("notes/x.md", "x", "X", "如@wei2022chain所示；见 @a.b:c。Also @key. And (@key2)", 1)
    parsed = parse_note(note, md)
    assert [link.target for link in parsed.links] == ["wei2022chain", "a.b:c", "key", "key2"]
    assert all(citation.in_text for citation in parsed.citations)


def test_a_bibliography_with_bad_syntax_is_named_with_the_line_and_the_build_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = BIBLIOGRAPHY + "\n@article{broken2021,\n  title = {Unclosed,\n  year = 2021\n"
    root = english_site(tmp_path, "[@chung2022scaling]\n", bibliography=broken)
    code, out, err = run_cli(root, capsys=capsys)
    assert code == 0
    assert re.search(r"references\.bib:\d+: warning: .*the entry is skipped", err + out)
    assert "Traceback" not in err

    (root / "references.bib").write_text('[{"id": "x",}]', encoding="utf-8")  # CSL-JSON, broken
    code, _, err = run_cli(root, capsys=capsys)
    assert code != 0
    assert re.search(r"references\.bib:1:1[23]: not valid JSON", err)  # the comma, or the brace after it (3.13)
    assert "Traceback" not in err

    (root / "references.bib").unlink()
    code, _, err = run_cli(root, capsys=capsys)
    assert code != 0
    assert "pyproject.toml: [tool.llmnotes] bibliography: no file references.bib" in err
    assert "Traceback" not in err


def test_a_note_key_that_names_another_paper_in_the_bibliography_is_reported(tmp_path: Path) -> None:
    same_key = (
        BIBLIOGRAPHY + "@misc{ouyang2022training,\n title = {Some other paper}, author = {Ouyang, X}, year = 2022}\n"
    )
    root = english_site(tmp_path, "[@ouyang2022training]\n", bibliography=same_key)
    result = build(root)
    collisions = [w for w in result.warnings if w.rule == "citation-key-collision"]
    assert len(collisions) == 1
    assert collisions[0].path == "notes/instructgpt.md"
    line = (root / "references.bib").read_text(encoding="utf-8").split("\n").index("@misc{ouyang2022training,") + 1
    assert f"references.bib:{line}" in collisions[0].message and "Some other paper" in collisions[0].message
    assert 'href="instructgpt.html">Ouyang et al., 2022' in prose(result.output)  # the note wins

    same_paper = (
        BIBLIOGRAPHY + "@misc{ouyang2022training, title = {x}, eprint = {2203.02155}, archiveprefix = {arXiv}}\n"
    )
    (root / "references.bib").write_text(same_paper, encoding="utf-8")
    assert not [w for w in build(root).warnings if w.rule == "citation-key-collision"]


def test_an_edit_of_the_bibliography_rebuilds_the_citing_pages_as_a_clean_build_would(tmp_path: Path) -> None:
    root = english_site(tmp_path, "Scaling [@chung2022scaling].\n")
    build(root)
    let_the_clock_tick()
    edit(root, "references.bib", "Scaling Instruction-Finetuned", "Scaling Instruction-Tuned")
    result = build(root)
    assert "notes/reading.html" in result.changed
    assert "notes/instructgpt.html" not in result.changed  # it cites nothing
    assert "Scaling Instruction-Tuned Language Models" in prose(result.output)
    assert_equals_clean(root, tmp_path)

    let_the_clock_tick()
    edit(root, "notes/reading.md", "Scaling [@chung2022scaling].", "Scaling [@chung2022scaling], twice.")
    assert ", twice." in prose(build(root).output)
    assert_equals_clean(root, tmp_path)


def test_an_edit_of_a_cited_note_rebuilds_the_citing_pages_as_a_clean_build_would(tmp_path: Path) -> None:
    root = english_site(tmp_path, "Tuned [@ouyang2022training].\n")
    build(root)
    let_the_clock_tick()
    edit(root, "notes/instructgpt.md", "authors: [Long Ouyang, Jeff Wu, Xu Jiang]", "authors: [Long Ouyang]")
    result = build(root)
    assert "notes/reading.html" in result.changed
    assert '<a class="cite" href="instructgpt.html">Ouyang, 2022</a>' in prose(result.output)
    assert_equals_clean(root, tmp_path)
