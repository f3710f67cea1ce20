"""Reading comfort in a real browser: contents, previews, theme, copy buttons, print, the reading list."""

from __future__ import annotations

from browsing import screenshot


def test_table_of_contents_marks_the_current_section(page, site_url: str) -> None:
    page.goto(site_url + "notes/instructgpt.html")
    toc = page.locator("nav.toc")
    assert toc.locator("a").count() >= 5
    page.evaluate("document.getElementById('实验与结论').scrollIntoView()")
    page.wait_for_function("(document.querySelector('.toc a[aria-current]') || {}).textContent === '实验与结论'")
    assert page.locator(".toc a[aria-current]").count() == 1


def test_toc_is_sticky_beside_the_note_on_wide_screens(browser, site: object) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.goto((site / "notes/instructgpt.html").as_uri())  # type: ignore[operator]
    tab.mouse.wheel(0, 3000)
    tab.wait_for_timeout(200)
    box = tab.locator(".toc-inner").bounding_box()
    prose = tab.locator(".prose").bounding_box()
    assert box is not None and prose is not None
    assert box["x"] > prose["x"] + prose["width"]
    assert 0 <= box["y"] < 100
    context.close()


def test_hovering_a_link_previews_the_linked_note(page, site_url: str) -> None:
    page.goto(site_url + "notes/instructgpt.html")
    page.locator(".prose a.internal", has_text="GPT-3").first.hover()
    card = page.locator(".preview-card")
    card.wait_for(state="visible")
    assert card.locator(".preview-title").inner_text() == "GPT-3"
    assert "Language Models are Few-Shot Learners" in card.inner_text()
    assert "NeurIPS 2020" in card.inner_text()
    page.mouse.move(0, 0)
    card.wait_for(state="hidden")


def test_keyboard_focus_also_shows_the_preview(page, site_url: str) -> None:
    page.goto(site_url + "notes/lima.html")
    page.locator(".prose a.internal").first.focus()
    page.locator(".preview-card").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator(".preview-card").wait_for(state="hidden")


def test_theme_toggle_switches_and_persists(page, site_url: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(site_url + "index.html")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("#theme-toggle").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator("#theme-toggle").get_attribute("aria-pressed") == "true"
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light == "rgb(255, 255, 255)" and dark != light
    page.goto(site_url + "notes/t5.html")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    if site_url.startswith("file:"):
        screenshot(page, "note-t5-dark")


def test_dark_mode_follows_the_system_without_a_choice(page, site_url: str) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(site_url + "index.html")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"


def test_code_blocks_get_a_copy_button(page, site_url: str) -> None:
    page.goto(site_url + "notes/t5.html")
    buttons = page.locator(".code-block .copy-code")
    assert buttons.count() >= 1
    buttons.first.click()
    page.wait_for_function("document.querySelector('.code-block .copy-code').textContent === '已复制'")


def test_print_hides_navigation_and_contents(page, site_url: str) -> None:
    page.goto(site_url + "notes/instructgpt.html")
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    assert not page.locator("#theme-toggle").is_visible()
    assert page.locator(".prose").is_visible()


def test_reading_list_filters_and_sorts(page, site_url: str) -> None:
    page.goto(site_url + "reading-list.html")
    rows = page.locator("#papers tbody tr:not([hidden])")
    assert rows.count() == 63
    page.select_option("select[name=group]", "sft")
    assert rows.count() == 32
    page.check("input[name=code]")
    with_code = rows.count()
    assert 0 < with_code < 32
    page.select_option("select[name=group]", "")
    page.uncheck("input[name=code]")
    page.select_option("select[name=llm]", "ChatGPT")
    assert 10 <= rows.count() < 63
    assert all("ChatGPT" in text for text in rows.locator("td:nth-child(7)").all_inner_texts())
    page.select_option("select[name=llm]", "")
    page.fill("input[name=q]", "TALLRec")
    assert rows.count() == 1
    page.fill("input[name=q]", "")
    page.locator("th button", has_text="#").click()
    page.locator("th button", has_text="#").click()
    assert rows.first.locator("td").first.inner_text() == "63"
    if site_url.startswith("file:"):
        screenshot(page, "reading-list-desktop")
