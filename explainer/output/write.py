"""Write pages into the output folder: the only module that touches it.

Everything is written into a temporary sibling folder first, which replaces the old
output in one step only when all pages were written. A folder is only ever replaced or
deleted when it carries our marker file. A build killed at any moment leaves the old
site or the new one in place, whole, plus a temporary folder the next build removes.

An incremental build keeps the site it replaced as a spare (`.NAME.spare` beside the
output): the next one starts from it, so it writes only what differs from it instead
of filling a new folder with thousands of links, and nothing is left to delete.
Whatever the spare held, what is swapped in is exactly the new site: every file is
written or linked again unless it already is the current one, and the rest removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..core.errors import BuildFailed, Diagnostic, display_path
from ..core.processes import delete_in_background, interrupts_held

if TYPE_CHECKING:
    from ..core.rendered import RenderedPage
    from ..pages.images import Recipe

MARKER = ".explainer-site"
MARKER_TEXT = "This folder is made by explainer: each build replaces it whole.\n"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_LATEST_EPOCH = (1 << 63) // 1_000_000_000 - 1  # file times are 64-bit nanoseconds


def _fail(path: Path, message: str) -> BuildFailed:
    return BuildFailed([Diagnostic(display_path(path), 0, message)])


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder known
        return None


def check_output_folder(out_dir: Path, protected: Iterable[tuple[str, Path]]) -> None:
    """Refuse an output folder that would overwrite sources or someone else's files."""
    out = out_dir.resolve()
    if out == Path(out.anchor):
        raise _fail(
            out_dir,
            "refusing to build here: it is the root of the file system; "
            "choose another --out, such as _site",
        )
    home = _home()
    if home is not None and _within(home, out):
        where = "it is your home folder" if out == home else "it contains your home folder"
        raise _fail(
            out_dir, f"refusing to build here: {where}; choose another --out, such as _site"
        )
    for label, folder in protected:
        src = folder.resolve()
        if _within(src, out):
            raise _fail(
                out_dir,
                f"refusing to build here: the output folder would contain the {label} "
                f"({display_path(folder)}); choose another --out, such as _site",
            )
        if _within(out, src) and label != "project folder":
            raise _fail(
                out_dir,
                f"refusing to build inside the {label} ({display_path(folder)}); "
                "choose another --out, such as _site",
            )
    if out.exists() and not out.is_dir():
        raise _fail(out_dir, "refusing to build here: it is a file, not a folder")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise _fail(
            out_dir,
            "refusing to replace a folder that was not made by explainer and is not empty; "
            "choose another --out, or empty the folder first",
        )


