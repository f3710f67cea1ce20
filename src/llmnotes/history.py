"""When each note was first written and last changed: from git history (one `git log` for the whole tree,
following renames), or from the file system outside a git work tree."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

Dates = tuple[dt.date, dt.date]  # (created, updated)


def git_head(root: Path) -> str | None:
    """The commit checked out in the work tree holding `root`, or None outside one (or without git)."""
    output = _git(root, "rev-parse", "HEAD")
    return output.strip() if output else None


def file_dates(root: Path, sources: list[str]) -> dict[str, Dates]:
    """(created, updated) of each source path (relative to `root`): its first and last commit, renames followed;
    a file git does not know yet, or every file outside a work tree, gets its modification date for both."""
    history = _git_history(root)
    dates = {}
    for source in sources:
        if source in history:
            dates[source] = history[source]
        else:
            try:
                day = dt.datetime.fromtimestamp(os.stat(root / source).st_mtime, dt.UTC).date()
            except OSError:
                continue
            dates[source] = (day, day)
    return dates


def _git_history(root: Path) -> dict[str, Dates]:
    """Walk the log newest first; a rename sends the older history of its old path to the current path."""
    output = _git(root, "log", "--relative", "-M", "--name-status", "--format=%x00%cs", "--", ".")
    if not output:
        return {}
    current_name: dict[str, str] = {}  # a path in older commits -> the path it has now
    dates: dict[str, list[dt.date]] = {}
    for commit in output.split("\0")[1:]:
        day_text, _, changes = commit.partition("\n")
        day = dt.date.fromisoformat(day_text.strip())
        for line in changes.splitlines():
            fields = line.split("\t")
            if len(fields) < 2:
                continue
            if fields[0].startswith(("R", "C")) and len(fields) == 3:
                old, new = fields[1], fields[2]
                now = current_name.get(new, new)
                if fields[0].startswith("R"):
                    current_name[old] = now
            else:
                now = current_name.get(fields[1], fields[1])
            seen = dates.setdefault(now, [day, day])
            seen[0] = day  # older commits come later: the last one seen is the first commit
    return {path: (created, updated) for path, (created, updated) in dates.items()}


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
            check=False,
        )
    except OSError:  # git is not installed
        return None
    return done.stdout if done.returncode == 0 else None
