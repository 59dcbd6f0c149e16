"""Generated sites and random edits of every kind, for the incremental == clean properties.

A site is a frozen model (people, topics, articles, the project's settings, templates
and static files) that renders to the files of a project. Each edit is a small frozen
value that turns one valid model into another (a rename or a deletion fixes the
references to it in the same step), except `Break`, which writes a content error the
next step takes back. `Workspace` keeps a project folder on disk in step with a model,
giving every write a newer change time, and makes the clean builds to compare with.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from conftest import ROOT, snapshot
from hypothesis import strategies as st

from explainer.api import BuildOptions, build

MARKER = ".explainer-site"  # the file that marks an output folder as made by explainer

# --- The model --------------------------------------------------------------------------


def _q(text: str) -> str:
    """Quote a value for YAML (a JSON string is a YAML double-quoted scalar)."""
    return json.dumps(text, ensure_ascii=False)


def _list(items: Iterable[str], quote: bool = False) -> str:
    return "[" + ", ".join(_q(i) if quote else i for i in items) + "]"


@dataclass(frozen=True)
class Role:
    title: str
    start: str
    end: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Membership:
    name: str
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    summary: str
    aliases: tuple[str, ...] = ()
    party: tuple[Membership, ...] = ()
    roles: tuple[Role, ...] = ()
    body: tuple[str, ...] = ()

    collection = "people"

    @property
    def rel(self) -> str:
        return f"content/people/{self.slug}.md"

    @property
    def words(self) -> tuple[str, ...]:
        """The ways an article can name this person."""
        return (self.name, *self.aliases, *(a for r in self.roles for a in r.aliases))

    def text(self) -> str:
        lines = ["---", f"name: {_q(self.name)}", f"summary: {_q(self.summary)}"]
        if self.aliases:
            lines.append(f"aliases: {_list(self.aliases, quote=True)}")
        if len(self.party) == 1 and not (self.party[0].start or self.party[0].end):
            lines.append(f"party: {_q(self.party[0].name)}")
        elif self.party:
            lines.append("party:")
            for span in self.party:
                lines.append(f"  - name: {_q(span.name)}")
                lines += [f"    from: {span.start}"] if span.start else []
                lines += [f"    to: {span.end}"] if span.end else []
        if self.roles:
            lines.append("roles:")
            for role in self.roles:
                lines += [f"  - title: {_q(role.title)}", f"    from: {role.start}"]
                lines += [f"    to: {role.end}"] if role.end else []
                lines += [f"    aliases: {_list(role.aliases, quote=True)}"] if role.aliases else []
        return _document(lines, self.body)


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    summary: str
    kind: str = "organisation"
    aliases: tuple[str, ...] = ()
    date: str | None = None
    body: tuple[str, ...] = ()

    collection = "topics"

    @property
    def rel(self) -> str:
        return f"content/topics/{self.slug}.md"

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def text(self) -> str:
        lines = ["---", f"name: {_q(self.name)}", f"summary: {_q(self.summary)}"]
        lines.append(f"kind: {self.kind}")
        if self.aliases:
            lines.append(f"aliases: {_list(self.aliases, quote=True)}")
        if self.date:
            lines.append(f"date: {self.date}")
        return _document(lines, self.body)


@dataclass(frozen=True)
class Quote:
    by: str
    text: str


@dataclass(frozen=True)
class Claim:
    claim: str
    by: str  # a person's or topic's slug, or any text
    status: str


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    date: str
    summary: str
    folder: str = ""  # a sub-folder of content/articles; only the file name is the slug
    people: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    draft: bool = False
    updated: str | None = None
    body: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()

    collection = "articles"

    @property
    def rel(self) -> str:
        folder = f"{self.folder}/" if self.folder else ""
        return f"content/articles/{folder}{self.slug}.md"

    def text(self) -> str:
        lines = [
            "---",
            f"title: {_q(self.title)}",
            f"date: {self.date}",
            f"summary: {_q(self.summary)}",
        ]
        lines += [f"updated: {self.updated}"] if self.updated else []
        lines += [f"people: {_list(self.people)}"] if self.people else []
        lines += [f"topics: {_list(self.topics)}"] if self.topics else []
        lines += ["draft: true"] if self.draft else []
        if self.quotes:
            lines.append("quotes:")
            for quote in self.quotes:
                lines += [f"  - by: {quote.by}", f"    text: {_q(quote.text)}"]
        if self.claims:
            lines.append("claims:")
            for claim in self.claims:
                lines += [f"  - claim: {_q(claim.claim)}", f"    by: {_q(claim.by)}"]
                lines.append(f"    status: {claim.status}")
        # A quote's words must be in the text, so each quoted line is a paragraph of it.
        said = tuple(f"Later it was put this way: {quote.text}." for quote in self.quotes)
        return _document(lines, self.body + said)


def _document(front_matter: list[str], body: tuple[str, ...]) -> str:
    return "\n".join([*front_matter, "---", ""]) + "".join(p + "\n\n" for p in body)


Item = Person | Topic | Article

# Templates the edits change, and the text a changed version is put right after.
TEMPLATE_ANCHORS = {
    "templates/partials/article_list.html": '<ul class="article-list">',
    "templates/person.html": "{% block main %}",
    "templates/topic.html": "{% block main %}",
    "templates/base.html": "<body>",
}


@dataclass(frozen=True)
class SiteModel:
    """Everything in a project that a build reads."""

    people: tuple[Person, ...]
    topics: tuple[Topic, ...]
    articles: tuple[Article, ...]
    title: str = "Test Site"
    tagline: str = ""
    templates: tuple[tuple[str, int], ...] = ()  # (template, version); version 0 is as shipped
    style: int = 0  # how many comments have been added to static/style.css
    static: tuple[tuple[str, str], ...] = ()  # static files besides the shipped ones: (name, text)

    def items(self, collection: str) -> tuple[Item, ...]:
        found: tuple[Item, ...] = getattr(self, collection)
        return found

    def slugs(self, collection: str | None = None) -> list[str]:
        collections = [collection] if collection else ["people", "topics", "articles"]
        return sorted(item.slug for c in collections for item in self.items(c))

    def get(self, collection: str, slug: str) -> Any:
        return next(item for item in self.items(collection) if item.slug == slug)

    def put(self, item: Item) -> SiteModel:
        """Add item, or replace the one with its slug."""
        rest = [i for i in self.items(item.collection) if i.slug != item.slug]
        return replace(self, **{item.collection: tuple(sorted([*rest, item], key=_slug))})

    def without(self, collection: str, slug: str) -> SiteModel:
        kept = tuple(i for i in self.items(collection) if i.slug != slug)
        return replace(self, **{collection: kept})

    def words(self) -> list[str]:
        """Every name, alias and role alias, for mentions in bodies and claims."""
        return sorted(
            {w for p in self.people for w in p.words} | {w for t in self.topics for w in t.words}
        )

    def files(self) -> dict[str, str]:
        """Return the project's files that the model controls: path -> text."""
        config = f"title: {_q(self.title)}\nbase_url: https://example.org/news/\n"
        config += f"tagline: {_q(self.tagline)}\n" if self.tagline else ""
        files = {"site.yaml": config}
        for collection in ("people", "topics", "articles"):
            for item in self.items(collection):
                files[item.rel] = item.text()
        for rel, version in self.templates:
            original = (ROOT / rel).read_text(encoding="utf-8")
            anchor = TEMPLATE_ANCHORS[rel]
            assert anchor in original, f"{rel} no longer holds {anchor!r}: update TEMPLATE_ANCHORS"
            if version:
                at = original.index(anchor) + len(anchor)
                original = f"{original[:at]}\n<!-- edited {version} -->{original[at:]}"
            files[rel] = original
        if self.style:
            css = (ROOT / "static/style.css").read_text(encoding="utf-8")
            files["static/style.css"] = css + "".join(
                f"/* edit {n} */\n" for n in range(self.style)
            )
        for name, text in self.static:
            files[f"static/{name}"] = text
        return files


