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
    # "the prime minister" names whoever `the Prime Minister` does (lower-case house styles)
    lower_case_role_aliases: bool = True
    charts: bool = True  # draw the charts (offices, the story's moment, the timeline...)


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Titles of seats in a legislature or council: not prominent unless an author says so.
SEAT_PREFIXES = ("member ", "mp ", "msp ", "ms ", "mla ", "mep ", "councillor")


def long_date(day: dt.date) -> str:
    """Format a date like '15 November 2017'."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


@dataclass(frozen=True, slots=True)
class Citation:
    """A public page that confirms a fact: its address and, optionally, its title."""

    url: str
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or self.url


@dataclass(frozen=True, slots=True)
class Role:
    """An office a person held from `start` up to (not including) `end`."""

    title: str
    start: dt.date
    end: dt.date | None
    aliases: tuple[str, ...] = ()
    source: Citation | None = None
    prominent: bool | None = None  # None: decided by the title (see is_prominent)
    shared: bool = False  # held by several people at once (co-leaders), by design

    def held_on(self, day: dt.date) -> bool:
        """Return whether the role was held on day (the end day belongs to the successor)."""
        return self.start <= day and (self.end is None or day < self.end)

    @property
    def is_prominent(self) -> bool:
        """An office worth naming after it ends: any but a seat, unless the author says."""
        if self.prominent is not None:
            return self.prominent
        return not self.title.casefold().startswith(SEAT_PREFIXES)


@dataclass(frozen=True, slots=True)
class DatedAlias:
    """An alias that names its person or topic only in stories dated from `start` up to `end`."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None


HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")


@dataclass(frozen=True, slots=True)
class PartySpan:
    """Membership of a party, open-ended when dates are absent."""

    name: str
    start: dt.date | None = None
    end: dt.date | None = None
    source: Citation | None = None
    whip_withdrawn: dt.date | None = None  # the member sat without the party's whip
    whip_restored: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        """Return whether the person belonged to the party on day."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def without_whip_on(self, day: dt.date | None) -> bool:
        """Return whether the whip was withdrawn on day (None: now)."""
        if self.whip_withdrawn is None:
            return False
        if day is None:
            return self.whip_restored is None
        restored = self.whip_restored
        return self.whip_withdrawn <= day and (restored is None or day < restored)

    def label_on(self, day: dt.date | None) -> str:
        """Name the party, saying so when the member sat without its whip on day."""
        return f"{self.name} (whip withdrawn)" if self.without_whip_on(day) else self.name

    @property
    def dates_text(self) -> str:
        """The membership's dates in words: '1 May 1997 – 15 July 2020', 'until …', 'since …'."""
        if self.start and self.end:
            return f"{long_date(self.start)} – {long_date(self.end)}"
        if self.end:
            return f"until {long_date(self.end)}"
        if self.start:
            return f"since {long_date(self.start)}"
        return ""

    @property
    def whip_text(self) -> str:
        """When the whip was withdrawn and restored, in words ('' when it never was)."""
        if self.whip_withdrawn is None:
            return ""
        withdrawn = long_date(self.whip_withdrawn)
        if self.whip_restored is not None:
            return f"whip withdrawn from {withdrawn} to {long_date(self.whip_restored)}"
        if self.end is not None:
            return f"whip withdrawn from {withdrawn} and not restored"
        return f"whip withdrawn since {withdrawn}"

    @property
    def details(self) -> str:
        """Dates and whip, as shown in brackets after the party's name."""
        return "; ".join(part for part in (self.dates_text, self.whip_text) if part)


