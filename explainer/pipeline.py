"""Run the stages in order: load -> parse -> link -> render -> write."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import (
    BuildCache,
    Manifest,
    cache_path,
    code_version,
    load_cache,
    load_manifest,
    save_cache,
    tree_manifest,
)
from .errors import BuildFailed, Collector, Diagnostic
from .parallel import default_jobs
from .progress import Progress, Stopwatch
from .urls import out_path
from .write import check_output_folder, write_site

if TYPE_CHECKING:
    from .link import LinkedSite
    from .render import PageDigest, RenderPlan


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Where to read from and write to, and how strict to be."""

    config_path: Path = Path("site.yaml")
    content_dir: Path | None = None
    out_dir: Path | None = None
    drafts: bool = False
    strict: bool = False
    search: bool = True
    cache: bool = True
    progress: bool = True  # a progress line on a terminal for long builds
    jobs: int = field(default_factory=default_jobs)

    @property
    def root(self) -> Path:
        return self.config_path.parent

    @property
    def content(self) -> Path:
        return self.content_dir if self.content_dir is not None else self.root / "content"

    @property
    def out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.root / "_site"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    def protected(self) -> list[tuple[str, Path]]:
        return [
            ("project folder", self.root),
            ("content folder", self.content),
            ("templates folder", self.templates),
            ("static folder", self.static),
        ]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    pages: int
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    up_to_date: bool = False
    reused: int = 0
    stages: str = ""  # where the time went: 'load 0.41 s, link 2.10 s, …'

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


def _stop(collector: Collector, strict: bool) -> None:
    if collector.errors or (strict and collector.warnings):
        raise BuildFailed(collector.diagnostics)


def prepare(
    options: BuildOptions,
    collector: Collector,
    cache: BuildCache | None = None,
    clock: Stopwatch | None = None,
    progress: Progress | None = None,
) -> tuple[LinkedSite, RenderPlan]:
    """Load, validate and link; plan the pages. Raise BuildFailed with every problem found.

    The plan's pages are rendered as they are taken from it (see RenderPlan).
    """
    clock = clock if clock is not None else Stopwatch()
    progress = progress if progress is not None else Progress(enabled=False)
    # Imported here: a build that finds nothing changed never needs Markdown or Jinja.
    from .advice import advise
    from .config import load_config
    from .link import link_site
    from .load import DEFAULT_LIMITS, check_project_files, load_documents
    from .parse import parse_site
    from .render import plan_pages

    config = load_config(options.config_path, collector)
    check_project_files(options.root, options.content, options.templates, options.static, collector)
    unreadable: dict[str, str] = {}
    ignored: dict[str, tuple[str, Path]] = {}  # slug -> a file not read for its name
    limits = config.limits if config else DEFAULT_LIMITS
    docs = load_documents(
        options.content,
        collector,
        cache.docs if cache else None,
        unreadable,
        limits,
        options.jobs,
        ignored,
    )
    clock.lap("load")
    if config is None:
        collector.raise_if_errors()
    assert config is not None
    site = parse_site(config, docs, collector, unreadable, ignored)
    collector.raise_if_errors()
    clock.lap("parse")
    linked = link_site(
        site,
        collector,
        drafts=options.drafts,
        jobs=options.jobs,
        conversions=cache.conversions if cache else None,
        progress=progress,
        derived=cache.derived if cache else None,
    )
    advise(linked, collector)
    _stop(collector, options.strict)
    clock.lap("link")
    previous: dict[str, PageDigest] = {}
    salt = b""
    if cache is not None:
        intact = _intact_outputs(options.out, cache.outputs)
        previous = {url: d for url, d in cache.pages.items() if out_path(url) in intact}
        salt = cache.key.encode() + tree_manifest(options.templates)
    plan = plan_pages(linked, options.templates, options.jobs, previous, salt, progress)
    clock.lap("compare")
    return linked, plan


def _options_key(options: BuildOptions) -> str:
    parts = [
        code_version(),
        str(options.drafts),
        str(options.strict),
        str(options.search),
        str(options.content.resolve()),
        str(options.config_path.resolve()),
        tree_manifest(options.config_path).hex(),  # its embed_hosts and limits change results
    ]
    return "|".join(parts)


