"""Site search index: the CJK-aware tokenizer, the shard format, determinism, and size at 10,000 notes."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from llmnotes.content.assemble import assemble_site
from llmnotes.content.link import LinkIndex, resolve_links
from llmnotes.content.parse import parse_note
from llmnotes.features import search_format, search_patch, search_skips
from llmnotes.features.search import (
    FREE,
    SearchDoc,
    batch_of,
    build_index,
    build_search_index,
    entry_of,
    entry_tokens,
    gram_bucket,
    gram_buckets,
    index_files,
    index_state,
    indexed_documents,
    plain_text,
    search_doc,
    site_documents_in_order,
    unpack,
)
from llmnotes.features.search_format import (
    DIGITS,
    GRAM_BUCKETS,
    HEADING,
    META,
    ONCE_IN_BODY,
    ROOT,
    SUMMARY,
    TITLE,
    VALUE_BITS,
    decode_postings,
    document_slots,
    encode_long_postings,
    encode_postings,
    front_coded,
    front_decoded,
    patched_postings,
    varint,
)
from llmnotes.features.search_patch import patch_bodies, patch_index
from llmnotes.features.search_skips import SKIP, SkipTable
from llmnotes.features.search_tokens import CJK, _tokens, fold, parse_query, token_counts, tokenize
from llmnotes.markdown import create_parser
from llmnotes.model import Note, ParsedNote, Site
from sites import load_site

REPO = Path(__file__).resolve().parents[1]
SCRIPT = re.compile(r'window\.__llmnotesSearch\.add\("([^"]+)",(.*)\);\n', re.DOTALL)


# ---- Readers mirroring templates/static/search.js, so the tests check the format the client decodes. ----


def read_script(data: bytes) -> tuple[str, object]:
    match = SCRIPT.fullmatch(data.decode("utf-8"))
    assert match, data[:80]
    return match.group(1), json.loads(match.group(2))


def read_varints(text: str) -> list[int]:
    values, value = [], 0
    for char in text:
        digit = DIGITS.index(char)
        value = value * 32 + (digit & 31)
        if digit >= 32:
            values.append(value)
            value = 0
    return values


def read_postings(text: str) -> list[tuple[int, int]]:
    """[(document, value)]: value is field bits << 4 | how often the body holds the token."""
    values = iter(read_varints(text))
    postings, doc = [], -1
    for code in values:
        doc += (code >> 1) + 1
        postings.append((doc, next(values) if code & 1 else ONCE_IN_BODY))
    return postings


def read_documents(text: str) -> list[int]:
    docs, doc = [], -1
    for gap in read_varints(text):
        doc += gap + 1
        docs.append(doc)
    return docs


def read_shard(data: object) -> dict[str, list[tuple[int, int]]]:
    keys, lists = data  # type: ignore[misc]
    tokens, previous = [], ""
    for key in keys.split(" "):
        token = previous[: int(key[0])] + key[1:]
        tokens.append(token)
        previous = token
    return {token: read_postings(text) for token, text in zip(tokens, lists.split(" "), strict=True)}


def read_grams(files: dict[str, bytes]) -> dict[int, list[int]]:
    """Trigram bucket → the documents holding a trigram of it."""
    scripts = dict(read_script(data) for data in files.values())
    per_file = GRAM_BUCKETS // scripts["manifest"]["grams"]
    buckets = {}
    for number in read_documents(scripts["manifest"]["gramsHeld"]):
        offsets, lists = scripts[f"g/{number}"]
        for offset, text in zip(read_documents(offsets), lists.split(" ") if offsets else [], strict=True):
            buckets[number * per_file + offset] = read_documents(text)
    return buckets


def read_index(files: dict[str, bytes]) -> tuple[dict, dict[str, list[tuple[int, int]]], list[list[str] | None]]:
    """(manifest, token → postings over all shards, display records in slot order: None for a free slot)."""
    scripts = dict(read_script(data) for data in files.values())
    manifest = scripts["manifest"]
    tokens: dict[str, list[tuple[int, int]]] = {}
    for number in range(len(manifest["chunks"])):
        tokens.update(read_shard(scripts[f"t/{number}"]))
    per_shard = manifest["docsPerShard"]
    free = [None] * per_shard  # a shard of free slots only is not written
    shards = -(-manifest["slots"] // per_shard)
    records = [record for number in range(shards) for record in scripts.get(f"d/{number}", free)]
    del records[manifest["slots"] :]
    return manifest, tokens, records


@pytest.fixture(scope="module")
def repo_index() -> dict[str, bytes]:
    """The search index of the repository's own notes (the pipeline up to the assembled site, no other pages)."""
    return build_search_index(repo_site())


