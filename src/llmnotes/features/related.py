"""Related papers for each note, ranked by lineage, links and shared tags, found through inverted indexes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from operator import attrgetter

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


def related_notes(
    slugs: Sequence[str],
    tags: Sequence[Tag],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
    limit: int = LIMIT,
    only: set[str] | None = None,
    facets: Facets | None = None,
) -> dict[str, tuple[Related, ...]]:
    """slug → up to `limit` related notes, best first; `slugs` is the display order that breaks ties. Of the notes
    in `only`, when given; `facets`, the notes' `related_facets` when already made.

    Each note only meets the notes it shares a tag, a link or a lineage edge with, so the cost follows the number of
    such neighbours rather than the square of the number of notes.
    """
    if facets is None:
        facets = related_facets(slugs, tags, links, lineage)
    order = {slug: i for i, slug in enumerate(slugs)}
    wanted = slugs if only is None else [slug for slug in slugs if slug in only]
    members: dict[str, frozenset[str]] = {}
    tags_of: dict[str, list[str]] = {}
    for tag in tags:
        if len(tag.note_slugs) <= MAX_FANOUT:
            for slug in tag.note_slugs:
                if only is None or slug in only:
                    tags_of.setdefault(slug, []).append(tag.name)
                    if tag.name not in members:
                        members[tag.name] = frozenset(tag.note_slugs)
    linked_from: dict[str, list[str]] = {}
    for source, facet in facets.items():  # a facet's targets are notes of the site, other than itself
        targets = facet[1]
        if targets and (only is None or not only.isdisjoint(targets)):
            for target in targets:
                if only is None or target in only:
                    linked_from.setdefault(target, []).append(source)
    parents_of, children_of = lineage.parents, lineage.children
    builds_on, built_on_by, sibling = _BIT["builds_on"], _BIT["built_on_by"], _BIT["sibling"]
    links_to_bit, linked_from_bit = _BIT["links_to"], _BIT["linked_from"]
    nothing: tuple[str, ...] = ()
    result: dict[str, tuple[Related, ...]] = {}
    for slug in wanted:
        relations: dict[str, int] = {}
        for parent in parents_of.get(slug, nothing):
            relations[parent] = relations.get(parent, 0) | builds_on
            siblings = children_of.get(parent, nothing)
            if len(siblings) <= MAX_FANOUT:
                for other in siblings:
                    relations[other] = relations.get(other, 0) | sibling
        for other in children_of.get(slug, nothing):
            relations[other] = relations.get(other, 0) | built_on_by
        for other in facets[slug][1]:
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
    children, and the notes before and after it in `slugs` (whose order breaks ties). Equal facets, equal related
    notes: the last build's facets say whether any note's related notes may have changed (see `updated_related`)."""
    in_site = set(slugs)
    tags_of: dict[str, list[str]] = {}
    for tag in tags:
        if len(tag.note_slugs) <= MAX_FANOUT:
            for slug in tag.note_slugs:
                tags_of.setdefault(slug, []).append(tag.name)
    parents, children = lineage.parents, lineage.children
    nothing: tuple[str, ...] = ()
    facets = {}
    last = len(slugs) - 1
    for number, slug in enumerate(slugs):
        own, resolved, up, down = tags_of.get(slug), links.get(slug), parents.get(slug), children.get(slug)
        if resolved:
            targets = set(map(_target, resolved))
            targets.discard(None)
            targets.discard(slug)
            if not targets <= in_site:
                targets &= in_site
        facets[slug] = (
            tuple(sorted(own)) if own else nothing,
            tuple(sorted(targets)) if resolved and targets else nothing,
            tuple(sorted(up)) if up else nothing,
            tuple(sorted(down)) if down else nothing,
            slugs[number - 1] if number else None,
            slugs[number + 1] if number < last else None,
        )
    return facets


_target = attrgetter("target_slug")