def _slug(item: Item) -> str:
    return item.slug


# --- Fixing references ------------------------------------------------------------------


def _ref_pattern(slug: str) -> re.Pattern[str]:
    return re.compile(r"\[\[" + re.escape(slug) + r"(\|[^\]]*)?\]\]")


def retarget(site: SiteModel, old: str, new: str | None) -> SiteModel:
    """Point every reference to old at new, or drop it (new is None): keep the site valid."""
    pattern = _ref_pattern(old)

    def body(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
        if new is None:
            return tuple(
                pattern.sub(lambda m: (m.group(1) or "|someone")[1:], p) for p in paragraphs
            )
        return tuple(pattern.sub(lambda m: f"[[{new}{m.group(1) or ''}]]", p) for p in paragraphs)

    def slugs(listed: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if s == old else s for s in listed if s != old or new is not None)

    people = tuple(replace(p, body=body(p.body)) for p in site.people)
    topics = tuple(replace(t, body=body(t.body)) for t in site.topics)
    articles = tuple(
        replace(
            a,
            body=body(a.body),
            people=slugs(a.people),
            topics=slugs(a.topics),
            quotes=tuple(
                replace(q, by=new) if q.by == old and new else q
                for q in a.quotes
                if q.by != old or new is not None
            ),
            claims=tuple(
                replace(c, by=new or "a spokesman") if c.by == old else c for c in a.claims
            ),
        )
        for a in site.articles
    )
    return replace(site, people=people, topics=topics, articles=articles)


# --- Edits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Set one field of one person, topic or article."""

    collection: str
    slug: str
    field: str
    value: Any

    def apply(self, site: SiteModel) -> SiteModel:
        return site.put(replace(site.get(self.collection, self.slug), **{self.field: self.value}))


@dataclass(frozen=True)
class Add:
    item: Item

    def apply(self, site: SiteModel) -> SiteModel:
        return site.put(self.item)


@dataclass(frozen=True)
class Delete:
    collection: str
    slug: str

    def apply(self, site: SiteModel) -> SiteModel:
        return retarget(site.without(self.collection, self.slug), self.slug, None)


@dataclass(frozen=True)
class Rename:
    """Move a file to another name: its slug changes, and so does every reference to it."""

    collection: str
    old: str
    new: str

    def apply(self, site: SiteModel) -> SiteModel:
        item = replace(site.get(self.collection, self.old), slug=self.new)
        return retarget(site.without(self.collection, self.old).put(item), self.old, self.new)


@dataclass(frozen=True)
class SetSite:
    """Change the project's settings, a template or the static files."""

    field: str  # title, tagline, templates, style or static
    value: Any

    def apply(self, site: SiteModel) -> SiteModel:
        return replace(site, **{self.field: self.value})


@dataclass(frozen=True)
class Touch:
    """Save a file again without changing it: only its change time moves."""

    rel: str

    def apply(self, site: SiteModel) -> SiteModel:
        return site


@dataclass(frozen=True)
class Break:
    """Write a content error into one file (or a file beside it); the next step undoes it."""

    rel: str
    how: str  # a key of BREAKS

    def apply(self, site: SiteModel) -> SiteModel:
        return site

    def damage(self, files: Mapping[str, str]) -> dict[str, str]:
        return BREAKS[self.how](self.rel, files[self.rel])


Edit = Change | Add | Delete | Rename | SetSite | Touch | Break


def _set_field(text: str, key: str, value: str) -> str:
    """Set a one-line front matter field, replacing the line that had it."""
    head, fence, body = text.partition("\n---\n")
    lines = [line for line in head.split("\n") if not line.startswith(f"{key}:")]
    return "\n".join([*lines, f"{key}: {value}"]) + fence + body


def _bad_date(rel: str, text: str) -> dict[str, str]:
    key = "born" if rel.startswith("content/people/") else "date"
    return {rel: _set_field(text, key, "2016-13-01")}


def _unknown_person(rel: str, text: str) -> dict[str, str]:
    return {rel: _set_field(text, "people", "[no-such-person]")}


def _unclosed_list(rel: str, text: str) -> dict[str, str]:
    return {rel: _set_field(text, "extra", "[unclosed")}


def _same_slug_twice(rel: str, text: str) -> dict[str, str]:
    folder, name = rel.rsplit("/", 1)
    return {f"{folder}/again/{name}": text}


# Content errors a build must refuse, whatever else the site holds (drafts included).
BREAKS: dict[str, Callable[[str, str], dict[str, str]]] = {
    "a date that is not a day": _bad_date,
    "an unknown person listed": _unknown_person,  # for articles only
    "a YAML list never closed": _unclosed_list,
    "a slug used twice": _same_slug_twice,
}


# --- Generating sites -------------------------------------------------------------------

PEOPLE = {  # slug -> name, aliases it may have
    "ann-able": ("Ann Able", ("Mrs Able", "Ann")),
    "bob-baker": ("Bob Baker", ("Mr Baker", "Baker")),
    "cy-coe": ("Cy Coe", ("Mr Coe", "the Boss")),
    "di-dee": ("Di Dee", ("Ms Dee", "Dee")),
    "ed-eve": ("Ed Eve", ("Mr Eve",)),
    "flo-fry": ("Flo Fry", ("Ms Fry", "Ann")),
}
OTHER_NAMES = ("Gus Gale", "Hal Hope", "Ann Able", "Bob Baker-Bell", "Ivy Ince")
ALIASES = ("Mrs Able", "Mr Baker", "Baker", "the Boss", "Ann", "Ms Dee", "Big Ed")
ROLES = {  # title -> its alias
    "Chancellor": "the Chancellor",
    "Speaker": "the Speaker",
    "Home Secretary": "the Home Secretary",
    "Mayor of Testville": "the Mayor",
}
PARTIES = ("Labour", "Conservative", "Independent", "Green")
TOPICS = {  # slug -> name, aliases it may have, kind
    "nato": ("North Atlantic Treaty Organization", ("NATO", "Nato"), "organisation"),
    "treasury": ("The Treasury", ("HM Treasury", "the Treasury"), "institution"),
    "referendum": ("The Referendum", ("the vote on Europe",), "event"),
    "commons": ("House of Commons", ("the Commons",), "institution"),
    "kremlin": ("Kremlin", ("Moscow",), "place"),
}
KINDS = ("organisation", "institution", "concept", "event", "place")
DATES = ("2014-05-01", "2016-07-13", "2017-11-15", "2019-07-24", "2021-03-01")
WORDS = ("rain", "talks", "the vote", "said", "later", "a plan", "Parliament", "agreed")
TITLES = ("Talks go on", "A plan is agreed", "Rain stops play", "The vote is near", "Nobody agreed")
SUMMARIES = ("What happened.", "Who said what, and when.", "Rain, talks and a plan.", "Later news.")
QUOTES = ("we need more evidence", "the plan will work", "nobody saw the report", "talks went well")
CLAIMS = ("The plan will cost more than promised.", "Nobody voted.", "The report was buried.")
STATUSES = ("asserted", "disputed", "denied", "unverified", "supported", "false")
VOICES = ("a new study", "a spokesman", "critics")


def _subset(options: Iterable[str], max_size: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    choices = sorted(options)
    if not choices:
        return st.just(())
    return st.lists(st.sampled_from(choices), unique=True, max_size=max_size).map(tuple)


def _dates(optional_end: bool = True) -> st.SearchStrategy[tuple[str, str | None]]:
    """A start and an end not before it (or no end)."""
    ends: list[int | None] = [None] if optional_end else []

    def pick(start: int) -> st.SearchStrategy[tuple[str, str | None]]:
        return st.sampled_from([*ends, *range(start, len(DATES))]).map(
            lambda end: (DATES[start], None if end is None else DATES[end])
        )

    return st.integers(0, len(DATES) - 1).flatmap(pick)


def roles() -> st.SearchStrategy[Role]:
    return st.builds(
        lambda title, span, alias: Role(title, span[0], span[1], (ROLES[title],) if alias else ()),
        st.sampled_from(sorted(ROLES)),
        _dates(),
        st.booleans(),
    )


def parties() -> st.SearchStrategy[tuple[Membership, ...]]:
    one = st.sampled_from(PARTIES).map(lambda name: (Membership(name),))
    two = st.builds(
        lambda first, then, day: (Membership(first, end=day), Membership(then, start=day)),
        st.sampled_from(PARTIES),
        st.sampled_from(PARTIES),
        st.sampled_from(DATES),
    )
    return st.one_of(st.just(()), one, two)


@st.composite
def sentences(draw: st.DrawFn, words: list[str], slugs: list[str]) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["word", "word", "name", "name", "ref", "em"]))
        if kind == "name" and words:
            parts.append(draw(st.sampled_from(words)))
        elif kind == "ref" and slugs:
            slug = draw(st.sampled_from(slugs))
            parts.append(draw(st.sampled_from([f"[[{slug}]]", f"[[{slug}|this one]]"])))
        elif kind == "em":
            parts.append(f"*{draw(st.sampled_from(WORDS))}*")
        else:
            parts.append(draw(st.sampled_from(WORDS)))
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


