"""Hover cards on mention links: by mouse and keyboard, dismissed by Escape, never a focus trap."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PAGE_TYPES

OpenPage = Callable[..., tuple[Any, Any]]
MENTIONS = ".prose a.mention[data-ref]"
CARD_TIMEOUT_MS = 3_000


def card_data(page: Any) -> dict[str, dict[str, Any]]:
    """Return the page's card data from its <script id="explainer-cards"> block."""
    source = page.locator("script#explainer-cards")
    assert source.count() == 1, 'the article has no <script type="application/json" id="explainer-cards">'
    assert source.get_attribute("type") == "application/json"
    data: dict[str, dict[str, Any]] = json.loads(source.text_content() or "")
    return data


def first_person_mention(page: Any) -> tuple[Any, str]:
    """Return the first mention of a person in the prose and that person's name."""
    cards = card_data(page)
    mentions = page.locator(MENTIONS)
    for i in range(mentions.count()):
        link = mentions.nth(i)
        ref = link.get_attribute("data-ref") or ""
        if "/people/" in (link.get_attribute("href") or "") and ref in cards:
            return link, str(cards[ref]["name"])
    pytest.fail("no mention of a person with card data in the article's .prose", pytrace=False)


@pytest.mark.browser
def test_hovering_a_mention_shows_its_card(open_page: OpenPage) -> None:
    page, problems = open_page(PAGE_TYPES["article"])
    link, name = first_person_mention(page)
    link.hover()
    card = page.locator("#hovercard")
    expect(card).to_be_visible(timeout=CARD_TIMEOUT_MS)
    expect(card).to_contain_text(name)
    page.keyboard.press("Escape")
    expect(card).to_be_hidden(timeout=CARD_TIMEOUT_MS)
    problems.check(page.url)


FOCUS_IS_MENTION = f"""() => {{
  const el = document.activeElement;
  return !!el && el.matches({json.dumps(MENTIONS)});
}}"""


@pytest.mark.browser
def test_keyboard_shows_card_escape_hides_it_and_tab_moves_on(open_page: OpenPage) -> None:
    page, problems = open_page(PAGE_TYPES["article"])
    cards = card_data(page)
    stops = page.evaluate("() => document.querySelectorAll('a[href], button, input, [tabindex]').length")
    for _ in range(stops):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_IS_MENTION):
            break
    else:
        pytest.fail(f"{stops} Tab presses never reached a mention in .prose", pytrace=False)
    mention = page.locator(":focus")
    ref = mention.get_attribute("data-ref") or ""
    assert ref in cards, f"the focused mention's data-ref {ref!r} has no card data"
    card = page.locator("#hovercard")
    expect(card).to_be_visible(timeout=CARD_TIMEOUT_MS)
    expect(card).to_contain_text(str(cards[ref]["name"]))

    page.keyboard.press("Escape")
    expect(card).to_be_hidden(timeout=CARD_TIMEOUT_MS)
    assert page.evaluate(FOCUS_IS_MENTION), "Escape moved focus away from the mention"

    page.evaluate("() => document.activeElement.setAttribute('data-was-focused', '')")
    page.keyboard.press("Tab")
    moved = page.evaluate("""() => {
      const el = document.activeElement;
      return !!el && el !== document.body && !el.hasAttribute('data-was-focused')
        && !el.closest('#hovercard');
    }""")
    assert moved, "Tab after Escape did not move focus on from the mention (focus trapped?)"
    problems.check(page.url)