def repo_site() -> Site:
    documents = load_site(REPO)[0] + load_site(REPO, kind="page")[0]
    parsed = [parse_note(note, create_parser()) for note in documents]
    index, _ = LinkIndex.build(parsed)
    links, backlinks, _ = resolve_links(parsed, index, strict=True)
    site, _ = assemble_site(list(index.notes.values()), links, backlinks, {})
    return site


# ---- Tokenizer ----


@pytest.mark.parametrize(
    ("text", "bigrams"),
    [
        ("指令微调", ["指令", "令微", "微调"]),
        ("思维链", ["思维", "维链"]),
        ("对齐税", ["对齐", "齐税"]),
        ("奖励模型", ["奖励", "励模", "模型"]),
    ],
)
def test_chinese_runs_become_overlapping_bigrams_and_characters(text: str, bigrams: list[str]) -> None:
    tokens = tokenize(text)
    assert [t for t in tokens if len(t) == 2] == bigrams
    assert [t for t in tokens if len(t) == 1] == list(text)
    assert parse_query(text) == [[(gram, False) for gram in bigrams]]


def test_bodies_keep_only_the_last_character_of_a_run() -> None:
    assert tokenize("训练奖励模型。", every_char=False) == ["型", "训练", "练奖", "奖励", "励模", "模型"]


def test_mixed_latin_and_chinese() -> None:
    chars, grams = ["用", "rlhf", "训", "练", "奖", "励", "模", "型"], ["训练", "练奖", "奖励", "励模", "模型"]
    assert tokenize("用 RLHF 训练奖励模型") == [*chars, *grams]
    assert parse_query("RLHF 奖励模型") == [[("rlhf", False)], [("奖励", False), ("励模", False), ("模型", False)]]
    assert tokenize("GPT-3的结构") == ["gpt", "3", "gpt3", "的", "结", "构", "的结", "结构"]


def test_hyphenated_words_are_found_with_or_without_the_hyphen() -> None:
    assert tokenize("Few-Shot learners") == ["few", "shot", "fewshot", "learners"]
    assert tokenize("Ｆｅｗ－ｓｈｏｔ") == ["few", "shot", "fewshot"]  # full-width forms fold by NFKC
    assert parse_query("few-shot") == [[("few", False), ("shot", True)]]
    assert parse_query("few shot") == [[("few", False)], [("shot", True)]]
    assert parse_query("fewshot") == [[("fewshot", True)]]


def test_case_and_compatibility_forms_fold() -> None:
    assert tokenize("RLHF PPO Straße") == ["rlhf", "ppo", "strasse"]
    assert tokenize("ΣΊΣΥΦΟΣ") == tokenize("σίσυφος")


def test_the_last_word_matches_as_a_prefix_only_while_typing() -> None:
    assert parse_query("instru") == [[("instru", True)]]
    assert parse_query("instru ") == [[("instru", False)]]
    assert parse_query("chain of thought") == [[("chain", False)], [("of", False)], [("thought", True)]]
    assert parse_query('"chain of thought"') == [[("chain", False)], [("of", False)], [("thought", False)]]
    assert parse_query("x") == [[("x", False)]]  # one letter is too short to expand
    assert parse_query("思") == [[("思", True)]]  # one CJK character: every bigram it starts
    assert parse_query("  ，。!") == []


def test_plain_text_keeps_code_and_drops_diagrams_and_anchors() -> None:
    html = (
        '<h2 id="方法">方法<a class="anchor" href="#方法" aria-hidden="true" tabindex="-1">#</a></h2>\n'
        "<p><strong>对齐</strong>问题&amp;<code>x &lt; 1</code></p>"
        '<figure class="diagram"><svg role="img"><title>图</title><text>SFT</text></svg>'
        "<figcaption>三步</figcaption></figure><ul><li>甲</li><li>乙</li></ul>"
    )
    assert plain_text(html) == "方法 对齐问题&x < 1 三步 甲 乙"


@pytest.mark.parametrize(
    "text",
    [
        "用 RLHF 训练奖励模型，奖励模型很重要。奖励！",
        "GPT-3的结构 few-shot_learning‐x a--b -c d- _e_ x-中 GPT-3 gpt3",
        "Ｆｅｗ－ｓｈｏｔ ﬁne-tuning ΣΊΣΥΦΟΣ σίσυφος Straße",
        "カタカナのひらがな𠀀𠀁中 한국어 ٣٤ café",
        "fine‐tuning (U+2010 alone)",
        "snake_case alone",
        "",
    ],
)
def test_a_body_counts_every_token_the_tokenizer_gives_it(text: str) -> None:
    """Term frequencies (and body lengths) are counted over whole texts at once: the same tokens, as often."""
    for every_char in (True, False):
        assert token_counts(fold(text), every_char) == Counter(_tokens(text, every_char))


