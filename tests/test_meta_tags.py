"""Note pages carry Highwire, Open Graph and description meta tags, so Zotero saves the paper; links out are marked."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmnotes.engine.build import build
from sites import run_cli, write_site

REPO = Path(__file__).resolve().parents[1]


class _Head(HTMLParser):
    """The (name or property, content) pairs of the <meta> tags in <head>, in order, and every <a>'s attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.anchors: list[dict[str, str | None]] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and self.in_head:
            name = values.get("name") or values.get("property")
            if name and values.get("content") is not None:
                self.meta.append((name, values["content"] or ""))
        elif tag == "a":
            self.anchors.append(values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def read_page(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ----- a mirror of Zotero's "Embedded Metadata" translator, Highwire part -----

HIGHWIRE_TYPES = {
    "citation_journal_title": "journalArticle",
    "citation_technical_report_institution": "report",
    "citation_conference_title": "conferencePaper",
    "citation_conference": "conferencePaper",
    "citation_book_title": "bookSection",
    "citation_dissertation_institution": "thesis",
}
# og:type values that Zotero's RDF step takes over any Highwire type; "article" is only a guess, which loses.
OG_TYPES = {
    "video.movie": "videoRecording",
    "video.episode": "videoRecording",
    "video.tv_show": "videoRecording",
    "video.other": "videoRecording",
    "book": "book",
    "music.song": "audioRecording",
    "music.album": "audioRecording",
    "website": "webpage",
}


def _content(meta: list[tuple[str, str]], name: str) -> list[str]:
    """Like the translator's XPath: meta tags whose name ends with `name`."""
    return [value for key, value in meta if key.endswith(name)]


def _clean_author(name: str) -> dict[str, str]:
    """ZU.cleanAuthor: "Last, First" splits at the comma, "First Last" at the last space."""
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
    else:
        first, _, last = name.rpartition(" ")
    return {"firstName": first, "lastName": last, "creatorType": "author"}


def zotero_item(meta: list[tuple[str, str]]) -> dict:
    """What Zotero's Embedded Metadata translator saves from a page's meta tags (Highwire and og:type)."""
    highwire_type = guess = None
    for name, _ in meta:
        short = name[name.rfind("citation_") :] if "citation_" in name else name
        if short in HIGHWIRE_TYPES:
            highwire_type = HIGHWIRE_TYPES[short]  # the last such tag wins
        elif short in ("citation_title", "citation_series_title"):
            guess = guess or "journalArticle"
        elif short == "citation_isbn":
            guess = "book"
    og_type = next(iter(_content(meta, "og:type")), None)
    item_type = OG_TYPES.get(og_type or "") or highwire_type or guess or "webpage"
    creators = []
    for value in _content(meta, "citation_author"):
        authors = re.split(r"\s*;\s*", value)
        if len(authors) == 1:
            by_comma = re.split(r"\s*,\s*", authors[0])
            if len(by_comma) > 1 and " " in by_comma[0] and " " in by_comma[1]:
                authors = by_comma  # "A B, C D" is read as two people
        creators += [_clean_author(a) for a in authors if re.search(r"[^\s,\-.;]", a)]
    dates = _content(meta, "citation_date") or _content(meta, "citation_publication_date")
    first_page = next(iter(_content(meta, "citation_firstpage")), None)
    last_page = next(iter(_content(meta, "citation_lastpage")), None)
    fields = {
        "conferenceName": "citation_conference_title",
        "publicationTitle": "citation_journal_title",
        "institution": "citation_technical_report_institution",
        "volume": "citation_volume",
        "issue": "citation_issue",
        "DOI": "citation_doi",
        "publisher": "citation_publisher",
    }
    item = {
        "itemType": item_type,
        "title": next(iter(_content(meta, "citation_title")), None),
        "creators": creators,
        "date": dates[0] if dates else None,
        **{field: values[0] for field, tag in fields.items() if (values := _content(meta, tag))},
    }
    if first_page:
        item["pages"] = first_page + (f"-{last_page}" if last_page else "")
    pdf = _content(meta, "citation_pdf_url")
    item["attachments"] = [{"title": "Full Text PDF", "url": pdf[0], "mimeType": "application/pdf"}] if pdf else []
    return item


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("meta") / "site"
    build(REPO, output, strict=True)
    return output


def test_zotero_saves_a_conference_paper(site: Path) -> None:
    item = zotero_item(read_page(site / "notes/self-instruct.html").meta)
    assert item["itemType"] == "conferencePaper"
    assert item["title"] == "Self-Instruct: Aligning Language Models with Self-Generated Instructions"
    assert item["date"] == "2023/07"  # ACL 2023, July
    assert item["conferenceName"].startswith("Proceedings of the 61st Annual Meeting")
    assert item["DOI"] == "10.18653/v1/2023.acl-long.754" and item["pages"] == "13484-13508"
    assert item["creators"][0] == {"firstName": "Yizhong", "lastName": "Wang", "creatorType": "author"}
    assert item["creators"][4] == {"firstName": "Noah A.", "lastName": "Smith", "creatorType": "author"}
    assert len(item["creators"]) == 7
    assert item["attachments"][0]["url"] == "https://arxiv.org/pdf/2212.10560"


def test_zotero_saves_the_gpt3_paper_with_31_authors(site: Path) -> None:
    item = zotero_item(read_page(site / "notes/gpt-3.html").meta)
    assert (item["itemType"], item["date"]) == ("conferencePaper", "2020/05")
    assert item["conferenceName"] == "Advances in Neural Information Processing Systems"
    assert len(item["creators"]) == 31 and item["creators"][0]["lastName"] == "Brown"
    assert item["creators"][0]["firstName"] == "Tom B."


def test_zotero_saves_a_journal_article(site: Path) -> None:
    item = zotero_item(read_page(site / "notes/t5.html").meta)
    assert item["itemType"] == "journalArticle"
    assert item["title"] == "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"
    assert item["publicationTitle"] == "Journal of Machine Learning Research"
    assert (item["volume"], item["issue"], item["pages"], item["date"]) == ("21", "140", "1-67", "2020/06")
    assert [c["lastName"] for c in item["creators"]][:3] == ["Raffel", "Shazeer", "Roberts"]
    assert item["creators"][-1] == {"firstName": "Peter J.", "lastName": "Liu", "creatorType": "author"}
    survey = zotero_item(read_page(site / "notes/llm4rec-survey.html").meta)
    assert (survey["itemType"], survey["publicationTitle"], survey["date"]) == (
        "journalArticle",
        "World Wide Web",
        "2024",
    )
    assert survey["DOI"] == "10.1007/s11280-024-01291-2" and survey["publisher"] == "Springer"


def test_zotero_saves_an_openai_report(site: Path) -> None:
    item = zotero_item(read_page(site / "notes/gpt-2.html").meta)
    assert item["itemType"] == "report"
    assert item["title"] == "Language Models are Unsupervised Multitask Learners"
    assert item["institution"] == "OpenAI" and item["date"] == "2019/02"
    assert [f"{c['firstName']} {c['lastName']}" for c in item["creators"]] == [
        "Alec Radford",
        "Jeffrey Wu",
        "Rewon Child",
        "David Luan",
        "Dario Amodei",
        "Ilya Sutskever",
    ]
    assert item["attachments"][0]["url"].startswith("https://cdn.openai.com/")


def test_every_note_page_names_exactly_one_item_type(site: Path) -> None:
    for page in sorted((site / "notes").glob("*.html")):
        meta = read_page(page).meta
        kinds = [name for name, _ in meta if name in HIGHWIRE_TYPES]
        assert len(kinds) == 1, (page.name, kinds)
        assert dict(meta)["og:type"] == "article"  # a guess for Zotero, so the Highwire type wins


def test_open_graph_and_description(site: Path) -> None:
    meta = read_page(site / "notes/instructgpt.html").meta
    tags = dict(meta)
    assert tags["og:title"] == "Training language models to follow instructions with human feedback"
    assert tags["og:description"] == tags["description"] and tags["description"].startswith("先用人工示范做 SFT")
    assert tags["og:site_name"] == "LLM 入门论文笔记" and tags["og:locale"] == "zh_CN"
    assert "og:url" not in tags  # relative URLs only, unless base_url is set
    assert tags["citation_arxiv_id"] == "2203.02155"
    assert [v for k, v in meta if k == "citation_author"][4] == "Wainwright, Carroll L."


def test_og_url_and_canonical_with_base_url(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p",
        {
            "pyproject.toml": '[tool.llmnotes]\nbase_url = "https://me.github.io/notes/"\n',
            "notes/x.md": "---\ntitle: X\nauthors: [Vincent van Gogh]\n---\nx\n",
        },
    )
    assert run_cli(root, capsys=capsys)[0] == 0
    page = read_page(root / "site/notes/x.html")
    assert dict(page.meta)["og:url"] == "https://me.github.io/notes/notes/x.html"
    assert zotero_item(page.meta)["creators"] == [
        {"firstName": "Vincent", "lastName": "van Gogh", "creatorType": "author"}
    ]


def test_meta_tags_escape_quotes_and_markup(tmp_path: Path, capsys) -> None:
    root = write_site(
        tmp_path / "p",
        {
            "notes/x.md": "---\ntitle: 'A \"quoted\" <script>x</script> & co'\nauthors: [A B]\n"
            "summary: '<b>\"s\"</b>'\n---\nx\n"
        },
    )
    assert run_cli(root, capsys=capsys)[0] == 0
    text = (root / "site/notes/x.html").read_text(encoding="utf-8")
    assert "<script>x</script>" not in text
    tags = dict(read_page(root / "site/notes/x.html").meta)
    assert tags["citation_title"] == tags["og:title"] == 'A "quoted" <script>x</script> & co'
    assert tags["og:description"] == '<b>"s"</b>'


def test_links_out_are_marked_external_with_noopener(site: Path) -> None:
    page = read_page(site / "notes/flan.html")
    external = [a for a in page.anchors if (a.get("href") or "").startswith("http")]
    assert external and all(a.get("rel") == "noopener" for a in external)
    assert all("external" in (a.get("class") or "").split() for a in external)
    hrefs = {a["href"] for a in external}
    assert {
        "https://arxiv.org/abs/2109.01652",
        "https://arxiv.org/pdf/2109.01652",
        "https://github.com/google-research/FLAN",
    } <= hrefs
    doi = read_page(site / "notes/self-instruct.html").anchors
    assert any(a.get("href") == "https://doi.org/10.18653/v1/2023.acl-long.754" for a in doi)
    internal = [a for a in page.anchors if a.get("class") == "internal"]
    assert internal and not any(a.get("rel") for a in internal)
