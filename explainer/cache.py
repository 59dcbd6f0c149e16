"""The persistent build cache in .cache/: what the last build read, made and wrote.

It lets a rebuild skip files that did not change, Markdown it already converted and
pages whose inputs are the same. Anything unreadable, from another version of the code
or for another output folder is ignored, so a bad cache costs time, never correctness.

The bulky part (read documents and converted bodies, keyed by file and slug) is kept
in shards beside the main file, and a save rewrites only the shards whose entries
changed, so a one-file edit does not rewrite the whole cache. Every entry carries the
inputs it was made from, so shards from different builds can be mixed safely.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import Diagnostic

FORMAT = 3
SHARDS = 16
PACKAGES = ("jinja2", "markdown", "pyyaml", "pagefind", "nh3")


def code_version() -> str:
    """Digest this package's source and the versions of what it renders with."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {sys.version}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    installed = _installed_versions()
    for name in PACKAGES:
        h.update(f"{name}={installed.get(_dist_key(name)) or _version(name)}".encode())
    return h.hexdigest()


def _dist_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed_versions() -> dict[str, str]:
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
                found.setdefault(_dist_key(name), version)
    return found


def _version(name: str) -> str:
    """The version of a package installed in another way, or 'none'."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def tree_manifest(*roots: Path) -> bytes:
    """Digest the names, sizes and change times of every file under roots."""
    h = hashlib.blake2b(digest_size=16)
    for root in roots:
        h.update(b"root\0" + os.fsencode(root) + b"\0")
        if root.is_file():
            st = root.stat()
            h.update(b"%d %d\0" % (st.st_size, st.st_mtime_ns))
            continue
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                h.update(os.fsencode(path) + b" %d %d\0" % (st.st_size, st.st_mtime_ns))
    return h.digest()


@dataclass
class BuildCache:
    """Everything a later build can reuse. Mutable: the build fills it as it goes."""

    key: str = ""
    inputs: bytes = b""
    site_id: str = ""
    docs: dict[str, tuple[int, int, Any]] = field(default_factory=dict)
    conversions: dict[str, tuple[bytes, tuple[tuple[str, bytes], ...], Any]] = field(
        default_factory=dict
    )
    pages: dict[str, Any] = field(default_factory=dict)  # url path -> render.PageDigest
    outputs: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    derived: dict[str, tuple[bytes, Any]] = field(default_factory=dict)
    # what each shard held when it was read or written: (name, entry) pairs
    shard_marks: dict[int, tuple[tuple[str, Any], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def reset(self, key: str) -> None:
        """Forget everything, for builds with other settings."""
        fresh = BuildCache(key=key)
        for item in fields(self):
            setattr(self, item.name, getattr(fresh, item.name))


def cache_path(root: Path, out_dir: Path) -> Path:
    """Return the cache file for one output folder of one project."""
    name = hashlib.blake2b(os.fsencode(out_dir.resolve()), digest_size=8).hexdigest()
    return root / ".cache" / f"build-{name}.pickle"


_MAIN_FIELDS = ("key", "inputs", "site_id", "pages", "outputs", "diagnostics", "derived")
_SHARDED_FIELDS = ("docs", "conversions")


def _shard_of(name: str) -> int:
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % SHARDS


def _shard_path(path: Path, number: int) -> Path:
    return path.with_suffix(f".{number:02d}.shard")


def load_cache(path: Path, key: str) -> BuildCache:
    """Read the cache, or start afresh when it is missing, damaged or for other code."""
    try:
        with path.open("rb") as f:
            main = pickle.load(f)
        if not isinstance(main, dict) or main.get("key") != key:
            return BuildCache(key=key)
        cache = BuildCache(**{name: main[name] for name in _MAIN_FIELDS})
    except Exception:  # any damage at all means: start clean
        return BuildCache(key=key)
    for number in range(SHARDS):
        try:
            with _shard_path(path, number).open("rb") as f:
                shard_key, docs, conversions = pickle.load(f)
            if shard_key != key or not isinstance(docs, dict) or not isinstance(conversions, dict):
                continue
        except Exception:  # a damaged shard only costs its entries
            continue
        cache.docs.update(docs)
        cache.conversions.update(conversions)
        cache.shard_marks[number] = _marks(docs, conversions)
    return cache


def _marks(docs: dict[str, Any], conversions: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A shard's entries, to recognise later whether any was replaced, added or removed."""
    return (
        *((f"d:{name}", entry) for name, entry in sorted(docs.items())),
        *((f"c:{name}", entry) for name, entry in sorted(conversions.items())),
    )


def _same(a: tuple[tuple[str, Any], ...] | None, b: tuple[tuple[str, Any], ...]) -> bool:
    """True when both hold the same names and the very same entry objects."""
    return (
        a is not None
        and len(a) == len(b)
        and all(x[0] == y[0] and x[1] is y[1] for x, y in zip(a, b, strict=True))
    )


@dataclass(frozen=True)
class Manifest:
    """The small part of the cache that tells whether anything changed at all."""

    key: str
    inputs: bytes
    outputs: dict[str, tuple[int, int, int]]
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


def _dump(path: Path, value: object) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_cache(path: Path, cache: BuildCache) -> None:
    """Write the changed shards, the main file and the manifest, each atomically.

    The manifest goes last and is removed first, so a build interrupted half-way never
    leaves a manifest that claims the output is up to date. Failing only costs time later.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        _manifest_path(path).unlink(missing_ok=True)
        docs: list[dict[str, Any]] = [{} for _ in range(SHARDS)]
        conversions: list[dict[str, Any]] = [{} for _ in range(SHARDS)]
        for name, doc in cache.docs.items():
            docs[_shard_of(name)][name] = doc
        for name, conversion in cache.conversions.items():
            conversions[_shard_of(name)][name] = conversion
        for number in range(SHARDS):
            marks = _marks(docs[number], conversions[number])
            shard = _shard_path(path, number)
            if _same(cache.shard_marks.get(number), marks) and shard.is_file():
                continue
            _dump(shard, (cache.key, docs[number], conversions[number]))
            cache.shard_marks[number] = marks
        _dump(path, {name: getattr(cache, name) for name in _MAIN_FIELDS})
        _dump(
            _manifest_path(path),
            Manifest(cache.key, cache.inputs, cache.outputs, cache.diagnostics),
        )
    except OSError:
        return