def test_the_phrase_index_holds_every_three_cjk_characters_in_a_row_of_every_field() -> None:
    doc = _note_doc(
        "phrases", "<h2>扩散模型</h2><p>去噪 AB 扩散。<code>注意力机制</code></p>", title="生成模型", tags=("图像生成",)
    )
    runs = ["扩散模型", "去噪", "扩散", "注意力机制", "生成模型", "图像生成"]
    trigrams = {run[i : i + 3] for run in runs for i in range(len(run) - 2)}
    assert gram_buckets(doc) == tuple(sorted({gram_bucket(gram) for gram in trigrams}))


# ---- Encoding ----


def test_postings_are_gaps_with_a_value_only_where_not_once_in_the_body() -> None:
    assert varint(0) == "g" and varint(31) == "_" and varint(32) == "Bg"
    once, twice, title_and_body = ONCE_IN_BODY, 2, TITLE << 4 | 1
    postings = [(0, once), (1, twice), (5, title_and_body), (40, 15), (1000, SUMMARY << 4), (40_000, META << 4 | 3)]
    encoded = encode_postings([doc << VALUE_BITS | value for doc, value in postings])
    assert read_postings(encoded) == postings
    assert encode_postings([7 << VALUE_BITS | once]) == "u"  # 7 << 1: one digit
    assert encode_postings([7 << VALUE_BITS | twice]) == "vi"  # 7 << 1 | 1, then the value


def _note_doc(slug: str, html: str, relative: str = "", title: str = "", tags: tuple[str, ...] = ()) -> SearchDoc:
    note = Note(
        source=f"notes/{slug}.md",
        slug=slug,
        title=title or slug,
        body="",
        body_line=1,
        tags=tags,
        relative=relative or f"{slug}.md",
    )
    return search_doc(note, f"notes/{slug}.html", html)


def test_the_index_keeps_what_ranking_needs_term_frequencies_fields_lengths_listings_and_phrases() -> None:
    about = _note_doc(
        "about",
        "<h2>扩散模型的训练</h2><p>扩散模型逐步去噪。我们复现了扩散模型。</p>",
        title="Diffusion",
        tags=("生成",),
    )
    apart = _note_doc("apart", "<p>扩散很慢。" + "这是一句很长的话，" * 40 + "模型很大。</p>")
    section = _note_doc("guide", "<p>本节的笔记。</p>", relative="guide/index.md")
    links = "".join(f'<li><a href="x{n}.html">扩散模型笔记 {n}</a></li>' for n in range(4))
    listing = _note_doc("list", f"<p>目录</p><ul>{links}</ul>")
    files = build_index(entry_of(doc) for doc in (about, apart, section, listing))
    manifest, tokens, _ = read_index(files)
    by_doc = {doc: value for doc, value in tokens["扩散"]}
    assert by_doc[0] == HEADING << 4 | 3  # in a heading, three times in the body (the heading's text included)
    assert by_doc[1] == ONCE_IN_BODY
    assert dict(tokens["生成"])[0] >> 4 == META and dict(tokens["diffusion"])[0] >> 4 == TITLE
    levels = [DIGITS.index(level) for level in manifest["lengths"]]
    assert levels[1] > levels[0] > levels[2]  # the long note, the short one, the one-sentence section page
    assert manifest["listings"] == [2, 3]  # a section's page, and a page that is mostly links to notes
    grams = read_grams(files)
    assert 0 in grams[gram_bucket("扩散模")] and 0 in grams[gram_bucket("散模型")]
    assert 1 not in grams.get(gram_bucket("扩散模"), []) and 1 not in grams.get(gram_bucket("散模型"), [])


# ---- The repository's index ----


