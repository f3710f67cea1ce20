"""'Did you mean' stays linear: each broken name meets a few candidates, however many notes the site has."""

from __future__ import annotations

import random

from llmnotes.content.link import LinkIndex, resolve_links
from llmnotes.content.parse import parse_note
from llmnotes.content.suggest import CANDIDATES, COMMON, RAREST, Suggester, did_you_mean
from llmnotes.markdown import create_parser
from llmnotes.model import Note

WORDS = [
    "scaling",
    "sparse",
    "retrieval",
    "instruction",
    "tuning",
    "language",
    "models",
    "recommendation",
    "learning",
    "efficient",
    "transformers",
    "alignment",
    "reasoning",
    "generative",
    "contrastive",
    "memory",
    "long",
    "context",
    "agents",
    "preference",
    "optimization",
    "graph",
    "sequential",
    "users",
    "zero-shot",
    "few-shot",
    "diffusion",
    "vision",
    "speech",
    "planning",
]
CHINESE = ["预训练", "指令微调", "对齐", "推荐系统", "检索增强", "长上下文", "多模态", "强化学习", "蒸馏", "量化"]


def _titles(count: int) -> list[str]:
    rng = random.Random(count)
    titles = []
    for number in range(count):
        words = [*rng.sample(WORDS, 3), rng.choice(CHINESE)]
        titles.append(f"{' '.join(words)} {number}")
    return titles


def _typos(titles: list[str], count: int) -> list[str]:
    """Names a hurried author writes: a title with two letters swapped and a word dropped."""
    rng = random.Random(7)
    broken = []
    for title in rng.sample(titles, count):
        words = title.split()
        del words[rng.randrange(len(words) - 1)]
        text = " ".join(words)
        at = rng.randrange(len(text) - 1)
        broken.append(text[:at] + text[at + 1] + text[at] + text[at + 2 :])
    return broken


def test_two_thousand_broken_names_against_five_thousand_notes_cost_far_less_than_all_pairs() -> None:
    titles = _titles(5000)
    queries = _typos(titles, 2000)
    names = Suggester(titles)
    for query in queries:
        names.suggest(query)
    all_pairs = len(queries) * len(titles)
    assert names.compared <= CANDIDATES * len(queries), f"{names.compared:,} comparisons for {len(queries):,} names"
    assert names.read < all_pairs / 10, f"{names.read:,} names read is within 10× of all pairs ({all_pairs:,})"


def test_the_work_per_query_has_a_bound_that_does_not_grow_with_the_notes() -> None:
    queries = _typos(_titles(5000), 1000)
    bound = RAREST * COMMON + CANDIDATES  # names read plus names compared, for one query
    for size in (5000, 20000, 40000):
        names = Suggester(_titles(size))
        for query in queries:
            names.suggest(query)
        per_query = (names.read + names.compared) / len(queries)
        assert per_query <= bound < size / 3, f"{per_query:.0f} names looked at per query among {size:,}"


def test_the_suggestion_is_the_note_that_was_meant() -> None:
    titles = _titles(5000)
    names = Suggester(titles)
    meant = titles[1234]
    assert names.suggest(meant.replace("scaling", "scalign").replace("1234", "123"))[0] == meant
    assert Suggester(["推荐系统综述", "指令微调", "对齐税"], cutoff=0.5).suggest("推荐系统总述") == ("推荐系统综述",)
    assert Suggester(["t5", "gpt-2", "gpt-3"], cutoff=0.5).suggest("gpt3")[:2] == ("gpt-3", "gpt-2")


def test_a_name_broken_many_times_is_worked_out_once() -> None:
    titles = _titles(2000)
    names = Suggester(titles)
    names.suggest("retrieval scaling tuning 77x")
    once = (names.read, names.compared)
    for _ in range(500):
        names.suggest("retrieval scaling tuning 77x")
    assert (names.read, names.compared) == once


def test_at_most_a_few_suggestions_and_none_for_nonsense() -> None:
    names = Suggester(_titles(3000))
    assert 1 <= len(names.suggest("sparse models language 12")) <= 3
    assert names.suggest("zzzzqqqq") == ()
    assert did_you_mean(()) is None
    assert did_you_mean(["a", "b", "c"]) == 'did you mean "a", "b" or "c"?'


