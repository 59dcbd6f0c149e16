"""The package's shape: stages in layers, imports only downward, no cycles.

ARCHITECTURE.md draws the layers; LAYERS below is the same picture as data. Every
import of one explainer module by another is read from the source (imports inside
functions and under TYPE_CHECKING included), so a new module or import is checked
without anyone listing it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "explainer"

# Lowest first. A module may import modules of its own layer's folder and of the layers
# below it, never above. `core` holds the value types and helpers every stage shares.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__",),  # the version, nothing else
    ("core",),
    ("content",),
    ("link",),
    ("pages",),
    ("output",),
    ("pipeline",),
    ("incremental",),
    ("serve", "scaffold", "daemon"),
    ("api",),
    ("cli",),
    ("__main__",),
)


def rank_of(unit: str) -> int:
    for rank, units in enumerate(LAYERS):
        if unit in units:
            return rank
    raise AssertionError(
        f"explainer/{unit} is in no layer: add it to LAYERS here and to ARCHITECTURE.md"
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str:
    """The top-level folder or module of explainer a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, module) for every explainer module the file imports."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "explainer":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.split(".")[0] == "explainer":
                target = node.module
            else:
                continue
            # `from . import feeds` imports a module; `from .x import name` a name of x
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else target


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, dict[str, int]]:
    """module -> imported module -> line of the first such import."""
    found: dict[str, dict[str, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        edges: dict[str, int] = {}
        for line, target in imports_of(path):
            if target != module_name(path):
                edges.setdefault(target, line)
        found[module_name(path)] = edges
    return found


def test_every_import_goes_down_the_layers():
    wrong = []
    for module, edges in graph().items():
        here = rank_of(unit_of(module))
        for target, line in edges.items():
            there = rank_of(unit_of(target))
            if there > here:
                wrong.append(
                    f"{module.replace('.', '/')}.py:{line}: imports {target}, "
                    f"a layer above ({unit_of(target)} over {unit_of(module)})"
                )
            elif there == here and unit_of(target) != unit_of(module):
                wrong.append(
                    f"{module.replace('.', '/')}.py:{line}: imports {target}, "
                    f"beside it in the same layer ({unit_of(target)} and {unit_of(module)})"
                )
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_itself_round_a_cycle():
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in edges.get(module, {}):
            if target not in edges:
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize(
    "source, wrong",
    [
        ("from ..pages.render import Renderer\n", "a layer above"),
        ("from ..incremental import Session\n", "a layer above"),
    ],
)
def test_the_check_itself_catches_an_upward_import(tmp_path, monkeypatch, source, wrong):
    """A content module that imported the renderer or the preview's session would fail."""
    probe = PACKAGE / "content" / "_layer_probe.py"
    probe.write_text(source, encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match=wrong):
            test_every_import_goes_down_the_layers()
    finally:
        probe.unlink()


def test_every_folder_of_the_package_is_in_a_layer():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith(".") and u not in {"py", "__pycache__"}}
    for unit in sorted(units):
        if (PACKAGE / unit).is_dir() or (PACKAGE / f"{unit}.py").is_file():
            rank_of(unit)


def test_the_tests_mirror_the_package():
    """Each stage's tests sit in a folder named after it; whole-site tests at the top."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name[0].isalpha()}
    stages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders - {"browser"} <= stages, f"test folders with no stage: {folders - stages}"
    for folder in folders - {"browser"}:
        assert any((ROOT / "tests" / folder).glob("test_*.py")), f"tests/{folder}/ has no tests"
