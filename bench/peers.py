"""Turn an explainer corpus into the smallest site each peer generator can build.

Every peer gets the same Markdown bodies, with `[[slug]]` and `[[slug|text]]` refs
replaced by their plain text (the target's name, or the given text), and a minimal
layout: one page per article, person and topic showing its title, date and body, plus
list pages. No feeds, sitemaps, taxonomies, search, themes or assets.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

COLLECTIONS = ("articles", "people", "topics")
REF_RE = re.compile(r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)(?:\|([^\]\n]+))?\]\]")
# The Python-Markdown extensions explainer itself uses (explainer/link/markup.py).
PY_MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "footnotes", "attr_list", "toc")


@dataclass(frozen=True, slots=True)
class Doc:
    """One content file, reduced to what every peer needs."""

    collection: str
    slug: str
    title: str
    date: str  # ISO date, or "" for people and topics
    summary: str
    body: str


def _split(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front) or {}
    assert isinstance(data, dict)
    return data, body


def read_corpus(corpus: Path) -> list[Doc]:
    """Read every file of the corpus and replace refs with plain text."""
    raw: list[tuple[str, str, dict[str, Any], str]] = []
    for collection in COLLECTIONS:
        for path in sorted((corpus / collection).glob("*.md")):
            data, body = _split(path.read_text(encoding="utf-8"))
            raw.append((collection, path.stem, data, body))
    names = {slug: str(data.get("title") or data.get("name") or slug) for _, slug, data, _ in raw}

    def plain(match: re.Match[str]) -> str:
        return match.group(2) or names.get(match.group(1), match.group(1))

    docs = []
    for collection, slug, data, body in raw:
        day = data.get("date")
        docs.append(
            Doc(
                collection=collection,
                slug=slug,
                title=names[slug],
                date=day.isoformat() if day else "",
                summary=str(data.get("summary", "")),
                body=REF_RE.sub(plain, body),
            )
        )
    return docs


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _yaml_front(fields: dict[str, str], body: str) -> str:
    # JSON strings are valid YAML scalars, and quoting keeps titles from being read as dates.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def _fields(doc: Doc, **extra: str) -> dict[str, str]:
    fields = {"title": doc.title}
    if doc.date:
        fields["date"] = doc.date
    if doc.summary:
        fields["summary"] = doc.summary
    fields.update(extra)
    return fields


# -- Hugo --------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
title = "Bench"
languageCode = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false
"""
SINGLE_HTML = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{date}{body}</main></body></html>
"""
HUGO_LIST = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul></main></body></html>
"""


def make_hugo(docs: list[Doc], site: Path) -> None:
    """Write a theme-less Hugo site with one single and one list layout."""
    _write(site / "hugo.toml", HUGO_CONFIG)
    _write(
        site / "layouts" / "single.html",
        SINGLE_HTML.format(
            title="{{ .Title }}",
            date='{{ with .Date }}{{ if not .IsZero }}<p>{{ .Format "2 January 2006" }}</p>{{ end }}{{ end }}',
            body="{{ .Content }}",
        ),
    )
    _write(site / "layouts" / "list.html", HUGO_LIST)
    _write(site / "content" / "_index.md", _yaml_front({"title": "Bench"}, ""))
    for collection in COLLECTIONS:
        _write(
            site / "content" / collection / "_index.md",
            _yaml_front({"title": collection.capitalize()}, ""),
        )
    for doc in docs:
        _write(
            site / "content" / doc.collection / f"{doc.slug}.md",
            _yaml_front(_fields(doc), doc.body),
        )


# -- Pelican -------------------------------------------------------------------------

