"""Search ranking in Chromium, with the real engine: judged queries on a corpus whose right answers are known by
construction, and on the repository's own notes; snippets from the best passage; the sections a result is in."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot
from test_search import search

from llmnotes.engine.build import build
from sites import write_site

FILLER = "这一段讲的是别的事情，和主题没有关系，只是让笔记长一些。" * 12
ENGLISH_FILLER = "This paragraph is about something else entirely and only makes the note longer. " * 8


def note(title: str, body: str, **front: str) -> str:
    lines = [f"title: {title}", *(f"{key}: {value}" for key, value in front.items())]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def corpus() -> dict[str, str]:
    """Notes where the best note for each query is known: one about the term, several that mention it in passing,
    one that holds the term's bigrams apart, and a section page that lists titles."""
    files = {
        # 扩散模型: the note about it (title), its body only, four passing mentions (below), bigrams apart.
        "notes/diffusion.md": note("扩散模型入门", "## 前向过程\n\n扩散模型逐步加噪再去噪。扩散模型的训练很稳定。"),
        "notes/ddpm-notes.md": note(
            "DDPM 读书笔记",
            "## 核心\n\n扩散模型把生成看成逐步去噪。扩散模型的损失是噪声预测。扩散模型采样慢。\n\n" + FILLER,
            year="2020",
        ),
        "notes/apart.md": note(
            "物理笔记", "## 扩散\n\n扩散现象在物理里很常见，扩散很快。\n\n## 模型\n\n模型很多，模型也很大。\n\n" * 3
        ),
        # 高斯溅射 (4 characters): the note about it, and one with 高斯 and 溅射 in different paragraphs.
        "notes/splatting.md": note("3D Gaussian Splatting", "## 方法\n\n高斯溅射用各向异性高斯表示场景。\n\n" + FILLER),
        "notes/gauss-apart.md": note(
            "Gaussian Processes",
            ("高斯过程是一种先验。高斯核很常用。\n\n" + FILLER + "\n\n离子溅射是一种镀膜工艺。溅射速率。\n\n") * 2,
        ),
        # 强化学习 (its middle bigram 化学 is a word of its own): the phrase once, against its bigrams many times apart.
        "notes/rl.md": note("Policy Gradient", "策略梯度是强化学习的基础方法。\n\n" + FILLER),
        "notes/chemistry.md": note("实验记录", "我们强化了训练。化学实验要小心。学习率很小。\n\n" * 6),
        # English: the title, a tag, passing mentions; and a mixed note.
        "notes/transformer-xl.md": note("Transformer-XL", "Segment recurrence.\n\n" + ENGLISH_FILLER, year="2019"),
        "notes/attention.md": note(
            "Attention Is All You Need",
            "The transformer replaces recurrence with attention. A transformer stacks layers.\n\n" + ENGLISH_FILLER,
            tags="[transformer]",
            year="2017",
        ),
        "notes/dit.md": note(
            "DiT",
            "Transformers are everywhere.\n\n"
            + FILLER
            + "\n\n## 结构\n\n用 transformer 替换 U-Net 来做扩散模型，transformer 的规模越大扩散模型越好。",
            year="2023",
        ),
        # Two notes alike but for their dates: the newer first, though its path comes second (documents are
        # numbered by path; the tie-break follows the site's order).
        "notes/twin-a.md": note("Twin A", "zebrafish 在这里出现一次。", year="2019"),
        "notes/twin-b.md": note("Twin B", "zebrafish 在这里出现一次。", year="2023"),
        # A section whose page lists titles of notes (the lists of generated section indexes).
        "notes/generative/index.md": note(
            "生成模型", "本节收录：\n\n- 扩散模型入门\n- 扩散模型加速\n- 扩散模型综述\n- 扩散模型与视频\n- 条件扩散模型"
        ),
        "notes/generative/fast-sampling.md": note(
            "扩散模型加速", "## 方法\n\n用更少的步数采样。扩散模型加速的关键是求解器。"
        ),
    }
    for number in range(4):
        files[f"notes/mention-{number}.md"] = note(
            f"Note {number}",
            f"{FILLER}\n\n顺便提一句，扩散模型也可以这样做；transformer 也一样。\n\n{ENGLISH_FILLER}\n\n{FILLER}",
        )
    return files


@pytest.fixture(scope="module")
def ranked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("ranking"), corpus())
    build(root, strict=True)
    return root / "site"


def titles_for(page, site: Path, query: str) -> list[str]:
    page.goto((site / "index.html").as_uri())
    return search(page, query)