def bodies(site: SiteModel, slugs: list[str] | None = None) -> st.SearchStrategy[tuple[str, ...]]:
    """One to three paragraphs naming the site's people and topics and linking its pages."""
    paragraph = st.lists(sentences(site.words(), slugs or site.slugs()), min_size=1, max_size=3)
    return st.lists(paragraph.map(" ".join), min_size=1, max_size=3).map(tuple)


def new_person(slug: str) -> st.SearchStrategy[Person]:
    known_name, own_aliases = PEOPLE.get(slug, (slug.replace("-", " ").title(), ()))
    return st.builds(
        Person,
        slug=st.just(slug),
        name=st.just(known_name),
        summary=st.sampled_from(SUMMARIES),
        aliases=_subset(own_aliases, 2),
        party=parties(),
        roles=st.lists(roles(), max_size=2).map(tuple),
        body=st.sampled_from([(), (f"{known_name} is a person.",)]),
    )


def new_topic(slug: str) -> st.SearchStrategy[Topic]:
    name, own_aliases, kind = TOPICS[slug]
    return st.builds(
        Topic,
        slug=st.just(slug),
        name=st.just(name),
        summary=st.sampled_from(SUMMARIES),
        kind=st.just(kind),
        aliases=_subset(own_aliases, 2),
        date=st.sampled_from(DATES) if kind == "event" else st.none(),
        body=st.sampled_from([(), (f"About {name}.",)]),
    )


