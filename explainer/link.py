"""Resolve names, aliases, roles and [[refs]] into links; compute backlinks."""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, cast

from .errors import Collector, did_you_mean
from .fingerprint import Fingerprinter
from .markup import (
    MONTHS,
    AliasUse,
    ConvertContext,
    Converter,
    NameIndex,
    Problem,
    Target,
    normalise_name,
)
from .model import Article, Claim, Entity, Person, Quote, Site, Topic
from .parallel import run_indexed
from .urls import relative_url

T = TypeVar("T")

ABBREVIATION_RE = re.compile(r"[A-Z][A-Z0-9&]+\Z")
TAG_RE = re.compile(r"<[^>]+>")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lord", "Lady")
MINOR_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "to", "a", "an"})


@dataclass(frozen=True, slots=True)
class Backlink:
    """An article that mentions an entity, with the sentence that does."""

    FINGERPRINT_INLINE: ClassVar[bool] = True  # made afresh per page: digest inline

    article: Article
    excerpt: str


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    """A claim with its speaker resolved and the people and topics it is about."""

    article: Article
    claim: Claim
    by_slug: str  # '' when `by` is free text
    about: tuple[str, ...]

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*((self.by_slug,) if self.by_slug else ()), *self.about)))


@dataclass(frozen=True, slots=True)
class QuoteUse:
    """A quote with the article it comes from."""

    article: Article
    quote: Quote


@dataclass(frozen=True, slots=True)
class LinkedArticle:
    """An article with its body converted and its mentions resolved."""

    article: Article
    body_html: str
    headlines_html: tuple[str, ...]
    mentions: tuple[str, ...]  # entity slugs, in order of first appearance
    excerpts: Mapping[str, str]
    claims: tuple[LinkedClaim, ...] = ()
    bare_surnames: tuple[str, ...] = ()  # "Corbyn" where that is nobody's alias
    # listed people and topics first, then anything else mentioned (worked out once)
    entities: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        listed = (*self.article.people, *self.article.topics)
        entities = (*listed, *(s for s in self.mentions if s not in listed))
        object.__setattr__(self, "entities", entities)


@dataclass(frozen=True, slots=True)
class LinkedSite:
    """The site with every cross-reference resolved."""

    site: Site
    articles: tuple[LinkedArticle, ...]  # published, newest first
    bodies: Mapping[str, str]  # person and topic slug -> body HTML
    backlinks: Mapping[str, tuple[Backlink, ...]]
    co_mentions: Mapping[str, tuple[tuple[str, int], ...]]
    related: Mapping[str, tuple[Article, ...]]
    quotes_by: Mapping[str, tuple[QuoteUse, ...]]
    claims_of: Mapping[str, tuple[LinkedClaim, ...]]
    # digests already taken of this build's objects, for the render stage to reuse
    fingerprints: Fingerprinter = field(default_factory=Fingerprinter, compare=False, repr=False)

    @property
    def claims(self) -> tuple[LinkedClaim, ...]:
        return tuple(c for item in self.articles for c in item.claims)

    @property
    def entities(self) -> dict[str, Entity]:
        entities: tuple[Entity, ...] = (*self.site.people, *self.site.topics)
        return {e.slug: e for e in entities}


def is_abbreviation(alias: str, name: str) -> bool:
    """Return whether alias abbreviates name: all capitals, or the initials of its words."""
    if ABBREVIATION_RE.match(alias):
        return True
    words = re.findall(r"[A-Za-z]+", re.sub(r"['\u2019]s\b", "", name))
    letters = alias.replace(".", "").lower()
    if not letters.isalpha() or len(letters) < 2:
        return False
    every = "".join(w[0] for w in words).lower()
    significant = "".join(w[0] for w in words if w.lower() not in MINOR_WORDS).lower()
    initials = (every, significant)
    # A plural initialism ("PMQs") abbreviates the name too.
    return letters in initials or (alias.endswith("s") and letters[:-1] in initials)


def surname_owners(people: tuple[Person, ...]) -> dict[str, list[Person]]:
    """Map each person's surname to its owners, when it is not a name in its own right."""
    known = {
        normalise_name(n)
        for p in people
        for n in (*p.names, *(a for r in p.roles for a in r.aliases))
    }
    found: dict[str, list[Person]] = {}
    for person in people:
        if len(person.name.split()) < 2:
            continue
        surname = normalise_name(person.last_name)
        if (
            len(surname) < 3
            or not surname[0].isupper()
            or surname.lower() in MONTHS
            or surname in known
        ):
            continue
        found.setdefault(surname, []).append(person)
    return found


