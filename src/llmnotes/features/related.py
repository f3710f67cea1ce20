"""Related papers for each note, ranked by lineage, links and shared tags, found through inverted indexes."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from itertools import combinations

from ..model import Lineage, Related, ResolvedLink, Tag

# How much each kind of connection counts; a pair's score is the sum.
WEIGHTS = {"builds_on": 3.0, "built_on_by": 3.0, "links_to": 2.0, "linked_from": 2.0, "sibling": 1.0}
TAG_WEIGHT = 1.0
MIN_SCORE = 2.0  # one shared tag alone is not enough
LIMIT = 5
# A tag on more notes than this, or a parent of more children, says little about any two of them and would make
# the cost grow with the square of the site; such hubs are skipped.
MAX_FANOUT = 200
TAGS_NEEDED = math.ceil(MIN_SCORE / TAG_WEIGHT)

# Relations are bits of one int per pair while ranking (sets per pair cost a third of a large site's linking):
# each set of bits has its score and its relations, in WEIGHTS' order, worked out once.
_BIT = {kind: 1 << i for i, kind in enumerate(WEIGHTS)}
_LINEAGE_BITS = _BIT["builds_on"] | _BIT["built_on_by"]


def _shown(bits: int) -> tuple[float, tuple[str, ...]]:
    if bits & _LINEAGE_BITS:  # a parent or child is not also a sibling
        bits &= ~_BIT["sibling"]
    kinds = tuple(kind for kind in WEIGHTS if bits & _BIT[kind])
    return sum(WEIGHTS[kind] for kind in kinds), kinds


_SHOWN = [_shown(bits) for bits in range(1 << len(WEIGHTS))]


def related_key(
    slugs: Sequence[str], tags: Sequence[Tag], links: dict[str, tuple[ResolvedLink, ...]], lineage: Lineage
) -> str:
    """A digest of everything `related_notes` reads; not of the order of the notes of a tag, of the links or of a
    note's parents and children, which it does not depend on."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(slugs).encode())
    for tag in tags:
        digest.update(("\1" + tag.name + "\0" + "\0".join(sorted(tag.note_slugs))).encode())
    for source, resolved in sorted(links.items()):
        digest.update(("\1" + source + "\0" + "\0".join(sorted(link.target_slug or "" for link in resolved))).encode())
    for family in (lineage.parents, lineage.children):
        digest.update(repr(sorted((slug, sorted(others)) for slug, others in family.items())).encode())
    return digest.hexdigest()


def related_notes(
    slugs: Sequence[str],
    tags: Sequence[Tag],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
    limit: int = LIMIT,
) -> dict[str, tuple[Related, ...]]:
    """slug → up to `limit` related notes, best first; `slugs` is the display order that breaks ties.

    Each note only meets the notes it shares a tag, a link or a lineage edge with, so the cost follows the number of
    such neighbours rather than the square of the number of notes.
    """
    order = {slug: i for i, slug in enumerate(slugs)}
    members = {tag.name: frozenset(tag.note_slugs) for tag in tags if len(tag.note_slugs) <= MAX_FANOUT}
    tags_of: dict[str, list[str]] = {}
    for tag in tags:
        if tag.name in members:
            for slug in tag.note_slugs:
                tags_of.setdefault(slug, []).append(tag.name)
    linked_from: dict[str, set[str]] = {}
    links_to: dict[str, set[str]] = {}
    for source, resolved in links.items():
        if source not in order:
            continue
        for link in resolved:
            target = link.target_slug
            if target and target != source and target in order:
                links_to.setdefault(source, set()).add(target)
                linked_from.setdefault(target, set()).add(source)
    parents_of, children_of = lineage.parents, lineage.children
    builds_on, built_on_by, sibling = _BIT["builds_on"], _BIT["built_on_by"], _BIT["sibling"]
    links_to_bit, linked_from_bit = _BIT["links_to"], _BIT["linked_from"]
    nothing: tuple[str, ...] = ()
    result: dict[str, tuple[Related, ...]] = {}
    for slug in slugs:
        relations: dict[str, int] = {}
        for parent in parents_of.get(slug, nothing):
            relations[parent] = relations.get(parent, 0) | builds_on
            siblings = children_of.get(parent, nothing)
            if len(siblings) <= MAX_FANOUT:
                for other in siblings:
                    relations[other] = relations.get(other, 0) | sibling
        for other in children_of.get(slug, nothing):
            relations[other] = relations.get(other, 0) | built_on_by
        for other in links_to.get(slug, nothing):
            relations[other] = relations.get(other, 0) | links_to_bit
        for other in linked_from.get(slug, nothing):
            relations[other] = relations.get(other, 0) | linked_from_bit
        own_tags = tags_of.get(slug, [])
        own = [(name, members[name]) for name in own_tags]
        # Tags alone reach MIN_SCORE only from TAGS_NEEDED shared tags: intersect the notes of each such set of
        # tags (in C) rather than meeting every note of every tag.
        candidates = set(relations)
        for group in combinations(own_tags, TAGS_NEEDED):
            candidates |= frozenset.intersection(*(members[name] for name in group))
        candidates.discard(slug)
        shared_count: dict[str, int] = {}  # the candidates' shared tags, counted in C through set intersections
        for _, notes in own:
            for other in candidates & notes:
                shared_count[other] = shared_count.get(other, 0) + 1
        ranked = []
        for other in candidates:
            position = order.get(other)
            if position is None:
                continue
            score = _SHOWN[relations.get(other, 0)][0] + TAG_WEIGHT * shared_count.get(other, 0)
            if score >= MIN_SCORE:
                ranked.append((-score, position, other))
        ranked.sort()
        best = []
        for score, _, other in ranked[:limit]:
            shared = tuple(name for name, notes in own if other in notes)
            best.append(Related(other, -score, _SHOWN[relations.get(other, 0)][1], shared))
        result[slug] = tuple(best)
    return result
