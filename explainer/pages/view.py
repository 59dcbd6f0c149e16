"""What pages read of the linked site, through one door that can note every read.

Templates and the code that prepares their context read the site only through a
`SiteView`. Given a `Reads` to note into, the view hands out thin tracking wrappers
over the frozen model: each attribute read of an article, person, topic, linked
article or the site settings is noted as a fact key, and so is each look-up in the
maps that link them (backlinks, quotes, claims, timeline...). Without one, the view
hands out the model objects themselves and costs nothing.

A fact key names a value that `fact_value` can read again from any `PageData`, so a
later build can tell which facts changed and render again exactly the pages that read
one of them. The keys are tuples:

- `("field", slug, attr)`: an attribute of an article, person or topic
- `("linked", slug, attr)`: an attribute of a published article's linked form
- `("config", attr)`: a site setting
- `(table, slug)` for the tables in `TABLES`: an entry of a map keyed by slug
- `(name,)` for the names in `SINGLES`: a value of the whole site (the article list...)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..content.images import SourceImage
from ..content.model import Article, Claim, Person, Quote, SiteConfig, Topic
from ..link.linking import LinkedClaim, LinkedSite
from .corrections import last_corrected, site_corrections
from .pictures import office_titles_of
from .timeline import Entry, build_timeline

Fact = tuple[str, ...]
MISSING = object()  # the value of a fact about something that does not exist
ENTITY_TYPES = (Article, Person, Topic)


class Reads(Protocol):
    """Something that notes the facts a page reads."""

    def add(self, fact: Fact) -> None: ...


class Tracked:
    """A read-only view of a frozen model object that notes every attribute read.

    Methods and properties run with the view as `self`, so what they read is noted too.
    Articles, people and topics found in an attribute are handed out tracked as well.
    """

    __slots__ = ("_obj", "_prefix", "_reads")

    def __init__(self, obj: Any, prefix: Fact, reads: Reads) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_reads", reads)

    def __getattr__(self, name: str) -> Any:
        # What the view's class (see _view_type) does not carry: rarely reached.
        member = getattr(type(self._obj), name, None)
        if isinstance(member, types.FunctionType):
            return types.MethodType(member, self)
        if isinstance(member, property) and member.fget is not None:
            return member.fget(self)
        return _read(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self._obj).__name__} is read-only")

    def _whole(self) -> Any:
        """The object itself, for what reads all of it (comparing, hashing, printing)."""
        obj = self._obj
        if dataclasses.is_dataclass(obj):
            for item in dataclasses.fields(obj):
                self._reads.add((*self._prefix, item.name))
        return obj

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tracked):
            other = other._whole()
        return bool(self._whole() == other)

    def __hash__(self) -> int:
        return hash(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __str__(self) -> str:
        return str(self._whole())


def _read(view: Tracked, name: str) -> Any:
    """Read an attribute off the object behind a view, noting the read."""
    value = getattr(view._obj, name)
    view._reads.add((*view._prefix, name))
    if isinstance(value, ENTITY_TYPES):
        return track(value, ("field", value.slug), view._reads)
    return value


def track(obj: Any, prefix: Fact, reads: Reads) -> Any:
    """Wrap obj in a view that notes each read into `reads`."""
    kind: Any = type(obj)
    return _view_type(kind)(obj, prefix, reads)


@functools.cache
def _view_type(kind: type) -> type[Tracked]:
    """The tracking class for objects of kind, named and placed as kind is, so that
    messages about it (a template asking for a field that does not exist) read as
    they would without it.

    It has kind's methods and properties, which so run with the view as `self`, and a
    property noting the read for each dataclass field: a read finds its attribute at
    once, where Tracked.__getattr__ runs only after Python's own look-up has failed.
    """
    namespace: dict[str, Any] = {"__slots__": (), "__module__": kind.__module__}
    for klass in reversed(kind.__mro__[:-1]):  # not object's
        for name, member in vars(klass).items():
            if name.startswith("__") or name in _TRACKED_NAMES:
                continue
            if isinstance(member, types.FunctionType) or (
                isinstance(member, property) and member.fget is not None
            ):
                namespace[name] = member
    if dataclasses.is_dataclass(kind):
        for item in dataclasses.fields(kind):
            if item.name not in _TRACKED_NAMES:
                namespace[item.name] = _field_reader(item.name)
    view_type = type(kind.__name__, (Tracked,), namespace)
    view_type.__qualname__ = kind.__qualname__
    return view_type


_TRACKED_NAMES = frozenset({"_obj", "_prefix", "_reads", "_whole"})


def _field_reader(name: str) -> property:
    """A property that reads one field of the object behind a view and notes the read."""

    return property(lambda view: _read(view, name))


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page the site has: where it goes, which template draws it, and about what."""

    url_path: str
    template: str  # '' for the text files (feed, sitemap, robots.txt)
    kind: str
    subject: str = ""  # the slug the page is about, if any
    in_sitemap: bool = True