def bare_surname_pattern(owners: Mapping[str, list[Person]]) -> re.Pattern[str] | None:
    """Match a surname on its own (or after a title such as Mr), as a whole word."""
    if not owners:
        return None
    names = "|".join(re.escape(s) for s in sorted(owners, key=lambda s: (-len(s), s)))
    titles = "|".join(TITLES)
    return re.compile(rf"(?<![\w'’])(?:(?:{titles})\s+)?(?:{names})(?![\w])")


def find_bare_surnames(
    body_html: str, index: NameIndex, pattern: re.Pattern[str] | None
) -> tuple[str, ...]:
    """Return each bare surname in a converted body once, in order of appearance."""
    if pattern is None:
        return ()
    text = html.unescape(TAG_RE.sub(" ", body_html))
    if index.pattern is not None:
        text = index.pattern.sub(lambda m: " " * len(m.group(0)), text)
    return tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def bare_surname_line(body: str, body_line: int, found: str, index: NameIndex) -> int:
    """Return the line of the first place in body where found stands on its own.

    Places where it is part of a known name ("Jeremy Corbyn") are passed over.
    """
    text = body
    if index.pattern is not None:
        text = index.pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    words = r"\s+".join(re.escape(w) for w in found.split())
    match = re.search(rf"(?<![\w'’]){words}(?![\w])", text)
    if match is None:  # written another way in the source, e.g. with Markdown inside
        match = re.search(rf"(?<!\w){words}(?!\w)", body)
    return body_line + (body[: match.start()].count("\n") if match else 0)


def build_name_index(
    people: Iterable[Person], topics: Iterable[Topic], lower_case_roles: bool = True
) -> NameIndex:
    """Collect every name and alias with the dates it is valid on.

    With lower_case_roles, a role alias of several words also matches with the words
    after the first in lower case ("the prime minister"), as many house styles write it.
    """
    uses: dict[str, list[AliasUse]] = defaultdict(list)
    for person in people:
        spans = {a.name: a for a in person.dated_aliases}
        for name in person.names:
            dated = spans.get(name)
            start, end = (dated.start, dated.end) if dated else (None, None)
            uses[normalise_name(name)].append(AliasUse(person.slug, start, end))
        name_words = {w for n in (person.name, *person.aliases) for w in n.split()}
        for role in person.roles:
            use = AliasUse(person.slug, role.start, role.end, office=role.title)
            for alias in role.aliases:
                forms = {normalise_name(alias)}
                if lower_case_roles:
                    forms.add(lower_case_form(normalise_name(alias), name_words))
                for form in sorted(forms):
                    uses[form].append(use)
    for topic in topics:
        spans = {a.name: a for a in topic.dated_aliases}
        for name in topic.names:
            expansion = (
                topic.name if name != topic.name and is_abbreviation(name, topic.name) else ""
            )
            dated = spans.get(name)
            start, end = (dated.start, dated.end) if dated else (None, None)
            uses[normalise_name(name)].append(AliasUse(topic.slug, start, end, expansion))
    return NameIndex.build(uses)


def lower_case_form(alias: str, keep: Iterable[str] = ()) -> str:
    """Write the words of alias after the first in lower case: "the prime minister".

    Words in all capitals ("PM", "MPs") and the words of names in `keep` stay as written.
    """
    kept = set(keep)
    first, *rest = alias.split(" ")
    return " ".join(
        [first, *(w if w in kept or sum(c.isupper() for c in w) > 1 else w.lower() for w in rest)]
    )


def _targets(site: Site, from_path: str, drafts: frozenset[str]) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    for article in site.articles:
        targets[article.slug] = Target(
            article.slug,
            relative_url(from_path, article.url_path),
            article.title,
            article.summary,
            "article",
            draft=article.slug in drafts,
        )
    entities: tuple[Entity, ...] = (*site.people, *site.topics)
    for entity in entities:
        targets[entity.slug] = Target(
            entity.slug,
            relative_url(from_path, entity.url_path),
            entity.name,
            entity.summary,
            entity.kind,
        )
    return targets


def _line_of(body: str, body_line: int, needle: str, start: int = 0) -> int:
    index = body.find(needle, start)
    if index < 0:
        index = body.find(needle)
    return body_line + (body[:index].count("\n") if index >= 0 else 0)


