"""Time each stage of one explainer build in this process, with jobs=1; print JSON.

    python bench/stages.py --content DIR --out DIR [--config site.yaml] [--no-search]

bench/run.py runs it from the root of the checkout being measured (the explainer
package is imported from the current folder). The stages are called the way
explainer/pipeline.py calls them, so the sum is close to a one-process build.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path.cwd()))  # the measured checkout's explainer, not an installed one

from explainer.content.config import load_config  # noqa: E402
from explainer.content.load import load_documents  # noqa: E402
from explainer.content.parse import parse_site  # noqa: E402
from explainer.core.errors import BuildFailed, Collector  # noqa: E402
from explainer.link.linking import link_site  # noqa: E402
from explainer.output.search import index_site  # noqa: E402
from explainer.output.write import write_site  # noqa: E402
from explainer.pages.render import iter_pages  # noqa: E402
from explainer.pages.view import page_data  # noqa: E402

T = TypeVar("T")


def _peak_rss_kb() -> int:
    """Return this process's peak RSS since it started.

    VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would start at the peak of
    the process that launched us (bench/run.py, holding a corpus).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    """Run every stage once and print their times as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--config", type=Path, default=Path("site.yaml"))
    ap.add_argument("--no-search", dest="search", action="store_false")
    args = ap.parse_args()
    root = args.config.parent
    stages: list[dict[str, Any]] = []

    def timed(name: str, what: str, step: Callable[[], T]) -> T:
        started = time.perf_counter()
        value = step()
        stages.append(
            {
                "stage": name,
                "what": what,
                "seconds": time.perf_counter() - started,
                "max_rss_kb": _peak_rss_kb(),
                # Pagefind runs as a child process; its peak is not in our own. (A child's
                # ru_maxrss starts at ours when it was started, so it is at least ours.)
                "children_max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
        print(f"  stage {name}: {stages[-1]['seconds']:.2f} s", file=sys.stderr)
        return value

    collector = Collector()
    try:
        config = timed("config", "site.yaml", lambda: load_config(args.config, collector))
        docs = timed(
            "load",
            "read files, split front matter, YAML",
            lambda: load_documents(args.content, collector),
        )
        collector.raise_if_errors()
        assert config is not None
        site = timed(
            "parse",
            "validate front matter into model objects",
            lambda: parse_site(config, docs, collector),
        )
        collector.raise_if_errors()
        linked = timed(
            "link",
            "Markdown to HTML, mentions, [[refs]], backlinks",
            lambda: link_site(site, collector, jobs=1),
        )
        data = timed(
            "pages",
            "which pages exist, timeline, sitemap dates",
            lambda: page_data(linked),
        )
        count = timed(
            "render and write",
            "Jinja templates for every page, each written as it is rendered; static files; swap",
            lambda: write_site(iter_pages(data, root / "templates"), root / "static", args.out),
        )
        if args.search:
            reason = timed(
                "search", "Pagefind index of the written site", lambda: index_site(args.out)
            )
            if reason:
                print(f"search: {reason}", file=sys.stderr)
    except BuildFailed as failed:
        for diagnostic in failed.diagnostics[:20]:
            print(diagnostic, file=sys.stderr)
        return 1
    print(
        json.dumps(
            {
                "jobs": 1,
                "documents": len(docs),
                "pages": count,
                "warnings": len(collector.warnings),
                "stages": stages,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