def quotes(site: SiteModel) -> st.SearchStrategy[Quote]:
    return st.builds(Quote, st.sampled_from(site.slugs("people")), st.sampled_from(QUOTES))


def claims(site: SiteModel) -> st.SearchStrategy[Claim]:
    named = st.sampled_from(site.words()).map(lambda w: f"{w} made the plan up.")
    return st.builds(
        Claim,
        st.one_of(st.sampled_from(CLAIMS), named),
        st.sampled_from([*site.slugs("people"), *site.slugs("topics"), *VOICES]),
        st.sampled_from(STATUSES),
    )


@st.composite
def new_article(draw: st.DrawFn, site: SiteModel, slug: str, slugs: list[str]) -> Article:
    day = draw(st.sampled_from(DATES))
    later = [d for d in DATES if d >= day]
    return Article(
        slug=slug,
        title=draw(st.sampled_from(TITLES)),
        date=day,
        summary=draw(st.sampled_from(SUMMARIES)),
        folder=draw(st.sampled_from(["", "", "", "2017"])),
        people=draw(_subset(site.slugs("people"))),
        topics=draw(_subset(site.slugs("topics"), 2)),
        draft=draw(st.booleans()),
        updated=draw(st.none() | st.sampled_from(later)),
        body=draw(bodies(site, slugs)),
        quotes=draw(st.lists(quotes(site), max_size=2).map(tuple)),
        claims=draw(st.lists(claims(site), max_size=2).map(tuple)),
    )


