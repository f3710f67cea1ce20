"""What the emitters share: the site, its renderer, and the per-note values and keys carried from build to build."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..config import Config
from ..content.parse import LABEL
from ..engine.cache import CARDS, LISTINGS, Store
from ..features.citations import grouped_cite_keys, is_paper, parsed_cite_keys
from ..features.search import section_path
from ..model import Note, ParsedNote, Site
from ..paths import fold
from .cards import Card, _excerpt, body_key, note_card, short_digest, tag_ref

if TYPE_CHECKING:  # Jinja is loaded by whoever makes the renderer, not by an edit that renders no template
    from markupsafe import Markup

    from .render import Renderer

Remembered = TypeVar("Remembered")


@dataclass(frozen=True, slots=True)
class PageContext:
    """What emitters share: the site, configuration and renderer, and per-note values worked out once."""

    site: Site
    config: Config
    renderer: Renderer
    search_entries: Store | None = None  # kept by the cache between builds, by digest of a document's inputs
    theme: dict[str, str] = field(default_factory=dict)  # path inside the theme -> digest (see inputs.Inputs)
    memo: dict[tuple[str, str], Any] = field(default_factory=dict)
    card_keys: dict[str, str] = field(default_factory=dict)  # slug -> `card_key`, asked for 20 times a note
    tag_pairs: dict[str, tuple[str, str]] = field(default_factory=dict)  # a tag as written -> its name and page
    # name -> (the last build's values, this build's for the next), kept by the cache (see BuildCache.carried): the
    # card keys (CARDS, see `_card_key`), the listing texts (LISTINGS, see `_listings`), the side navigation (NAV,
    # see nav.nearby_key)
    carried: dict[str, tuple[dict, dict]] = field(default_factory=dict)
    # kind -> slug -> (inputs, the notes whose cards it shows, key): the output keys a server kept of its last build,
    # and this build's, which `keep_keys` keeps for the next (see `carried_key`). None: not kept (the command line).
    kept_keys: dict[str, Any] | None = None
    next_keys: dict[str, Any] = field(default_factory=dict)
    # kind -> card -> the slugs whose kept entry shows it (see `shown_by`); kind -> slugs whose entry was made again
    shown: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    remade: dict[str, list[str]] = field(default_factory=dict)
    # the outputs an emitter took whole from this process's last build: the same objects, with the same keys
    taken: set[str] = field(default_factory=set)

    def remember(self, kind: str, name: str, make: Callable[[], Remembered]) -> Remembered:
        """`make()`, worked out once per build for (kind, name)."""
        found: Remembered | None = self.memo.get((kind, name))
        if found is None:
            found = self.memo[kind, name] = make()
        return found

    def kept(self, name: str) -> tuple[dict, dict]:
        """The last build's values carried under `name` (see `carried`), and this build's, filled for the next."""
        found = self.carried.get(name)
        if found is None:
            found = self.carried[name] = ({}, {})
        return found

    def card(self, slug: str) -> Card:
        """`note_card` of a note."""
        return self.remember("card", slug, lambda: note_card(self.site.by_slug[slug], self.site))

    def card_link(self, slug: str, page_path: str) -> Markup:
        """A link to the note as the page's lists show it: the partial _note_link.html, once per note and folder."""
        return self.card_fragment("_note_link.html", slug, page_path)

    def card_entry(self, slug: str, page_path: str) -> Markup:
        """The note as the page's lists show it, link and year: the partial _card.html, once per note and folder."""
        return self.card_fragment("_card.html", slug, page_path)

    def note_item(self, slug: str, page_path: str) -> Markup:
        """The note as tag, year and home pages list it: the partial _note_item.html, once per note and folder."""
        return self.card_fragment("_note_item.html", slug, page_path)

    def card_fragment(
        self, template_name: str, slug: str, page_path: str, more: Callable[[], dict[str, Any]] | None = None
    ) -> Markup:
        """A partial showing the note's card (and what `more()` gives, which the card key must cover), once per note
        and folder, and kept between builds by the pages that list every note (see `Renderer.fragment`). The card
        is made only if the partial is rendered: a title edit's timeline, year and tag pages list 5,000 notes."""
        return self.renderer.fragment(
            template_name,
            page_path,
            slug,
            key=self.card_key(slug),
            lazy=lambda: {"card": self.card(slug), **(more() if more else {})},
        )

    def excerpt(self, slug: str) -> str:
        return self.remember("excerpt", slug, lambda: _excerpt(self.site.by_slug[slug], self.site))

    def card_key(self, slug: str) -> str:
        """What any page shows of a note besides its body: front matter, path, excerpt, its tags' names and counts."""
        found = self.card_keys.get(slug)
        if found is None:
            found = self.card_keys[slug] = self._card_key(slug)
        return found

    def carried_key(
        self, kind: str, slug: str, inputs: tuple, cards: Callable[[], frozenset[str]], make: Callable[[], str]
    ) -> str:
        """`make()`, the key of an output's part that shows the note `slug`: or the last build's key of it, when
        that was made from equal `inputs` and the `cards` of other notes it shows are unchanged (see
        `changed_cards`). A server's title edit at 10,000 notes worked out every note page's key again, 0.4 s."""
        if self.kept_keys is None:
            return make()
        changed = self.changed_cards()
        last = self.kept_keys.get(kind, {}).get(slug) if changed is not None else None
        if last is not None and last[0] == inputs and changed.isdisjoint(last[1]):  # type: ignore[union-attr]
            if CHECK_CARRIED and make() != last[2]:
                raise AssertionError(f"the {kind} key of {slug} carried over from the last build is not its key")
            # kept with this build's inputs: the next build's are mostly the same objects, compared in no time
            last = (inputs, last[1], last[2])
        else:
            last = (inputs, cards(), make())
            self.remade.setdefault(kind, []).append(slug)
        self.next_keys.setdefault(kind, {})[slug] = last
        return last[2]

    def kept_key(self, kind: str, slug: str) -> tuple[tuple, frozenset[str], str] | None:
        """The last build's (inputs, cards, key) of an output's part that shows the note `slug`, kept for the next
        build, if this process kept it and none of the `cards` it shows changed: for a caller that knows the inputs
        are the same without making them (see note._settled)."""
        changed = self.changed_cards()
        last = (self.kept_keys or {}).get(kind, {}).get(slug) if changed is not None else None
        if last is None or not changed.isdisjoint(last[1]):  # type: ignore[union-attr]
            return None
        self.next_keys.setdefault(kind, {})[slug] = last
        return last  # type: ignore[no-any-return]

    def shown_by(self, kind: str) -> dict[str, frozenset[str]]:
        """Card -> the slugs whose entry of `kind` kept from the last build (see `carried_key`) shows it: what a change
        of cards reaches, without looking at every entry. Made once per server, then kept up to date build by build
        (see `keep_keys`)."""
        found = self.shown.get(kind)
        if found is None:
            kept = self.kept_keys or {}
            found = self.shown[kind] = kept.get(kind + _SHOWN) or _shown_by(kept.get(kind, {}))
        return found

    def kept_facts(self, kind: str, facts: object) -> Any:
        """What the last build kept of `kind` (see `kept_key`), if the site has the same notes and cards were kept;
        `facts`, this build's, are kept for the next."""
        self.next_keys[kind] = facts
        return (self.kept_keys or {}).get(kind) if self.changed_cards() is not None else None

    def changed_cards(self) -> frozenset[str] | None:
        """The notes whose card key is not the last build's (the notes added and deleted among them), if this process
        kept those (a server); else None, and no key is carried over (see `carried_key`)."""
        if self.kept_keys is None:  # the command line; or a worker, sent the site without the keys (see outputs.py)
            return None
        if _CHANGED not in self.memo:
            self.memo[_CHANGED] = self._changed_cards()
        return self.memo[_CHANGED]  # type: ignore[no-any-return]

    def _changed_cards(self) -> frozenset[str] | None:
        """Only the cards whose inputs (see `_card_inputs`) may have changed are looked at; the others' keys are the
        last build's. Comparing the inputs of 10,000 cards took a tenth of a server's title edit. The notes added
        count as changed, and so do those deleted: whatever showed them is made again."""
        site, kept = self.site, self.kept_keys or {}
        last: dict[str, str] = kept.get(_CARDS) or {}
        facts = self.card_facts()
        if not last:
            self.next_keys[_CARDS] = {slug: self.card_key(slug) for slug in site.by_slug}
            return None
        looked_at = facts.changed_since(kept.get(_CARD_FACTS), site)
        if looked_at is None:
            looked_at = set(site.by_slug)
        if CHECK_CARRIED and any(self._card_key(slug) != last[slug] for slug in site.by_slug if slug not in looked_at):
            raise AssertionError("a card key carried over from the last build is not its key")
        deleted = last.keys() - site.by_slug.keys()
        # The others' keys carried over whole (and kept by the cache for the command line's next build as they were),
        # but for those already made in this build; the keys of those looked at are made.
        last_cards, next_cards = self.kept(CARDS)
        _carry(self.card_keys, last, looked_at | deleted)
        _carry(next_cards, last_cards, looked_at | deleted)
        for slug in looked_at:
            self.card_key(slug)
        cards = self.next_keys[_CARDS] = dict(self.card_keys)
        return frozenset(slug for slug in looked_at if cards[slug] != last.get(slug)) | deleted

    def card_facts(self) -> CardFacts:
        """This build's `CardFacts`, made once and kept for the next build of this process."""
        found = self.next_keys.get(_CARD_FACTS)
        if found is None:
            found = self.next_keys[_CARD_FACTS] = CardFacts.of(self.site)
        return found

    def keep_keys(self) -> None:
        """Keep this build's output keys for the next build of this process (see `carried_key`): once every output
        is keyed, so that the card keys kept are those the other keys were checked against."""
        if self.kept_keys is not None and _CARDS in self.next_keys:
            for kind, shown in self.shown.items():
                before, after = self.kept_keys.get(kind, {}), self.next_keys.get(kind, {})
                self.next_keys[kind + _SHOWN] = _moved(shown, self.remade.get(kind, ()), before, after)
            self.kept_keys.clear()
            self.kept_keys.update(self.next_keys)

    def _card_key(self, slug: str) -> str:
        """The last build's card key when the card's inputs are the same: making the excerpts and digests of 10,000
        cards took a tenth of every build that keys the whole site."""
        parsed = self.site.by_slug[slug]
        if parsed.lead is None:  # its excerpt shows a citation, which the bibliography formats: not carried over
            return self._card_digest(parsed)
        inputs = self._card_inputs(parsed)
        last_cards, next_cards = self.kept(CARDS)
        last = last_cards.get(slug)
        key = last[1] if last is not None and last[0] == inputs else self._card_digest(parsed)
        next_cards[slug] = (inputs, key)
        return key

    def _card_inputs(self, parsed: ParsedNote) -> tuple:
        """What the card key of a note whose excerpt has no citation is made from (see `_card_digest`), as it is: its
        bytes, label, path, tags, dates, sections, and where its links land under which labels (its excerpt shows
        them). Comparing these takes a third of the time of making the key."""
        site, note = self.site, parsed.note
        slug, labels = note.slug, site.labels
        links = site.links.get(slug, ()) if LABEL in (parsed.lead or "") else ()  # else the excerpt shows no label
        return (
            note.digest,
            note.label,
            site.paths[slug],
            tuple((r.target_slug, r.anchor, labels.get(r.target_slug or "")) for r in links),
            tuple(self._tag_pairs(note)) if note.kind == "note" else (),
            site.dates.get(slug),
            section_path(site, slug),
        )

    def _card_digest(self, parsed: ParsedNote) -> str:
        slug = parsed.note.slug
        parts = (
            parsed.facts,
            parsed.note.label,  # besides the front matter, a section's name may come from mkdocs.yml's nav
            self.site.paths[slug],
            self.excerpt(slug),
            self._tag_pairs(parsed.note) if parsed.note.kind == "note" else (),
            self.site.dates.get(slug),
            section_path(self.site, slug),  # search results show the sections a note is in
        )
        return short_digest(repr(parts))

    def _tag_pairs(self, note: Note) -> list[tuple[str, str]]:
        """The name and page of each of the note's tags, as its card shows them."""
        pairs = self.tag_pairs
        return [pairs.get(name) or self._tag_pair(name) for name in note.tags]

    def _tag_pair(self, name: str) -> tuple[str, str]:
        ref = tag_ref(name, self.site)
        pair = self.tag_pairs[name] = (ref["name"], ref["path"])
        return pair

    def body_key(self, parsed: ParsedNote) -> str:
        """What a note's linked body depends on: its bytes and where and under which names its links land."""
        return self.remember("body_key", parsed.note.slug, lambda: self._body_key(parsed))

    def body_targets(self, parsed: ParsedNote) -> tuple:
        """The links' part of the body's key: where each lands, and the card of the note it lands on."""
        return tuple(
            (r.target_slug, r.anchor, self.card_key(r.target_slug) if r.target_slug else None)
            for r in self.site.links.get(parsed.note.slug, ())
        )

    def _body_key(self, parsed: ParsedNote) -> str:
        slug = parsed.note.slug
        changed = self.changed_bodies()
        if changed is not None and slug not in changed:
            found: tuple[tuple, frozenset[str], str] = (self.kept_keys or {})[_BODY][slug]
            if CHECK_CARRIED and found[2] != self._made_body_key(parsed):
                raise AssertionError(f"the body key of {slug} carried over from the last build is not its key")
            return found[2]
        return self._made_body_key(parsed)

    def _made_body_key(self, parsed: ParsedNote) -> str:
        slug = parsed.note.slug
        embeds = self.site.embeds.get(slug)
        if not parsed.citations:
            links = self.site.links.get(slug, ())
            return self.carried_key(
                _BODY,
                slug,
                (parsed.note.digest, links, embeds),
                lambda: frozenset(r.target_slug for r in links if r.target_slug),
                lambda: body_key(parsed.note.digest, self.body_targets(parsed), embeds),
            )
        references = self.site.references
        cited = tuple(references.get(link.target) for link in parsed.links if link.kind == "cite")
        self.next_keys.get(_BODY, {}).pop(slug, None)  # a key made from the bibliography too is never carried over
        return body_key(parsed.note.digest, self.body_targets(parsed), embeds, cited)

    def changed_bodies(self) -> frozenset[str] | None:
        """The notes whose body key may differ from the last build's kept by this process (a server), known without
        making the keys of 10,000 notes: their bytes, links or embedded files changed, a note they link to has another
        card, or they cite (those keys are always made); None when unknown, and every body key is made."""
        if self.kept_keys is None:  # see `changed_cards`
            return None
        if _CHANGED_BODIES not in self.memo:
            self.memo[_CHANGED_BODIES] = self._changed_bodies()
        return self.memo[_CHANGED_BODIES]  # type: ignore[no-any-return]

    def _changed_bodies(self) -> frozenset[str] | None:
        site, kept = self.site, self.kept_keys
        if kept is None:
            return None
        last = self.kept_facts(_BODY_FACTS, (self.card_facts().digests, site.links, site.embeds))
        if last is None or _BODY not in kept:
            return None
        digests, links, embeds = self.next_keys[_BODY_FACTS]
        changed = differing(digests, last[0]) | differing(links, last[1]) | differing(embeds, last[2])
        shown_by = self.shown_by(_BODY)
        for card in self.changed_cards() or ():
            changed.update(shown_by.get(card, ()))
        changed.update(site.by_slug.keys() - kept[_BODY].keys())  # the notes that cite: their keys are not kept
        self.next_keys[_BODY] = dict(kept[_BODY])  # the others' as they were; those made again replace theirs
        return frozenset(changed)

    def listed(self) -> list[ParsedNote]:
        """The notes that lists of papers show (home page, year pages, timeline, feed), in the site's order: every
        note but the folders' own pages (index.md, README.md), which list their folders and belong to no year."""
        return self.remember("listed", "", lambda: [p for p in self.site.notes if not p.note.is_section])

    def notes_key(self) -> str:
        """What every note shows in lists, in the site's order: for pages that list all notes."""
        return self.remember("notes", "", self._notes_key)

    def _notes_key(self) -> str:
        return short_digest(" ".join(self.card_key(p.note.slug) for p in self.site.notes))

    def listing_key(self) -> str:
        """What the pages that list every note (timeline, lineage, tag index) show: each note's card, month and the
        notes it builds on, in the site's order, and each tag's name, page and count. Narrower than `notes_key`: an
        edit of a note's first paragraph, dates or other facts leaves those pages alone."""
        return self.remember("listing", "", self._listing_key)

    def _listing_key(self) -> str:
        tags = [(tag.name, tag.slug, len(tag.note_slugs)) for tag in self.site.tags]
        return short_digest("\x1e".join(self._listings()) + "\x1d" + repr(tags))

    def _listings(self) -> list[str]:
        """Each note's `listing_fields` as text, in the site's order: the last build's while the note's card key and
        parents are the same (its other fields are its card's), kept by the cache (`kept(LISTINGS)`): making the
        text of 10,000 notes took every build that relinks the site 0.08 s."""
        last, kept = self.kept(LISTINGS)
        parents = self.site.lineage.parents
        for parsed in self.site.notes:
            slug = parsed.note.slug
            card, found = self.card_key(slug), last.get(slug)
            if found is None or found[0] != card or found[1] != parents.get(slug):
                found = (card, parents.get(slug), repr(self.listing_fields(parsed.note)))
            elif CHECK_CARRIED and found[2] != repr(self.listing_fields(parsed.note)):
                raise AssertionError(f"the listing of {slug} carried over from the last build is not its listing")
            kept[slug] = found
        return [found[2] for found in kept.values()]

    def listing_fields(self, n: Note) -> tuple:
        """What a page that lists the note shows of it: its card (see `note_card`), without making the card (the
        page makes it if it renders), its month and the notes it builds on."""
        site = self.site
        parents = site.lineage.parents.get(n.slug)
        return (
            n.slug,
            site.paths[n.slug],
            n.label,
            n.title,
            n.year,
            n.venue,
            n.summary,
            self._tag_pairs(n),
            n.month,
            parents,
        )

    def cite_keys(self) -> dict[str, str]:
        """slug → citation key, for the notes about papers (see `is_paper`)."""
        return self.remember("cite_keys", "", self._cite_keys)

    def _cite_keys(self) -> dict[str, str]:
        papers = (p for p in self.site.notes if is_paper(p.note))
        if self.kept_keys is None:
            return parsed_cite_keys(papers)
        made = self.next_keys[_CITE_KEYS] = grouped_cite_keys(papers, self.kept_keys.get(_CITE_KEYS))
        if CHECK_CARRIED and made.keys != parsed_cite_keys(p for p in self.site.notes if is_paper(p.note)):
            raise AssertionError("the citation keys carried over from the last build are not the site's")
        return made.keys


