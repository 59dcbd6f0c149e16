"""Read site.yaml into a frozen SiteConfig."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Collector, ContentError
from .load import describe, parse_front_matter
from .model import SiteConfig

FIELDS = ("title", "base_url", "language", "description", "tagline")
REQUIRED = ("title", "base_url")
LANGUAGE_RE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\Z")


def load_config(path: Path, collector: Collector) -> SiteConfig | None:
    """Read and validate site.yaml; record problems in collector."""
    if not path.is_file():
        collector.error(path, 0, "site settings file not found; pass --config FILE")
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        collector.error(path, 1, "file is not valid UTF-8; save it with UTF-8 encoding")
        return None
    try:
        data, lines = parse_front_matter(text, path, first_line=1)
    except ContentError as err:
        collector.add(err.diagnostic)
        return None
    from .errors import did_you_mean

    ok = True
    for key in data:
        if key not in FIELDS:
            collector.error(
                path,
                lines.get((key,), 1),
                f"unknown setting '{key}'{did_you_mean(str(key), FIELDS)}",
            )
            ok = False
    for key in REQUIRED:
        if key not in data:
            collector.error(path, 1, f"missing required setting '{key}'")
            ok = False
    values: dict[str, str] = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            collector.error(path, lines[(key,)], f"{key}: expected text, got {describe(value)}")
            ok = False
            continue
        values[key] = value.strip()
    base_url = values.get("base_url")
    if base_url is not None and not re.match(r"https?://[^/\s]+(/\S*)?/\Z", base_url):
        collector.error(
            path,
            lines[("base_url",)],
            f"base_url: expected an absolute http(s) URL ending in '/', like "
            f"'https://example.org/', got '{base_url}'",
        )
        ok = False
    language = values.get("language")
    if language is not None and not LANGUAGE_RE.match(language):
        collector.error(
            path,
            lines[("language",)],
            f"language: expected a language code like 'en' or 'en-GB', got '{language}'",
        )
        ok = False
    if not ok:
        return None
    return SiteConfig(
        title=values["title"],
        base_url=values["base_url"],
        language=values.get("language", "en"),
        description=values.get("description", ""),
        tagline=values.get("tagline", ""),
        src_path=path,
    )
