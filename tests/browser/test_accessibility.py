"""axe-core finds no accessibility violations on any kind of page, in light or dark mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import PAGE_TYPES, BuiltSite, require_search_index, salmond_result, wait_visible


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Format axe violations as one block per rule with every offending element."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {summary}")
            lines.append(f"        {' '.join(str(node.get('html', '')).split())[:200]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_violations(
    open_page: Callable[..., tuple[Any, Any]], axe: Any, kind: str, scheme: str,
) -> None:
    # The search page builds its form from Pagefind's script after load: wait for it too.
    wait_until = "networkidle" if kind == "search" else "load"
    page, _ = open_page(PAGE_TYPES[kind], color_scheme=scheme, wait_until=wait_until)
    results = axe.run(page)
    violations = results.response["violations"]
    assert not violations, (
        f"axe-core: {len(violations)} violations on {PAGE_TYPES[kind]} ({scheme}):\n"
        + describe_violations(violations)
    )


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_in_search_results(
    open_page: Callable[..., tuple[Any, Any]], axe: Any, built_site: BuiltSite, scheme: str,
) -> None:
    require_search_index(built_site)
    page, problems = open_page("/search/?q=Salmond", color_scheme=scheme)
    wait_visible(salmond_result(page), "a result linking to /people/alex-salmond/", page, problems)
    violations = axe.run(page).response["violations"]
    assert not violations, (
        f"axe-core: {len(violations)} violations on /search/?q=Salmond ({scheme}):\n"
        + describe_violations(violations)
    )