def _stat_outputs(out_dir: Path) -> dict[str, tuple[int, int, int]]:
    found: dict[str, tuple[int, int, int]] = {}
    root = str(out_dir)
    for dirpath, _, filenames in os.walk(out_dir):
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            found[rel.replace(os.sep, "/")] = _identity(st)
    return found


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    # The inode too: with SOURCE_DATE_EPOCH every file has the same time, and a page
    # rewritten to the same size by a build killed before it saved the cache would pass.
    return st.st_size, st.st_mtime_ns, st.st_ino


def _up_to_date(out_dir: Path, inputs: bytes, last: BuildCache | Manifest) -> bool:
    """True when the inputs are those of the last build and its output is untouched."""
    return (
        last.inputs == inputs
        and bool(last.outputs)
        and len(_intact_outputs(out_dir, last.outputs)) == len(last.outputs)
    )


def _intact_outputs(out_dir: Path, recorded: dict[str, tuple[int, int, int]]) -> set[str]:
    """Return the recorded output files that are still exactly as the last build left them."""
    intact = set()
    root = os.fspath(out_dir)
    for rel, expected in recorded.items():
        try:
            st = os.stat(os.path.join(root, rel))
        except OSError:
            continue
        if _identity(st) == expected:
            intact.add(rel)
    return intact


def build(
    options: BuildOptions, write: bool = True, memory: BuildCache | None = None
) -> BuildResult:
    """Build the site (or only check it when write is False).

    `memory` is a cache kept by a long-running caller (the preview server): it is used
    and updated in place instead of the cache file.
    """
    started = time.perf_counter()
    clock = Stopwatch()
    collector = Collector()
    progress = Progress(enabled=None if options.progress else False)
    try:
        return _build(options, write, memory, started, clock, collector, progress)
    finally:
        progress.clear()


def _build(
    options: BuildOptions,
    write: bool,
    memory: BuildCache | None,
    started: float,
    clock: Stopwatch,
    collector: Collector,
    progress: Progress,
) -> BuildResult:
    if not write:
        _, plan = prepare(options, collector, clock=clock, progress=progress)
        pages = sum(1 for _ in plan.pages)  # rendered, to find template errors
        return BuildResult(pages, tuple(collector.diagnostics), _since(started))
    check_output_folder(options.out, options.protected())
    cache_file = cache_path(options.root, options.out)
    key = _options_key(options)
    inputs = tree_manifest(options.config_path, options.content, options.templates, options.static)
    inputs += os.environ.get("SOURCE_DATE_EPOCH", "").encode()  # it sets the files' times
    if options.cache and memory is None:
        manifest = load_manifest(cache_file, key)
        if manifest is not None and _up_to_date(options.out, inputs, manifest):
            return BuildResult(0, manifest.diagnostics, _since(started), up_to_date=True)
    if memory is not None and memory.key != key:
        memory.reset(key)  # other settings: start afresh
    cache = (
        memory
        if memory is not None
        else load_cache(cache_file, key)
        if options.cache
        else BuildCache(key=key)
    )
    if memory is not None and _up_to_date(options.out, inputs, cache):
        return BuildResult(0, cache.diagnostics, _since(started), up_to_date=True)
    clock.lap("cache")
    _, plan = prepare(options, collector, cache, clock, progress)

    def index(folder: Path) -> None:
        from .search import index_site

        clock.lap("render and write")
        progress.clear()
        reason = index_site(folder) if options.search else None
        clock.lap("search")
        if reason:
            collector.warn(
                options.out,
                0,
                f"{reason}; the site was built without search (its search page says so)",
            )

    count = write_site(
        plan.pages, options.static, options.out, options.protected(), index, plan.reused
    )
    clock.lap("swap")
    if options.cache:
        cache.inputs = inputs
        cache.pages = plan.digests
        cache.outputs = _stat_outputs(options.out)
        cache.diagnostics = tuple(collector.diagnostics)
        if memory is None:
            save_cache(cache_file, cache)
        clock.lap("cache")
    return BuildResult(
        count,
        tuple(collector.diagnostics),
        _since(started),
        reused=len(plan.reused),
        stages=clock.summary(),
    )


def _since(started: float) -> float:
    return time.perf_counter() - started
