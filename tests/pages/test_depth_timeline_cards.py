"""The timeline, hover-card data, and the no-inline-script rule."""

from __future__ import annotations

import pytest
from conftest import (
    JOHNSON,
    MAY,
    assert_card_data,
    assert_no_inline_script,
    cards_of,
    html_pages,
    lay_out,
    parse_html,
    prose_of,
    resolve_href,
)

REFERENDUM = """\
---
name: EU referendum
summary: The 2016 vote to leave the European Union.
kind: event
date: 2016-06-23
aliases: [the Brexit referendum]
---
"""

NATO = """\
---
name: North Atlantic Treaty Organization
summary: Military alliance founded in 1949.
kind: organisation
aliases: [NATO]
---
"""

CORBYN = """\
---
name: Jeremy Corbyn
summary: Labour leader from 2015 to 2020.
party:
  - name: Labour
    to: 2024-05-24
    whip_withdrawn: 2020-10-29
  - name: Independent
    from: 2024-05-24
roles:
  - title: Leader of the Labour Party
    from: 2015-09-12
    to: 2020-04-04
    aliases: [the Labour leader]
---
"""

NOBODY = """\
---
name: Alex Example
summary: A commentator with no offices.
---
"""

STORY_2017 = """\
---
title: Autumn story
date: 2017-11-15
summary: Autumn.
people: [theresa-may, boris-johnson, jeremy-corbyn]
---
Theresa May spoke after the Brexit referendum. The Foreign Secretary replied.
The Labour leader asked about NATO.
"""

STORY_2020 = """\
---
title: Winter story
date: 2020-12-01
summary: Winter.
---
Boris Johnson met Jeremy Corbyn, and Theresa May watched. Alex Example commented.
"""

