"""Command line: build (the default), check, serve, new."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildFailed, Diagnostic, display_path

if TYPE_CHECKING:
    from .pipeline import BuildOptions, BuildResult

COMMANDS = ("build", "check", "serve", "new")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


def make_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    sources = argparse.ArgumentParser(add_help=False)
    sources.add_argument(
        "--content", metavar="DIR", type=Path, help="content folder (default: content)"
    )
    sources.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=Path("site.yaml"),
        help="site settings (default: site.yaml)",
    )
    building = argparse.ArgumentParser(add_help=False)
    building.add_argument("--strict", action="store_true", help="treat warnings as errors")
    building.add_argument(
        "--jobs", "-j", type=_positive, metavar="N", help="processes to use (default: one per core)"
    )
    building.add_argument(
        "--quiet", "-q", action="store_true", help="print only warnings, errors and failures"
    )
    building.add_argument(
        "--verbose", "-v", action="store_true", help="also say what was reused and where time went"
    )
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--out", metavar="DIR", type=Path, help="output folder (default: _site)")
    output.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="ignore and do not update the build cache in .cache/ (a guaranteed clean build)",
    )
    output.add_argument(
        "--no-search", dest="search", action="store_false", help="skip the search index"
    )

    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build an explainer site from Markdown content. "
        "With no command, `build` is run.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = commands.add_parser(
        "build", parents=[sources, building, output], help="build the site (the default)"
    )
    b.add_argument("--drafts", action="store_true", help="publish articles marked draft: true")
    c = commands.add_parser(
        "check", parents=[sources, building], help="validate everything, write nothing"
    )
    c.add_argument("--drafts", action="store_true", help="check as if drafts were published")
    c.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json prints every problem as JSON, for editors (default: text)",
    )
    s = commands.add_parser(
        "serve",
        parents=[sources, building],
        help="build, serve on 127.0.0.1, rebuild and reload pages on every save",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument(
        "--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    s.add_argument("--no-drafts", dest="drafts", action="store_false", help="hide draft articles")
    n = commands.add_parser("new", parents=[sources], help="start a new article, person or topic")
    n.add_argument("kind", choices=("article", "person", "topic"), help="what to create")
    n.add_argument("title", help='the title or name, e.g. "Recep Tayyip Erdoğan"')
    return parser


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before or after the build proper, which says more
        print("Interrupted.", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    # Imported here, not above, so that Ctrl-C during the slow imports is reported cleanly.
    from .pipeline import BuildOptions

    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    args = make_parser().parse_args(args_list)
    if args.command == "new":
        from .scaffold import ScaffoldError, create_page

        content = args.content if args.content is not None else args.config.parent / "content"
        try:
            path = create_page(args.kind, args.title, content)
        except ScaffoldError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(display_path(path))
        return 0
    options = BuildOptions(
        config_path=args.config,
        content_dir=args.content,
        out_dir=getattr(args, "out", None),
        drafts=args.drafts,
        strict=args.strict,
        search=getattr(args, "search", True),
        cache=getattr(args, "cache", True),
        **({"jobs": args.jobs} if args.jobs else {}),
    )
    if args.command == "serve":
        from .serve import serve

        return serve(options, args.host, args.port, quiet=args.quiet)
    if args.command == "check" and args.format == "json":
        return _check_json(options)
    return _build(options, write=args.command == "build", quiet=args.quiet, verbose=args.verbose)


def _build(options: BuildOptions, write: bool, quiet: bool = False, verbose: bool = False) -> int:
    out_name = display_path(options.out)
    before = _identity(options.out) if write else None
    try:
        return _report(options, write, quiet, verbose)
    except KeyboardInterrupt:  # at any moment, up to the last line printed
        if write and _identity(options.out) != before:
            print(f"Interrupted; the new site was already in place in {out_name}.", file=sys.stderr)
        else:
            print(f"Interrupted; {out_name} was left as it was.", file=sys.stderr)
        return 130


def _report(options: BuildOptions, write: bool, quiet: bool, verbose: bool) -> int:
    from .pipeline import build

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
    for diagnostic in sorted(result.warnings):
        print(diagnostic, file=sys.stderr)
    if not quiet:
        print(summary_line(result, out_name if write else None))
    if verbose and write and not result.up_to_date:
        print(f"{result.reused} pages carried over unchanged from the previous build.")
    if verbose and result.stages:
        print(f"Time by stage: {result.stages}.")
    return 0


def _identity(folder: Path) -> tuple[int, int] | None:
    """Tell output folders apart: each build swaps in a new one, with its own inode."""
    try:
        st = folder.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def summary_line(result: BuildResult, out_name: str | None) -> str:
    """Describe a finished build in one line."""
    warned = _plural(len(result.warnings), "warning")
    if out_name is None:
        return f"Checked {_plural(result.pages, 'page')} in {result.seconds:.2f} s: no errors, {warned}."
    if result.up_to_date:
        return f"{out_name} is up to date: nothing changed ({result.seconds:.2f} s, {warned})."
    kept = f", {result.reused} unchanged" if result.reused else ""
    return (
        f"Built {_plural(result.pages, 'page')} into {out_name}{kept} "
        f"in {result.seconds:.2f} s, {warned}."
    )


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, object]:
    """Return a problem as editors want it."""
    return {
        "file": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
    }


def _check_json(options: BuildOptions) -> int:
    from .pipeline import build

    try:
        result = build(options, write=False)
        diagnostics, status = result.diagnostics, 0
    except BuildFailed as failed:
        diagnostics, status = failed.diagnostics, 1
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.severity != "error", d.message))
    print(json.dumps([diagnostic_json(d) for d in ordered], ensure_ascii=False, indent=2))
    return status
