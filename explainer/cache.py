"""The persistent build cache in .cache/: what the last build read, made and wrote.

It lets a rebuild skip files that did not change, Markdown it already converted and
pages whose inputs are the same. Anything unreadable, from another version of the code
or for another output folder is ignored, so a bad cache costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import Diagnostic

FORMAT = 2
PACKAGES = ("jinja2", "markdown", "pyyaml", "pagefind")


def code_version() -> str:
    """Digest this package's source and the versions of what it renders with."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {sys.version}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none".encode())
    return h.hexdigest()


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

    def reset(self, key: str) -> None:
        """Forget everything, for builds with other settings."""
        fresh = BuildCache(key=key)
        for item in fields(self):
            setattr(self, item.name, getattr(fresh, item.name))


def cache_path(root: Path, out_dir: Path) -> Path:
    """Return the cache file for one output folder of one project."""
    name = hashlib.blake2b(os.fsencode(out_dir.resolve()), digest_size=8).hexdigest()
    return root / ".cache" / f"build-{name}.pickle"


def load_cache(path: Path, key: str) -> BuildCache:
    """Read the cache, or start afresh when it is missing, damaged or for other code."""
    try:
        with path.open("rb") as f:
            cache = pickle.load(f)
    except Exception:  # any damage at all means: start clean
        return BuildCache(key=key)
    if not isinstance(cache, BuildCache) or cache.key != key:
        return BuildCache(key=key)
    return cache


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
    """Write the cache, then its manifest, atomically; failing only costs time later."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        _manifest_path(path).unlink(missing_ok=True)
        _dump(path, cache)
        _dump(
            _manifest_path(path),
            Manifest(cache.key, cache.inputs, cache.outputs, cache.diagnostics),
        )
    except OSError:
        return
