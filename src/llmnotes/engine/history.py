"""When each note was first written and last changed: from git history (one `git log` for the whole tree,
following renames), or from the file system outside a git work tree."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..model import Derive, Diagnostic

Dates = tuple[dt.date, dt.date]  # (created, updated)
History = dict[str, tuple[int, int]]  # path -> (created, updated) as day ordinals: a tenth of dates' unpickling
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SHALLOW_RULE = "shallow-clone"


@dataclass(frozen=True, slots=True)
class Repository:
    """What the build needs to know of the git work tree holding a site."""

    folder: str  # the site's folder inside the work tree: "" at its top, else e.g. "sites/notes/"
    shallow: bool  # a clone with part of the history (`git clone --depth`): the dates it gives are wrong
    first_commit: str | None  # where the history begins, following first parents; None before the first commit


def repository(root: Path) -> Repository | None:
    """The git work tree holding `root`, or None outside one (or without git)."""
    facts = _git(root, "rev-parse", "--show-prefix", "--is-shallow-repository")
    if facts is None:
        return None
    lines = facts.split("\n")
    if len(lines) < 2:
        return None
    first = _git(root, "rev-list", "--first-parent", "--max-parents=0", "HEAD")
    first_commit = first.split()[0] if first and first.split() else None
    return Repository(folder=lines[0].strip(), shallow=lines[1].strip() == "true", first_commit=first_commit)


def shallow_clone_warning(found: Repository | None) -> list[Diagnostic]:
    """One warning for the whole build when the history is shallow, with the fix."""
    if found is None or not found.shallow:
        return []
    return [
        Diagnostic(
            "llmnotes",
            "this git clone is shallow, so the notes' dates come from the few commits it holds "
            "(a clone of depth 1 gives every note the date of the last commit)",
            severity="warning",
            hint="fetch the whole history: `git fetch --unshallow`; in GitHub Actions, give actions/checkout "
            "`fetch-depth: 0`",
            rule=SHALLOW_RULE,
        )
    ]


def git_head(root: Path) -> str | None:
    """The commit checked out in the work tree holding `root`, and whether the clone is shallow (deepening it
    changes the dates without a new commit); None outside a work tree (or without git)."""
    output = _git(root, "rev-parse", "HEAD", "--is-shallow-repository")
    return " ".join(output.split()) if output else None


def file_dates(
    root: Path, sources: list[str], mtimes: Mapping[str, int] | None = None, history: History | None = None
) -> dict[str, Dates]:
    """(created, updated) of each source path (relative to `root`): the earliest and latest author dates of the
    commits that touched it, renames followed (`history`, else git's log read now); a file git does not know yet,
    or every file outside a work tree, gets its modification date (UTC) for both: from `mtimes` (nanoseconds, as
    the build's first step read them) when it has the file, else read now."""
    if history is None:
        history = _git_history(root)
    mtimes = mtimes or {}
    dates = {}
    for source in sources:
        if source in history:
            created, updated = history[source]
            dates[source] = (_from_ordinal(created), _from_ordinal(updated))
            continue
        mtime = mtimes.get(source)
        if mtime is None:
            try:
                mtime = os.stat(root / source).st_mtime_ns
            except OSError:
                continue
        day = _day(mtime // NS_PER_DAY)
        dates[source] = (day, day)
    return dates


NS_PER_DAY = 86_400 * 1_000_000_000
HISTORY = "git-history"  # the build cache's name for it (see `git_history`)


def git_history(root: Path, head: str | None, derived: Derive) -> History:
    """Every committed file's (created, updated), as `file_dates` reads them from git's log, kept by the build
    cache (`derived`: see BuildCache.derived) for the commit checked out, `head` (see `git_head`): the log of a
    repository of 10,000 notes and 300 commits takes 1.7 s to walk, and an edit commits nothing. Empty outside a
    work tree, without running git."""
    if head is None:
        return {}
    return derived(HISTORY, head, lambda _last: _git_history(root))  # type: ignore[no-any-return]


@lru_cache(maxsize=1 << 12)
def _from_ordinal(number: int) -> dt.date:
    return dt.date.fromordinal(number)


def _day(number: int) -> dt.date:
    """The date `number` days after 1 January 1970: in whole numbers, which a float timestamp is not."""
    return _from_ordinal(_EPOCH + number)


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _git_history(root: Path) -> History:
    """Walk the log newest first; a rename sends the older history of its old path to the current path.

    Author dates, as Hugo's enableGitInfo has them: a rebase or an amended commit keeps them, while committer
    dates would all become the day of the rebase. With -z every path comes verbatim, NUL-terminated (no quoting
    of tabs, quotes, backslashes or non-ASCII), and each commit is its date then its (status, path…) fields:
    `2024-01-05\\0\\nM\\0notes/a.md\\0R100\\0old.md\\0new.md\\0\\0 2024-01-01…`.
    """
    output = _git(root, "log", "-z", "--relative", "-M", "--name-status", "--format=%as", "--", ".")
    if not output:
        return {}
    current_name: dict[str, str] = {}  # a path in older commits -> the path it has now
    dates: dict[str, list[dt.date]] = {}
    fields = output.split("\0")
    day: dt.date | None = None
    at = 0
    while at < len(fields):
        field = fields[at].lstrip("\n")
        at += 1
        if not field:
            continue
        if _DAY.fullmatch(field):
            day = dt.date.fromisoformat(field)
            continue
        if field[0] in "RC":  # a rename or a copy: the old path, then the new one
            old, new = fields[at : at + 2]
            at += 2
            now = current_name.get(new, new)
            if field[0] == "R":
                current_name[old] = now
        else:
            now = current_name.get(fields[at], fields[at]) if at < len(fields) else ""
            at += 1
        if day is None or not now:
            continue
        seen = dates.setdefault(now, [day, day])
        seen[0], seen[1] = min(seen[0], day), max(seen[1], day)
    return {path: (created.toordinal(), updated.toordinal()) for path, (created, updated) in dates.items()}


def _git(root: Path, *args: str) -> str | None:
    if _outside_git(root):
        return None
    import subprocess  # here: a site outside git, whose body edit takes 0.3 s, does without its 5 ms import

    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
            check=False,
        )
    except OSError:  # git is not installed
        return None
    return done.stdout if done.returncode == 0 else None


def _outside_git(root: Path) -> bool:
    """Whether git would surely find no work tree at `root`: no folder from it up holds a .git, and no GIT_DIR
    names one elsewhere. Then git is not run: each run costs a build a few milliseconds (a body edit, two)."""
    if "GIT_DIR" in os.environ:
        return False
    return not any((folder / ".git").exists() for folder in (root, *root.absolute().parents))
