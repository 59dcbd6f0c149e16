#!/usr/bin/env python3
"""The floor of the stack: Python-Markdown over a corpus's bodies on every core, nothing else.

    python bench/floor.py CORPUS [--jobs N] [--extensions fenced_code,tables,...]
                                 [--articles-only] [--yaml]

What explainer cannot go below with its own stack (issue 17): every content file of the
corpus (articles, people and topics: the bodies a build converts) is read, its front
matter cut off, and its Markdown body converted to HTML by `markdown.Markdown` with the
same built-in extensions explainer's converter uses (explainer/link/markup.py's
MARKDOWN_EXTENSIONS; bench/run.py reads them from the checkout it measures and passes
them with --extensions), `output_format="html"` as there. Not the project's own
extensions (mentions, [[refs]], the sanitizer), nor its inline-pattern pruning.

- One Markdown instance per process, made once before the workers are forked (so the
  extensions are imported once) and `.reset()` before each document.
- Over all cores: a fork pool of one worker per core (`--jobs`, default: the cores this
  process may run on), each given chunks of file paths; each worker reads its files and
  converts them. The HTML is counted and dropped: nothing is sent back but sizes and
  times, nothing is written, no page is rendered.
- Front matter is split off cheaply (the text between the first two `---` lines), not
  parsed: reading the metadata (YAML) is the `load` stage of a build, which the issue
  counts as part of what sits on top of the bare conversion, not part of it. `--yaml`
  also parses it with `yaml.safe_load` (the C loader when there is one), to see what that
  costs; bench/run.py does not pass it.
- `--articles-only` converts only content/articles (the issue's "same 4,000 bodies");
  the default converts people and topics too, since a build converts them as well (at
  4,000 articles they add 600 files and about 4% of the Markdown).

It prints one line for people and, last, a JSON object for bench/run.py: the wall time
of the work from just before the first import of Markdown to the end (`seconds`), split
into `import` (Markdown and its extensions) and `convert` (fork, read, split, convert,
join), and the CPU seconds the workers spent converting (`convert_cpu_s`, summed over
workers: roughly what one process would take). bench/run.py times the whole process from
outside, interpreter start-up included, as it does every build.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

import markdown  # noqa: E402

COLLECTIONS = ("articles", "people", "topics")
# explainer/link/markup.py's MARKDOWN_EXTENSIONS (bench/run.py passes the measured
# checkout's own list; this is the fallback when run by hand).
EXTENSIONS = ("fenced_code", "tables", "footnotes", "attr_list", "toc")
CHUNKS_PER_WORKER = 8  # small enough to even out the last chunks, large enough to be cheap

_md: markdown.Markdown | None = None
_yaml_load: Any = None


def body_of(text: str) -> tuple[str, str]:
    """Split `---` front matter from the body without parsing it: (front matter, body)."""
    if not text.startswith("---"):
        return "", text
    end = text.find("\n---", 3)
    if end < 0:
        return "", text
    start = text.find("\n", end + 4)
    return text[4:end], ("" if start < 0 else text[start + 1 :])


def convert_chunk(paths: list[str]) -> tuple[int, int, int, float]:
    """Read and convert some files; return (files, Markdown chars, HTML chars, CPU seconds)."""
    assert _md is not None
    cpu = time.process_time()
    source = html = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            front, body = body_of(f.read())
        if _yaml_load is not None:
            _yaml_load(front)
        html += len(_md.reset().convert(body))
        source += len(body)
    return len(paths), source, html, time.process_time() - cpu


def cores() -> int:
    """The cores this process may run on (what explainer's default --jobs uses)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main() -> int:
    """Convert every body of the corpus on every core; print the times."""
    global _md, _yaml_load
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a corpus folder from make_corpus.py")
    ap.add_argument("--jobs", type=int, default=cores(), help="processes (default: %(default)s)")
    ap.add_argument(
        "--extensions",
        default=",".join(EXTENSIONS),
        help="Python-Markdown's built-in extensions to use (default: %(default)s)",
    )
    ap.add_argument("--articles-only", action="store_true", help="convert content/articles only")
    ap.add_argument("--yaml", action="store_true", help="also parse the front matter as YAML")
    args = ap.parse_args()
    extensions = [e.strip() for e in args.extensions.split(",") if e.strip()]
    folders = COLLECTIONS[:1] if args.articles_only else COLLECTIONS
    paths = [
        str(path) for folder in folders for path in sorted((args.corpus / folder).glob("*.md"))
    ]
    if not paths:
        print(f"no Markdown files under {args.corpus}/{{{','.join(folders)}}}", file=sys.stderr)
        return 2
    if args.yaml:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _yaml_load = lambda text: yaml.load(text, Loader=loader)  # noqa: E731
    # Made here, before the fork: every worker inherits it (and the imported extensions).
    _md = markdown.Markdown(extensions=extensions, output_format="html")
    imported = time.perf_counter()
    jobs = max(1, min(args.jobs, len(paths)))
    size = max(1, -(-len(paths) // (jobs * CHUNKS_PER_WORKER)))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    if jobs == 1:
        done = [convert_chunk(chunk) for chunk in chunks]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            done = list(pool.imap_unordered(convert_chunk, chunks))
    finished = time.perf_counter()
    files = sum(d[0] for d in done)
    source = sum(d[1] for d in done)
    html = sum(d[2] for d in done)
    cpu = sum(d[3] for d in done)
    result = {
        "files": files,
        "jobs": jobs,
        "chunks": len(chunks),
        "extensions": extensions,
        "yaml": bool(args.yaml),
        "markdown_chars": source,
        "html_chars": html,
        "markdown": markdown.__version__,
        "seconds": finished - STARTED,
        "stages": {"import": imported - STARTED, "convert": finished - imported},
        "convert_cpu_s": cpu,
    }
    print(
        f"floor: {files:,} bodies ({source / 1e6:.1f} M chars of Markdown, {html / 1e6:.1f} M of "
        f"HTML) with Python-Markdown {markdown.__version__} [{', '.join(extensions)}] over "
        f"{jobs} processes: {finished - STARTED:.2f} s (import {imported - STARTED:.2f} s, "
        f"convert {finished - imported:.2f} s; {cpu:.2f} s of CPU in the workers)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
