"""Quotes checked against the article body, and claims with their status and evidence."""

from __future__ import annotations

import json

import pytest
from conftest import (
    JOHNSON,
    MAY,
    assert_card_data,
    assert_no_inline_script,
    html_pages,
    lay_out,
    parse_html,
    resolve_href,
)

LABOUR = """\
---
name: Labour Party
summary: British centre-left political party.
kind: organisation
aliases: [Labour]
---
"""

# Quote texts differ from the body in whitespace, quote marks, apostrophes and elisions.
SPEECH = """\
---
title: The speech
date: 2017-11-15
summary: What was said.
people: [theresa-may, boris-johnson]
topics: [labour-party]
quotes:
  - by: theresa-may
    text: "we’re ready to deliver"
    via: a spokesman
    context: at the dispatch box
  - by: theresa-may
    text: "Brexit means Brexit … make a success of it"
  - by: boris-johnson
    text: '"Strong and stable"... is a slogan'
  - by: theresa-may
    text: "We will not   be
      deflected"
claims:
  - claim: The Prime Minister misled Parliament.
    by: boris-johnson
    status: disputed
    evidence:
      - label: Hansard record
        url: https://hansard.parliament.uk/
      - A plain label
    note: He later withdrew the remark.
  - claim: Labour will win the next election.
    by: labour-party
    status: asserted
  - claim: Some 150,000 fake accounts were used.
    by: a new study
    status: unverified
  - claim: The speech was written by a robot.
    status: "false"
---
Theresa May said we're
ready to deliver. She added: “Brexit means Brexit, and we will make a success of it.”

Boris Johnson replied that “Strong and stable” is a slogan, not a plan.

She said: "We will not be deflected".
"""

LATER = """\
---
title: The resignation
date: 2019-05-24
summary: She resigned.
people: [theresa-may]
quotes:
  - by: theresa-may
    text: the honour of my life
    via: a statement
claims:
  - claim: Theresa May will resign.
    by: a reporter
    status: supported
---
Theresa May said it had been the honour of my life to serve.
"""

EARLIER = """\
---
title: The campaign
date: 2016-07-01
summary: She campaigned.
quotes:
  - by: theresa-may
    text: a country that works for everyone
  - by: theresa-may
    text: "the country's future"
---
Theresa May promised a country that works for everyone and spoke of the country’s future.
"""

