"""Time each kind of edit at 10,000 notes, with the user's own copy of the templates, as `llmnotes build` runs it.

    .venv/bin/python benchmarks/edits.py [--size 10000] [--work /tmp/llmnotes-edits] [--json results.json] [--git N]
    .venv/bin/python benchmarks/edits.py --real 3751 [--work ...] [--json ...]

Copies benchmarks/corpus/<size>/llmnotes (generated if missing) to a scratch project, copies the built-in theme
into its `templates/` (as every user who customises one page starts), builds it cold and warm, then makes one edit
of each kind and times the build that follows, each in a fresh process as a user runs it:

    body       one sentence appended to one note (outside git its first edit of the day moves its date too)
    body again another sentence appended to it
    title      one note's title changed
    tag        one note given another (existing) tag
    link       one note given a link to another note (whose backlinks change)
    add        a new note
    delete     that note deleted again
    template   the tag page's template edited (only tag pages use it)

With `--real N` the project is the real-shaped corpus of N notes instead (corpus/real-N/site, see generate.py's
`write_real`: an mkdocs-material folder of notes without front matter, in conference and field folders, with 11,000
dead links at 3,751 notes), built with `--no-strict` as such a site is: a title is a note's first `#` heading, and a
tag is given in front matter the note did not have.

With `--git N` the project is a git repository, as a user keeps notes: everything committed once, then N commits
that each append a line to three notes (the notes' dates then come from git's log, and an edit that is not
committed moves no date: the first body edit is like the second).

Then one `llmnotes serve` runs on the project, and the same kinds of edit are made again one after another, as
a writer makes them (body, title, tag, link, a note added, then deleted, the tag page's template): once the server
says it is ready (it keys the site in memory after it starts serving), the time from saving each edit to the
served page showing it is measured as a reader sees it, polling the page (the note's page; the added note's page,
then its 404; the tag's page) while the page's reload stream is open, as a browser showing it holds it; with the
server's own figure for its build (the pages that list every note render after the page shows). Each edit comes
two seconds after the last one's build, as a writer reads the page first. Last, the site is built clean into
another folder and compared byte for byte with the incrementally built one.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

SENTENCE = "\n\n补充一句：这一段是基准测试追加的。\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmnotes-edits"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--git", type=int, metavar="N", help="make the project a git repository with N commits")
    parser.add_argument("--real", type=int, metavar="N", help="time the real-shaped corpus of N notes instead")
    args = parser.parse_args()
    project = args.work / "project"
    shutil.rmtree(args.work, ignore_errors=True)
    if args.real is not None:
        corpus = generate.DEFAULT_OUT / f"real-{args.real}" / "site"
        if not corpus.is_dir():
            generate.generate_real(args.real, generate.DEFAULT_OUT)
    else:
        corpus = generate.DEFAULT_OUT / str(args.size) / "llmnotes"
        if not corpus.is_dir():
            generate.generate(args.size, generate.DEFAULT_OUT)
    # Not the cache or site a run.py run leaves in the corpus: the first build here must be cold.
    shutil.copytree(corpus, project, ignore=shutil.ignore_patterns(".llmnotes-cache", "site", "OUT*"))
    shutil.copytree(ROOT / "templates", project / "templates")
    if args.git is not None:
        _commit_history(project, args.git)
    if args.real is not None:
        notes = sorted(path for path in (project / "docs").rglob("*.md") if path.name != "index.md")
        middle, target = notes[len(notes) // 2], notes[len(notes) // 3]
        linked = f"[另见]({os.path.relpath(target, middle.parent)})"
        options = ["--no-strict"]
        retitle: Callable[[Path, str], None] = _reheading
    else:
        middle = project / "notes" / f"{generate.slug_of(max(1, args.size // 2))}.md"
        linked = f"[[{generate.slug_of(max(1, args.size // 3))}]]"
        options = []
        retitle = _retitle
    added = middle.parent / "benchmark-added-note.md"

    def body() -> None:
        middle.write_text(middle.read_text(encoding="utf-8") + SENTENCE, encoding="utf-8")

    def title() -> None:
        retitle(middle, "Renamed ")

    def tag() -> None:
        _tagged(middle, "排序实验", args.real is not None)

    def link() -> None:
        middle.write_text(middle.read_text(encoding="utf-8") + f"\n\n另见 {linked}。\n", encoding="utf-8")

    def add() -> None:
        front = "" if args.real is not None else '---\ntitle: "A note added"\nyear: 2024\ntags: ["排序实验"]\n---\n\n'
        added.write_text(front + ("# A note added\n\n" if args.real is not None else "") + "新加的笔记。\n", "utf-8")

    def delete() -> None:
        added.unlink()

    def template() -> None:
        path = project / "templates" / "tag.html"
        path.write_text(path.read_text(encoding="utf-8") + "\n{# edited #}<!-- edited -->\n", encoding="utf-8")

    runs: list[tuple[str, Callable[[], None] | None]] = [
        ("cold", None),
        ("warm", None),
        ("body", body),  # the note's first edit today: outside git, its date moves too
        ("body again", body),
        ("title", title),
        ("tag", tag),
        ("link", link),
        ("add", add),
        ("delete", delete),
        ("template", template),
    ]
    figures = []
    for name, edit in runs:
        if edit is not None:
            time.sleep(0.05)
            edit()
        seconds, output = _build(project, project / "site", options)
        figures.append({"run": name, "seconds": round(seconds, 3), "output": output})
        print(f"{name:<10} {seconds:7.2f} s  {output}", flush=True)
    note_page = f"notes/{middle.stem}.html"
    served_added = middle.parent / "served-added-note.md"
    tag_page = "tags/排序实验.html"  # the tag the command line's tag edit gave

    def served_add() -> None:
        front = "" if args.real is not None else '---\ntitle: "Served addition"\nyear: 2024\n---\n\n'
        served_added.write_text(front + "# Served addition\n\n服务时新加。\n", encoding="utf-8")

    def served_template() -> None:
        path = project / "templates" / "tag.html"
        text = path.read_text(encoding="utf-8")
        at = text.rindex("{% endblock %}")  # in a block: a child template shows nothing outside its blocks
        path.write_text(text[:at] + "<!-- served edit -->\n" + text[at:], encoding="utf-8")

    served_edits: list[tuple[str, Callable[[], None], str, Callable[[int, str], bool]]] = [
        ("body", lambda: _append(middle, "\n\n服务时追加。\n"), note_page, _showing("服务时追加。")),
        ("title", lambda: retitle(middle, "Served "), note_page, _showing("Served ")),
        ("tag", lambda: _tagged(middle, "服务标签", args.real is not None), note_page, _showing("服务标签")),
        ("link", lambda: _append(middle, f"\n\n服务时另见 {linked}。\n"), note_page, _showing("服务时另见")),
        ("add", served_add, f"notes/{served_added.stem}.html", _showing("服务时新加。")),
        ("delete", lambda: served_added.unlink(), f"notes/{served_added.stem}.html", lambda status, _: status == 404),
        ("template", served_template, tag_page, _showing("<!-- served edit -->")),
    ]
    for name, shown, built in _serve_session(project, served_edits, options):
        figures.append({"run": f"serve {name}", "seconds": round(shown, 3), "output": "save to page showing it"})
        figures.append({"run": f"serve {name} built", "seconds": round(built, 3), "output": "the server's build"})
        print(f"serve {name:<9} {shown:7.2f} s shown, {built:5.2f} s built", flush=True)
    clean_seconds, _ = _build(project, args.work / "clean", [*options, "--force"])
    same = _same_tree(project / "site", args.work / "clean")
    verdict = "identical to" if same else "DIFFERS from"
    print(f"clean     {clean_seconds:7.2f} s  incremental site {verdict} clean build")
    if args.json:
        size = {"real": args.real} if args.real is not None else {"size": args.size}
        args.json.write_text(json.dumps({**size, "runs": figures, "identical": same}, indent=2) + "\n")
    if not same:
        sys.exit(1)


def _commit_history(project: Path, commits: int) -> None:
    """Commit the project, then `commits` commits of a line appended to three notes each, a day apart."""
    notes = sorted((project / "notes").glob("*.md"))
    (project / ".gitignore").write_text("site/\n.llmnotes-cache/\n", encoding="utf-8")
    _git(project, 0, "init", "-q", "-b", "main")
    _git(project, 0, "add", "-A")
    _git(project, 0, "commit", "-q", "-m", "notes")
    for number in range(1, commits + 1):
        for step in (7, 13, 29):
            _append(notes[(number * step) % len(notes)], f"\n修订 {number}。\n")
        _git(project, number, "commit", "-q", "-am", f"revision {number}")
    print(f"git        {commits + 1} commits", flush=True)


def _git(project: Path, day: int, *args: str) -> None:
    stamp = f"{1_700_000_000 + day * 86_400} +0000"  # a commit a day from 2023-11-14: the same history every run
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_GLOBAL": os.devnull}
    env |= {"GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@example.org"}
    env |= {"GIT_COMMITTER_NAME": "B", "GIT_COMMITTER_EMAIL": "b@example.org"}
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, env=env)


def _append(note: Path, text: str) -> None:
    note.write_text(note.read_text(encoding="utf-8") + text, encoding="utf-8")


def _retitle(note: Path, prefix: str) -> None:
    text = note.read_text(encoding="utf-8")
    note.write_text(re.sub(r'^title: "', f'title: "{prefix}', text, count=1, flags=re.M), encoding="utf-8")


def _reheading(note: Path, prefix: str) -> None:
    """A note without front matter retitled: its first `#` heading."""
    text = note.read_text(encoding="utf-8")
    note.write_text(re.sub(r"^# ", f"# {prefix}", text, count=1, flags=re.M), encoding="utf-8")


def _serve_session(
    project: Path, edits: list[tuple[str, Callable[[], None], str, Callable[[int, str], bool]]], options: list[str]
) -> list[tuple[str, float, float]]:
    """One `llmnotes serve` on the project, one edit after another as a writer makes them: for each, the seconds from
    its save to the server answering its page as `shows` wants it, and the server's own build's seconds."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "llmnotes", "serve", "--root", str(project), "--port", str(port), *options]
    server = subprocess.Popen(command, env=_environment(), stdout=subprocess.PIPE, text=True)
    figures = []
    try:
        assert server.stdout is not None
        while "serving" not in server.stdout.readline():
            pass
        # Once it serves, the server reads ahead and keys the site in memory, and says it is ready: as a writer who
        # starts the server and then edits, the edit comes after that (a minute at most: an older llmnotes, or a
        # site changed meanwhile, says nothing).
        said: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [said.put(line) for line in server.stdout], daemon=True).start()
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            with contextlib.suppress(queue.Empty):
                if "ready" in said.get(timeout=1):
                    break
        time.sleep(1.0)  # the watcher starts after the first build
        for name, edit, page, shows in edits:
            while not said.empty():
                said.get()
            url = f"http://127.0.0.1:{port}/{urllib.parse.quote(page)}"
            reader = _open_page(f"http://127.0.0.1:{port}/", page)
            time.sleep(0.2)  # the server counts the page open (see serve.LiveSite.open_pages)
            edit()
            started = time.perf_counter()
            while not shows(*_answer(url)):
                if time.perf_counter() - started > 120:
                    sys.exit(f"serve did not show the {name} edit in {page} in 120 s")
                time.sleep(0.01)
            seconds = time.perf_counter() - started
            # The page shows the edit before the build ends (the pages that list every note render after it): the
            # next edit waits for the server to finish its build, and the last one's site is compared with a clean
            # build's.
            line = said.get(timeout=120)
            while not line.startswith("built "):
                line = said.get(timeout=120)
            built = re.search(r" in ([0-9.]+) s", line)
            figures.append((name, seconds, float(built.group(1)) if built else float("nan")))
            reader.close()
            # A writer reads the page before the next edit: by then the server has saved the build's cache, which it
            # does once the pages have reloaded (an edit 0.3 s after a build waited for that saving, 0.2-0.5 s).
            time.sleep(2.0)
        return figures
    finally:
        server.terminate()
        server.wait()


