"""`llmnotes new`: a note file with its front matter and sections, never overwriting, checking what it names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llmnotes.build import build
from llmnotes.cli import main
from sites import write_site


def run_new(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", "--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(
        tmp_path,
        {
            "pyproject.toml": '[tool.llmnotes]\nlanguage = "zh-CN"\n',
            "notes/gpt-3.md": "---\ntitle: Language Models are Few-Shot Learners\nyear: 2020\n---\nGPT-3.\n",
        },
    )


def test_new_writes_front_matter_and_the_sections_every_note_has(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_new(
        site,
        capsys,
        "Chain-of-Thought Prompting",
        "--arxiv",
        "arXiv:2201.11903v6",
        "--tags",
        "推理，提示",
        "--builds-on",
        "gpt-3",
    )
    path = site / "notes/chain-of-thought-prompting.md"
    assert (code, err) == (0, "")
    assert Path(out.strip()).resolve() == path.resolve()  # printed relative to where the command ran
    front = front_matter(path)
    assert front["title"] == "Chain-of-Thought Prompting"
    assert (front["arxiv"], front["year"], front["month"]) == ("2201.11903", 2022, 1)
    assert front["tags"] == ["推理", "提示"] and front["builds_on"] == ["gpt-3"]
    headings = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings == ["## 一句话总结", "## 背景与问题", "## 方法", "## 实验与结论", "## 个人思考", "## 参考"]
    result = build(site)  # the new note builds as it is
    assert result.notes == 2
    assert "Chain-of-Thought Prompting" in (site / "site/notes/chain-of-thought-prompting.html").read_text()


def test_an_english_site_gets_english_sections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path, {"notes/.keep": ""})
    assert run_new(root, capsys, "Attention Is All You Need")[0] == 0
    text = (root / "notes/attention-is-all-you-need.md").read_text(encoding="utf-8")
    assert "## Summary" in text and "## References" in text
    assert front_matter(root / "notes/attention-is-all-you-need.md")["year"] is None


def test_new_never_overwrites_a_note(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (site / "notes/gpt-3.md").read_bytes()
    code, out, err = run_new(site, capsys, "GPT 3")
    assert code == 2 and out == ""
    assert "notes/gpt-3.md already exists" in err and "Traceback" not in err
    assert (site / "notes/gpt-3.md").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["LIMA", "--builds-on", "gpt-3,instructgpt"], "no note has the slug instructgpt"),
        (["LIMA", "--arxiv", "not-an-id"], "is not an arXiv identifier"),
        (["   "], "the title is empty"),
        (["!!!"], "gives an empty file name"),
    ],
)
def test_new_refuses_what_it_cannot_use(
    site: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_new(site, capsys, *args)
    assert code == 2 and out == "" and message in err
    assert sorted(p.name for p in (site / "notes").iterdir()) == ["gpt-3.md"]
