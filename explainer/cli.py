"""Command line: build, check."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import BuildFailed, display_path
from .pipeline import BuildOptions, build

COMMANDS = ("build", "check")


def make_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build an explainer site from Markdown content.",
        epilog="Commands: build (the default) writes the site; check validates it and writes nothing.",
    )
    parser.add_argument(
        "command", nargs="?", choices=COMMANDS, default="build", help="what to do (default: build)"
    )
    parser.add_argument(
        "--content", metavar="DIR", type=Path, help="content folder (default: content)"
    )
    parser.add_argument("--out", metavar="DIR", type=Path, help="output folder (default: _site)")
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=Path("site.yaml"),
        help="site settings (default: site.yaml)",
    )
    parser.add_argument("--drafts", action="store_true", help="publish articles marked draft: true")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        metavar="N",
        default=None,
        help="processes to use (default: one per core)",
    )
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="ignore and do not update the build cache in .cache/ (a guaranteed clean build)",
    )
    parser.add_argument(
        "--no-search", dest="search", action="store_false", help="skip the search index"
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = make_parser().parse_args(argv)
    options = BuildOptions(
        config_path=args.config,
        content_dir=args.content,
        out_dir=args.out,
        drafts=args.drafts,
        strict=args.strict,
        search=args.search,
        cache=args.cache,
        **({"jobs": args.jobs} if args.jobs else {}),
    )
    write = args.command == "build"
    out_name = display_path(options.out)
    try:
        result = build(options, write=write)
    except BuildFailed as failed:
        for diagnostic in sorted(failed.diagnostics, key=lambda d: (d.severity != "error", d)):
            print(diagnostic, file=sys.stderr)
        errors = len(failed.errors)
        warnings = len(failed.diagnostics) - errors
        kept = f"; {out_name} was left as it was" if write else ""
        reason = (
            _plural(errors, "error") if errors else f"{_plural(warnings, 'warning')} (--strict)"
        )
        print(f"Build failed: {reason}{kept}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"Interrupted; {out_name} was left as it was.", file=sys.stderr)
        return 130
    for diagnostic in sorted(result.warnings):
        print(diagnostic, file=sys.stderr)
    warned = _plural(len(result.warnings), "warning")
    if write and result.up_to_date:
        print(f"{out_name} is up to date: nothing changed ({result.seconds:.2f} s, {warned}).")
    elif write:
        kept = f", {result.reused} unchanged" if result.reused else ""
        print(
            f"Built {_plural(result.pages, 'page')} into {out_name}{kept} "
            f"in {result.seconds:.2f} s, {warned}."
        )
    else:
        print(
            f"Checked {_plural(result.pages, 'page')} in {result.seconds:.2f} s: no errors, {warned}."
        )
    return 0
