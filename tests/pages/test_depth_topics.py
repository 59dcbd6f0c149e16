"""Topics: validation, linking in article bodies, abbreviations, index, topic pages."""

from __future__ import annotations

import pytest
from conftest import MAY, article, lay_out, parse_html, prose_of, resolve_href

NATO = """\
---
name: North Atlantic Treaty Organization
summary: Military alliance of North American and European countries.
kind: organisation
aliases: [NATO, Nato]
links:
  Wikipedia: https://en.wikipedia.org/wiki/NATO
---
The alliance was founded in **1949**.
"""

LABOUR = """\
---
name: Labour Party
summary: British centre-left political party.
kind: organisation
aliases: [Labour]
---
"""

ISC = """\
---
name: Intelligence and Security Committee of Parliament
summary: Committee that oversees the intelligence agencies.
kind: institution
aliases: [Intelligence and Security Committee, ISC]
---
"""

MOD = """\
---
name: Ministry of Defence
summary: The UK defence department.
kind: institution
aliases: [MoD]
---
"""

RT = """\
---
name: Russia Today
summary: Russian state-funded television network.
kind: organisation
aliases: [RT]
---
"""

PMQS = """\
---
name: Prime Minister's Questions
summary: The weekly session of questions to the Prime Minister.
kind: institution
aliases: [PMQs]
---
"""

REFERENDUM = """\
---
name: EU referendum
summary: The 2016 vote to leave the European Union.
kind: event
date: 2016-06-23
aliases: [the Brexit referendum]
---
"""

DOWNING = """\
---
name: Downing Street
summary: The street of the Prime Minister's residence.
kind: place
---
"""

TOPIC_FILES = {
    "content/topics/nato.md": NATO,
    "content/topics/labour-party.md": LABOUR,
    "content/topics/isc.md": ISC,
    "content/topics/mod.md": MOD,
    "content/topics/russia-today.md": RT,
    "content/topics/pmqs.md": PMQS,
    "content/topics/brexit-vote.md": REFERENDUM,
    "content/topics/downing-street.md": DOWNING,
    "content/topics/whitehall.md": (
        "---\nname: Whitehall\nsummary: A road in Westminster.\nkind: place\n---\n"
    ),
}