def test_repository_index_finds_the_notes_by_their_words(repo_index: dict[str, bytes]) -> None:
    manifest, tokens, records = read_index(repo_index)
    paths = [record[0] if record else None for record in records]
    assert manifest["docs"] == len(records) - paths.count(None) and "notes/cot.html" in paths
    assert "index.html" not in paths

    def docs(token: str, field: int = 0) -> set[str]:
        """The documents holding the token in the field (bits), or anywhere."""
        return {paths[doc] for doc, value in tokens.get(token, []) if not field or value >> 4 & field}

    assert docs("思维", TITLE) == docs("维链", TITLE) == {"notes/cot.html"}  # alias 思维链
    assert "notes/instructgpt.html" in docs("奖励", SUMMARY) & docs("励模", SUMMARY) & docs("模型", SUMMARY)
    assert "notes/instructgpt.html" in docs("对齐") & docs("齐税")
    assert "notes/instructgpt.html" in docs("rlhf", META) & docs("ppo")
    assert "notes/instructgpt.html" in docs("指令", META) & docs("令微", META) & docs("微调", META)
    assert {"notes/gpt-3.html", "notes/cot.html"} <= docs("fewshot") & docs("few") & docs("shot")
    assert "notes/cot.html" in docs("chain", TITLE) & docs("of", TITLE) & docs("thought", TITLE)
    assert "notes/t5.html" in docs("raffel", META)


def test_repository_index_layout(repo_index: dict[str, bytes]) -> None:
    manifest, _, records = read_index(repo_index)
    fields = {"bytes", "chunks", "docs", "docsPerShard", "grams", "gramsHeld", "lengths", "listings", "order"}
    fields |= {"slots", "version"}
    assert set(manifest) == fields
    assert len(manifest["lengths"]) == manifest["docs"] and manifest["slots"] == len(records)
    assert manifest["listings"] == []
    chunks = manifest["chunks"]
    assert chunks == sorted(chunks, key=lambda t: t.encode("utf-16-be")) and len(set(chunks)) == len(chunks)
    assert len(repo_index["static/search/manifest.js"]) < 2_000
    for path, data in repo_index.items():
        shard_id, _ = read_script(data)
        assert path == f"static/search/{shard_id}.js"
    cot = next(r for r in records if r and r[0] == "notes/cot.html")
    assert cot[1:4] == [
        "CoT",
        "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
        "2022 · NeurIPS 2022",
    ]
    assert "思维链" in cot[5] and "思维链提示" in cot[6] and "<输入, 思维链, 输出>" in cot[6]  # code is kept
    assert not re.search(r"</?[a-z]+[ >]", cot[6]) and "diagram-svg" not in cot[6]


def test_documents_are_in_slots_from_their_paths_and_the_manifest_holds_the_site_order(
    repo_index: dict[str, bytes],
) -> None:
    """A number no front matter moves (a title edit then patches the index), and the newest-first order, which
    the ranking's last tie-break follows, beside it."""
    manifest, _, records = read_index(repo_index)
    site = repo_site()
    in_site_order = [site.paths[parsed.note.slug] for parsed in site_documents_in_order(site)]
    size, slot_of = document_slots(in_site_order)
    assert manifest["slots"] == size >= 2 * len(in_site_order)
    assert {slot: record[0] for slot, record in enumerate(records) if record} == {s: p for p, s in slot_of.items()}
    order = read_varints(manifest["order"])
    assert [records[slot][0] for slot in order] == in_site_order  # type: ignore[index]
    assert indexed_documents(site)[1] == order


def test_a_posting_patched_in_its_list_is_the_list_encoded_again() -> None:
    """A patch of the index sets one document's posting in lists of thousands: reading them only up to it, the
    text is byte for byte the changed list encoded afresh, whether the posting comes, goes or changes its value,
    first, last or alone; a posting not as the index's is refused."""
    rng = random.Random(7)
    for _ in range(3000):
        docs = sorted(rng.sample(range(rng.choice([40, 5000, 70000])), rng.choice([0, 1, 2, 3, 30])))
        values = {doc: rng.choice([0, 1, 1, 2, 15, 17, 33, 255]) for doc in docs}
        text = encode_postings([doc << VALUE_BITS | value for doc, value in values.items()]) if docs else ""
        doc = rng.choice([*docs, rng.randrange(70000)])
        gone, value = values.get(doc), rng.choice([None, 0, 1, 2, 40, 255])
        changed = {**values, doc: value}
        kept = sorted((d, v) for d, v in changed.items() if v is not None)
        expected = encode_postings([d << VALUE_BITS | v for d, v in kept]) if kept else ""
        assert patched_postings(text, doc, gone, value) == expected
        with pytest.raises(ValueError):
            patched_postings(text, doc, None if gone is not None else 1, value)


