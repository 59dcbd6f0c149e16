#!/usr/bin/env python3
"""The second floor of the stack: Jinja drawing the site's own pages, from contexts made ahead.

    .venv/bin/python bench/render_floor.py CORPUS [--jobs N] [--repeat 3]

bench/floor.py measures what Python-Markdown alone costs. This measures what the other
fixed part of the stack, Jinja2, costs to draw the pages the site publishes, with
everything else taken away beforehand: the corpus is loaded, parsed and linked (untimed),
each page's context is made as explainer/pages/render.py makes it, without noting reads
(untimed), and its charts are drawn (untimed, by a first drawing). What is timed is each
template's `render(**context)` alone, for every page, over all cores (a fork pool; the
contexts are inherited, nothing is sent to the workers but page numbers): no hover cards
added, nothing encoded, nothing written.

A build cannot draw its pages in less than this while its templates stay as they are, so
floor.py's time plus this one is the least a cold build of these pages can take on this
stack, before loading, linking, writing and the search index.

It prints one line for people and, last, a JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from explainer.content.config import load_config  # noqa: E402
from explainer.content.images import check_images, found_images  # noqa: E402
from explainer.content.load import DEFAULT_LIMITS, load_documents  # noqa: E402
from explainer.content.parse import parse_site  # noqa: E402
from explainer.core.errors import Collector  # noqa: E402
from explainer.core.urls import absolute_url, relative_url  # noqa: E402
from explainer.link.linking import link_site  # noqa: E402
from explainer.pages import render  # noqa: E402
from explainer.pages.view import SiteView, page_data  # noqa: E402

_pages: list[tuple[Any, dict[str, Any]]] = []  # (template, context), inherited by the workers


def prepare(corpus: Path, config_path: Path, jobs: int) -> tuple[int, float]:
    """Fill _pages with every page's template and context; return (pages, seconds)."""
    started = time.perf_counter()
    collector = Collector()
    config = load_config(config_path, collector)
    assert config is not None, collector.diagnostics
    limits = config.limits or DEFAULT_LIMITS
    docs = load_documents(corpus, collector, {}, limits, jobs, {})
    site = parse_site(config, docs, collector, {}, {})
    images = found_images(check_images(site, config_path.parent / "static", collector))
    linked = link_site(site, collector, drafts=False, jobs=jobs)
    data = page_data(linked, images=images)
    renderer = render.Renderer(config_path.parent / "templates")
    view = SiteView(data)
    for job in data.jobs:
        if not job.template:
            continue
        url_path = job.url_path
        context = render.CONTEXTS[job.kind](view, job)
        if "social" not in context:
            context.update(render._pictures_context(view, job))
        context.pop("card_refs", None)
        drawn: dict[int, Any] = {}

        def chart(item: Any, url_path: str = url_path, drawn: dict[int, Any] = drawn) -> Any:
            key = id(item)
            if key not in drawn:
                drawn[key] = render.draw_chart(item, url_path)
            return drawn[key]

        def url(target: str, url_path: str = url_path) -> str:
            return relative_url(url_path, target)

        def folder_url(target: str, url_path: str = url_path) -> str:
            return relative_url(url_path, target, index=False)

        def card_ref(slug: str) -> Any:
            return render.Markup('data-ref="{}"').format(slug)

        for key, value in (("entities", {}), ("wide", False), ("crumbs", ()), ("og_type", "website"), ("structured", "")):
            context.setdefault(key, value)
        context.update(
            site=view.config,
            url=url,
            folder_url=folder_url,
            card_ref=card_ref,
            chart=chart,
            page_url=url_path,
            canonical=absolute_url(view.config.base_url, url_path),
        )
        template = renderer.env.get_template(job.template)
        template.render(**context)  # draws its charts, compiles the template
        _pages.append((template, context))
    return len(_pages), time.perf_counter() - started


def draw(chunk: range) -> tuple[int, float]:
    """Render some pages; return (characters of HTML, CPU seconds)."""
    cpu = time.process_time()
    size = 0
    for i in chunk:
        template, context = _pages[i]
        size += len(template.render(**context))
    return size, time.process_time() - cpu


def measure(jobs: int) -> tuple[float, float, int]:
    """Render every page once over `jobs` processes: (wall seconds, CPU seconds, chars)."""
    count = len(_pages)
    step = max(1, -(-count // (jobs * 8)))
    chunks = [range(i, min(i + step, count)) for i in range(0, count, step)]
    started = time.perf_counter()
    if jobs == 1:
        done = [draw(c) for c in chunks]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            done = list(pool.imap_unordered(draw, chunks))
    return time.perf_counter() - started, sum(d[1] for d in done), sum(d[0] for d in done)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a corpus folder from make_corpus.py")
    ap.add_argument("--config", type=Path, default=REPO / "site.yaml")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the median is kept")
    args = ap.parse_args()
    pages, prepared = prepare(args.corpus.resolve(), args.config.resolve(), args.jobs)
    runs = [measure(args.jobs) for _ in range(args.repeat)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    chars = runs[0][2]
    print(
        f"render floor: {pages:,} pages ({chars / 1e6:.1f} M chars of HTML) drawn by Jinja over "
        f"{args.jobs} processes: {wall:.2f} s (median of {len(runs)}; {cpu:.2f} s of CPU, "
        f"{cpu / pages * 1000:.2f} ms a page); contexts made beforehand in {prepared:.1f} s"
    )
    print(
        json.dumps(
            {"pages": pages, "jobs": args.jobs, "seconds": wall, "cpu_s": cpu, "chars": chars,
             "runs": [r[0] for r in runs]}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
