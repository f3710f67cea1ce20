"""Related papers for each note, ranked by lineage, links and shared tags, found through inverted indexes."""

from __future__ import annotations

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
        for link in resolved:
            if link.target_slug and link.target_slug != source and link.target_slug in order and source in order:
                links_to.setdefault(source, set()).add(link.target_slug)
                linked_from.setdefault(link.target_slug, set()).add(source)
    result: dict[str, tuple[Related, ...]] = {}
    for slug in slugs:
        relations: dict[str, set[str]] = {}

        def add(other: str, relation: str, slug: str = slug, relations: dict[str, set[str]] = relations) -> None:
            if other != slug and other in order:
                relations.setdefault(other, set()).add(relation)

        for parent in lineage.parents.get(slug, ()):
            add(parent, "builds_on")
            siblings = lineage.children.get(parent, ())
            if len(siblings) <= MAX_FANOUT:
                for sibling in siblings:
                    add(sibling, "sibling")
        for child in lineage.children.get(slug, ()):
            add(child, "built_on_by")
        for other in links_to.get(slug, ()):
            add(other, "links_to")
        for other in linked_from.get(slug, ()):
            add(other, "linked_from")
        own_tags = tags_of.get(slug, [])
        # Tags alone reach MIN_SCORE only from TAGS_NEEDED shared tags: intersect the notes of each such set of
        # tags (in C) rather than meeting every note of every tag.
        by_tags: set[str] = set()
        for group in combinations(own_tags, TAGS_NEEDED):
            by_tags |= frozenset.intersection(*(members[name] for name in group))
        candidates = []
        for other in (set(relations) | by_tags) - {slug}:
            if other not in order:
                continue
            shared = tuple(name for name in own_tags if other in members[name])
            kinds = relations.get(other, set())
            if "builds_on" in kinds or "built_on_by" in kinds:
                kinds = kinds - {"sibling"}
            score = sum(WEIGHTS[k] for k in kinds) + TAG_WEIGHT * len(shared)
            if score >= MIN_SCORE:
                ordered_kinds = tuple(k for k in WEIGHTS if k in kinds)
                candidates.append(Related(other, score, ordered_kinds, shared))
        candidates.sort(key=lambda r: (-r.score, order[r.slug]))
        result[slug] = tuple(candidates[:limit])
    return result
