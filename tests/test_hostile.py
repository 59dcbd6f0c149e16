"""Front matter written to attack the page: every value is escaped, nothing runs."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from conftest import (
    ROOT,
    SITE_YAML,
    Project,
    assert_no_inline_script,
    cards_of,
    html_pages,
    parse_html,
)
from figures import record

# Each field gets its own marker, so the test can tell which field a value came from.
ATTACKS = (
    "<script>alert({n})</script>",
    '"onmouseover="alert({n})',
    "'><img src=x onerror=alert({n})>",
    "</script><script>alert({n})</script>",
    "]]></summary><script>alert({n})</script>",
)
# field -> whether the value is shown on some page (as text or in an attribute)
FIELDS = {
    "article.title": True,
    "article.summary": True,
    "article.source.name": True,
    "article.source.author": True,
    "article.quote.text": True,
    "article.quote.via": True,
    "article.quote.context": True,
    "article.claim.claim": True,
    "article.claim.by": True,
    "article.claim.note": True,
    "article.claim.evidence.label": True,
    "article.headline.title": True,
    "person.name": True,
    "person.summary": True,
    "person.alias": False,  # used to find mentions, not shown
    "person.party": True,
    "person.country": True,
    "person.role.title": True,
    "person.role.alias": False,
    "person.link.label": True,
    "topic.name": True,
    "topic.summary": True,
    "topic.alias": False,
}


def value(field: str, attack: int) -> str:
    """The hostile value of one field: a marker naming it, then the attack."""
    n = list(FIELDS).index(field) * 10 + attack
    return f"F{n:03d} " + ATTACKS[attack].format(n=n)


def q(text: str) -> str:
    """Quote text for YAML (a JSON string is a YAML double-quoted string)."""
    return json.dumps(text)


def files(attack: int) -> dict[str, str]:
    v = lambda field: q(value(field, attack))  # noqa: E731 - a short local shorthand
    quote_text = value("article.quote.text", attack)
    # The quote must be in the body; Markdown shows escaped text as the same characters.
    body_quote = quote_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    person = f"""---
name: {v("person.name")}
summary: {v("person.summary")}
aliases: [{v("person.alias")}]
party: {v("person.party")}
country: {v("person.country")}
roles:
  - title: {v("person.role.title")}
    from: 2016-07-13
    aliases: [{v("person.role.alias")}]
links:
  {v("person.link.label")}: https://example.org/profile
---
A person.
"""
    topic = f"""---
name: {v("topic.name")}
summary: {v("topic.summary")}
kind: organisation
aliases: [{v("topic.alias")}]
---
A topic.
"""
    story = f"""---
title: {v("article.title")}
date: 2017-11-15
summary: {v("article.summary")}
people: [someone]
topics: [something]
source:
  name: {v("article.source.name")}
  url: https://example.org/story
  author: {v("article.source.author")}
quotes:
  - by: someone
    text: {q(quote_text)}
    via: {v("article.quote.via")}
    context: {v("article.quote.context")}
claims:
  - claim: {v("article.claim.claim")}
    by: {v("article.claim.by")}
    status: disputed
    note: {v("article.claim.note")}
    evidence:
      - label: {v("article.claim.evidence.label")}
        url: https://example.org/evidence
related_headlines:
  - title: {v("article.headline.title")}
    url: https://example.org/headline
---
They said {body_quote} and more, about [[someone]] and [[something]].
"""
    return {
        "content/people/someone.md": person,
        "content/topics/something.md": topic,
        "content/articles/story.md": story,
    }


def strings(data: object) -> set[str]:
    """Every string inside parsed JSON."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(strings(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(strings(v) for v in data)) if data else set()
    return set()


def shown(project: Project) -> str:
    """Every piece of text and every attribute value of every page, as one string."""
    parts = []
    for _, html in html_pages(project):
        for el in parse_html(html).iter():
            parts.extend(child for child in el.children if isinstance(child, str))
            parts.extend(el.attrs.values())
    return "\n".join(parts)


@pytest.fixture(scope="module", params=range(len(ATTACKS)), ids=lambda i: f"attack{i}")
def attacked(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[tuple[int, Project]]:
    root = tmp_path_factory.mktemp(f"attack{request.param}") / "project"
    root.mkdir()
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, root / folder)
    project = Project(root)
    project.write("site.yaml", SITE_YAML)
    for rel, text in files(request.param).items():
        project.write(rel, text)
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    yield request.param, project


def test_no_page_runs_anything_from_front_matter(attacked):
    attack, project = attacked
    pages = list(html_pages(project))
    assert len(pages) > 10
    for url_path, html in pages:
        assert_no_inline_script(url_path, html)
        page = parse_html(html)
        for el in page.find_all("img"):
            # Escaped fields make no elements; headlines are Markdown, sanitised instead.
            if "related-headlines" not in [c for a in el.ancestors() for c in a.classes]:
                assert el.get("src", "").startswith(("../", "static/")), (url_path, el)
        metas = [m for m in page.find_all("meta") if m.get("http-equiv")]
        assert [m.get("http-equiv") for m in metas] == ["Content-Security-Policy"], url_path
        assert "alert(" not in "".join(el.attrs.get("onmouseover", "") for el in page.iter())


