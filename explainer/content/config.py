"""Read site.yaml into a frozen SiteConfig."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..core.errors import Collector, ContentError, did_you_mean
from .load import KeyPath, describe, dotted, not_utf8, parse_front_matter
from .model import Limits, SiteConfig

TEXT_FIELDS = ("title", "base_url", "language", "description", "tagline")
BOOLEAN_FIELDS = {"lower_case_role_aliases": True, "charts": True}  # setting -> default
FIELDS = (*TEXT_FIELDS, "embed_hosts", "limits", *BOOLEAN_FIELDS)
REQUIRED = ("title", "base_url")
LANGUAGE_RE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\Z")
HOST_RE = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")
# name -> (largest value allowed or None, whether a fraction is allowed)
LIMITS: dict[str, tuple[int | None, bool]] = {
    "max_file_mb": (None, True),
    "max_nesting": (100, False),
    "max_yaml_values": (None, False),
    "max_aliases": (None, False),
}


def load_config(path: Path, collector: Collector) -> SiteConfig | None:
    """Read and validate site.yaml; record problems in collector."""
    if not path.is_file():
        collector.error(path, 0, "site settings file not found; pass --config FILE")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        collector.error(path, raw.count(b"\n", 0, err.start) + 1, not_utf8(raw, err.start))
        return None
    try:
        data, lines = parse_front_matter(text, path, first_line=1)
    except ContentError as err:
        collector.add(err.diagnostic)
        return None
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
    for key in TEXT_FIELDS:
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
    switches: dict[str, bool] = {}
    for key, default in BOOLEAN_FIELDS.items():
        value = data.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, bool):
            collector.error(
                path, lines[(key,)], f"{key}: expected true or false, got {describe(value)}"
            )
            ok = False
            continue
        switches[key] = value
    embed_hosts = _embed_hosts(data.get("embed_hosts"), lines, path, collector)
    limits = _limits(data.get("limits"), lines, path, collector)
    if not ok or embed_hosts is None or limits is None:
        return None
    return SiteConfig(
        title=values["title"],
        base_url=values["base_url"],
        language=values.get("language", "en"),
        description=values.get("description", ""),
        tagline=values.get("tagline", ""),
        src_path=path,
        embed_hosts=embed_hosts,
        limits=limits,
        lower_case_role_aliases=switches["lower_case_role_aliases"],
        charts=switches["charts"],
    )


def _line(lines: dict[KeyPath, int], at: KeyPath) -> int:
    for end in range(len(at), 0, -1):
        if at[:end] in lines:
            return lines[at[:end]]
    return 1


def _embed_hosts(
    value: Any, lines: dict[KeyPath, int], path: Path, collector: Collector
) -> tuple[str, ...] | None:
    """Read `embed_hosts`: the host names whose pages an article may show in an iframe."""
    if value is None:
        return ()
    if not isinstance(value, list):
        collector.error(
            path,
            _line(lines, ("embed_hosts",)),
            f"embed_hosts: expected a list of host names like [www.youtube-nocookie.com], "
            f"got {describe(value)}",
        )
        return None
    hosts: list[str] = []
    ok = True
    for i, item in enumerate(value):
        at: KeyPath = ("embed_hosts", i)
        host = item.strip().lower() if isinstance(item, str) else ""
        if not HOST_RE.match(host):
            bare = re.sub(r"^[a-z]+://|[/:?#].*$", "", host)
            hint = (
                f"; write the host name alone: '{bare}'"
                if bare != host and HOST_RE.match(bare)
                else ""
            )
            collector.error(
                path,
                _line(lines, at),
                f"{dotted(at)}: expected a host name like 'www.youtube-nocookie.com', "
                f"got {describe(item)}{hint}",
            )
            ok = False
        elif host in hosts:
            collector.error(path, _line(lines, at), f"{dotted(at)}: '{host}' is listed twice")
            ok = False
        else:
            hosts.append(host)
    return tuple(hosts) if ok else None


def _limits(
    value: Any, lines: dict[KeyPath, int], path: Path, collector: Collector
) -> Limits | None:
    """Read `limits`: how large content may be before the build refuses it."""
    if value is None:
        return Limits()
    if not isinstance(value, dict):
        collector.error(
            path,
            _line(lines, ("limits",)),
            f"limits: expected a mapping like 'max_file_mb: 5', got {describe(value)}",
        )
        return None
    ok = True
    found: dict[str, Any] = {}
    for key, item in value.items():
        at: KeyPath = ("limits", str(key))
        if key not in LIMITS:
            hint = did_you_mean(str(key), LIMITS) or f"; the limits are {', '.join(LIMITS)}"
            collector.error(path, _line(lines, at), f"unknown limit '{dotted(at)}'{hint}")
            ok = False
            continue
        largest, fraction = LIMITS[key]
        number = isinstance(item, int | float) and not isinstance(item, bool)
        if not number or (not fraction and not isinstance(item, int)) or item <= 0:
            kind = "a number above 0" if fraction else "a whole number of 1 or more"
            collector.error(
                path, _line(lines, at), f"{dotted(at)}: expected {kind}, got {describe(item)}"
            )
            ok = False
        elif largest is not None and item > largest:
            collector.error(
                path, _line(lines, at), f"{dotted(at)}: at most {largest} is allowed, got {item}"
            )
            ok = False
        else:
            found[key] = item
    if not ok:
        return None
    where = {key: _line(lines, ("limits", key)) for key in found}
    return Limits(**found, lines=where)