@dataclass(frozen=True, slots=True)
class PageData:
    """The linked site plus what pages derive from it: pure, computed once per build."""

    linked: LinkedSite
    timeline: tuple[Entry, ...]
    timeline_of: Mapping[str, tuple[Entry, ...]]
    timeline_people: tuple[str, ...]
    counts: Mapping[str, int]  # entity slug -> articles naming it
    lastmod: tuple[tuple[str, dt.date | None], ...]  # sitemap: url path -> last change
    claims: tuple[LinkedClaim, ...]
    jobs: tuple[PageJob, ...]
    pages: Mapping[str, Article | Person | Topic]  # every article, person and topic by slug
    horizon: dt.date  # the latest day the content names: where offices still held end on charts
    office_titles: Mapping[str, tuple[str, ...]]  # topic slug -> the office titles that name it
    holders: Mapping[str, tuple[str, ...]]  # such an office's title -> the slugs of its holders
    images: Mapping[str, SourceImage] = dataclasses.field(default_factory=dict)  # by src


def _latest(linked: LinkedSite) -> tuple[dt.date | None, Mapping[str, dt.date]]:
    """The day the newest article last changed, and the same for the articles of each entity."""
    latest: dt.date | None = None
    latest_of: dict[str, dt.date] = {}
    for item in linked.articles:
        day = item.article.modified
        if latest is None or day > latest:
            latest = day
        for slug in item.entities:
            known = latest_of.get(slug)
            if known is None or day > known:
                latest_of[slug] = day
    return latest, latest_of


def horizon_of(linked: LinkedSite) -> dt.date:
    """The last day of the latest year the site's content names (stories, offices, parties,
    events): a chart draws an office still held up to it. Whole years, so that a new story
    redraws the charts only when it is the first of a new year."""
    days: list[dt.date] = [item.article.date for item in linked.articles]
    for person in linked.site.people:
        for role in person.roles:
            days.append(role.end or role.start)
        for span in person.parties:
            days += [d for d in (span.start, span.end, span.whip_withdrawn, span.whip_restored) if d]
    days += [t.date for t in linked.site.topics if t.date is not None]
    return dt.date(max(days, default=dt.date(1970, 1, 1)).year, 12, 31)


def office_titles(linked: LinkedSite) -> dict[str, tuple[str, ...]]:
    """For each topic, the titles of the offices that name it ("Chair of the ISC" -> ISC)."""
    titles = {role.title for person in linked.site.people for role in person.roles}
    found = {}
    for topic in linked.site.topics:
        named = office_titles_of(topic, titles)
        if named:
            found[topic.slug] = named
    return found


def holders_of(linked: LinkedSite, titles: set[str]) -> dict[str, tuple[str, ...]]:
    """The slugs of the people who held each of the given offices, in site order."""
    found: dict[str, list[str]] = {}
    for person in linked.site.people:
        for title in dict.fromkeys(r.title for r in person.roles if r.title in titles):
            found.setdefault(title, []).append(person.slug)
    return {title: tuple(slugs) for title, slugs in found.items()}