def _safe_target(root: Path, rel: str) -> Path:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise _fail(root, f"refusing to write '{rel}': outside the output folder")
    return root.joinpath(*pure.parts)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step where the system allows it."""
    try:  # the C library's, already loaded: looking it up by name would run ldconfig
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def remove_stale(out_dir: Path) -> None:
    """Delete temporary folders left by builds that were killed."""
    out = out_dir.resolve()  # a build works beside the folder a link leads to, by its name
    parent = out.parent
    prefixes = (f".{out.name}.tmp-", f".{out.name}.old-")
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if not child.name.startswith(prefixes) or not child.is_dir() or child.is_symlink():
            continue
        # An .old- folder was a whole site once (renamed by us); a .tmp- folder gets the
        # marker first thing, so one without it and not empty is not ours.
        if (
            child.name.startswith(prefixes[1])
            or (child / MARKER).is_file()
            or not any(child.iterdir())
        ):
            shutil.rmtree(child, ignore_errors=True)


def write_site(
    pages: Iterable[RenderedPage],
    static_dir: Path | None,
    out_dir: Path,
    protected: Iterable[tuple[str, Path]] = (),
    finish: Callable[[Path], None] | None = None,
    reuse: Iterable[str] = (),
    site_id: str = "",
    files: Mapping[str, Recipe] | None = None,
    image_cache: Path | None = None,
    jobs: int = 1,
) -> int:
    """Write every page and the static files, then swap the result into out_dir.

    `reuse` names output files of the current out_dir that are carried over unchanged
    (hard-linked, so the swap stays one step). `files` are the picture files to put in
    (output path -> how to make it), taken from `image_cache` or made there (in up to
    `jobs` processes; see images.py). `finish` runs on the complete temporary folder
    before the swap (the search indexer). `site_id` goes into the marker file. With
    SOURCE_DATE_EPOCH set, every file and folder written gets it as its time.
    """
    files = files or {}
    check_output_folder(out_dir, protected)
    epoch = source_date_epoch()
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    reuse = list(reuse)
    with _one_build_at_a_time(out.parent):
        remove_stale(out_dir)
        tmp = None
        if reuse and isinstance(pages, list | tuple):  # what the site will hold is known
            keep = {MARKER, *reuse, *static_files(static_dir), *(p.out_path for p in pages), *files}
            tmp = _claim_spare(out, keep)
        fresh = tmp is None
        if tmp is None:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        try:
            marker_text = MARKER_TEXT + site_id_line(site_id)
            if fresh:
                (tmp / MARKER).write_text(marker_text, encoding="utf-8")
            else:
                _replace_marker(tmp, marker_text)
            count = _write_into(tmp, pages, static_dir, files, image_cache, jobs)
            count += _carry_over(out, tmp, reuse)
            if finish is not None:
                finish(tmp)
            if epoch is not None:
                _set_times(tmp, epoch)
            if not (tmp / MARKER).is_file():  # removed, and refilled by our own writes
                raise _fail(
                    tmp,
                    "the temporary folder was removed while this build was writing it "
                    "(by another program?); nothing was published; build again",
                )
            os.chmod(tmp, 0o755)
            with interrupts_held():  # a swap is never cut short
                replaced = _swap_in(tmp, out)
        except BaseException:
            stop = getattr(pages, "close", None)  # pages rendered as they come: stop that
            if stop is not None:
                stop()
            shutil.rmtree(tmp, ignore_errors=True)  # the new site, or the old one once swapped
            raise
        kept = replaced is not None and bool(reuse) and _keep_as_spare(replaced, out)
    if replaced is not None and not kept:
        delete_in_background(replaced)
    return count


def _replace_marker(folder: Path, text: str) -> None:
    """Replace a claimed spare's marker in one step (renameat): never without one, the
    folder of a build killed meanwhile is one the next build knows to remove."""
    fresh = folder / f"{MARKER}.new"
    _unlink(fresh)
    fresh.write_text(text, encoding="utf-8")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.replace(fresh.name, MARKER, src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)


def _spare(out: Path) -> Path:
    return out.parent / f".{out.name}.spare"


def _claim_spare(out: Path, keep: set[str]) -> Path | None:
    """Take the spare site for this build's temporary folder, with every file not in keep
    removed; None if there is none, or if what it holds cannot all be seen to."""
    spare = _spare(out)
    if spare.is_symlink() or not (spare / MARKER).is_file():
        return None
    tmp = out.parent / f".{out.name}.tmp-{secrets.token_hex(4)}"
    try:
        _rename_beside(spare, tmp)
    except OSError:
        return None
    try:
        _prune(tmp, keep)
    except OSError:  # a folder that cannot be listed, say: what it holds would stay
        with contextlib.suppress(OSError):
            tmp = _set_aside(tmp)  # an .old- folder, which each build tries to delete
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return tmp


def _keep_as_spare(replaced: Path, out: Path) -> bool:
    """Keep the site just replaced as the spare for the next build, if there is none."""
    try:
        _rename_beside(replaced, _spare(out))
    except OSError:  # there is one already (renaming onto a full folder fails)
        return False
    return True


def _rename_beside(source: Path, target: Path) -> None:
    """Rename within one folder, relative to that folder (renameat): no other build's
    folders are touched on the way, whatever happens to the path above."""
    fd = os.open(source.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.rename(source.name, target.name, src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)


def static_files(static_dir: Path | None) -> dict[str, Path]:
    """The static files the site publishes: output path -> source."""
    found: dict[str, Path] = {}
    if static_dir is None or not static_dir.is_dir():
        return found
    for src in sorted(static_dir.rglob("*")):
        rel = src.relative_to(static_dir)
        if any(part.startswith(".") for part in rel.parts) or not src.is_file():
            continue
        found["static/" + rel.as_posix()] = src
    return found


def _prune(root: Path, keep: set[str]) -> None:
    """Remove from root every file not in keep, and what stands where kept files go."""
    needed = {"/".join(rel.split("/")[:i]) for rel in keep for i in range(1, rel.count("/") + 1)}
    top = os.fspath(root)
    for dirpath, dirnames, filenames, dirfd in os.fwalk(top, topdown=False, onerror=_raise):
        prefix = dirpath[len(top) + 1 :] + "/" if len(dirpath) > len(top) else ""
        for name in filenames:
            if prefix + name not in keep or prefix + name in needed:
                os.unlink(name, dir_fd=dirfd)
        for name in dirnames:
            if stat.S_ISLNK(os.lstat(name, dir_fd=dirfd).st_mode):
                os.unlink(name, dir_fd=dirfd)
            elif prefix + name not in needed:
                os.rmdir(name, dir_fd=dirfd)  # emptied already: the walk goes bottom up


def _raise(error: OSError) -> None:
    raise error


@contextlib.contextmanager
def _one_build_at_a_time(folder: Path) -> Iterator[None]:
    """Hold a lock on the output's parent folder: a second build would remove our work.

    Where the system has no such locks, builds go ahead unlocked.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another build writes here
        yield
    finally:
        os.close(fd)  # before any fork: a child must not keep the lock


