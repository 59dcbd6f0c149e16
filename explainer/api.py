"""What the command line and other callers use: build or check a site.

A build with the cache goes through the incremental layer, which redoes only what
changed since the last build (through the build daemon, which keeps that layer's state
in memory between runs, when asked); without it (or when only checking), through the
clean build of pipeline.py. All give the same bytes.
"""

from __future__ import annotations

import time

from .core.options import BuildOptions, BuildResult
from .core.progress import Progress
from .output.write import check_output_folder

__all__ = ["BuildOptions", "BuildResult", "build"]


def build(options: BuildOptions, write: bool = True) -> BuildResult:
    """Build the site (or only check it when write is False)."""
    started = time.perf_counter()
    progress = Progress(enabled=None if options.progress else False)
    try:
        if write:
            check_output_folder(options.out, options.protected())
            if options.cache and options.daemon:
                from . import daemon

                return daemon.build(options, started, progress)
            if options.cache:
                from .incremental import cached_build

                return cached_build(options, started, progress)
        from .pipeline import clean_build

        return clean_build(options, write, started, progress)
    finally:
        progress.clear()