def test_a_long_list_is_walked_from_its_skip_points_which_follow_its_patches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word's postings run to thousands: a patch walks them from the last skip point before its document,
    a few dozen postings, and the text is still byte for byte the changed list encoded afresh. The points move
    with each patch: after two thousand of them, postings coming, going and changing their values next to the
    points too, each still marks where a posting starts and which document comes before it."""
    rng = random.Random(11)
    values = {doc: rng.choice([0, 1, 1, 2, 17, 255]) for doc in sorted(rng.sample(range(30000), 3000))}
    text, skips = encode_long_postings([doc << VALUE_BITS | value for doc, value in values.items()])
    assert len(skips.offsets) == 3000 // SKIP
    read: list[int] = []
    varints = search_format._VARINT

    class Counting:
        def findall(self, text: str, start: int = 0, stop: int = 2**62) -> list[str]:
            found = varints.findall(text, start, stop)
            read.append(len(found))
            return found

    monkeypatch.setattr(search_format, "_VARINT", Counting())
    for _ in range(2000):
        beside = rng.choice(skips.befores) + rng.choice([-1, 0, 1, 2])  # at a point's posting or the one before it
        doc = rng.choice([rng.choice(list(values)), beside, rng.randrange(30000)])
        gone, value = values.get(doc), rng.choice([None, 0, 1, 2, 40, 255])
        values = dict(sorted({**values, doc: value}.items()))
        values = {d: v for d, v in values.items() if v is not None}
        text = patched_postings(text, doc, gone, value, skips)
        assert text == encode_postings([d << VALUE_BITS | v for d, v in values.items()])
        assert skips.holds(text)
    monkeypatch.setattr(search_format, "_VARINT", varints)
    postings = decode_postings(text)
    starts = list(itertools.accumulate(map(len, _posting_texts(text)), initial=0))
    befores = [-1, *(posting >> VALUE_BITS for posting in postings)]
    marks = set(zip(starts, befores, strict=False))
    assert len(skips.offsets) >= 3000 // SKIP - 5
    assert all(point in marks for point in zip(skips.offsets, skips.befores, strict=True))
    assert max(read) < len(postings) / 10  # every walk read a few points' postings, not the list


def _posting_texts(text: str) -> list[str]:
    """Each posting of an encoded list, as its characters."""
    varints = re.findall(f"[{re.escape(DIGITS[:32])}]*[{re.escape(DIGITS[32:])}]", text)
    texts, at = [], 0
    while at < len(varints):
        size = 2 if DIGITS.index(varints[at][-1]) % 2 else 1  # an odd last digit: a value follows
        texts.append("".join(varints[at : at + size]))
        at += size
    return texts


def test_a_list_whose_skip_points_are_another_texts_is_walked_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip points kept in the cache go with the text they were made for: a list changed without them (an index
    made by another llmnotes, a patch the build then threw away) drops them, and its patch is still right."""
    monkeypatch.setattr(search_skips, "LONG", 1)  # every list here is long enough to have points
    docs = _docs(60, seed=5)
    files = build_index(entry_of(doc) for doc in docs)
    old = unpack(entry_of(docs[7]))
    tokens = list(entry_tokens(old))
    _, stale = encode_long_postings([1 << VALUE_BITS | 1, 5 << VALUE_BITS | 1])
    skips = SkipTable(lambda: dict.fromkeys(tokens, stale))
    left = [number for number in range(len(docs)) if number != 7]
    made = patch_index(files.__getitem__, [(7, old, unpack(FREE))], left, skips)  # the document deleted
    assert made is not None and skips.changed and not skips.points
    fresh = build_index(FREE if number == 7 else entry_of(doc) for number, doc in enumerate(docs))
    assert made == {path: content for path, content in fresh.items() if path in made}


def test_display_data_shards_of_free_slots_only_are_not_written_and_patches_keep_to_that() -> None:
    """Most slots are free; a display-data shard holding none of the documents is not written (no result loads it).
    A patch putting a document into such a shard writes it, as a fresh index would; one taking its last document
    away takes the file away."""
    docs = _docs(12, seed=3)
    entries = [entry_of(doc) for doc in docs]
    slots = [*entries[:6], *[FREE] * 300, *entries[6:], *[FREE] * 100]  # 64 slots a shard, most of them free
    files = build_index(slots)
    manifest, _, records = read_index(files)
    per_shard = manifest["docsPerShard"]
    held = {f"{ROOT}d/{slot // per_shard}.js" for slot, record in enumerate(records) if record}
    assert {path for path in files if "/d/" in path} == held and len(records) == len(slots)
    empty = next(slot for slot in range(len(slots)) if f"{ROOT}d/{slot // per_shard}.js" not in held)
    occupied = [slot for slot, entry in enumerate(slots) if entry != FREE]
    added = patch_index(files.__getitem__, [(empty, unpack(FREE), unpack(entries[0]))], sorted([*occupied, empty]))
    assert added is not None
    fresh = build_index([*slots[:empty], entries[0], *slots[empty + 1 :]])
    assert {path: content for path, content in added.items()} == {path: fresh[path] for path in added}
    gone = patch_index({**files, **added}.__getitem__, [(empty, unpack(entries[0]), unpack(FREE))], occupied)
    assert gone is not None and gone[f"{ROOT}d/{empty // per_shard}.js"] is None
    assert {path: content for path, content in {**files, **added, **gone}.items() if content is not None} == files


