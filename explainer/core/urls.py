"""Page addresses: url paths, relative links between pages, absolute canonical URLs."""

from __future__ import annotations

import posixpath


def relative_url(from_path: str, to_path: str, index: bool = True) -> str:
    """Return a link from the page at from_path to to_path that works from disk too.

    Both are url paths relative to the site root: '' (home), 'people/' (a folder page)
    or 'feed.xml' (a file). Folder pages link to their index.html, so the site can be
    opened straight from the output folder as well as served under any sub-path.
    """
    to_path, _, fragment = to_path.partition("#")
    if from_path.endswith("/") or not from_path:
        from_dir = from_path
    else:
        parent = posixpath.dirname(from_path)
        from_dir = parent + "/" if parent else ""
    depth = from_dir.count("/")
    folder = to_path.endswith("/") or not to_path
    target = to_path + "index.html" if folder and index else to_path
    url = "../" * depth + target
    if not url:
        url = "./"
    return f"{url}#{fragment}" if fragment else url


def out_path(url_path: str) -> str:
    """Return the file a url path is written to, relative to the output folder."""
    return url_path + "index.html" if (url_path.endswith("/") or not url_path) else url_path


def absolute_url(base_url: str, url_path: str) -> str:
    """Return the canonical URL of a page."""
    return base_url + url_path
