"""Diagnostics as a person reads them: each one when there are few, a summary by kind when there are many."""

from __future__ import annotations

from collections import defaultdict

from ..model import Diagnostic

MOST_LISTED = 20  # more problems than this are summarised by kind
EXAMPLES = 3  # examples shown of each kind


def describe(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], everything: bool = False) -> list[str]:
    """The lines to print: every diagnostic when there are at most MOST_LISTED (or `everything`), else per kind
    (its rule) the count, how many files have it and the first few, then how to see them all."""
    if everything or len(diagnostics) <= MOST_LISTED:
        return [diagnostic.format() for diagnostic in diagnostics]
    kinds: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        kinds[diagnostic.rule or "other"].append(diagnostic)
    what = "errors" if any(d.severity == "error" for d in diagnostics) else "warnings"
    files = len({d.path for d in diagnostics})
    lines = [f"{len(diagnostics):,} {what} in {files:,} file{'' if files == 1 else 's'}, by kind:"]
    width = max(len(kind) for kind in kinds)
    for kind, found in sorted(kinds.items(), key=lambda item: (-len(item[1]), item[0])):
        holders = len({d.path for d in found})
        lines.append(f"  {kind:<{width}}  {len(found):>7,} in {holders:,} file{'' if holders == 1 else 's'}, e.g.")
        lines.extend(f"      {d.format()}" for d in found[:EXAMPLES])
    lines.append(f"every one of them: add -v, or run `llmnotes check --format json` (one object per {what[:-1]})")
    return lines
