"""The repository's own notes: they build cleanly, match the verified facts, and cross-link as promised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from llmnotes.engine.build import build
from sites import broken_links, load_site

REPO = Path(__file__).resolve().parents[1]
FACTS = {entry["key"]: entry for entry in yaml.safe_load((Path(__file__).parent / "data/papers.yaml").read_text())}
SECTIONS = ["一句话总结", "背景与问题", "方法", "实验与结论", "个人思考", "参考"]
BRIDGE = "与推荐系统的联系"
NOTES = {note.slug: note for note in load_site(REPO)[0]}
_, HOME_FRONT, HOME_BODY = (REPO / "pages/index.md").read_text(encoding="utf-8").split("---\n", 2)
READING_ORDER: list[str] = yaml.safe_load(HOME_FRONT)["reading_order"]
WIKILINK = re.compile(r"\[\[([^\]|#]+)")


def linked_slugs(text: str) -> list[str]:
    """The targets of the [[...]] links in `text`, in order, without headings or labels."""
    return [target.strip() for target in WIKILINK.findall(text)]


def test_every_paper_has_a_note() -> None:
    assert sorted(NOTES) == sorted(FACTS)


@pytest.mark.parametrize("slug", sorted(FACTS))
def test_front_matter_matches_the_verified_facts(slug: str) -> None:
    note, facts = NOTES[slug], FACTS[slug]
    assert note.title == facts["title"]
    assert note.year == facts["year"]
    assert note.arxiv == facts["arxiv"]
    assert note.code == facts["code"]
    assert note.org == facts["org"]
    if isinstance(facts["authors"], list):
        assert list(note.authors) == facts["authors"]
    else:
        assert note.authors[0] == "Tom B. Brown" and note.authors[-1] == "Dario Amodei" and len(note.authors) == 31


SURVEY = "llm4rec-survey"  # about recommendation already: the one note without a bridge section
CORE = sorted(set(FACTS) - {SURVEY})


def section(body: str, heading: str) -> str:
    """The text of the `## heading` section of a note body."""
    return body.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("slug", sorted(FACTS))
def test_same_sections_and_at_least_two_cross_links(slug: str) -> None:
    body = NOTES[slug].body
    expected = SECTIONS if slug == SURVEY else [*SECTIONS[:-1], BRIDGE, SECTIONS[-1]]
    assert re.findall(r"^## (.+)$", body, re.MULTILINE) == expected
    targets = {t.split("#")[0].split("|")[0].strip() for t in re.findall(r"\[\[([^\]]+)\]\]", body)}
    assert len(targets & (set(NOTES) - {slug})) >= 2


@pytest.mark.parametrize("slug", CORE)
def test_each_core_note_links_its_bridge_to_the_reading_list_or_another_note(slug: str) -> None:
    targets = set(linked_slugs(section(NOTES[slug].body, BRIDGE)))
    assert targets & (set(NOTES) - {slug} | {"reading-list"}), slug
    assert "reading-list" in targets or SURVEY in targets, "each bridge leads on to the recommendation papers"


def test_recommender_facts_are_named_as_their_venues_name_them() -> None:
    bridges = {slug: section(NOTES[slug].body, BRIDGE) for slug in CORE}
    assert "SASRec（Kang & McAuley，ICDM 2018）" in bridges["unilm"]
    assert "BERT4Rec（Sun 等，CIKM 2019）" in bridges["unilm"]
    assert "P5（Geng 等，RecSys 2022" in bridges["t5"]
    assert "BPR（Rendle 等，UAI 2009）" in bridges["instructgpt"]
    assert "姊妹模型" in NOTES["instructgpt"].body and "姊妹模型" in (REPO / "pages/reading-list.md").read_text("utf-8")


def test_instructgpt_draws_the_line_from_gpt3_to_chatgpt() -> None:
    flows = re.findall(r"```flow\n(.*?)```", NOTES["instructgpt"].body, re.DOTALL)
    line = next(flow for flow in flows if "ChatGPT" in flow)
    for model in ("GPT-3（davinci）", "Codex", "code-davinci-002", "text-davinci-002", "text-davinci-003", "ChatGPT"):
        assert model in line, model
    assert re.search(r"^gpt3 -->.*\| codex$", line, re.MULTILINE) and re.search(r"^codex -->.*\| gpt35$", line, re.M)
    assert re.search(r"^gpt35 -->.*\| chat$", line, re.MULTILINE) and re.search(r"^igpt -->.*\| chat$", line, re.M)


def test_self_instruct_shows_its_four_prompt_templates() -> None:
    blocks = re.findall(r"```text\n(.*?)```", NOTES["self-instruct"].body, re.DOTALL)
    assert len(blocks) == 4
    generation, classification, input_first, output_first = blocks
    assert "任务 8：" in generation and generation.rstrip().endswith("任务 9：")
    assert "是否分类任务：是" in classification and classification.rstrip().endswith("是否分类任务：")
    assert "输出：" in input_first and "类别标签" not in input_first
    assert output_first.index("类别标签：") < output_first.index("句子：")  # the label comes first


@pytest.mark.parametrize(
    ("slug", "month"),
    [("t5", 6), ("flan", 4), ("self-instruct", 7)],  # JMLR "Published 6/20", ICLR 2022 in April, ACL 2023 in July
)
def test_notes_dated_by_a_later_venue_take_that_venues_month(slug: str, month: int) -> None:
    assert NOTES[slug].month == month


def test_every_note_has_a_month() -> None:
    assert [slug for slug, note in NOTES.items() if note.month is None] == []


def test_reading_order_names_every_note_once_with_the_survey_last() -> None:
    assert sorted(READING_ORDER) == sorted(NOTES)
    assert READING_ORDER[-1] == "llm4rec-survey"


def test_reading_order_puts_every_note_after_the_notes_it_builds_on() -> None:
    position = {slug: index for index, slug in enumerate(READING_ORDER)}
    for slug, note in NOTES.items():
        for parent in note.builds_on:
            assert position[parent] < position[slug], f"{slug} is listed before {parent}, which it builds on"


def test_home_text_introduces_the_notes_in_reading_order() -> None:
    first_mentions = list(dict.fromkeys(slug for slug in linked_slugs(HOME_BODY) if slug in NOTES))
    assert first_mentions == READING_ORDER
    assert "最后" in HOME_BODY.split("[[llm4rec-survey]]")[0].rsplit("。", 1)[-1]


@pytest.mark.parametrize("slug", ["cot", "lima", "unilm"])
def test_the_least_linked_notes_are_linked_from_at_least_four_others(slug: str) -> None:
    linking = [other for other, note in NOTES.items() if other != slug and slug in linked_slugs(note.body)]
    assert len(linking) >= 4, linking


def test_gpt2_links_the_gpt3_subsection_that_explains_in_context_learning() -> None:
    assert "[[gpt-3#上下文学习：三种评估条件|上下文学习]]" in NOTES["gpt-2"].body
    assert "### 上下文学习：三种评估条件" in NOTES["gpt-3"].body


def test_lineage_follows_the_papers() -> None:
    edges = {(slug, parent) for slug, note in NOTES.items() for parent in note.builds_on}
    for child, parent in [
        ("gpt-2", "gpt-1"),
        ("gpt-3", "gpt-2"),
        ("instructgpt", "gpt-3"),
        ("flan", "t5"),
        ("cot", "gpt-3"),
        ("flan", "gpt-3"),
        ("self-instruct", "gpt-3"),
        ("lima", "instructgpt"),
        ("self-instruct", "instructgpt"),
        ("lima", "self-instruct"),
    ]:
        assert (child, parent) in edges
    # InstructGPT compares itself with FLAN but its method (SFT, reward model, PPO) does not come from it.
    assert ("instructgpt", "flan") not in edges


def test_the_repository_site_builds_with_no_warnings_and_no_broken_links(tmp_path: Path) -> None:
    result = build(REPO, tmp_path / "site", strict=True)
    assert result.warnings == ()
    assert result.notes == 11
    assert broken_links(tmp_path / "site") == []
    reading_list = (tmp_path / "site/reading-list.html").read_text(encoding="utf-8")
    assert reading_list.count("<tr data-group=") == 63
    assert 'href="notes/gpt-2.html">GPT-2</a>' in reading_list
    assert 'href="notes/flan.html#flan-t5">Flan-T5</a>' in reading_list  # the FLAN note's Flan-T5 section
    assert 'href="notes/flan.html">FLAN</a>' in reading_list
    assert "<h1>LLM 推荐论文清单（2023 年整理）</h1>" in reading_list
    p5_row = r"<td>P5</td>\s*<td>Recommendation as language processing.*?</td>\s*<td>RecSys</td>\s*<td>2022</td>"
    assert re.search(p5_row, reading_list)
    survey = (tmp_path / "site/notes/llm4rec-survey.html").read_text(encoding="utf-8")
    assert 'href="../reading-list.html"' in survey
    instructgpt = (tmp_path / "site/notes/instructgpt.html").read_text(encoding="utf-8")
    figure = instructgpt.split("<figcaption>从 GPT-3 到 ChatGPT")[0].rsplit('<figure class="diagram diagram-flow', 1)[1]
    assert "code-davinci-002" in figure and "<svg" in figure
    self_instruct = (tmp_path / "site/notes/self-instruct.html").read_text(encoding="utf-8")
    assert self_instruct.count("是否分类任务") >= 3 and "任务 9：" in self_instruct
    for slug in CORE:
        page = (tmp_path / f"site/notes/{slug}.html").read_text(encoding="utf-8")
        bridge = page.split(f'id="{BRIDGE}"', 1)[1].split("<h2", 1)[0]
        assert re.search(r'<a [^>]*href="\.\./reading-list\.html"|<a [^>]*href="[\w-]+\.html(#[^"]*)?"', bridge), slug
