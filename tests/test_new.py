"""`llmnotes new`: a note file with its front matter and sections, never overwriting, checking what it names; with
an arXiv id or a DOI, the paper's facts from a local stand-in for the arXiv and Crossref APIs."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from llmnotes.cli import main
from llmnotes.engine.build import build
from llmnotes.features import fetch
from paper_api import PaperApi, serve_papers
from sites import write_site


@pytest.fixture(autouse=True)
def paper_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[PaperApi]:
    """No test here asks the real services: a local stand-in answers."""
    yield from serve_papers(monkeypatch)


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
    # the paper's own title, and the one given names the file and is its short title
    assert front["title"] == "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models"
    assert front["short_title"] == "Chain-of-Thought Prompting"
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


# ----- the paper's facts from arXiv and Crossref -----

INSTRUCTGPT_AUTHORS = [
    "Long Ouyang",
    "Jeff Wu",
    "Xu Jiang",
    "Diogo Almeida",
    "Carroll L. Wainwright",
    "Pamela Mishkin",
    "Chong Zhang",
    "Sandhini Agarwal",
    "Katarina Slama",
    "Alex Ray",
    "John Schulman",
    "Jacob Hilton",
    "Fraser Kelton",
    "Luke Miller",
    "Maddie Simens",
    "Amanda Askell",
    "Peter Welinder",
    "Paul Christiano",
    "Jan Leike",
    "Ryan Lowe",
]
INSTRUCTGPT = "notes/training-language-models-to-follow-instructions-with-human-feedback.md"


@pytest.fixture
def english(tmp_path: Path) -> Path:
    return write_site(tmp_path, {"notes/.keep": ""})


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_arxiv_id_alone_gives_the_paper_its_facts(english: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_new(english, capsys, "--arxiv", "2203.02155")
    assert (code, err) == (0, "")
    path = english / INSTRUCTGPT
    assert Path(out.strip()).resolve() == path.resolve()
    front = front_matter(path)
    assert front["title"] == "Training language models to follow instructions with human feedback"
    assert front["authors"] == INSTRUCTGPT_AUTHORS  # all twenty, in the paper's order
    assert (front["year"], front["month"]) == (2022, 3)  # of the first version
    assert (front["arxiv"], front["arxiv_class"]) == ("2203.02155", "cs.CL")
    assert front["pdf"] == "https://arxiv.org/pdf/2203.02155"
    assert front["abstract"].startswith("Making language models bigger does not inherently make them better")
    assert front["abstract"].endswith("aligning language models with human intent.") and "\n" not in front["abstract"]
    assert "doi" not in front and front["summary"] == ""  # the summary is the author's to write
    build(english)
    bib = (english / "site/references.bib").read_text(encoding="utf-8")
    assert "ouyang2022training" in bib and "Wainwright, Carroll L." in bib and "primaryClass  = {cs.CL}" in bib


@pytest.mark.parametrize(
    "written", ["2203.02155v3", "arXiv:2203.02155", "https://arxiv.org/abs/2203.02155v1", "10.48550/arXiv.2203.02155"]
)
def test_every_way_of_writing_the_id_asks_for_the_paper(
    english: Path, capsys: pytest.CaptureFixture[str], paper_api: PaperApi, written: str
) -> None:
    option = "--doi" if written.startswith("10.") else "--arxiv"  # arXiv's own DOIs are asked of arXiv
    assert run_new(english, capsys, option, written)[0] == 0
    assert len(paper_api.asked) == 1 and "id_list=2203.02155&" in paper_api.asked[0]
    assert front_matter(english / INSTRUCTGPT)["arxiv"] == "2203.02155"


def test_an_old_style_id_gives_journal_reference_and_doi(english: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_new(english, capsys, "--arxiv", "hep-th/9711200v3")
    assert (code, err) == (0, "")
    front = front_matter(english / "notes/the-large-n-limit-of-superconformal-field-theories-and-supergravity.md")
    assert front["authors"] == ["Juan M. Maldacena"]
    assert (front["year"], front["month"], front["arxiv"], front["arxiv_class"]) == (
        1997,
        11,
        "hep-th/9711200",
        "hep-th",
    )
    assert front["venue"] == "Adv.Theor.Math.Phys.2:231-252,1998"  # the journal reference
    assert front["doi"] == "10.1023/A:1026654312961"
    assert front["pdf"] == "https://arxiv.org/pdf/hep-th/9711200"
    build(english)
    bib = (english / "site/references.bib").read_text(encoding="utf-8")
    assert "eprint        = {hep-th/9711200}" in bib and "doi           = {10.1023/A:1026654312961}" in bib


def test_a_title_given_with_an_id_names_the_file_and_the_short_title(
    english: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_new(english, capsys, "InstructGPT", "--arxiv", "2203.02155", "--tags", "RLHF")[0] == 0
    front = front_matter(english / "notes/instructgpt.md")
    assert front["title"] == "Training language models to follow instructions with human feedback"
    assert (front["short_title"], front["tags"]) == ("InstructGPT", ["RLHF"])


def test_a_doi_gives_the_proceedings_facts(english: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_new(english, capsys, "--doi", "10.18653/v1/2023.acl-long.754")
    assert (code, err) == (0, "")
    front = front_matter(english / "notes/self-instruct-aligning-language-models-with-self-generated-instructions.md")
    assert front["authors"][0] == "Yizhong Wang" and front["authors"][4] == "Noah A. Smith"
    assert len(front["authors"]) == 7 and front["year"] == 2023 and "month" not in front
    assert front["type"] == "conference"
    assert front["booktitle"].startswith("Proceedings of the 61st Annual Meeting of the Association for Computational")
    assert (front["pages"], front["publisher"]) == ("13484-13508", "Association for Computational Linguistics")
    assert front["doi"] == "10.18653/v1/2023.acl-long.754"
    build(english)
    bib = (english / "site/references.bib").read_text(encoding="utf-8")
    assert "@inproceedings{wang2023self," in bib and re.search(r"pages += \{13484--13508\}", bib)


def test_a_doi_url_gives_the_journal_facts(english: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(english, capsys, "LLM4Rec survey", "--doi", "https://doi.org/10.1007/S11280-024-01291-2")[0] == 0
    front = front_matter(english / "notes/llm4rec-survey.md")
    assert front["title"] == "A survey on large language models for recommendation"
    assert (front["type"], front["journal"], front["volume"], front["number"]) == (
        "journal",
        "World Wide Web",
        "27",
        "5",
    )
    assert (front["pages"], front["year"]) == ("60", 2024)  # an article number where there are no pages
    assert len(front["authors"]) == 12 and front["authors"][-1] == "Enhong Chen"


def test_an_answer_is_kept_so_the_same_paper_works_offline(
    english: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_new(english, capsys, "--arxiv", "2203.02155")[0] == 0
    first = (english / INSTRUCTGPT).read_text(encoding="utf-8")
    assert (english / ".llmnotes-cache/.gitignore").is_file()  # the cache stays out of the notes' repository
    (english / INSTRUCTGPT).unlink()
    monkeypatch.setenv("LLMNOTES_ARXIV_API", f"http://127.0.0.1:{closed_port()}/api/query")
    assert run_new(english, capsys, "--arxiv", "2203.02155v1") == (0, f"{english / INSTRUCTGPT}\n", "")
    assert (english / INSTRUCTGPT).read_text(encoding="utf-8") == first


def _offline(monkeypatch: pytest.MonkeyPatch, api: PaperApi) -> None:
    port = closed_port()
    monkeypatch.setenv("LLMNOTES_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("LLMNOTES_CROSSREF_API", f"http://127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("option", "paper", "failure", "message"),
    [
        ("--arxiv", "2203.02155", "offline", "cannot reach arXiv (127.0.0.1:"),
        ("--arxiv", "2203.02155", ("status", 503), "arXiv (127.0.0.1:"),
        ("--arxiv", "2203.02155", ("slow", 3), "did not answer within 0.5 s"),
        ("--arxiv", "2203.02155", ("body", b"<html><body>Rate exceeded.</body></html>"), "expected an Atom feed"),
        ("--arxiv", "2203.02155", ("body", b'<?xml version="1.0"?>\n<feed xmlns="http://www.w'), "not XML"),
        (
            "--arxiv",
            "2203.02155",
            (
                "body",
                b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>'
                b"http://arxiv.org/abs/2203.02155v1</id><title>T</title><published>soon</published></entry></feed>",
            ),
            "the date of the first version is 'soon'",
        ),
        ("--doi", "10.18653/v1/2023.acl-long.754", "offline", "cannot reach Crossref (127.0.0.1:"),
        ("--doi", "10.18653/v1/2023.acl-long.754", ("status", 500), "Crossref (127.0.0.1:"),
        ("--doi", "10.18653/v1/2023.acl-long.754", ("body", b'{"status": "ok", "message": {'), "not JSON"),
        ("--doi", "10.18653/v1/2023.acl-long.754", ("body", b'{"status": "ok", "message": {"title": []}}'), "no title"),
    ],
)
def test_without_an_answer_the_note_holds_the_id_alone(
    english: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    paper_api: PaperApi,
    option: str,
    paper: str,
    failure: object,
    message: str,
) -> None:
    if failure == "offline":
        _offline(monkeypatch, paper_api)
    else:
        paper_api.failures[paper] = failure  # type: ignore[assignment]
    monkeypatch.setattr(fetch, "TIMEOUT", 0.5)
    code, out, err = run_new(english, capsys, option, paper)
    assert code == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and message in err and "with the id alone" in err
    path = Path(out.strip())
    front = front_matter(path)
    if option == "--arxiv":
        assert (path.name, front["title"]) == ("arxiv-2203-02155.md", "arXiv 2203.02155")
        assert (front["arxiv"], front["year"], front["month"]) == ("2203.02155", 2022, 3)  # what the id says
    else:
        assert (front["doi"], front["authors"]) == ("10.18653/v1/2023.acl-long.754", [])
    assert not list((english / ".llmnotes-cache").glob("papers/*"))  # a failed answer is not kept
    assert build(english).notes == 1  # the note builds as it is


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arxiv", "2203.99999"], "--arxiv 2203.99999: arXiv has no paper 2203.99999; no note was created"),
        (["--arxiv", "1501.0001"], "incorrect id format for 1501.0001; no note was created"),
        (["--doi", "10.1000/no-such-work"], "--doi 10.1000/no-such-work: Crossref has no work with this DOI; no note"),
        (["--doi", "doi.org/10.1000"], "is not a DOI"),
        (["--arxiv", "cs/01120"], "is not an arXiv identifier"),
        ([], "give the paper's title, or --arxiv ID or --doi DOI"),
    ],
)
def test_an_unknown_paper_makes_no_note(
    english: Path, capsys: pytest.CaptureFixture[str], paper_api: PaperApi, args: list[str], message: str
) -> None:
    paper_api.failures["1501.0001"] = ("error-entry", None)
    code, out, err = run_new(english, capsys, *args)
    assert (code, out) == (2, "") and message in err and "Traceback" not in err
    assert [p.name for p in (english / "notes").iterdir()] == [".keep"]


@pytest.mark.parametrize(
    ("written", "name", "dates"),
    [("cs/0112017", "arxiv-cs-0112017.md", (2001, 12)), ("math.GT/0309136v2", "arxiv-math-0309136.md", (2003, 9))],
)
def test_old_style_ids_offline_still_give_the_id_and_its_month(
    english: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    paper_api: PaperApi,
    written: str,
    name: str,
    dates: tuple[int, int],
) -> None:
    _offline(monkeypatch, paper_api)
    code, _, _ = run_new(english, capsys, "--arxiv", written)
    front = front_matter(english / "notes" / name)
    assert code == 1 and (front["year"], front["month"]) == dates
    assert front["arxiv"] == written.split("v")[0].replace(".GT", "")
