"""End to end on the real content: the seed article's quotes, claims and topics."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import (
    ROOT,
    Project,
    assert_card_data,
    assert_no_inline_script,
    html_pages,
    parse_html,
    prose_of,
    resolve_href,
)

ARTICLE = "articles/corbyn-russia-evidence/"
TOPICS = (
    "nato",
    "labour-party",
    "intelligence-and-security-committee",
    "kremlin",
    "eu-referendum-2016",
    "twitter",
    "ministry-of-defence",
    "prime-ministers-questions",
)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Build the real project (read-only) into a temporary output folder."""
    out = tmp_path_factory.mktemp("real") / "site"
    result = subprocess.run(
        [sys.executable, "build.py", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Project(out)  # the output folder itself: pages are read with out=""


def page(real, url_path):
    return real.page(url_path, out="")


def test_seed_article_shows_its_quotes(real):
    doc = parse_html(page(real, ARTICLE))
    section = doc.one("section", cls="quotes")
    quotes = section.find_all("blockquote")
    assert len(quotes) == 5
    speakers = [resolve_href(ARTICLE, q.get("cite")) for q in quotes]
    assert speakers == ["people/jeremy-corbyn/index.html"] * 4 + ["people/theresa-may/index.html"]
    assert quotes[-1].text == "undermine our institutions"
    assert "via his spokesman" in quotes[0].parent.one("figcaption").text


def test_seed_article_shows_its_claims(real):
    doc = parse_html(page(real, ARTICLE))
    section = doc.one("section", cls="claims")
    assert section.one("h2").text == "Claims in this story"
    claims = section.find_all("li", cls="claim")
    assert len(claims) == 5
    statuses = [
        [c[len("status-") :] for c in li.classes if c.startswith("status-")] for li in claims
    ]
    assert statuses == [["asserted"], ["asserted"], ["unverified"], ["disputed"], ["asserted"]]
    assert [li.one(cls="status").text for li in claims] == [
        "Asserted",
        "Asserted",
        "Unverified",
        "Disputed",
        "Asserted",
    ]


@pytest.mark.parametrize("slug,count", [("jeremy-corbyn", 4), ("theresa-may", 1)])
def test_quoted_people_have_in_their_words(real, slug, count):
    article = parse_html(page(real, ARTICLE)).one("section", cls="quotes")
    theirs = [
        q.text
        for q in article.find_all("blockquote")
        if resolve_href(ARTICLE, q.get("cite")) == f"people/{slug}/index.html"
    ]
    assert len(theirs) == count
    url_path = f"people/{slug}/"
    doc = parse_html(page(real, url_path))
    headings = [h for h in doc.find_all("h2") if h.text == "In their words"]
    assert len(headings) == 1
    section = headings[0].parent
    figures = section.find_all("figure")
    assert [f.one("blockquote").text for f in figures] == theirs
    for figure in figures:
        caption = figure.one("figcaption")
        targets = [resolve_href(url_path, a.get("href")) for a in caption.find_all("a")]
        assert "articles/corbyn-russia-evidence/index.html" in targets
        assert caption.one("time").get("datetime") == "2017-11-15"


def test_seed_article_links_its_topics(real):
    body = parse_html(prose_of(page(real, ARTICLE)))
    linked = {
        a.get("data-ref"): resolve_href(ARTICLE, a.get("href"))
        for a in body.find_all("a")
        if a.get("data-ref")
    }
    for slug in TOPICS:
        assert linked.get(slug) == f"topics/{slug}/index.html", slug


def test_seed_article_nato_is_an_abbreviation(real):
    body = parse_html(prose_of(page(real, ARTICLE)))
    nato = body.one("a", data_ref="nato")
    assert nato.one("abbr").get("title") == "North Atlantic Treaty Organization"
    labour = body.one("a", data_ref="labour-party")
    assert labour.find("abbr") is None


@pytest.mark.parametrize("slug", TOPICS)
def test_each_topic_page_links_back(real, slug):
    url_path = f"topics/{slug}/"
    doc = parse_html(page(real, url_path))
    appears = doc.one(id="appears-in")
    items = [
        li
        for li in appears.find_all("li")
        if any(
            resolve_href(url_path, a.get("href")) == "articles/corbyn-russia-evidence/index.html"
            for a in li.find_all("a")
        )
    ]
    assert len(items) == 1
    li = items[0]
    rest = li.text
    for part in (li.one("a").text, li.one("time").text):
        rest = rest.replace(part, "", 1)
    assert len(rest.strip()) > 20, "the entry shows an excerpt"


def test_seed_article_background_box(real):
    doc = parse_html(page(real, ARTICLE))
    box = doc.one("section", cls="background")
    listed = {a.get("data-ref") for a in box.find_all("a")}
    assert set(TOPICS) <= listed


def test_real_claims_page(real):
    main = parse_html(page(real, "claims/")).one("main")
    ids = {s.get("id") for s in main.find_all("section")}
    assert {"status-asserted", "status-disputed", "status-unverified"} <= ids
    assert {"by-theresa-may", "by-jeremy-corbyn", "by-boris-johnson", "by-labour-party"} <= ids
    assert "status-denied" not in ids


def test_real_site_card_data_and_scripts(real):
    checked = assert_card_data(real, out="")
    assert ARTICLE in checked
    for url_path, html in html_pages(real, out=""):
        assert_no_inline_script(url_path, html)
