"""What a reader does in a real browser: search, keyboard, narrow screens, no script errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    PAGE_TYPES,
    BuiltSite,
    copy_into_repo,
    require_search_index,
    salmond_result,
    wait_visible,
)

OpenPage = Callable[..., tuple[Any, Any]]
ARTICLE = PAGE_TYPES["article"]


@pytest.mark.browser
def test_search_page_finds_salmond(open_page: OpenPage, built_site: BuiltSite) -> None:
    require_search_index(built_site)
    page, problems = open_page(PAGE_TYPES["search"])
    box = page.locator("#search input:not([type=hidden])").first
    wait_visible(box, "the Pagefind search box", page, problems)
    box.fill("Salmond")
    result = salmond_result(page)
    wait_visible(result, "a result linking to /people/alex-salmond/", page, problems)
    result.click()
    page.wait_for_load_state("load")
    assert "/people/alex-salmond/" in page.url
    assert "Alex Salmond" in page.locator("h1").first.inner_text()
    problems.check(page.url)


@pytest.mark.browser
def test_header_search_form_leads_to_results(open_page: OpenPage, built_site: BuiltSite) -> None:
    require_search_index(built_site)
    page, problems = open_page("/")
    form = page.get_by_role("search").first
    form.get_by_role("searchbox").fill("Salmond")
    form.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/search/**q=Salmond*")
    wait_visible(salmond_result(page), "a result linking to /people/alex-salmond/", page, problems)
    problems.check(page.url)


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_console_errors(open_page: OpenPage, kind: str) -> None:
    page, problems = open_page(PAGE_TYPES[kind], wait_until="networkidle")
    problems.check(PAGE_TYPES[kind])


MARK_MAIN_LINKS = """() => {
  const links = [...document.querySelectorAll("main a[href]")].filter(
    (a) => a.checkVisibility({visibilityProperty: true}) && !a.closest("[inert]"));
  links.forEach((a, i) => a.setAttribute("data-tab-order", String(i)));
  return links.map((a) => a.textContent.trim() + " -> " + a.getAttribute("href"));
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const again = el.hasAttribute("data-tab-seen");
  el.setAttribute("data-tab-seen", "");
  return {order: el.getAttribute("data-tab-order"), again: again};
}"""


@pytest.mark.browser
def test_tab_reaches_every_main_link_in_order(open_page: OpenPage) -> None:
    page, _ = open_page(ARTICLE)
    links = page.evaluate(MARK_MAIN_LINKS)
    assert links, "the article's <main> has no links"
    focusable = page.evaluate(
        "() => document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]').length"
    )
    reached: list[int] = []
    stops = 0
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            if stops:
                break  # focus left the document: one full round is done
            continue
        if focused["again"]:
            break  # wrapped round to the top
        stops += 1
        if focused["order"] is not None:
            reached.append(int(focused["order"]))
    missing = [links[i] for i in range(len(links)) if i not in reached]
    assert reached == list(range(len(links))), (
        f"Tab reached main-content links {reached} of {len(links)}; never reached:\n"
        + "\n".join(missing)
    )


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["article", "person", "timeline"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_screenshots(open_page: OpenPage, tmp_path: Path, kind: str, width: int, height: int) -> None:
    """The pictures in docs/screenshots/ (shown in the README) are of the site as it is."""
    page, _ = open_page(PAGE_TYPES[kind], width=width, height=height)
    page.evaluate("document.fonts.ready")
    shot = tmp_path / f"{kind}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000, "the screenshot is suspiciously small"
    copy_into_repo(shot, f"docs/screenshots/{kind}-{width}.png")


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_the_menu_fits_on_one_line_at_390px(open_page: OpenPage, kind: str) -> None:
    page, _ = open_page(PAGE_TYPES[kind], width=390, height=844,
                        wait_until="networkidle" if kind == "search" else "load")
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.site-header nav li')].map((li) => {"
        " const r = li.getBoundingClientRect(); return [r.top, r.right]; })"
    )
    assert len(boxes) == 5
    assert len({round(top) for top, _ in boxes}) == 1, f"the menu wraps at 390 px: {boxes}"
    assert max(right for _, right in boxes) <= 390


OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && el.checkVisibility())
    .slice(0, 10)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
      + " right=" + Math.round(el.getBoundingClientRect().right));
}"""


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_horizontal_scroll_at_390px(open_page: OpenPage, kind: str) -> None:
    page, _ = open_page(PAGE_TYPES[kind], width=390, height=844,
                        wait_until="networkidle" if kind == "search" else "load")
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width > client_width:
        wide = page.evaluate(OVERFLOWING)
        pytest.fail(
            f"{PAGE_TYPES[kind]} scrolls sideways at 390 px: scrollWidth {scroll_width} > "
            f"clientWidth {client_width}; widest elements:\n" + "\n".join(wide),
            pytrace=False,
        )
