"""The build cache in .cache/: the last build's state, and the manifest that says whether
anything changed at all.

The state is kept as a base file and a journal of what each build since changed
(delta.py): a one-article edit appends a few kilobytes instead of writing the whole
state again, and the base is written afresh when the journal grows.

Anything unreadable, from another version of the code or of a package, or for other
settings is ignored, so a bad cache costs time, never correctness. Each file is written
to a temporary name and renamed into place; the manifest goes last and is removed
first, so a build interrupted half-way never leaves a manifest that claims the output
is up to date.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import re
import struct
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.errors import Diagnostic
from .delta import SAME, diff, patch

FORMAT = 5
PACKAGES = ("jinja2", "markdown", "pyyaml", "pagefind", "nh3", "pillow")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

Outputs = dict[str, tuple[int, int, int]]  # output path -> size, change time, inode


def code_version() -> str:
    """Digest this package's source and the versions of what it renders with."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {sys.version}".encode())
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        h.update(path.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    installed = installed_versions()
    for name in PACKAGES:
        h.update(f"{name}={installed.get(dist_key(name)) or _version(name)}".encode())
    return h.hexdigest()


def dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions() -> dict[str, str]:
    """Read versions off the `NAME-VERSION.dist-info` folder names on sys.path.

    A build that finds nothing changed needs only these: reading each package's
    metadata (importlib.metadata) would cost more than the rest of such a build.
    The first folder on sys.path holding a package wins, as for imports.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder.removesuffix(".dist-info").partition("-")
                found.setdefault(dist_key(name), version)
    return found


def _version(name: str) -> str:
    """The version of a package installed in another way, or 'none'."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


Stamp = tuple[int, int, int, int, int]  # mode, size, modification time, inode, change time


def tree_stamps(*roots: Path) -> dict[str, Stamp]:
    """Every file and folder under roots (and the roots), each with what tells whether it
    changed: its kind, size, times and inode.

    The time of the last change (ctime) too: a file rewritten in place with its old size
    and modification time put back still gets a new one.
    """
    found: dict[str, Stamp] = {}
    for root in roots:
        top = os.fspath(root)
        stamp = _stamp(top)
        if stamp is None:
            continue
        found[top] = stamp
        for dirpath, dirnames, filenames in os.walk(top):
            for name in (*dirnames, *filenames):
                path = os.path.join(dirpath, name)
                stamp = _stamp(path)
                if stamp is not None:
                    found[path] = stamp
    return found


def _stamp(path: str) -> Stamp | None:
    # A link is stamped as the file it leads to, which the build reads: an edit there is
    # a change here (a static file or template may link to one elsewhere in the project).
    try:
        st = os.stat(path)
    except OSError:
        try:
            st = os.lstat(path)  # a broken link: a change when it is mended
        except OSError:
            return None
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def stamps_digest(stamps: dict[str, Stamp]) -> bytes:
    """Digest what tree_stamps found: equal only when nothing came, went or changed."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(stamps):
        h.update(os.fsencode(path) + b" %d %d %d %d %d\0" % stamps[path])
    return h.digest()


def tree_manifest(*roots: Path) -> bytes:
    """Digest every file and folder under roots (see tree_stamps)."""
    return stamps_digest(tree_stamps(*roots))


def cache_path(root: Path, out_dir: Path) -> Path:
    """Return the cache file for one output folder of one project."""
    name = hashlib.blake2b(os.fsencode(out_dir.resolve()), digest_size=8).hexdigest()
    return root / ".cache" / f"build-{name}.pickle"


@dataclass(frozen=True)
class Manifest:
    """The small part of the cache that tells whether anything changed at all."""

    key: str
    inputs: bytes
    outputs: Outputs
    diagnostics: tuple[Diagnostic, ...]


def _manifest_path(path: Path) -> Path:
    return path.with_suffix(".manifest")


def load_manifest(path: Path, key: str) -> Manifest | None:
    """Read the manifest written beside the cache, or None."""
    try:
        with _manifest_path(path).open("rb") as f:
            manifest = pickle.load(f)
    except Exception:  # any damage at all means: look at everything
        return None
    if not isinstance(manifest, Manifest) or manifest.key != key:
        return None
    return manifest


@contextlib.contextmanager
def no_collections() -> Iterator[None]:
    """Hold the cycle collector: a build's state is millions of objects in trees, which
    reference counting frees; each collection while they are made, read or written
    would only scan them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Stored:
    """A build's state as read from the cache, and where the cache stands."""

    state: Any
    outputs: Outputs
    root: dict[str, Any]  # what was read, to tell the next build's changes from
    generation: bytes  # of the base file; each journal record is signed with it
    records: int  # in the journal
    journal_bytes: int
    base_bytes: int


def load_state(path: Path, key: str) -> Stored | None:
    """Read the last build's state and the outputs it wrote, or None.

    The state is the base file with each record of the journal applied in turn; any
    damage at all, in either, means a clean build.
    """
    try:
        with path.open("rb") as f, no_collections():
            stored = pickle.load(f)
            base_bytes = f.tell()
        if not isinstance(stored, tuple) or len(stored) != 3 or stored[0] != key:
            return None
        _, generation, root = stored
        records = 0
        for delta in _journal(_journal_path(path), generation):
            with no_collections():
                root = patch(root, delta)
            records += 1
        state, outputs = root["state"], root["outputs"]
        if not isinstance(outputs, dict):
            return None
        journal_bytes = _journal_path(path).stat().st_size if records else 0
        return Stored(state, outputs, root, generation, records, journal_bytes, base_bytes)
    except Exception:  # any damage at all means: start clean
        return None


def _journal_path(path: Path) -> Path:
    return path.with_suffix(".journal")


_HEADER = struct.Struct(">Q16s")  # payload length, digest keyed with the base's generation


def _journal(path: Path, generation: bytes) -> Iterator[Any]:
    """Yield the deltas recorded after the base; raise ValueError on any damage."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    position, seq = 0, 0
    while position < len(data):
        length, digest = _HEADER.unpack_from(data, position)
        start = position + _HEADER.size
        payload = data[start : start + length]
        if len(payload) != length or _sign(generation, payload) != digest:
            raise ValueError("a damaged or foreign journal record")
        with no_collections():
            number, delta = pickle.loads(payload)
        if number != seq:
            raise ValueError("a journal record out of sequence")
        yield delta
        position, seq = start + length, seq + 1


def _sign(generation: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=generation, digest_size=16).digest()


def forget(path: Path) -> None:
    """Remove the manifest, so nothing claims the output is up to date (before writing)."""
    try:
        _manifest_path(path).unlink(missing_ok=True)
    except OSError:
        return


def _dump(path: Path, value: object) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f, no_collections():
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# The journal is folded into a new base when it grows past this share of the base, or
# this many records: reading it back must stay a small part of reading the base.
JOURNAL_SHARE = 0.2
JOURNAL_RECORDS = 64


def save(
    path: Path, key: str, before: Stored | None, state: Any, manifest: Manifest
) -> Stored | None:
    """Write the state, then the manifest, each atomically; return where the cache stands.

    When `before` says what the cache held, only what changed since is appended to the
    journal (see delta.py); now and then the base is written afresh instead. Failing
    only costs time later (and returns None).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        forget(path)
        root = {"state": state, "outputs": manifest.outputs}
        after = _append(path, before, root) if before is not None else None
        if after is None:
            generation = os.urandom(16)
            _journal_path(path).unlink(missing_ok=True)  # its records belong to the old base
            _dump(path, (key, generation, root))
            after = Stored(state, manifest.outputs, root, generation, 0, 0, path.stat().st_size)
        _dump(_manifest_path(path), manifest)
        return after
    except OSError:
        return None


def _append(path: Path, before: Stored, root: dict[str, Any]) -> Stored | None:
    """Record root's changes since before in the journal; None if a new base is better."""
    with no_collections():
        delta = diff(before.root, root)
        if delta is SAME:
            return replace(before, state=root["state"], outputs=root["outputs"], root=root)
        payload = pickle.dumps((before.records, delta), protocol=pickle.HIGHEST_PROTOCOL)
    record = _HEADER.pack(len(payload), _sign(before.generation, payload)) + payload
    if (
        before.records + 1 > JOURNAL_RECORDS
        or before.journal_bytes + len(record) > JOURNAL_SHARE * before.base_bytes
    ):
        return None
    with _journal_path(path).open("ab") as f:
        if f.tell() != before.journal_bytes:
            return None  # another build wrote since: start a new base
        f.write(record)
    return Stored(
        root["state"],
        root["outputs"],
        root,
        before.generation,
        before.records + 1,
        before.journal_bytes + len(record),
        before.base_bytes,
    )
