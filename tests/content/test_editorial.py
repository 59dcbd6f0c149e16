"""Newsroom features: positions on the day, corrections, cited facts, whip withdrawals."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from conftest import JOHNSON, ROOT, Project, article, cards_of, html_pages, lay_out, parse_html
from test_parse import parse, person, story

from explainer.link.linking import build_name_index
from explainer.link.markup import normalise_name

# --- Fixtures: a tiny site with dated offices, whips, sources and corrections --------------

MAY = """\
---
name: Theresa May
summary: Prime Minister from 2016 to 2019.
party:
  - name: Conservative
    source: https://example.org/may-party
roles:
  - title: MP for Maidenhead
    from: 1997-05-01
    to: 2024-05-30
    source: {url: "https://example.org/maidenhead", title: "Maidenhead results"}
  - title: Home Secretary
    from: 2010-05-12
    to: 2016-07-13
    source: https://example.org/may
  - title: Prime Minister
    from: 2016-07-13
    to: 2019-07-24
    aliases: [the Prime Minister]
    source: https://example.org/may
---
"""

LEWIS = """\
---
name: Julian Lewis
summary: MP who chaired the intelligence committee.
aliases: [Dr Lewis]
party:
  - name: Conservative
    whip_withdrawn: 2020-07-15
    whip_restored: 2020-12-30
roles:
  - title: MP for New Forest East
    from: 1997-05-01
  - title: Chair of the Intelligence and Security Committee
    from: 2020-07-15
    to: 2024-05-30
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
  - name: Example Party
    from: 2025-01-01
    to: 2025-02-01
---
"""

STORY_2017 = article(
    "The Prime Minister spoke.\n",
    title="Autumn 2017",
    date="2017-11-15",
    summary="Then.",
    people="[theresa-may]",
)

STORY_2020 = """\
---
title: Summer 2020
date: 2020-07-21
summary: Now.
updated: 2020-07-23
people: [theresa-may, boris-johnson, julian-lewis]
corrections:
  - date: 2020-07-22
    text: The report went to Downing Street in October, not November.
  - date: 2020-07-25
    text: Dr Lewis chairs the committee; he does not sit on it as an ordinary member.
  - date: 2020-07-22
    text: A second correction made the same day.
---
Theresa May watched. The Prime Minister replied. Dr Lewis chaired the meeting.
"""

STORY_2021 = """\
---
title: Spring 2021
date: 2021-03-01
summary: Later.
people: [julian-lewis, jeremy-corbyn]
corrections:
  - date: 2021-03-02
    text: Corrected a name.
---
Dr Lewis and Jeremy Corbyn spoke.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = lay_out(
        tmp_path_factory.mktemp("editorial") / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/julian-lewis.md": LEWIS,
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/articles/autumn.md": STORY_2017,
            "content/articles/summer.md": STORY_2020,
            "content/articles/spring.md": STORY_2021,
        },
    )
    result = project.build("--no-search")
    assert result.returncode == 0, result.stderr
    return project


def page(project: Project, url_path: str):  # type: ignore[no-untyped-def]
    return parse_html(project.page(url_path))


def people_in_story(project: Project, url_path: str) -> dict[str, tuple[str, str]]:
    """Map each listed person to the (role, party) shown beside the story."""
    box = page(project, url_path).one("section", cls="people-in-story")
    out = {}
    for li in box.find_all("li"):
        role = li.find("span", cls="role")
        party = li.find("span", cls="party")
        out[li.one("a").text] = (role.text if role else "", party.text if party else "")
    return out


def json_ld(project: Project, url_path: str) -> dict[str, object]:
    script = page(project, url_path).one("script", type="application/ld+json")
    data: dict[str, object] = json.loads(script.raw_text)
    return data


# --- Item 5: who someone was on the day ----------------------------------------------------


def person_from(text: str):  # type: ignore[no-untyped-def]
    found, problems = parse("people", text, "theresa-may")
    assert problems == []
    return found


