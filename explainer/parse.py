"""Turn raw documents into validated, typed model objects; report every problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from .errors import Collector, did_you_mean
from .load import KeyPath, RawDocument, describe, dotted
from .model import (
    CLAIM_STATUSES,
    Article,
    Claim,
    Evidence,
    Headline,
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
    "extra": False,
}
PERSON_FIELDS = {
    "name": True,
    "summary": True,
    "aliases": False,
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
ROLE_FIELDS = {"title": True, "from": True, "to": False, "aliases": False}
PARTY_FIELDS = {"name": True, "from": False, "to": False}
SOURCE_FIELDS = {"name": False, "url": False, "author": False}
HEADLINE_FIELDS = {"title": True, "url": False}
QUOTE_FIELDS = {"by": True, "text": True, "via": False, "context": False}
CLAIM_FIELDS = {"claim": True, "by": False, "status": True, "evidence": False, "note": False}
EVIDENCE_FIELDS = {"label": True, "url": False}


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
        return Role(title, start, end, aliases)

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
        return PartySpan(r.text(path + ("name",), data["name"]), start, end)

    def read(path: KeyPath, value: Any) -> tuple[PartySpan, ...]:
        if isinstance(value, list):
            return r.items(path, value, span)
        return (PartySpan(r.text(path, value)),)

    return read


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
    person = Person(
        slug=doc.slug,
        src_path=doc.src_path,
        name=f.get("name", r.text, ""),
        summary=f.get("summary", r.text, ""),
        aliases=f.get("aliases", r.texts, ()),
        alias_lines=_item_lines(doc, "aliases"),
        parties=f.get("party", _read_party(r), ()),
        country=f.get("country", r.text, ""),
        born=f.get("born", r.date, None),
        died=f.get("died", r.date, None),
        roles=f.get("roles", lambda p, v: r.items(p, v, _read_role(r)), ()),
        links=f.get("links", r.links, ()),
        image=f.get("image", r.text, ""),
        extra=f.get("extra", r.mapping, {}),
        body=doc.body,
        body_line=doc.body_line,
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

    topic = Topic(
        slug=doc.slug,
        src_path=doc.src_path,
        name=f.get("name", r.text, ""),
        summary=f.get("summary", r.text, ""),
        topic_kind=f.get("kind", kind, ""),
        aliases=f.get("aliases", r.texts, ()),
        alias_lines=_item_lines(doc, "aliases"),
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
) -> Site:
    """Validate every document and the slugs that articles refer to.

    `unreadable` maps the slugs of files that could not be loaded to their collection,
    so references to them are not reported a second time as unknown.
    """
    articles: list[Article] = []
    people: list[Person] = []
    topics: list[Topic] = []
    for doc in docs:
        if doc.collection == "articles":
            article = parse_article(doc, collector)
            if article:
                articles.append(article)
        elif doc.collection == "people":
            person = parse_person(doc, collector)
            if person:
                people.append(person)
        else:
            topic = parse_topic(doc, collector)
            if topic:
                topics.append(topic)
    kinds = {d.slug: d.collection for d in docs}
    for slug, collection in (unreadable or {}).items():
        kinds.setdefault(slug, collection)
    person_slugs = {s for s, c in kinds.items() if c == "people"}
    topic_slugs = {s for s, c in kinds.items() if c == "topics"}
    parsed = {a.slug: a for a in articles}
    for doc in docs:
        if doc.collection != "articles":
            continue
        # Checked on the raw values too, so a bad field elsewhere does not hide these.
        for key, slugs, noun in (
            ("people", person_slugs, "person"),
            ("topics", topic_slugs, "topic"),
        ):
            listed = doc.meta.get(key)
            if not isinstance(listed, list):
                continue
            for i, slug in enumerate(listed):
                if not isinstance(slug, str) or slug.strip() in slugs:
                    continue
                slug = slug.strip()
                where: KeyPath = (key, i)
                if slug in kinds:
                    other = {"articles": "an article", "people": "a person", "topics": "a topic"}
                    message = f"'{slug}' is {other[kinds[slug]]}, not a {noun}"
                else:
                    message = (
                        f"unknown {noun} '{slug}'{did_you_mean(slug, slugs)}; "
                        f"add content/{key}/{slug}.md or fix the slug"
                    )
                collector.error(doc.src_path, doc.line_of(where), f"{dotted(where)}: {message}")
        article = parsed.get(doc.slug)
        for i, q in enumerate(article.quotes if article else ()):
            if q.by not in person_slugs:
                where = ("quotes", i, "by")
                hint = did_you_mean(q.by, person_slugs)
                collector.error(
                    doc.src_path,
                    doc.line_of(where),
                    f"{dotted(where)}: unknown person '{q.by}'{hint}; a quote's 'by' is a person's slug",
                )
    check_alias_count(config, people, topics, collector)
    return Site(
        config=config,
        articles=tuple(sorted(articles, key=lambda a: a.sort_key)),
        people=tuple(sorted(people, key=lambda p: (p.name.casefold(), p.slug))),
        topics=tuple(sorted(topics, key=lambda t: (t.name.casefold(), t.slug))),
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
