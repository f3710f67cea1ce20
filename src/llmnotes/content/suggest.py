""""Did you mean" for names that match nothing: a trigram index meets each query with a few close names only."""

from __future__ import annotations

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


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "  # short names (two Chinese characters, `t5`) still have a few
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Suggester:
    """Close matches among `names` for strings that named nothing, each worked out once per distinct query.

    A query's cost does not grow with the names: it reads the names of its RAREST rarest trigrams (at most COMMON
    each) and compares at most CANDIDATES of them in full, however many names there are. The index is made on the
    first query, so a site with nothing broken never pays for it."""

    def __init__(self, names: Collection[str], cutoff: float = 0.6, limit: int = 3) -> None:
        self.source = names
        self.cutoff = cutoff
        self.limit = limit
        self.names: list[str] = []
        self.postings: dict[str, list[int]] = {}
        self.answers: dict[str, tuple[tuple[float, str], ...]] = {}
        self.read = 0  # names read from the trigram postings
        self.compared = 0  # names compared with a query in full

    def __getstate__(self) -> dict:
        # What a worker process needs for `_closest`: the index, not what it was made from (the link index's own
        # table of names) nor the answers so far.
        return {**self.__dict__, "source": (), "answers": {}}

    def suggest(self, query: str, cutoff: float = 0.0) -> tuple[str, ...]:
        """Up to `limit` names at least `cutoff` (and the suggester's own cutoff) alike with `query`, closest first."""
        known = self.answers.get(query)
        if known is None:
            if not self.names and self.source:
                self._index()
            known = self.answers[query] = self._closest(query)
        return tuple(name for score, name in known if score >= cutoff)

    def prepare(self, queries: Iterable[str]) -> None:
        """Work out many queries' answers at once, in worker processes when there are enough of them; `suggest`
        then finds them ready."""
        from ..engine.parallel import run_all  # here: the index is made first, so that workers receive it

        missing = sorted({query for query in queries if query not in self.answers})
        if not missing:
            return
        if not self.names and self.source:
            self._index()
        self.answers.update(zip(missing, run_all(self._closest, missing, chunk=256), strict=True))

    def _index(self) -> None:
        self.names = sorted(set(self.source))
        for number, name in enumerate(self.names):
            for gram in _trigrams(name):
                self.postings.setdefault(gram, []).append(number)

    def _closest(self, query: str) -> tuple[tuple[float, str], ...]:
        # The rarest trigrams of the query that some name has say most about which name was meant; a typo's own
        # trigrams are in no name, and common ones ("ing") in too many to tell.
        found = ((len(numbers), gram, numbers) for gram in _trigrams(query) if (numbers := self.postings.get(gram)))
        telling = sorted(entry for entry in found if entry[0] <= COMMON)[:RAREST]  # sorted: ties break the same
        enough = math.ceil(len(telling) * SHARED_TRIGRAMS)
        shared: Counter[int] = Counter()
        for count, _, numbers in telling:
            self.read += count
            shared.update(numbers)
        matcher = difflib.SequenceMatcher(b=query, autojunk=False)
        scored = []
        for number, count in shared.most_common(CANDIDATES):
            if count < enough:
                break
            self.compared += 1
            matcher.set_seq1(self.names[number])
            if matcher.real_quick_ratio() >= self.cutoff and matcher.quick_ratio() >= self.cutoff:
                score = matcher.ratio()
                if score >= self.cutoff:
                    scored.append((-score, self.names[number]))
        return tuple((-score, name) for score, name in sorted(scored)[: self.limit])


def did_you_mean(guesses: Iterable[str]) -> str | None:
    """`did you mean "a" or "b"?`, or None when there is nothing to suggest."""
    quoted = [f'"{guess}"' for guess in guesses]
    if not quoted:
        return None
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"did you mean {listed}?"