def page_data(
    linked: LinkedSite,
    timeline: tuple[Entry, ...] | None = None,
    images: Mapping[str, SourceImage] | None = None,
) -> PageData:
    """Work out every page of the site and the site-wide values pages show.

    `timeline` is the site's timeline (build_timeline) when the caller has it already;
    `images` the picture files the site's images name, by src (content/images.py).
    """
    timeline = build_timeline(linked) if timeline is None else timeline
    entries_of: dict[str, list[Entry]] = {}
    for entry in timeline:
        for slug in entry.slugs:
            entries_of.setdefault(slug, []).append(entry)
    timeline_people = tuple(p.slug for p in linked.site.people if p.slug in entries_of)
    jobs = page_jobs(linked, timeline_people)
    latest, latest_of = _latest(linked)
    titles = office_titles(linked)
    lastmod: list[tuple[str, dt.date | None]] = []
    for job in jobs:
        if not job.in_sitemap:
            continue
        if job.kind == "article":
            lastmod.append((job.url_path, linked.by_slug[job.subject].article.modified))
        elif job.kind == "corrections":
            newest = last_corrected(site_corrections(item.article for item in linked.articles))
            lastmod.append((job.url_path, newest or latest))
        elif job.subject:
            lastmod.append((job.url_path, latest_of.get(job.subject)))
        else:
            lastmod.append((job.url_path, latest))
    return PageData(
        linked=linked,
        timeline=timeline,
        timeline_of={slug: tuple(entries) for slug, entries in entries_of.items()},
        timeline_people=timeline_people,
        counts={slug: len(links) for slug, links in linked.backlinks.items()},
        lastmod=tuple(lastmod),
        claims=linked.claims,
        jobs=jobs,
        pages=linked.site.by_slug(),
        images=images if images is not None else {},
        horizon=horizon_of(linked),
        office_titles=titles,
        holders=holders_of(linked, {t for named in titles.values() for t in named}),
    )


def stories_timeline_path(linked: LinkedSite) -> str:
    """Where the timeline of stories only goes: timeline/stories/, unless a person has that slug."""
    taken = {p.slug for p in linked.site.people}
    name = "stories"
    while name in taken:
        name = f"{name}-only"
    return f"timeline/{name}/"


def page_jobs(linked: LinkedSite, timeline_people: Iterable[str]) -> tuple[PageJob, ...]:
    """List every page of the site, in a stable order."""
    jobs = [
        PageJob("", "index.html", "home"),
        PageJob("articles/", "articles.html", "articles"),
        PageJob("people/", "people.html", "people"),
        PageJob("topics/", "topics.html", "topics"),
        PageJob("claims/", "claims.html", "claims"),
        PageJob("corrections/", "corrections.html", "corrections"),
        PageJob("timeline/", "timeline.html", "timeline"),
        PageJob(stories_timeline_path(linked), "timeline.html", "stories-timeline"),
        *(
            PageJob(f"timeline/{slug}/", "timeline.html", "person-timeline", slug)
            for slug in timeline_people
        ),
        PageJob("search/", "search.html", "search"),
        PageJob("404.html", "404.html", "not-found", in_sitemap=False),
        *(
            PageJob(item.article.url_path, "article.html", "article", item.article.slug)
            for item in linked.articles
        ),
        *(PageJob(p.url_path, "person.html", "person", p.slug) for p in linked.site.people),
        *(PageJob(t.url_path, "topic.html", "topic", t.slug) for t in linked.site.topics),
        PageJob("feed.xml", "", "feed", in_sitemap=False),
        PageJob("sitemap.xml", "", "sitemap", in_sitemap=False),
        PageJob("robots.txt", "", "robots", in_sitemap=False),
    ]
    return tuple(jobs)


