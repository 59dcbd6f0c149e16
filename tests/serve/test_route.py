"""The preview's routing on its own: a URL path and the site's pages in, an answer out.

No server and no sockets: `route` is the whole decision of what a GET returns; the
request handler only reads the request and writes the answer.
"""

from __future__ import annotations

import pytest

from explainer.serve.server import Answer, route

PAGES = {
    "index.html": b"home",
    "404.html": b"not here",
    "people/theresa-may/index.html": b"may",
    "static/style.css": b"css",
    "feed.xml": b"feed",
    "articles/index.html": b"list",
}

CASES = [
    # (path, code, body, name, location)
    ("/", 200, b"home", "index.html", ""),
    ("", 301, b"", "", "/"),
    ("/people/theresa-may/", 200, b"may", "index.html", ""),
    ("/people/theresa-may", 301, b"", "", "/people/theresa-may/"),
    ("/people/theresa-may/index.html", 200, b"may", "index.html", ""),
    ("/static/style.css", 200, b"css", "style.css", ""),
    ("/static/style.css/", 404, b"not here", "404.html", ""),
    ("/feed.xml", 200, b"feed", "feed.xml", ""),
    ("/articles", 301, b"", "", "/articles/"),
    ("//people//theresa-may/", 200, b"may", "index.html", ""),
    ("/nothing/", 404, b"not here", "404.html", ""),
    ("/../etc/passwd", 404, b"not here", "404.html", ""),
    ("/people/./theresa-may/", 200, b"may", "index.html", ""),
    ("/~root/", 404, b"not here", "404.html", ""),
    # a redirect is built from the cleaned path, never the raw one
    ("//evil.example/../articles", 301, b"", "", "/articles/"),
    ("/%2Fevil.example/articles", 404, b"not here", "404.html", ""),
]


@pytest.mark.parametrize("path, code, body, name, location", CASES)
def test_route(path, code, body, name, location):
    assert route(path, PAGES) == Answer(code, body, name, location)


def test_without_a_404_page_the_answer_is_plain_text():
    pages = {k: v for k, v in PAGES.items() if k != "404.html"}
    assert route("/nothing/", pages) == Answer(404, b"Not found.\n")
