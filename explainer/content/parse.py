"""Turn raw documents into validated, typed model objects; report every problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ..core.errors import Collector, did_you_mean, display_path
from .load import SLUG_RE, KeyPath, RawDocument, describe, dotted
from .model import (
    CLAIM_STATUSES,
    HONORIFICS,
    Article,
    Citation,
    Claim,
    Correction,
    DatedAlias,
    Evidence,
    Headline,
    Image,
    Link,
    PartySpan,
    Person,
    Quote,
    Role,
    Site,
    SiteConfig,
    Source,
    Topic,
)

T = TypeVar("T")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
URL_RE = re.compile(r"https?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)
TOPIC_KINDS = ("organisation", "institution", "concept", "event", "place")

# What `build.py new` writes for the author to replace: the summaries of new files, and
# the examples of its commented fields that could be no real value. Never published.
PLACEHOLDER_SUMMARIES = {
    "article": "One sentence: what this story is about.",
    "person": "One line: who this person is.",
    "topic": "One line: what this is.",
}
PLACEHOLDERS = (
    *PLACEHOLDER_SUMMARIES.values(),
    "The Example Times",
    "https://example.org/news/story",
    "https://example.org/news/fake-accounts",
    "https://example.org/study",
    "What the picture shows",
    "Who made it",
)


def _placeholder_key(text: str) -> str:
    """Compare with the examples as a reader would: case, spacing and final stops aside."""
    return re.sub(r"[\s.!?…/]+\Z", "", " ".join(text.split()).casefold())


PLACEHOLDER_KEYS = frozenset(_placeholder_key(text) for text in PLACEHOLDERS)

ARTICLE_FIELDS = {
    "title": True,
    "date": True,
    "summary": True,
    "updated": False,
    "people": False,
    "topics": False,
    "source": False,
    "draft": False,
    "related_headlines": False,
    "quotes": False,
    "claims": False,
    "corrections": False,
    "image": False,
    "extra": False,
}
PERSON_FIELDS = {
    "name": True,
    "summary": True,
    "aliases": False,
    "honorific": False,
    "surname": False,
    "party": False,
    "country": False,
    "born": False,
    "died": False,
    "roles": False,
    "links": False,
    "image": False,
    "extra": False,
}
TOPIC_FIELDS = {
    "name": True,
    "summary": True,
    "kind": True,
    "aliases": False,
    "date": False,
    "links": False,
    "extra": False,
}
ALIAS_FIELDS = {"name": True, "from": False, "to": False}
# Titles that go with a first name or a title's own name, never "<title> <surname>".
NAME_TITLES = ("Sir", "Dame", "Lord", "Lady", "Baroness", "Baron")
ROLE_FIELDS = {
    "title": True,
    "from": True,
    "to": False,
    "aliases": False,
    "source": False,
    "prominent": False,
    "shared": False,
}
PARTY_FIELDS = {
    "name": True,
    "from": False,
    "to": False,
    "source": False,
    "whip_withdrawn": False,
    "whip_restored": False,
}
CITATION_FIELDS = {"url": True, "title": False}
CORRECTION_FIELDS = {"date": True, "text": True}
SOURCE_FIELDS = {"name": False, "url": False, "author": False}
HEADLINE_FIELDS = {"title": True, "url": False}
QUOTE_FIELDS = {"by": True, "text": True, "via": False, "context": False}
CLAIM_FIELDS = {"claim": True, "by": False, "status": True, "evidence": False, "note": False}
EVIDENCE_FIELDS = {"label": True, "url": False}
IMAGE_FIELDS = {"src": False, "alt": False, "credit": False, "licence": False, "licence_url": False}
# What a missing part of an image is for, and so how to write it.
IMAGE_PARTS = {
    "src": "the picture's file, as a path inside static/ (src: images/story.jpg)",
    "alt": "a few words that say what the picture shows, for readers who cannot see it",
    "credit": "who made the picture (credit: Jane Smith/Example Agency)",
}
IMAGE_EXAMPLE = 'alt: "What the picture shows", credit: "Who made it"'
URL_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.-]*:|//", re.IGNORECASE)


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_OTHER_DATE_FORMATS = (
    re.compile(r"(?P<year>\d{4})[-/. ](?P<month>\d{1,2})[-/. ](?P<day>\d{1,2})"),
    re.compile(rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})"),
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}})"),
    re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"),
)
# 22/07/2020 or 07/22/2020: day or month first, told apart only when one is over 12
_NUMERIC_DATE_RE = re.compile(r"(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<year>\d{4}|\d{2})")
_TIME_RE = re.compile(
    r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\Z", re.IGNORECASE
)


def dates_meant(value: object) -> tuple[date, ...]:
    """Return the dates a value written in another format may mean, for 'did you mean'."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ()
    written = str(value).strip().lower()
    text = _TIME_RE.sub("", written)  # a date with a time of day: the date alone
    if text == written and DATE_RE.match(text):
        return ()  # the right format, with a month or day that does not exist
    candidates: list[tuple[int, int, int]] = []
    for pattern in _OTHER_DATE_FORMATS:
        m = pattern.fullmatch(text)
        if m:
            month = m["month"]
            number = int(month) if month.isdigit() else _month_number(month)
            candidates.append((int(m["year"]), number, int(m["day"])))
    m = _NUMERIC_DATE_RE.fullmatch(text)
    if m:
        year = int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
        a, b = int(m["a"]), int(m["b"])
        candidates += [(year, b, a), (year, a, b)]  # day first, as in Britain, then month first
    found: list[date] = []
    for year, month, day in candidates:
        try:
            meant = date(year, month, day)
        except ValueError:
            continue
        if meant not in found:
            found.append(meant)
    return tuple(found)


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(MONTH_NAMES, 1) if full.lower().startswith(name[:3]))


