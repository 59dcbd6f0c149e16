"""Parse stage: raw documents -> validated, typed model objects; every problem reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import JOHNSON, MAY, article
from core_helpers import CONFIG, documents

from explainer.content.load import parse_document
from explainer.content.model import Headline, Image, Link, PartySpan, Role, Site, Source
from explainer.content.parse import parse_article, parse_person, parse_site, parse_topic
from explainer.core.errors import Collector

PARSERS = {"articles": parse_article, "people": parse_person, "topics": parse_topic}
SLUGS = {"articles": "story", "people": "someone", "topics": "thing"}


def parse(collection: str, text: str, slug: str | None = None) -> tuple[Any, list[str]]:
    """Return (model object or None, the messages reported)."""
    slug = slug or SLUGS[collection]
    path = Path(f"content/{collection}/{slug}.md")
    doc = parse_document(text.encode("utf-8"), path, collection)
    collector = Collector()
    found = PARSERS[collection](doc, collector)
    return found, [str(d) for d in collector.diagnostics]


def person(extra: str = "", name: str = "name: Someone\n") -> str:
    return f"---\n{name}summary: A person.\n{extra}---\n"


def topic(extra: str = "", kind: str = "kind: concept\n") -> str:
    return f"---\nname: A thing\nsummary: A thing.\n{kind}{extra}---\n"


def story(extra: str = "") -> str:
    return f"---\ntitle: A story\ndate: 2017-11-15\nsummary: What happened.\n{extra}---\nBody.\n"


def one_error(collection: str, text: str) -> str:
    found, problems = parse(collection, text)
    assert found is None
    assert len(problems) == 1, problems
    return problems[0]


# --- Good content --------------------------------------------------------------------------


def test_article_with_every_field():
    found, problems = parse(
        "articles",
        story(
            "updated: 2017-11-16\n"
            "people: [theresa-may, boris-johnson]\n"
            "topics: [nato]\n"
            "source:\n  name: The Paper\n  url: https://example.org/story\n  author: A Reporter\n"
            "draft: false\n"
            "related_headlines:\n  - Plain headline\n  - title: Linked headline\n    url: https://example.org/h\n"
            "extra:\n  kicker: Analysis\n"
        ),
    )
    assert problems == []
    assert found is not None
    assert found.title == "A story"
    assert found.date == dt.date(2017, 11, 15)
    assert found.updated == dt.date(2017, 11, 16)
    assert found.summary == "What happened."
    assert found.people == ("theresa-may", "boris-johnson")
    assert found.topics == ("nato",)
    assert found.source == Source("The Paper", "https://example.org/story", "A Reporter")
    assert found.draft is False
    assert found.related_headlines == (
        Headline("Plain headline"),
        Headline("Linked headline", "https://example.org/h"),
    )
    assert dict(found.extra) == {"kicker": "Analysis"}
    assert found.body == "Body.\n"
    assert found.url_path == "articles/story/"


def test_person_with_every_field():
    found, problems = parse(
        "people",
        "---\n"
        "name: Theresa May\n"
        "summary: PM.\n"
        "aliases: [Mrs May]\n"
        "party:\n  - name: Conservative\n    from: 1977-01-01\n"
        "country: United Kingdom\n"
        "born: 1956-10-01\n"
        "died: 2099-01-01\n"
        "roles:\n"
        "  - title: Prime Minister\n    from: 2016-07-13\n    to: 2019-07-24\n"
        "    aliases: [the Prime Minister]\n"
        "  - title: MP for Maidenhead\n    from: 1997-05-01\n"
        "links:\n  Wikipedia: https://en.wikipedia.org/wiki/Theresa_May\n"
        "image:\n  src: images/may.jpg\n  alt: Theresa May at a lectern\n  credit: A. Photographer\n"
        "  licence: CC BY 4.0\n  licence_url: https://creativecommons.org/licenses/by/4.0/\n"
        "extra:\n  note: x\n"
        "---\nBio.\n",
        "theresa-may",
    )
    assert problems == []
    assert found is not None
    assert found.names == ("Theresa May", "Mrs May")
    assert found.parties == (PartySpan("Conservative", dt.date(1977, 1, 1), None),)
    assert (found.country, found.born, found.died) == (
        "United Kingdom",
        dt.date(1956, 10, 1),
        dt.date(2099, 1, 1),
    )
    assert found.roles == (
        Role("Prime Minister", dt.date(2016, 7, 13), dt.date(2019, 7, 24), ("the Prime Minister",)),
        Role("MP for Maidenhead", dt.date(1997, 5, 1), None),
    )
    assert found.links == (Link("Wikipedia", "https://en.wikipedia.org/wiki/Theresa_May"),)
    assert found.image == Image(
        "images/may.jpg",
        "Theresa May at a lectern",
        "A. Photographer",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )
    assert found.image.line == 21
    assert found.url_path == "people/theresa-may/"


def test_party_may_be_plain_text():
    found, problems = parse("people", person("party: Labour\n"))
    assert problems == []
    assert found is not None
    assert found.parties == (PartySpan("Labour"),)


@pytest.mark.parametrize("kind", ["organisation", "institution", "concept", "event", "place"])
def test_topic_kinds(kind):
    found, problems = parse("topics", topic("aliases: [T]\ndate: 2016-06-23\n", f"kind: {kind}\n"))
    assert problems == []
    assert found is not None
    assert (found.topic_kind, found.aliases, found.date) == (kind, ("T",), dt.date(2016, 6, 23))


def test_optional_field_left_empty_counts_as_absent():
    found, problems = parse("articles", story("people:\nupdated:\n"))
    assert problems == []
    assert found is not None
    assert (found.people, found.updated) == ((), None)


def test_role_may_end_on_the_day_it_starts():
    found, problems = parse(
        "people", person("roles:\n  - title: Acting\n    from: 2000-01-01\n    to: 2000-01-01\n")
    )
    assert problems == []
    assert found is not None


# --- Missing and unknown fields ------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "text", "missing"),
    [
        ("articles", "---\ndate: 2017-11-15\nsummary: s\n---\n", ["title"]),
        ("articles", "---\ntitle: t\nsummary: s\n---\n", ["date"]),
        ("articles", "---\ntitle: t\ndate: 2017-11-15\n---\n", ["summary"]),
        ("articles", "---\ndraft: true\n---\n", ["title", "date", "summary"]),
        ("people", "---\nsummary: s\n---\n", ["name"]),
        ("people", "---\nname: n\n---\n", ["summary"]),
        ("topics", "---\nname: n\nsummary: s\n---\n", ["kind"]),
        ("topics", "---\nkind: place\n---\n", ["name", "summary"]),
    ],
)
def test_missing_required_field_points_at_the_opening_line(collection, text, missing):
    found, problems = parse(collection, text)
    assert found is None
    path = f"content/{collection}/{SLUGS[collection]}.md"
    assert problems == [f"{path}:1: missing required field '{key}'" for key in missing]


@pytest.mark.parametrize(
    ("collection", "text", "message"),
    [
        ("articles", story("titel: x\n"), "5: unknown field 'titel' (did you mean 'title'?)"),
        ("articles", story("peopel: [a]\n"), "5: unknown field 'peopel' (did you mean 'people'?)"),
        ("people", person("alias: [x]\n"), "4: unknown field 'alias' (did you mean 'aliases'?)"),
        ("people", person("partie: Labour\n"), "4: unknown field 'partie' (did you mean 'party'?)"),
        ("topics", topic("alises: [x]\n"), "5: unknown field 'alises' (did you mean 'aliases'?)"),
        (
            "people",
            person("roles:\n  - title: PM\n    form: 2016-07-13\n"),
            "6: unknown field 'roles[0].form' (did you mean 'from'?)",
        ),
        (
            "articles",
            story("source:\n  nmae: BBC\n"),
            "6: unknown field 'source.nmae' (did you mean 'name'?)",
        ),
    ],
)
def test_unknown_field_suggests_the_nearest_valid_key(collection, text, message):
    found, problems = parse(collection, text)
    assert found is None
    assert f"content/{collection}/{SLUGS[collection]}.md:{message}" in problems


def test_unknown_field_with_no_near_key_lists_the_allowed_ones():
    found, problems = parse("articles", story("xyzzy: 1\n"))
    assert found is None
    assert len(problems) == 1
    prefix = "content/articles/story.md:5: unknown field 'xyzzy'; allowed fields are "
    assert problems[0].startswith(prefix)
    allowed = problems[0].removeprefix(prefix).split(", ")
    assert {
        "title",
        "date",
        "summary",
        "updated",
        "people",
        "topics",
        "source",
        "draft",
        "related_headlines",
        "extra",
    } <= set(allowed)


def test_role_missing_from_date():
    assert one_error("people", person("roles:\n  - title: PM\n")) == (
        "content/people/someone.md:5: missing required field 'from' in roles[0]"
    )


# --- Wrong types and bad dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "text", "message"),
    [
        (
            "articles",
            story().replace("title: A story", "title: 1984"),
            "2: title: expected text, got a number (1984); put it in quotes",
        ),
        (
            "articles",
            story().replace("title: A story", "title:"),
            "2: title: expected text, got nothing",
        ),
        ("articles", story().replace("title: A story", "title: ''"), "2: title: must not be empty"),
        (
            "articles",
            story("summary2: x\n").replace("summary2: x\n", "people: theresa-may\n"),
            "5: people: expected a list, got 'theresa-may'",
        ),
        ("articles", story("people: [a, a]\n"), "5: people[1]: 'a' is listed twice"),
        ("articles", story("draft: maybe\n"), "5: draft: expected true or false, got 'maybe'"),
        ("articles", story("draft: 'true'\n"), "5: draft: expected true or false, got 'true'"),
        (
            "articles",
            story("extra: 5\n"),
            "5: extra: expected a mapping of 'key: value' lines, got a number (5)",
        ),
        (
            "articles",
            story("source: BBC\n"),
            "5: source: expected a mapping of 'key: value' lines, got 'BBC'",
        ),
        (
            "articles",
            story("source:\n  url: bbc.co.uk\n"),
            "6: source.url: expected an http(s) URL like 'https://example.org/', got 'bbc.co.uk'",
        ),
        (
            "articles",
            story("related_headlines: Headline\n"),
            "5: related_headlines: expected a list, got 'Headline'",
        ),
        (
            "articles",
            story("related_headlines:\n  - title: H\n    url: ftp://x.org/\n"),
            "7: related_headlines[0].url: expected an http(s) URL like 'https://example.org/', got 'ftp://x.org/'",
        ),
        ("people", person("aliases: Mrs May\n"), "4: aliases: expected a list, got 'Mrs May'"),
        ("people", person("aliases: [May, May]\n"), "4: aliases[1]: 'May' is listed twice"),
        (
            "people",
            person("party: 5\n"),
            "4: party: expected text, got a number (5); put it in quotes",
        ),
        (
            "people",
            person("roles: Prime Minister\n"),
            "4: roles: expected a list, got 'Prime Minister'",
        ),
        (
            "people",
            person("roles:\n  - Prime Minister\n"),
            "5: roles[0]: expected a role with title and from, got 'Prime Minister'",
        ),
        (
            "people",
            person("links: [https://example.org/]\n"),
            "4: links: expected a mapping of 'key: value' lines, got a list",
        ),
        (
            "people",
            person("links:\n  Wikipedia: wikipedia.org\n"),
            "5: links.Wikipedia: expected an http(s) URL like 'https://example.org/', got 'wikipedia.org'",
        ),
        ("people", person("country: [UK]\n"), "4: country: expected text, got a list"),
        (
            "topics",
            topic("links: 3\n"),
            "5: links: expected a mapping of 'key: value' lines, got a number (3)",
        ),
    ],
)
def test_wrong_types(collection, text, message):
    assert one_error(collection, text) == f"content/{collection}/{SLUGS[collection]}.md:{message}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2016-13-01", "'2016-13-01'"),
        ("2017-02-30", "'2017-02-30'"),
        ("2017/11/15", "'2017/11/15' (did you mean 2017-11-15?)"),
        ("15 November 2017", "'15 November 2017' (did you mean 2017-11-15?)"),
        ("2017-11-15T10:00", "'2017-11-15T10:00' (did you mean 2017-11-15?)"),
        ("2017-1-5", "'2017-1-5' (did you mean 2017-01-05?)"),
        ("20171115", "a number (20171115) (did you mean 2017-11-15?)"),
        ("yes", "yes/true (a true/false value)"),
        # another format: day first, month first, words, a time of day
        ("22/07/2020", "'22/07/2020' (did you mean 2020-07-22?)"),
        ("07/22/2020", "'07/22/2020' (did you mean 2020-07-22?)"),
        ("22.07.2020", "'22.07.2020' (did you mean 2020-07-22?)"),
        ("22-07-20", "'22-07-20' (did you mean 2020-07-22?)"),
        ("2020/7/22", "'2020/7/22' (did you mean 2020-07-22?)"),
        ("22 July 2020", "'22 July 2020' (did you mean 2020-07-22?)"),
        ("22nd of July 2020", "'22nd of July 2020' (did you mean 2020-07-22?)"),
        ("'July 22, 2020'", "'July 22, 2020' (did you mean 2020-07-22?)"),
        ("'Wednesday, 22 Jul. 2020'", "'Wednesday, 22 Jul. 2020' (did you mean 2020-07-22?)"),
        ("Sept 3 2020", "'Sept 3 2020' (did you mean 2020-09-03?)"),
        ("2020-07-22 18:30:00+01:00", "'2020-07-22 18:30:00+01:00' (did you mean 2020-07-22?)"),
        # both readings are dates: both are offered, named
        (
            "07/08/2020",
            "'07/08/2020' (did you mean 2020-08-07 (7 August) or 2020-07-08 (8 July)?)",
        ),
        # no date in any format: no suggestion
        ("31/02/2020", "'31/02/2020'"),
        ("13/13/2020", "'13/13/2020'"),
        ("32 July 2020", "'32 July 2020'"),
        ("July 2020", "'July 2020'"),
        ("2020", "a number (2020)"),
        ("next Tuesday", "'next Tuesday'"),
    ],
)
def test_bad_article_date(value, shown):
    text = story().replace("date: 2017-11-15", f"date: {value}")
    assert one_error("articles", text) == (
        f"content/articles/story.md:3: date: expected a date like 2016-07-13, got {shown}"
    )


def test_bad_role_date_message_from_the_spec():
    text = MAY.replace("from: 2010-05-12", "from: 2016-13-01")
    found, problems = parse("people", text, "theresa-may")
    assert found is None
    assert problems == [
        "content/people/theresa-may.md:8: roles[0].from: expected a date like 2016-07-13, "
        "got '2016-13-01'"
    ]


@pytest.mark.parametrize("key", ["born", "died"])
def test_bad_person_dates(key):
    assert one_error("people", person(f"{key}: 1956-10-32\n")) == (
        f"content/people/someone.md:4: {key}: expected a date like 2016-07-13, got '1956-10-32'"
    )


def test_bad_topic_date():
    assert one_error("topics", topic("date: 2016\n")) == (
        "content/topics/thing.md:5: date: expected a date like 2016-07-13, got a number (2016)"
    )


def test_role_dates_reversed():
    text = MAY.replace("to: 2016-07-13", "to: 2009-01-01")
    found, problems = parse("people", text, "theresa-may")
    assert found is None
    assert problems == [
        "content/people/theresa-may.md:9: roles[0].to: role ends (2009-01-01) before it starts "
        "(2010-05-12); swap the dates"
    ]


def test_party_dates_reversed():
    text = person("party:\n  - name: Labour\n    from: 2010-01-01\n    to: 2009-01-01\n")
    assert one_error("people", text) == (
        "content/people/someone.md:7: party[0].to: membership ends (2009-01-01) before it "
        "starts (2010-01-01)"
    )


def test_died_before_born():
    # The field name is repeated ("died: died ..."); clumsy but exact.
    assert one_error("people", person("born: 1990-01-01\ndied: 1980-01-01\n")) == (
        "content/people/someone.md:5: died: died (1980-01-01) is before born (1990-01-01)"
    )


def test_updated_before_date():
    assert one_error("articles", story("updated: 2017-11-14\n")) == (
        "content/articles/story.md:5: updated: updated (2017-11-14) is before date (2017-11-15)"
    )


def test_topic_kind_must_be_one_of_the_five():
    assert one_error("topics", topic(kind="kind: organization\n")) == (
        "content/topics/thing.md:4: kind: expected one of organisation, institution, concept, "
        "event, place, got 'organization' (did you mean 'organisation'?)"
    )
    assert one_error("topics", topic(kind="kind: company\n")) == (
        "content/topics/thing.md:4: kind: expected one of organisation, institution, concept, "
        "event, place, got 'company'"
    )


def test_every_problem_in_one_file_is_reported():
    text = (
        "---\n"
        "titel: A story\n"  # 2
        "date: 2017-02-30\n"  # 3
        "summary: What happened.\n"  # 4
        "draft: maybe\n"  # 5
        "people: [a, a]\n"  # 6
        "---\n"
    )
    found, problems = parse("articles", text)
    assert found is None
    assert problems == [
        "content/articles/story.md:2: unknown field 'titel' (did you mean 'title'?)",
        "content/articles/story.md:1: missing required field 'title'",
        "content/articles/story.md:3: date: expected a date like 2016-07-13, got '2017-02-30'",
        "content/articles/story.md:6: people[1]: 'a' is listed twice",
        "content/articles/story.md:5: draft: expected true or false, got 'maybe'",
    ]


def test_every_bad_role_is_reported():
    text = person(
        "roles:\n"
        "  - title: A\n    from: 2016-13-01\n"  # 5, 6
        "  - title: B\n    from: 2010-01-01\n    to: 2009-01-01\n"  # 7, 8, 9
    )
    found, problems = parse("people", text)
    assert found is None
    assert problems == [
        "content/people/someone.md:6: roles[0].from: expected a date like 2016-07-13, got '2016-13-01'",
        "content/people/someone.md:9: roles[1].to: role ends (2009-01-01) before it starts "
        "(2010-01-01); swap the dates",
    ]


# --- Whole site: slugs that articles refer to ----------------------------------------------


def site_problems(files: dict[str, str]) -> tuple[Site, list[str]]:
    collector = Collector()
    site = parse_site(CONFIG, documents(files), collector)
    return site, [str(d) for d in collector.diagnostics]


def test_unknown_person_slug_suggests_the_closest():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(people=["theresa-may", "theresa-mya"]),
        }
    )
    assert problems == [
        "content/articles/story.md:5: people[1]: unknown person 'theresa-mya' (did you mean "
        "'theresa-may'?); add content/people/theresa-mya.md or fix the slug"
    ]


def test_unknown_person_slug_without_a_close_match():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(people=["winston-churchill"]),
        }
    )
    assert problems == [
        "content/articles/story.md:5: people[0]: unknown person 'winston-churchill'; "
        "add content/people/winston-churchill.md or fix the slug"
    ]


def test_unknown_person_slug_on_its_own_line_in_a_block_list():
    text = "---\ntitle: T\ndate: 2017-11-15\nsummary: S\npeople:\n  - theresa-may\n  - boris\n---\n"
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/story.md": text,
        }
    )
    assert problems == [
        "content/articles/story.md:7: people[1]: unknown person 'boris'; "
        "add content/people/boris.md or fix the slug"
    ]


def test_unknown_topic_slug():
    _, problems = site_problems({"content/articles/story.md": article(topics=["nato"])})
    assert problems == [
        "content/articles/story.md:5: topics[0]: unknown topic 'nato'; "
        "add content/topics/nato.md or fix the slug"
    ]


def test_slug_of_the_wrong_kind():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(people=["other"], topics=["theresa-may"]),
            "content/articles/other.md": article(),
        }
    )
    assert problems == [
        "content/articles/story.md:5: people[0]: 'other' is an article, not a person",
        "content/articles/story.md:6: topics[0]: 'theresa-may' is a person, not a topic",
    ]


def test_problems_in_several_files_are_all_reported():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY.replace("2010-05-12", "2016-13-01"),
            "content/people/boris-johnson.md": JOHNSON.replace("name:", "nmae:"),
            "content/articles/story.md": article(titel="x"),
        }
    )
    assert problems == [
        "content/articles/story.md:5: unknown field 'titel' (did you mean 'title'?)",
        "content/people/boris-johnson.md:2: unknown field 'nmae' (did you mean 'name'?)",
        "content/people/boris-johnson.md:1: missing required field 'name'",
        "content/people/theresa-may.md:8: roles[0].from: expected a date like 2016-07-13, "
        "got '2016-13-01'",
    ]


def test_unknown_slug_is_reported_alongside_other_problems_of_the_same_article():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(titel="x", people=["theresa-mya"]),
        }
    )
    assert problems == [
        "content/articles/story.md:5: unknown field 'titel' (did you mean 'title'?)",
        "content/articles/story.md:6: people[0]: unknown person 'theresa-mya' (did you mean "
        "'theresa-may'?); add content/people/theresa-mya.md or fix the slug",
    ]


def test_site_lists_are_sorted_for_stable_output():
    site, problems = site_problems(
        {
            "content/articles/b.md": article(title="Same day B", date="2017-11-15"),
            "content/articles/a.md": article(title="Same day A", date="2017-11-15"),
            "content/articles/c.md": article(title="Older", date="2016-01-01"),
            "content/articles/d.md": article(title="Newer", date="2018-01-01"),
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/theresa-may.md": MAY,
        }
    )
    assert problems == []
    assert [a.slug for a in site.articles] == ["d", "a", "b", "c"]
    assert [p.slug for p in site.people] == ["boris-johnson", "theresa-may"]


# --- Positions on a date (shown on article pages) ------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        ("2017-11-15", "Foreign Secretary"),
        ("2016-07-13", "Foreign Secretary"),
        ("2018-07-09", "Former Foreign Secretary"),
        ("2019-07-24", "Prime Minister"),
        ("2010-01-01", ""),
    ],
)
def test_role_held_on_a_date(day, label):
    found, _ = parse("people", JOHNSON, "boris-johnson")
    assert found is not None
    assert found.role_label_on(dt.date.fromisoformat(day)) == label


# --- Every field that takes a slug ---------------------------------------------------------

NATO = "---\nname: NATO\nsummary: An alliance.\nkind: organisation\naliases: [Nato]\n---\n"
BY_HINT = (
    "; a claim's 'by' is a person's or topic's slug, or words that name no page, with a "
    "space or a capital letter ('a new study')"
)


def claims_by(*speakers: str) -> str:
    claims = "".join(
        f"  - claim: Claim {i}.\n    status: asserted\n    by: {by}\n" for i, by in enumerate(speakers)
    )
    return f"---\ntitle: T\ndate: 2017-11-15\nsummary: S\nclaims:\n{claims}---\nBody.\n"


def test_claim_by_a_mistyped_slug_is_an_error_with_the_nearest():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/topics/nato.md": NATO,
            "content/articles/other.md": article(),
            "content/articles/story.md": claims_by(
                "theresa-mey", "natoo", "winston-churchill", "other", "nato-", "Theresa-May",
                "'[[theresa-may]]'", "'[[nato|the alliance]]'",
            ),
        }
    )
    assert problems == [
        "content/articles/story.md:8: claims[0].by: unknown person or topic 'theresa-mey' "
        "(did you mean 'theresa-may'?)" + BY_HINT,
        "content/articles/story.md:11: claims[1].by: unknown person or topic 'natoo' "
        "(did you mean 'nato'?)" + BY_HINT,
        "content/articles/story.md:14: claims[2].by: unknown person or topic "
        "'winston-churchill'" + BY_HINT,
        "content/articles/story.md:17: claims[3].by: 'other' is an article, not a person or "
        "topic" + BY_HINT,
        "content/articles/story.md:20: claims[4].by: unknown person or topic 'nato-' (did you "
        "mean 'nato'?); a slug is lowercase words joined by single hyphens" + BY_HINT,
        "content/articles/story.md:23: claims[5].by: unknown person or topic 'Theresa-May' (did "
        "you mean 'theresa-may'?); a slug is lowercase words joined by single hyphens" + BY_HINT,
        "content/articles/story.md:26: claims[6].by: write the slug alone, without [[ ]]: "
        "theresa-may" + BY_HINT,
        "content/articles/story.md:29: claims[7].by: write the slug alone, without [[ ]]: nato"
        + BY_HINT,
    ]


def test_claim_by_words_is_free_text_and_a_name_is_a_hint():
    site, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/topics/nato.md": NATO,
            "content/articles/story.md": claims_by(
                "theresa-may",
                "nato",
                "a new study",
                "officials",
                "Reuters",
                "The Labour Party",
                "Theresa May",
                "theresa  may",
                "Nato",
            ),
        }
    )
    assert [c.by for c in site.articles[0].claims][:6] == [
        "theresa-may",
        "nato",
        "a new study",
        "officials",
        "Reuters",
        "The Labour Party",
    ]
    assert problems == [
        "content/articles/story.md:26: warning: claims[6].by: 'Theresa May' is the name of "
        "theresa-may; write by: theresa-may to link the claim to their page",
        "content/articles/story.md:29: warning: claims[7].by: 'theresa  may' is the name of "
        "theresa-may; write by: theresa-may to link the claim to their page",
        "content/articles/story.md:32: warning: claims[8].by: 'Nato' is the name of nato; "
        "write by: nato to link the claim to their page",
    ]


def test_quote_by_a_name_a_topic_or_a_mistyped_slug():
    text = (
        "---\ntitle: T\ndate: 2017-11-15\nsummary: S\nquotes:\n"
        "  - by: Theresa May\n    text: a\n"
        "  - by: nato\n    text: b\n"
        "  - by: Theresa-May\n    text: c\n"
        "  - by: theresa-may\n    text: d\n"
        "  - by: '[[theresa-may]]'\n    text: e\n"
        "---\nBody a b c d e.\n"
    )
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/topics/nato.md": NATO,
            "content/articles/story.md": text,
        }
    )
    assert problems == [
        "content/articles/story.md:6: quotes[0].by: 'Theresa May' is the name of theresa-may: "
        "write the slug, theresa-may; a quote's 'by' is a person's slug",
        "content/articles/story.md:8: quotes[1].by: 'nato' is a topic, not a person; a quote's "
        "'by' is a person's slug",
        "content/articles/story.md:10: quotes[2].by: unknown person 'Theresa-May' (did you mean "
        "'theresa-may'?); a slug is lowercase words joined by single hyphens; a quote's 'by' "
        "is a person's slug",
        "content/articles/story.md:14: quotes[4].by: write the slug alone, without [[ ]]: "
        "theresa-may; a quote's 'by' is a person's slug",
    ]


def test_people_and_topics_written_as_names_or_with_capitals():
    _, problems = site_problems(
        {
            "content/people/theresa-may.md": MAY,
            "content/topics/nato.md": NATO,
            "content/articles/story.md": article(
                people=["Theresa May", "Theresa-May"], topics=["NATO", "Theresa May"]
            ),
        }
    )
    assert problems == [
        "content/articles/story.md:5: people[0]: 'Theresa May' is the name of theresa-may: "
        "write the slug, theresa-may",
        "content/articles/story.md:5: people[1]: unknown person 'Theresa-May' (did you mean "
        "'theresa-may'?); a slug is lowercase words joined by single hyphens",
        "content/articles/story.md:6: topics[0]: 'NATO' is the name of nato: write the slug, nato",
        "content/articles/story.md:6: topics[1]: unknown topic 'Theresa May'; a slug is "
        "lowercase words joined by single hyphens",
    ]


def test_a_file_not_read_for_its_name_is_named_instead_of_asking_for_a_new_one():
    collector = Collector()
    docs = documents(
        {
            "content/articles/story.md": article(
                people=["theresa-may", "boris-johnson"], topics=["nato", "kremlin"]
            ),
        }
    )
    ignored = {
        "kremlin": ("", Path("content/Topics/kremlin.md")),
        "theresa-may": ("people", Path("content/people/Theresa-May.MD")),
        "boris-johnson": ("topics", Path("content/topics/boris-johnson.txt")),
        "nato": ("", Path("content/nato.md")),
    }
    parse_site(CONFIG, docs, collector, ignored=ignored)
    assert [str(d) for d in collector.diagnostics] == [
        "content/articles/story.md:5: people[0]: unknown person 'theresa-may'; "
        "content/people/Theresa-May.MD is not read because of its name: rename it to "
        "theresa-may.md",
        "content/articles/story.md:5: people[1]: unknown person 'boris-johnson'; "
        "content/topics/boris-johnson.txt is not read because of its name: rename it to "
        "boris-johnson.md and move it into content/people/",
        "content/articles/story.md:6: topics[0]: unknown topic 'nato'; content/nato.md is not "
        "read because of where it is: move it into content/topics/",
        "content/articles/story.md:6: topics[1]: unknown topic 'kremlin'; "
        "content/Topics/kremlin.md is not read because of where it is: move it into "
        "content/topics/",
    ]


@pytest.mark.parametrize(
    "summary",
    [
        '"One line: who this person is."',
        '"one line:  who this person is"',
        '"One line: who this person is…"',
    ],
)
def test_example_text_from_new_is_refused_however_it_was_touched(summary):
    _, problems = site_problems(
        {"content/people/someone.md": f"---\nname: Someone\nsummary: {summary}\n---\n"}
    )
    assert problems == [
        "content/people/someone.md:3: summary: this is the example text that build.py new "
        "wrote; replace it with your own before publishing"
    ]


def test_example_text_is_allowed_in_a_draft_and_text_of_ones_own_anywhere():
    _, problems = site_problems(
        {
            "content/people/someone.md": "---\nname: Someone\nsummary: \"One line: a lawyer.\"\n---\n",
            "content/articles/story.md": article(
                summary='"One sentence: what this story is about."', draft="true"
            ),
        }
    )
    assert problems == []