def _report(
    problems: Iterable[Problem],
    page: Article | Entity,
    collector: Collector,
    all_slugs: Iterable[str],
) -> None:
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        if (problem.message, problem.severity) in seen:
            continue
        seen.add((problem.message, problem.severity))
        line = problem.line or _line_of(page.body, page.body_line, problem.needle)
        message = problem.message
        if message.startswith("broken link [["):
            slug = problem.needle.strip("[]").split("|")[0].strip()
            message += did_you_mean(slug, all_slugs) or "; check the slug"
        if problem.severity == "error":
            collector.error(page.src_path, line, message)
        else:
            collector.warn(page.src_path, line, message)


@dataclass(frozen=True, slots=True)
class _ArticleResult:
    """What converting one article found: plain data, cheap to send between processes."""

    body_html: str
    headlines_html: tuple[str, ...]
    mentions: tuple[tuple[str, str], ...]  # (slug, excerpt) in order of first appearance
    problems: tuple[Problem, ...]
    claims: tuple[tuple[str, tuple[str, ...]], ...]  # (by slug, about slugs) per claim
    used: tuple[str, ...] = ()  # slugs whose link targets the result depends on
    bare_surnames: tuple[str, ...] = ()


ConversionEntry = tuple[bytes, tuple[tuple[str, bytes], ...], Any]


