"""Every link in the built site resolves: files, #fragments, the feed and the sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .conftest import BuiltSite

URL_ATTRS = {"href", "src", "cite", "action", "poster", "data"}
SKIPPED_SCHEMES = {"mailto", "tel", "data", "sms"}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class PageScan(HTMLParser):
    """Collect a page's URLs (with line numbers), its ids and its <base href>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and "href" in values and self.base is None:
            self.base = values["href"]
            return
        for name, value in values.items():
            if name in URL_ATTRS:
                self.urls.append((line, name, value.strip()))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.urls.append((line, name, candidate.split()[0]))
        if tag == "meta" and values.get("property", values.get("name", "")) in {
            "og:url", "og:image", "twitter:image",
        }:
            self.urls.append((line, "content", values.get("content", "").strip()))

    handle_startendtag = handle_starttag


def scan(path: Path) -> PageScan:
    parser = PageScan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def site_url_of(site: BuiltSite, path: Path) -> str:
    """Return the public URL of an output file (index.html stays in, as relative links resolve)."""
    return site.base_url + path.relative_to(site.out).as_posix()


def file_of(site: BuiltSite, url: str) -> Path | None:
    """Map a URL under base_url onto the output folder; None for a URL outside the site."""
    if not url.startswith(site.base_url):
        return None
    rel = unquote(urlsplit(url).path)[len(urlsplit(site.base_url).path):]
    path = site.out / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def test_every_internal_link_and_fragment_resolves(built_site: BuiltSite) -> None:
    pages = {path: scan(path) for path in built_site.html_files()}
    assert pages, "the build produced no HTML pages"
    problems: list[str] = []
    for path, page in pages.items():
        where = path.relative_to(built_site.out).as_posix()
        page_url = site_url_of(built_site, path)
        base = urljoin(page_url, page.base) if page.base else page_url
        for line, attr, raw in page.urls:
            if not raw:
                problems.append(f"{where}:{line}: empty {attr}")
                continue
            parts = urlsplit(raw)
            if parts.scheme in SKIPPED_SCHEMES:
                continue
            absolute = urljoin(base, raw)
            external = parts.scheme in {"http", "https"} or raw.startswith("//")
            if external and not absolute.startswith(built_site.base_url):
                continue  # not checked: there is no network here
            target = file_of(built_site, absolute.split("#")[0])
            if target is None:
                problems.append(f"{where}:{line}: {attr}={raw!r} points outside the site")
                continue
            relative = not parts.scheme and not raw.startswith(("/", "#"))
            if relative and parts.path and parts.path.endswith("/"):
                problems.append(
                    f"{where}:{line}: {attr}={raw!r} names a folder; relative links end in "
                    "index.html or a file so the site works from disk"
                )
            if not target.is_file():
                problems.append(f"{where}:{line}: {attr}={raw!r} -> {target.relative_to(built_site.out)}"
                                " does not exist")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else scan(target).ids
                if fragment not in ids:
                    problems.append(f"{where}:{line}: {attr}={raw!r}: no id {fragment!r} on "
                                    f"{target.relative_to(built_site.out).as_posix()}")
    assert not problems, "broken links:\n" + "\n".join(problems)


def _site_urls_in_xml(site: BuiltSite, name: str) -> list[str]:
    """Return every site URL listed in feed.xml or sitemap.xml (which must parse as XML)."""
    root = ET.parse(site.out / name).getroot()
    if name == "sitemap.xml":
        assert root.tag == f"{SITEMAP}urlset", f"{name}: root element is {root.tag}"
        return [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP}loc")]
    assert root.tag == f"{ATOM}feed", f"{name}: root element is {root.tag}"
    return [link.get("href", "") for link in root.iter(f"{ATOM}link")]


def test_feed_and_sitemap_list_only_existing_pages(built_site: BuiltSite) -> None:
    problems: list[str] = []
    checked = 0
    for name in ("feed.xml", "sitemap.xml"):
        if not (built_site.out / name).is_file():
            continue
        checked += 1
        urls = _site_urls_in_xml(built_site, name)
        assert urls, f"{name} lists no URLs"
        for url in urls:
            target = file_of(built_site, url)
            if target is None:
                problems.append(f"{name}: {url} is not under base_url {built_site.base_url}")
            elif not target.is_file():
                problems.append(f"{name}: {url} -> {target.relative_to(built_site.out)} does not exist")
    robots = built_site.out / "robots.txt"
    if robots.is_file():
        for line in robots.read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("sitemap:"):
                url = line.split(":", 1)[1].strip()
                target = file_of(built_site, url)
                if target is None or not target.is_file():
                    problems.append(f"robots.txt: sitemap {url} does not exist in the output")
    assert not problems, "\n".join(problems)
    if not checked:
        pytest.skip("the build writes neither feed.xml nor sitemap.xml")
