"""`llmnotes import`: a Zotero library (.bib or CSL-JSON) into a project with notes, as a diff and for real."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from llmnotes.cli import main
from llmnotes.engine.build import build
from llmnotes.features.library import latex_to_text
from sites import write_site

LIBRARY = Path(__file__).parent / "data" / "zotero-library.bib"

INSTRUCTGPT_NOTE = """\
---
title: "Training language models to follow instructions with human feedback"
short_title: InstructGPT
authors: [Long Ouyang, Jeff Wu, Xu Jiang]   # the first three; the rest in the paper
year: 2022
venue: "NeurIPS 2022"
arxiv: "2203.02155"
tags: [对齐, RLHF]
summary: ""
---

## 一句话总结

InstructGPT 用三步 RLHF 把 [[gpt-3]] 调成"听指令"的模型。
"""
GPT3_NOTE = """\
---
title: Language Models are Few-Shot Learners
short_title: GPT-3
authors:
  - Tom B. Brown
  - Benjamin Mann
year: 2020
venue: NeurIPS 2020
arxiv: "2005.14165"
---

GPT-3.
"""
T5_NOTE = """\
---
title: "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"
short_title: T5
authors: [Colin Raffel, Noam Shazeer]
year: 2020
venue: "JMLR 21(140):1-67, 2020"
---

T5.
"""
SURVEY_NOTE = """\
---
title: "A Survey on Large Language Models for Recommendation"
authors: [Likang Wu]
year: 2023
doi: "10.1007/S11280-024-01291-2"
pub_year: 2024
---

