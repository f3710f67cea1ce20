""""Did you mean" for names that match nothing: a trigram index meets each query with a few close names only."""

from __future__ import annotations

import bisect
import difflib
import math
from collections import Counter
from collections.abc import Collection, Iterable

# A trigram shared by more names than this says little about which one was meant ("not", "ion"), and scanning its
# names for every query would make the hints cost names × queries again; such trigrams are not looked at.
COMMON = 256
# How many of the names sharing the most trigrams with a query are compared with it in full.
CANDIDATES = 3
# Only the query's rarest trigrams are looked up, and a name is compared in full only if it has this part of them.
RAREST = 5
SHARED_TRIGRAMS = 0.5
# Fewer queries than this are answered in this process: a tenth of a millisecond each, they take less time than
# starting workers and sending them the index (a server's title edit started them for a hundred queries, 0.4 s).
IN_WORKERS = 2000


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "  # short names (two Chinese characters, `t5`) still have a few
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Suggester:
    """Close matches among `names` for strings that named nothing, each worked out once per distinct query.

    A query's cost does not grow with the names: it reads the names of its RAREST rarest trigrams (at most COMMON
    each) and compares at most CANDIDATES of them in full, however many names there are. The index is made on the
    first query, so a site with nothing broken never pays for it.

    `last`, the suggester of an earlier build with the same settings, hands over its index and its answers: the
    index is changed by the names that came and went, and only the queries sharing a trigram whose names changed are
    worked out again (a query's answer depends on the names of its trigrams alone). A real site's 11,000 broken
    links took every build that changed a title 0.6 s of "did you mean"."""

    def __init__(
        self, names: Collection[str], cutoff: float = 0.6, limit: int = 3, last: Suggester | None = None
    ) -> None:
        self.source = names
        self.cutoff = cutoff
        self.limit = limit
        self.names: list[str] = []
        self.postings: dict[str, list[str]] = {}  # trigram -> the names that have it, in order
        self.answers: dict[str, tuple[tuple[float, str], ...]] = {}
        self.asked: dict[str, set[str]] = {}  # trigram -> the queries answered that have it
        self.last = last if last is not None and (last.cutoff, last.limit) == (cutoff, limit) else None
        self.taken_over: set[str] | None = None  # the queries whose answers `last` lost to the names' changes
        self.read = 0  # names read from the trigram postings
        self.compared = 0  # names compared with a query in full

    def __getstate__(self) -> dict:
        # Not what it was made from (the link index's own table of names): what a worker needs for `_closest`, and
        # the next build (see `carried`).
        return {**self.__dict__, "source": (), "last": None, "taken_over": None}

    def carried(self) -> Suggester | None:
        """What to hand to the next build's suggester as its `last`: this one if it made an index, else the one it
        would have taken over (a server whose build told no broken link again), if any."""
        return self if self.names else self.last

    def forgotten(self) -> set[str] | None:
        """The queries whose answers the last build's suggester had and the names that came and went may have
        changed (its index taken over now, if not yet); None when no suggester was taken over, and any answer may."""
        if not self.names and self.source:
            self._index()
        return self.taken_over

    def suggest(self, query: str, cutoff: float = 0.0) -> tuple[str, ...]:
        """Up to `limit` names at least `cutoff` (and the suggester's own cutoff) alike with `query`, closest first."""
        if not self.names and self.source:
            self._index()
        known = self.answers.get(query)
        if known is None:
            known = self._answered(query, self._closest(query))
        return tuple(name for score, name in known if score >= cutoff)

    def prepare(self, queries: Iterable[str]) -> None:
        """Work out many queries' answers at once, in worker processes when there are enough of them; `suggest`
        then finds them ready."""
        from ..engine.parallel import run_all  # here: the index is made first, so that workers receive it

        asked = set(queries)
        if not asked:
            return
        if not self.names and self.source:
            self._index()
        missing = sorted(query for query in asked if query not in self.answers)
        many = len(missing) >= IN_WORKERS
        answers = run_all(self._closest, missing, chunk=256) if many else map(self._closest, missing)
        for query, answer in zip(missing, answers, strict=True):
            self._answered(query, answer)

    def _answered(self, query: str, answer: tuple[tuple[float, str], ...]) -> tuple[tuple[float, str], ...]:
        self.answers[query] = answer
        for gram in _trigrams(query):
            self.asked.setdefault(gram, set()).add(query)
        return answer

    def _index(self) -> None:
        names = sorted(set(self.source))
        last, self.last = self.last, None
        if last is None or not last.names:
            self.names = names
            for name in names:
                for gram in _trigrams(name):
                    self.postings.setdefault(gram, []).append(name)
            return
        previous = last.names
        self.names, self.postings, self.answers, self.asked = names, last.postings, last.answers, last.asked
        # Taken over, not shared: the last suggester would make its own again, should it be asked anything more.
        last.names, last.postings, last.answers, last.asked = [], {}, {}, {}
        self.taken_over = set()
        if previous != names:
            before, now = set(previous), set(names)
            self.taken_over = self._moved(before - now, now - before)
            self._forget(self.taken_over)

    def _moved(self, removed: set[str], added: set[str]) -> set[str]:
        """Take the names that went and came into the index; the queries whose answers they may change."""
        counts: Counter[str] = Counter()
        for name in removed:
            for gram in _trigrams(name):
                found = self.postings[gram]
                del found[bisect.bisect_left(found, name)]
                counts[gram] += 1
        for name in added:
            for gram in _trigrams(name):
                bisect.insort(self.postings.setdefault(gram, []), name)
                counts[gram] -= 1
        moved: set[str] = set()
        for gram, more_before in counts.items():
            now = len(self.postings.get(gram, ()))
            if not now:
                self.postings.pop(gram, None)
            # a trigram of more than COMMON names, before and now, is looked at by no query
            if min(now, now + more_before) <= COMMON:
                moved.update(self.asked.get(gram, ()))
        return moved

    def _forget(self, queries: set[str]) -> None:
        for query in queries:
            if self.answers.pop(query, None) is not None:
                for gram in _trigrams(query):
                    asking = self.asked.get(gram)
                    if asking is not None:
                        asking.discard(query)
                        if not asking:
                            del self.asked[gram]

    def _closest(self, query: str) -> tuple[tuple[float, str], ...]:
        # The rarest trigrams of the query that some name has say most about which name was meant; a typo's own
        # trigrams are in no name, and common ones ("ing") in too many to tell.
        found = ((len(names), gram, names) for gram in _trigrams(query) if (names := self.postings.get(gram)))
        telling = sorted((entry for entry in found if entry[0] <= COMMON), key=lambda entry: entry[:2])[:RAREST]
        enough = math.ceil(len(telling) * SHARED_TRIGRAMS)
        shared: Counter[str] = Counter()
        for count, _, names in telling:
            self.read += count
            shared.update(names)
        matcher = difflib.SequenceMatcher(b=query, autojunk=False)
        scored = []
        for name, count in shared.most_common(CANDIDATES):
            if count < enough:
                break
            self.compared += 1
            matcher.set_seq1(name)
            if matcher.real_quick_ratio() >= self.cutoff and matcher.quick_ratio() >= self.cutoff:
                score = matcher.ratio()
                if score >= self.cutoff:
                    scored.append((-score, name))
        return tuple((-score, name) for score, name in sorted(scored)[: self.limit])


def did_you_mean(guesses: Iterable[str]) -> str | None:
    """`did you mean "a" or "b"?`, or None when there is nothing to suggest."""
    quoted = [f'"{guess}"' for guess in guesses]
    if not quoted:
        return None
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"did you mean {listed}?"
