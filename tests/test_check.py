"""`llmnotes check`: the build's validations without a site, and one test per lint rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from llmnotes.cli import main
from sites import write_site

REPO = Path(__file__).resolve().parents[1]
CLEAN = {
    "notes/a.md": "---\ntitle: Alpha\narxiv: '2001.00001'\nsummary: A.\ntags: [x]\n---\nSee [[b]].\n",
    "notes/b.md": "---\ntitle: Beta\narxiv: '2001.00002'\nsummary: B.\ntags: [x]\n---\nSee [[a]].\n",
}


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", "--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def findings(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    code, out, _ = run_check(root, capsys, "--format", "json")
    return code, json.loads(out)["problems"]


def rules(problems: list[dict]) -> list[tuple[str, str | None]]:
    return [(p["file"], p["rule"]) for p in problems]


def test_a_clean_collection_has_nothing_to_report_and_no_site_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(tmp_path, CLEAN)
    code, out, err = run_check(root, capsys)
    assert (code, out) == (0, "") and "0 errors, 0 warnings" in err
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"notes/a.md": "---\ntitle: Alpha\nyear: twenty\n---\nx\n"}, "notes/a.md:3: year: expected a whole number"),
        ({"notes/a.md": "---\ntitle: Alpha\n---\nSee [[gamma]].\n"}, "notes/a.md:4:5: broken link [[gamma]]"),
        ({"notes/a.md": "---\ntitle: Alpha\n---\nSee [[b#nowhere]].\n"}, 'has no heading "nowhere"'),
        ({"notes/a.md": "---\ntitle: Alpha\nbuilds_on: [zeta]\n---\nx\n"}, 'builds_on: no note has the slug "zeta"'),
        ({"data/list.yaml": "a: [1, 2\n"}, "data/list.yaml:2:1: not valid YAML"),
    ],
)
def test_check_reports_what_build_fails_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    root = write_site(tmp_path, {**CLEAN, **files})
    code, out, err = run_check(root, capsys)
    assert code == 1 and expected in out and "Traceback" not in out + err
    assert not (root / "site").exists()


def test_check_reports_math_the_browser_cannot_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path, {**CLEAN, "notes/b.md": CLEAN["notes/b.md"] + "\n$\\cancel{x}$\n"})
    code, out, _ = run_check(root, capsys)
    assert code == 0 and "notes/b.md:9:1: warning: math: \\cancel" in out


def test_near_duplicate_tags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(
        tmp_path,
        {
            **CLEAN,
            "notes/c.md": "---\ntitle: C\narxiv: '1'\nsummary: C.\ntags: [LLM, 指令微调]\n---\n[[a]]\n",
            "notes/d.md": "---\ntitle: D\narxiv: '2'\nsummary: D.\ntags: [LLM, 指令微调]\n---\n[[c]] [[e]] [[f]]\n",
            "notes/e.md": "---\ntitle: E\narxiv: '3'\nsummary: E.\ntags: [llm]\n---\n[[d]]\n",
            "notes/f.md": "---\ntitle: F\narxiv: '4'\nsummary: F.\ntags: [LLMs, 指令调优]\n---\n[[d]]\n",
        },
    )
    code, problems = findings(root, capsys)
    assert code == 0
    assert rules(problems) == [
        ("notes/e.md", "near-duplicate-tag"),
        ("notes/f.md", "near-duplicate-tag"),
        ("notes/f.md", "near-duplicate-tag"),
    ]
    assert problems[0]["line"] == 5 and 'tag "llm" looks like "LLM" (LLM / LLMs / llm)' in problems[0]["message"]
    assert '"指令调优" looks like "指令微调"' in problems[2]["message"]


def test_notes_nothing_links_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orphan = "---\ntitle: Lonely\narxiv: '3'\nsummary: L.\n---\nNobody cites me.\n"
    child = "---\ntitle: Child\narxiv: '4'\nsummary: C.\nbuilds_on: [a]\n---\nNo links.\n"
    root = write_site(tmp_path, {**CLEAN, "notes/lonely.md": orphan, "notes/child.md": child})
    _, problems = findings(root, capsys)
    # a is built on by child, so only the two notes nobody links to or builds on are reported
    assert rules(problems) == [("notes/child.md", "unlinked-note"), ("notes/lonely.md", "unlinked-note")]


def test_missing_summary_and_arxiv_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = "---\ntitle: Bare\n---\n[[a]]\n"
    report = "---\ntitle: Report\ntype: report\ninstitution: OpenAI\nsummary: R.\n---\n[[bare]]\n"
    root = write_site(tmp_path, {**CLEAN, "notes/bare.md": bare, "notes/report.md": report})
    _, problems = findings(root, capsys)
    found = [r for r in rules(problems) if r[1] != "unlinked-note"]
    assert found == [("notes/bare.md", "no-arxiv"), ("notes/bare.md", "no-summary")]  # a report needs no arXiv id


def test_duplicate_arxiv_ids_and_titles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    twin = "---\ntitle: ALPHA\narxiv: '2001.00002'\nsummary: T.\n---\n[[a]] [[b]]\n"
    root = write_site(tmp_path, {**CLEAN, "notes/twin.md": twin, "notes/a.md": CLEAN["notes/a.md"] + "[[twin]]\n"})
    _, problems = findings(root, capsys)
    assert rules(problems) == [("notes/twin.md", "duplicate-title"), ("notes/twin.md", "duplicate-arxiv")]
    assert "same title as notes/a.md" in problems[0]["message"] and problems[0]["line"] == 2
    assert "same arxiv as notes/b.md" in problems[1]["message"] and problems[1]["line"] == 3


def test_two_notes_that_set_the_same_citation_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chosen = "---\ntitle: Other\narxiv: '2001.00009'\nsummary: O.\ncitation_key: alpha2020\n---\n[[a]]\n"
    first = CLEAN["notes/a.md"].replace("---\n", "---\ncitation_key: alpha2020\n", 1) + "[[other]]\n"
    root = write_site(tmp_path, {**CLEAN, "notes/a.md": first, "notes/other.md": chosen})
    _, problems = findings(root, capsys)
    assert rules(problems) == [("notes/other.md", "duplicate-citation-key")]
    assert "same citation_key as notes/a.md" in problems[0]["message"] and problems[0]["line"] == 5


def test_json_output_for_tools(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path, {**CLEAN, "notes/a.md": "---\ntitle: Alpha\n---\nSee [[gamma]].\n"})
    code, out, _ = run_check(root, capsys, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["errors"] == 1
    broken = next(p for p in report["problems"] if p["severity"] == "error")
    assert {k: broken[k] for k in ("file", "line", "column", "severity", "rule")} == {
        "file": "notes/a.md",
        "line": 4,
        "column": 5,
        "severity": "error",
        "rule": "broken-link",
    }


def test_the_pre_commit_hook_runs_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "llmnotes-check")
    assert hook["entry"] == "llmnotes check" and hook["pass_filenames"] is False and hook["language"] == "python"


def test_plain_pages_and_pages_a_section_lists_are_not_held_to_paper_notes_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = {
        "notes/guide/index.md": "# Guide\n\nThe guide.\n",
        "notes/guide/setup.md": "# Setup\n\nNo front matter, no links to it: its section lists it.\n",
    }
    root = write_site(tmp_path, {**CLEAN, **plain})
    _, problems = findings(root, capsys)
    # the section page itself is linked from nowhere; neither page is asked for an arXiv id or a summary
    assert rules(problems) == [("notes/guide/index.md", "unlinked-note")]