@pytest.mark.parametrize(
    ("day", "label"),
    [
        ("1990-01-01", ""),
        ("2005-01-01", "MP for Maidenhead"),
        ("2012-01-01", "Home Secretary"),
        ("2017-11-15", "Prime Minister"),
        ("2019-07-24", "Former Prime Minister · MP for Maidenhead"),
        ("2020-07-21", "Former Prime Minister · MP for Maidenhead"),
        ("2024-05-30", "Former Prime Minister"),
    ],
)
def test_position_on_a_date_names_a_more_prominent_office_left(day, label):
    may = person_from(MAY)
    assert may.role_label_on(dt.date.fromisoformat(day)) == label


def test_a_seat_is_not_prominent_by_default_and_authors_can_say_otherwise():
    may = person_from(MAY)
    assert [r.is_prominent for r in may.roles] == [False, True, True]
    demoted = person_from(
        MAY.replace("    aliases: [the Prime Minister]\n", "    prominent: false\n")
    )
    assert (
        demoted.role_label_on(dt.date(2020, 7, 21)) == "Former Home Secretary · MP for Maidenhead"
    )
    promoted = person_from(
        MAY.replace("    to: 2024-05-30\n", "    to: 2024-05-30\n    prominent: true\n")
    )
    assert promoted.role_label_on(dt.date(2020, 7, 21)) == "MP for Maidenhead"
    assert promoted.role_label_on(dt.date(2017, 11, 15)) == "Prime Minister"


def test_a_prominent_office_held_is_named_before_a_seat_held_alongside_it():
    text = MAY.replace("    from: 2010-05-12\n", "    from: 1996-05-12\n")
    # The seat started later than the office, but the office is what a reader needs.
    assert person_from(text).role_label_on(dt.date(2000, 1, 1)) == "Home Secretary"


def test_current_label_names_the_office_left():
    assert person_from(MAY).current_label() == "Former Prime Minister"
    lewis, _ = parse("people", LEWIS, "julian-lewis")
    assert lewis.current_label() == (
        "Former Chair of the Intelligence and Security Committee · MP for New Forest East"
    )


def test_prominent_must_be_true_or_false():
    found, problems = parse(
        "people", person("roles:\n  - title: PM\n    from: 2016-07-13\n    prominent: often\n")
    )
    assert found is None
    assert problems == [
        "content/people/someone.md:7: roles[0].prominent: expected true or false, got 'often'"
    ]


def test_story_pages_show_the_position_on_the_story_date(site):
    assert people_in_story(site, "articles/summer/") == {
        "Theresa May": ("Former Prime Minister · MP for Maidenhead", "Conservative"),
        "Boris Johnson": ("Prime Minister", "Conservative"),
        "Julian Lewis": (
            "Chair of the Intelligence and Security Committee",
            "Conservative (whip withdrawn)",
        ),
    }
    assert people_in_story(site, "articles/autumn/") == {
        "Theresa May": ("Prime Minister", "Conservative"),
    }
    cards = cards_of(page(site, "articles/summer/"))
    assert cards["theresa-may"]["role"] == "Former Prime Minister · MP for Maidenhead"
    assert cards["julian-lewis"]["party"] == "Conservative (whip withdrawn)"


def test_the_prime_minister_links_whoever_held_the_office_that_day(site):
    def target(url_path: str) -> str:
        prose = page(site, url_path).one("div", cls="prose")
        (link,) = [a for a in prose.find_all("a") if a.text == "The Prime Minister"]
        return link.get("data-ref") or ""

    assert target("articles/autumn/") == "theresa-may"
    assert target("articles/summer/") == "boris-johnson"


# --- Item 19: party history in words; whip withdrawn ---------------------------------------


def party_history(project: Project, slug: str) -> list[str]:
    section = page(project, f"people/{slug}/").one("section", cls="parties")
    return [li.text for li in section.find_all("li")]