PELICAN_CONF = """\
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["people", "topics"]
STATIC_PATHS = []
THEME = "theme"
THEME_STATIC_PATHS = []
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
ARTICLE_URL = "articles/{{slug}}/"
ARTICLE_SAVE_AS = "articles/{{slug}}/index.html"
PAGE_URL = "pages/{{slug}}/"
PAGE_SAVE_AS = "pages/{{slug}}/index.html"
FEED_ALL_ATOM = None
FEED_ATOM = None
FEED_ALL_RSS = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
MARKDOWN = {{
    "extension_configs": {{{extensions}, "markdown.extensions.meta": {{}}}},
    "output_format": "html5",
}}
"""
PELICAN_INDEX = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ SITENAME }}</title></head>
<body><main><h1>{{ SITENAME }}</h1><ul>
{% for article in articles %}<li><a href="/{{ article.url }}">{{ article.title }}</a></li>
{% endfor %}{% for page in pages %}<li><a href="/{{ page.url }}">{{ page.title }}</a></li>
{% endfor %}</ul></main></body></html>
"""


def _pelican_meta(doc: Doc) -> str:
    # Pelican's Markdown reader takes Python-Markdown "meta" lines, not YAML.
    lines = [f"Title: {doc.title}", f"Slug: {doc.slug}"]
    if doc.date:
        lines.append(f"Date: {doc.date}")
    if doc.summary:
        lines.append(f"Summary: {doc.summary}")
    return "\n".join(lines) + "\n\n" + doc.body


def make_pelican(docs: list[Doc], site: Path) -> None:
    """Write a Pelican site with a three-template theme and every extra page turned off."""
    extensions = ", ".join(f'"markdown.extensions.{e}": {{}}' for e in PY_MARKDOWN_EXTENSIONS)
    _write(site / "pelicanconf.py", PELICAN_CONF.format(extensions=extensions))
    for name in ("article", "page"):
        single = SINGLE_HTML.format(
            title=f"{{{{ {name}.title }}}}",
            date=f"{{% if {name}.date %}}<p>{{{{ {name}.locale_date }}}}</p>{{% endif %}}",
            body=f"{{{{ {name}.content }}}}",
        )
        _write(site / "theme" / "templates" / f"{name}.html", single)
    _write(site / "theme" / "templates" / "index.html", PELICAN_INDEX)
    for doc in docs:
        _write(site / "content" / doc.collection / f"{doc.slug}.md", _pelican_meta(doc))


# -- MkDocs --------------------------------------------------------------------------

MKDOCS_CONFIG = """\
site_name: Bench
docs_dir: docs
use_directory_urls: true
theme:
  name: null
  custom_dir: theme
plugins: []
markdown_extensions: [{extensions}]
"""


def make_mkdocs(docs: list[Doc], site: Path) -> None:
    """Write an MkDocs site: no built-in theme, no search plugin, one page template."""
    _write(site / "mkdocs.yml", MKDOCS_CONFIG.format(extensions=", ".join(PY_MARKDOWN_EXTENSIONS)))
    _write(
        site / "theme" / "main.html",
        SINGLE_HTML.format(
            title="{{ page.title }}",
            date="{% if page.meta.date %}<p>{{ page.meta.date }}</p>{% endif %}",
            body="{{ page.content }}",
        ),
    )
    # MkDocs has no list pages of its own; the home page lists every page instead.
    links = [f"- [{d.title}]({d.collection}/{d.slug}.md)" for d in docs]
    _write(site / "docs" / "index.md", "# Bench\n\n" + "\n".join(links) + "\n")
    for doc in docs:
        _write(
            site / "docs" / doc.collection / f"{doc.slug}.md", _yaml_front(_fields(doc), doc.body)
        )


# -- Eleventy ------------------------------------------------------------------------

ELEVENTY_CONFIG = """\
// markdown-it-footnote is found through NODE_PATH (bench/.tools/node/node_modules).
const footnote = require("markdown-it-footnote");

module.exports = function (eleventyConfig) {
  eleventyConfig.amendLibrary("md", (md) => md.use(footnote));
  return {
    dir: { input: "src", includes: "_includes" },
    templateFormats: ["md", "njk"],
    // Content is plain Markdown, as for the other tools: no Liquid pass over it.
    markdownTemplateEngine: false,
    htmlTemplateEngine: "njk",
  };
};
"""
ELEVENTY_INDEX = """\
---
permalink: /index.html
---
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench</title></head>
<body><main><h1>Bench</h1><ul>
{% for item in collections.all %}<li><a href="{{ item.url }}">{{ item.data.title }}</a></li>
{% endfor %}</ul></main></body></html>
"""


def make_eleventy(docs: list[Doc], site: Path) -> None:
    """Write an Eleventy site: Markdown with one Nunjucks layout and one list page."""
    _write(site / "eleventy.config.cjs", ELEVENTY_CONFIG)
    _write(
        site / "src" / "_includes" / "page.njk",
        SINGLE_HTML.format(
            title="{{ title }}",
            date="{% if date %}<p>{{ date }}</p>{% endif %}",
            body="{{ content | safe }}",
        ),
    )
    _write(site / "src" / "index.njk", ELEVENTY_INDEX)
    for collection in COLLECTIONS:
        data = {"layout": "page.njk", "tags": collection}
        _write(site / "src" / collection / f"{collection}.json", json.dumps(data) + "\n")
    for doc in docs:
        _write(
            site / "src" / doc.collection / f"{doc.slug}.md", _yaml_front(_fields(doc), doc.body)
        )


MAKERS: dict[str, Callable[[list[Doc], Path], None]] = {
    "hugo": make_hugo,
    "pelican": make_pelican,
    "mkdocs": make_mkdocs,
    "eleventy": make_eleventy,
}


def make_site(tool: str, docs: list[Doc], site: Path) -> None:
    """Write tool's input site into a fresh folder."""
    if site.exists():
        shutil.rmtree(site)
    MAKERS[tool](docs, site)


def html_files(folder: Path) -> Iterator[Path]:
    """Yield every HTML page under folder."""
    yield from folder.rglob("*.html")
