"""Measure a built site's search from file:// in Chromium: index size, bytes each query loads, time to first results.

    python benchmarks/search_bench.py SITE [SITE...] [--queries q1,q2] [--repeat 5] [--json FILE]

For each site: the size of static/search/ (bytes and files), then for each query, in a fresh browser context (no
cache): open the home page from file://, focus the search box (which loads the manifest, as it does for a reader),
wait for the manifest, type the query as an input method commits it (one input event) and time, in the page, from
that event to the moment the results are shown (the popup's data-query attribute is set; this includes the search
box's 60 ms debounce). Bytes are the sizes on disk of every index file the page loaded, manifest included. The
figures are medians over --repeat runs. Needs Playwright and Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

QUERIES = ["指令微调", "消融实验", "零样本设置", "retrieval", "hallucination", "recomm", "rlhf 对齐"]
CHROMIUM = "/usr/bin/chromium"

WATCH = """() => {
  const popup = document.querySelector('.search-popup');
  window.__shown = null;
  new MutationObserver(() => { if (window.__shown === null) window.__shown = performance.now(); })
    .observe(popup, { attributes: true, attributeFilter: ['data-query'] });
}"""


def index_size(site: Path) -> tuple[int, int]:
    files = [path for path in (site / "static" / "search").rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)


def measure(browser: object, site: Path, query: str) -> tuple[int, int, float, int]:
    """(files loaded, bytes loaded, ms to first results, results shown) for one query in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        tab = context.new_page()
        tab.goto((site / "index.html").as_uri())
        tab.locator("#site-search-input").focus()
        tab.wait_for_function("() => !!document.querySelector('script[src*=\"static/search/manifest\"]')")
        tab.wait_for_function("() => window.__llmnotesSearch.load('manifest').then(() => true)")
        tab.evaluate(WATCH)
        start = tab.evaluate("() => performance.now()")
        tab.keyboard.insert_text(query)
        tab.wait_for_function("q => document.querySelector('.search-popup').dataset.query === q", arg=query)
        elapsed = tab.evaluate("() => window.__shown") - start
        loaded = tab.eval_on_selector_all("script[src*='static/search/']", "list => list.map(s => s.src)")
        names = sorted({url.split("static/search/")[1] for url in loaded})
        size = sum((site / "static" / "search" / name).stat().st_size for name in names)
        shown = tab.locator("#site-search-results [role=option]").count()
        return len(names), size, elapsed, shown
    finally:
        context.close()


def bench(site: Path, queries: list[str], repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    total, files = index_size(site)
    result: dict = {"site": str(site), "index_bytes": total, "index_files": files, "queries": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for query in queries:
            runs = [measure(browser, site, query) for _ in range(repeat)]
            result["queries"][query] = {
                "files": runs[0][0],
                "bytes": runs[0][1],
                "ms": round(statistics.median(run[2] for run in runs), 1),
                "results": runs[0][3],
            }
        browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    results = [bench(site.resolve(), options.queries.split(","), options.repeat) for site in options.sites]
    for result in results:
        print(f"{result['site']}: index {result['index_bytes'] / 1e6:.2f} MB in {result['index_files']} files")
        print("  query | files | KB loaded | ms to results | results shown")
        for query, figures in result["queries"].items():
            kb = figures["bytes"] / 1000
            print(f"  {query} | {figures['files']} | {kb:.1f} | {figures['ms']} | {figures['results']}")
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