def test_party_history_writes_open_ranges_in_words(site):
    assert party_history(site, "jeremy-corbyn") == [
        "Labour (until 24 May 2024; whip withdrawn from 29 October 2020 and not restored)",
        "Independent (since 24 May 2024)",
        "Example Party (1 January 2025 – 1 February 2025)",
    ]
    assert party_history(site, "julian-lewis") == [
        "Conservative (whip withdrawn from 15 July 2020 to 30 December 2020)"
    ]
    html = site.page("people/jeremy-corbyn/")
    assert "( –" not in html and "– )" not in html


def test_a_membership_without_the_whip_is_shown_as_such_only_while_it_lasts(site):
    lewis_now = cards_of(page(site, "articles/spring/"))["julian-lewis"]
    assert lewis_now["party"] == "Conservative"
    corbyn = cards_of(page(site, "articles/spring/"))["jeremy-corbyn"]
    assert corbyn["party"] == "Labour (whip withdrawn)"
    found, _ = parse("people", CORBYN, "jeremy-corbyn")
    assert found.party_on(dt.date(2021, 3, 1)) == "Labour"  # the party itself, for JSON-LD
    assert found.party_label_on(None) == "Independent"


def test_whip_open_since():
    found, problems = parse(
        "people", person("party:\n  - name: Labour\n    whip_withdrawn: 2020-10-29\n")
    )
    assert problems == []
    assert found.parties[0].details == "whip withdrawn since 29 October 2020"
    assert found.party_label_on(None) == "Labour (whip withdrawn)"
    assert found.shows_party_history


@pytest.mark.parametrize(
    ("party", "message"),
    [
        (
            "  - name: Conservative\n    whip_restored: 2020-12-30\n",
            "content/people/someone.md:6: party[0].whip_restored: the whip can only be "
            "restored after it was withdrawn; add whip_withdrawn",
        ),
        (
            "  - name: Conservative\n    whip_withdrawn: 2020-07-15\n    whip_restored: 2020-07-01\n",
            "content/people/someone.md:7: party[0].whip_restored: whip restored (2020-07-01) "
            "before it was withdrawn (2020-07-15)",
        ),
        (
            "  - name: Labour\n    to: 2020-01-01\n    whip_withdrawn: 2020-10-29\n",
            "content/people/someone.md:7: party[0].whip_withdrawn: whip withdrawn (2020-10-29) "
            "outside the membership (no start to 2020-01-01)",
        ),
        (
            "  - name: Labour\n    to: 2021-01-01\n    whip_withdrawn: 2020-10-29\n"
            "    whip_restored: 2021-02-01\n",
            "content/people/someone.md:8: party[0].whip_restored: whip restored (2021-02-01) "
            "after the membership ended (2021-01-01)",
        ),
        (
            "  - name: Labour\n    whip_withdrawn: soon\n",
            "content/people/someone.md:6: party[0].whip_withdrawn: expected a date like "
            "2016-07-13, got 'soon'",
        ),
    ],
)
def test_whip_errors(party, message):
    found, problems = parse("people", person("party:\n" + party))
    assert found is None
    assert problems == [message]


# --- Item 18: cited facts ------------------------------------------------------------------


def test_profile_numbers_its_sources_beside_the_facts(site):
    doc = page(site, "people/theresa-may/")
    roles = doc.one("ol", cls="role-list").find_all("li")
    marks = [
        (li.one("span", cls="role-title").text, li.one("sup", cls="cite").text) for li in roles
    ]
    # Newest first, as the list shows them; one page cited twice keeps one number.
    assert marks == [
        ("Prime Minister", "[1]"),
        ("Home Secretary", "[1]"),
        ("MP for Maidenhead", "[2]"),
    ]
    parties = doc.one("section", cls="parties").find_all("li")
    assert [li.text for li in parties] == ["Conservative[3]"]
    sources = doc.one("section", cls="sources")
    assert sources.one("h2").text == "Sources"
    items = sources.one("ol").find_all("li")
    assert [(li.get("id"), li.one("a").get("href"), li.one("a").text) for li in items] == [
        ("source-1", "https://example.org/may", "https://example.org/may (external)"),
        ("source-2", "https://example.org/maidenhead", "Maidenhead results (external)"),
        ("source-3", "https://example.org/may-party", "https://example.org/may-party (external)"),
    ]
    for li in roles:
        link = li.one("sup", cls="cite").one("a")
        number = link.text.strip("[]")
        assert link.get("href") == f"#source-{number}"
        assert link.get("aria-label") == f"Source {number}"


