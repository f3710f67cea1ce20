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
    parts = ["\0".join(slugs)]
    parts += ["\1" + tag.name + "\0" + "\0".join(sorted(tag.note_slugs)) for tag in tags]
    parts += [
        "\1" + source + "\0" + "\0".join(sorted([link.target_slug or "" for link in resolved]))
        for source, resolved in sorted(links.items())
    ]
    for family in (lineage.parents, lineage.children):  # most notes have none: `slugs` says which notes there are
        parts.append(repr(sorted((slug, sorted(others)) for slug, others in family.items() if others)))
    # one update of the parts joined: the same digest as an update per part, without a call per note
    return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()


def related_notes(
    slugs: Sequence[str],
    tags: Sequence[Tag],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
    limit: int = LIMIT,
    only: set[str] | None = None,
) -> dict[str, tuple[Related, ...]]:
    """slug → up to `limit` related notes, best first; `slugs` is the display order that breaks ties. Of the notes
    in `only`, when given.

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
        if only is not None and source not in only:  # only the links into the notes asked for: a note added asked
            for link in resolved:  # for a few, and indexing every link of 10,000 notes took 0.1 s
                target = link.target_slug
                if target in only and target != source:
                    linked_from.setdefault(target, set()).add(source)
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
    for slug in slugs if only is None else [slug for slug in slugs if slug in only]:
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


Facets = dict[str, tuple]  # slug -> what `related_notes` reads of the note (see `related_facets`)
MOST_CHANGED = 64  # notes whose facets changed beyond which working every note out again is as quick


def related_facets(
    slugs: Sequence[str], tags: Sequence[Tag], links: dict[str, tuple[ResolvedLink, ...]], lineage: Lineage
) -> Facets:
    """What `related_notes` reads of each note: its tags but the hubs, the notes it links to, its parents and
    children, and the notes before and after it in `slugs` (whose order breaks ties)."""
    in_site = set(slugs)
    tags_of: dict[str, list[str]] = {}
    for tag in tags:
        if len(tag.note_slugs) <= MAX_FANOUT:
            for slug in tag.note_slugs:
                tags_of.setdefault(slug, []).append(tag.name)
    facets = {}
    last = len(slugs) - 1
    for number, slug in enumerate(slugs):
        targets = {link.target_slug for link in links.get(slug, ())}
        facets[slug] = (
            tuple(sorted(tags_of.get(slug, ()))),
            tuple(sorted(target for target in targets if target and target != slug and target in in_site)),
            tuple(sorted(lineage.parents.get(slug, ()))),
            tuple(sorted(lineage.children.get(slug, ()))),
            slugs[number - 1] if number else None,
            slugs[number + 1] if number < last else None,
        )
    return facets


def updated_related(
    previous: tuple[Facets, dict[str, tuple[Related, ...]]] | None,
    slugs: Sequence[str],
    tags: Sequence[Tag],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
) -> tuple[Facets, dict[str, tuple[Related, ...]]]:
    """The facets and `related_notes` of the notes, from the `previous` build's where they hold: only the notes
    around those whose facets changed (sharing a tag, a link, a parent or a child with one, before or after the
    change) are worked out again. A tag edit or a note added changed a few dozen notes' related notes, and working
    out all 10,000 took half a second."""
    facets = related_facets(slugs, tags, links, lineage)
    if previous is None:
        return facets, related_notes(slugs, tags, links, lineage)
    old_facets, old_related = previous
    changed = [slug for slug in facets.keys() | old_facets.keys() if facets.get(slug) != old_facets.get(slug)]
    if _same_relative_order(old_facets, slugs):
        # The order breaks ties only: the notes beside one added or deleted, whose neighbours alone changed, rank
        # their candidates as before. Worked out again around them, a note added took 0.13 s at 10,000 notes.
        changed = [slug for slug in changed if _relations(facets.get(slug)) != _relations(old_facets.get(slug))]
    if len(changed) > MOST_CHANGED:
        return facets, related_notes(slugs, tags, links, lineage)
    affected = _around(old_facets, changed) | _around(facets, changed)
    fresh = related_notes(slugs, tags, links, lineage, only=affected)
    return facets, {slug: fresh[slug] if slug in affected else old_related[slug] for slug in slugs}


def _relations(facet: tuple | None) -> tuple | None:
    """What of a note's facets is not its place in the order: its tags, links, parents and children."""
    return facet[:4] if facet is not None else None


def _same_relative_order(old_facets: Facets, slugs: Sequence[str]) -> bool:
    """Whether the notes both in `old_facets` and in `slugs` come in the same order in each (`related_facets` lists
    the notes in the last build's order)."""
    now = set(slugs)
    return [slug for slug in old_facets if slug in now] == [slug for slug in slugs if slug in old_facets]


def _around(facets: Facets, changed: Sequence[str]) -> set[str]:
    """The notes whose related notes may change with the `changed` notes' facets: those sharing a tag or a link with
    one, its parents, children and siblings, and itself. One pass over the notes, without indexing them all (two
    indexes of 10,000 notes' tags and links took 0.05 s of every edit that changed a link or a tag)."""
    notes: set[str] = set()
    shared_tags: set[str] = set()
    for slug in changed:
        found = facets.get(slug)
        if found is None:
            continue
        own_tags, targets, parents, children, *_ = found
        notes.update((slug, *targets, *parents, *children))
        shared_tags.update(own_tags)
        for parent in parents:  # (a sibling alone scores below MIN_SCORE today, and shares a tag or link if shown)
            notes.update(facets[parent][3] if parent in facets else ())
    linked = set(changed)
    for slug, (own_tags, targets, *_) in facets.items():
        if not shared_tags.isdisjoint(own_tags) or not linked.isdisjoint(targets):
            notes.add(slug)
    return notes
