"""A note that cites, in a real browser: its reference list passes axe in both themes and a citation leads to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_accessibility import serious_violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_citation_leads_to_its_entry_in_the_reference_list(page, site: Path, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto((site / "notes" / "flan.html").as_uri())
    assert serious_violations(page) == []
    page.click("a.cite[href='#ref-chung2022scaling']")
    entry = page.locator("#ref-chung2022scaling")
    assert entry.evaluate("element => element.matches(':target')")
    box = entry.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    assert "Scaling Instruction-Finetuned Language Models" in entry.inner_text()
    assert page.locator("#__references").inner_text() == "参考文献"