def test_profile_without_sources_has_no_sources_section(site):
    doc = page(site, "people/julian-lewis/")
    assert doc.find("section", cls="sources") is None
    assert doc.find("sup", cls="cite") is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "not a url",
            "content/people/someone.md:7: roles[0].source: expected an http(s) URL like "
            "'https://example.org/', got 'not a url'",
        ),
        (
            "[https://example.org/]",
            "content/people/someone.md:7: roles[0].source: expected a web address or "
            "{url, title}, got a list",
        ),
        (
            "{title: A page}",
            "content/people/someone.md:7: missing required field 'url' in roles[0].source",
        ),
    ],
)
def test_source_errors(source, message):
    found, problems = parse(
        "people", person(f"roles:\n  - title: PM\n    from: 2016-07-13\n    source: {source}\n")
    )
    assert found is None
    assert problems == [message]


def test_strict_check_warns_about_offices_without_a_source(site):
    done = site.build("check", "--strict")
    assert done.returncode == 1
    assert (
        "content/people/julian-lewis.md:10: warning: roles[0]: 'MP for New Forest East' cites "
        "no source; add source: with the address of a public page that confirms its dates"
    ) in done.stderr.splitlines()
    assert "content/people/theresa-may.md" not in done.stderr
    relaxed = site.build("check")
    assert relaxed.returncode == 0
    assert "cites no source" not in relaxed.stderr


# --- Item 17: corrections ------------------------------------------------------------------


def test_story_shows_its_corrections_newest_first(site):
    doc = page(site, "articles/summer/")
    box = doc.one("aside", cls="corrections")
    assert box.get("id") == "corrections"
    assert box.one("h2").text == "Corrections"
    assert box.get("aria-labelledby") == box.one("h2").get("id")
    items = box.one("ol").find_all("li")
    assert [(li.one("time").get("datetime"), li.one("span").text) for li in items] == [
        (
            "2020-07-25",
            "Dr Lewis chairs the committee; he does not sit on it as an ordinary member.",
        ),
        ("2020-07-22", "The report went to Downing Street in October, not November."),
        ("2020-07-22", "A second correction made the same day."),
    ]
    assert items[0].one("time").text == "25 July 2020"
    # Before the story's text, where no reader can miss it.
    html = site.page("articles/summer/")
    assert html.index('class="corrections"') < html.index('class="prose"')
    single = page(site, "articles/spring/").one("aside", cls="corrections")
    assert single.one("h2").text == "Correction"
    assert page(site, "articles/autumn/").find("aside", cls="corrections") is None


def test_json_ld_has_date_modified_and_each_correction(site):
    data = json_ld(site, "articles/summer/")
    assert data["dateModified"] == "2020-07-25"  # the latest correction, after `updated`
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Dr Lewis chairs the committee; he does not sit on it as an ordinary member.",
            "datePublished": "2020-07-25",
        },
        {
            "@type": "CorrectionComment",
            "text": "The report went to Downing Street in October, not November.",
            "datePublished": "2020-07-22",
        },
        {
            "@type": "CorrectionComment",
            "text": "A second correction made the same day.",
            "datePublished": "2020-07-22",
        },
    ]
    autumn = json_ld(site, "articles/autumn/")
    assert autumn["dateModified"] == "2017-11-15"
    assert "correction" not in autumn