def source_date_epoch() -> int | None:
    """Return SOURCE_DATE_EPOCH (seconds since 1970), the time to give written files, or None."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > _LATEST_EPOCH:
        raise BuildFailed(
            [
                Diagnostic(
                    "SOURCE_DATE_EPOCH",
                    0,
                    "expected a whole number of seconds since 1970-01-01 00:00 UTC, "
                    f"such as 1700000000, got '{text}'",
                )
            ]
        )
    return int(text)


def _set_times(root: Path, epoch: int) -> None:
    """Give root and every file and folder in it the modification time `epoch`."""
    ns = epoch * 1_000_000_000
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in (*filenames, *dirnames):
            _set_time(os.path.join(dirpath, name), ns)
    _set_time(root, ns)


def _set_time(path: str | Path, ns: int) -> None:
    st = os.stat(path, follow_symlinks=False)
    if st.st_mtime_ns != ns:  # a page carried over (hard-linked) may have it already
        os.utime(path, ns=(st.st_atime_ns, ns), follow_symlinks=False)


def _write_into(
    root: Path,
    pages: Iterable[RenderedPage],
    static_dir: Path | None,
    files: Mapping[str, Recipe],
    image_cache: Path | None,
    jobs: int,
) -> int:
    claimed: dict[str, str] = {}
    count = 0
    for key, src in static_files(static_dir).items():
        target = _safe_target(root, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        _unlink(target)  # a spare's file may be the live site's too (a hard link)
        shutil.copyfile(src, target)
        claimed[key] = f"static file {display_path(src)}"
    for page in pages:
        if page.out_path in claimed:
            raise _fail(
                root,
                f"two pages claim /{page.out_path}: {claimed[page.out_path]} and /{page.url_path}",
            )
        claimed[page.out_path] = f"/{page.url_path}"
        target = _safe_target(root, page.out_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        _unlink(target)
        target.write_bytes(page.content)
        count += 1
    for out_path in files:
        if out_path in claimed:
            raise _fail(
                root, f"two files claim /{out_path}: {claimed[out_path]} and a resized picture"
            )
        _safe_target(root, out_path)
    if files:
        from .images import place_files

        place_files(root, files, static_dir, image_cache, jobs)  # pictures are not pages
    return count


def _unlink(path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def site_id_line(site_id: str) -> str:
    return f"build: {site_id}\n" if site_id else ""


def read_site_id(out_dir: Path) -> str:
    """Return the build id recorded in an output folder's marker, or ''."""
    try:
        text = (out_dir / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    for line in text.splitlines():
        if line.startswith("build: "):
            return line.removeprefix("build: ").strip()
    return ""


def _carry_over(out: Path, root: Path, reuse: Iterable[str]) -> int:
    """Hard-link the files named (relative paths) from out into root.

    Plain strings and each folder made once: with thousands of pages this runs on the
    path of every incremental build.
    """
    source_root, target_root = os.fspath(out), os.fspath(root)
    made = {""}
    count = 0
    for rel in reuse:
        parts = rel.split("/")
        if not rel or rel.startswith("/") or ".." in parts or "" in parts or "\0" in rel:
            raise _fail(root, f"refusing to write '{rel}': outside the output folder")
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(os.path.join(target_root, folder), exist_ok=True)
            made.add(folder)
        source = os.path.join(source_root, rel)
        target = os.path.join(target_root, rel)
        try:
            os.link(source, target)
        except FileExistsError:  # in a spare: already the current file, or an older one
            if os.lstat(target).st_ino != os.stat(source).st_ino:
                os.unlink(target)
                os.link(source, target)
        except OSError:
            _unlink(target)
            shutil.copyfile(source, target)
        count += 1
    return count


def _set_aside(folder: Path) -> Path:
    """Rename a replaced site folder to an .old- name, marked for deletion."""
    name = folder.name.split(".tmp-")[0].lstrip(".")
    old = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    return old


def _swap_in(tmp: Path, out: Path) -> Path | None:
    """Put tmp in out's place; return where the previous site went, if there was one."""
    if not out.exists():
        os.rename(tmp, out)
        return None
    if _exchange(tmp, out):
        return _set_aside(tmp)  # tmp holds the previous site now
    old = _set_aside(out)  # no atomic exchange here: for a moment there is no out
    os.rename(tmp, out)
    return old
