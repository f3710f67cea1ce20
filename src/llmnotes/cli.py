"""Command line: parse arguments, run build, serve, check or new, print diagnostics and a summary."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__
from .commands.report import describe
from .config import load_config
from .engine.build import build
from .engine.progress import ProgressBar
from .model import UsageError, UserError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_BUG = 70  # EX_SOFTWARE: llmnotes itself failed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llmnotes", description="Build a static site from paper notes.")
    parser.add_argument("--version", action="version", version=f"llmnotes {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the site into site/ (or --out)")
    build_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    _add_site_options(build_cmd)
    build_cmd.add_argument("--force", action="store_true", help="build into a non-empty folder llmnotes did not create")
    new_cmd = commands.add_parser("new", help="start a note: notes/<slug>.md with front matter and sections")
    new_cmd.add_argument(
        "title", nargs="?", help='the note\'s title, e.g. "Attention Is All You Need" (optional with --arxiv or --doi)'
    )
    new_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    paper_id = new_cmd.add_mutually_exclusive_group()
    paper_id.add_argument("--arxiv", help="arXiv id, e.g. 1706.03762 or cs/0112017: the paper's facts from arXiv")
    paper_id.add_argument("--doi", help="DOI, e.g. 10.18653/v1/2023.acl-long.754: the paper's facts from Crossref")
    new_cmd.add_argument("--tags", default="", help="comma-separated tags, e.g. 预训练,模型结构")
    new_cmd.add_argument("--builds-on", default="", help="comma-separated slugs of notes it builds on")
    import_cmd = commands.add_parser(
        "import", help="notes from a Zotero library exported as .bib (BibTeX/BibLaTeX) or CSL-JSON"
    )
    import_cmd.add_argument("library", type=Path, help="the exported library, e.g. references.bib or library.json")
    import_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    import_cmd.add_argument("--dry-run", action="store_true", help="print what would change as a diff; write nothing")
    import_cmd.add_argument(
        "--overwrite",
        action="append",
        default=[],
        metavar="FIELD",
        help="replace this field in notes that have it (repeat it, or a,b); otherwise only missing fields are added",
    )
    import_cmd.add_argument("--tag", action="append", default=[], help="tag the notes it creates (repeat it, or a,b)")
    import_cmd.add_argument("--folder", help="create notes in this folder inside the notes folder, e.g. papers/2024")
    serve_cmd = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on changes, reload pages")
    serve_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in the browser")
    _add_site_options(serve_cmd)
    check_cmd = commands.add_parser("check", help="validate notes, links, lineage, math and data, and lint them")
    check_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text", help="json: for editors and tools")
    _add_drafts(check_cmd)
    _add_strictness(check_cmd)
    _add_verbosity(check_cmd, verbose="list every problem (check always does)")
    return parser


def _add_site_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that make a site (build, serve), the same in each."""
    command.add_argument("--out", type=Path, help="output directory (default: output_dir, site/)")
    _add_strictness(command)
    _add_drafts(command)
    command.add_argument(
        "--base-url",
        metavar="URL",
        help="the site's address, e.g. https://me.github.io/notes/, for the feed, sitemap, canonical links and "
        "404 page (overrides base_url)",
    )
    _add_verbosity(command, verbose="print every warning and the output path")


def _add_strictness(command: argparse.ArgumentParser) -> None:
    strictness = command.add_mutually_exclusive_group()
    strictness.add_argument(
        "--strict",
        dest="strict",
        action="store_true",
        default=None,
        help="broken links are errors (the default, unless strict_links = false)",
    )
    strictness.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="broken links are warnings and render as unresolved text",
    )


def _add_drafts(command: argparse.ArgumentParser) -> None:
    command.add_argument("--drafts", action="store_true", help="include notes with draft: true")


def _add_verbosity(command: argparse.ArgumentParser, verbose: str) -> None:
    verbosity = command.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    verbosity.add_argument("-v", "--verbose", action="store_true", help=verbose)


