"""Machine-readable files: the Atom feed, the sitemap and robots.txt (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape, quoteattr

from ..content.model import Article, SiteConfig
from ..core.urls import absolute_url

FEED_SIZE = 50


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(config: SiteConfig, articles: Iterable[Article]) -> str:
    """Return an Atom 1.0 feed of the newest articles, with their summaries."""
    newest = sorted(articles, key=lambda a: a.sort_key)[:FEED_SIZE]
    feed_url = absolute_url(config.base_url, "feed.xml")
    updated = max((a.modified for a in newest), default=dt.date(1970, 1, 1))
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(config.title)}</title>",
    ]
    if config.description or config.tagline:
        lines.append(f"  <subtitle>{escape(config.description or config.tagline)}</subtitle>")
    lines += [
        f"  <id>{escape(feed_url)}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(config.base_url)}/>',
        f"  <updated>{_stamp(updated)}</updated>",
        f"  <author><name>{escape(config.title)}</name></author>",
    ]
    for article in newest:
        url = absolute_url(config.base_url, article.url_path)
        lines += [
            "  <entry>",
            f"    <title>{escape(article.title)}</title>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <id>{escape(url)}</id>",
            f"    <published>{_stamp(article.date)}</published>",
            f"    <updated>{_stamp(article.modified)}</updated>",
            f"    <summary>{escape(article.summary)}</summary>",
        ]
        if article.source and article.source.author:
            lines.append(f"    <author><name>{escape(article.source.author)}</name></author>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(config: SiteConfig, lastmod: Mapping[str, dt.date | None]) -> str:
    """Return a sitemap listing every page with the date it last changed."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url_path in sorted(lastmod):
        lines.append(f"  <url><loc>{escape(absolute_url(config.base_url, url_path))}</loc>")
        day = lastmod[url_path]
        if day is not None:
            lines.append(f"    <lastmod>{day.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(config: SiteConfig) -> str:
    """Return robots.txt: everything may be crawled; the sitemap is named."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(config.base_url, 'sitemap.xml')}\n"
