"""Citations in author–year style: `(Ouyang et al., 2022, p. 3)` in the text and the page's reference list, with the
punctuation of the site's language (Chinese: full-width brackets in the text, GB/T 7714's list)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from ..content.parse import CITE, END
from ..i18n import interface_strings
from ..model import Citation, CitedItem, Link, ParsedNote, Reference, Site
from ..paths import fold, href
from .citations import split_name

_PLACE = re.compile(f"{CITE}(\\d+){END}")
MOST_LISTED_AUTHORS = 3  # the reference list names this many, then "et al."


@dataclass(frozen=True, slots=True)
class Style:
    open: str
    close: str
    between: str  # between a citation's works
    comma: str  # between author and year, and before a locator
    et_al: str
    two: str  # between the names of a paper's two authors
    no_date: str
    heading: str  # the reference list's


def style_for(language: str) -> Style:
    heading = interface_strings(language).get("references", "References")
    if language.lower().startswith("zh"):
        return Style("（", "）", "；", "，", " 等", " 和 ", "无日期", heading)
    return Style("(", ")", "; ", ", ", " et al.", " and ", "n.d.", heading)


def cite_html(html_text: str, parsed: ParsedNote, site: Site, page_path: str, reference_list: bool = True) -> str:
    """The parsed body's citations written out and linked (to the cited note, or to the entry of the page's
    reference list), and the reference list appended when `reference_list`."""
    if not parsed.citations:
        return html_text
    style = style_for(site.language)
    cited = _cited(parsed, site)
    years = _year_labels(cited, style)

    def citation(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number >= len(parsed.citations):
            return ""
        return _citation(parsed.citations[number], parsed.links, site, page_path, style, years)

    linked = _PLACE.sub(citation, html_text)
    if not reference_list or not cited:
        return linked
    return linked + _reference_list(cited, site, page_path, style, years)


def _cited(parsed: ParsedNote, site: Site) -> list[Reference]:
    """The works the note cites that resolve, each once, in the order of the reference list."""
    keys = dict.fromkeys(link.target for link in parsed.links if link.kind == "cite" and link.target in site.references)
    return sorted(
        (site.references[key] for key in keys),
        key=lambda work: (fold(_family(work)), work.year or 0, fold(work.title), work.key),
    )


def _family(work: Reference) -> str:
    return split_name(work.authors[0]).family if work.authors else work.title


def author_label(work: Reference, style: Style) -> str:
    """`Ouyang et al.`, `Chen and Wu`, `Radford`; the title when the work names no author."""
    families = [split_name(name).family for name in work.authors]
    if not families:
        return work.title
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return families[0] + style.two + families[1]
    return families[0] + style.et_al


def _year_labels(cited: list[Reference], style: Style) -> dict[str, str]:
    """key → the year as cited: 2022a, 2022b for one page's works that would otherwise read the same."""
    groups: dict[tuple[str, str], list[str]] = {}
    for work in cited:
        year = str(work.year) if work.year else style.no_date
        groups.setdefault((author_label(work, style), year), []).append(work.key)
    labels = {}
    for (_, year), keys in groups.items():
        for number, key in enumerate(keys):
            labels[key] = year + (chr(ord("a") + number) if len(keys) > 1 and number < 26 else "")
    return labels


def _citation(
    citation: Citation, links: tuple[Link, ...], site: Site, page_path: str, style: Style, years: dict[str, str]
) -> str:
    parts = [
        _item(item, links[item.link].target, citation.in_text, site, page_path, style, years) for item in citation.items
    ]
    if citation.in_text:
        return f'<span class="citation">{"".join(parts)}</span>'
    return f'<span class="citation">{style.open}{style.between.join(parts)}{style.close}</span>'


def _item(
    item: CitedItem, key: str, in_text: bool, site: Site, page_path: str, style: Style, years: dict[str, str]
) -> str:
    work = site.references.get(key)
    if work is None:
        return f'<span class="unresolved" title="@{escape(key)}: not found">@{escape(key)}</span>'
    url = href(page_path, site.paths[work.slug]) if work.slug else f"#{_anchor(key)}"
    author, year = escape(author_label(work, style)), escape(years.get(key, style.no_date))
    locator = style.comma + escape(item.locator) if item.locator else ""
    prefix = escape(item.prefix) + " " if item.prefix else ""
    if in_text:  # Ouyang et al. (2022)
        space = "" if style.open == "（" else " "
        return f'<a class="cite" href="{escape(url)}">{author}{space}{style.open}{year}{locator}{style.close}</a>'
    shown = year if item.suppress_author else f"{author}{style.comma}{year}"
    return f'{prefix}<a class="cite" href="{escape(url)}">{shown}</a>{locator}'


def _anchor(key: str) -> str:
    return "ref-" + re.sub(r"[^A-Za-z0-9_:.-]", "-", key)


def _reference_list(cited: list[Reference], site: Site, page_path: str, style: Style, years: dict[str, str]) -> str:
    entries = "\n".join(
        f'<li id="{escape(_anchor(work.key))}">{_entry(work, site, page_path, style, years)}</li>' for work in cited
    )
    return (
        f'<section class="references" aria-labelledby="__references">\n<h2 id="__references">{escape(style.heading)}'
        f'</h2>\n<ul class="reference-list">\n{entries}\n</ul>\n</section>\n'
    )


def _entry(work: Reference, site: Site, page_path: str, style: Style, years: dict[str, str]) -> str:
    """APA's order in English, `Ouyang, L., Wu, J., Jiang, X., et al. (2022). Title. Venue.`; GB/T 7714's
    author–year in Chinese, `Ouyang L, Wu J, Jiang X, 等. 2022. Title. Venue.`"""
    chinese = style.open == "（"
    names = [_listed_name(name, chinese) for name in work.authors[:MOST_LISTED_AUTHORS]]
    if len(work.authors) > MOST_LISTED_AUTHORS:
        names.append(style.et_al.strip())
    authors = escape(", ".join(names))
    year = escape(years.get(work.key, style.no_date))
    title = escape(work.title.rstrip("."))
    if work.slug:
        title = f'<a href="{escape(href(page_path, site.paths[work.slug]))}">{title}</a>'
    parts = [f"{authors}. {year}." if chinese else f"{authors} ({year})." if authors else f"({year})."]
    if chinese and not authors:
        parts = [f"{year}."]
    parts.append(f"{title}.")
    if work.container:
        container = escape(work.container.rstrip("."))
        parts.append(f"{container}." if chinese else f"<em>{container}</em>.")
    if work.doi:
        parts.append(f'<a href="https://doi.org/{escape(work.doi)}">doi:{escape(work.doi)}</a>')
    if work.arxiv:
        parts.append(f'<a href="https://arxiv.org/abs/{escape(work.arxiv)}">arXiv:{escape(work.arxiv)}</a>')
    if work.url and not work.doi and not work.arxiv:
        parts.append(f'<a href="{escape(work.url)}">{escape(work.url)}</a>')
    return " ".join(parts)


def _listed_name(name: str, chinese: bool) -> str:
    """`Carroll L. Wainwright` → `Wainwright, C. L.` (English) or `Wainwright C L` (GB/T 7714); names written in
    Chinese characters, or of one word, as they are."""
    parts = split_name(name)
    if parts.literal or any(ord(character) >= 0x2E80 for character in name):
        return name
    initials = [word[0] for word in re.split(r"[\s.\-]+", parts.given) if word]
    if chinese:
        return " ".join([parts.family, *initials])
    return f"{parts.family}, {' '.join(i + '.' for i in initials)}"
