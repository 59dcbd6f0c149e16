"""Stable digests of build inputs, so unchanged work can be recognised and skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

_LEAVES = (str, bytes, int, float, bool, type(None), dt.date, PurePath)


class Fingerprinter:
    """Digest nested values (dataclasses, tuples, dicts, text, dates) with memoisation.

    Leaves are fed straight into their parent's hash. Objects shared by many pages (a
    person, an article) are digested once per build: their results are remembered by
    identity, and the objects kept alive meanwhile so an identity is never reused.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[bytes, object]] = {}
        self._fields: dict[type, tuple[str, ...]] = {}

    def digest(self, value: Any) -> bytes:
        """Return a 16-byte digest that changes whenever value's content changes."""
        key = id(value)
        known = self._memo.get(key)
        if known is not None and known[1] is value:
            return known[0]
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        result = h.digest()
        if not isinstance(value, _LEAVES):
            self._memo[key] = (result, value)
        return result

    def hex(self, value: Any) -> str:
        return self.digest(value).hex()

    def _feed(self, h: Any, value: Any) -> None:
        kind = type(value)
        if kind is str or isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
            if kind is not str:
                h.update(kind.__name__.encode())
        elif isinstance(value, bytes):
            h.update(b"b%d:" % len(value))
            h.update(value)
        elif value is None or isinstance(value, bool | int | float):
            h.update(b"n" + repr(value).encode() + b";")
        elif isinstance(value, dt.date):
            h.update(b"d" + value.isoformat().encode() + b";")
        elif isinstance(value, PurePath):
            self._feed(h, str(value))
        elif isinstance(value, list | tuple):
            h.update(b"l%d:" % len(value))
            for item in value:
                if isinstance(item, _LEAVES):
                    self._feed(h, item)
                else:
                    h.update(self.digest(item))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = self._fields.get(kind)
            if names is None:
                names = tuple(f.name for f in dataclasses.fields(value))
                self._fields[kind] = names
            h.update(b"c" + kind.__qualname__.encode() + b":")
            for name in names:
                item = getattr(value, name)
                if isinstance(item, _LEAVES):
                    self._feed(h, item)
                else:
                    h.update(self.digest(item))
        elif isinstance(value, frozenset | set):
            h.update(b"f%d:" % len(value))
            for item in sorted(self.digest(v) for v in value):
                h.update(item)
        elif isinstance(value, Mapping):
            h.update(b"m%d:" % len(value))
            for k, v in value.items():
                self._feed(h, k) if isinstance(k, _LEAVES) else h.update(self.digest(k))
                self._feed(h, v) if isinstance(v, _LEAVES) else h.update(self.digest(v))
        else:
            raise TypeError(f"cannot fingerprint {type(value).__name__}")
