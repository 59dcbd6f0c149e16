"""Typed, frozen content model: what the rest of the pipeline works on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Limits:
    """How much content the build accepts before it refuses (site.yaml `limits:`)."""

    max_file_mb: float = 5
    max_nesting: int = 20
    max_yaml_values: int = 100_000
    max_aliases: int = 10_000
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # setting -> line

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Settings from site.yaml."""

    title: str
    base_url: str
    language: str = "en"
    description: str = ""
    tagline: str = ""
    src_path: Path = Path("site.yaml")
    embed_hosts: tuple[str, ...] = ()  # hosts whose https pages articles may embed (iframes)
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class Role:
    """An office a person held from `start` up to (not including) `end`."""

    title: str
    start: dt.date
    end: dt.date | None
    aliases: tuple[str, ...] = ()
    shared: bool = False  # held by several people at once (co-leaders), by design

    def held_on(self, day: dt.date) -> bool:
        """Return whether the role was held on day (the end day belongs to the successor)."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class PartySpan:
    """Membership of a party, open-ended when dates are absent."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        """Return whether the person belonged to the party on day."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled external link."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Person:
    """A profile page: someone articles mention."""

    slug: str
    src_path: Path
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    alias_lines: tuple[int, ...] = field(default=(), compare=False)
    parties: tuple[PartySpan, ...] = ()
    country: str = ""
    born: dt.date | None = None
    died: dt.date | None = None
    roles: tuple[Role, ...] = ()
    links: tuple[Link, ...] = ()
    image: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    kind = "person"

    @property
    def url_path(self) -> str:
        return f"people/{self.slug}/"

    @property
    def title(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalpha()]
        picked = (words[:1] + words[-1:]) if len(words) > 1 else words
        return "".join(w[0].upper() for w in picked) or "?"

    def roles_on(self, day: dt.date) -> tuple[Role, ...]:
        """Return the roles held on day, the most recently started first."""
        held = [(i, r) for i, r in enumerate(self.roles) if r.held_on(day)]
        held.sort(key=lambda item: (-item[1].start.toordinal(), item[0]))
        return tuple(r for _, r in held)

    def role_label_on(self, day: dt.date) -> str:
        """Describe the person's position on day: the latest role held, or the last one left."""
        held = self.roles_on(day)
        if held:
            return held[0].title
        ended = [r for r in self.roles if r.end is not None and r.end <= day]
        if ended:
            last = max(ended, key=lambda r: (r.end or r.start, r.start))
            return f"Former {last.title}"
        return ""

    def current_label(self) -> str:
        """Describe the person's position now: an open-ended role, or the last one left."""
        open_roles = [(i, r) for i, r in enumerate(self.roles) if r.end is None]
        if open_roles:
            open_roles.sort(key=lambda item: (-item[1].start.toordinal(), item[0]))
            return open_roles[0][1].title
        if self.roles:
            last = max(self.roles, key=lambda r: (r.end or r.start, r.start))
            return f"Former {last.title}"
        return ""

    def party_on(self, day: dt.date | None) -> str:
        """Return the party the person belonged to on day (or the current one)."""
        if not self.parties:
            return ""
        if day is None:
            current = [p for p in self.parties if p.end is None]
            return (current or list(self.parties))[-1].name
        for party in self.parties:
            if party.held_on(day):
                return party.name
        return ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Topic:
    """An organisation, institution, concept, event or place that articles explain."""

    slug: str
    src_path: Path
    name: str
    summary: str
    topic_kind: str
    aliases: tuple[str, ...] = ()
    alias_lines: tuple[int, ...] = field(default=(), compare=False)
    date: dt.date | None = None
    links: tuple[Link, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1

    kind = "topic"

    @property
    def url_path(self) -> str:
        return f"topics/{self.slug}/"

    @property
    def title(self) -> str:
        return self.name

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Source:
    """Where an article was first published."""

    name: str = ""
    url: str = ""
    author: str = ""


@dataclass(frozen=True, slots=True)
class Headline:
    """A related story listed beside an article."""

    title: str
    url: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Quote:
    """Words the article attributes to a person, checked against the body."""

    by: str
    text: str
    via: str = ""
    context: str = ""
    line: int = field(default=1, compare=False)
    by_line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Something offered in support of (or against) a claim."""

    label: str
    url: str = ""


CLAIM_STATUSES = ("asserted", "disputed", "denied", "unverified", "supported", "false")


@dataclass(frozen=True, slots=True)
class Claim:
    """A statement someone makes in a story, with its standing and evidence."""

    claim: str
    status: str
    by: str = ""  # a person or topic slug, or free text such as "a new study"
    evidence: tuple[Evidence, ...] = ()
    note: str = ""
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Article:
    """A story that mentions people and topics."""

    slug: str
    src_path: Path
    title: str
    date: dt.date
    summary: str
    updated: dt.date | None = None
    people: tuple[str, ...] = ()
    people_lines: tuple[int, ...] = field(default=(), compare=False)
    topics: tuple[str, ...] = ()
    source: Source | None = None
    draft: bool = False
    related_headlines: tuple[Headline, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    # (field, line) of each example text `build.py new` wrote that is still there
    placeholders: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    kind = "article"

    @property
    def url_path(self) -> str:
        return f"articles/{self.slug}/"

    @property
    def name(self) -> str:
        return self.title

    @property
    def sort_key(self) -> tuple[int, str, str]:
        """Newest first, then by title and slug for a full tie-break."""
        return (-self.date.toordinal(), self.title, self.slug)


Entity = Person | Topic
Page = Article | Person | Topic


@dataclass(frozen=True, slots=True)
class Site:
    """Everything loaded and validated, before linking."""

    config: SiteConfig
    articles: tuple[Article, ...]
    people: tuple[Person, ...]
    topics: tuple[Topic, ...]

    def by_slug(self) -> dict[str, Page]:
        """Return every page keyed by its slug."""
        pages: dict[str, Page] = {}
        items: tuple[Page, ...] = (*self.articles, *self.people, *self.topics)
        for item in items:
            pages[item.slug] = item
        return pages