def updated_related(
    previous: tuple[Facets, dict[str, tuple[Related, ...]]] | None,
    slugs: Sequence[str],
    tags: Sequence[Tag],
    links: dict[str, tuple[ResolvedLink, ...]],
    lineage: Lineage,
    facets: Facets | None = None,
) -> tuple[Facets, dict[str, tuple[Related, ...]]]:
    """The facets (`facets`, when already made) and `related_notes` of the notes, from the `previous` build's where
    they hold: the same when no note's facets changed (a body or title edit), else worked out again only for the
    notes whose ranking a change reaches (see `_reached`). A tag edit or a note added changed a few dozen notes'
    related notes, and working out all 10,000 took half a second."""
    if facets is None:
        facets = related_facets(slugs, tags, links, lineage)
    if previous is None:
        return facets, related_notes(slugs, tags, links, lineage, facets=facets)
    old_facets, old_related = previous
    if facets == old_facets:
        return previous
    changed = [slug for slug in facets.keys() | old_facets.keys() if facets.get(slug) != old_facets.get(slug)]
    same_order = _same_relative_order(old_facets, slugs)
    if same_order:
        # The order breaks ties only: the notes beside one added or deleted, whose neighbours alone changed, rank
        # their candidates as before. Worked out again around them, a note added took 0.13 s at 10,000 notes.
        changed = [slug for slug in changed if _relations(facets.get(slug)) != _relations(old_facets.get(slug))]
    if len(changed) > MOST_CHANGED:
        return facets, related_notes(slugs, tags, links, lineage, facets=facets)
    affected = _reached(old_facets, facets, changed, same_order)
    fresh = related_notes(slugs, tags, links, lineage, only=affected, facets=facets)
    return facets, {slug: fresh[slug] if slug in affected else old_related[slug] for slug in slugs}


def _relations(facet: tuple | None) -> tuple | None:
    """What of a note's facets is not its place in the order: its tags, links, parents and children."""
    return facet[:4] if facet is not None else None


def _same_relative_order(old_facets: Facets, slugs: Sequence[str]) -> bool:
    """Whether the notes both in `old_facets` and in `slugs` come in the same order in each (`related_facets` lists
    the notes in the last build's order)."""
    now = set(slugs)
    return [slug for slug in old_facets if slug in now] == [slug for slug in slugs if slug in old_facets]


def _reached(old: Facets, new: Facets, changed: Sequence[str], same_order: bool) -> set[str]:
    """The notes whose related notes may change with the `changed` notes' facets: each changed note, and the notes
    a pair with it scores differently for. With the order the same, that is the notes of the tags it gained or lost,
    the notes it began or stopped linking to, its parents and children gained or lost and their children (its
    siblings): a link edit reached two notes, where every note sharing a tag with it (500 at 10,000 notes) took
    0.04 s. A note added or deleted, or moved in the order, reaches every note it meets: sharing a tag or a link,
    its lineage, and the notes linking to it."""
    notes: set[str] = set()
    shared_tags: set[str] = set()
    linked: set[str] = set()
    for slug in changed:
        before, after = old.get(slug), new.get(slug)
        if same_order and before is not None and after is not None:
            own_tags, targets, parents, children = (
                set(was) ^ set(now) for was, now in zip(before[:4], after[:4], strict=True)
            )
        else:
            own_tags, targets, parents, children = (
                {*(before[part] if before else ()), *(after[part] if after else ())} for part in range(4)
            )
            linked.add(slug)
        notes.add(slug)
        notes.update(targets, parents, children)
        shared_tags.update(own_tags)
        for parent in parents:  # (a sibling alone scores below MIN_SCORE today, and shares a tag or link if shown)
            for facets in (old, new):
                notes.update(facets[parent][3] if parent in facets else ())
    if shared_tags or linked:  # one pass over the notes, without indexing them all
        for facets in (old, new):
            for slug, (own_tags, targets, *_) in facets.items():
                if not shared_tags.isdisjoint(own_tags) or not linked.isdisjoint(targets):
                    notes.add(slug)
    return notes
