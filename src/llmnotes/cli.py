"""Command line: parse arguments, call the build, print diagnostics and a one-line summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import build
from .model import UsageError, UserError
from .progress import ProgressBar

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llmnotes", description="Build a static site from paper notes.")
    parser.add_argument("--version", action="version", version=f"llmnotes {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the site into site/ (or --out)")
    build_cmd.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: .)")
    build_cmd.add_argument("--out", type=Path, help="output directory (default: output_dir, site/)")
    strictness = build_cmd.add_mutually_exclusive_group()
    strictness.add_argument(
        "--strict",
        dest="strict",
        action="store_true",
        default=None,
        help="broken links fail the build (the default)",
    )
    strictness.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="broken links are warnings and render as unresolved text",
    )
    build_cmd.add_argument("--drafts", action="store_true", help="include notes with draft: true")
    build_cmd.add_argument("--force", action="store_true", help="build into a non-empty folder llmnotes did not create")
    verbosity = build_cmd.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print every warning and the output path")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = args.root.resolve()
    if not root.is_dir():
        print(f"llmnotes: error: --root {args.root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    out = args.out if args.out is None or args.out.is_absolute() else Path.cwd() / args.out
    bar = ProgressBar(sys.stderr)
    bar.enabled = bar.enabled and not args.quiet
    try:
        result = build(root, out, strict=args.strict, drafts=args.drafts, force=args.force, progress=bar)
    except UsageError as error:
        bar.close()
        print(f"llmnotes: error: {error.diagnostics[0].message}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        bar.close()
        for diagnostic in error.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
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
        for warning in result.warnings:
            print(warning.format(), file=sys.stderr)
        if args.verbose:
            print(f"rendered {result.rendered} outputs, wrote {result.written} files to {result.output}")
        where = _shown(result.output)
        print(
            f"built {result.notes} notes into {result.pages} pages in {where}/ "
            f"({len(result.warnings)} warnings) in {result.seconds:.2f} s"
            + ("" if result.rendered else ", nothing changed")
        )
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
