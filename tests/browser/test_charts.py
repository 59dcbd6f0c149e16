"""The charts in a real browser: where they sit, their contrast, print, and the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import PAGE_TYPES

OpenPage = Callable[..., tuple[Any, Any]]
CHART_PAGES = ("article", "person", "timeline", "institution")

# Each chart mark's colour and the page background, as the browser paints them.
COLOURS = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const bg = rgb(getComputedStyle(document.body).backgroundColor);
  const found = [];
  for (const el of document.querySelectorAll("svg.chart text, svg.chart .bar, svg.chart .mark, svg.chart .moment")) {
    const style = getComputedStyle(el);
    const paint = el.matches(".moment") ? style.stroke : style.fill;
    found.push({what: el.tagName + "." + (el.getAttribute("class") || ""), colour: rgb(paint), bg});
  }
  return found;
}"""


def luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", CHART_PAGES)
def test_chart_colours_meet_wcag_contrast(open_page: OpenPage, kind: str, scheme: str) -> None:
    page, _ = open_page(PAGE_TYPES[kind], color_scheme=scheme)
    marks = page.evaluate(COLOURS)
    assert marks, f"no chart on {PAGE_TYPES[kind]}"
    low = []
    for mark in marks:
        # words need 4.5:1 (WCAG 1.4.3); bars, markers and lines 3:1 (1.4.11); party bands
        # are outlined, and their outline is what must stand out
        if "bar-party" in mark["what"] or "bar-whip" in mark["what"]:
            continue
        needed = 4.5 if mark["what"].startswith("text") else 3.0
        ratio = contrast(mark["colour"], mark["bg"])
        if ratio < needed:
            low.append(f"{mark['what']}: {ratio:.2f} < {needed}")
    assert not low, f"{PAGE_TYPES[kind]} ({scheme}):\n" + "\n".join(sorted(set(low)))


@pytest.mark.browser
@pytest.mark.parametrize("kind", CHART_PAGES)
def test_charts_print_in_black_and_white(open_page: OpenPage, kind: str) -> None:
    page, _ = open_page(PAGE_TYPES[kind])
    page.emulate_media(media="print")
    marks = page.evaluate(COLOURS)
    coloured = sorted(
        {m["what"] for m in marks if len(set(m["colour"])) > 1},  # r, g and b not all equal
    )
    assert not coloured, f"{PAGE_TYPES[kind]} prints these in colour: {coloured}"
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.chart-scroll')]"
        ".filter((el) => el.scrollWidth > el.clientWidth + 1).length"
    )
    assert overflow == 0, "a chart is cut off in print"


@pytest.mark.browser
def test_the_story_moment_is_beside_the_text_when_wide_and_above_the_people_on_a_phone(
    open_page: OpenPage,
) -> None:
    wide, _ = open_page(PAGE_TYPES["article"], width=1280, height=800)
    rail, text = wide.evaluate(
        "() => [document.querySelector('.story-moment'), document.querySelector('article .prose')]"
        ".map((el) => { const r = el.getBoundingClientRect(); return [r.left, r.right, r.top]; })"
    )
    assert rail[0] >= text[1], f"the rail {rail} is not to the right of the text {text}"
    assert rail[2] < text[2] + 400, "the rail starts far below the top of the story"
    phone, _ = open_page(PAGE_TYPES["article"], width=390, height=844)
    moment, people = phone.evaluate(
        "() => [document.querySelector('.story-moment'), document.querySelector('.people-in-story')]"
        ".map((el) => el.getBoundingClientRect().top)"
    )
    assert moment < people


@pytest.mark.browser
def test_the_keyboard_reaches_each_link_in_a_chart_and_shows_where_it_is(
    open_page: OpenPage,
) -> None:
    page, _ = open_page(PAGE_TYPES["person"])
    labels = page.evaluate(
        "() => [...document.querySelectorAll('svg.chart a')].map((a) => a.getAttribute('aria-label')"
        " || a.querySelector('title').textContent)"
    )
    assert len(labels) >= 3
    reached = []
    for _ in range(400):
        page.keyboard.press("Tab")
        state = page.evaluate(
            "() => { const el = document.activeElement;"
            " return [el.closest('svg.chart') !== null,"
            " el.getAttribute('aria-label') || (el.querySelector('title') || {}).textContent,"
            " getComputedStyle(el).outlineStyle, el === document.body]; }"
        )
        if state[0]:
            assert state[2] != "none", f"no visible focus on the chart link {state[1]!r}"
            reached.append(state[1])
        elif reached and state[3]:
            break  # round the page once
        if len(reached) == len(labels):
            break
    assert reached == labels, "Tab does not reach every chart link, in order"
    assert any("Jeremy Corbyn: We need to see more evidence" in label for label in reached)