def test_every_value_is_shown_as_the_text_it_is(attacked):
    attack, project = attacked
    text = shown(project)
    # Markdown headlines are sanitised instead (tests/link/test_sanitize.py); aliases not shown.
    shown_fields = [f for f, visible in FIELDS.items() if visible and f != "article.headline.title"]
    missing = [f for f in shown_fields if value(f, attack) not in text]
    assert missing == []
    # Markdown headline: the marker stays, the markup is gone or escaped.
    assert value("article.headline.title", attack).split(" ")[0] in text
    record(
        "escaped-fields",
        attack=ATTACKS[attack],
        fields_set=len(FIELDS),
        fields_shown_as_text=len(shown_fields) - len(missing),
        pages=len(list(html_pages(project))),
    )


def test_data_blocks_hold_the_values_as_data(attacked):
    attack, project = attacked
    html = project.page("articles/story/")
    page = parse_html(html)
    cards = cards_of(page)
    assert cards["someone"]["name"] == value("person.name", attack)
    assert cards["something"]["summary"] == value("topic.summary", attack)
    (ld,) = [s for s in page.find_all("script") if s.get("type") == "application/ld+json"]
    assert value("article.title", attack) in strings(json.loads(ld.raw_text))
    for script in page.find_all("script"):
        assert "</script" not in script.raw_text.lower()


def test_feed_is_well_formed_and_holds_the_values_as_text(attacked):
    attack, project = attacked
    feed = ET.fromstring((project.root / "_site/feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = feed.findall("a:entry", ns)
    assert entry.findtext("a:title", namespaces=ns) == value("article.title", attack)
    assert entry.findtext("a:summary", namespaces=ns) == value("article.summary", attack)
    assert entry.findtext("a:author/a:name", namespaces=ns) == value(
        "article.source.author", attack
    )
    assert list(entry.iter("{http://www.w3.org/1999/xhtml}script")) == []


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("source:\n  url: javascript:alert(1)", "source.url"),
        ("source:\n  url: data:text/html,x", "source.url"),
        ("related_headlines:\n  - title: T\n    url: vbscript:x", "related_headlines[0].url"),
        (
            "claims:\n  - claim: C\n    status: asserted\n    evidence:\n"
            "      - label: L\n        url: javascript:alert(1)",
            "claims[0].evidence[0].url",
        ),
        ("source:\n  url: //evil.example/x", "source.url"),
    ],
)
def test_front_matter_addresses_must_be_http(make_project, field, text):
    story = f"---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n{field}\n---\nBody.\n"
    project = make_project({"content/articles/story.md": story})
    done = project.build("check")
    assert done.returncode == 1
    assert f"{text}: expected an http(s) URL like 'https://example.org/'" in done.stderr


def test_person_links_must_be_http(make_project):
    person = "---\nname: A Person\nsummary: S.\nlinks:\n  Home: javascript:alert(1)\n---\n"
    project = make_project({"content/people/a-person.md": person})
    done = project.build("check")
    assert done.returncode == 1
    assert (
        "content/people/a-person.md:5: links.Home: expected an http(s) URL like "
        "'https://example.org/', got 'javascript:alert(1)'"
    ) in done.stderr


def test_person_image_cannot_leave_the_static_folder_or_add_attributes(make_project):
    import io

    from PIL import Image as PILImage

    picture = io.BytesIO()
    PILImage.new("RGB", (400, 300), (200, 30, 30)).save(picture, "PNG")
    hostile = 'x.png\\" onerror=\\"alert(1)'
    person = (
        f'---\nname: A Person\nsummary: S.\nimage:\n  src: "{hostile}"\n'
        f'  alt: "{hostile}"\n  credit: "<script>alert(1)</script>"\n---\nBody.\n'
    )
    outside = "---\nname: B Person\nsummary: S.\nimage:\n  src: ../site.yaml\n  alt: A.\n  credit: C.\n---\n"
    story = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\npeople: [a-person]\n---\nA Person.\n"
    files = {
        "content/people/a-person.md": person,
        "content/people/b-person.md": outside,
        "content/articles/story.md": story,
        'static/x.png" onerror="alert(1)': picture.getvalue(),
    }
    project = make_project(files)
    done = project.build("--no-search")
    assert done.returncode == 1
    assert (
        "content/people/b-person.md:5: image.src: expected a path inside static/, like "
        "images/story.jpg, got '../site.yaml'"
    ) in done.stderr
    (project.root / "content/people/b-person.md").unlink()
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    shown = 0
    for url_path, html in html_pages(project):
        assert_no_inline_script(url_path, html)
        for img in parse_html(html).find_all("img"):
            assert "onerror" not in img.attrs
            assert img.get("alt") == 'x.png" onerror="alert(1)'
            for candidate in [img.attrs["src"], *img.attrs["srcset"].split(",")]:
                path = candidate.split()[0].split("static/", 1)[-1]
                assert path.startswith("images/x-") and '"' not in path
                shown += 1
    assert shown
