"""Citations: references.bib parses with pybtex into the right entries, CSL-JSON validates, keys and escaping hold."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from pybtex.database import parse_file, parse_string

from llmnotes.engine.build import build
from llmnotes.features.citations import base_key, cite_keys, paper_type, protect_title, split_name
from llmnotes.model import Note
from sites import load_site, run_cli, write_site

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((Path(__file__).parent / "data/csl-data.schema.json").read_text(encoding="utf-8"))
NOTES = {note.slug: note for note in load_site(REPO)[0]}

EXPECTED = {
    "dong2019unified": ("unilm", "inproceedings"),
    "raffel2020exploring": ("t5", "article"),
    "radford2018improving": ("gpt-1", "techreport"),
    "radford2019language": ("gpt-2", "techreport"),
    "brown2020language": ("gpt-3", "inproceedings"),
    "ouyang2022training": ("instructgpt", "inproceedings"),
    "wei2022finetuned": ("flan", "inproceedings"),
    "wei2022chain": ("cot", "inproceedings"),
    "wu2024survey": ("llm4rec-survey", "article"),
    "zhou2023lima": ("lima", "inproceedings"),
    "wang2023self": ("self-instruct", "inproceedings"),
}
NEURIPS = "Advances in Neural Information Processing Systems"

# The escapes llmnotes writes, undone, to compare a field with the text it came from.
UNESCAPE = {
    r"{\textbackslash}": "\\",
    r"{\textbraceleft}": "{",
    r"{\textbraceright}": "}",
    r"{\textasciitilde}": "~",
    r"{\textasciicircum}": "^",
    r"{\textless}": "<",
    r"{\textgreater}": ">",
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
}


def plain(latex: str) -> str:
    """A BibTeX field as text: our escapes undone, protective braces dropped."""
    pattern = "|".join(re.escape(k) for k in sorted(UNESCAPE, key=len, reverse=True))
    parts = re.split(f"({pattern})", latex)
    return "".join(UNESCAPE.get(part, part.replace("{", "").replace("}", "")) for part in parts)


def full_name(person) -> str:
    return " ".join(
        person.first_names + person.middle_names + person.prelast_names + person.last_names + person.lineage_names
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("cite") / "site"
    build(REPO, output, strict=True)
    return output


def test_references_bib_has_the_eleven_papers_with_the_right_types(site: Path) -> None:
    database = parse_file(str(site / "references.bib"))
    assert len(database.entries) == 11
    assert {key: entry.type for key, entry in database.entries.items()} == {k: t for k, (_, t) in EXPECTED.items()}
    assert list(database.entries) == sorted(EXPECTED)


def test_entries_carry_venue_fields_eprint_and_doi(site: Path) -> None:
    entries = parse_file(str(site / "references.bib")).entries
    for key in ("dong2019unified", "brown2020language", "ouyang2022training", "wei2022chain", "zhou2023lima"):
        assert entries[key].fields["booktitle"] == NEURIPS, key
    assert entries["wei2022finetuned"].fields["booktitle"] == "International Conference on Learning Representations"
    t5 = entries["raffel2020exploring"].fields
    assert (t5["journal"], t5["volume"], t5["number"], t5["pages"], t5["year"]) == (
        "Journal of Machine Learning Research",
        "21",
        "140",
        "1--67",
        "2020",
    )
    survey = entries["wu2024survey"].fields
    assert (survey["journal"], survey["volume"], survey["number"], survey["pages"], survey["year"]) == (
        "World Wide Web",
        "27",
        "5",
        "60",
        "2024",
    )
    assert survey["doi"] == "10.1007/s11280-024-01291-2"
    acl = entries["wang2023self"].fields
    assert acl["pages"] == "13484--13508" and acl["doi"] == "10.18653/v1/2023.acl-long.754"
    assert acl["booktitle"].startswith("Proceedings of the 61st Annual Meeting of the Association")
    for key in ("radford2018improving", "radford2019language"):
        assert entries[key].fields["institution"] == "OpenAI"
        assert "eprint" not in entries[key].fields and entries[key].fields["url"].endswith(".pdf")
    gpt3 = entries["brown2020language"].fields
    assert (gpt3["eprint"], gpt3["archivePrefix"], gpt3["primaryClass"]) == ("2005.14165", "arXiv", "cs.CL")
    assert gpt3["month"] == "May"  # the month macro `may`, expanded by pybtex
    assert (t5["month"], entries["wei2022finetuned"].fields["month"], acl["month"]) == ("June", "April", "July")
    assert "month" not in survey  # the journal year (2024) is not the year whose month is known (2023)


def test_authors_round_trip(site: Path) -> None:
    entries = parse_file(str(site / "references.bib")).entries
    for key, (slug, _) in EXPECTED.items():
        people = entries[key].persons["author"]
        assert [full_name(p) for p in people] == list(NOTES[slug].authors), key
    gpt3 = entries["brown2020language"].persons["author"]
    assert len(gpt3) == 31 and str(gpt3[0]) == "Brown, Tom B." and str(gpt3[-1]) == "Amodei, Dario"
    wainwright = entries["ouyang2022training"].persons["author"][4]
    assert (wainwright.first_names, wainwright.middle_names, wainwright.last_names) == (
        ["Carroll"],
        ["L."],
        ["Wainwright"],
    )


def test_titles_brace_acronyms_and_proper_nouns(site: Path) -> None:
    text = (site / "references.bib").read_text(encoding="utf-8")
    assert "title         = {{LIMA}: Less Is More for Alignment}" in text
    assert "Unified Text-to-Text {Transformer}}" in text
    assert "{{Self-Instruct}: Aligning Language Models" in text
    assert "Language Models are Few-Shot Learners}" in text  # title case alone is not protected


def test_each_note_has_its_own_bib_and_the_page_offers_it(site: Path) -> None:
    for key, (slug, _) in EXPECTED.items():
        entries = parse_file(str(site / f"notes/{slug}.bib")).entries
        assert list(entries) == [key]
    page = (site / "notes/t5.html").read_text(encoding="utf-8")
    assert 'href="t5.bib" download="raffel2020exploring.bib"' in page
    assert 'href="../references.bib"' in page
    assert (
        '<pre class="bibtex" id="bibtex" tabindex="0" aria-label="BibTeX"><code>@article{raffel2020exploring,' in page
    )
    assert 'class="copy-bibtex" data-copy="bibtex"' in page and "static/cite.js" in page


def test_csl_json_validates_and_matches_the_bib(site: Path) -> None:
    items = json.loads((site / "references.json").read_text(encoding="utf-8"))
    jsonschema.validate(items, SCHEMA)
    by_id = {item["id"]: item for item in items}
    assert sorted(by_id) == sorted(EXPECTED)
    types = {key: item["type"] for key, item in by_id.items()}
    assert types["raffel2020exploring"] == "article-journal" and types["radford2019language"] == "report"
    assert types["brown2020language"] == "paper-conference"
    assert by_id["brown2020language"]["issued"] == {"date-parts": [[2020, 5]]}
    assert by_id["wu2024survey"]["issued"] == {"date-parts": [[2024]]}
    assert by_id["wu2024survey"]["DOI"] == "10.1007/s11280-024-01291-2"
    assert by_id["raffel2020exploring"]["page"] == "1-67"
    for key, (slug, _) in EXPECTED.items():
        names = [f"{a['given']} {a['family']}" for a in by_id[key]["author"]]
        assert names == list(NOTES[slug].authors)
    assert by_id["ouyang2022training"]["author"][4] == {"family": "Wainwright", "given": "Carroll L."}


NOTE_TITLE = r'Tuning BERT and GPT-3 with RLHF: {Braces} & 100% $x$ #1 a_b ~ ^ \ <script>alert(1)</script> "q"'
HOSTILE = {
    "pyproject.toml": "[tool.llmnotes]\ntitle = 'x'\n",
    "notes/odd.md": r"""
        ---
        title: 'Tuning BERT and GPT-3 with RLHF: {Braces} & 100% $x$ #1 a_b ~ ^ \ <script>alert(1)</script> "q"'
        authors: [Jörg Müller, Vincent van Gogh, Martin Luther King Jr., OpenAI]
        year: 2021
        venue: "NeurIPS 2021"
        arxiv: "2101.00001"
        summary: 'a "quoted" <b>summary</b> & more'
        ---
        Text.
        """,
}


def test_special_characters_are_escaped_and_round_trip(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path / "p", HOSTILE)
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 0, err
    text = (root / "site/references.bib").read_text(encoding="utf-8")
    entry = parse_string(text, "bibtex").entries["muller2021tuning"]
    raw = entry.fields["title"]
    assert "{BERT}" in raw and "{GPT-3}" in raw and "{RLHF}" in raw
    assert r"\&" in raw and r"\%" in raw and r"\$x\$" in raw and r"\#1" in raw and r"a\_b" in raw
    assert "<script>" not in raw and r"{\textbraceleft}" in raw
    assert plain(raw) == NOTE_TITLE
    assert [full_name(p) for p in entry.persons["author"]] == [
        "Jörg Müller",
        "Vincent van Gogh",
        "Martin Luther King Jr.",
        "{OpenAI}",
    ]
    assert entry.persons["author"][1].prelast_names == ["van"]


def test_keys_fold_to_ascii_skip_stopwords_and_get_letters_when_they_clash() -> None:
    def note(slug: str, title: str, author: str = "Jörg Müller", month: int | None = None) -> Note:
        return Note(
            source=f"notes/{slug}.md",
            slug=slug,
            title=title,
            body="",
            body_line=1,
            authors=(author,),
            year=2021,
            month=month,
        )

    assert base_key(note("a", "A Survey on Things")) == "muller2021survey"
    assert base_key(note("b", "On the Of", author="Łukasz Kaiser")) == "kaiser2021"
    notes = [note("z", "Language Models B", month=3), note("y", "Language Models A", month=7), note("x", "Other")]
    assert cite_keys(notes) == {"z": "muller2021languagea", "y": "muller2021languageb", "x": "muller2021other"}
    assert cite_keys(reversed(notes)) == cite_keys(notes)
    # a key the note sets (as `llmnotes import` does with the library's) is its own, and the computed one moves over
    chosen = [*notes, replace(note("w", "Other Things"), citation_key="muller2021other")]
    assert cite_keys(chosen)["w"] == "muller2021other" and cite_keys(chosen)["x"] == "muller2021othera"
    assert cite_keys([replace(notes[2], citation_key="mullerOther2021")]) == {"x": "mullerOther2021"}


def test_names_split_like_bibtex() -> None:
    assert split_name("Carroll L. Wainwright") == split_name("Wainwright, Carroll L.")
    assert split_name("Vincent van Gogh").family == "van Gogh"
    assert split_name("Quoc V. Le").family == "Le"
    assert split_name("Martin Luther King Jr.").suffix == "Jr."
    assert split_name("OpenAI").literal


def test_protect_title_leaves_title_case_alone() -> None:
    assert protect_title("Zero-Shot Learners Are Few-Shot Too") == "Zero-Shot Learners Are Few-Shot Too"
    assert protect_title("(T5) and InstructGPT, on LLaMA.") == "({T5}) and {InstructGPT}, on {LLaMA}."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"venue": "NeurIPS 2020"}, "conference"),
        ({"venue": "JMLR 21(140):1-67"}, "journal"),
        ({"venue": "OpenAI technical report"}, "report"),
        ({"journal": "Nature"}, "journal"),
        ({"booktitle": "Proc. of X"}, "conference"),
        ({"institution": "OpenAI"}, "report"),
        ({"arxiv": "2101.00001"}, "preprint"),
        ({"type": "report", "venue": "NeurIPS 2020"}, "report"),
    ],
)
def test_paper_type_is_set_or_inferred(fields: dict, expected: str) -> None:
    note = Note(source="notes/x.md", slug="x", title="X", body="", body_line=1, **fields)
    assert paper_type(note) == expected


def test_a_preprint_is_a_misc_entry_with_its_arxiv_link(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p",
        {"notes/p.md": '---\ntitle: "A Preprint"\nauthors: [Ann Lee]\nyear: 2024\narxiv: "2401.00001"\n---\nx\n'},
    )
    assert run_cli(root, capsys=capsys)[0] == 0
    entry = parse_file(str(root / "site/references.bib")).entries["lee2024preprint"]
    assert entry.type == "misc" and entry.fields["url"] == "https://arxiv.org/abs/2401.00001"
    item = json.loads((root / "site/references.json").read_text(encoding="utf-8"))[0]
    jsonschema.validate([item], SCHEMA)
    assert (item["type"], item["number"]) == ("article", "arXiv:2401.00001")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("type: poster", 'notes/x.md:3: type: expected one of conference, journal, report, preprint, got "poster"'),
        ("month: 13", "notes/x.md:3: month: expected a month number from 1 to 12, got 13"),
        ("month: may", 'notes/x.md:3: month: expected a month number from 1 to 12, got "may"'),
        ("pub_year: soon", 'notes/x.md:3: pub_year: expected a whole number, got "soon"'),
        ("volume: [1, 2]", "notes/x.md:3: volume: expected text, got a list"),
        ("booktitle: {a: b}", "notes/x.md:3: booktitle: expected text, got a mapping"),
        ("citation_key: ouyang 2022", "notes/x.md:3: citation_key: a BibTeX key has no spaces, commas"),
    ],
)
def test_citation_fields_are_validated_with_file_and_line(tmp_path: Path, capsys, line: str, message: str) -> None:
    root = write_site(tmp_path / "p", {"notes/x.md": f"---\ntitle: X\n{line}\n---\nx\n"})
    code, _, err = run_cli(root, capsys=capsys)
    assert code == 1 and message in err


def test_citation_fields_load_typed(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "notes/x.md": "---\ntitle: X\ntype: Journal\nvolume: 21\nnumber: 140\npages: 1-67\n"
            "month: '5'\npub_year: 2024\n---\n"
        },
    )
    (note,), _ = load_site(tmp_path)
    assert (note.type, note.volume, note.number, note.pages, note.month, note.pub_year) == (
        "journal",
        "21",
        "140",
        "1-67",
        5,
        2024,
    )
    assert note.extra == {}