def test_date_modified_follows_updated_when_it_is_later():
    found, problems = parse(
        "articles",
        story("updated: 2017-12-01\ncorrections:\n  - date: 2017-11-20\n    text: Fixed.\n"),
    )
    assert problems == []
    assert found.modified == dt.date(2017, 12, 1)


def test_feed_and_sitemap_follow_the_latest_correction(site):
    feed = (site.root / "_site/feed.xml").read_text(encoding="utf-8")
    entries = dict(
        re.findall(
            r"<id>https://example.org/news/articles/(\w+)/</id>.*?<updated>([^<]+)</updated>",
            feed,
            re.S,
        )
    )
    assert entries == {
        "spring": "2021-03-02T00:00:00Z",
        "summer": "2020-07-25T00:00:00Z",
        "autumn": "2017-11-15T00:00:00Z",
    }
    assert "<updated>2021-03-02T00:00:00Z</updated>\n  <author>" in feed  # the feed's own
    sitemap = (site.root / "_site/sitemap.xml").read_text(encoding="utf-8")
    lastmod = dict(
        re.findall(
            r"<loc>https://example.org/news/([^<]*)</loc>\n    <lastmod>([^<]+)</lastmod>", sitemap
        )
    )
    assert lastmod["articles/summer/"] == "2020-07-25"
    assert lastmod["articles/spring/"] == "2021-03-02"
    assert lastmod["corrections/"] == "2021-03-02"


def test_corrections_page_lists_every_correction_newest_first(site):
    main = page(site, "corrections/").one("main")
    assert main.one("h1").text == "Corrections"
    items = main.one("ol", cls="site-corrections").find_all("li")
    assert [
        (
            li.one("time").get("datetime"),
            li.one("a").text,
            li.one("a").get("href"),
            li.one("p").text,
        )
        for li in items
    ] == [
        (
            "2021-03-02",
            "Spring 2021",
            "../articles/spring/index.html#corrections",
            "Corrected a name.",
        ),
        (
            "2020-07-25",
            "Summer 2020",
            "../articles/summer/index.html#corrections",
            "Dr Lewis chairs the committee; he does not sit on it as an ordinary member.",
        ),
        (
            "2020-07-22",
            "Summer 2020",
            "../articles/summer/index.html#corrections",
            "The report went to Downing Street in October, not November.",
        ),
        (
            "2020-07-22",
            "Summer 2020",
            "../articles/summer/index.html#corrections",
            "A second correction made the same day.",
        ),
    ]


def test_every_page_links_the_corrections_page_from_its_footer(site):
    count = 0
    for url_path, html in html_pages(site):
        footer = parse_html(html).one("footer")
        links = [a for a in footer.find_all("a") if a.text == "Corrections"]
        assert len(links) == 1, url_path
        count += 1
    assert count > 10


def test_a_site_without_corrections_says_so(make_project):
    project = make_project({"content/articles/story.md": article("Body.")})
    assert project.build("--no-search").returncode == 0
    main = parse_html(project.page("corrections/")).one("main")
    assert main.one("p", cls="lede") is not None
    assert [p.text for p in main.find_all("p")][-1] == "No corrections yet."


@pytest.mark.parametrize(
    ("corrections", "message"),
    [
        (
            "  - date: 2017-11-14\n    text: Fixed.\n",
            "content/articles/story.md:6: corrections[0].date: correction dated 2017-11-14 is "
            "before the story's date (2017-11-15)",
        ),
        (
            "  - date: 2017-11-16\n",
            "content/articles/story.md:6: missing required field 'text' in corrections[0]",
        ),
        (
            "  - date: 2017-11-16\n    text: ''\n",
            "content/articles/story.md:7: corrections[0].text: must not be empty",
        ),
        (
            "  - date: 2017-11-16\n    text: Fixed.\n    by: me\n",
            "content/articles/story.md:8: unknown field 'corrections[0].by'; allowed fields are "
            "date, text",
        ),
    ],
)
def test_correction_errors(corrections, message):
    found, problems = parse("articles", story("corrections:\n" + corrections))
    assert found is None
    assert problems == [message]