def test_broken_links_of_a_site_use_the_index() -> None:
    md = create_parser()
    notes = [Note(f"notes/paper-{n}.md", f"paper-{n}", f"Paper {n}", "Text.\n", 1) for n in range(300)]
    body = "\n\n".join(f"See [[paper-{n}x]] and [[papre-{n}]]." for n in range(100)) + "\n"
    notes.append(Note("notes/a.md", "a", "A", body, 1))
    notes.append(Note("notes/sub/b.md", "b", "B", "[x](../paper-42x.md) [y](appendix-42.md)\n", 1))
    parsed = [parse_note(note, md) for note in notes]
    index, _ = LinkIndex.build(parsed)
    _, _, problems = resolve_links(parsed, index, strict=False)
    wiki = [p for p in problems if p.path == "notes/a.md"]
    assert len(wiki) == 200
    assert all(p.rule == "broken-link" and p.hint and p.hint.startswith("did you mean") for p in wiki)
    assert '"paper-42"' in next(p.hint for p in wiki if "[[papre-42]]" in p.message)
    paths = {p.message.split()[2]: p.hint for p in problems if p.path == "notes/sub/b.md"}
    assert paths["(../paper-42x.md):"].startswith('did you mean "../paper-42.md"')  # the path as written from sub/
    assert paths["(appendix-42.md):"] is None  # a file name alike only in its number is no suggestion
    assert index.names.compared <= CANDIDATES * 200


def test_a_suggester_carried_through_renames_answers_as_a_fresh_one_working_out_only_the_queries_they_touch() -> None:
    """A build hands its suggester to the next (see Suggester.last): after titles come and go, every answer is the
    one a suggester made afresh over the new names would give, and only queries sharing a rare trigram with a name
    that changed are worked out again (a real site's 11,000 broken links took every retitle 0.9 s)."""
    titles = _titles(3000)
    queries = sorted(set(_typos(titles, 600)))
    last = Suggester(titles, 0.5)
    last.prepare(queries)
    assert len(last.answers) == len(queries)
    rng = random.Random(3)
    names = list(titles)
    for round_number in range(6):
        gone = set(rng.sample(names, 3))
        came = [f"{name} revised {round_number}" for name in list(gone)[:2]] + [queries[round_number * 7]]
        names = [name for name in names if name not in gone] + came  # a typo of one round names a note the next
        carried = Suggester(names, 0.5, last=last.carried())
        fresh = Suggester(names, 0.5)
        assert [carried.suggest(q) for q in queries] == [fresh.suggest(q) for q in queries]  # in this process
        assert 0 < carried.compared < fresh.compared / 2, (round_number, carried.compared, fresh.compared)
        last = carried
    unchanged = Suggester(names, 0.5, last=last.carried())
    assert [unchanged.suggest(q) for q in queries] == [fresh.suggest(q) for q in queries]
    assert unchanged.compared == 0 and unchanged.read == 0
    other = Suggester(names, 0.6, last=unchanged.carried())  # another cutoff takes nothing over
    other.suggest(queries[0])
    assert other.compared > 0


def test_a_few_queries_are_answered_here_and_many_in_workers(monkeypatch) -> None:
    """Starting workers and sending them the index took a server 0.4 s for the hundred hints a retitle moved; below
    IN_WORKERS queries the answers are worked out in this process, above it in workers, the same either way."""
    from llmnotes.content import suggest
    from llmnotes.engine import parallel

    started: list[int] = []
    run_all = parallel.run_all

    def counted(function, items, **options):
        started.append(len(items))
        return run_all(function, items, **options)

    monkeypatch.setattr(parallel, "run_all", counted)
    titles = _titles(3000)
    queries = sorted(set(_typos(titles, suggest.IN_WORKERS + 500)))
    few = Suggester(titles)
    few.prepare(queries[:200])
    assert started == [] and len(few.answers) == 200
    many = Suggester(titles)
    many.prepare(queries)
    assert started == [len(queries)] and many.answers.keys() >= few.answers.keys()
    assert all(many.answers[q] == few.answers[q] for q in few.answers)