@pytest.mark.parametrize(
    ("query", "first", "top"),
    [
        ("扩散模型", "扩散模型入门", ["扩散模型入门", "扩散模型加速", "DDPM 读书笔记"]),  # title, then tf·idf
        ("高斯溅射", "3D Gaussian Splatting", []),  # the phrase above its bigrams apart
        ("强化学习", "Policy Gradient", []),  # the phrase once above its three bigrams many times apart
        ("transformer", "Transformer-XL", ["Transformer-XL", "Attention Is All You Need"]),  # title, then tag
        ("TRANSFORMER", "Transformer-XL", []),  # case-insensitive
        ("transfo", "Transformer-XL", ["Transformer-XL", "Attention Is All You Need"]),  # the word being typed
        ("transformer 扩散模型", "DiT", []),  # mixed: the one note about both
        ("zebrafish", "Twin B", ["Twin B", "Twin A"]),  # a tie: the newer note first
    ],
)
def test_the_judged_best_note_comes_first(page, ranked_site: Path, query: str, first: str, top: list[str]) -> None:
    titles = titles_for(page, ranked_site, query)
    assert titles[0] == first, titles
    assert titles[: len(top)] == top, titles


def test_a_note_about_a_term_outranks_notes_that_mention_it_in_passing(page, ranked_site: Path) -> None:
    titles = titles_for(page, ranked_site, "扩散模型")
    passing = [titles.index(f"Note {number}") for number in range(4) if f"Note {number}" in titles]
    assert titles.index("DDPM 读书笔记") < min(passing), titles


def test_bigrams_held_apart_rank_below_the_phrase_in_passing(page, ranked_site: Path) -> None:
    titles = titles_for(page, ranked_site, "扩散模型")
    assert "物理笔记" in titles, titles  # it matches, every character of the query being there
    assert all(titles.index(f"Note {n}") < titles.index("物理笔记") for n in range(4) if f"Note {n}" in titles)
    assert titles_for(page, ranked_site, "高斯溅射") == ["3D Gaussian Splatting", "Gaussian Processes"]


def test_a_section_page_listing_titles_ranks_below_the_notes_it_lists(page, ranked_site: Path) -> None:
    titles = titles_for(page, ranked_site, "扩散模型")
    assert titles.index("生成模型") > titles.index("扩散模型加速"), titles
    assert titles.index("生成模型") > titles.index("扩散模型入门"), titles


def test_results_show_their_sections(page, ranked_site: Path) -> None:
    titles = titles_for(page, ranked_site, "加速")
    option = page.locator("#site-search-results [role=option]").nth(titles.index("扩散模型加速"))
    assert option.locator(".search-meta").inner_text() == "生成模型"


def test_the_snippet_comes_from_the_best_passage(page, ranked_site: Path) -> None:
    """DiT says "Transformers" in its first line, but only its last paragraph holds both query terms."""
    assert titles_for(page, ranked_site, "transformer 扩散模型")[0] == "DiT"
    snippet = page.locator("#site-search-results [role=option]").first.locator(".search-snippet")
    marks = snippet.locator("mark").all_inner_texts()
    assert "扩散模型" in marks and "transformer" in marks, marks
    assert "U-Net" in snippet.inner_text()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("思维链", "CoT"),
        ("对齐税", "InstructGPT"),
        ("奖励模型", "InstructGPT"),
        ("chain of thought", "CoT"),
        ("few-shot", "GPT-3"),
        ("RLHF 奖励模型", "InstructGPT"),
        ("instructg", "InstructGPT"),
        ("text-to-text", "T5"),
    ],
)
def test_judged_queries_on_the_repository_notes(page, site: Path, query: str, first: str) -> None:
    assert titles_for(page, site, query)[0] == first


@pytest.mark.parametrize(("query", "name"), [("扩散模型", "zh"), ("transformer", "en")])
def test_result_screenshots(page, mobile_page, ranked_site: Path, query: str, name: str) -> None:
    titles = titles_for(page, ranked_site, query)
    assert len(titles) >= 5
    screenshot(page, f"search-ranking-{name}-1280")
    mobile_page.goto((ranked_site / "index.html").as_uri())
    mobile_page.locator("#site-search-input").click()
    mobile_page.keyboard.type(query)
    mobile_page.wait_for_function("q => document.querySelector('.search-popup').dataset.query === q", arg=query)
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(mobile_page, f"search-ranking-{name}-375")
