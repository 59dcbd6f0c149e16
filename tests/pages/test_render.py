"""Render stage: the linked site -> pages (url path, HTML); pure, no file writes."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import JOHNSON, MAY, article, parse_html
from core_helpers import CAMERON, TEMPLATES, is_external, link_files, render_files

from explainer.core.errors import BuildFailed
from explainer.core.urls import absolute_url, out_path, relative_url
from explainer.pages.render import long_date, render_pages

PEOPLE = {
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
    "content/people/david-cameron.md": CAMERON,
}

STORY = article(
    "Theresa May met the Foreign Secretary.\n",
    title="Russia row",
    people=["theresa-may", "boris-johnson"],
    source="{name: The Paper, url: 'https://example.org/s', author: A Reporter}",
)

FILES = {
    **PEOPLE,
    "content/articles/story.md": STORY,
    "content/articles/older.md": article(
        "It rained. Then the Prime Minister spoke.\n", title="Older story", date="2017-01-10"
    ),
    "content/articles/unrelated.md": article(
        "Nobody at all.\n", title="Unrelated", date="2015-01-01"
    ),
    "content/articles/secret.md": article("Theresa May.\n", title="Zzyzx draft", draft="true"),
}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_files(FILES)


# --- Which pages, where --------------------------------------------------------------------


def test_core_pages_are_rendered(pages):
    assert {
        "",
        "articles/",
        "articles/story/",
        "articles/older/",
        "articles/unrelated/",
        "people/",
        "people/theresa-may/",
        "people/boris-johnson/",
        "people/david-cameron/",
    } <= set(pages)


def test_drafts_are_not_rendered(pages):
    assert "articles/secret/" not in pages
    assert all("Zzyzx" not in html for html in pages.values())


def test_drafts_are_rendered_when_asked_for():
    assert "articles/secret/" in render_files(FILES, drafts=True)


def test_pages_are_written_as_index_html():
    linked = link_files(FILES)
    paths = {p.url_path: p.out_path for p in render_pages(linked.site, TEMPLATES)}
    assert paths[""] == "index.html"
    assert paths["articles/story/"] == "articles/story/index.html"
    assert paths["people/"] == "people/index.html"
    assert paths["people/theresa-may/"] == "people/theresa-may/index.html"


def test_internal_links_are_relative_and_end_in_a_file(pages):
    for url_path, html in pages.items():
        if not url_path.endswith("/") and url_path:
            continue  # feeds and the like are not browsed from disk
        for a in parse_html(html).all("a"):
            href = a.attrs.get("href", "")
            if is_external(href) or href.startswith("#"):
                continue
            path = href.split("#", 1)[0]
            assert not path.startswith("/"), (url_path, href)
            assert not path.endswith("/") and path, (url_path, href)


def test_canonical_url_uses_base_url(pages):
    def canonical(url_path: str) -> str:
        (link,) = [
            el for el in parse_html(pages[url_path]).all("link") if el.attrs.get("rel") == "canonical"
        ]
        return link.attrs["href"]

    assert canonical("") == "https://example.org/news/"
    assert canonical("articles/story/") == "https://example.org/news/articles/story/"
    assert canonical("people/theresa-may/") == "https://example.org/news/people/theresa-may/"


def test_language_defaults_to_en(pages):
    assert parse_html(pages[""]).one("html").attrs["lang"] == "en"


def test_rendering_is_deterministic(pages):
    assert render_files(FILES) == pages


# --- Article page --------------------------------------------------------------------------


def test_article_page_shows_title_date_source_and_summary(pages):
    doc = parse_html(pages["articles/story/"])
    assert doc.one("h1").text == "Russia row"
    times = [t for t in doc.all("time") if t.attrs.get("datetime") == "2017-11-15"]
    assert times and times[0].text == "15 November 2017"
    meta = doc.one("p", "meta")
    assert "By A Reporter" in meta.text
    (source,) = [a for a in meta.all("a") if a.attrs["href"] == "https://example.org/s"]
    assert source.text.startswith("The Paper")
    assert doc.one("p", "summary").text == "What happened."
    assert "Russia row" in doc.one("head").one("title").text


def test_article_body_sits_inside_one_prose_element(pages):
    doc = parse_html(pages["articles/story/"])
    prose = doc.one(cls="prose")
    assert prose.text == "Theresa May met the Foreign Secretary."
    refs = [(a.attrs["data-ref"], a.text) for a in prose.all("a")]
    assert refs == [("theresa-may", "Theresa May"), ("boris-johnson", "the Foreign Secretary")]


def test_people_in_this_story_show_role_on_the_date_party_and_link(pages):
    doc = parse_html(pages["articles/story/"])
    section = doc.one("section", "people-in-story")
    assert section.one("h2").text == "People in this story"
    rows = []
    for li in section.all("li"):
        (link,) = [a for a in li.all("a") if a.attrs.get("data-ref")]
        rows.append(
            (
                link.attrs["data-ref"],
                link.attrs["href"],
                li.one(cls="role").text,
                li.one(cls="party").text,
            )
        )
    assert rows == [
        ("theresa-may", "../../people/theresa-may/index.html", "Prime Minister", "Conservative"),
        (
            "boris-johnson",
            "../../people/boris-johnson/index.html",
            "Foreign Secretary",
            "Conservative",
        ),
    ]


def test_people_mentioned_but_not_listed_are_in_the_story_too(pages):
    section = parse_html(pages["articles/older/"]).one("section", "people-in-story")
    assert [a.attrs["data-ref"] for a in section.all("a") if a.attrs.get("data-ref")] == [
        "theresa-may"
    ]


def test_related_articles_share_people(pages):
    section = parse_html(pages["articles/story/"]).one("section", "related")
    assert section.one("h2").text == "Related articles"
    assert [(a.text, a.attrs["href"]) for a in section.all("a")] == [
        ("Older story", "../../articles/older/index.html")
    ]
    assert not parse_html(pages["articles/unrelated/"]).all("section", "related")


# --- Person page ---------------------------------------------------------------------------


def appears_in(html: str) -> list[tuple[str, str, str]]:
    section = parse_html(html).one("section", id="appears-in")
    return [
        (li.one("a").text, li.one("a").attrs["href"], li.one("blockquote").text)
        for li in section.all("li")
    ]


def test_person_page_lists_the_articles_they_appear_in_newest_first(pages):
    assert appears_in(pages["people/theresa-may/"]) == [
        ("Russia row", "../../articles/story/index.html", "Theresa May met the Foreign Secretary."),
        ("Older story", "../../articles/older/index.html", "Then the Prime Minister spoke."),
    ]


def test_person_page_with_no_articles_says_so(pages):
    section = parse_html(pages["people/david-cameron/"]).one("section", id="appears-in")
    assert section.all("li") == []
    assert "No articles mention David Cameron yet." in section.text


def test_person_page_lists_co_mentions_with_counts():
    html = render_files(
        {
            **PEOPLE,
            "content/articles/a.md": article("Theresa May and Boris Johnson.", title="A"),
            "content/articles/b.md": article("Mrs May and Boris Johnson.", title="B"),
            "content/articles/c.md": article("Mrs May and Mr Cameron.", title="C"),
        }
    )["people/theresa-may/"]
    section = parse_html(html).one("section", "co-mentions")
    assert section.one("h2").text == "Often mentioned with"
    assert [(li.one("a").text, li.one(cls="count").text) for li in section.all("li")] == [
        ("Boris Johnson", "2 articles"),
        ("David Cameron", "1 article"),
    ]


def test_people_index_links_every_person(pages):
    doc = parse_html(pages["people/"])
    hrefs = {a.attrs["href"] for a in doc.one("main").all("a")}
    assert {
        "../people/theresa-may/index.html",
        "../people/boris-johnson/index.html",
        "../people/david-cameron/index.html",
    } <= hrefs


def test_home_page_lists_articles_newest_first(pages):
    doc = parse_html(pages[""])
    titles = [a.text for a in doc.one("ul", "article-list").all("a")]
    assert titles == ["Russia row", "Older story", "Unrelated"]


# --- Escaping and strictness ---------------------------------------------------------------


def test_titles_and_summaries_are_escaped():
    files = {
        **PEOPLE,
        "content/articles/story.md": article(
            "Body.",
            title="'<script>alert(1)</script> & co'",
            summary="'Q&A <b>bold</b>'",
        ),
    }
    pages = render_files(files)
    for url_path in ("", "articles/", "articles/story/"):
        html = pages[url_path]
        assert "<script>alert(1)</script>" not in html
        assert "<b>bold</b>" not in html
    doc = parse_html(pages["articles/story/"])
    assert doc.one("h1").text == "<script>alert(1)</script> & co"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in pages["articles/story/"]
    assert doc.one("p", "summary").text == "Q&A <b>bold</b>"


def test_mention_titles_are_escaped_attributes():
    person = "---\nname: Ann Other\nsummary: 'Says \"no\" & <means> it'\n---\n"
    pages = render_files(
        {
            **PEOPLE,
            "content/people/ann-other.md": person,
            "content/articles/story.md": article("Ann Other spoke."),
        }
    )
    (link,) = parse_html(pages["articles/story/"]).one(cls="prose").all("a")
    assert link.attrs["title"] == 'Says "no" & <means> it'


def test_undefined_template_values_are_errors(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "article.html"
    lines = page.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "{% block main %}" in line)
    lines.insert(at + 1, "{{ no_such_value }}")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    linked = link_files({**PEOPLE, "content/articles/story.md": STORY})
    with pytest.raises(BuildFailed) as info:
        render_pages(linked.site, templates)
    assert [str(d) for d in info.value.diagnostics] == [
        f"templates/article.html:{at + 2}: template error while rendering /articles/story/: "
        "'no_such_value' is undefined"
    ]


# --- Small pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [(dt.date(2017, 11, 15), "15 November 2017"), (dt.date(2016, 7, 1), "1 July 2016")],
)
def test_long_date(day, text):
    assert long_date(day) == text


def test_out_path_and_absolute_url():
    assert out_path("") == "index.html"
    assert out_path("people/") == "people/index.html"
    assert out_path("feed.xml") == "feed.xml"
    assert absolute_url("https://example.org/news/", "people/") == (
        "https://example.org/news/people/"
    )


@pytest.mark.parametrize(
    ("from_path", "to_path", "href"),
    [
        ("articles/story/", "people/theresa-may/", "../../people/theresa-may/index.html"),
        ("", "people/", "people/index.html"),
        ("people/", "", "../index.html"),
        ("", "", "index.html"),
        ("articles/story/", "static/style.css", "../../static/style.css"),
        ("people/theresa-may/", "articles/story/#top", "../../articles/story/index.html#top"),
    ],
)
def test_relative_url(from_path, to_path, href):
    assert relative_url(from_path, to_path) == href


@pytest.mark.parametrize(
    ("from_path", "to_path", "href"),
    [("404.html", "people/", "people/index.html"), ("feed.xml", "", "index.html")],
)
def test_relative_url_from_a_root_level_file(from_path, to_path, href):
    assert relative_url(from_path, to_path) == href