综述。
"""
PLAIN_NOTE = "---\ntitle: Reading list\n---\n\nNot a paper.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_site(
        tmp_path / "site",
        {
            "pyproject.toml": '[tool.llmnotes]\nlanguage = "zh-CN"\n',
            "notes/instructgpt.md": INSTRUCTGPT_NOTE,
            "notes/gpt-3.md": GPT3_NOTE,
            "notes/t5.md": T5_NOTE,
            "notes/llm4rec-survey.md": SURVEY_NOTE,
            "notes/reading-list.md": PLAIN_NOTE,
        },
    )
    shutil.copy(LIBRARY, root / "library.bib")
    return root


def run_import(
    root: Path, capsys: pytest.CaptureFixture[str], *args: str, library: Path | None = None
) -> tuple[int, str, str]:
    code = main(["import", str(library or root / "library.bib"), "--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "notes").rglob("*")) if p.is_file()}


def test_a_dry_run_prints_the_diff_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project)
    code, out, err = run_import(project, capsys, "--dry-run")
    assert code == 0 and snapshot(project) == before
    assert "28 papers in library.bib: would create 24 notes, would update 4, 0 already up to date" in err
    # the repeated key and the paper saved twice are named with their lines
    assert "library.bib:324: warning: vaswaniAttentionAllYou2017: the key is used again (first at line 4)" in err
    assert "library.bib:162: warning: ouyangTrainingLanguageModels2022a: the same paper as ouyang" in err
    assert "--- /dev/null\n+++ b/notes/attention-is-all-you-need.md\n" in out
    assert "--- a/notes/instructgpt.md\n+++ b/notes/instructgpt.md\n" in out
    assert "+pages: 27730-27744\n" in out and "+citation_key: ouyangTrainingLanguageModels2022\n" in out
    assert "\n-" not in out.split("+++ b/notes/instructgpt.md")[1].split("--- ")[0]  # only lines added to it


def test_an_import_creates_notes_with_unicode_names_and_titles(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_import(project, capsys)
    assert code == 0 and "created 24 notes, updated 4, 0 already up to date" in err
    notes = project / "notes"
    attention = front_matter(notes / "attention-is-all-you-need.md")
    assert attention["authors"][-2:] == ["Łukasz Kaiser", "Illia Polosukhin"]
    assert (attention["type"], attention["booktitle"]) == (
        "conference",
        "Advances in Neural Information Processing Systems",
    )
    assert (attention["year"], attention["pages"], attention["arxiv"], attention["arxiv_class"]) == (
        2017,
        "5998-6008",
        "1706.03762",
        "cs.CL",
    )
    assert attention["citation_key"] == "vaswaniAttentionAllYou2017" and attention["tags"] == []
    bert = front_matter(notes / "bert-pre-training-of-deep-bidirectional-transformers-for-language-understanding.md")
    assert bert["title"] == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert (bert["year"], bert["month"], bert["doi"]) == (2019, 6, "10.18653/v1/N19-1423")  # BibLaTeX date 2019-06
    llama = front_matter(notes / "llama-open-and-efficient-foundation-language-models.md")
    assert "Timothée Lacroix" in llama["authors"] and "Baptiste Rozière" in llama["authors"]
    assert (llama["year"], llama["month"], llama["type"]) == (2023, 2, "preprint") and "doi" not in llama  # arXiv's DOI
    kernel = front_matter(notes / "nonlinear-component-analysis-as-a-kernel-eigenvalue-problem.md")
    assert kernel["authors"] == ["Bernhard Schölkopf", "Alexander Smola", "Klaus-Robert Müller"]
    assert (kernel["journal"], kernel["volume"], kernel["number"], kernel["month"]) == (
        "Neural Computation",
        "10",
        "5",
        7,
    )
    lstm = front_matter(notes / "long-short-term-memory.md")
    assert (lstm["authors"], lstm["month"]) == (["Sepp Hochreiter", "Jürgen Schmidhuber"], 11)
    chinchilla = front_matter(notes / "training-compute-optimal-large-language-models.md")
    assert "Diego de Las Casas" in chinchilla["authors"] and "others" not in chinchilla["authors"]
    gpt4 = front_matter(notes / "gpt-4-technical-report.md")
    assert (gpt4["authors"], gpt4["type"], gpt4["institution"]) == (["OpenAI"], "report", "OpenAI")
    scaling = front_matter(notes / "scaling-laws-for-neural-language-models.md")  # Google Scholar's arXiv "journal"
    assert (scaling["arxiv"], scaling["type"], scaling["month"]) == (
        "2001.08361",
        "preprint",
        1,
    ) and "journal" not in scaling
    p5 = front_matter(notes / "recommendation-as-language-processing-rlp-a-unified-pretrain-personalized-prompt.md")
    assert p5["title"].endswith("Personalized Prompt & Predict Paradigm (P5)")
    result = build(project)  # every imported note builds, and is cited
    assert result.notes == 29
    bib = (project / "site/references.bib").read_text(encoding="utf-8")
    assert "Kaiser, {\\L}ukasz" in bib or "Kaiser, Łukasz" in bib


def test_notes_that_have_the_paper_get_only_the_fields_they_lack(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(project, capsys)[0] == 0
    text = (project / "notes/instructgpt.md").read_text(encoding="utf-8")
    assert text.endswith(INSTRUCTGPT_NOTE.partition("\n---\n")[2])  # the body, byte for byte
    assert text.startswith(INSTRUCTGPT_NOTE.partition("summary")[0])  # its lines, comment and all, as they were
    front = front_matter(project / "notes/instructgpt.md")
    assert front["venue"] == "NeurIPS 2022" and front["authors"] == ["Long Ouyang", "Jeff Wu", "Xu Jiang"]
    assert (front["volume"], front["pages"], front["booktitle"]) == (
        "35",
        "27730-27744",
        "Advances in Neural Information Processing Systems",
    )
    assert front["abstract"].startswith("Making language models bigger")  # from the duplicate, merged
    assert front["summary"] == "" and front["tags"] == ["对齐", "RLHF"]
    t5 = front_matter(project / "notes/t5.md")  # matched by the key the site gives it
    assert (t5["journal"], t5["volume"], t5["number"], t5["pages"]) == (
        "Journal of Machine Learning Research",
        "21",
        "140",
        "1-67",
    )
    survey = front_matter(project / "notes/llm4rec-survey.md")  # matched by DOI, whatever its case
    assert survey["doi"] == "10.1007/S11280-024-01291-2" and survey["journal"] == "World Wide Web"
    gpt3 = (project / "notes/gpt-3.md").read_text(encoding="utf-8")
    assert gpt3.startswith(
        "---\ntitle: Language Models are Few-Shot Learners\nshort_title: GPT-3\nauthors:\n  - Tom B. Brown\n"
    )
    assert (project / "notes/reading-list.md").read_text(encoding="utf-8") == PLAIN_NOTE
    code, _, err = run_import(project, capsys)  # a second import finds nothing to do
    assert code == 0 and "created 0 notes, updated 0, 28 already up to date" in err


def test_overwrite_replaces_a_field_where_it_stands(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(project, capsys, "--overwrite", "venue,authors")[0] == 0
    lines = (project / "notes/instructgpt.md").read_text(encoding="utf-8").splitlines()
    assert lines[5] == "venue: Advances in Neural Information Processing Systems"
    assert lines[3].startswith("authors: [Long Ouyang, Jeff Wu, Xu Jiang, Diogo Almeida, Carroll L. Wainwright,")
    assert lines[3].endswith("]   # the first three; the rest in the paper")  # its comment stays
    assert len(front_matter(project / "notes/instructgpt.md")["authors"]) == 20


def test_tag_and_folder_place_the_new_notes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(project, capsys, "--tag", "zotero", "--tag", "待读", "--folder", "papers/")[0] == 0
    created = sorted((project / "notes/papers").glob("*.md"))
    assert len(created) == 24
    assert all(front_matter(path)["tags"] == ["zotero", "待读"] for path in created)
    assert front_matter(project / "notes/instructgpt.md")["tags"] == ["对齐", "RLHF"]  # notes it updates keep theirs


def test_a_csl_json_library_imports_the_same_way(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [
        {
            "id": "ouyangTrainingLanguageModels2022",
            "type": "article",
            "title": "Training language models to follow instructions with human feedback",
            "author": [{"family": "Ouyang", "given": "Long"}, {"family": "Wu", "given": "Jeff"}],
            "issued": {"date-parts": [["2022", 3, 4]]},
            "number": "arXiv:2203.02155",
            "publisher": "arXiv",
            "DOI": "10.48550/arXiv.2203.02155",
        },
        {
            "id": "wangSelfInstructAligningLanguage2023",
            "type": "paper-conference",
            "title": "Self-Instruct: Aligning Language Models with Self-Generated Instructions",
            "container-title": "Proceedings of the 61st Annual Meeting of the Association for Computational "
            "Linguistics (Volume 1: Long Papers)",
            "author": [{"family": "Wang", "given": "Yizhong"}, {"family": "Smith", "given": "Noah A."}],
            "issued": {"date-parts": [[2023, 7]]},
            "page": "13484–13508",
            "DOI": "10.18653/v1/2023.acl-long.754",
        },
    ]
    (project / "library.json").write_text(json.dumps(items), encoding="utf-8")
    code, _, err = run_import(project, capsys, library=project / "library.json")
    assert code == 0 and "2 papers in library.json: created 1 notes, updated 1" in err
    front = front_matter(project / "notes/self-instruct-aligning-language-models-with-self-generated-instructions.md")
    assert (front["type"], front["pages"], front["year"], front["month"]) == ("conference", "13484-13508", 2023, 7)
    assert front["authors"] == ["Yizhong Wang", "Noah A. Smith"]
    assert front_matter(project / "notes/instructgpt.md")["citation_key"] == "ouyangTrainingLanguageModels2022"


@pytest.mark.parametrize(
    ("library", "args", "message"),
    [
        ("missing.bib", [], "missing.bib: no such file"),
        ("bad.json", [], "bad.json:1:11: not valid JSON"),
        ("library.bib", ["--overwrite", "summary"], "--overwrite: summary is not a field a library fills in"),
        (
            "library.bib",
            ["--folder", "../elsewhere"],
            "--folder: '../elsewhere' must be a folder inside the notes folder",
        ),
    ],
)
def test_what_cannot_be_imported_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str], library: str, args: list[str], message: str
) -> None:
    (project / "bad.json").write_text('[{"id": 1,,}]', encoding="utf-8")
    before = snapshot(project)
    code, out, err = run_import(project, capsys, *args, library=project / library)
    assert (code, out) == (2, "") and message in err and "Traceback" not in err
    assert snapshot(project) == before


def test_a_broken_entry_is_skipped_with_its_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "library.bib").write_text(
        "@article{good2020,\n  title = {Good},\n  year = {2020}\n}\n\n@article{broken2021,\n  title = {Broken\n"
        "@misc{after2022,\n  title = {After},\n  year = 2022\n}\n",
        encoding="utf-8",
    )
    code, _, err = run_import(project, capsys)
    assert code == 0 and "library.bib:" in err and "warning" in err
    assert (project / "notes/good.md").is_file()


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ('{\\"u}ber', "über"),
        ("{BERT}: Pre-training", "BERT: Pre-training"),
        ("{{LLaMA}}", "LLaMA"),
        ("{\\L}ukasz Kaiser", "Łukasz Kaiser"),
        ("Rozi{\\`e}re and Timoth\\'{e}e", "Rozière and Timothée"),
        ("Gar{\\c c}on {\\o} {\\ss}", "Garçon ø ß"),
        ("Prompt \\& Predict", "Prompt & Predict"),
        ("pages 1--67", "pages 1–67"),
    ],
)
def test_latex_in_a_library_becomes_unicode(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


def test_a_windows_note_keeps_its_line_endings_and_byte_order_mark(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "\r\n## Notes\r\n\r\nWritten on Windows.\r\n"
    text = '\ufeff---\r\ntitle: "LoRA"\r\narxiv: "2106.09685"\r\ntags:\r\n  - PEFT\r\n# read in 2024\r\n---\r\n' + body
    (project / "notes/lora.md").write_bytes(text.encode("utf-8"))
    assert run_import(project, capsys)[0] == 0
    after = (project / "notes/lora.md").read_bytes().decode("utf-8")
    assert after.startswith(
        '\ufeff---\r\ntitle: "LoRA"\r\narxiv: "2106.09685"\r\ntags:\r\n  - PEFT\r\n# read in 2024\r\n'
    )
    assert after.endswith("---\r\n" + body) and "\n" not in after.replace("\r\n", "")
    front = yaml.safe_load(after.lstrip("\ufeff").split("---\r\n")[1])
    assert (
        front["authors"][0] == "Edward J. Hu"
        and front["booktitle"] == "International Conference on Learning Representations"
    )
    assert not (project / "notes/lora-low-rank-adaptation-of-large-language-models.md").exists()


def test_an_import_matches_the_notes_a_build_reads_and_not_the_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a vault whose notes are at its root, pages/ holds pages, not notes: a page about a paper is left alone."""
    slides = T5_NOTE.replace("T5.\n", "Slides for our reading group.\n")
    root = write_site(
        tmp_path / "vault",
        {"pyproject.toml": '[tool.llmnotes]\nnotes_dir = "."\n', "t5.md": T5_NOTE, "pages/t5-slides.md": slides},
    )
    shutil.copy(LIBRARY, root / "library.bib")
    code, _, err = run_import(root, capsys)
    assert code == 0, err
    assert front_matter(root / "t5.md")["journal"] == "Journal of Machine Learning Research"
    assert (root / "pages/t5-slides.md").read_text(encoding="utf-8") == slides
    assert "created 27 notes, updated 1," in err and len(list(root.glob("*.md"))) == 28  # beside t5.md