DRAFT = """\
---
title: The draft
date: 2020-01-01
summary: Not yet.
draft: true
quotes:
  - by: theresa-may
    text: not published yet
claims:
  - claim: Theresa May denied everything.
    by: boris-johnson
    status: denied
---
Theresa May said this is not published yet.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = lay_out(
        tmp_path_factory.mktemp("quotes") / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/topics/labour-party.md": LABOUR,
            "content/articles/speech.md": SPEECH,
            "content/articles/later.md": LATER,
            "content/articles/earlier.md": EARLIER,
            "content/articles/draft.md": DRAFT,
            "content/people/alex-example.md": "---\nname: Alex Example\nsummary: Says nothing.\n---\n",
        },
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


# --- Quotes -------------------------------------------------------------------------------


def test_quotes_match_despite_whitespace_quote_marks_and_elisions(site):
    # The fixture's build succeeded, so every quote above was found in its body.
    page = parse_html(site.page("articles/speech/"))
    section = page.one("section", cls="quotes")
    texts = [b.text for b in section.find_all("blockquote")]
    assert texts == [
        "we’re ready to deliver",
        "Brexit means Brexit … make a success of it",
        '"Strong and stable"... is a slogan',
        "We will not be deflected",
    ]


def test_article_quotes_cite_the_speaker_and_show_attribution(site):
    page = parse_html(site.page("articles/speech/"))
    section = page.one("section", cls="quotes")
    quotes = section.find_all("blockquote")
    speakers = ["theresa-may", "theresa-may", "boris-johnson", "theresa-may"]
    names = {"theresa-may": "Theresa May", "boris-johnson": "Boris Johnson"}
    for blockquote, slug in zip(quotes, speakers, strict=True):
        assert (
            resolve_href("articles/speech/", blockquote.get("cite")) == f"people/{slug}/index.html"
        )
        figure = blockquote.parent
        caption = figure.one("figcaption")
        assert names[slug] in caption.text
        link = caption.find("a", data_ref=slug)
        assert link is not None
        assert resolve_href("articles/speech/", link.get("href")) == f"people/{slug}/index.html"
    first_caption = quotes[0].parent.one("figcaption").text
    assert "via a spokesman" in first_caption
    assert "at the dispatch box" in first_caption
    assert "via" not in quotes[1].parent.one("figcaption").text


def test_person_page_lists_their_quotes_newest_first(site):
    page = parse_html(site.page("people/theresa-may/"))
    heading = [h for h in page.find_all("h2") if h.text == "In their words"]
    assert len(heading) == 1
    section = heading[0].parent
    assert section.tag == "section"
    figures = section.find_all("figure")
    got = []
    for figure in figures:
        caption = figure.one("figcaption")
        article_links = [
            resolve_href("people/theresa-may/", a.get("href"))
            for a in caption.find_all("a")
            if "articles/" in a.get("href")
        ]
        got.append(
            (figure.one("blockquote").text, article_links, caption.one("time").get("datetime"))
        )
    assert got == [
        ("the honour of my life", ["articles/later/index.html"], "2019-05-24"),
        ("we’re ready to deliver", ["articles/speech/index.html"], "2017-11-15"),
        (
            "Brexit means Brexit … make a success of it",
            ["articles/speech/index.html"],
            "2017-11-15",
        ),
        ("We will not be deflected", ["articles/speech/index.html"], "2017-11-15"),
        ("a country that works for everyone", ["articles/earlier/index.html"], "2016-07-01"),
        ("the country's future", ["articles/earlier/index.html"], "2016-07-01"),
    ]
    captions = [f.one("figcaption").text for f in figures]
    assert "via a statement" in captions[0]
    assert "via a spokesman" in captions[1]
    assert "Boris Johnson" not in section.text


def test_quote_and_claim_links_carry_card_data(site):
    checked = assert_card_data(site)
    assert {
        "articles/speech/",
        "people/theresa-may/",
        "people/boris-johnson/",
        "topics/labour-party/",
        "claims/",
    } <= checked
    for url_path, html in html_pages(site):
        assert_no_inline_script(url_path, html)


def test_draft_quotes_and_claims_stay_unpublished(site):
    assert not (site.root / "_site/articles/draft").exists()
    for url_path in ("people/theresa-may/", "people/boris-johnson/", "claims/"):
        html = site.page(url_path)
        assert "not published yet" not in html, url_path
        assert "denied everything" not in html, url_path
    assert "The draft" not in parse_html(site.page("timeline/")).one("main").text


def test_person_without_quotes_has_no_in_their_words(site):
    assert "In their words" not in site.page("people/alex-example/")


# --- Quote errors -------------------------------------------------------------------------

BAD_QUOTES = """\
---
title: Bad quotes
date: 2017-11-15
summary: Misquoted.
quotes:
  - by: theresa-may
    text: strong and stable
  - by: theresa-may
    via: her spokesman
    text: weak and wobbly
  - by: theresa-may
    text: stable … strong
  - by: theresa-may
    text: STRONG AND STABLE
  - by: theresa-may
    text: only in the summary
---
She promised strong and stable government.
"""

SUMMARY_ONLY = """\
---
title: Summary only
date: 2017-11-15
summary: only in the summary
quotes:
  - by: theresa-may
    text: only in the summary
