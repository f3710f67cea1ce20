"""The 2023 LLM-for-recommendation reading list in data/llm4rec-2023.yaml: shape, counts and hand-split rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA_FILE = Path(__file__).parents[1] / "data" / "llm4rec-2023.yaml"
GROUPS = {"no-tuning", "sft"}
NOTE_SLUGS = {"gpt-2", "gpt-3", "instructgpt", "t5", "flan"}
CODES = {"python", "project", None}


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def papers(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["papers"]


def find(papers: list[dict[str, Any]], *, name: str | None = None, title_start: str = "") -> dict[str, Any]:
    """The one paper with this name whose title starts with title_start."""
    matches = [p for p in papers if p["name"] == name and p["title"].startswith(title_start)]
    assert len(matches) == 1, f"expected one paper named {name!r} starting {title_start!r}, got {len(matches)}"
    return matches[0]


def test_top_level_fields(data: dict[str, Any]) -> None:
    assert data["title"] == "LLM 推荐论文清单（2023 年整理）"
    assert isinstance(data["description"], str) and data["description"].strip()
    urls = [source["url"] for source in data["sources"]]
    assert urls == ["https://github.com/WLiK/LLM4Rec-Awesome-Papers", "https://arxiv.org/abs/2307.02046"]
    assert all(source["label"] for source in data["sources"])
    assert [group["id"] for group in data["groups"]] == ["no-tuning", "sft"]
    assert all(group["label"] and group["description"] for group in data["groups"])


def test_counts(papers: list[dict[str, Any]]) -> None:
    assert len(papers) == 63
    assert Counter(p["group"] for p in papers) == {"no-tuning": 31, "sft": 32}
    # Source order: all no-tuning rows come first, then all sft rows.
    assert [p["group"] for p in papers] == ["no-tuning"] * 31 + ["sft"] * 32


def test_every_paper_is_well_formed(papers: list[dict[str, Any]]) -> None:
    for paper in papers:
        assert paper["group"] in GROUPS, paper
        assert isinstance(paper["title"], str) and paper["title"].strip() == paper["title"] != "", paper
        assert "  " not in paper["title"], paper
        assert isinstance(paper["venue"], str) and paper["venue"], paper
        assert paper["code"] in CODES, paper
        assert paper["name"] is None or (isinstance(paper["name"], str) and paper["name"]), paper
        assert isinstance(paper["llm"], list), paper
        assert all(isinstance(llm, str) and llm and llm == llm.strip() for llm in paper["llm"]), paper
        assert isinstance(paper["year"], int) and 2021 <= paper["year"] <= 2024, paper


def test_no_source_artifacts_left(papers: list[dict[str, Any]]) -> None:
    for paper in papers:
        title = paper["title"]
        assert not title.lower().endswith("arxiv"), title
        assert not title.endswith((".", ",")), title
        assert paper["name"] != "N/A"
        assert "N/A" not in paper["llm"]
        assert paper["venue"] != "arxiv" and paper["venue"] != "Recsys"
        assert not any(sep in llm for llm in paper["llm"] for sep in (",", "/", "+", " and ")), paper["llm"]


def test_duplicate_names_are_kept(papers: list[dict[str, Any]]) -> None:
    transrec = [p for p in papers if p["name"] == "TransRec"]
    assert len(transrec) == 2
    assert transrec[0]["title"] != transrec[1]["title"]
    assert sum(p["name"] is None for p in papers) == 12


def test_llm_notes(data: dict[str, Any], papers: list[dict[str, Any]]) -> None:
    used = {llm for paper in papers for llm in paper["llm"]}
    notes = data["llm_notes"]
    assert notes
    for name, target in notes.items():
        assert name in used, f"llm_notes key {name!r} is not in any paper's llm list"
        assert target.partition("#")[0] in NOTE_SLUGS, target
    expected = {
        "GPT-2": "gpt-2",
        "GPT-3": "gpt-3",
        "175B InstructGPT": "instructgpt",
        "ChatGPT": "instructgpt",
        "GPT-3.5": "instructgpt",
        "GPT-3.5-turbo": "instructgpt",
        "T5": "t5",
        "mT5": "t5",
        "Flan-T5": "flan#flan-t5",
        "FLAN-T5-3B": "flan#flan-t5",
        "FLAN": "flan",
    }
    assert notes == expected


def test_first_and_last_rows(papers: list[dict[str, Any]]) -> None:
    assert papers[0] == {
        "group": "no-tuning",
        "name": "RLMRec",
        "title": "Representation Learning with Large Language Models for Recommendation",
        "venue": "arXiv",
        "year": 2023,
        "llm": ["GPT-3.5"],
        "code": "python",
    }
    assert papers[30]["name"] == "K-LaMP"
    assert papers[31]["name"] == "LlamaRec"
    last = papers[-1]
    assert last["name"] is None
    assert last["title"] == "Language models as recommender systems: Evaluations and limitations"
    assert last["venue"] == "NeurIPS workshop"
    assert last["year"] == 2021
    assert last["llm"] == ["BERT", "GPT-2"]


@pytest.mark.parametrize(
    ("title_start", "venue", "year"),
    [
        ("Recommendation as language processing (rlp)", "RecSys", 2022),  # P5
        ("Towards Unified Conversational Recommender Systems", "KDD", 2022),  # UniCRS
        ("Language models as recommender systems", "NeurIPS workshop", 2021),  # LMRecSys
        ("Zero-Shot Recommendation as Language Modeling", "ECIR", 2022),
        ("M6-Rec", "arXiv", 2022),  # arXiv 2205.08084
        ("LLMRec: Large Language Models with Graph Augmentation", "WSDM", 2024),
        ("Personalized prompt learning for explainable recommendation", "TOIS", 2023),  # PEPLER, TOIS 41(4)
        ("Learning vector-quantized item representation", "ACM", 2023),  # VQ-Rec, WWW 2023
        ("Language models are realistic tabular data generators", "ICLR", 2023),  # GReaT
    ],
)
def test_rows_published_outside_2023_carry_their_own_year(
    papers: list[dict[str, Any]], title_start: str, venue: str, year: int
) -> None:
    [paper] = [p for p in papers if p["title"].startswith(title_start)]
    assert (paper["venue"], paper["year"]) == (venue, year)


def test_most_rows_are_from_2023(papers: list[dict[str, Any]]) -> None:
    assert Counter(p["year"] for p in papers) == {2023: 57, 2022: 4, 2021: 1, 2024: 1}


def test_zero_shot_conversational_recommenders(papers: list[dict[str, Any]]) -> None:
    paper = find(papers, title_start="Large Language Models as Zero-Shot Conversational Recommenders")
    assert paper["title"] == "Large Language Models as Zero-Shot Conversational Recommenders"
    assert paper["venue"] == "CIKM"
    assert paper["llm"] == ["GPT-3.5-turbo", "GPT-4", "BAIZE", "Vicuna"]
    assert paper["code"] == "python"


def test_unicrs(papers: list[dict[str, Any]]) -> None:
    paper = find(papers, name="UniCRS")
    assert paper["title"] == "Towards Unified Conversational Recommender Systems via Knowledge-Enhanced Prompt Learning"
    assert paper["venue"] == "KDD"
    assert paper["llm"] == ["GPT-2", "DialoGPT", "BART"]


def test_rating_prediction_row_keeps_arxiv_id(papers: list[dict[str, Any]]) -> None:
    paper = find(papers, title_start="Do LLMs Understand User Preferences?")
    assert paper["title"] == "Do LLMs Understand User Preferences? Evaluating LLMs On User Rating Prediction"
    assert paper["venue"] == "arXiv"
    assert paper["arxiv"] == "2305.06474"
    assert paper["llm"] == ["FLAN", "ChatGPT"]
    assert paper["code"] is None
    assert paper["group"] == "sft"


def test_amazon_m2(papers: list[dict[str, Any]]) -> None:
    paper = find(papers, name="Amazon-M2")
    assert paper["title"].startswith("Amazon-M2: A Multilingual Multi-locale Shopping Session Dataset")
    assert paper["title"].endswith("for Recommendation and Text Generation")
    assert paper["llm"] == ["mT5"]
    assert paper["code"] == "project"


def test_gptrec(papers: list[dict[str, Any]]) -> None:
    paper = find(papers, name="GPTRec")
    assert paper["title"] == "Generative Sequential Recommendation with GPTRec"
    assert paper["venue"] == "Gen-IR@SIGIR"
    assert paper["llm"] == ["GPT-2"]


@pytest.mark.parametrize(
    ("name", "title", "venue", "llm"),
    [
        ("LLM-Rec", "LLM-Rec: Personalized Recommendation via Prompting Large Language Models", "arXiv", ["GPT-3"]),
        (
            "RAH",
            "RAH! RecSys-Assistant-Human: A Human-Central Recommendation Framework with Large Language Models",
            "arXiv",
            ["GPT-4"],
        ),
        (
            "RecInterpreter",
            "Large Language Model Can Interpret Latent Space of Sequential Recommender",
            "arXiv",
            ["LLaMA-7B"],
        ),
        ("GENRE", "A First Look at LLM-Powered Generative News Recommendation", "arXiv", ["ChatGPT"]),
        (
            "RankGPT",
            "Is ChatGPT Good at Search? Investigating Large Language Models as Re-Ranking Agent",
            "arXiv",
            ["ChatGPT", "GPT-4"],
        ),
        ("MINT", "Large Language Model Augmented Narrative Driven Recommendations", "RecSys", ["175B InstructGPT"]),
        ("GeneRec", "Generative Recommendation: Towards Next-generation Recommender Paradigm", "arXiv", []),
        ("CLLM4Rec", "Collaborative Large Language Model for Recommender Systems", "arXiv", ["GPT-2"]),
        (
            "TALLRec",
            "TALLRec: An Effective and Efficient Tuning Framework to Align Large Language Model with Recommendation",
            "arXiv",
            ["LLaMA-7B"],
        ),
        ("PALR", "PALR: Personalization Aware LLMs for Recommendation", "arXiv", ["LLaMA"]),
        ("RecLLM", "Leveraging Large Language Models in Conversational Recommender Systems", "arXiv", ["LaMDA"]),
        (
            "IDvs.MoRec",
            "Where to go next for recommender systems? id-vs. modality-based recommender models revisited",
            "SIGIR",
            ["BERT"],
        ),
        (
            "VQ-Rec",
            "Learning vector-quantized item representation for transferable sequential recommenders",
            "ACM",
            ["BERT"],
        ),
    ],
)
def test_tricky_rows(papers: list[dict[str, Any]], name: str, title: str, venue: str, llm: list[str]) -> None:
    paper = find(papers, name=name)
    assert paper["title"] == title
    assert paper["venue"] == venue
    assert paper["llm"] == llm


def test_transrec_rows(papers: list[dict[str, Any]]) -> None:
    first = find(papers, name="TransRec", title_start="A Multi-facet Paradigm")
    assert first["llm"] == ["BART-large", "LLaMA-7B"]
    second = find(papers, name="TransRec", title_start="Exploring Adapter-based Transfer Learning")
    assert second["llm"] == ["RoBERTa"]


def test_venue_normalisation(papers: list[dict[str, Any]]) -> None:
    assert {p["venue"] for p in papers} == {
        "arXiv",
        "RecSys",
        "CIKM",
        "KSEM",
        "ACM",
        "ECIR",
        "KDD",
        "WSDM",
        "Gen-IR@SIGIR",
        "ACL",
        "SIGIR",
        "ICLR",
        "IP&M",
        "TOIS",
        "NeurIPS workshop",
    }
    biases = find(papers, title_start="Towards understanding and mitigating unintended biases")
    assert biases["venue"] == "IP&M"
    assert biases["code"] == "python"
