"""Site search in a real browser: Chinese, English and mixed queries, highlighting, keyboard use, lazy loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot

from llmnotes.features.search_tokens import parse_query, tokenize

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def search(tab, query: str) -> list[str]:
    """Type `query` into the search box (focused with `/`) and return the result titles in order."""
    focused = tab.evaluate("document.activeElement && document.activeElement.id === 'site-search-input'")
    tab.keyboard.press("Control+a" if focused else "/")
    tab.keyboard.type(query)
    return shown(tab, query)


def shown(tab, query: str) -> list[str]:
    tab.wait_for_function("q => document.querySelector('.search-popup').dataset.query === q", arg=query)
    return tab.locator("#site-search-results [role=option] .search-title").all_inner_texts()


@pytest.mark.parametrize(
    ("query", "first", "also"),
    [
        ("思维链", "CoT", []),
        ("对齐税", "InstructGPT", []),
        ("奖励模型", "InstructGPT", ["LIMA"]),
        ("指令微调", None, ["InstructGPT", "FLAN", "Self-Instruct", "LIMA", "LLM4Rec 综述"]),
        ("RLHF", "InstructGPT", ["LIMA"]),
        ("PPO", "InstructGPT", []),
        ("few-shot", "GPT-3", ["CoT", "GPT-2"]),
        ("few shot", "GPT-3", ["CoT"]),
        ("chain of thought", "CoT", []),
        ("RLHF 奖励模型", "InstructGPT", []),
        ("instru", None, ["InstructGPT", "Self-Instruct"]),
    ],
)
def test_queries_find_their_notes(page, site_url: str, query: str, first: str | None, also: list[str]) -> None:
    page.goto(site_url + "notes/t5.html")
    titles = search(page, query)
    if first:
        assert titles[0] == first, titles
    assert set(also) <= set(titles[:6]), titles


def test_tag_hits_rank_above_body_hits(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    tagged = {"InstructGPT", "FLAN", "Self-Instruct", "LIMA", "LLM4Rec 综述"}  # tagged 指令微调
    assert set(search(page, "指令微调")[:5]) == tagged


def test_chinese_matches_are_highlighted_whole(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    assert search(page, "对齐税") == ["InstructGPT"]
    marks = page.locator("#site-search-results .search-snippet mark").all_inner_texts()
    assert marks and set(marks) == {"对齐税"}
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    search(page, "思维链")
    assert "思维链" in page.locator("#site-search-results .search-snippet mark").all_inner_texts()


def test_latin_matches_are_highlighted_in_titles_and_snippets(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    search(page, "few-shot")
    first = page.locator("#site-search-results [role=option]").first
    assert first.locator(".search-fulltitle mark").all_inner_texts() == ["Few-Shot"]
    assert {m.lower() for m in first.locator("mark").all_inner_texts()} <= {"few-shot", "few", "shot"}
    html = page.locator("#site-search-results").inner_html()
    assert "<script" not in html and "&lt;" not in html.replace("&lt;输入", "")


def test_keyboard_only_search_opens_the_chosen_note(page, site_url: str) -> None:
    page.goto(site_url + "notes/t5.html")
    search_box = page.locator("#site-search-input")
    page.keyboard.press("/")
    assert search_box.evaluate("element => element === document.activeElement")
    page.keyboard.type("instru")
    titles = shown(page, "instru")
    assert search_box.get_attribute("aria-expanded") == "true"
    for _ in range(titles.index("InstructGPT") + 1):
        page.keyboard.press("ArrowDown")
    active = search_box.get_attribute("aria-activedescendant")
    option = page.locator(f"#{active}")
    assert option.get_attribute("aria-selected") == "true" and "InstructGPT" in option.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/notes/instructgpt.html")


def test_escape_closes_then_clears_and_ctrl_k_focuses(page, site_url: str) -> None:
    page.goto(site_url + "notes/lima.html")
    page.keyboard.press("Control+k")
    box = page.locator("#site-search-input")
    assert box.evaluate("element => element === document.activeElement")
    page.keyboard.type("PPO")
    shown(page, "PPO")
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and page.locator(".search-popup").is_hidden()
    assert box.input_value() == "PPO"
    page.keyboard.press("Escape")
    assert box.input_value() == ""


def test_slash_is_left_alone_while_typing_elsewhere(page, site_url: str) -> None:
    page.goto(site_url + "reading-list.html")
    filter_box = page.locator(".filters input[type=search]")
    filter_box.focus()
    page.keyboard.type("a/b")
    assert filter_box.input_value() == "a/b"
    assert not page.locator("#site-search-input").evaluate("element => element === document.activeElement")


def test_no_results_are_said_so(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    assert search(page, "xyzzy 量子") == []
    assert page.locator(".search-message").inner_text() == "没有找到匹配的笔记"
    assert page.locator("#site-search-input").get_attribute("aria-expanded") == "false"
    assert page.locator("#site-search-status").inner_text() == "没有找到匹配的笔记"


def test_no_index_file_loads_before_the_reader_searches(page, site_url: str, site: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "notes/gpt-3.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)

    def index_files() -> list[str]:
        in_dom = page.eval_on_selector_all("script[src*='static/search/']", "list => list.map(s => s.src)")
        return sorted({url.split("static/search/")[1] for url in in_dom + requested if "static/search/" in url})

    assert index_files() == []
    page.locator("#site-search-input").focus()
    page.wait_for_function("!!(window.__llmnotesSearch && document.querySelector('script[src*=\"manifest\"]'))")
    page.wait_for_timeout(100)
    assert index_files() == ["manifest.js"]
    page.keyboard.insert_text("思维链")  # as an input method commits it: one input event
    results = len(shown(page, "思维链"))
    files = index_files()
    assert any(f.startswith("t/") for f in files) and any(f.startswith("d/") for f in files)
    assert any(f.startswith("g/") for f in files)  # the phrase index, for a CJK query of three characters
    every_shard = {p.name for p in (site / "static" / "search" / "d").iterdir()}
    shards = [f for f in files if f.startswith("d/")]
    assert len(shards) <= results < len(every_shard)  # the display data of the results only


def test_tokenizer_in_the_browser_matches_python(page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    samples = [
        "指令微调",
        "RLHF 奖励模型",
        "Few-Shot learners，GPT-3的结构",
        "Ｆｅｗ－ｓｈｏｔ Straße ΣΊΣΥΦΟΣ",
        "chain of thought ",
        "input_ids 与 text‐to‐text",
        "思",
        "ｶﾀｶﾅ ひらがな 한국어 café 2023年5月",
        "नमस्ते x² Ⅻ 〇 ﬁne İstanbul",
    ]
    for text in samples:
        assert page.evaluate("t => window.__llmnotesSearch.tokenize(t)", text) == tokenize(text), text
        js_query = page.evaluate(
            "t => window.__llmnotesSearch.parseQuery(t).map(s => s.terms.map(x => [x.token, x.prefix]))", text
        )
        assert js_query == [[list(term) for term in segment] for segment in parse_query(text)], text


def test_open_results_have_no_serious_accessibility_problems(page, site: Path) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto((site / "notes/instructgpt.html").as_uri())
        search(page, "奖励模型")
        page.keyboard.press("ArrowDown")
        page.add_script_tag(content=AXE)
        result = page.evaluate("axe.run(document.querySelector('.site-search'), {resultTypes: ['violations']})")
        serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], scheme


def test_desktop_screenshot(page, site: Path) -> None:
    page.goto((site / "tags/index.html").as_uri())  # a short page, so the full-page shot is the popup
    assert search(page, "奖励模型")[0] == "InstructGPT"
    page.keyboard.press("ArrowDown")
    screenshot(page, "search-zh-desktop")


def test_mobile_full_width_without_horizontal_scroll(mobile_page, site: Path) -> None:
    tab = mobile_page
    tab.goto((site / "tags/index.html").as_uri())
    tab.locator("#site-search-input").click()
    tab.keyboard.type("奖励模型")
    assert shown(tab, "奖励模型")[0] == "InstructGPT"
    popup = tab.locator(".search-popup").bounding_box()
    field = tab.locator("#site-search-input").bounding_box()
    assert popup is not None and field is not None
    assert popup["x"] >= 0 and popup["x"] + popup["width"] <= 375
    assert popup["width"] >= 375 - 2 * 24 and field["width"] >= 375 - 2 * 24
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(tab, "search-zh-mobile")
