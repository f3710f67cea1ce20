"""Write the output: changed files staged beside it and moved in, or a fresh folder swapped in, only at the end."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..config import Config
from ..model import UsageError
from .cache import Stamp, stamp

MARKER = ".llmnotes-site"
MARKER_TEXT = "llmnotes build writes this folder; it removes only the files it wrote itself.\n"


def check_output_dir(config: Config, output: Path, force: bool = False) -> None:
    """Refuse an output directory that is or holds the project's sources, or holds files we did not write."""
    output = output.resolve()
    root = config.root.resolve()
    protected = [
        root,
        config.notes_path.resolve(),
        config.templates_path.resolve(),
        config.data_path.resolve(),
        config.pages_path.resolve(),
    ]
    for place in protected:
        if output == place or place.is_relative_to(output):
            raise UsageError(
                f"refusing to build into {output}: it is or contains {place}, which the build would replace"
                " (choose another --out, e.g. site/)"
            )
    for place in protected[1:]:
        if output.is_relative_to(place) and place != root:  # notes at the top of the project skip the output
            raise UsageError(
                f"refusing to build into {output}: it is inside {place}, whose files are the site's sources"
                " (choose another --out, e.g. site/)"
            )
    if (output / ".git").exists():
        raise UsageError(f"refusing to build into {output}: it is a git work tree (choose another --out)")
    if output.is_dir() and not force and any(output.iterdir()) and not (output / MARKER).exists():
        raise UsageError(
            f"refusing to build into {output}: it holds files llmnotes did not create"
            " (empty it, choose another --out, or pass --force)"
        )


class SiteWriter:
    """Stage new and changed files beside the output, then move them in (or swap the whole folder) at commit.

    Nothing in the output changes before `commit`, so a build that fails while rendering leaves the site as it was.
    """

    def __init__(self, output: Path, replace_all: bool) -> None:
        self.output = output.resolve()
        self.replace_all = replace_all
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.output.name}-new-", dir=self.output.parent))
        self._folders: set[str] = set()

    def write(self, path: str, content: bytes) -> None:
        """Stage one file; safe to call from worker processes, which share the staging folder."""
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        with open(self.staging / path, "wb") as file:
            file.write(content)

    def read_kept(self, path: str) -> bytes:
        """A file of the site as the last build left it (an output updating itself reads its old files)."""
        return (self.output / path).read_bytes()

    def commit(self, staged: list[str], stale: Iterable[str]) -> dict[str, Stamp]:
        """Make the `staged` files part of the site and delete `stale` ones; returns the new files' stamps."""
        stamps = {path: stamp(self.staging / path) for path in staged}
        if self.replace_all:
            (self.staging / MARKER).write_text(MARKER_TEXT)
            os.chmod(self.staging, 0o755)
            _swap(self.staging, self.output)
        else:
            made: set[Path] = set()
            for path in staged:
                target = self.output / path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                os.replace(self.staging / path, target)
            for path in stale:
                if ".." not in path.split("/"):  # only ever a file this build wrote before
                    (self.output / path).unlink(missing_ok=True)
            if not (self.output / MARKER).exists():
                (self.output / MARKER).write_text(MARKER_TEXT)
            shutil.rmtree(self.staging, ignore_errors=True)
        return {path: value for path, value in stamps.items() if value is not None}

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _swap(staging: Path, output: Path) -> None:
    if not output.exists():
        staging.rename(output)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
    retired.rmdir()
    output.rename(retired)
    try:
        staging.rename(output)
    except OSError:
        retired.rename(output)
        raise
    shutil.rmtree(retired, ignore_errors=True)