# Maps keyed by slug that pages look entries up in: name -> how to find it in PageData.
TABLES: dict[str, Callable[[PageData], Mapping[str, Any]]] = {
    "backlinks": lambda d: d.linked.backlinks,
    "co_mentions": lambda d: d.linked.co_mentions,
    "related": lambda d: d.linked.related,
    "quotes_by": lambda d: d.linked.quotes_by,
    "claims_of": lambda d: d.linked.claims_of,
    "bodies": lambda d: d.linked.bodies,
    "body_refs": lambda d: d.linked.body_refs,
    "timeline_of": lambda d: d.timeline_of,
    "counts": lambda d: d.counts,
    "images": lambda d: d.images,
    "office_titles": lambda d: d.office_titles,
    "holders": lambda d: d.holders,
}
# Values of the whole site that pages read: name -> how to find it in PageData.
SINGLES: dict[str, Callable[[PageData], Any]] = {
    "articles": lambda d: tuple(item.article.slug for item in d.linked.articles),
    "people": lambda d: tuple(p.slug for p in d.linked.site.people),
    "topics": lambda d: tuple(t.slug for t in d.linked.site.topics),
    "claims": lambda d: d.claims,
    "timeline": lambda d: d.timeline,
    "timeline_people": lambda d: d.timeline_people,
    "lastmod": lambda d: d.lastmod,
    "counted": lambda d: tuple(sorted(d.counts)),
    "horizon": lambda d: d.horizon,
    "stories_path": lambda d: stories_timeline_path(d.linked),
}


def fact_value(data: PageData, fact: Fact) -> Any:
    """Read the value a fact key names, or MISSING."""
    kind = fact[0]
    if kind == "field":
        page = data.pages.get(fact[1])
        return MISSING if page is None else getattr(page, fact[2], MISSING)
    if kind == "linked":
        item = data.linked.by_slug.get(fact[1])
        return MISSING if item is None else getattr(item, fact[2], MISSING)
    if kind == "config":
        return getattr(data.linked.site.config, fact[1], MISSING)
    if kind in TABLES:
        return TABLES[kind](data).get(fact[1], MISSING)
    return SINGLES[kind](data)


@dataclass(frozen=True, slots=True)
class Backlink:
    """An article that mentions an entity, with the sentence that does."""

    article: Any  # Article, or its tracked view
    excerpt: str


@dataclass(frozen=True, slots=True)
class QuoteUse:
    """A quote with the article it comes from."""

    article: Any
    quote: Quote


@dataclass(frozen=True, slots=True)
class ClaimEntry:
    """A claim as pages show it: with its article, speaker slug and subjects."""

    article: Any
    claim: Claim
    by_slug: str
    about: tuple[str, ...]


