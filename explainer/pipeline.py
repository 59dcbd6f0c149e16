"""Run the stages in order: load -> parse -> link -> render -> write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import load_config
from .errors import BuildFailed, Collector, Diagnostic
from .link import LinkedSite, link_site
from .load import load_documents
from .parallel import default_jobs
from .render import RenderedPage, render_pages
from .search import index_site
from .write import check_output_folder, write_site


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Where to read from and write to, and how strict to be."""

    config_path: Path = Path("site.yaml")
    content_dir: Path | None = None
    out_dir: Path | None = None
    drafts: bool = False
    strict: bool = False
    search: bool = True
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

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


def _stop(collector: Collector, strict: bool) -> None:
    if collector.errors or (strict and collector.warnings):
        raise BuildFailed(collector.diagnostics)


def prepare(options: BuildOptions, collector: Collector) -> tuple[LinkedSite, list[RenderedPage]]:
    """Load, validate, link and render; raise BuildFailed with every problem found."""
    config = load_config(options.config_path, collector)
    docs = load_documents(options.content, collector)
    collector.raise_if_errors()
    assert config is not None
    from .parse import parse_site

    site = parse_site(config, docs, collector)
    collector.raise_if_errors()
    linked = link_site(site, collector, drafts=options.drafts, jobs=options.jobs)
    _stop(collector, options.strict)
    return linked, render_pages(linked, options.templates, jobs=options.jobs)


def build(options: BuildOptions, write: bool = True) -> BuildResult:
    """Build the site (or only check it when write is False)."""
    started = time.perf_counter()
    collector = Collector()
    if write:
        check_output_folder(options.out, options.protected())
    _, pages = prepare(options, collector)
    count = len(pages)
    if write:

        def index(folder: Path) -> None:
            reason = index_site(folder) if options.search else None
            if reason:
                collector.warn(
                    options.out,
                    0,
                    f"{reason}; the site was built without search (its search page says so)",
                )

        count = write_site(pages, options.static, options.out, options.protected(), index)
    return BuildResult(count, tuple(collector.diagnostics), time.perf_counter() - started)