SUMMARIES = {
    "nato": "Military alliance of North American and European countries.",
    "labour-party": "British centre-left political party.",
    "isc": "Committee that oversees the intelligence agencies.",
    "mod": "The UK defence department.",
    "russia-today": "Russian state-funded television network.",
    "brexit-vote": "The 2016 vote to leave the European Union.",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One built site shared by the rendering tests of this module."""
    project = lay_out(
        tmp_path_factory.mktemp("topics") / "project",
        {
            **TOPIC_FILES,
            "content/people/theresa-may.md": MAY,
            "content/articles/caps.md": article(
                "Leaders of NATO met while the ISC sat. The MoD briefed RT. Labour agreed.\n",
                title="Caps",
                topics=["nato"],
            ),
            "content/articles/initials.md": article(
                "Nato allies met at the MoD.\n",
                title="Initials",
            ),
            "content/articles/full.md": article(
                "The North Atlantic Treaty Organization met. Later NATO and Nato spoke again.\n",
                title="Full",
            ),
            "content/articles/rules.md": article(
                "## Labour Party conference\n\n"
                "The code `Labour Party` is not a mention.\n\n"
                "Then the Intelligence and Security Committee of Parliament met, and the "
                "Labour Party spoke. Later Labour said more and the Intelligence and Security "
                "Committee agreed.\n",
                title="Rules",
            ),
            "content/articles/old.md": article(
                "Long before the Brexit referendum, Theresa May visited Downing Street.\n",
                title="Old",
                date="1990-01-01",
                people=["theresa-may"],
            ),
            "content/articles/refs.md": article(
                "Background: [[nato]] and [[labour-party|the party]].\n",
                title="Refs",
            ),
            "content/articles/questions.md": article(
                "Questions were asked at PMQs.\n", title="Pmqs"
            ),
            "content/articles/none.md": article("Nothing to see.\n", title="None"),
            "content/articles/grilled.md": article(
                "She was grilled at the Prime Minister's Questions session. "
                "Later the Prime Minister left.\n",
                title="Grilled",
                people=["theresa-may"],
            ),
            "content/articles/skips.md": article(
                "See the [NATO summit](https://example.org/) page.\n\n"
                "![NATO flag](flag.png)\n\n"
                "The Brexit referendum came first. Then NATO met.\n",
                title="Skips",
            ),
        },
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def mentions(project, url_path):
    """Return the mention links in an article's body as parsed nodes."""
    body = parse_html(prose_of(project.page(url_path)))
    return [a for a in body.find_all("a") if a.get("data-ref")]


# --- Validation ---------------------------------------------------------------------------

BAD_TOPICS = {
    "content/topics/bad-field.md": (
        "---\nname: Alpha\nsummary: A thing.\nkind: concept\nalias: [A]\n---\n"
    ),
    "content/topics/bad-kind.md": ("---\nname: Beta\nsummary: A thing.\nkind: organization\n---\n"),
    "content/topics/odd-kind.md": ("---\nname: Gamma\nsummary: A thing.\nkind: company\n---\n"),
    "content/topics/bad-date.md": (
        "---\nname: Delta\nsummary: A thing.\nkind: event\ndate: 2016-13-01\n---\n"
    ),
    "content/topics/twice.md": (
        "---\n"
        "name: Zeta\n"
        "summary: A thing.\n"
        "kind: place\n"
        "aliases: [Z, Z]\n"
        "links:\n"
        "  Home: not-a-url\n"
        "---\n"
    ),
    "content/topics/no-kind.md": ("---\nname: Epsilon\nsummary: A thing.\n---\n"),
}


@pytest.fixture(scope="module")
def bad_topics(tmp_path_factory):
    project = lay_out(tmp_path_factory.mktemp("badtopics") / "project", BAD_TOPICS)
    return project.build()


def test_bad_topics_fail_the_build_without_traceback(bad_topics):
    assert bad_topics.returncode == 1
    assert "Traceback" not in bad_topics.stderr


def test_topic_unknown_field_suggests_the_nearest(bad_topics):
    assert (
        "content/topics/bad-field.md:5: unknown field 'alias' (did you mean 'aliases'?)"
        in bad_topics.stderr.splitlines()
    )


def test_topic_bad_kind_lists_allowed_kinds_and_suggests(bad_topics):
    assert (
        "content/topics/bad-kind.md:4: kind: expected one of organisation, institution, "
        "concept, event, place, got 'organization' (did you mean 'organisation'?)"
        in bad_topics.stderr.splitlines()
    )


def test_topic_unrelated_kind_still_lists_allowed_kinds(bad_topics):
    lines = [
        ln
        for ln in bad_topics.stderr.splitlines()
        if ln.startswith("content/topics/odd-kind.md:4: ")
    ]
    assert len(lines) == 1
    assert lines[0].startswith(
        "content/topics/odd-kind.md:4: kind: expected one of organisation, institution, "
        "concept, event, place, got 'company'"
    )


def test_topic_bad_date(bad_topics):
    assert (
        "content/topics/bad-date.md:5: date: expected a date like 2016-07-13, got '2016-13-01'"
        in bad_topics.stderr.splitlines()
    )


def test_topic_kind_is_required(bad_topics):
    assert (
        "content/topics/no-kind.md:1: missing required field 'kind'"
        in bad_topics.stderr.splitlines()
    )


def test_topic_aliases_and_links_are_checked_like_people(bad_topics):
    lines = bad_topics.stderr.splitlines()
    assert "content/topics/twice.md:5: aliases[1]: 'Z' is listed twice" in lines
    assert (
        "content/topics/twice.md:7: links.Home: expected an http(s) URL like "
        "'https://example.org/', got 'not-a-url'"
    ) in lines


def test_every_bad_topic_is_reported_at_once(bad_topics):
    reported = {
        ln.split(":", 1)[0] for ln in bad_topics.stderr.splitlines() if ln.startswith("content/")
    }
    assert reported == set(BAD_TOPICS)


# --- Linking in article bodies ------------------------------------------------------------


def test_abbreviation_aliases_render_as_abbr_inside_the_link(site):
    links = {a.get("data-ref"): a for a in mentions(site, "articles/caps/")}
    expected = {
        "nato": ("NATO", "North Atlantic Treaty Organization"),
        "isc": ("ISC", "Intelligence and Security Committee of Parliament"),
        "mod": ("MoD", "Ministry of Defence"),
        "russia-today": ("RT", "Russia Today"),
    }
    for slug, (text, full) in expected.items():
        link = links[slug]
        abbr = link.one("abbr")
        assert abbr.text == text
        assert abbr.get("title") == full
        assert link.text == text
        assert link.children == [abbr], "the abbr is the whole link text"


def test_non_abbreviation_alias_has_no_abbr(site):
    links = {a.get("data-ref"): a for a in mentions(site, "articles/caps/")}
    labour = links["labour-party"]
    assert labour.text == "Labour"
    assert labour.find("abbr") is None


def test_initials_aliases_are_abbreviations(site):
    links = {a.get("data-ref"): a for a in mentions(site, "articles/initials/")}
    assert links["nato"].one("abbr").get("title") == "North Atlantic Treaty Organization"
    assert links["nato"].text == "Nato"
    assert links["mod"].one("abbr").get("title") == "Ministry of Defence"
    assert links["mod"].text == "MoD"


def test_plural_initialism_of_possessive_name_is_an_abbreviation(site):
    links = {a.get("data-ref"): a for a in mentions(site, "articles/questions/")}
    abbr = links["pmqs"].find("abbr")
    assert abbr is not None
    assert abbr.get("title") == "Prime Minister's Questions"


def test_full_name_links_without_abbr_and_only_first_mention(site):
    links = mentions(site, "articles/full/")
    assert [(a.get("data-ref"), a.text) for a in links] == [
        ("nato", "North Atlantic Treaty Organization")
    ]
    assert links[0].find("abbr") is None


def test_mention_links_point_at_the_topic_page_with_summary_title(site):
    for a in mentions(site, "articles/caps/"):
        slug = a.get("data-ref")
        assert resolve_href("articles/caps/", a.get("href")) == f"topics/{slug}/index.html"
        assert "mention" in a.classes
        assert a.get("title") == SUMMARIES[slug]


def test_longest_match_first_mention_running_text_only(site):
    html = site.page("articles/rules/")
    body = parse_html(prose_of(html))
    links = [(a.get("data-ref"), a.text) for a in body.find_all("a") if a.get("data-ref")]
    assert links == [
        ("isc", "Intelligence and Security Committee of Parliament"),
        ("labour-party", "Labour Party"),
    ]
    heading = body.one("h2")
    assert heading.find("a") is None
    assert body.one("code").find("a") is None


def test_mentions_skip_links_and_images_and_match_at_sentence_start(site):
    body = parse_html(prose_of(site.page("articles/skips/")))
    links = [(a.get("data-ref"), a.text) for a in body.find_all("a") if a.get("data-ref")]
    assert links == [("brexit-vote", "The Brexit referendum"), ("nato", "NATO")]
    external = [a for a in body.find_all("a") if a.get("href") == "https://example.org/"]
    assert len(external) == 1
    assert external[0].find("a") is None and external[0].find("abbr") is None


def test_longest_overlapping_name_wins_over_an_earlier_shorter_one(site):
    links = [(a.get("data-ref"), a.text) for a in mentions(site, "articles/grilled/")]
    assert links == [("pmqs", "Prime Minister's Questions"), ("theresa-may", "the Prime Minister")]


def test_topic_aliases_have_no_date_limits(site):
    links = {a.get("data-ref"): a.text for a in mentions(site, "articles/old/")}
    # The event happened in 2016 but is named in an article dated 1990.
    assert links["brexit-vote"] == "the Brexit referendum"
    assert links["downing-street"] == "Downing Street"
    assert links["theresa-may"] == "Theresa May"


def test_double_bracket_refs_work_for_topics(site):
    links = mentions(site, "articles/refs/")
    got = [
        (a.get("data-ref"), a.text, resolve_href("articles/refs/", a.get("href"))) for a in links
    ]
    assert got == [
        ("nato", "North Atlantic Treaty Organization", "topics/nato/index.html"),
        ("labour-party", "the party", "topics/labour-party/index.html"),
    ]
    for a in links:
        assert a.get("title") == SUMMARIES[a.get("data-ref")]


# --- Pages --------------------------------------------------------------------------------


def test_topics_index_groups_by_kind_present(site):
    page = parse_html(site.page("topics/"))
    main = page.one("main")
    sections = {}
    for section in main.find_all("section"):
        heading = section.find("h2")
        assert heading is not None
        sections[heading.text] = [
            resolve_href("topics/", a.get("href")) for a in section.find_all("a")
        ]
    assert set(sections) == {"Organisations", "Institutions", "Events", "Places"}
    assert "Concepts" not in main.text
    assert sorted(sections["Organisations"]) == [
        "topics/labour-party/index.html",
        "topics/nato/index.html",
        "topics/russia-today/index.html",
    ]
    assert sorted(sections["Institutions"]) == [
        "topics/isc/index.html",
        "topics/mod/index.html",
        "topics/pmqs/index.html",
    ]
    assert sections["Events"] == ["topics/brexit-vote/index.html"]
    assert sorted(sections["Places"]) == [
        "topics/downing-street/index.html",
        "topics/whitehall/index.html",
    ]


def test_topic_page_has_summary_body_and_appears_in(site):
    page = parse_html(site.page("topics/nato/"))
    main = page.one("main")
    assert main.one("h1").text == "North Atlantic Treaty Organization"
    assert "Military alliance of North American and European countries." in main.text
    assert main.one("strong").text == "1949"  # the body, converted from Markdown
    appears = main.one(id="appears-in")
    items = appears.find_all("li")
    got = {}
    for li in items:
        link = li.one("a")
        got[resolve_href("topics/nato/", link.get("href"))] = li.text
    assert set(got) == {
        "articles/caps/index.html",
        "articles/initials/index.html",
        "articles/full/index.html",
        "articles/refs/index.html",
        "articles/skips/index.html",
    }
    assert "Leaders of NATO met while the ISC sat." in got["articles/caps/index.html"]
    assert "Nato allies met at the MoD." in got["articles/initials/index.html"]
    assert (
        "Background: North Atlantic Treaty Organization and the party."
        in got["articles/refs/index.html"]
    )


def test_topic_page_appears_in_is_empty_when_unmentioned(site):
    appears = parse_html(site.page("topics/whitehall/")).one(id="appears-in")
    assert appears.find("li") is None


def test_article_background_box_lists_its_topics(site):
    page = parse_html(site.page("articles/caps/"))
    box = page.one("section", cls="background")
    linked = {
        a.get("data-ref"): resolve_href("articles/caps/", a.get("href")) for a in box.find_all("a")
    }
    assert linked == {
        slug: f"topics/{slug}/index.html"
        for slug in ("nato", "isc", "mod", "russia-today", "labour-party")
    }
    for slug in linked:
        assert SUMMARIES[slug] in box.text


def test_article_without_topics_has_no_background_box(site):
    page = parse_html(site.page("articles/none/"))
    assert page.find("section", cls="background") is None