def run() -> NoReturn:
    """The `llmnotes` command: `main`, then exit without the interpreter's teardown, which would free every object
    of a large build one by one (50 ms after a one-note edit of 10,000 notes); files are closed by then.

    The cyclic garbage collector stays off (but for `serve`, which runs for hours): a command's objects live until
    it ends, and the first collection after a build walks all of them (a third of a second at 10,000 notes) to free
    next to nothing just before the process exits anyway."""
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # e.g. a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except Exception:  # not the notes' fault: those are UserErrors, each command reports them itself
        import traceback  # here: its imports take a build that goes well 4 ms

        traceback.print_exc()
        print(
            f"llmnotes {__version__}: internal error: this is a bug in llmnotes, not a problem in your notes; "
            "please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG


def _command(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if not root.is_dir():
        print(f"llmnotes: error: --root {args.root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "new":
        return _new(root, args)
    if args.command == "check":
        return _check(root, args)
    if args.command == "import":
        return _import(root, args)
    if args.command == "serve":
        return _serve(root, args)
    return _build(root, args)


def _serve(root: Path, args: argparse.Namespace) -> int:
    from .commands.serve import serve  # the server and the file watcher load only for this command

    gc.enable()  # see `run`: a server's garbage must be collected

    try:
        serve(
            root,
            host=args.host,
            port=args.port,
            open_browser=args.open,
            drafts=args.drafts,
            say=_say,
            output=_absolute(args.out),
            strict=args.strict,
            base_url=args.base_url,
            quiet=args.quiet,
            verbose=args.verbose,
        )
    except UsageError as error:
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # e.g. the port is taken
        print(f"llmnotes: error: cannot serve on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # during the first build, before the server runs
        return 130
    return EXIT_OK


def _say(text: str) -> None:
    print(text, flush=True)


def _check(root: Path, args: argparse.Namespace) -> int:
    from .commands.check import as_json, check  # each command's modules load only for it: a build starts sooner

    try:
        found = check(root, strict=args.strict, drafts=args.drafts)
    except UsageError as error:
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:  # the configuration itself is broken
        found = error.diagnostics
    errors = sum(d.severity == "error" for d in found)
    if args.format == "json":
        print(as_json(found))
    else:
        for diagnostic in found:
            if args.quiet and diagnostic.severity != "error":
                continue
            rule = f" [{diagnostic.rule}]" if diagnostic.rule else ""
            print(diagnostic.format() + rule)
        print(f"llmnotes check: {errors} errors, {len(found) - errors} warnings", file=sys.stderr)
    return EXIT_ERRORS if errors else EXIT_OK


def _new(root: Path, args: argparse.Namespace) -> int:
    from .commands.new import new_note  # with the network client

    try:
        made = new_note(
            load_config(root), args.title, args.arxiv, _list(args.tags), _list(args.builds_on), doi=args.doi
        )
    except UserError as error:
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    print(_shown(made.path))
    if made.problem:  # no answer about the paper: the note holds the id alone, and the exit code says so
        print(f"llmnotes: error: {made.problem}; wrote {_shown(made.path)} with the id alone", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def _import(root: Path, args: argparse.Namespace) -> int:
    from .commands.importer import apply_import, diff, plan_import

    library = args.library if args.library.is_absolute() else Path.cwd() / args.library
    try:
        overwrite = {name for value in args.overwrite for name in _list(value)}
        tags = [tag for value in args.tag for tag in _list(value)]
        plan = plan_import(load_config(root), library, overwrite, tags, args.folder)
    except UserError as error:
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    for problem in plan.problems:
        print(problem.format(), file=sys.stderr)
    if args.dry_run:
        sys.stdout.write(diff(plan, root))
    else:
        try:
            apply_import(plan)
        except OSError as error:
            print(f"llmnotes: error: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
            return EXIT_ERRORS
    updated = len(plan.changes) - plan.created
    verb = ("would create", "would update") if args.dry_run else ("created", "updated")
    print(
        f"llmnotes import: {plan.entries} papers in {args.library.name}: {verb[0]} {plan.created} notes, "
        f"{verb[1]} {updated}, {plan.unchanged} already up to date",
        file=sys.stderr,
    )
    return EXIT_OK


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.replace("，", ",").split(",") if item.strip()]


def _build(root: Path, args: argparse.Namespace) -> int:
    bar = ProgressBar(sys.stderr)
    bar.enabled = bar.enabled and not args.quiet
    try:
        result = build(
            root,
            _absolute(args.out),
            strict=args.strict,
            drafts=args.drafts,
            force=args.force,
            progress=bar,
            base_url=args.base_url,
        )
    except UsageError as error:
        bar.close()
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        bar.close()
        for line in describe(error.diagnostics, everything=args.verbose):
            print(line, file=sys.stderr)
        count = sum(d.severity == "error" for d in error.diagnostics)
        print(
            f"llmnotes: build failed with {count} error{'s' if count != 1 else ''}; the previous site is untouched",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    except KeyboardInterrupt:
        bar.close()
        print("llmnotes: interrupted; the previous site is untouched", file=sys.stderr)
        return 130
    bar.close()
    if not args.quiet:
        for line in describe(result.warnings, everything=args.verbose):
            print(line, file=sys.stderr)
        if args.verbose:
            print(f"rendered {result.rendered} outputs, wrote {result.written} files to {result.output}")
        where = _shown(result.output)
        print(
            f"built {result.notes} note{'' if result.notes == 1 else 's'} into {result.pages} pages in {where}/ "
            f"({len(result.warnings)} warnings) in {result.seconds:.2f} s"
            + ("" if result.rendered else ", nothing changed")
        )
        for notice in result.notices:
            print(notice)
    return EXIT_OK


def _absolute(out: Path | None) -> Path | None:
    """--out is relative to the working folder, not to --root."""
    return out if out is None or out.is_absolute() else Path.cwd() / out


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
