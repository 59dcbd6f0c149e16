"""Command line: build (the default), check, serve, new."""

from __future__ import annotations

import argparse
import difflib
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.errors import BuildFailed, Diagnostic, did_you_mean, display_path

if TYPE_CHECKING:
    from .api import BuildOptions, BuildResult

COMMANDS = ("build", "check", "serve", "new")
HELP = ("-h", "--help", "--version")
# The packages a build imports (pyproject.toml's dependencies), by their module names.
DEPENDENCIES = frozenset(
    {"jinja2", "markupsafe", "markdown", "yaml", "pagefind", "watchfiles", "nh3"}
)


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
    version = f"explainer {__version__}"
    sources = argparse.ArgumentParser(add_help=False)
    sources.add_argument("--version", action="version", version=version)
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
    output.add_argument(
        "--daemon",
        dest="daemon",
        action="store_true",
        default=None,
        help="keep what the build knew in a background process, so the next build of this "
        "folder starts from memory (the default at a terminal; never with CI set)",
    )
    output.add_argument(
        "--no-daemon",
        dest="daemon",
        action="store_false",
        help="build in this process only, and stop the background process of --daemon",
    )

    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build an explainer site from Markdown content. "
        "With no command, `build` is run.",
    )
    parser.add_argument("--version", action="version", version=version)
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


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Return each command's own parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def arrange(parser: argparse.ArgumentParser, args: list[str]) -> list[str]:
    """Put the command first, wherever it was typed; `build` when there is none.

    Options may come before the command (`--strict check`) as well as after it. A word
    where a command belongs that is no command is a usage error, with the nearest one.
    """
    commands = _commands(parser)
    options = {
        option: action.nargs != 0
        for sub in commands.values()
        for action in sub._actions
        for option in action.option_strings
    }
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            break
        if word.startswith("-"):
            if "=" not in word:
                # argparse also accepts a long option cut short: --cont DIR is --content DIR
                named = [o for o in options if o == word] or [
                    o for o in options if o.startswith("--") and o.startswith(word)
                ]
                if len(named) == 1 and options[named[0]]:
                    i += 1  # its value, never the command
            i += 1
            continue
        if word in commands:
            return [word, *args[:i], *args[i + 1 :]]
        parser.error(
            f"unknown command '{word}'{did_you_mean(word, commands)}; "
            f"the commands are {', '.join(COMMANDS[:-1])} and {COMMANDS[-1]}"
        )
    if any(word in HELP for word in args[:i]):
        return args
    return ["build", *args]


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace:
    """Parse the arranged arguments; name the nearest option for each mistyped one."""
    found, extras = parser.parse_known_args(args)
    if not extras:
        return found
    commands = _commands(parser)
    command = commands[found.command]
    own = [o for a in command._actions for o in a.option_strings]
    hints = []
    for word in extras:
        option = word.split("=", 1)[0]
        if word in commands:
            hints.append(f"{word} (give one command at a time)")
        elif option.startswith("-") and option not in own:
            others = [
                name
                for name, sub in commands.items()
                if any(option in a.option_strings for a in sub._actions)
            ]
            where = f" ({option} belongs to {' and '.join(others)})" if others else ""
            # Compared without their dashes, which every option shares.
            bare = {o.lstrip("-"): o for o in own if o.startswith("--")}
            close = difflib.get_close_matches(option.lstrip("-"), list(bare), n=1, cutoff=0.6)
            hint = f" (did you mean '{bare[close[0]]}'?)" if close else ""
            hints.append(f"{word}{where or hint}")
        else:
            hints.append(word)
    command.error(f"unrecognized arguments: {' '.join(hints)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before or after the build proper, which says more
        print("Interrupted.", file=sys.stderr)
        return 130
    except ModuleNotFoundError as err:
        missing = err.name or (err.args[0].split("'")[1] if "'" in str(err) else "")
        if missing.split(".")[0] not in DEPENDENCIES:
            raise  # a module of our own, or of Python itself: a bug, not the set-up
        print(outside_environment(missing, argv), file=sys.stderr)
        return 1


def outside_environment(missing: str, argv: Sequence[str] | None) -> str:
    """Explain, when a package is missing, how to run build.py with the project's Python."""
    project = Path(__file__).resolve().parent.parent
    python = project / ".venv" / "bin" / "python"
    words = list(sys.argv[1:] if argv is None else argv)
    again = shlex.join([display_path(python), display_path(project / "build.py"), *words])
    where = "" if display_path(project) == "." else f" in {display_path(project)}"
    run = (
        f"or run this command with the project's Python: `{again}`"
        if python.exists()
        else f"then `{again}` runs this command with it"
    )
    return (
        f"error: {sys.executable} cannot run the build: the package '{missing.split('.')[0]}' "
        f"is not installed for it. Run `make site`{where} (it sets up the project's own "
        f"Python in .venv and builds the site); {run}."
    )


def _main(argv: Sequence[str] | None) -> int:
    # Imported here, not above, so that Ctrl-C during the slow imports is reported cleanly.
    from .api import BuildOptions

    parser = make_parser()
    args = _parse(parser, arrange(parser, list(sys.argv[1:] if argv is None else argv)))
    if args.command == "new":
        from .scaffold import ScaffoldError, create_page, name_clashes

        content = args.content if args.content is not None else args.config.parent / "content"
        try:
            path = create_page(args.kind, args.title, content)
        except ScaffoldError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(display_path(path))
        for warning in name_clashes(path, content):
            print(warning, file=sys.stderr)
        return 0
    options = BuildOptions(
        config_path=args.config,
        content_dir=args.content,
        out_dir=getattr(args, "out", None),
        drafts=args.drafts,
        strict=args.strict,
        search=getattr(args, "search", True),
        cache=getattr(args, "cache", True),
        daemon=_daemon_wanted(args),
        **({"jobs": args.jobs} if args.jobs else {}),
    )
    if getattr(args, "daemon", None) is False and args.command == "build":
        from .daemon import stop

        stop(options)
    if args.command == "serve":
        import watchfiles  # noqa: F401 - here, so a missing package is explained (see main)

        from .serve.server import serve

        return serve(options, args.host, args.port, quiet=args.quiet)
    if args.command == "check" and args.format == "json":
        return _check_json(options)
    return _build(options, write=args.command == "build", quiet=args.quiet, verbose=args.verbose)


def _daemon_wanted(args: argparse.Namespace) -> bool:
    """--daemon, --no-daemon, or by default whether a person runs this at a terminal."""
    if args.command != "build" or not getattr(args, "cache", True):
        return False
    chosen: bool | None = getattr(args, "daemon", None)
    if chosen is not None:
        return chosen
    from .daemon import in_terminal

    return in_terminal()


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
    from .api import build

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
    if verbose and result.daemon:
        print(
            f"Built by the build daemon (process {result.daemon}), which keeps the site "
            "in memory between builds; --no-daemon stops it."
        )
    if verbose and result.daemon_left:
        print(
            f"Left a build daemon (process {result.daemon_left}) holding this build in memory "
            "for the next one; --no-daemon stops it."
        )
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
    from .api import build

    try:
        result = build(options, write=False)
        diagnostics, status = result.diagnostics, 0
    except BuildFailed as failed:
        diagnostics, status = failed.diagnostics, 1
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.severity != "error", d.message))
    print(json.dumps([diagnostic_json(d) for d in ordered], ensure_ascii=False, indent=2))
    return status