def link_site(
    site: Site,
    collector: Collector,
    drafts: bool = False,
    jobs: int = 1,
    conversions: dict[str, ConversionEntry] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    derived: dict[str, tuple[bytes, Any]] | None = None,
) -> LinkedSite:
    """Convert every body, resolve mentions and refs, and compute the inverse maps.

    `conversions` holds the last build's results by slug: (digest of the inputs, the
    digests of the link targets the body used, result). A result is reused when both
    are unchanged, and the mapping is updated in place for the next build. `derived`
    does the same for maps computed over every article, by the digest of what they read.
    """
    draft_slugs = frozenset(a.slug for a in site.articles if a.draft and not drafts)
    published = tuple(a for a in site.articles if a.slug not in draft_slugs)
    index = build_name_index(site.people, site.topics, site.config.lower_case_role_aliases)
    entity_slugs = frozenset(p.slug for p in site.people) | {t.slug for t in site.topics}
    converter = Converter(site.config.embed_hosts)
    all_slugs = sorted(site.by_slug())
    depth_two = _targets(site, "articles/x/", draft_slugs)  # every body page is two deep
    resolve = depth_two.get  # for drafts, which are only checked

    surname_pattern = bare_surname_pattern(surname_owners(site.people))
    fp = Fingerprinter()
    index_digest = fp.digest(index.uses)
    known = conversions if conversions is not None else {}

    def convert_article(i: int) -> _ArticleResult:
        article = published[i]
        used: set[str] = set()

        def resolve(slug: str) -> Target | None:
            used.add(slug)
            return depth_two.get(slug)

        ctx = ConvertContext(
            resolve=resolve,
            names=index,
            day=article.date,
            listed=frozenset((*article.people, *article.topics)),
            targets=depth_two,
        )
        body_html = converter.convert(article.body, ctx)
        headlines = []
        for headline in article.related_headlines:
            before = len(ctx.problems)
            html_text = converter.convert(headline.title, ctx)
            headlines.append(html_text.removeprefix("<p>").removesuffix("</p>"))
            for problem in ctx.problems[before:]:
                problem.line = headline.line
        claims = []
        for claim in article.claims:
            about_ctx = ConvertContext(
                resolve=resolve, names=index, day=article.date, listed=ctx.listed
            )
            converter.convert(claim.claim, about_ctx)
            by_slug = claim.by if claim.by in entity_slugs else ""
            claims.append((by_slug, tuple(s for s in about_ctx.mentions if s != by_slug)))
        return _ArticleResult(
            body_html=body_html,
            headlines_html=tuple(headlines),
            mentions=tuple((s, m.excerpt) for s, m in ctx.mentions.items()),
            problems=tuple(ctx.problems),
            claims=tuple(claims),
            used=tuple(sorted(used | set(ctx.mentions))),
            bare_surnames=find_bare_surnames(body_html, index, surname_pattern),
        )

    def deps_of(used: Iterable[str]) -> tuple[tuple[str, bytes], ...]:
        return tuple((slug, fp.digest(depth_two.get(slug))) for slug in used)

    keys = [fp.digest((article, index_digest)) for article in published]
    results: list[_ArticleResult | None] = []
    for article, key in zip(published, keys, strict=True):
        entry = known.get(article.slug)
        fresh = (
            entry is not None and entry[0] == key and deps_of(s for s, _ in entry[1]) == entry[1]
        )
        results.append(entry[2] if fresh and entry is not None else None)
    todo = [i for i, r in enumerate(results) if r is None]
    for i, result in zip(
        todo,
        run_indexed(
            lambda n: convert_article(todo[n]),
            len(todo),
            jobs,
            (lambda done, total: progress("Converting articles", done, total))
            if progress
            else None,
        ),
        strict=True,
    ):
        results[i] = result
        known[published[i].slug] = (keys[i], deps_of(result.used), result)

    linked: list[LinkedArticle] = []
    for article, maybe in zip(published, results, strict=True):
        assert maybe is not None
        result = maybe
        _report(result.problems, article, collector, all_slugs)
        check_quotes(article, result.body_html, collector)
        linked.append(
            LinkedArticle(
                article=article,
                body_html=result.body_html,
                headlines_html=result.headlines_html,
                mentions=tuple(s for s, _ in result.mentions),
                excerpts=dict(result.mentions),
                bare_surnames=result.bare_surnames,
                claims=tuple(
                    LinkedClaim(article, claim, by_slug, about)
                    for claim, (by_slug, about) in zip(article.claims, result.claims, strict=True)
                ),
            )
        )
    # Drafts are still checked for broken refs, so publishing one later cannot break the build.
    for article in site.articles:
        if article.slug in draft_slugs:
            ctx = ConvertContext(resolve=resolve, names=index, day=article.date)
            converter.convert(article.body, ctx)
            errors = [p for p in ctx.problems if p.severity == "error"]
            _report(errors, article, collector, all_slugs)
    bodies: dict[str, str] = {}
    entities: tuple[Entity, ...] = (*site.people, *site.topics)
    for entity in entities:
        key = fp.digest(entity.body)
        entry = known.get(entity.slug)
        if entry is not None and entry[0] == key and deps_of(s for s, _ in entry[1]) == entry[1]:
            body_html, problems = entry[2]
        else:
            seen: list[str] = []

            def resolve_used(slug: str, seen: list[str] = seen) -> Target | None:
                seen.append(slug)
                return depth_two.get(slug)

            ctx = ConvertContext(resolve=resolve_used)
            body_html, problems = converter.convert(entity.body, ctx), tuple(ctx.problems)
            known[entity.slug] = (key, deps_of(sorted(set(seen))), (body_html, problems))
        bodies[entity.slug] = body_html
        _report(problems, entity, collector, all_slugs)
    live = {a.slug for a in published} | {e.slug for e in entities}
    for stale in [slug for slug in known if slug not in live]:
        del known[stale]
    memo = derived if derived is not None else {}
    mentioned = tuple((item.article.slug, item.article.sort_key, item.entities) for item in linked)
    people = tuple((p.slug, p.name) for p in site.people)
    by_slug = {item.article.slug: item.article for item in linked}
    read = fp.digest((mentioned, people))  # all that related and co-mentions depend on
    related = _remembered(
        memo,
        "related",
        read,
        lambda: compute_related(linked, frozenset(p.slug for p in site.people)),
    )
    return LinkedSite(
        site=site,
        articles=tuple(linked),
        bodies=bodies,
        backlinks=compute_backlinks(linked),
        co_mentions=_remembered(
            memo,
            "co_mentions",
            read,
            lambda: compute_co_mentions(linked, site),
        ),
        related={a: tuple(by_slug[b] for b in others) for a, others in related.items()},
        quotes_by=compute_quotes(linked),
        claims_of=compute_claims(linked),
        fingerprints=fp,
    )


QUOTE_MARKS = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
    }
)
ELISION_RE = re.compile(r"\s*(?:\[\.\.\.\]|\[…\]|\.\.\.|…)\s*")


def normalise_quote(text: str) -> str:
    """Make text comparable: one kind of quote mark, single spaces, no quote marks at all."""
    text = text.translate(QUOTE_MARKS).replace('"', "")
    return re.sub(r"\s+", " ", text).strip()


