"""What changed between two versions of a build's state, as a small value to store.

A one-article edit leaves almost all of a build's state as the very same objects; the
build cache appends only what differs (see store.py) instead of writing millions of
objects again. `diff(old, new)` walks both versions side by side, stepping over every
object the two share, and describes the rest:

- ("=",): nothing differs;
- ("w", value): take this value whole;
- ("d", changes, removed, order): a dict: keys whose values changed (each a delta), keys
  removed, and the new order of the keys when it is not the old one's;
- ("s", changes): a list or tuple of the same length: index -> delta;
- ("t", added, removed): a set or frozenset of strings (or of tuples of strings and
  numbers), with members added and removed;
- ("f", changes): a dataclass of the same type: field name -> delta.

`patch(old, delta)` gives back a value equal to `new`, of the same types, in the same
order, and new objects wherever anything in them changed: nothing of `old` is changed
in place. Objects shared in `new` are shared in what `patch` makes, when the delta is
stored in one piece (pickle keeps them shared). Strings, numbers and other atoms are
compared by type and equality; any other object that is not the very same one is taken
whole, so no equality that could hide a difference (1 == 1.0 == True) is trusted.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import os
from pathlib import PurePath
from typing import Any

Delta = tuple[Any, ...]
SAME: Delta = ("=",)
DEPTH = 12  # deeper than this, a changed value is taken whole
ATOMS = frozenset({str, bytes, int, bool, type(None), datetime.date, datetime.datetime})


def diff(old: Any, new: Any) -> Delta:
    """Describe how new differs from old (see the module's docstring)."""
    return _Differ().diff(old, new, 0)


class _Differ:
    def __init__(self) -> None:
        self.memo: dict[tuple[int, int], Delta] = {}  # one delta for one pair, however reached

    def diff(self, old: Any, new: Any, depth: int) -> Delta:
        if old is new:
            return SAME
        kind = type(new)
        if type(old) is not kind:
            return ("w", new)
        if kind in ATOMS or isinstance(new, PurePath):
            return SAME if old == new else ("w", new)
        if kind is os.stat_result:
            return SAME if _same_stat(old, new) else ("w", new)
        if depth >= DEPTH:
            return ("w", new)
        pair = (id(old), id(new))
        found = self.memo.get(pair)
        if found is None:
            found = self.memo[pair] = self._compound(old, new, depth + 1)
        return found

    def _compound(self, old: Any, new: Any, depth: int) -> Delta:
        kind = type(new)
        if kind is dict:
            return self._dict(old, new, depth)
        if kind is tuple or kind is list:
            if len(old) != len(new):
                return ("w", new)
            changes = {}
            for i, (a, b) in enumerate(zip(old, new, strict=True)):
                if a is not b:
                    delta = self.diff(a, b, depth)
                    if delta is not SAME:
                        changes[i] = delta
            return ("s", changes) if changes else SAME
        if kind is set or kind is frozenset:
            if not (_plain(old) and _plain(new)):
                return ("w", new)
            added, removed = new - old, old - new
            return ("t", added, removed) if added or removed else SAME
        if dataclasses.is_dataclass(kind):
            fields: dict[str, Delta] = {}
            for name in _field_names(kind):
                a, b = getattr(old, name), getattr(new, name)
                if a is not b:
                    delta = self.diff(a, b, depth)
                    if delta is not SAME:
                        fields[name] = delta
            return ("f", fields) if fields else SAME
        return ("w", new)

    def _dict(self, old: dict[Any, Any], new: dict[Any, Any], depth: int) -> Delta:
        changes: dict[Any, Delta] = {}
        added = 0
        for key, value in new.items():
            before = old.get(key, _ABSENT)
            if before is value:
                continue
            if before is _ABSENT:
                changes[key] = ("w", value)
                added += 1
                continue
            delta = self.diff(before, value, depth)
            if delta is not SAME:
                changes[key] = delta
        kept = len(new) - added  # keys of new that old has too
        removed = tuple(key for key in old if key not in new) if len(old) > kept else ()
        if added or removed:
            expected = [key for key in old if key in new] + [key for key in new if key not in old]
        else:
            expected = list(old)
        order = tuple(new) if expected != list(new) else None
        if not changes and not removed and order is None:
            return SAME
        return ("d", changes, removed, order)


def _plain(items: set[Any] | frozenset[Any]) -> bool:
    """Whether a set's members are strings, or tuples of strings and whole numbers:
    members no other member can equal unless they are the same value (1 == 1.0 == True)."""
    for item in items:
        kind = type(item)
        if kind is str:
            continue
        if kind is not tuple or not all(type(part) is str or type(part) is int for part in item):
            return False
    return True


def _same_stat(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two looks at a file saw the same file, as it was: all but the access time."""
    return (
        a[:7] == b[:7]  # mode, inode, device, links, owner, group, size
        and a.st_mtime_ns == b.st_mtime_ns
        and a.st_ctime_ns == b.st_ctime_ns
    )


_ABSENT = object()
_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def patch(old: Any, delta: Delta) -> Any:
    """Apply a delta made by diff(old, new) to old: a value equal to new."""
    return _Patcher().patch(old, delta)


class _Patcher:
    def __init__(self) -> None:
        self.memo: dict[int, Any] = {}  # delta -> what it made, so shared stays shared

    def patch(self, old: Any, delta: Delta) -> Any:
        tag = delta[0]
        if tag == "=":
            return old
        if tag == "w":
            return delta[1]
        made = self.memo.get(id(delta), _ABSENT)
        if made is _ABSENT:
            made = self.memo[id(delta)] = self._compound(old, delta)
        return made

    def _compound(self, old: Any, delta: Delta) -> Any:
        tag = delta[0]
        if tag == "d":
            _, changes, removed, order = delta
            if type(old) is not dict:
                raise ValueError("a dict's delta for another value")
            made = dict(old)
            for key in removed:
                del made[key]
            for key, change in changes.items():
                made[key] = self.patch(old.get(key), change)
            if order is not None:
                if len(order) != len(made):
                    raise ValueError("a dict's order of other keys")
                made = {key: made[key] for key in order}
            return made
        if tag == "s":
            items = list(old)
            for i, change in delta[1].items():
                items[i] = self.patch(items[i], change)
            return type(old)(items) if type(old) is not list else items
        if tag == "t":
            if type(old) is not set and type(old) is not frozenset:
                raise ValueError("a set's delta for another value")
            return type(old)((old - delta[2]) | delta[1])
        if tag == "f":
            if not dataclasses.is_dataclass(old) or isinstance(old, type):
                raise ValueError("a dataclass's delta for another value")
            record: Any = copy.copy(old)
            for name, change in delta[1].items():
                object.__setattr__(record, name, self.patch(getattr(old, name), change))
            return record
        raise ValueError(f"not a delta: {tag!r}")
