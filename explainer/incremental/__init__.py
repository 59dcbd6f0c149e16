"""Incremental builds: redo only the stage calls whose inputs changed.

`Session` keeps a site in memory between builds (the preview serves from it);
`cached_build` is a build that keeps the same state in .cache/ between runs of the
command line. Both call the ordinary stage functions; only this package knows about
reuse (see engine.py for how it decides what to redo).
"""

from __future__ import annotations

import os
import stat
import time
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.options import BuildOptions, BuildResult
from ..core.progress import Progress, Stopwatch
from .store import (
    Manifest,
    Outputs,
    Stamp,
    cache_path,
    code_version,
    load_manifest,
    no_collections,
    stamps_digest,
    tree_stamps,
)

if TYPE_CHECKING:
    from ..pages.images import Recipe
    from .engine import Engine, Settings, Update
    from .store import Stored

__all__ = ["CachedBuild", "Session", "build_key", "cached_build"]


def build_key(options: BuildOptions) -> str:
    """Everything a build's results depend on besides the files (see _salt)."""
    return _salt(options)


def _salt(options: BuildOptions) -> str:
    """What else a build's results depend on: code, package versions and options.

    The working folder too: messages name files relative to it.
    """
    return "|".join(
        [
            code_version(),
            os.getcwd(),
            str(options.drafts),
            str(options.strict),
            str(options.search),
            str(options.content.resolve()),
            str(options.config_path.resolve()),
        ]
    )


def _snapshot(options: BuildOptions) -> dict[str, Stamp]:
    """Every file and folder a build reads: the settings, content, templates and static
    files."""
    return tree_stamps(options.config_path, options.content, options.templates, options.static)


def _inputs(snapshot: dict[str, Stamp]) -> bytes:
    # SOURCE_DATE_EPOCH sets the output files' times
    return stamps_digest(snapshot) + os.environ.get("SOURCE_DATE_EPOCH", "").encode()


def _touched(
    before: dict[str, Stamp] | None, now: dict[str, Stamp], content: Path
) -> list[Path] | None:
    """The content files whose contents alone changed since before, when nothing else did
    (no file or folder came or went, nothing but regular files in the content folder
    changed); else None, and the build looks at everything."""
    if before is None or before.keys() != now.keys():
        return None
    inside = os.path.join(os.fspath(content), "")
    touched = []
    for path, stamp in now.items():
        if before[path] == stamp:
            continue
        if not (path.startswith(inside) and stat.S_ISREG(stamp[0]) and stat.S_ISREG(before[path][0])):
            return None
        touched.append(Path(path))
    return touched


def _static_files(folder: Path) -> dict[str, tuple[tuple[int, int, int, int], Path]]:
    """Every static file the site publishes: output path -> (identity, source)."""
    from ..output.write import static_files

    found: dict[str, tuple[tuple[int, int, int, int], Path]] = {}
    for out, src in static_files(folder).items():
        st = src.stat()
        found[out] = ((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns), src)
    return found