@dataclass(frozen=True, slots=True)
class Image:
    """A picture in static/, with what must be shown with it: its alt text and credit."""

    src: str  # the file's path inside static/, e.g. images/theresa-may.jpg
    alt: str  # what the picture shows, for readers who cannot see it
    credit: str  # who made it
    licence: str = ""  # under what terms it is used, e.g. CC BY 4.0
    licence_url: str = ""  # where those terms are written
    line: int = field(default=1, compare=False)  # the line of its src


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
    aliases: tuple[str, ...] = ()  # every alias's name, dated ones too
    alias_lines: tuple[int, ...] = field(default=(), compare=False)
    dated_aliases: tuple[DatedAlias, ...] = ()  # the aliases that hold only between dates
    honorific: str = ""  # Mr, Mrs, Ms, Miss, Mx, Dr or Prof: "Mr Johnson" names them
    surname: str = ""  # when it is not the last word of name: "Duncan Smith"
    parties: tuple[PartySpan, ...] = ()
    country: str = ""
    born: dt.date | None = None
    died: dt.date | None = None
    roles: tuple[Role, ...] = ()
    links: tuple[Link, ...] = ()
    image: Image | None = None  # a portrait; without one, the page shows initials
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    role_lines: tuple[int, ...] = field(default=(), compare=False)

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
        """Describe the person's position on day, e.g. 'Former Prime Minister · MP for X'."""
        ended = [r for r in self.roles if r.end is not None and r.end <= day]
        return self._position(self.roles_on(day), ended)

    def current_label(self) -> str:
        """Describe the person's position now: the open-ended roles and those left."""
        held = [(i, r) for i, r in enumerate(self.roles) if r.end is None]
        held.sort(key=lambda item: (-item[1].start.toordinal(), item[0]))
        ended = [r for r in self.roles if r.end is not None]
        return self._position(tuple(r for _, r in held), ended)

    def _position(self, held: tuple[Role, ...], ended: list[Role]) -> str:
        """Name the office held (a prominent one first) and a more prominent one left."""
        order = {id(r): i for i, r in enumerate(self.roles)}

        def last_left(roles: list[Role]) -> Role:
            # Ties go to the office listed first: authors list the main one first.
            return max(roles, key=lambda r: (r.end or r.start, r.start, -order[id(r)]))

        former_prominent = [r for r in ended if r.is_prominent]
        if held:
            current = next((r for r in held if r.is_prominent), held[0])
            if current.is_prominent:
                return current.title
            titles = {r.title for r in held}
            earlier = [r for r in former_prominent if r.title not in titles]
            if earlier:
                return f"Former {last_left(earlier).title} · {current.title}"
            return current.title
        if ended:
            return f"Former {last_left(former_prominent or ended).title}"
        return ""

    def roles_newest_first(self) -> list[Role]:
        """Return the roles as a profile lists them: the latest started first."""
        return sorted(self.roles, key=lambda r: (-r.start.toordinal(), r.title))

    def sources(self) -> tuple[Citation, ...]:
        """Return each cited page once, numbered in the order a profile shows the facts."""
        cited = [r.source for r in self.roles_newest_first()]
        cited += [p.source for p in self.parties]
        return tuple(dict.fromkeys(c for c in cited if c is not None))

    def unsourced_roles(self) -> tuple[int, ...]:
        """Return the index of every role that cites no source."""
        return tuple(i for i, r in enumerate(self.roles) if r.source is None)

    def party_span_on(self, day: dt.date | None) -> PartySpan | None:
        """Return the membership held on day; with no day, the current one.

        A membership that has ended is no one's current party, except that of someone
        who has died, whose last party is shown.
        """
        if not self.parties:
            return None
        if day is None:
            current = [p for p in self.parties if p.end is None]
            if current:
                return current[-1]
            return self.parties[-1] if self.died else None
        for party in self.parties:
            if party.held_on(day):
                return party
        return None

    def party_on(self, day: dt.date | None) -> str:
        """Return the party the person belonged to on day (or the current one)."""
        span = self.party_span_on(day)
        return span.name if span else ""

    def party_label_on(self, day: dt.date | None) -> str:
        """Return the party on day as a reader should see it, e.g. 'Labour (whip withdrawn)'."""
        span = self.party_span_on(day)
        return span.label_on(day) if span else ""

    @property
    def shows_party_history(self) -> bool:
        """Whether a profile lists the memberships: more than one, or any dated or cited."""
        return len(self.parties) > 1 or any(
            p.start or p.end or p.source or p.whip_withdrawn for p in self.parties
        )

    @property
    def last_name(self) -> str:
        """The surname: `surname` when given, else the last word of the name."""
        return self.surname or self.name.split()[-1]

    @property
    def honorific_names(self) -> tuple[str, ...]:
        """The press's second reference, "Mr Johnson", and the form with a full stop."""
        if not self.honorific:
            return ()
        return (f"{self.honorific} {self.last_name}", f"{self.honorific}. {self.last_name}")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.honorific_names)


@dataclass(frozen=True, slots=True)
class Topic:
    """An organisation, institution, concept, event or place that articles explain."""

    slug: str
    src_path: Path
    name: str
    summary: str
    topic_kind: str
    aliases: tuple[str, ...] = ()  # every alias's name, dated ones too
    alias_lines: tuple[int, ...] = field(default=(), compare=False)
    dated_aliases: tuple[DatedAlias, ...] = ()  # the aliases that hold only between dates
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
class Correction:
    """A dated note that the story was changed to put an error right."""

    date: dt.date
    text: str
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
    corrections: tuple[Correction, ...] = ()
    image: Image | None = None  # the lead picture, shown at the top and shared as its card
    # (field, line) of each example text `build.py new` wrote that is still there
    placeholders: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    kind = "article"

    @property
    def corrections_newest_first(self) -> tuple[Correction, ...]:
        """The corrections, latest first; those of one day in the order written."""
        ordered = sorted(
            enumerate(self.corrections), key=lambda i_c: (-i_c[1].date.toordinal(), i_c[0])
        )
        return tuple(c for _, c in ordered)

    @property
    def modified(self) -> dt.date:
        """The day the story last changed: its latest correction, `updated` or its date."""
        days = [self.date, *(c.date for c in self.corrections)]
        if self.updated is not None:
            days.append(self.updated)
        return max(days)

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