def test_a_document_added_or_deleted_moves_few_others_whatever_came_first() -> None:
    """Slots are a function of the set of paths (a clean build finds the ones an incremental build keeps); adding
    a path, or taking one away, moves at most the few documents in its run of taken slots."""
    rng = random.Random(5)
    paths = [f"notes/{rng.randrange(10**6)}-{number}.html" for number in range(2000)]
    size, slots = document_slots(paths)
    assert document_slots(list(reversed(paths)))[1] == slots and len(set(slots.values())) == len(paths)
    moved = []
    for added in (f"notes/new-{number}.html" for number in range(100)):
        grown_size, grown = document_slots([*paths, added])
        assert grown_size == size  # 2,001 documents: still at most half the slots taken
        moved.append(sum(grown[path] != slots[path] for path in paths))
    for deleted in range(100):
        shrunk = document_slots(paths[:deleted] + paths[deleted + 1 :])[1]
        moved.append(sum(shrunk[path] != slots[path] for path in paths if path in shrunk))
    # numbered by path, each would move about 1,000; a patch takes up to MAX_PATCHED documents
    assert sum(moved) / len(moved) < 1 and max(moved) < 32


def test_repository_index_is_small(repo_index: dict[str, bytes]) -> None:
    notes = sum(len(p.read_bytes()) for p in (REPO / "notes").rglob("*.md"))
    # documents in slots at most half taken have larger numbers than 0 to n - 1: a few more bytes a posting
    assert sum(map(len, repo_index.values())) < 2.1 * notes


def test_the_index_is_deterministic() -> None:
    site = synthetic_site(300, seed=3)
    assert build_search_index(site) == build_search_index(synthetic_site(300, seed=3))


# ---- Scale ----


def synthetic_site(count: int, seed: int = 7) -> Site:
    """`count` notes of mixed Chinese and English text drawn from Zipf-distributed vocabularies."""
    rng = random.Random(seed)
    chars = [chr(0x4E00 + i) for i in range(3000)]
    char_weights = list(itertools.accumulate(1 / (i + 10) for i in range(len(chars))))
    vocabulary = [
        "".join(rng.choices(chars, cum_weights=char_weights, k=rng.choice((1, 2, 2, 2, 3, 4)))) for _ in range(40_000)
    ]
    vocabulary += [f" {''.join(rng.choices('abcdefghijklmnopqrstuvwxyz', k=rng.randint(2, 10)))} " for _ in range(8000)]
    vocabulary += ["，", "。", "、"] * 2000
    rng.shuffle(vocabulary)
    weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocabulary))))
    notes = []
    for number in range(count):
        body = "".join(rng.choices(vocabulary, cum_weights=weights, k=rng.randint(100, 400)))
        paragraphs = [body[i : i + 300] for i in range(0, len(body), 300)]
        note = Note(
            source=f"notes/n{number}.md",
            slug=f"n{number}",
            title=f"Paper {number}: " + "".join(rng.choices(vocabulary, cum_weights=weights, k=6)).strip(),
            short_title=f"P{number}",
            body="\n\n".join(paragraphs),
            body_line=8,
            authors=(f"Author {number % 997}", f"Writer {number % 101}"),
            year=2000 + number % 25,
            tags=tuple(rng.choices(vocabulary[:300], k=3)),
            summary="".join(rng.choices(vocabulary, cum_weights=weights, k=15)).strip(),
        )
        html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
        notes.append(ParsedNote(note=note, markup=html.encode(), headings=(), links=()))
    return Site(
        notes=tuple(notes),
        pages=(),
        by_slug={p.note.slug: p for p in notes},
        paths={p.note.slug: f"notes/{p.note.slug}.html" for p in notes},
        labels={p.note.slug: p.note.label for p in notes},
        links={},
        backlinks={},
        tags=(),
        tag_of={},
        data={},
    )