def _open_page(site: str, page: str) -> Any:
    """The event stream a browser showing `page` keeps open (llmnotes serve's reload client), read in a thread:
    close it to leave the page."""
    stream = urllib.request.urlopen(f"{site}__llmnotes/events?page={urllib.parse.quote(page)}", timeout=600)

    def read() -> None:
        with contextlib.suppress(OSError, ValueError):
            for _ in stream:
                pass

    threading.Thread(target=read, daemon=True).start()
    return stream


def _answer(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def _showing(text: str) -> Callable[[int, str], bool]:
    return lambda status, page: status == 200 and text in page


def _tagged(note: Path, tag: str, without_front_matter: bool) -> None:
    """Give the note another tag: first in its list, or in front matter it did not have (a real-shaped note)."""
    text = note.read_text(encoding="utf-8")
    if without_front_matter and not text.startswith("---\n"):
        note.write_text(f'---\ntags: ["{tag}"]\n---\n' + text, encoding="utf-8")
    else:
        note.write_text(re.sub(r"^tags: \[", f'tags: ["{tag}", ', text, count=1, flags=re.M), encoding="utf-8")


def _build(project: Path, output: Path, options: list[str]) -> tuple[float, str]:
    command = [sys.executable, "-m", "llmnotes", "build", "--root", str(project), "--out", str(output), *options]
    env = _environment()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("built ")]
    return seconds, lines[-1] if lines else ""


def _environment() -> dict[str, str]:
    """This checkout's llmnotes, run as a user's install runs: with its bytecode written and reused (a shell that
    sets PYTHONDONTWRITEBYTECODE, as this machine's does, would compile every module again in every process)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right, ignore=[".llmnotes-site"])
    return _same(comparison)


def _same(comparison: filecmp.dircmp) -> bool:
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        print("only on one side:", comparison.left_only, comparison.right_only, file=sys.stderr)
        return False
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    if mismatch or errors:
        print("differ:", comparison.left, mismatch[:5], errors[:5], file=sys.stderr)
        return False
    return all(_same(sub) for sub in comparison.subdirs.values())


if __name__ == "__main__":
    main()
