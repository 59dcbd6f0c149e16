"""The build cache's deltas: patch(old, diff(old, new)) gives new back, types and order
included, and leaves old as it was."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.incremental.delta import SAME, diff, patch


@dataclass(frozen=True, slots=True)
class Point:
    name: str
    items: tuple[object, ...]


atoms = st.one_of(
    st.text(max_size=4), st.integers(-3, 3), st.booleans(), st.none(), st.floats(-2, 2)
)
keys = st.text(max_size=3)


def values(depth: int = 3) -> st.SearchStrategy[object]:
    if depth == 0:
        return atoms
    inner = values(depth - 1)
    return st.one_of(
        atoms,
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
        st.frozensets(st.text(max_size=3), max_size=4),
        st.sets(st.tuples(st.text(max_size=2), st.integers(0, 3)), max_size=4),
        st.builds(Point, st.text(max_size=3), st.lists(inner, max_size=3).map(tuple)),
    )


def same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down, in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        assert isinstance(b, list | tuple)
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Point):
        assert isinstance(b, Point)
        return same(a.name, b.name) and same(a.items, b.items)
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


@settings(max_examples=400, deadline=None)
@given(values(), values())
def test_a_delta_between_any_two_values_gives_the_second(old, new):
    before = copy.deepcopy(old)
    delta = pickle.loads(pickle.dumps(diff(old, new)))  # stored and read back, as the cache does
    made = patch(old, delta)
    assert same(made, new)
    assert same(old, before), "patch changed the old value in place"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, values(2), max_size=6), st.data())
def test_a_small_change_in_a_large_value_is_a_small_delta(base, data):
    new = dict(base)
    key = data.draw(keys)
    new[key] = data.draw(values(1))
    delta = diff(base, new)
    if delta is not SAME:
        assert delta[0] == "d"
        changes = delta[1]
        assert set(changes) <= {key}
    assert same(patch(base, delta), new)


def test_equal_but_different_atoms_are_not_taken_for_each_other():
    assert same(patch({"a": 1}, diff({"a": 1}, {"a": True})), {"a": True})
    assert same(patch((1.0,), diff((1.0,), (1,))), (1,))
    assert same(patch({"a": (1, 2)}, diff({"a": (1, 2)}, {"a": [1, 2]})), {"a": [1, 2]})
    assert same(patch({"b": 1, "a": 2}, diff({"b": 1, "a": 2}, {"a": 2, "b": 1})), {"a": 2, "b": 1})