# Under which `PageContext.carried_key` keeps the card keys and what they were made from, and memoizes which
# changed; the body keys' kind.
_CARDS, _CARD_FACTS, _CHANGED, _BODY = "cards", "card facts", ("changed cards", ""), "body"
_CHANGED_BODIES = ("changed bodies", "")
_BODY_FACTS = "body facts"  # the notes' digests, links and embedded files, as a build saw them
_CITE_KEYS = "citation keys"  # with the groups they were made in (see citations.grouped_cite_keys)
_SHOWN = " shown by"  # after a kind: which entries show each card (see `PageContext.shown_by`)


@dataclass(frozen=True, slots=True)
class CardFacts:
    """What the cards of a site's notes are made from besides each note's own bytes (see `PageContext._card_inputs`),
    as a build saw it: to tell the next build which cards may differ without making every card's inputs."""

    digests: dict[str, str]
    labels: dict[str, str]
    paths: dict[str, str]
    links: dict[str, tuple]
    tags: dict[str, tuple[str, str]]  # folded name -> the name and slug a card shows
    dates: dict[str, tuple]
    section_of: dict[str, str]

    @classmethod
    def of(cls, site: Site) -> CardFacts:
        digests = {slug: parsed.note.digest for slug, parsed in site.by_slug.items()}
        tags = {fold(tag.name): (tag.name, tag.slug) for tag in site.tags}
        return cls(digests, site.labels, site.paths, site.links, tags, site.dates, site.section_of)

    def changed_since(self, last: Any, site: Site) -> set[str] | None:
        """The notes whose card may differ from the one made when the facts were `last`; None for every note."""
        if not isinstance(last, CardFacts):
            return None
        changed = differing(self.paths, last.paths)  # a note added, moved or given another slug
        changed.update(slug for slug, digest in self.digests.items() if digest != last.digests.get(slug))
        changed.update(slug for slug, parsed in site.by_slug.items() if parsed.lead is None)  # see `_card_key`
        # a note's own links, whose labels its excerpt may show (a server keeps the unchanged ones: see link.py)
        changed.update(slug for slug, links in self.links.items() if links is not last.links.get(slug))
        relabelled = differing(self.labels, last.labels)
        changed |= relabelled
        changed.update(b.source_slug for slug in relabelled for b in site.backlinks.get(slug, ()))
        for name in differing(self.tags, last.tags):
            changed.update(site.tag_of[name].note_slugs if name in site.tag_of else ())
        changed |= differing(self.dates, last.dates)
        if self.section_of != last.section_of or not relabelled.isdisjoint(site.sections):
            changed.update(self.section_of, last.section_of)  # a section's name shows in its notes' cards
        return changed & site.by_slug.keys()  # not the notes deleted