def source_size(note: Note) -> int:
    """Bytes of the note as a Markdown file: front matter and body."""
    front = {"title": note.title, "short_title": note.short_title, "authors": list(note.authors)}
    front |= {"year": note.year, "tags": list(note.tags), "summary": note.summary}
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    return len("---\n{}\n---\n\n{}\n".format("\n".join(lines), note.body).encode())


def test_ten_thousand_notes_give_a_small_manifest_and_an_index_smaller_than_twice_the_notes() -> None:
    site = synthetic_site(10_000)
    files = build_search_index(site)
    notes = sum(source_size(p.note) for p in site.notes)
    total = sum(map(len, files.values()))
    assert len(files["static/search/manifest.js"]) < 50_000
    assert total < 2 * notes, (total, notes)
    shards = [len(data) for path, data in files.items() if "/t/" in path]
    # A query loads a few of these, never the whole index. The largest hold one common token each, whose documents'
    # numbers, in slots at most half taken, are further apart than 0 to n - 1: 194 KB numbered so, 220 KB in slots.
    assert max(shards) < 250_000
    docs = [len(data) for path, data in files.items() if "/d/" in path]
    assert max(docs) < 40_000


def test_postings_and_tokens_read_back_as_written() -> None:
    rng = random.Random(5)
    for size in (1, 2, 50, 3000):
        docs = sorted(rng.sample(range(100_000 if size > 2 else 40), size))
        values = (ONCE_IN_BODY, ONCE_IN_BODY, 7, TITLE << 4, (META | HEADING) << 4 | 1, SUMMARY << 4 | 15)
        postings = [doc << VALUE_BITS | rng.choice(values) for doc in docs]
        assert decode_postings(encode_postings(postings)) == postings
    tokens = sorted({"".join(rng.choices("abc中文", k=rng.randint(1, 12))) for _ in range(500)})
    assert front_decoded(front_coded(tokens)) == tokens


def _docs(count: int, seed: int) -> list[SearchDoc]:
    site = synthetic_site(count, seed=seed)
    records = []
    for parsed in site_documents_in_order(site):
        note = parsed.note
        text = plain_text(parsed.html)
        records.append(
            SearchDoc(
                f"notes/{note.slug}.html",
                note.label,
                note.title,
                "",
                (note.title,),
                note.tags,
                note.summary or "",
                text,
            )
        )
    return records


def test_an_index_patched_for_an_edited_body_is_the_index_built_afresh() -> None:
    """Edits as a writer makes them (a sentence added, a paragraph cut, a word changed), each patched into the
    files of the index before it: every patched file is the fresh index's, and no other file changed."""
    docs = _docs(150, seed=11)
    files = build_index(entry_of(doc) for doc in docs)
    rng = random.Random(2)
    words = ["补充一句", "this sentence was appended", "Transformer", "的", "注意力", "zeta-function", "。", "00 号"]
    patched = 0
    for _ in range(40):
        number = rng.randrange(len(docs))
        old = docs[number]
        cut = rng.randrange(len(old.text))
        text = rng.choice(
            [
                old.text + " " + " ".join(rng.choices(words, k=rng.randint(1, 6))),
                old.text[:cut],
                old.text[:cut] + rng.choice(words) + old.text[cut + 5 :],
            ]
        )
        new = SearchDoc(old.path, old.label, old.title, old.meta, old.names, old.facets, old.summary, text)
        docs[number] = new
        fresh = build_index(entry_of(doc) for doc in docs)
        made = patch_bodies(files.__getitem__, number, old, new)
        if made is not None:
            changes, entry = made
            patched += 1
            assert entry == entry_of(new)  # the cache keeps it for the next edit's patch
            assert {path: fresh[path] for path in changes} == changes
            assert {path for path in fresh if fresh[path] != files.get(path)} <= set(changes)
        files = fresh
    assert patched >= 34  # the patch steps aside only when a shard would begin elsewhere: rarely


