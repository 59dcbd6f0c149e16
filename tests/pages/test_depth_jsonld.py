"""JSON-LD on person, topic and article pages; card data and scripts across a richer site."""

from __future__ import annotations

import json

import pytest
from conftest import (
    MAY,
    assert_card_data,
    assert_no_inline_script,
    cards_of,
    html_pages,
    lay_out,
    parse_html,
    prose_of,
)

BASE = "https://example.org/news/"

MAY_WITH_LINKS = MAY.replace(
    "---\nTheresa May led",
    "links:\n"
    "  Wikipedia: https://en.wikipedia.org/wiki/Theresa_May\n"
    "  Parliament: https://members.parliament.uk/member/8\n"
    "---\nTheresa May led",
).replace("Theresa May led the government.", "Theresa May led the government; see [[nato]].")

CORBYN = """\
---
name: Jeremy Corbyn
summary: Labour leader from 2015 to 2020.
roles:
  - title: Member of Parliament for Islington North
    from: 1983-06-09
  - title: Leader of the Labour Party
    from: 2015-09-12
    to: 2020-04-04
links:
  Wikipedia: https://en.wikipedia.org/wiki/Jeremy_Corbyn
---
## In their words

He gives many speeches.
"""

TOPICS = {
    "nato": ("organisation", "North Atlantic Treaty Organization", "", "[NATO]"),
    "mod": ("institution", "Ministry of Defence", "", "[MoD]"),
    "populism": ("concept", "Populism", "", "[]"),
    "brexit-vote": ("event", "EU referendum", "2016-06-23", "[the Brexit referendum]"),
    "downing-street": ("place", "Downing Street", "", "[]"),
}
TYPES = {
    "organisation": "Organization",
    "institution": "Organization",
    "concept": "Thing",
    "event": "Event",
    "place": "Place",
}


def topic_file(kind, name, date, aliases):
    lines = [
        "---",
        f"name: {name}",
        f"summary: About {name}.",
        f"kind: {kind}",
        f"aliases: {aliases}",
    ]
    if date:
        lines.append(f"date: {date}")
    lines.append("links:")
    lines.append(f"  Wikipedia: https://en.wikipedia.org/wiki/{name.replace(' ', '_')}")
    lines.append("---")
    return "\n".join(lines) + "\n## Appears in\n\nSee [[theresa-may]].\n"


STORY = """\
---
title: "Alliance \\"talks\\" & more"
date: 2017-11-15
summary: What happened.
people: [theresa-may]
topics: [nato, populism]
quotes:
  - by: jeremy-corbyn
    text: talks must go on
claims:
  - claim: NATO is obsolete.
    by: jeremy-corbyn
    status: disputed
  - claim: Populism is rising.
    by: a new study
    status: unverified
---
Theresa May met NATO leaders at the MoD. Jeremy Corbyn said talks must go on.
"""

HEADINGS = """\
---
title: Headings
date: 2018-02-03
summary: A body whose headings share names with the page's boxes.
topics: [nato]
quotes:
  - by: jeremy-corbyn
    text: we must talk
claims:
  - claim: Talking works.
    by: jeremy-corbyn
    status: asserted
---
## Background

NATO met.

## Claims

Jeremy Corbyn said we must talk.

## Quotes

More.
"""

