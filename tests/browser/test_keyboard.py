"""The keyboard alone: Tab reaches every control of a note in reading order, focus always shows, the search results
listbox follows the arrow keys, Enter and Escape."""

from __future__ import annotations

from pathlib import Path

from browsing import SCREENSHOTS

# Everything Tab should stop at, in document order: links, controls, the summaries of <details>, and elements made
# focusable on purpose; not what is hidden, disabled, or inside a closed <details>.
TAB_STOPS = """(() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  return Array.from(document.querySelectorAll(selector)).filter(element => {
    if (element.disabled || element.getAttribute('tabindex') === '-1') return false;
    if (!element.getClientRects().length || getComputedStyle(element).visibility === 'hidden') return false;
    const closed = element.closest('details:not([open])');
    return !closed || element === closed.querySelector(':scope > summary');
  });
})()"""

# Records, on every focus change, which element took focus, which part of the page it is in, and whether a focus
# ring (outline or box-shadow) shows on it.
RECORD_FOCUS = """stops => {
  stops.forEach((element, index) => element.dataset.stop = index);
  window.__focusLog = [];
  document.addEventListener('focusin', event => {
    const element = event.target, style = getComputedStyle(element);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    const part = element.matches('.skip-link') ? 'skip link'
      : element.closest('.site-search') ? 'search'
      : element.closest('.site-header') ? 'header'
      : element.closest('main') ? 'content'
      : element.closest('footer') ? 'footer' : 'elsewhere';
    window.__focusLog.push({stop: element.dataset.stop === undefined ? -1 : Number(element.dataset.stop), part, ring,
                           what: element.outerHTML.slice(0, 90)});
  });
}"""
ORDER = ["skip link", "header", "search", "content", "footer"]


def test_tab_reaches_every_control_of_a_note_in_order_with_focus_showing(page, site: Path) -> None:
    page.goto((site / "notes/gpt-3.html").as_uri())
    page.wait_for_load_state("load")  # note.js has added its copy buttons
    stops = page.evaluate_handle(TAB_STOPS)
    count = page.evaluate("stops => stops.length", stops)
    assert count > 30  # header links, search, contents, the note's links, its code and table, the pager
    page.evaluate(RECORD_FOCUS, stops)
    for _ in range(count):
        page.keyboard.press("Tab")
    log = page.evaluate("window.__focusLog")
    assert [entry["stop"] for entry in log] == list(range(count)), [e["what"] for e in log if e["stop"] < 0]
    parts = [entry["part"] for entry in log]
    assert parts[0] == "skip link" and {"header", "search", "content"} <= set(parts)
    assert parts == sorted(parts, key=ORDER.index), parts  # skip link, header, search, content, footer
    assert [entry["what"] for entry in log if not entry["ring"]] == []  # every stop shows where focus is
    kinds = page.evaluate("stops => stops.map(s => s.matches('pre') ? 'code' : s.className)", stops)
    assert "code" in kinds and "table-scroll" in kinds and "copy-code" in kinds and "theme-toggle" in kinds


def test_the_search_listbox_follows_the_arrow_keys_enter_and_escape(page, site: Path) -> None:
    page.goto((site / "notes/t5.html").as_uri())
    box = page.locator("#site-search-input")
    page.keyboard.press("/")
    page.keyboard.type("指令微调")
    page.wait_for_function("document.querySelector('.search-popup').dataset.query === '指令微调'")
    options = page.locator("#site-search-results [role=option]")
    count = options.count()
    assert count >= 4 and box.get_attribute("aria-expanded") == "true"

    def selected() -> int:
        """The one option marked selected, which must be the one the input points at."""
        marked = [i for i in range(count) if options.nth(i).get_attribute("aria-selected") == "true"]
        assert len(marked) == 1, marked
        assert box.get_attribute("aria-activedescendant") == options.nth(marked[0]).get_attribute("id")
        return marked[0]

    unselected = options.nth(1).evaluate("o => getComputedStyle(o).backgroundColor")
    page.keyboard.press("ArrowDown")
    assert selected() == 0
    page.keyboard.press("ArrowDown")
    assert selected() == 1
    assert options.nth(1).evaluate("o => getComputedStyle(o).backgroundColor") != unselected  # it shows
    page.keyboard.press("ArrowUp")
    assert selected() == 0
    page.keyboard.press("ArrowUp")  # from the first, up wraps round to the last, scrolled into view
    assert selected() == count - 1
    popup, last = page.locator(".search-popup").bounding_box(), options.last.bounding_box()
    assert popup["y"] <= last["y"] and last["y"] + last["height"] <= popup["y"] + popup["height"] + 1
    assert box.evaluate("b => b === document.activeElement")  # focus never leaves the input

    page.keyboard.press("Escape")  # closes the list, keeps the query
    assert page.locator(".search-popup").is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None and box.input_value() == "指令微调"
    page.keyboard.press("ArrowDown")  # opens it again
    assert page.locator(".search-popup").is_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = options.nth(selected()).locator(".search-title").inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "t5.html" not in page.url and page.title().startswith(chosen)


FOCUSED = {
    "skip-link": ".skip-link",
    "header-link": ".site-header nav a",
    "theme-toggle": "#theme-toggle",
    "search": "#site-search-input",
    "code": ".prose pre",
    "copy-button": ".copy-code",
    "table": ".prose .table-scroll",
    "link": ".prose a.internal",
}


def test_focus_rings_in_light_and_dark(page, site: Path) -> None:
    """Screenshots of each kind of focused element, for a person to look at; each must show a ring."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto((site / "notes/gpt-3.html").as_uri())
        page.keyboard.press("Tab")  # from here on focus comes from the keyboard, so :focus-visible applies
        for name, selector in FOCUSED.items():
            element = page.locator(selector).first
            element.focus()
            element.evaluate("e => e.scrollIntoView({block: 'center'})")
            ring = element.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
            assert ring.startswith("solid") and not ring.endswith(" 0px"), (name, scheme, ring)
            box = element.bounding_box()
            clip = {
                "x": max(0, box["x"] - 16),
                "y": max(0, box["y"] - 16),
                "width": min(box["width"] + 32, 1280 - max(0, box["x"] - 16)),
                "height": min(box["height"] + 32, 400),
            }
            page.screenshot(path=str(SCREENSHOTS / f"focus-{scheme}-{name}.png"), clip=clip)