def test_an_index_patched_for_renamed_retagged_and_relinked_documents_is_the_index_built_afresh() -> None:
    """A few documents edited at once, as a rename, a new tag or a changed link makes them (their titles, facets
    and the text of links to them), a rename or a new date moving one in the site's order: every patched file is
    the fresh index's, and no other file changed."""
    docs = _docs(150, seed=13)
    rng = random.Random(3)
    order = rng.sample(range(len(docs)), len(docs))
    files = build_index((entry_of(doc) for doc in docs), order)
    patched = 0
    for _ in range(30):
        moved = rng.randrange(len(docs))  # from its place to another: the places between shift by one
        place, to = order[moved], rng.randrange(len(docs))
        order = [p - (place < p <= to) + (to <= p < place) for p in order]
        order[moved] = to
        numbers = rng.sample(range(len(docs)), rng.randint(1, 4))
        changes = []
        for number in numbers:
            old = docs[number]
            word = rng.choice(["Renamed", "排序实验", "Transformer", "注意力机制", "zeta"])
            new = rng.choice(
                [
                    replace(old, title=f"{word} {old.title}", names=(f"{word} {old.title}",)),
                    replace(old, facets=(*old.facets, word)),
                    replace(old, text=old.text.replace(old.text[:12], word, 1)),
                ]
            )
            docs[number] = new
            changes.append((number, unpack(entry_of(old)), unpack(entry_of(new))))
        fresh = build_index((entry_of(doc) for doc in docs), order)
        made = patch_index(files.__getitem__, changes, order)
        if made is not None:
            patched += 1
            assert {path: fresh[path] for path in made} == made
            assert {path for path in fresh if fresh[path] != files.get(path)} <= set(made)
        files = fresh
    assert patched >= 25  # the patch steps aside only when a shard would begin elsewhere: rarely


def test_trigram_files_are_written_only_where_a_trigram_falls_and_patches_keep_to_that() -> None:
    """An index of notes written in English has no CJK trigram: none of its thousands of trigram files is written
    (the manifest lists the files that are). A patch giving a note its first Chinese phrase writes the one file its
    trigrams fall in, as a fresh index would; one taking the phrase away again takes the file away (the body-edit
    path, whose writer removes no file, steps aside for the full build then)."""
    def english(text: str) -> str:
        return re.sub(f"[{CJK}]", "", text)

    docs = [
        replace(
            doc,
            title=english(doc.title),
            names=tuple(map(english, doc.names)),
            facets=tuple(map(english, doc.facets)),
            summary=english(doc.summary),
            text=english(doc.text),
        )
        for doc in _docs(40, seed=7)
    ]
    files = build_index(entry_of(doc) for doc in docs)
    manifest, _, _ = read_index(files)
    assert manifest["gramsHeld"] == "" and not [path for path in files if "/g/" in path]
    old = docs[3]
    new = replace(old, text=old.text + " 注意力机制")
    made = patch_bodies(files.__getitem__, 3, old, new)
    assert made is not None
    changes, _ = made
    fresh = build_index(entry_of(doc) for doc in [*docs[:3], new, *docs[4:]])
    written = [path for path in fresh if "/g/" in path]
    assert len(written) >= 1 and set(written) <= set(changes)
    assert {path: fresh[path] for path in changes} == changes
    assert patch_bodies({**files, **changes}.__getitem__, 3, new, old) is None
    back = patch_index({**files, **changes}.__getitem__, [(3, unpack(entry_of(new)), unpack(entry_of(old)))])
    assert back is not None and {path for path, content in back.items() if content is None} == set(written)
    patched = {**files, **changes, **back}
    assert {path: content for path, content in patched.items() if content is not None} == files


def test_a_patch_encodes_again_only_the_postings_that_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs(60, seed=5)
    files = build_index(entry_of(doc) for doc in docs)
    old = docs[7]
    new = replace(old, names=(*old.names, "zzqx"))  # an alias added: one token more, every other one as it was
    encoded: list[int] = []
    patch = search_patch.patched_postings
    monkeypatch.setattr(search_patch, "patched_postings", lambda *change: encoded.append(1) or patch(*change))
    made = patch_index(files.__getitem__, [(7, unpack(entry_of(old)), unpack(entry_of(new)))])
    assert made is not None
    # Encoding again every token of the document took seconds for a few documents of 10,000 (the common words'
    # postings are thousands long).
    assert len(encoded) == 1
    docs[7] = new
    assert made == {
        path: content for path, content in build_index(entry_of(doc) for doc in docs).items() if path in made
    }


def test_an_index_put_together_from_runs_of_documents_is_the_index_of_them_all() -> None:
    """Workers put the postings of runs of documents together; the main process joins the runs in order."""
    entries = [entry_of(doc) for doc in _docs(130, seed=17)]
    whole = index_files(index_state([batch_of(range(len(entries)), entries)]))
    cuts = [0, 1, 2, 64, 100, 129, 130]
    runs = [batch_of(range(start, end), entries[start:end]) for start, end in itertools.pairwise(cuts)]
    assert index_files(index_state(runs)) == whole
    assert whole == build_index(entries)