PLAIN = """\
---
title: Plain
date: 2018-01-02
summary: Nothing in it.
---
Nobody is named here.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    files = {
        "content/people/theresa-may.md": MAY_WITH_LINKS,
        "content/people/jeremy-corbyn.md": CORBYN,
        "content/articles/story.md": STORY,
        "content/articles/plain.md": PLAIN,
        "content/articles/headings.md": HEADINGS,
    }
    for slug, spec in TOPICS.items():
        files[f"content/topics/{slug}.md"] = topic_file(*spec)
    project = lay_out(tmp_path_factory.mktemp("jsonld") / "project", files)
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def ld_of(project, url_path):
    page = parse_html(project.page(url_path))
    blocks = page.find_all("script", type="application/ld+json")
    assert len(blocks) == 1, url_path
    data = json.loads(blocks[0].raw_text)
    assert data["@context"] in ("https://schema.org", "https://schema.org/", "http://schema.org")
    return data


def test_every_person_topic_and_article_page_has_json_ld(site):
    expected_types = {"people/": "Person", "articles/": "NewsArticle"}
    pages = 0
    for url_path, _ in html_pages(site):
        parts = url_path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in ("people", "topics", "articles"):
            continue
        pages += 1
        data = ld_of(site, url_path)
        if parts[0] == "topics":
            assert data["@type"] == TYPES[TOPICS[parts[1]][0]]
        else:
            assert data["@type"] == expected_types[parts[0] + "/"]
    assert pages == 2 + len(TOPICS) + 3


def test_person_json_ld(site):
    data = ld_of(site, "people/theresa-may/")
    assert data["@type"] == "Person"
    assert data["name"] == "Theresa May"
    assert data["url"] == BASE + "people/theresa-may/"
    assert data["jobTitle"] in ("Home Secretary", "Prime Minister")
    assert data["sameAs"] == [
        "https://en.wikipedia.org/wiki/Theresa_May",
        "https://members.parliament.uk/member/8",
    ]


def test_person_json_ld_job_title_is_the_current_role(site):
    data = ld_of(site, "people/jeremy-corbyn/")
    assert data["jobTitle"] == "Member of Parliament for Islington North"
    assert data["sameAs"] == ["https://en.wikipedia.org/wiki/Jeremy_Corbyn"]


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_topic_json_ld(site, slug):
    kind, name, date, _ = TOPICS[slug]
    data = ld_of(site, f"topics/{slug}/")
    assert data["@type"] == TYPES[kind]
    assert data["name"] == name
    assert data["url"] == BASE + f"topics/{slug}/"
    assert data["sameAs"] == [f"https://en.wikipedia.org/wiki/{name.replace(' ', '_')}"]
    if kind == "event":
        assert data["startDate"] == date
    else:
        assert "startDate" not in data


def test_article_json_ld(site):
    data = ld_of(site, "articles/story/")
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == 'Alliance "talks" & more'
    assert data["datePublished"] == "2017-11-15"
    mentions = {m["url"]: m for m in data["mentions"]}
    assert set(mentions) == {
        BASE + "people/theresa-may/",
        BASE + "people/jeremy-corbyn/",
        BASE + "topics/nato/",
        BASE + "topics/mod/",
        BASE + "topics/populism/",
    }
    assert mentions[BASE + "people/theresa-may/"] == {
        "@type": "Person",
        "name": "Theresa May",
        "url": BASE + "people/theresa-may/",
    }
    assert mentions[BASE + "topics/mod/"]["@type"] == "Organization"
    assert mentions[BASE + "topics/populism/"]["@type"] == "Thing"
    about = [(a["@type"], a["name"], a["url"]) for a in data["about"]]
    assert about == [
        ("Organization", "North Atlantic Treaty Organization", BASE + "topics/nato/"),
        ("Thing", "Populism", BASE + "topics/populism/"),
    ]


def test_article_json_ld_claims(site):
    data = ld_of(site, "articles/story/")
    claims = [p for p in data["hasPart"] if p["@type"] == "Claim"]
    assert [c["text"] for c in claims] == ["NATO is obsolete.", "Populism is rising."]
    assert claims[0]["author"] == {
        "@type": "Person",
        "name": "Jeremy Corbyn",
        "url": BASE + "people/jeremy-corbyn/",
    }
    assert claims[1]["author"] == {"@type": "Thing", "name": "a new study"}


def test_article_without_mentions_has_valid_json_ld(site):
    data = ld_of(site, "articles/plain/")
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Plain"
    assert data["datePublished"] == "2018-01-02"
    assert not data.get("mentions")
    assert not data.get("about")


def test_topics_index_has_a_heading_for_every_kind(site):
    main = parse_html(site.page("topics/")).one("main")
    headings = [s.one("h2").text for s in main.find_all("section")]
    assert sorted(headings) == sorted(
        ["Organisations", "Institutions", "Concepts", "Events", "Places"]
    )


def test_claim_about_a_topic_is_listed_for_the_topic(site):
    main = parse_html(site.page("claims/")).one("main")
    about = main.one("section", id="by-nato")
    assert [p.text for p in about.find_all("p", cls="claim-text")] == ["NATO is obsolete."]
    by = main.one("section", id="by-jeremy-corbyn")
    assert sorted(p.text for p in by.find_all("p", cls="claim-text")) == [
        "NATO is obsolete.",
        "Talking works.",
    ]
    topic = parse_html(site.page("topics/nato/")).one("section", cls="claims")
    assert [p.text for p in topic.find_all("p", cls="claim-text")] == ["NATO is obsolete."]
    assert main.find("section", id="by-populism") is not None  # 'Populism is rising.'


def test_element_ids_are_unique_on_every_page(site):
    # Pages whose bodies have no headings: the template's own ids do not clash.
    for url_path in ("articles/story/", "people/theresa-may/", "claims/", "topics/", "timeline/"):
        ids = [el.get("id") for el in parse_html(site.page(url_path)).iter() if el.get("id")]
        assert len(ids) == len(set(ids)), url_path


@pytest.mark.parametrize(
    "url_path", ["articles/headings/", "people/jeremy-corbyn/", "topics/nato/"]
)
def test_body_headings_do_not_clash_with_box_ids(site, url_path):
    ids = [el.get("id") for el in parse_html(site.page(url_path)).iter() if el.get("id")]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


def test_card_data_on_every_page_of_a_rich_site(site):
    checked = assert_card_data(site)
    # Person and topic bodies with [[refs]], quotes and claims all link people and topics.
    assert {
        "articles/story/",
        "people/theresa-may/",
        "people/jeremy-corbyn/",
        "topics/nato/",
        "claims/",
    } <= checked


def test_no_inline_script_on_a_rich_site(site):
    for url_path, html in html_pages(site):
        assert_no_inline_script(url_path, html)


def test_data_blocks_cannot_break_out_of_their_scripts(tmp_path):
    evil = "Ends </script><script>alert(1)</script> & <!-- here"
    project = lay_out(
        tmp_path / "p",
        {
            "content/topics/nato.md": (
                f"---\nname: {json.dumps(evil)}\nsummary: {json.dumps(evil)}\n"
                "kind: organisation\naliases: [NATO]\n---\n"
            ),
            "content/people/someone.md": (
                f"---\nname: Some One\nsummary: {json.dumps(evil)}\n---\n"
            ),
            "content/articles/story.md": (
                f"---\ntitle: {json.dumps(evil)}\ndate: 2017-11-15\nsummary: S.\n"
                "topics: [nato]\npeople: [someone]\n---\nNATO met Some One.\n"
            ),
        },
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert ld_of(project, "topics/nato/")["name"] == evil
    assert ld_of(project, "people/someone/")["description"] == evil
    assert ld_of(project, "articles/story/")["headline"] == evil
    html = project.page("articles/story/")
    cards = cards_of(parse_html(html))
    assert cards["nato"]["name"] == evil
    assert cards["someone"]["summary"] == evil
    titles = {a.get("data-ref"): a.get("title") for a in parse_html(prose_of(html)).find_all("a")}
    assert titles == {"nato": evil, "someone": evil}
    for url_path, page_html in html_pages(project):
        assert_no_inline_script(url_path, page_html)


def test_an_article_is_described_with_the_picture_it_is_shared_with(site):
    """Search engines get the same picture as social sites: here the drawn card."""
    for url_path, html in html_pages(site):
        if not url_path.startswith("articles/") or url_path == "articles/":
            continue
        page = parse_html(html)
        og = {
            m.attrs["property"]: m.attrs["content"]
            for m in page.all("meta")
            if "property" in m.attrs
        }
        image = ld_of(site, url_path)["image"]
        assert image["@type"] == "ImageObject"
        assert image["url"] == og["og:image"] and image["url"].startswith(BASE)
        assert (image["width"], image["height"]) == (1200, 630)
        assert image["caption"] == og["og:image:alt"]