@st.composite
def sites(draw: st.DrawFn, min_articles: int = 3, max_articles: int = 6) -> SiteModel:
    """A small site: 3-4 people, 2 topics, 3-6 articles that mention and quote them."""
    chosen = draw(st.lists(st.sampled_from(sorted(PEOPLE)), min_size=3, max_size=4, unique=True))
    team = tuple(draw(new_person(slug)) for slug in sorted(chosen))
    subjects = draw(st.lists(st.sampled_from(sorted(TOPICS)), min_size=2, max_size=2, unique=True))
    site = SiteModel(
        team,
        tuple(draw(new_topic(slug)) for slug in sorted(subjects)),
        (),
        static=draw(st.sampled_from([(), (("extra.txt", "one\n"),)])),
    )
    count = draw(st.integers(min_articles, max_articles))
    names = [f"story-{n}" for n in range(count)]
    slugs = sorted([*site.slugs(), *names])
    return replace(site, articles=tuple(draw(new_article(site, name, slugs)) for name in names))


def newsroom(articles: int = 30) -> SiteModel:
    """A fixed site of many articles that all name one person and one topic in their first
    paragraph, quote her and report a claim; she holds an office for part of the time."""
    ann = Person(
        "ann-able",
        "Ann Able",
        "A minister.",
        aliases=("Mrs Able",),
        party=(
            Membership("Labour", end="2019-07-24"),
            Membership("Independent", start="2019-07-24"),
        ),
        roles=(Role("Chancellor", "2016-07-13", "2019-07-24", ("the Chancellor",)),),
        body=("Ann Able was Chancellor.",),
    )
    bob = Person("bob-baker", "Bob Baker", "An adviser.", aliases=("Mr Baker",))
    treasury = Topic("treasury", "The Treasury", "The finance ministry.", kind="institution")
    stories = tuple(
        Article(
            slug=f"story-{n:02d}",
            title=f"Story {n}",
            date=f"{2015 + n % 6}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            summary=f"What happened, part {n}.",
            people=("ann-able",),
            topics=("treasury",),
            draft=n % 10 == 9,
            body=(
                f"Ann Able spoke to The Treasury about part {n}; the Chancellor agreed.",
                f"Rain fell later. See [[story-{(n + 1) % articles:02d}]] and [[bob-baker]].",
            ),
            quotes=(Quote("ann-able", "the plan will work"),),
            claims=(Claim("The plan will cost more than promised.", "bob-baker", "disputed"),),
        )
        for n in range(articles)
    )
    return SiteModel((ann, bob), (treasury,), stories)


# --- Generating edits -------------------------------------------------------------------

Strategy = st.SearchStrategy[Edit]


def _change(
    site: SiteModel, collection: str, name: str, values: Callable[[Any], Any]
) -> Strategy | None:
    """Change field `name` of any item of the collection; values(item) gives the new values."""
    items = site.items(collection)
    if not items:
        return None

    def changes(item: Item) -> Strategy:
        now = getattr(item, name)
        return (
            values(item)
            .filter(lambda v: v != now)
            .map(lambda v: Change(collection, item.slug, name, v))
        )

    return st.sampled_from(items).flatmap(changes)


def _in_articles(site: SiteModel, name: str, values: Callable[[Article], Any]) -> Strategy | None:
    return _change(site, "articles", name, values)


def _in_people(site: SiteModel, name: str, values: Callable[[Person], Any]) -> Strategy | None:
    return _change(site, "people", name, values)


def _in_topics(site: SiteModel, name: str, values: Callable[[Topic], Any]) -> Strategy | None:
    return _change(site, "topics", name, values)