class SiteView:
    """The linked site as pages read it; notes each read when given `reads`."""

    def __init__(self, data: PageData, reads: Reads | None = None) -> None:
        self.data = data
        self.reads = reads
        self._site = data.linked.site

    def _note(self, *fact: str) -> None:
        if self.reads is not None:
            self.reads.add(fact)

    def _wrap(self, obj: Any, prefix: Fact) -> Any:
        return obj if self.reads is None else track(obj, prefix, self.reads)

    @property
    def config(self) -> SiteConfig:
        return self._wrap(self._site.config, ("config",))  # type: ignore[no-any-return]

    def entity(self, slug: str) -> Any:
        """Return a person or topic (None if there is none by that slug)."""
        found = self.data.linked.entities.get(slug)
        if found is None:
            self._note("field", slug, "kind")
            return None
        return self._wrap(found, ("field", slug))

    def article(self, slug: str) -> Any:
        """Return an article, published or not."""
        return self._wrap(self.data.pages[slug], ("field", slug))

    def item(self, slug: str) -> Any:
        """Return a published article's linked form."""
        return self._wrap(self.data.linked.by_slug[slug], ("linked", slug))

    def _single(self, name: str) -> Any:
        self._note(name)
        return SINGLES[name](self.data)

    def _entry(self, table: str, slug: str, default: Any = ()) -> Any:
        self._note(table, slug)
        return TABLES[table](self.data).get(slug, default)

    def articles(self) -> list[Any]:
        """Published articles, newest first."""
        return [self.article(slug) for slug in self._single("articles")]

    def items(self) -> list[Any]:
        """Published articles' linked forms, newest first."""
        return [self.item(slug) for slug in self._single("articles")]

    def people(self) -> list[Any]:
        return [self.entity(slug) for slug in self._single("people")]

    def topics(self) -> list[Any]:
        return [self.entity(slug) for slug in self._single("topics")]

    def timeline(self) -> tuple[Entry, ...]:
        return self._single("timeline")  # type: ignore[no-any-return]

    def timeline_people(self) -> list[Any]:
        return [self.entity(slug) for slug in self._single("timeline_people")]

    def timeline_of(self, slug: str) -> tuple[Entry, ...]:
        return self._entry("timeline_of", slug)  # type: ignore[no-any-return]

    def horizon(self) -> dt.date:
        """The latest day the content names: offices still held are drawn open up to it."""
        return self._single("horizon")  # type: ignore[no-any-return]

    def stories_path(self) -> str:
        """Where the timeline of stories only is."""
        return self._single("stories_path")  # type: ignore[no-any-return]

    def office_titles(self, slug: str) -> tuple[str, ...]:
        """The titles of the offices that name a topic."""
        return self._entry("office_titles", slug, ())  # type: ignore[no-any-return]

    def people_holding(self, titles: Iterable[str]) -> list[Any]:
        """The people who held any of these offices, each once, in site order."""
        slugs = dict.fromkeys(s for title in titles for s in self._entry("holders", title))
        return [self.entity(slug) for slug in slugs]

    def image(self, src: str) -> SourceImage | None:
        """The picture file an image names, as the build found it."""
        return self._entry("images", src, None)  # type: ignore[no-any-return]

    def lastmod(self) -> tuple[tuple[str, dt.date | None], ...]:
        return self._single("lastmod")  # type: ignore[no-any-return]

    def counted(self) -> tuple[str, ...]:
        """Every entity some article names, in slug order."""
        return self._single("counted")  # type: ignore[no-any-return]

    def count(self, slug: str) -> int:
        return self._entry("counts", slug, 0)  # type: ignore[no-any-return]

    def body(self, slug: str) -> str:
        return self._entry("bodies", slug, "")  # type: ignore[no-any-return]

    def body_refs(self, slug: str) -> tuple[str, ...]:
        """The slugs a person's or topic's body links with data-ref (for hover cards)."""
        return self._entry("body_refs", slug, ())  # type: ignore[no-any-return]

    def backlinks(self, slug: str) -> list[Backlink]:
        return [Backlink(self.article(a), excerpt) for a, excerpt in self._entry("backlinks", slug)]

    def co_mentions(self, slug: str) -> list[tuple[Any, int]]:
        return [(self.entity(other), n) for other, n in self._entry("co_mentions", slug)]

    def related(self, slug: str) -> list[Any]:
        return [self.article(other) for other in self._entry("related", slug)]

    def quotes_by(self, slug: str) -> list[QuoteUse]:
        uses = []
        for article_slug, i in self._entry("quotes_by", slug):
            article = self.article(article_slug)
            uses.append(QuoteUse(article, article.quotes[i]))
        return uses

    def claim_entry(self, claim: LinkedClaim) -> ClaimEntry:
        return ClaimEntry(self.article(claim.article_slug), claim.claim, claim.by_slug, claim.about)

    def claims(self) -> list[ClaimEntry]:
        """Every claim on the site, in article order."""
        return [self.claim_entry(c) for c in self._single("claims")]

    def claims_of(self, slug: str) -> list[ClaimEntry]:
        entries = []
        for article_slug, i in self._entry("claims_of", slug):
            entries.append(self.claim_entry(self.item(article_slug).claims[i]))
        return entries


class Counts(Mapping[str, int]):
    """How many articles name each entity, as templates look it up (`counts.get(slug, 0)`)."""

    def __init__(self, view: SiteView) -> None:
        self._view = view

    def __getitem__(self, slug: str) -> int:
        return self._view.count(slug)

    def get(self, slug: str, default: Any = 0) -> Any:
        count = self._view.count(slug)
        return count if count else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._view.counted())

    def __len__(self) -> int:
        return len(self._view.counted())
