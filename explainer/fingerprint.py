"""Stable digests of build inputs, so unchanged work can be recognised and skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


class Fingerprinter:
    """Digest nested values (dataclasses, tuples, dicts, text, dates) with memoisation.

    Objects shared by many pages (a person, the site's settings) are digested once per
    build: results are remembered by identity, and the objects are kept alive meanwhile
    so an identity is never reused for another object.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[bytes, object]] = {}

    def digest(self, value: Any) -> bytes:
        """Return a 16-byte digest that changes whenever value's content changes."""
        key = id(value)
        known = self._memo.get(key)
        if known is not None and known[1] is value:
            return known[0]
        result = self._compute(value)
        if not isinstance(value, int | float | bool) and value is not None:
            self._memo[key] = (result, value)
        return result

    def hex(self, value: Any) -> str:
        return self.digest(value).hex()

    def _compute(self, value: Any) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        if isinstance(value, str):
            h.update(b"s" + type(value).__name__.encode() + b"\0")
            h.update(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, bytes):
            h.update(b"b" + value)
        elif value is None or isinstance(value, bool | int | float):
            h.update(b"n" + repr(value).encode())
        elif isinstance(value, dt.date):
            h.update(b"d" + value.isoformat().encode())
        elif isinstance(value, PurePath):
            h.update(b"p" + str(value).encode("utf-8", "surrogatepass"))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            h.update(b"c" + type(value).__qualname__.encode() + b"\0")
            for f in dataclasses.fields(value):
                h.update(self.digest(getattr(value, f.name)))
        elif isinstance(value, list | tuple):
            h.update(b"l%d\0" % len(value))
            for item in value:
                h.update(self.digest(item))
        elif isinstance(value, frozenset | set):
            h.update(b"f%d\0" % len(value))
            for item in sorted(self.digest(v) for v in value):
                h.update(item)
        elif isinstance(value, Mapping):
            h.update(b"m%d\0" % len(value))
            for k, v in value.items():
                h.update(self.digest(k))
                h.update(self.digest(v))
        else:
            raise TypeError(f"cannot fingerprint {type(value).__name__}")
        return h.digest()
