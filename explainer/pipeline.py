"""A clean build: the stages in a straight line (load -> parse -> link -> render -> write).

Each stage runs once over everything. A build with the cache goes through the
incremental layer above (explainer/incremental/), which runs the same stages again
only on what changed; explainer/api.py chooses between the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .core.errors import BuildFailed, Collector
from .core.options import BuildOptions, BuildResult
from .core.progress import Progress, Stopwatch
from .output.write import write_site

__all__ = ["clean_build", "finish_with_search"]


def _stop(collector: Collector, strict: bool) -> None:
    if collector.errors or (strict and collector.warnings):
        raise BuildFailed(collector.diagnostics)


def clean_build(
    options: BuildOptions, write: bool, started: float, progress: Progress
) -> BuildResult:
    """Build everything from scratch (or only check it when write is False)."""
    # Imported here: a build that finds nothing changed never needs Markdown or Jinja.
    from .content.config import load_config
    from .content.images import check_images, found_images
    from .content.load import DEFAULT_LIMITS, check_project_files, load_documents
    from .content.parse import parse_site
    from .link.advice import advise
    from .link.linking import link_site
    from .pages.images import site_files
    from .pages.render import iter_pages
    from .pages.view import page_data

    clock = Stopwatch()
    collector = Collector()
    config = load_config(options.config_path, collector)
    check_project_files(options.root, options.content, options.templates, options.static, collector)
    unreadable: dict[str, str] = {}
    ignored: dict[str, tuple[str, Path]] = {}  # slug -> a file not read for its name
    limits = config.limits if config else DEFAULT_LIMITS
    docs = load_documents(options.content, collector, unreadable, limits, options.jobs, ignored)
    clock.lap("load")
    if config is None:
        collector.raise_if_errors()
    assert config is not None
    site = parse_site(config, docs, collector, unreadable, ignored)
    images = found_images(check_images(site, options.static, collector))
    collector.raise_if_errors()
    clock.lap("parse")
    linked = link_site(site, collector, drafts=options.drafts, jobs=options.jobs, progress=progress)
    advise(linked, collector, strict=options.strict)
    _stop(collector, options.strict)
    clock.lap("link")
    data = page_data(linked, images=images)
    pages = iter_pages(data, options.templates, options.jobs, progress)
    if not write:
        count = sum(1 for _ in pages)  # rendered, to find template errors
        return BuildResult(count, tuple(collector.diagnostics), time.perf_counter() - started)
    count = write_site(
        pages,
        options.static,
        options.out,
        options.protected(),
        finish_with_search(options, collector, clock, progress),
        files=site_files(
            [*(item.article for item in linked.articles), *site.people], config.title, images
        ),
        image_cache=options.image_cache,
        jobs=options.jobs,
    )
    clock.lap("swap")
    return BuildResult(
        count, tuple(collector.diagnostics), time.perf_counter() - started, stages=clock.summary()
    )


def finish_with_search(
    options: BuildOptions,
    collector: Collector,
    clock: Stopwatch,
    progress: Progress,
    written: str = "render and write",
) -> Callable[[Path], None]:
    """Return what runs on the written folder before it is swapped in: the search index.

    `written` names the stage that ends when it starts.
    """

    def index(folder: Path) -> None:
        from .output.search import index_site

        clock.lap(written)
        progress.clear()
        reason = index_site(folder) if options.search else None
        clock.lap("search")
        if reason:
            collector.warn(
                options.out,
                0,
                f"{reason}; the site was built without search (its search page says so)",
            )

    return index