def _with_roles(
    site: SiteModel, edit_role: Callable[[Role], st.SearchStrategy[Role]]
) -> Strategy | None:
    """Change one role of someone who has roles."""
    holders = [p for p in site.people if p.roles]
    if not holders:
        return None

    def role_edits(person: Person) -> Strategy:
        def at(n: int) -> Strategy:
            return edit_role(person.roles[n]).map(
                lambda role: Change(
                    "people",
                    person.slug,
                    "roles",
                    (*person.roles[:n], role, *person.roles[n + 1 :]),
                )
            )

        return st.integers(0, len(person.roles) - 1).flatmap(at)

    return st.sampled_from(holders).flatmap(role_edits)


def _removed_one(items: tuple[Any, ...]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.integers(0, len(items) - 1).map(lambda n: items[:n] + items[n + 1 :])


def _changed_one(
    items: tuple[Any, ...], new: st.SearchStrategy[Any]
) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(st.integers(0, len(items) - 1), new).map(
        lambda pick: items[: pick[0]] + (pick[1],) + items[pick[0] + 1 :]
    )


def _add(site: SiteModel) -> Strategy:
    used = set(site.slugs())
    people = [s for s in [*sorted(PEOPLE), "gus-gale"] if s not in used]
    topics = [s for s in sorted(TOPICS) if s not in used]
    story = next(f"story-{n}" for n in range(100) if f"story-{n}" not in used)
    options: list[Strategy] = [new_article(site, story, sorted([*used, story])).map(Add)]
    options += [st.sampled_from(people).flatmap(new_person).map(Add)] if people else []
    options += [st.sampled_from(topics).flatmap(new_topic).map(Add)] if topics else []
    return st.one_of(options)


def _removable(site: SiteModel) -> list[tuple[str, str]]:
    """(collection, slug) of items that can go, keeping at least one of each kind."""
    return [
        (c, slug)
        for c in ("people", "topics", "articles")
        if len(site.items(c)) > 1
        for slug in site.slugs(c)
    ]


def _delete(site: SiteModel) -> Strategy | None:
    removable = _removable(site)
    return st.sampled_from(removable).map(lambda pick: Delete(*pick)) if removable else None


def _rename(site: SiteModel) -> Strategy:
    used = set(site.slugs())

    def renames(pick: tuple[str, str]) -> Strategy:
        collection, old = pick
        fresh = [new for new in (f"{old}-b", f"{old}-c", f"renamed-{old}") if new not in used]
        return st.sampled_from(fresh).map(lambda new: Rename(collection, old, new))

    return st.sampled_from(
        [(c, s) for c in ("people", "topics", "articles") for s in site.slugs(c)]
    ).flatmap(renames)


def _set(site: SiteModel, name: str, values: st.SearchStrategy[Any]) -> Strategy:
    """Set one of the project's settings, templates or static files to another value."""
    now = getattr(site, name)
    return values.filter(lambda v: v != now).map(lambda v: SetSite(name, v))


def _template(site: SiteModel) -> Strategy:
    versions = dict(site.templates)

    def with_version(rel: str) -> st.SearchStrategy[tuple[tuple[str, int], ...]]:
        changed = st.sampled_from([versions.get(rel, 0) + 1, 0])
        return changed.map(lambda version: tuple(sorted({**versions, rel: version}.items())))

    return _set(site, "templates", st.sampled_from(sorted(TEMPLATE_ANCHORS)).flatmap(with_version))


def _static_add(site: SiteModel) -> Strategy:
    named = dict(site.static)
    files = st.tuples(
        st.sampled_from(["extra.txt", "notes/read-me.txt", "badge.svg"]),
        st.sampled_from(["one\n", "two two\n"]),
    )
    return _set(site, "static", files.map(lambda f: tuple(sorted({**named, f[0]: f[1]}.items()))))


def _static_delete(site: SiteModel) -> Strategy | None:
    return _set(site, "static", _removed_one(site.static)) if site.static else None


def _breaks(site: SiteModel) -> Strategy:
    files = site.files()
    choices = [
        (rel, how)
        for rel in sorted(files)
        if rel.startswith("content/")
        for how in BREAKS
        if how != "an unknown person listed" or rel.startswith("content/articles/")
    ]
    return st.sampled_from(choices).map(lambda pick: Break(*pick))


EDITS: dict[str, Callable[[SiteModel], Strategy | None]] = {
    # articles
    "article body": lambda s: _in_articles(s, "body", lambda a: bodies(s)),
    "article title": lambda s: _in_articles(s, "title", lambda a: st.sampled_from(TITLES)),
    "article date": lambda s: _in_articles(
        s, "date", lambda a: st.sampled_from([d for d in DATES if not a.updated or d <= a.updated])
    ),
    "article updated": lambda s: _in_articles(
        s, "updated", lambda a: st.none() | st.sampled_from([d for d in DATES if d >= a.date])
    ),
    "article summary": lambda s: _in_articles(s, "summary", lambda a: st.sampled_from(SUMMARIES)),
    "article people": lambda s: _in_articles(s, "people", lambda a: _subset(s.slugs("people"))),
    "article topics": lambda s: _in_articles(s, "topics", lambda a: _subset(s.slugs("topics"), 2)),
    "article moved to another folder": lambda s: _in_articles(
        s, "folder", lambda a: st.sampled_from(["", "2017", "archive/old"])
    ),
    "draft on or off": lambda s: _in_articles(s, "draft", lambda a: st.just(not a.draft)),
    "quote added": lambda s: _in_articles(
        s, "quotes", lambda a: quotes(s).map(lambda q: (*a.quotes, q))
    ),
    "quote removed": lambda s: _change(
        replace(s, articles=tuple(a for a in s.articles if a.quotes)),
        "articles",
        "quotes",
        lambda a: _removed_one(a.quotes),
    ),
    "claim added": lambda s: _in_articles(
        s, "claims", lambda a: claims(s).map(lambda c: (*a.claims, c))
    ),
    "claim changed": lambda s: _change(
        replace(s, articles=tuple(a for a in s.articles if a.claims)),
        "articles",
        "claims",
        lambda a: _changed_one(a.claims, claims(s)),
    ),
    # people
    "person alias": lambda s: _in_people(s, "aliases", lambda p: _subset(ALIASES, 2)),
    "person name": lambda s: _in_people(s, "name", lambda p: st.sampled_from(OTHER_NAMES)),
    "person summary": lambda s: _in_people(s, "summary", lambda p: st.sampled_from(SUMMARIES)),
    "person biography": lambda s: _in_people(s, "body", lambda p: st.just(()) | bodies(s)),
    "party": lambda s: _in_people(s, "party", lambda p: parties()),
    "role added or removed": lambda s: _in_people(
        s, "roles", lambda p: st.lists(roles(), max_size=2).map(tuple)
    ),
    "role dates": lambda s: _with_roles(
        s, lambda r: _dates().map(lambda d: replace(r, start=d[0], end=d[1]))
    ),
    "role title": lambda s: _with_roles(
        s, lambda r: st.sampled_from(sorted(ROLES)).map(lambda t: replace(r, title=t))
    ),
    "role alias": lambda s: _with_roles(
        s, lambda r: _subset(ROLES.values(), 2).map(lambda a: replace(r, aliases=a))
    ),
    # topics
    "topic name": lambda s: _in_topics(
        s, "name", lambda t: st.sampled_from(["The Alliance", "Parliament", t.name + " Office"])
    ),
    "topic alias": lambda s: _in_topics(
        s,
        "aliases",
        lambda t: _subset(
            [*TOPICS[t.slug][1], "the Office"] if t.slug in TOPICS else ["the Office"], 2
        ),
    ),
    "topic summary": lambda s: _in_topics(s, "summary", lambda t: st.sampled_from(SUMMARIES)),
    # files
    "file added": _add,
    "file deleted": _delete,
    "file renamed": _rename,
    "file saved unchanged": lambda s: st.sampled_from(
        [*sorted(s.files()), "templates/article.html", "static/cards.js"]
    ).map(Touch),
    # the project
    "template": _template,
    "site.yaml": lambda s: st.one_of(
        _set(s, "title", st.sampled_from(["Test Site", "Another Site", "News & Views"])),
        _set(s, "tagline", st.sampled_from(["", "Who is who", "The people behind it"])),
    ),
    "static file changed": lambda s: _set(s, "style", st.just(s.style + 1)),
    "static file added": _static_add,
    "static file deleted": _static_delete,
    "content error": _breaks,
}


@dataclass(frozen=True)
class Step:
    kind: str  # a key of EDITS
    edit: Edit


@st.composite
def edits(draw: st.DrawFn, site: SiteModel, kinds: Iterable[str] = EDITS) -> Step:
    """One edit of the given kinds that applies to site and changes it (saving a file
    unchanged and writing an error change only the disk)."""

    def changes_something(edit: Edit) -> bool:
        return isinstance(edit, Touch | Break) or edit.apply(site) != site

    # The kind first, then its edit: only the strategy drawn from is ever validated.
    applicable = [kind for kind in kinds if EDITS[kind](site) is not None]
    kind = draw(st.sampled_from(applicable))
    strategy = EDITS[kind](site)
    assert strategy is not None
    edit = draw(strategy.filter(changes_something))
    # A copy, so that a failing example shows the edit itself, not the calls that made it.
    return Step(kind, copy.deepcopy(edit))


# --- The project on disk ----------------------------------------------------------------


@dataclass
class Workspace:
    """A project folder kept in step with a SiteModel, and the builds made from it."""

    root: Path
    written: dict[str, str] = field(default_factory=dict)  # what the last sync left on disk
    clock: int = 0  # the change time of the latest save, in nanoseconds
    cleans: dict[tuple[bool, frozenset[tuple[str, str]]], dict[str, bytes]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        for folder in ("templates", "static"):
            shutil.copytree(ROOT / folder, self.root / folder)

    def options(self, drafts: bool = False, cache: bool = True, out: str = "_site") -> BuildOptions:
        return BuildOptions(
            config_path=self.root / "site.yaml",
            out_dir=self.root / out,
            drafts=drafts,
            cache=cache,
            search=False,
            progress=False,
            jobs=1,
        )

    def cli_args(self, drafts: bool = False) -> list[str]:
        """The command line's options for the build options() describes (the same cache)."""
        out = ["--config", str(self.root / "site.yaml"), "--out", str(self.root / "_site")]
        return [*out, "--jobs", "1", "--no-search", *(["--drafts"] if drafts else [])]

    def save(self, rel: str, data: bytes) -> None:
        """Write a file as an editor saves it: now, and at least a second after the last save
        (so a change shows even where file times are coarse)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.clock = max(time.time_ns(), self.clock + 10**9)
        os.utime(path, ns=(self.clock, self.clock))

    def sync(self, files: Mapping[str, str]) -> None:
        """Make the project hold exactly these files (besides the untouched templates and static)."""
        for rel, text in sorted(files.items()):
            if self.written.get(rel) != text:
                self.save(rel, text.encode("utf-8"))
        for rel in sorted(set(self.written) - set(files)):
            (self.root / rel).unlink()
        self.written = dict(files)

    def touch(self, rel: str) -> None:
        self.save(rel, (self.root / rel).read_bytes())

    def step(self, site: SiteModel, edit: Edit) -> SiteModel:
        """Apply an edit to the model and to the disk; return the new model."""
        after = edit.apply(site)
        files = after.files()
        if isinstance(edit, Break):
            files.update(edit.damage(files))
        self.sync(files)
        if isinstance(edit, Touch):
            self.touch(edit.rel)
        return after

    def clean_build(self, drafts: bool) -> dict[str, bytes]:
        """Build from scratch, without the cache, into a folder outside the project.

        Remembered by the files' text: the same files always build to the same bytes (as
        tests/test_determinism.py checks), and edits are often undone.
        """
        key = (drafts, frozenset(self.written.items()))
        if key not in self.cleans:
            out = self.root.parent / "clean"
            build(replace(self.options(drafts, cache=False), out_dir=out))
            self.cleans[key] = snapshot(out)
        return self.cleans[key]


# --- Comparing sites --------------------------------------------------------------------


def comparable(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files as a clean build must match them: the marker's build id may differ.

    (write.write_site puts a `build: <id>` line in the marker; everything else is the site.)
    """
    out = dict(files)
    if MARKER in out:
        lines = out[MARKER].decode("utf-8", "replace").splitlines(keepends=True)
        out[MARKER] = "".join(line for line in lines if not line.startswith("build: ")).encode()
    return out


def first_difference(got: bytes, want: bytes) -> str:
    """Say where two files first differ: line number and the two lines around it."""
    got_lines = got.decode("utf-8", "replace").splitlines()
    want_lines = want.decode("utf-8", "replace").splitlines()
    for n, (mine, theirs) in enumerate(zip(got_lines, want_lines, strict=False), 1):
        if mine != theirs:
            at = next(
                (i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
                min(len(mine), len(theirs)),
            )
            start = max(0, at - 40)
            return f"line {n}: got {mine[start : at + 60]!r}, clean build has {theirs[start : at + 60]!r}"
    if len(got_lines) != len(want_lines):
        return f"got {len(got_lines)} lines, clean build has {len(want_lines)}"
    return "differs only in line endings or bytes that are not text"


def assert_same_site(got: Mapping[str, bytes], want: Mapping[str, bytes], what: str) -> None:
    """Fail with the differing paths and each one's first differing line."""
    got, want = comparable(got), comparable(want)
    if got == want:
        return
    lines = [f"{what} is not what a clean build makes:"]
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    differ = sorted(p for p in set(got) & set(want) if got[p] != want[p])
    if missing:
        lines.append(f"  missing ({len(missing)}): {', '.join(missing)}")
    if extra:
        lines.append(f"  not in the clean build ({len(extra)}): {', '.join(extra)}")
    for path in differ[:8]:
        lines.append(f"  {path}: {first_difference(got[path], want[path])}")
    if len(differ) > 8:
        lines.append(f"  … and {len(differ) - 8} more: {', '.join(differ[8:])}")
    raise AssertionError("\n".join(lines))