class _Invalid(Exception):
    """A field could not be read; the error is already recorded."""


@dataclass(slots=True)
class _Reader:
    """Read typed values out of one document's front matter, recording errors."""

    doc: RawDocument
    collector: Collector
    bad: bool = False

    def fail(self, path: KeyPath, message: str) -> _Invalid:
        self.collector.error(
            self.doc.src_path, self.doc.line_of(path), f"{dotted(path)}: {message}"
        )
        return _Invalid()

    def fields(self, path: KeyPath, value: Any, spec: Mapping[str, bool]) -> dict[str, Any]:
        """Check a mapping's keys against spec; return it when all is well."""
        if not isinstance(value, dict):
            if path:
                raise self.fail(
                    path, f"expected a mapping of 'key: value' lines, got {describe(value)}"
                )
            raise _Invalid()
        ok = True
        for key in value:
            if key not in spec:
                where: KeyPath = (*path, str(key))
                hint = did_you_mean(str(key), spec)
                allowed = "" if hint else f"; allowed fields are {', '.join(spec)}"
                self.collector.error(
                    self.doc.src_path,
                    self.doc.line_of(where),
                    f"unknown field '{dotted(where)}'{hint}{allowed}",
                )
                ok = False
        for key, required in spec.items():
            if required and key not in value:
                suffix = f" in {dotted(path)}" if path else ""
                self.collector.error(
                    self.doc.src_path,
                    self.doc.line_of(path) if path else 1,
                    f"missing required field '{key}'{suffix}",
                )
                ok = False
        if not ok:
            if path:
                raise _Invalid()
            self.bad = True  # keep reading the known top-level fields to report them all
        return value

    def text(self, path: KeyPath, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path, f"expected text, got {describe(value)}")
        if not isinstance(value, str):
            raise self.fail(path, f"expected text, got {describe(value)}; put it in quotes")
        if not value.strip():
            raise self.fail(path, "must not be empty")
        if "\x00" in value:
            raise self.fail(path, "contains a NUL character; remove it")
        return value.strip()

    def date(self, path: KeyPath, value: Any) -> date:
        if isinstance(value, str) and DATE_RE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        meant = dates_meant(value)
        if len(meant) > 1:  # 07/08/2020: the day and the month are named to tell them apart
            shown = [f"{d.isoformat()} ({d.day} {MONTH_NAMES[d.month - 1]})" for d in meant]
        else:
            shown = [d.isoformat() for d in meant]
        hint = f" (did you mean {' or '.join(shown)}?)" if shown else ""
        raise self.fail(path, f"expected a date like 2016-07-13, got {describe(value)}{hint}")

    def boolean(self, path: KeyPath, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {describe(value)}")
        return value

    def url(self, path: KeyPath, value: Any) -> str:
        text = self.text(path, value)
        if not URL_RE.match(text):
            raise self.fail(
                path, f"expected an http(s) URL like 'https://example.org/', got '{text}'"
            )
        return text

    def citation(self, path: KeyPath, value: Any) -> Citation:
        """Read a source: a web address, or a mapping with url and title."""
        if isinstance(value, str):
            return Citation(self.url(path, value))
        if not isinstance(value, dict):
            raise self.fail(
                path, f"expected a web address or {{url, title}}, got {describe(value)}"
            )
        data = self.fields(path, value, CITATION_FIELDS)
        title = self.text(path + ("title",), data["title"]) if data.get("title") is not None else ""
        return Citation(self.url(path + ("url",), data["url"]), title)

    def optional(
        self, path: KeyPath, data: dict[str, Any], key: str, read: Callable[[KeyPath, Any], T]
    ) -> T | None:
        """Read data[key] when it is present and not empty."""
        return read(path + (key,), data[key]) if data.get(key) is not None else None

    def items(self, path: KeyPath, value: Any, read: Callable[[KeyPath, Any], T]) -> tuple[T, ...]:
        """Read every item of a list, reporting each bad item."""
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {describe(value)}")
        out: list[T] = []
        ok = True
        for i, item in enumerate(value):
            try:
                out.append(read(path + (i,), item))
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid()
        return tuple(out)

    def texts(self, path: KeyPath, value: Any) -> tuple[str, ...]:
        items = self.items(path, value, self.text)
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item in seen:
                raise self.fail(path + (i,), f"'{item}' is listed twice")
            seen.add(item)
        return items

    def aliases(self, path: KeyPath, value: Any) -> tuple[DatedAlias, ...]:
        """Read `aliases`: each a name, or {name, from, to} for one valid between dates."""

        def alias(at: KeyPath, item: Any) -> DatedAlias:
            if isinstance(item, list) or item is None:
                raise self.fail(
                    at,
                    f"expected a name, or a mapping of name, from and to, got {describe(item)}",
                )
            if not isinstance(item, dict):
                return DatedAlias(self.text(at, item))
            data = self.fields(at, item, ALIAS_FIELDS)
            name = self.text(at + ("name",), data["name"])
            start = (
                self.date(at + ("from",), data["from"]) if data.get("from") is not None else None
            )
            end = self.date(at + ("to",), data["to"]) if data.get("to") is not None else None
            if start is not None and end is not None and end <= start:
                raise self.fail(
                    at + ("to",),
                    f"'{name}': to ({end}) must come after from ({start}); the alias names "
                    "them in stories dated from 'from' up to, not including, 'to'",
                )
            return DatedAlias(name, start, end)

        items = self.items(path, value, alias)
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise self.fail(path + (i,), f"'{item.name}' is listed twice")
            seen.add(item.name)
        return items

    def honorific(self, path: KeyPath, value: Any) -> str:
        text = self.text(path, value)
        bare = text.removesuffix(".")
        if bare in HONORIFICS:
            return bare
        if bare in NAME_TITLES:
            raise self.fail(
                path,
                f"'{bare}' goes with a first name or a title ('{bare} Keir'), not the surname; "
                "add the form stories use to aliases, with from: the day the title was given",
            )
        same = [h for h in HONORIFICS if h.lower() == bare.lower()]
        hint = f" (did you mean '{same[0]}'?)" if same else did_you_mean(bare, HONORIFICS)
        raise self.fail(
            path,
            f"expected one of {', '.join(HONORIFICS)}, got '{text}'{hint}; a title that comes "
            "with an office ('Senator Warren') belongs in that role's aliases",
        )

    def mapping(self, path: KeyPath, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                path, f"expected a mapping of 'key: value' lines, got {describe(value)}"
            )
        return value

    def links(self, path: KeyPath, value: Any) -> tuple[Link, ...]:
        mapping = self.mapping(path, value)
        out: list[Link] = []
        ok = True
        for label, url in mapping.items():
            try:
                out.append(
                    Link(
                        self.text(path + (str(label),), str(label)),
                        self.url(path + (str(label),), url),
                    )
                )
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid()
        return tuple(out)

    def image(self, path: KeyPath, value: Any) -> Image:
        """Read an image: {src, alt, credit, licence, licence_url}; alt and credit required."""
        if isinstance(value, str):
            src = value.strip()
            raise self.fail(
                path,
                f"'{src}' has no alt text or credit, and every picture needs both; write "
                f"image: {{src: {src}, {IMAGE_EXAMPLE}}} (licence and licence_url may follow)",
            )
        if not isinstance(value, dict):
            raise self.fail(
                path,
                f"expected a mapping of src, alt and credit, got {describe(value)}; write "
                f"image: {{src: images/story.jpg, {IMAGE_EXAMPLE}}}",
            )
        data = self.fields(path, value, IMAGE_FIELDS)
        missing = [key for key in IMAGE_PARTS if data.get(key) is None]
        for key in missing:
            self.collector.error(
                self.doc.src_path,
                self.doc.line_of(path),
                f"missing required field '{key}' in {dotted(path)}: add {key}: {IMAGE_PARTS[key]}",
            )
        if missing:
            raise _Invalid()
        src = self.image_src(path + ("src",), data["src"])
        alt = self.text(path + ("alt",), data["alt"])
        credit = self.text(path + ("credit",), data["credit"])
        licence = self.optional(path, data, "licence", self.text) or ""
        licence_url = self.optional(path, data, "licence_url", self.url) or ""
        return Image(src, alt, credit, licence, licence_url, self.doc.line_of(path + ("src",)))

    def image_src(self, path: KeyPath, value: Any) -> str:
        """Read a picture's path inside static/."""
        src = self.text(path, value)
        if URL_SCHEME_RE.match(src):
            raise self.fail(
                path,
                f"'{src}' is an address, and pictures are never fetched from other sites; save "
                "the file in static/images/ and write its path inside static/, like images/story.jpg",
            )
        if "\\" in src:
            raise self.fail(
                path, f"write the path with forward slashes: {src.replace(chr(92), '/')}"
            )
        parts = src.split("/")
        if src.startswith("/") or ".." in parts or "" in parts or "." in parts:
            raise self.fail(
                path,
                f"expected a path inside static/, like images/story.jpg, got '{src}'",
            )
        if any(part.startswith(".") for part in parts):
            raise self.fail(
                path, f"'{src}' is a hidden file, which the site never publishes; rename it"
            )
        return src


class _Fields:
    """Read the fields of one document, so one bad field does not hide the others."""

    def __init__(self, reader: _Reader, meta: dict[str, Any], spec: Mapping[str, bool]) -> None:
        self.reader = reader
        self.meta = meta
        self.spec = spec
        self.ok = True

    def get(self, key: str, read: Callable[[KeyPath, Any], T], default: T) -> T:
        """Read an optional field left empty as absent; a required one must have a value."""
        if key not in self.meta or (self.meta[key] is None and not self.spec[key]):
            return default
        try:
            return read((key,), self.meta[key])
        except _Invalid:
            self.ok = False
            return default


def _read_role(r: _Reader) -> Callable[[KeyPath, Any], Role]:
    def read(path: KeyPath, value: Any) -> Role:
        data = r.fields(path, value, ROLE_FIELDS) if isinstance(value, dict) else None
        if data is None:
            raise r.fail(path, f"expected a role with title and from, got {describe(value)}")
        title = r.text(path + ("title",), data["title"])
        start = r.date(path + ("from",), data["from"])
        end = r.date(path + ("to",), data["to"]) if data.get("to") is not None else None
        aliases = (
            r.texts(path + ("aliases",), data["aliases"]) if data.get("aliases") is not None else ()
        )
        if end is not None and end < start:
            raise r.fail(
                path + ("to",), f"role ends ({end}) before it starts ({start}); swap the dates"
            )
        source = r.optional(path, data, "source", r.citation)
        prominent = r.optional(path, data, "prominent", r.boolean)
        shared = r.boolean(path + ("shared",), data["shared"]) if "shared" in data else False
        return Role(title, start, end, aliases, source, prominent, shared)

    return read


def _read_party(r: _Reader) -> Callable[[KeyPath, Any], tuple[PartySpan, ...]]:
    def span(path: KeyPath, value: Any) -> PartySpan:
        data = r.fields(path, value, PARTY_FIELDS) if isinstance(value, dict) else None
        if data is None:
            raise r.fail(path, f"expected a party with name, from and to, got {describe(value)}")
        start = r.date(path + ("from",), data["from"]) if data.get("from") is not None else None
        end = r.date(path + ("to",), data["to"]) if data.get("to") is not None else None
        if start and end and end < start:
            raise r.fail(path + ("to",), f"membership ends ({end}) before it starts ({start})")
        source = r.optional(path, data, "source", r.citation)
        withdrawn = r.optional(path, data, "whip_withdrawn", r.date)
        restored = r.optional(path, data, "whip_restored", r.date)
        _check_whip(r, path, start, end, withdrawn, restored)
        name = r.text(path + ("name",), data["name"])
        return PartySpan(name, start, end, source, withdrawn, restored)

    def read(path: KeyPath, value: Any) -> tuple[PartySpan, ...]:
        if isinstance(value, list):
            return r.items(path, value, span)
        return (PartySpan(r.text(path, value)),)

    return read


def _check_whip(
    r: _Reader,
    path: KeyPath,
    start: date | None,
    end: date | None,
    withdrawn: date | None,
    restored: date | None,
) -> None:
    """Refuse whip dates that contradict each other or fall outside the membership."""
    if restored is not None and withdrawn is None:
        raise r.fail(
            path + ("whip_restored",),
            "the whip can only be restored after it was withdrawn; add whip_withdrawn",
        )
    if withdrawn is None:
        return
    if (start is not None and withdrawn < start) or (end is not None and withdrawn >= end):
        raise r.fail(
            path + ("whip_withdrawn",),
            f"whip withdrawn ({withdrawn}) outside the membership "
            f"({start or 'no start'} to {end or 'no end'})",
        )
    if restored is not None and restored <= withdrawn:
        raise r.fail(
            path + ("whip_restored",),
            f"whip restored ({restored}) before it was withdrawn ({withdrawn})",
        )
    if restored is not None and end is not None and restored > end:
        raise r.fail(
            path + ("whip_restored",),
            f"whip restored ({restored}) after the membership ended ({end})",
        )


def _plain_date(value: Any) -> date | None:
    """Return value as a date when it is one, without reporting anything."""
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def find_placeholders(doc: RawDocument) -> tuple[tuple[str, int], ...]:
    """Return (field, line) for each value that is still example text from `build.py new`."""
    found: list[tuple[str, int]] = []

    def walk(path: KeyPath, value: Any) -> None:
        if isinstance(value, str) and _placeholder_key(value) in PLACEHOLDER_KEYS:
            found.append((dotted(path), doc.line_of(path)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk((*path, str(key)), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk((*path, i), item)

    walk((), dict(doc.meta))
    return tuple(found)


PLACEHOLDER_ERROR = (
    "{field}: this is the example text that build.py new wrote; replace it with your own "
    "before publishing"
)


def _item_lines(doc: RawDocument, key: str) -> tuple[int, ...]:
    """Return the line of each item of a list field."""
    value = doc.meta.get(key)
    count = len(value) if isinstance(value, list) else 0
    return tuple(doc.line_of((key, i)) for i in range(count))


def parse_person(doc: RawDocument, collector: Collector) -> Person | None:
    """Validate a person's front matter."""
    r = _Reader(doc, collector)
    try:
        meta = r.fields((), doc.meta, PERSON_FIELDS)
    except _Invalid:
        return None
    f = _Fields(r, meta, PERSON_FIELDS)
    aliases: tuple[DatedAlias, ...] = f.get("aliases", r.aliases, ())
    person = Person(
        slug=doc.slug,
        src_path=doc.src_path,
        name=f.get("name", r.text, ""),
        summary=f.get("summary", r.text, ""),
        aliases=tuple(a.name for a in aliases),
        alias_lines=_item_lines(doc, "aliases"),
        dated_aliases=tuple(a for a in aliases if a.start or a.end),
        honorific=f.get("honorific", r.honorific, ""),
        surname=f.get("surname", r.text, ""),
        parties=f.get("party", _read_party(r), ()),
        country=f.get("country", r.text, ""),
        born=f.get("born", r.date, None),
        died=f.get("died", r.date, None),
        roles=f.get("roles", lambda p, v: r.items(p, v, _read_role(r)), ()),
        links=f.get("links", r.links, ()),
        image=f.get("image", r.image, None),
        extra=f.get("extra", r.mapping, {}),
        body=doc.body,
        body_line=doc.body_line,
        role_lines=_item_lines(doc, "roles"),
    )
    if person.born and person.died and person.died < person.born:
        f.ok = False
        r.fail(("died",), f"died ({person.died}) is before born ({person.born})")
    return person if f.ok and not r.bad else None


def parse_topic(doc: RawDocument, collector: Collector) -> Topic | None:
    """Validate a topic's front matter."""
    r = _Reader(doc, collector)
    try:
        meta = r.fields((), doc.meta, TOPIC_FIELDS)
    except _Invalid:
        return None
    f = _Fields(r, meta, TOPIC_FIELDS)

    def kind(path: KeyPath, value: Any) -> str:
        text = r.text(path, value)
        if text not in TOPIC_KINDS:
            raise r.fail(
                path,
                f"expected one of {', '.join(TOPIC_KINDS)}, got '{text}'"
                f"{did_you_mean(text, TOPIC_KINDS)}",
            )
        return text

    aliases: tuple[DatedAlias, ...] = f.get("aliases", r.aliases, ())
    topic = Topic(
        slug=doc.slug,
        src_path=doc.src_path,
        name=f.get("name", r.text, ""),
        summary=f.get("summary", r.text, ""),
        topic_kind=f.get("kind", kind, ""),
        aliases=tuple(a.name for a in aliases),
        alias_lines=_item_lines(doc, "aliases"),
        dated_aliases=tuple(a for a in aliases if a.start or a.end),
        date=f.get("date", r.date, None),
        links=f.get("links", r.links, ()),
        extra=f.get("extra", r.mapping, {}),
        body=doc.body,
        body_line=doc.body_line,
    )
    return topic if f.ok and not r.bad else None


def parse_article(doc: RawDocument, collector: Collector) -> Article | None:
    """Validate an article's front matter (slug lists are checked later, in parse_site)."""
    r = _Reader(doc, collector)
    try:
        meta = r.fields((), doc.meta, ARTICLE_FIELDS)
    except _Invalid:
        return None
    f = _Fields(r, meta, ARTICLE_FIELDS)

    def source(path: KeyPath, value: Any) -> Source:
        data = r.fields(path, value, SOURCE_FIELDS)
        return Source(
            name=r.text(path + ("name",), data["name"]) if "name" in data else "",
            url=r.url(path + ("url",), data["url"]) if "url" in data else "",
            author=r.text(path + ("author",), data["author"]) if "author" in data else "",
        )

    def headline(path: KeyPath, value: Any) -> Headline:
        if isinstance(value, str):
            return Headline(r.text(path, value), line=doc.line_of(path))
        data = r.fields(path, value, HEADLINE_FIELDS)
        return Headline(
            r.text(path + ("title",), data["title"]),
            r.url(path + ("url",), data["url"]) if "url" in data else "",
            line=doc.line_of(path + ("title",)),
        )

    def optional_text(path: KeyPath, data: dict[str, Any], key: str) -> str:
        return r.text(path + (key,), data[key]) if data.get(key) is not None else ""

    def quote(path: KeyPath, value: Any) -> Quote:
        data = r.fields(path, value, QUOTE_FIELDS)
        return Quote(
            by=r.text(path + ("by",), data["by"]),
            text=r.text(path + ("text",), data["text"]),
            via=optional_text(path, data, "via"),
            context=optional_text(path, data, "context"),
            line=doc.line_of(path + ("text",)),
            by_line=doc.line_of(path + ("by",)),
        )

    def evidence(path: KeyPath, value: Any) -> Evidence:
        if isinstance(value, str):
            return Evidence(r.text(path, value))
        data = r.fields(path, value, EVIDENCE_FIELDS)
        url = r.url(path + ("url",), data["url"]) if data.get("url") is not None else ""
        return Evidence(r.text(path + ("label",), data["label"]), url)

    def claim(path: KeyPath, value: Any) -> Claim:
        data = r.fields(path, value, CLAIM_FIELDS)
        raw_status = data["status"]
        # YAML reads a bare `false` as a boolean; it is also the name of a status.
        status = "false" if raw_status is False else r.text(path + ("status",), raw_status)
        if status not in CLAIM_STATUSES:
            raise r.fail(
                path + ("status",),
                f"expected one of {', '.join(CLAIM_STATUSES)}, got '{status}'"
                f"{did_you_mean(status, CLAIM_STATUSES)}",
            )
        found = data.get("evidence")
        return Claim(
            claim=r.text(path + ("claim",), data["claim"]),
            status=status,
            by=optional_text(path, data, "by"),
            evidence=r.items(path + ("evidence",), found, evidence) if found is not None else (),
            note=optional_text(path, data, "note"),
            line=doc.line_of(path + ("claim",)),
        )

    published = _plain_date(meta.get("date"))

    def correction(path: KeyPath, value: Any) -> Correction:
        data = r.fields(path, value, CORRECTION_FIELDS)
        day = r.date(path + ("date",), data["date"])
        text = r.text(path + ("text",), data["text"])
        if published is not None and day < published:
            raise r.fail(
                path + ("date",),
                f"correction dated {day} is before the story's date ({published})",
            )
        return Correction(day, text, doc.line_of(path + ("text",)))

    article = Article(
        slug=doc.slug,
        src_path=doc.src_path,
        title=f.get("title", r.text, ""),
        date=f.get("date", r.date, date.min),
        summary=f.get("summary", r.text, ""),
        updated=f.get("updated", r.date, None),
        people=f.get("people", r.texts, ()),
        people_lines=_item_lines(doc, "people"),
        topics=f.get("topics", r.texts, ()),
        source=f.get("source", source, None),
        draft=f.get("draft", r.boolean, False),
        related_headlines=f.get("related_headlines", lambda p, v: r.items(p, v, headline), ()),
        quotes=f.get("quotes", lambda p, v: r.items(p, v, quote), ()),
        claims=f.get("claims", lambda p, v: r.items(p, v, claim), ()),
        extra=f.get("extra", r.mapping, {}),
        body=doc.body,
        body_line=doc.body_line,
        corrections=f.get("corrections", lambda p, v: r.items(p, v, correction), ()),
        image=f.get("image", r.image, None),
        placeholders=find_placeholders(doc),
    )
    if f.ok and article.updated is not None and article.updated < article.date:
        r.fail(("updated",), f"updated ({article.updated}) is before date ({article.date})")
        return None
    return article if f.ok and not r.bad else None


def parse_site(
    config: SiteConfig,
    docs: list[RawDocument],
    collector: Collector,
    unreadable: Mapping[str, str] | None = None,
    ignored: Mapping[str, tuple[str, Path]] | None = None,
) -> Site:
    """Validate every document and the slugs that articles refer to.

    `unreadable` maps the slugs of files that could not be loaded to their collection,
    so references to them are not reported a second time as unknown. `ignored` maps
    slugs to the files not read for their names (.MD, .txt, capitals), so a reference
    to one says to rename that file rather than to create it.
    """
    pages = [parse_page(doc, collector) for doc in docs]
    return check_site(config, docs, pages, collector, unreadable, ignored)


def parse_page(doc: RawDocument, collector: Collector) -> Article | Person | Topic | None:
    """Validate one document by its collection; None when it has errors."""
    page: Article | Person | Topic | None
    if doc.collection == "articles":
        page = parse_article(doc, collector)
        # A draft may keep the examples while it is written (advise reminds).
        found = () if page is None or page.draft else page.placeholders
    elif doc.collection == "people":
        page = parse_person(doc, collector)
        found = find_placeholders(doc)
    else:
        page = parse_topic(doc, collector)
        found = find_placeholders(doc)
    for name, line in found:
        collector.error(doc.src_path, line, PLACEHOLDER_ERROR.format(field=name))
    return page


def check_site(
    config: SiteConfig,
    docs: Sequence[RawDocument],
    pages: Sequence[Article | Person | Topic | None],
    collector: Collector,
    unreadable: Mapping[str, str] | None = None,
    ignored: Mapping[str, tuple[str, Path]] | None = None,
) -> Site:
    """Check what articles refer to across files, and gather the valid pages into a Site.

    `pages` holds parse_page's result for each of `docs`, in the same order.
    """
    articles = [p for p in pages if isinstance(p, Article)]
    people = [p for p in pages if isinstance(p, Person)]
    topics = [p for p in pages if isinstance(p, Topic)]
    kinds = {d.slug: d.collection for d in docs}
    for slug, collection in (unreadable or {}).items():
        kinds.setdefault(slug, collection)
    refs = _Slugs(kinds, ignored or {})
    entity_names = _names(people, topics)
    parsed = {a.slug: a for a in articles}
    for doc in docs:
        if doc.collection != "articles":
            continue
        # Checked on the raw values too, so a bad field elsewhere does not hide these.
        for key in ("people", "topics"):
            listed = doc.meta.get(key)
            if not isinstance(listed, list):
                continue
            for i, slug in enumerate(listed):
                if not isinstance(slug, str):
                    continue
                message = refs.check(slug.strip(), (key,), entity_names, create=True)
                if message:
                    where: KeyPath = (key, i)
                    collector.error(doc.src_path, doc.line_of(where), f"{dotted(where)}: {message}")
        article = parsed.get(doc.slug)
        for i, q in enumerate(article.quotes if article else ()):
            where = ("quotes", i, "by")
            message = refs.check(q.by, ("people",), entity_names)
            if message:
                collector.error(
                    doc.src_path,
                    doc.line_of(where),
                    f"{dotted(where)}: {message}; a quote's 'by' is a person's slug",
                )
        for i, c in enumerate(article.claims if article else ()):
            where = ("claims", i, "by")
            if not c.by or c.by in refs.people or c.by in refs.topics:
                continue
            if refs.looks_like_slug(c.by) or c.by in kinds:
                message = refs.check(c.by, ("people", "topics"), entity_names)
                collector.error(
                    doc.src_path,
                    doc.line_of(where),
                    f"{dotted(where)}: {message}; a claim's 'by' is a person's or topic's "
                    "slug, or words that name no page, with a space or a capital letter "
                    "('a new study')",
                )
                continue
            owner = entity_names.get(_name_key(c.by))
            if owner:
                collector.warn(
                    doc.src_path,
                    doc.line_of(where),
                    f"{dotted(where)}: '{c.by}' is the name of {owner}; write by: {owner} "
                    "to link the claim to their page",
                )
    check_alias_count(config, people, topics, collector)
    check_offices(people, {d.slug: d for d in docs if d.collection == "people"}, collector)
    return Site(
        config=config,
        articles=tuple(sorted(articles, key=lambda a: a.sort_key)),
        people=tuple(sorted(people, key=lambda p: (p.name.casefold(), p.slug))),
        topics=tuple(sorted(topics, key=lambda t: (t.name.casefold(), t.slug))),
    )


NOUNS = {"articles": "an article", "people": "a person", "topics": "a topic"}
REF_RE = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")  # [[slug]] or [[slug|text]]


@dataclass(frozen=True, slots=True)
class _Slugs:
    """What a slug written in a field can refer to, and what to say when it refers to none."""

    kinds: Mapping[str, str]  # slug -> collection
    ignored: Mapping[str, tuple[str, Path]]  # slug -> (collection, a file not read)
    people: frozenset[str] = field(init=False)
    topics: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        for collection in ("people", "topics"):
            slugs = frozenset(s for s, c in self.kinds.items() if c == collection)
            object.__setattr__(self, collection, slugs)

    def looks_like_slug(self, text: str) -> bool:
        """A slug, not words: lowercase words joined by hyphens, or one close to a slug.

        Also a known slug with capitals ('Theresa-May', not 'Nato', which is a name) or
        written as a [[ref]].
        """
        known = self.people | self.topics
        hyphenated = "-" in text and not re.search(r"\s", text)
        if REF_RE.fullmatch(text) or (hyphenated and text.lower() in known):
            return True
        if not re.fullmatch(r"[a-z0-9-]+", text):
            return False  # words have spaces or capitals; a slug has neither
        return "-" in text or bool(did_you_mean(text, known))

    def check(
        self,
        slug: str,
        collections: tuple[str, ...],
        names: Mapping[str, str] | None = None,
        create: bool = False,
    ) -> str:
        """Return what is wrong with slug in a field taking slugs of collections, or ''.

        `names` maps names to slugs, for a name written where its slug belongs; `create`
        suggests adding the missing file (never when one exists under another name).
        """
        if self.kinds.get(slug) in collections:
            return ""
        ref = REF_RE.fullmatch(slug)
        if ref and self.kinds.get(ref[1].strip()) in collections:
            return f"write the slug alone, without [[ ]]: {ref[1].strip()}"
        wanted = " or ".join(NOUNS[c].split()[1] for c in collections)
        article = "an" if wanted[0] in "aeiou" else "a"
        if slug in self.kinds:
            return f"'{slug}' is {NOUNS[self.kinds[slug]]}, not {article} {wanted}"
        choices = [s for s, c in self.kinds.items() if c in collections]
        owner = (names or {}).get(_name_key(slug))
        if owner and self.kinds.get(owner) in collections:
            return f"'{slug}' is the name of {owner}: write the slug, {owner}"
        message = f"unknown {wanted} '{slug}'{did_you_mean(slug, choices)}"
        folder = collections[0]
        if slug in self.ignored:
            collection, path = self.ignored[slug]
            steps = [f"rename it to {slug}.md"] if path.name != f"{slug}.md" else []
            if collection not in collections:
                steps.append(f"move it into content/{folder}/")
            why = "its name" if path.name != f"{slug}.md" else "where it is"
            return f"{message}; {display_path(path)} is not read because of {why}: " + (
                " and ".join(steps)
            )
        if not SLUG_RE.match(slug):
            return f"{message}; a slug is lowercase words joined by single hyphens"
        if not create:
            return message
        return f"{message}; add content/{folder}/{slug}.md or fix the slug"


def _name_key(text: str) -> str:
    """Compare names as an author means them: case, spacing and apostrophe style aside."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def _names(people: list[Person], topics: list[Topic]) -> dict[str, str]:
    """Map each name and alias, case and spacing aside, to its one owner's slug."""
    owners: dict[str, set[str]] = {}
    entities: list[Person | Topic] = [*people, *topics]
    for entity in entities:
        for name in entity.names:
            owners.setdefault(_name_key(name), set()).add(entity.slug)
    return {name: next(iter(slugs)) for name, slugs in owners.items() if len(slugs) == 1}


def _office_key(text: str) -> str:
    words = _name_key(text).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def check_offices(
    people: list[Person], docs: Mapping[str, RawDocument], collector: Collector
) -> None:
    """Warn when two people hold one office at once, unless both mark it `shared: true`.

    An office is a role title (case, spacing and a leading 'the' aside); role aliases
    may be alike for different offices ("the Prime Minister" of two countries). Each
    role is reported once, at the holder who took it up later, naming the other.
    """
    holders: dict[str, list[tuple[Person, int, Role]]] = {}
    for person in people:
        for i, role in enumerate(person.roles):
            holders.setdefault(_office_key(role.title), []).append((person, i, role))
    reported: set[tuple[str, int]] = set()
    for key in sorted(holders):
        group = sorted(holders[key], key=lambda h: (h[2].start, h[0].slug, h[1]))
        for n, (person, i, role) in enumerate(group):
            for earlier, j, other in group[:n]:
                if (person.slug, i) in reported or (earlier.slug, j) == (person.slug, i):
                    continue
                start = max(role.start, other.start)
                ends = [e for e in (role.end, other.end) if e is not None]
                end = min(ends) if ends else None
                if (end is not None and end <= start) or (role.shared and other.shared):
                    continue
                reported.add((person.slug, i))
                doc = docs.get(person.slug)
                line = doc.line_of(("roles", i)) if doc else 1
                other_doc = docs.get(earlier.slug)
                other_line = other_doc.line_of(("roles", j)) if other_doc else 1
                if earlier.slug == person.slug:
                    who = f"roles[{j}] of this file (line {other_line})"
                else:
                    who = f"{earlier.name} ({display_path(earlier.src_path)}:{other_line})"
                until = f"to {end}" if end is not None else "on"
                collector.warn(
                    person.src_path,
                    line,
                    f"roles[{i}]: {who} also holds '{role.title}' from {start} {until}; "
                    "check the dates (a role's 'to' is the day the next holder takes over), "
                    "give different offices titles that tell them apart, or, if the office "
                    "is held jointly, add shared: true to the role in both",
                )


def check_alias_count(
    config: SiteConfig, people: list[Person], topics: list[Topic], collector: Collector
) -> None:
    """Refuse more aliases than limits.max_aliases: every one goes into the name matcher."""
    count = sum(len(p.aliases) + sum(len(r.aliases) for r in p.roles) for p in people)
    count += sum(len(t.aliases) for t in topics)
    limit = config.limits.max_aliases
    if count > limit:
        collector.error(
            config.src_path,
            config.limits.lines.get("max_aliases", 0),
            f"people and topics have {count:,} aliases in all (role aliases included); the "
            f"limit is {limit:,}, so remove aliases no article uses or raise "
            f"limits.max_aliases in site.yaml to {count} or more",
        )