def quote_in_text(quote: str, text: str) -> bool:
    """Return whether quote appears in text; an elision (… or ...) skips any words."""
    haystack = normalise_quote(text.replace("…", "..."))
    parts = [normalise_quote(p).strip(" '") for p in ELISION_RE.split(quote)]
    pos = 0
    for part in (p for p in parts if p):
        found = haystack.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def check_quotes(article: Article, body_html: str, collector: Collector) -> None:
    """Refuse quotes whose words the article body does not contain."""
    text = html.unescape(re.sub(r"<[^>]+>", "", body_html))
    for i, quote in enumerate(article.quotes):
        if not quote_in_text(quote.text, text):
            collector.error(
                article.src_path,
                quote.line,
                f"quotes[{i}].text: these words are not in the article body; copy them "
                "exactly (use … where you leave words out)",
            )


def compute_quotes(articles: Iterable[LinkedArticle]) -> dict[str, tuple[QuoteUse, ...]]:
    """Every quote, by speaker, newest article first."""
    by: dict[str, list[QuoteUse]] = defaultdict(list)
    for item in articles:
        for quote in item.article.quotes:
            by[quote.by].append(QuoteUse(item.article, quote))
    return {s: tuple(sorted(q, key=lambda u: u.article.sort_key)) for s, q in by.items()}


def compute_claims(articles: Iterable[LinkedArticle]) -> dict[str, tuple[LinkedClaim, ...]]:
    """Every claim made by or about each person or topic, newest article first."""
    of: dict[str, list[LinkedClaim]] = defaultdict(list)
    for item in articles:
        for claim in item.claims:
            for slug in claim.entities:
                of[slug].append(claim)
    return {s: tuple(sorted(c, key=lambda x: x.article.sort_key)) for s, c in of.items()}


def compute_backlinks(articles: Iterable[LinkedArticle]) -> dict[str, tuple[Backlink, ...]]:
    """Invert article -> entities into entity -> articles, newest first."""
    inverse: dict[str, list[Backlink]] = defaultdict(list)
    for item in articles:
        for slug in item.entities:
            excerpt = item.excerpts.get(slug) or item.article.summary
            inverse[slug].append(Backlink(item.article, excerpt))
    return {
        slug: tuple(sorted(links, key=lambda b: b.article.sort_key))
        for slug, links in inverse.items()
    }


def compute_co_mentions(
    articles: Iterable[LinkedArticle], site: Site
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Count, for each person, the articles they share with every other person."""
    people = {p.slug: p for p in site.people}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in articles:
        present = [s for s in dict.fromkeys(item.entities) if s in people]
        if len(present) > 1:
            for a in present:
                counts[a].update(present)  # counts a itself too; removed below
    for slug, c in counts.items():
        del c[slug]
    names = {slug: person.name for slug, person in people.items()}
    return {
        slug: tuple(sorted(c.items(), key=lambda kv: (-kv[1], names[kv[0]], kv[0])))
        for slug, c in counts.items()
    }


def _remembered(
    memo: dict[str, tuple[bytes, Any]], name: str, key: bytes, compute: Callable[[], T]
) -> T:
    """Return compute(), or what it returned in a build whose inputs had the same digest."""
    entry = memo.get(name)
    if entry is not None and entry[0] == key:
        return cast(T, entry[1])
    value = compute()
    memo[name] = (key, value)
    return value


def compute_related(
    articles: Iterable[LinkedArticle], person_slugs: frozenset[str], limit: int = 5
) -> dict[str, tuple[str, ...]]:
    """For each article, the slugs of other articles sharing people with it, most shared first."""
    items = sorted(articles, key=lambda item: item.article.sort_key)  # rank = newest first
    by_person: dict[str, list[int]] = defaultdict(list)
    people_of: list[list[str]] = []
    for rank, item in enumerate(items):
        people = [s for s in dict.fromkeys(item.entities) if s in person_slugs]
        people_of.append(people)
        for slug in people:
            by_person[slug].append(rank)
    related: dict[str, tuple[str, ...]] = {}
    for rank, item in enumerate(items):
        shared: Counter[int] = Counter()
        for slug in people_of[rank]:
            shared.update(by_person[slug])
        shared.pop(rank, None)
        if len(shared) > limit:  # keep only those that can make the cut, then rank them
            cut = sorted(shared.values(), reverse=True)[limit - 1]
            candidates = [other for other, count in shared.items() if count >= cut]
        else:
            candidates = list(shared)
        best = sorted(candidates, key=lambda other: (-shared[other], other))[:limit]
        related[item.article.slug] = tuple(items[other].article.slug for other in best)
    return related
