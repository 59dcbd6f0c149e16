"""Stable digests of build inputs, so unchanged work can be recognised and skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

_LEAVES = (str, bytes, int, float, bool, type(None), dt.date, PurePath)

Feeder = Callable[[Any, Any], None]  # (hash object, value) -> None


class Fingerprinter:
    """Digest nested values (dataclasses, tuples, dicts, text, dates) with memoisation.

    Leaves are fed straight into their parent's hash. Objects shared by many pages (a
    person, an article) are digested once per build: their results are remembered by
    identity, and the objects kept alive meanwhile so an identity is never reused.
    How to feed each type is looked up once per type, not tested value by value.
    Plain sequences, and small classes made afresh for each page (they set
    `FINGERPRINT_INLINE = True`), are fed inline: remembering them would cost more.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[bytes, object]] = {}
        self._feeders: dict[type, Feeder] = {}
        self._inline: set[type] = set()  # types fed inline; see _feeder_for

    def digest(self, value: Any) -> bytes:
        """Return a 16-byte digest that changes whenever value's content changes."""
        known = self._memo.get(id(value))
        if known is not None and known[1] is value:
            return known[0]
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        result = h.digest()
        if not isinstance(value, _LEAVES):
            self._memo[id(value)] = (result, value)
        return result

    def hex(self, value: Any) -> str:
        return self.digest(value).hex()

    def _feed(self, h: Any, value: Any) -> None:
        kind = type(value)
        feeder = self._feeders.get(kind)
        if feeder is None:
            feeder = self._feeders[kind] = self._feeder_for(kind, value)
        feeder(h, value)

    def _item(self, h: Any, item: Any) -> None:
        """Feed a member of a container: leaves, plain sequences and small per-page
        objects inline, anything else by its (remembered) digest."""
        kind = type(item)
        if kind is str:
            data = item.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
            return
        feeder = self._feeders.get(kind)
        if feeder is None:
            feeder = self._feeders[kind] = self._feeder_for(kind, item)
        if kind in self._inline:
            feeder(h, item)
        else:
            h.update(b"h")
            h.update(self.digest(item))

    def _feeder_for(self, kind: type, value: Any) -> Feeder:
        feeder = self._make_feeder(kind, value)
        if issubclass(kind, _LEAVES) or value is None or issubclass(kind, list | tuple) or dataclasses.is_dataclass(kind) and getattr(kind, "FINGERPRINT_INLINE", False):
            self._inline.add(kind)
        return feeder

    def _make_feeder(self, kind: type, value: Any) -> Feeder:  # noqa: C901 - one case per type
        item = self._item
        if issubclass(kind, str):
            suffix = b"" if kind is str else kind.__name__.encode()

            def text(h: Any, v: str) -> None:
                data = v.encode("utf-8", "surrogatepass")
                h.update(b"s%d:" % len(data))
                h.update(data)
                if suffix:
                    h.update(suffix)

            return text
        if issubclass(kind, bytes):

            def raw(h: Any, v: bytes) -> None:
                h.update(b"b%d:" % len(v))
                h.update(v)

            return raw
        if value is None or issubclass(kind, bool | int | float):
            return lambda h, v: h.update(b"n" + repr(v).encode() + b";")
        if issubclass(kind, dt.date):
            return lambda h, v: h.update(b"d" + v.isoformat().encode() + b";")
        if issubclass(kind, PurePath):
            return lambda h, v: self._feed(h, str(v))
        if issubclass(kind, list | tuple):

            def sequence(h: Any, v: Any) -> None:
                h.update(b"l%d:" % len(v))
                for member in v:
                    item(h, member)

            return sequence
        if dataclasses.is_dataclass(kind):
            names = tuple(f.name for f in dataclasses.fields(kind))
            tag = b"c" + kind.__qualname__.encode() + b":"

            def instance(h: Any, v: Any) -> None:
                h.update(tag)
                for name in names:
                    item(h, getattr(v, name))

            return instance
        if issubclass(kind, frozenset | set):

            def members(h: Any, v: Any) -> None:
                h.update(b"f%d:" % len(v))
                for digest in sorted(self.digest(m) for m in v):
                    h.update(digest)

            return members
        if issubclass(kind, Mapping):

            def mapping(h: Any, v: Any) -> None:
                h.update(b"m%d:" % len(v))
                for key, member in v.items():
                    item(h, key)
                    item(h, member)

            return mapping
        raise TypeError(f"cannot fingerprint {kind.__name__}")