---
The body says something else.
"""


@pytest.fixture(scope="module")
def bad_quotes(tmp_path_factory):
    project = lay_out(
        tmp_path_factory.mktemp("badquotes") / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/bad-quotes.md": BAD_QUOTES,
            "content/articles/summary-only.md": SUMMARY_ONLY,
        },
    )
    return project.build()


def quote_error(path, line, index):
    return (
        f"{path}:{line}: quotes[{index}].text: these words are not in the article body; "
        "copy them exactly (use … where you leave words out)"
    )


def test_misquote_fails_the_build_with_exit_1(bad_quotes):
    assert bad_quotes.returncode == 1
    assert "Traceback" not in bad_quotes.stderr


def test_misquote_error_points_at_the_text_line(bad_quotes):
    lines = bad_quotes.stderr.splitlines()
    assert quote_error("content/articles/bad-quotes.md", 10, 1) in lines
    assert quote_error("content/articles/bad-quotes.md", 7, 0) not in lines


def test_elided_words_must_keep_their_order(bad_quotes):
    assert quote_error("content/articles/bad-quotes.md", 12, 2) in bad_quotes.stderr.splitlines()


def test_quote_case_must_match(bad_quotes):
    assert quote_error("content/articles/bad-quotes.md", 14, 3) in bad_quotes.stderr.splitlines()


def test_words_only_in_front_matter_are_not_in_the_body(bad_quotes):
    lines = bad_quotes.stderr.splitlines()
    assert quote_error("content/articles/bad-quotes.md", 16, 4) in lines
    assert quote_error("content/articles/summary-only.md", 7, 0) in lines


# --- Claims -------------------------------------------------------------------------------


def claim_items(section):
    return {li.one("p", cls="claim-text").text: li for li in section.find_all("li", cls="claim")}


def test_article_claims_section_shows_status_as_text_and_class(site):
    page = parse_html(site.page("articles/speech/"))
    section = page.one("section", cls="claims")
    assert section.one("h2").text == "Claims in this story"
    items = claim_items(section)
    assert list(items) == [
        "The Prime Minister misled Parliament.",
        "Labour will win the next election.",
        "Some 150,000 fake accounts were used.",
        "The speech was written by a robot.",
    ]
    expected = {
        "The Prime Minister misled Parliament.": ("disputed", "Disputed"),
        "Labour will win the next election.": ("asserted", "Asserted"),
        "Some 150,000 fake accounts were used.": ("unverified", "Unverified"),
        "The speech was written by a robot.": ("false", "False"),
    }
    for text, (status, label) in expected.items():
        li = items[text]
        assert f"status-{status}" in li.classes
        assert li.one(cls="status").text == label


def test_article_claims_show_speaker_evidence_and_note(site):
    page = parse_html(site.page("articles/speech/"))
    items = claim_items(page.one("section", cls="claims"))
    disputed = items["The Prime Minister misled Parliament."]
    by = disputed.one(cls="by")
    link = by.one("a")
    assert link.text == "Boris Johnson"
    assert resolve_href("articles/speech/", link.get("href")) == "people/boris-johnson/index.html"
    evidence = disputed.one(cls="evidence")
    entries = evidence.find_all("li")
    texts = [e.text for e in entries]
    assert len(texts) == 2
    assert texts[0].startswith("Hansard record")
    assert texts[1] == "A plain label"
    assert entries[0].one("a").get("href") == "https://hansard.parliament.uk/"
    assert entries[1].find("a") is None
    assert "He later withdrew the remark." in disputed.text
    labour = items["Labour will win the next election."].one(cls="by").one("a")
    assert resolve_href("articles/speech/", labour.get("href")) == "topics/labour-party/index.html"
    study = items["Some 150,000 fake accounts were used."].one(cls="by")
    assert study.text == "by a new study"
    assert study.find("a") is None


def test_supported_status_is_shown(site):
    page = parse_html(site.page("articles/later/"))
    li = page.one("section", cls="claims").one("li", cls="claim")
    assert "status-supported" in li.classes
    assert li.one(cls="status").text.startswith("Supported")


def test_claims_page_has_a_section_per_status_present(site):
    page = parse_html(site.page("claims/"))
    main = page.one("main")
    ids = [s.get("id") for s in main.find_all("section") if s.get("id", "").startswith("status-")]
    assert sorted(ids) == sorted(
        [
            "status-disputed",
            "status-asserted",
            "status-unverified",
            "status-false",
            "status-supported",
        ]
    )
    assert main.find(id="status-denied") is None
    disputed = claim_items(main.one("section", id="status-disputed"))
    assert list(disputed) == ["The Prime Minister misled Parliament."]
    supported = claim_items(main.one("section", id="status-supported"))
    assert list(supported) == ["Theresa May will resign."]


def test_claims_page_has_a_section_per_person_and_topic_by_or_about(site):
    main = parse_html(site.page("claims/")).one("main")
    ids = {s.get("id") for s in main.find_all("section") if s.get("id", "").startswith("by-")}
    assert ids == {"by-boris-johnson", "by-theresa-may", "by-labour-party"}
    by = {i: sorted(claim_items(main.one("section", id=i))) for i in ids}
    assert by["by-boris-johnson"] == ["The Prime Minister misled Parliament."]
    # 'The Prime Minister' names Theresa May on the 2017 article's date: the claim is about her.
    assert by["by-theresa-may"] == [
        "The Prime Minister misled Parliament.",
        "Theresa May will resign.",
    ]
    assert by["by-labour-party"] == ["Labour will win the next election."]
    for section_id in ids:
        section = main.one("section", id=section_id)
        for li in section.find_all("li", cls="claim"):
            where = [a for a in li.find_all("a") if "articles/" in a.get("href")]
            assert where, "each claim on /claims/ links to its article"


def test_person_and_topic_pages_list_claims_by_or_about_them(site):
    def claims_on(url_path):
        page = parse_html(site.page(url_path))
        section = page.find("section", cls="claims")
        return sorted(claim_items(section)) if section else []

    assert claims_on("people/boris-johnson/") == ["The Prime Minister misled Parliament."]
    assert claims_on("people/theresa-may/") == [
        "The Prime Minister misled Parliament.",
        "Theresa May will resign.",
    ]
    assert claims_on("topics/labour-party/") == ["Labour will win the next election."]


def test_claims_appear_in_article_json_ld(site):
    html = site.page("articles/speech/")
    page = parse_html(html)
    blocks = [json.loads(s.raw_text) for s in page.find_all("script", type="application/ld+json")]
    assert len(blocks) == 1
    parts = [p for p in blocks[0]["hasPart"] if p["@type"] == "Claim"]
    by_text = {p["text"]: p for p in parts}
    assert set(by_text) == {
        "The Prime Minister misled Parliament.",
        "Labour will win the next election.",
        "Some 150,000 fake accounts were used.",
        "The speech was written by a robot.",
    }
    author = by_text["The Prime Minister misled Parliament."]["author"]
    assert author["@type"] == "Person"
    assert author["name"] == "Boris Johnson"
    assert author["url"] == "https://example.org/news/people/boris-johnson/"
    study = by_text["Some 150,000 fake accounts were used."]["author"]
    assert study == {"@type": "Thing", "name": "a new study"}
    labour = by_text["Labour will win the next election."]["author"]
    assert labour["name"] == "Labour Party"
    assert labour["url"] == "https://example.org/news/topics/labour-party/"
    assert "author" not in by_text["The speech was written by a robot."]


# --- Claim errors -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_articles(tmp_path_factory):
    """One build with many front-matter mistakes in quotes and claims: all are reported."""
    project = lay_out(
        tmp_path_factory.mktemp("badclaims") / "project",
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": (
                "---\n"
                "title: Story\n"
                "date: 2017-11-15\n"
                "summary: S.\n"
                "claims:\n"
                "  - claim: Something.\n"
                "    status: disputd\n"
                "  - claim: Other.\n"
                "    status: rumour\n"
                "  - status: asserted\n"
                "  - claim: No status.\n"
                "  - claim: Bad evidence.\n"
                "    status: asserted\n"
                "    evidence:\n"
                "      - label: Link\n"
                "        url: not a url\n"
                "---\n"
                "Body.\n"
            ),
            "content/articles/speaker.md": (
                "---\n"
                "title: Speaker\n"
                "date: 2017-11-15\n"
                "summary: S.\n"
                "quotes:\n"
                "  - text: strong and stable\n"
                "    by: theresa-mey\n"
                "---\n"
                "She said strong and stable.\n"
            ),
            "content/articles/fields.md": (
                "---\n"
                "title: Fields\n"
                "date: 2017-11-15\n"
                "summary: S.\n"
                "quotes:\n"
                "  - text: strong and stable\n"
                "  - by: theresa-may\n"
                "---\n"
                "She said strong and stable.\n"
            ),
            "content/articles/false-status.md": (
                "---\n"
                "title: False status\n"
                "date: 2017-11-15\n"
                "summary: S.\n"
                "claims:\n"
                "  - claim: The moon is made of cheese.\n"
                "    status: false\n"
                "---\n"
                "Body.\n"
            ),
        },
    )
    return project.build()


def errors_for(result, path):
    return [ln for ln in result.stderr.splitlines() if ln.startswith(path + ":")]


def test_bad_articles_fail_the_build(bad_articles):
    assert bad_articles.returncode == 1
    assert "Traceback" not in bad_articles.stderr


def test_bad_claim_status_lists_allowed_and_suggests(bad_articles):
    assert (
        "content/articles/story.md:7: claims[0].status: expected one of asserted, disputed, "
        "denied, unverified, supported, false, got 'disputd' (did you mean 'disputed'?)"
    ) in bad_articles.stderr.splitlines()


def test_unrelated_claim_status_still_lists_allowed(bad_articles):
    lines = [
        ln
        for ln in bad_articles.stderr.splitlines()
        if ln.startswith("content/articles/story.md:9: ")
    ]
    assert lines == [
        "content/articles/story.md:9: claims[1].status: expected one of asserted, disputed, "
        "denied, unverified, supported, false, got 'rumour'"
    ]


def test_claim_and_status_are_required(bad_articles):
    lines = bad_articles.stderr.splitlines()
    assert "content/articles/story.md:10: missing required field 'claim' in claims[2]" in lines
    assert "content/articles/story.md:11: missing required field 'status' in claims[3]" in lines


def test_claim_evidence_url_is_checked(bad_articles):
    assert (
        "content/articles/story.md:16: claims[4].evidence[0].url: expected an http(s) URL like "
        "'https://example.org/', got 'not a url'"
    ) in bad_articles.stderr.splitlines()


def test_unknown_quote_speaker_suggests_a_person(bad_articles):
    assert errors_for(bad_articles, "content/articles/speaker.md") == [
        "content/articles/speaker.md:7: quotes[0].by: unknown person 'theresa-mey' "
        "(did you mean 'theresa-may'?); a quote's 'by' is a person's slug"
    ]


def test_quote_needs_by_and_text(bad_articles):
    assert errors_for(bad_articles, "content/articles/fields.md") == [
        "content/articles/fields.md:6: missing required field 'by' in quotes[0]",
        "content/articles/fields.md:7: missing required field 'text' in quotes[1]",
    ]


def test_unquoted_false_status_is_accepted(bad_articles):
    assert errors_for(bad_articles, "content/articles/false-status.md") == []