STORY_2019 = """\
---
title: Summer story
date: 2019-08-01
summary: Summer.
---
The Prime Minister, Boris Johnson, spoke.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = lay_out(
        tmp_path_factory.mktemp("timeline") / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/people/alex-example.md": NOBODY,
            "content/topics/eu-referendum.md": REFERENDUM,
            # An organisation with a date: only event topics belong on the timeline.
            "content/topics/nato.md": NATO.replace(
                "kind: organisation\n", "kind: organisation\ndate: 1949-04-04\n"
            ),
            "content/articles/autumn.md": STORY_2017,
            "content/articles/winter.md": STORY_2020,
            "content/articles/summer.md": STORY_2019,
        },
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def entries(project, url_path):
    """Return (year heading, [(datetime, text, resolved href)]) for each year section."""
    main = parse_html(project.page(url_path)).one("main")
    out = []
    for section in main.find_all("section"):
        heading = section.one("h2")
        items = []
        for li in section.find_all("li"):
            link = li.one("a")
            items.append(
                (
                    li.one("time").get("datetime"),
                    link.text,
                    resolve_href(url_path, link.get("href")),
                )
            )
        out.append((heading.text, items))
    return out


# --- Timeline -----------------------------------------------------------------------------


def test_timeline_groups_by_year_in_order(site):
    years = entries(site, "timeline/")
    headings = [h for h, _ in years]
    assert headings == sorted(set(headings), key=int)
    for heading, items in years:
        assert items, "no empty year sections"
        assert all(day.startswith(heading + "-") for day, _, _ in items)
    days = [day for _, items in years for day, _, _ in items]
    assert days == sorted(days)


def test_timeline_has_articles_roles_and_events(site):
    flat = {
        (day, text, href) for _, items in entries(site, "timeline/") for day, text, href in items
    }
    expected = {
        ("2017-11-15", "Autumn story", "articles/autumn/index.html"),
        ("2019-08-01", "Summer story", "articles/summer/index.html"),
        ("2020-12-01", "Winter story", "articles/winter/index.html"),
        ("2016-06-23", "EU referendum", "topics/eu-referendum/index.html"),
    }
    assert expected <= flat
    role_entries = {(day, href) for day, _, href in flat if href.startswith("people/")}
    assert role_entries == {
        ("2010-05-12", "people/theresa-may/index.html"),
        ("2016-07-13", "people/theresa-may/index.html"),
        ("2019-07-24", "people/theresa-may/index.html"),
        ("2016-07-13", "people/boris-johnson/index.html"),
        ("2018-07-09", "people/boris-johnson/index.html"),
        ("2019-07-24", "people/boris-johnson/index.html"),
        ("2022-09-06", "people/boris-johnson/index.html"),
        ("2015-09-12", "people/jeremy-corbyn/index.html"),
        ("2020-04-04", "people/jeremy-corbyn/index.html"),
        # changes of party: the whip withdrawn, Labour left and independence begun
        ("2020-10-29", "people/jeremy-corbyn/index.html"),
        ("2024-05-24", "people/jeremy-corbyn/index.html"),
    }
    texts = {text for _, text, _ in flat}
    assert any("Prime Minister" in t and "Theresa May" in t for t in texts)


def test_timeline_role_start_and_end_are_both_listed(site):
    flat = [(day, text) for _, items in entries(site, "timeline/") for day, text, _ in items]
    may_2019 = [text for day, text in flat if day == "2019-07-24" and "Theresa May" in text]
    johnson_2019 = [text for day, text in flat if day == "2019-07-24" and "Boris Johnson" in text]
    assert len(may_2019) == 1 and "Prime Minister" in may_2019[0]
    assert len(johnson_2019) == 1 and "Prime Minister" in johnson_2019[0]
    assert may_2019[0] != johnson_2019[0].replace("Boris Johnson", "Theresa May"), (
        "an end and a start read differently"
    )


def test_every_timeline_link_resolves(site):
    root = site.root / "_site"
    for _, items in entries(site, "timeline/"):
        for _, _, href in items:
            assert (root / href).is_file(), href


def test_timeline_only_dates_event_topics(site):
    flat = [(day, text) for _, items in entries(site, "timeline/") for day, text, _ in items]
    topics = [
        (day, text)
        for day, text in flat
        if text in ("EU referendum", "North Atlantic Treaty Organization")
    ]
    assert topics == [("2016-06-23", "EU referendum")]


def test_person_timeline_is_filtered(site):
    flat = [
        (day, text, href)
        for _, items in entries(site, "timeline/theresa-may/")
        for day, text, href in items
    ]
    hrefs = {href for _, _, href in flat}
    assert hrefs == {
        "people/theresa-may/index.html",
        "articles/autumn/index.html",
        "articles/winter/index.html",
    }
    assert [day for day, _, _ in flat] == [
        "2010-05-12",
        "2016-07-13",
        "2016-07-13",
        "2017-11-15",
        "2019-07-24",
        "2020-12-01",
    ]
    for _, text, href in flat:
        if href.startswith("people/"):
            assert "Theresa May" in text


def test_person_timeline_groups_by_year(site):
    years = [h for h, _ in entries(site, "timeline/boris-johnson/")]
    assert years == ["2016", "2017", "2018", "2019", "2020", "2022"]


def test_person_page_links_to_their_timeline(site):
    page = parse_html(site.page("people/theresa-may/"))
    targets = {resolve_href("people/theresa-may/", a.get("href")) for a in page.find_all("a")}
    assert "timeline/theresa-may/index.html" in targets


def test_person_without_roles_links_to_their_timeline(site):
    assert (site.root / "_site/timeline/alex-example/index.html").is_file()
    page = parse_html(site.page("people/alex-example/"))
    targets = {resolve_href("people/alex-example/", a.get("href")) for a in page.find_all("a")}
    assert "timeline/alex-example/index.html" in targets


# --- Hover-card data ----------------------------------------------------------------------


def test_every_page_with_mention_links_carries_card_data(site):
    checked = assert_card_data(site)
    assert {"articles/autumn/", "articles/winter/", "articles/summer/"} <= checked


def test_article_cards_give_role_and_party_on_the_article_date(site):
    autumn = cards_of(parse_html(site.page("articles/autumn/")))
    assert autumn["theresa-may"]["role"] == "Prime Minister"
    assert autumn["boris-johnson"]["role"] == "Foreign Secretary"
    assert autumn["jeremy-corbyn"]["role"] == "Leader of the Labour Party"
    assert autumn["jeremy-corbyn"]["party"] == "Labour"
    assert autumn["theresa-may"]["party"] == "Conservative"
    assert autumn["theresa-may"]["initials"] == "TM"
    assert autumn["jeremy-corbyn"]["initials"] == "JC"
    summer = cards_of(parse_html(site.page("articles/summer/")))
    assert summer["boris-johnson"]["role"] == "Prime Minister"
    winter = cards_of(parse_html(site.page("articles/winter/")))
    # Suspended in October 2020 and readmitted without the whip; expelled only in 2024.
    assert winter["jeremy-corbyn"]["party"] == "Labour (whip withdrawn)"
    assert winter["boris-johnson"]["role"] == "Prime Minister"
    assert autumn["eu-referendum"] == {
        **autumn["eu-referendum"],
        "name": "EU referendum",
        "summary": "The 2016 vote to leave the European Union.",
    }
    assert "initials" not in autumn["nato"]


def test_mention_links_have_summary_titles(site):
    summaries = {
        "theresa-may": "British Prime Minister from 2016 to 2019.",
        "boris-johnson": "British Prime Minister from 2019 to 2022.",
        "jeremy-corbyn": "Labour leader from 2015 to 2020.",
        "alex-example": "A commentator with no offices.",
        "eu-referendum": "The 2016 vote to leave the European Union.",
        "nato": "Military alliance founded in 1949.",
    }
    seen = set()
    for url_path in ("articles/autumn/", "articles/winter/", "articles/summer/"):
        body = parse_html(prose_of(site.page(url_path)))
        for a in body.find_all("a", cls="mention"):
            seen.add(a.get("data-ref"))
            assert a.get("title") == summaries[a.get("data-ref")]
    assert seen == set(summaries)


# --- No inline executable script ----------------------------------------------------------


def test_no_inline_executable_script_anywhere(site):
    for url_path, html in html_pages(site):
        assert_no_inline_script(url_path, html)


def test_cards_script_is_loaded_by_src(site):
    page = parse_html(site.page("articles/autumn/"))
    srcs = [
        resolve_href("articles/autumn/", s.get("src"))
        for s in page.find_all("script")
        if s.get("src")
    ]
    assert "static/cards.js" in srcs
    assert (site.root / "_site/static/cards.js").is_file()