def _carry(values: dict, last: dict, but: set[str]) -> None:
    """Add `last`'s entries to `values` but those of the keys in `but`, keeping the entries `values` holds already
    (made in this build: few)."""
    made = dict(values)
    values.update(last)
    for key in but:
        values.pop(key, None)
    values.update(made)


def _shown_by(entries: dict[str, tuple[Any, frozenset[str], str]]) -> dict[str, frozenset[str]]:
    """Card -> the slugs whose entry (inputs, cards shown, key) shows it (see `PageContext.shown_by`)."""
    shown: dict[str, set[str]] = {}
    for slug, (_, cards, _) in entries.items():
        for card in cards:
            shown.setdefault(card, set()).add(slug)
    return {card: frozenset(slugs) for card, slugs in shown.items()}


def _moved(shown: dict[str, frozenset[str]], remade: Iterable[str], before: dict, after: dict) -> dict:
    """`shown` with the slugs `remade` moved from the cards their entries showed `before` to those they show `after`:
    a copy, where anything moved (the last build's stays as it was, should this build fail)."""
    moved: dict[str, frozenset[str]] | None = None
    for slug in remade:
        old = before[slug][1] if slug in before else frozenset()
        new = after[slug][1] if slug in after else frozenset()
        if old is new or old == new:
            continue
        if moved is None:
            moved = dict(shown)
        for card in old - new:
            moved[card] = moved.get(card, frozenset()) - {slug}
        for card in new - old:
            moved[card] = moved.get(card, frozenset()) | {slug}
    return shown if moved is None else moved


def differing(now: dict, before: dict) -> set:
    """The keys whose values differ between two dicts, or that one lacks: values compared, not hashed (tuples of
    the same objects compare at once)."""
    if now == before:
        return set()
    changed = {key for key, value in now.items() if key not in before or before[key] != value}
    changed.update(key for key in before if key not in now)
    return changed


# Work out every carried key again too, and fail if it differs (the test suite sets it: see tests/conftest.py).
CHECK_CARRIED = bool(os.environ.get("LLMNOTES_CHECK_CARRIED"))