class Session:
    """The site kept in memory between builds, every page's bytes included."""

    def __init__(self, options: BuildOptions) -> None:
        from .engine import Engine

        self.options = options
        self.engine = Engine(_settings(options), pack=_pack)
        self._pages = Pages({})
        self._static: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}
        self._pictures: dict[str, bytes] = {}  # picture files, packed: a name never changes its bytes
        self.static_changed: tuple[str, ...] = ()  # static files added, changed or removed

    @property
    def pages(self) -> Pages:
        """Output path -> bytes: the whole site as a clean build writes it (search aside).

        Each update makes a new mapping; one taken earlier stays as it was.
        """
        return self._pages

    def update(self, touched: Collection[Path] | None = None) -> Update:
        """Bring the pages up to date with the files; raise BuildFailed on content errors.

        `touched`: see Engine.update.
        """
        update = self.engine.update(touched=touched)
        packed = {} if update.fresh else dict(self._pages.packed)
        for out in update.removed:
            packed.pop(out, None)
        packed.update(update.rendered)  # packed by the engine as each page came
        static = {}
        changed_static = []
        for out, (identity, src) in _static_files(self.options.static).items():
            before = self._static.get(out)
            if before is not None and before[0] == identity:
                static[out] = before
            else:
                static[out] = (identity, _pack(src.read_bytes()))
                changed_static.append(out)
        for out in self._static.keys() - static.keys():
            packed.pop(out, None)
            changed_static.append(out)
        for out, (_, data) in static.items():
            packed[out] = data
        pictures = self._picture_files(update.files)
        for out in self._pictures.keys() - pictures.keys():
            packed.pop(out, None)
        for out, data in pictures.items():
            if out not in self._pictures:
                changed_static.append(out)
            packed[out] = data
        self._pictures = pictures
        gone = sorted(out for out in self._pages.packed if out not in packed)
        self._static = static
        self._pages = Pages(packed)
        self.static_changed = tuple(sorted(changed_static))
        return replace(
            update,
            changed=tuple(sorted({*update.changed, *(o for o in changed_static if o in packed)})),
            removed=tuple(gone),
        )


    def _picture_files(self, files: Mapping[str, Recipe]) -> dict[str, bytes]:
        """The site's picture files, packed: those kept from the last update, the rest
        from the picture cache in .cache/images/ (made there if missing)."""
        from ..output.images import file_bytes

        kept = self._pictures
        found = {out: kept[out] for out in files if out in kept}
        wanted = [recipe for out, recipe in files.items() if out not in kept]
        options = self.options
        for recipe, data in file_bytes(wanted, options.static, options.image_cache, options.jobs):
            found[recipe.out_path] = _pack(data)
        return found


def _pack(data: bytes) -> bytes:
    """Compress a page for keeping in memory: quickly, a few times smaller."""
    return zlib.compress(data, 1)