# --- Items 20 and 21: the example site -----------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real-editorial") / "site"
    result = subprocess.run(
        [sys.executable, "build.py", "--no-search", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Project(out)


def real_page(real, url_path):  # type: ignore[no-untyped-def]
    return parse_html(real.page(url_path, out=""))


def test_example_site_links_the_prime_minister_by_date(real):
    prose = real_page(real, "articles/russia-report-published/").one("div", cls="prose")
    linked = [a.get("data-ref") for a in prose.find_all("a") if a.text == "the Prime Minister"]
    # sent to the Prime Minister on 17 October 2019: Johnson; in November 2017: May
    assert linked == ["boris-johnson", "theresa-may"]
    # In the 2017 story May is named first, so its later "The Prime Minister" is not a
    # second link; the alias still means her on that date, and Johnson in 2020.
    people = []
    for path in sorted((ROOT / "content/people").glob("*.md")):
        found, problems = parse("people", path.read_text(encoding="utf-8"), path.stem)
        assert problems == [], path
        people.append(found)
    index = build_name_index(people, ())
    uses = index.uses[normalise_name("the Prime Minister")]
    for day, slug in (("2017-11-15", "theresa-may"), ("2020-07-21", "boris-johnson")):
        assert [u.slug for u in uses if u.valid_on(dt.date.fromisoformat(day))] == [slug]


def test_example_site_shows_who_people_were_in_july_2020(real):
    box = real_page(real, "articles/russia-report-published/").one("section", cls="people-in-story")
    shown = {
        li.one("a").text: (li.one("span", cls="role").text, li.one("span", cls="party").text)
        for li in box.find_all("li")
    }
    assert shown == {
        "Boris Johnson": ("Prime Minister of the United Kingdom", "Conservative"),
        "Julian Lewis": (
            "Chair of the Intelligence and Security Committee",
            "Conservative (whip withdrawn)",
        ),
        "Dominic Grieve": (
            "Former Chair of the Intelligence and Security Committee",
            "Independent",
        ),
        "Keir Starmer": ("Leader of the Labour Party", "Labour"),
        "Theresa May": (
            "Former Prime Minister of the United Kingdom · Member of Parliament for Maidenhead",
            "Conservative",
        ),
    }


def test_example_site_corrected_facts(real):
    corbyn = real_page(real, "people/jeremy-corbyn/")
    parties = [li.text for li in corbyn.one("section", cls="parties").find_all("li")]
    assert parties == [
        "Labour (until 24 May 2024; whip withdrawn from 29 October 2020 and not restored)[3]"
    ]
    facts = corbyn.one("dl", cls="facts").text
    assert "Independent" not in facts
    johnson = real_page(real, "people/boris-johnson/")
    mayor = [
        li
        for li in johnson.one("ol", cls="role-list").find_all("li")
        if li.one("span", cls="role-title").text == "Mayor of London"
    ]
    assert [t.get("datetime") for t in mayor[0].find_all("time")] == ["2008-05-04", "2016-05-09"]


def test_example_site_cites_every_office(real):
    done = subprocess.run(
        [sys.executable, "build.py", "check", "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for slug in ("theresa-may", "boris-johnson", "julian-lewis", "keir-starmer", "jeremy-corbyn"):
        doc = real_page(real, f"people/{slug}/")
        sources = doc.one("section", cls="sources").find_all("li")
        assert sources, slug
        for li in sources:
            assert li.one("a").get("href", "").startswith("https://"), slug
        assert len(doc.one("ol", cls="role-list").find_all("sup", cls="cite")) == len(
            doc.one("ol", cls="role-list").find_all("li")
        ), slug


def test_example_site_has_a_correction_page_entry(real):
    items = real_page(real, "corrections/").one("ol", cls="site-corrections").find_all("li")
    assert [(li.one("time").get("datetime"), li.one("a").get("href")) for li in items] == [
        ("2020-07-22", "../articles/russia-report-published/index.html#corrections")
    ]