class Pages(Mapping[str, bytes]):
    """A site's files held compressed (a few times smaller), unpacked when asked for."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self.packed = packed

    def __getitem__(self, out_path: str) -> bytes:
        return zlib.decompress(self.packed[out_path])

    def __contains__(self, out_path: object) -> bool:
        return out_path in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)


def _settings(options: BuildOptions) -> Settings:
    from .engine import Settings

    return Settings(
        config_path=options.config_path,
        content=options.content,
        templates=options.templates,
        static=options.static,
        root=options.root,
        drafts=options.drafts,
        strict=options.strict,
        jobs=options.jobs,
        salt=_salt(options),
    )


def _stat_outputs(out_dir: Path) -> Outputs:
    found: Outputs = {}
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


def _outputs_of(out_dir: Path, written: list[str]) -> Outputs:
    """The output files' identities: those named, the marker, and the search index.

    Looking up the files a build wrote is much quicker than walking thousands of folders.
    """
    from ..output.write import MARKER

    found: Outputs = {}
    root = os.fspath(out_dir)
    for rel in (*written, MARKER):
        try:
            found[rel] = _identity(os.stat(os.path.join(root, rel)))
        except OSError:
            continue
    index = out_dir / "pagefind"
    if index.is_dir():
        found.update({f"pagefind/{rel}": ident for rel, ident in _stat_outputs(index).items()})
    return found


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    # The inode too: with SOURCE_DATE_EPOCH every file has the same time, and a page
    # rewritten to the same size by a build killed before it saved the cache would pass.
    return st.st_size, st.st_mtime_ns, st.st_ino


def _intact_outputs(out_dir: Path, recorded: Outputs) -> set[str]:
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


class CachedBuild:
    """The builds of one output folder that keep their state in .cache/ between runs.

    Each `run` redoes only what changed since the last build there. The state is read
    from the cache when first needed; kept, as the build daemon keeps it, later runs
    start from memory. The cache on disk is brought up to date after every build, so a
    run in another process never depends on this one.
    """

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.key = _salt(options)
        self.cache_file = cache_path(options.root, options.out)
        self.engine: Engine | None = None
        self.stored: Stored | None = None  # what the cache on disk holds, as last read or written
        self.snapshot: dict[str, Stamp] | None = None  # the files the state was built from
        # The build daemon answers first and writes the cache after (see save): until
        # then, the cache has no manifest, so no other build takes it for up to date.
        self.defer_saving = False
        self.unsaved: Callable[[], None] | None = None

    def run(self, started: float, progress: Progress) -> BuildResult:
        """Build into options.out, redoing only what changed since the last build there."""
        self.save()
        options = self.options
        clock = Stopwatch()
        snapshot = _snapshot(options)
        inputs = _inputs(snapshot)
        manifest = load_manifest(self.cache_file, self.key)
        if (
            manifest is not None
            and manifest.inputs == inputs
            and manifest.outputs
            and len(_intact_outputs(options.out, manifest.outputs)) == len(manifest.outputs)
        ):
            return BuildResult(
                0, manifest.diagnostics, time.perf_counter() - started, up_to_date=True
            )
        with no_collections():  # the state is millions of objects: see store.no_collections
            return self._rebuild(started, progress, clock, inputs, snapshot)

    def _rebuild(
        self,
        started: float,
        progress: Progress,
        clock: Stopwatch,
        inputs: bytes,
        snapshot: dict[str, Stamp],
    ) -> BuildResult:
        from . import store
        from .engine import Engine, _out

        options = self.options
        if self.engine is None:
            self.stored = store.load_state(self.cache_file, self.key)
            self.engine = Engine(
                _settings(options), self.stored.state if self.stored is not None else None
            )
        engine = self.engine
        outputs = self.stored.outputs if self.stored is not None else {}
        redraw: set[str] = set()
        intact: set[str] = set()
        if engine.state is not None:
            intact = _intact_outputs(options.out, outputs)
            redraw = {
                job.url_path for job in engine.state.data.jobs if _out(job.url_path) not in intact
            }
        clock.lap("cache")
        # Kept in memory (by the build daemon), the last snapshot says which files alone
        # changed, and the content folder need not be looked through again.
        touched = _touched(self.snapshot, snapshot, options.content)
        self.snapshot = None
        update = engine.update(redraw, touched)  # on content errors it keeps its last good state
        try:
            result = self._publish(update, intact, started, progress, clock, inputs)
        except BaseException:
            # The state in memory is now ahead of the output folder: start again from
            # the cache on disk, which a build that did not finish never replaces.
            self.engine, self.stored = None, None
            raise
        self.snapshot = snapshot
        return result

    def _publish(
        self,
        update: Update,
        intact: set[str],
        started: float,
        progress: Progress,
        clock: Stopwatch,
        inputs: bytes,
    ) -> BuildResult:
        from ..core.errors import Collector
        from ..core.rendered import RenderedPage
        from ..output.write import static_files, write_site
        from ..pipeline import finish_with_search
        from . import store

        options = self.options
        assert self.engine is not None
        for stage, seconds in update.stages.items():
            clock.seconds[stage] = clock.seconds.get(stage, 0.0) + seconds
        clock.mark = time.perf_counter()
        reuse = [out for out in update.pages if out not in update.rendered and out in intact]
        # A picture file's name says what it holds: one still intact in the site is kept.
        pictures = {out: recipe for out, recipe in update.files.items() if out not in intact}
        kept_pictures = [out for out in update.files if out in intact]
        pages = [RenderedPage(out, out, data) for out, data in update.rendered.items()]
        collector = Collector(list(update.diagnostics))
        store.forget(self.cache_file)
        count = write_site(
            pages,
            options.static,
            options.out,
            options.protected(),
            finish_with_search(options, collector, clock, progress, written="write"),
            [*reuse, *kept_pictures],
            files=pictures,
            image_cache=options.image_cache,
            jobs=options.jobs,
        )
        count -= len(kept_pictures)  # pages, as a clean build counts them: pictures are not
        clock.lap("swap")
        diagnostics = tuple(collector.diagnostics)
        written = [*reuse, *kept_pictures, *update.rendered, *pictures, *static_files(options.static)]
        state = self.engine.state

        def save() -> None:
            manifest = Manifest(self.key, inputs, _outputs_of(options.out, written), diagnostics)
            self.stored = store.save(self.cache_file, self.key, self.stored, state, manifest)

        if self.defer_saving:
            self.unsaved = save
        else:
            save()
            clock.lap("cache")
        return BuildResult(
            count,
            diagnostics,
            time.perf_counter() - started,
            reused=len(reuse),
            stages=clock.summary(),
        )

    def save(self) -> None:
        """Bring the cache on disk up to date with the last build, if it is not yet."""
        unsaved, self.unsaved = self.unsaved, None
        if unsaved is not None:
            with no_collections():
                unsaved()


def cached_build(options: BuildOptions, started: float, progress: Progress) -> BuildResult:
    """Build into options.out, redoing only what changed since the last build there."""
    return CachedBuild(options).run(started, progress)
