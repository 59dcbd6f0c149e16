"""Resolve names, aliases, roles and [[refs]] into links; compute backlinks.

The stage is a straight line of pure steps: `link_context` gathers what every
conversion needs (the name index, the link targets), `convert_article` and
`convert_body` turn one body into HTML with its mentions, and `assemble` builds
the inverse maps over every article. `link_site` runs them in that order.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ..content.model import Article, Claim, Entity, Person, Site, Topic
from ..core.errors import Collector, Diagnostic, did_you_mean, display_path
from ..core.processes import run_indexed
from ..core.urls import relative_url
from .convert import Converter
from .markup import ConvertContext, Target
from .names import MONTHS, AliasUse, NameIndex, Problem, normalise_name

ABBREVIATION_RE = re.compile(r"[A-Z][A-Z0-9&]+\Z")
TAG_RE = re.compile(r"<[^>]+>")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lord", "Lady")
MINOR_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "to", "a", "an"})

T = TypeVar("T")
Excerpt = tuple[str, str]  # (article slug, the sentence that mentions the entity)
Use = tuple[str, int]  # (article slug, index of a quote or claim in that article)


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    """A claim with its speaker resolved and the people and topics it is about."""

    article_slug: str
    claim: Claim
    by_slug: str  # '' when `by` is free text
    about: tuple[str, ...]

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*((self.by_slug,) if self.by_slug else ()), *self.about)))


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
    card_refs: tuple[str, ...] = ()  # slugs its body and headlines link with data-ref
    # listed people and topics first, then anything else mentioned (worked out once)
    entities: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        listed = (*self.article.people, *self.article.topics)
        entities = (*listed, *(s for s in self.mentions if s not in listed))
        object.__setattr__(self, "entities", entities)


@dataclass(frozen=True, slots=True)
class LinkedSite:
    """The site with every cross-reference resolved; the maps hold slugs, not objects."""

    site: Site
    articles: tuple[LinkedArticle, ...]  # published, newest first
    bodies: Mapping[str, str]  # person and topic slug -> body HTML
    body_refs: Mapping[str, tuple[str, ...]]  # person and topic slug -> slugs its body links
    backlinks: Mapping[str, tuple[Excerpt, ...]]  # entity -> articles naming it, newest first
    co_mentions: Mapping[str, tuple[tuple[str, int], ...]]  # person -> (person, shared articles)
    related: Mapping[str, tuple[str, ...]]  # article -> related article slugs
    quotes_by: Mapping[str, tuple[Use, ...]]  # person -> their quotes, newest first
    claims_of: Mapping[str, tuple[Use, ...]]  # entity -> claims by or about it, newest first
    by_slug: Mapping[str, LinkedArticle] = field(init=False, compare=False, repr=False)
    entities: Mapping[str, Entity] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_slug", {item.article.slug: item for item in self.articles})
        entities: tuple[Entity, ...] = (*self.site.people, *self.site.topics)
        object.__setattr__(self, "entities", {e.slug: e for e in entities})

    @property
    def claims(self) -> tuple[LinkedClaim, ...]:
        return tuple(c for item in self.articles for c in item.claims)


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
            use = AliasUse(person.slug, role.start, role.end, role=True)
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


@dataclass(frozen=True, slots=True)
class LinkContext:
    """What every conversion of one build needs to know: names, and where slugs link."""

    names: NameIndex
    targets: Mapping[str, Target]  # slug -> link target, as seen from a page two folders deep
    entity_slugs: frozenset[str]
    surnames: frozenset[str]  # last names that are no name or alias in their own right
    surname_pattern: re.Pattern[str] | None
    embed_hosts: tuple[str, ...]

    def converter(self) -> Converter:
        return Converter(self.embed_hosts)


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


def draft_slugs(site: Site, drafts: bool) -> frozenset[str]:
    """Return the articles kept off the site: drafts, unless drafts are published."""
    return frozenset(a.slug for a in site.articles if a.draft and not drafts)


def link_context(site: Site, drafts: bool = False) -> LinkContext:
    """Gather the name index and link targets of a site."""
    owners = surname_owners(site.people)
    return LinkContext(
        names=build_name_index(site.people, site.topics, site.config.lower_case_role_aliases),
        targets=_targets(site, "articles/x/", draft_slugs(site, drafts)),  # bodies are two deep
        entity_slugs=frozenset(p.slug for p in site.people) | {t.slug for t in site.topics},
        surnames=frozenset(owners),
        surname_pattern=bare_surname_pattern(owners),
        embed_hosts=site.config.embed_hosts,
    )


@dataclass(frozen=True, slots=True)
class ArticleLinks:
    """What converting one article found: plain data, cheap to send between processes."""

    body_html: str
    headlines_html: tuple[str, ...]
    mentions: tuple[tuple[str, str], ...]  # (slug, excerpt) in order of first appearance
    problems: tuple[Problem, ...]
    claims: tuple[tuple[str, tuple[str, ...]], ...]  # (by slug, about slugs) per claim
    used: tuple[str, ...] = ()  # slugs whose link targets the result depends on
    bare_surnames: tuple[str, ...] = ()
    card_refs: tuple[str, ...] = ()  # slugs the HTML links with data-ref, sorted


@dataclass(frozen=True, slots=True)
class BodyLinks:
    """What converting a person's or topic's body (or checking a draft) found."""

    body_html: str
    problems: tuple[Problem, ...]
    used: tuple[str, ...] = ()
    card_refs: tuple[str, ...] = ()  # slugs the HTML links with data-ref, sorted


def convert_article(ctx: LinkContext, converter: Converter, article: Article) -> ArticleLinks:
    """Convert one published article: body, related headlines and the claims' subjects."""
    used: set[str] = set()

    def resolve(slug: str) -> Target | None:
        used.add(slug)
        return ctx.targets.get(slug)

    body_ctx = ConvertContext(
        resolve=resolve,
        names=ctx.names,
        day=article.date,
        listed=frozenset((*article.people, *article.topics)),
        targets=ctx.targets,
    )
    body_html = converter.convert(article.body, body_ctx)
    headlines = []
    for headline in article.related_headlines:
        before = len(body_ctx.problems)
        html_text = converter.convert(headline.title, body_ctx)
        headlines.append(html_text.removeprefix("<p>").removesuffix("</p>"))
        for problem in body_ctx.problems[before:]:
            problem.line = headline.line
    claims = []
    for claim in article.claims:
        about_ctx = ConvertContext(
            resolve=resolve, names=ctx.names, day=article.date, listed=body_ctx.listed
        )
        converter.convert(claim.claim, about_ctx)
        by_slug = claim.by if claim.by in ctx.entity_slugs else ""
        if claim.by:
            used.add(claim.by)  # whether it names a page depends on the pages there are
        claims.append((by_slug, tuple(s for s in about_ctx.mentions if s != by_slug)))
    return ArticleLinks(
        body_html=body_html,
        headlines_html=tuple(headlines),
        mentions=tuple((s, m.excerpt) for s, m in body_ctx.mentions.items()),
        problems=tuple(body_ctx.problems),
        claims=tuple(claims),
        used=tuple(sorted(used | set(body_ctx.mentions))),
        bare_surnames=find_bare_surnames(body_html, ctx.names, ctx.surname_pattern),
        card_refs=tuple(sorted(body_ctx.card_refs)),
    )


def convert_body(ctx: LinkContext, converter: Converter, page: Entity | Article) -> BodyLinks:
    """Convert a person's or topic's body; for a draft article, only check its refs."""
    used: list[str] = []

    def resolve(slug: str) -> Target | None:
        used.append(slug)
        return ctx.targets.get(slug)

    if isinstance(page, Article):  # a draft: refs checked so publishing it cannot break
        body_ctx = ConvertContext(resolve=resolve, names=ctx.names, day=page.date)
        converter.convert(page.body, body_ctx)
        errors = tuple(p for p in body_ctx.problems if p.severity == "error")
        return BodyLinks("", errors, tuple(sorted(set(used))))
    body_ctx = ConvertContext(resolve=resolve)
    body_html = converter.convert(page.body, body_ctx)
    return BodyLinks(
        body_html, tuple(body_ctx.problems), tuple(sorted(set(used))), tuple(sorted(body_ctx.card_refs))
    )


def link_site(
    site: Site,
    collector: Collector,
    drafts: bool = False,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> LinkedSite:
    """Convert every body, resolve mentions and refs, and compute the inverse maps."""
    ctx = link_context(site, drafts)
    hidden = draft_slugs(site, drafts)
    published = [a for a in site.articles if a.slug not in hidden]
    converter = ctx.converter()
    report = (lambda done, total: progress("Converting articles", done, total)) if progress else None
    converted = run_indexed(
        lambda i: convert_article(ctx, converter, published[i]), len(published), jobs, report
    )
    others: list[Entity | Article] = [
        *(a for a in site.articles if a.slug in hidden),
        *site.people,
        *site.topics,
    ]
    bodies = {page.slug: convert_body(ctx, converter, page) for page in others}
    return assemble(site, dict(zip((a.slug for a in published), converted, strict=True)), bodies, collector)


def assemble(
    site: Site,
    articles: Mapping[str, ArticleLinks],
    bodies: Mapping[str, BodyLinks],
    collector: Collector,
) -> LinkedSite:
    """Report what the conversions found and build the linked site around them.

    `articles` holds the conversion of every published article, `bodies` that of every
    person, topic and draft (drafts: their problems only).
    """
    all_slugs = sorted(site.by_slug())
    linked = []
    for article in site.articles:
        result = articles.get(article.slug)
        if result is not None:
            report_problems(result.problems, article, collector, all_slugs)
            collector.diagnostics.extend(check_quotes(article, result.body_html))
            linked.append(linked_article(article, result))
    pages: tuple[Article | Entity, ...] = (*site.articles, *site.people, *site.topics)
    for page in pages:
        if page.slug in bodies:
            report_problems(bodies[page.slug].problems, page, collector, all_slugs)
    return derive(site, tuple(linked), entity_bodies(site, bodies))


def entity_bodies(site: Site, bodies: Mapping[str, BodyLinks]) -> dict[str, BodyLinks]:
    """Return the conversion of every person's and topic's body."""
    entities: tuple[Entity, ...] = (*site.people, *site.topics)
    return {e.slug: bodies[e.slug] for e in entities if e.slug in bodies}


def linked_article(article: Article, result: ArticleLinks) -> LinkedArticle:
    """Wrap one article's conversion with the article."""
    return LinkedArticle(
        article=article,
        body_html=result.body_html,
        headlines_html=result.headlines_html,
        mentions=tuple(s for s, _ in result.mentions),
        excerpts=dict(result.mentions),
        bare_surnames=result.bare_surnames,
        card_refs=result.card_refs,
        claims=tuple(
            LinkedClaim(article.slug, claim, by_slug, about)
            for claim, (by_slug, about) in zip(article.claims, result.claims, strict=True)
        ),
    )


def derive(
    site: Site, linked: tuple[LinkedArticle, ...], bodies: Mapping[str, BodyLinks]
) -> LinkedSite:
    """Compute the inverse maps over every linked article."""
    return LinkedSite(
        site=site,
        articles=linked,
        bodies={slug: body.body_html for slug, body in bodies.items()},
        body_refs={slug: body.card_refs for slug, body in bodies.items()},
        backlinks=compute_backlinks(linked),
        co_mentions=compute_co_mentions(linked, site),
        related=compute_related(linked, frozenset(p.slug for p in site.people)),
        quotes_by=compute_quotes(linked),
        claims_of=compute_claims(linked),
    )


def mention_inputs(site: Site, linked: Iterable[LinkedArticle]) -> tuple[object, ...]:
    """Everything related articles and co-mentions are computed from."""
    mentioned = tuple((item.article.slug, item.article.sort_key, item.entities) for item in linked)
    return (mentioned, tuple((p.slug, p.name) for p in site.people))


def _line_of(body: str, body_line: int, needle: str, start: int = 0) -> int:
    index = body.find(needle, start)
    if index < 0:
        index = body.find(needle)
    return body_line + (body[:index].count("\n") if index >= 0 else 0)


def report_problems(
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


def check_quotes(article: Article, body_html: str) -> list[Diagnostic]:
    """Refuse quotes whose words the article body does not contain."""
    if not article.quotes:
        return []
    text = html.unescape(re.sub(r"<[^>]+>", "", body_html))
    return [
        Diagnostic(
            display_path(article.src_path),
            quote.line,
            f"quotes[{i}].text: these words are not in the article body; copy them "
            "exactly (use … where you leave words out)",
        )
        for i, quote in enumerate(article.quotes)
        if not quote_in_text(quote.text, text)
    ]


def _newest_first(articles: Iterable[LinkedArticle]) -> list[LinkedArticle]:
    # Usually in this order already, which sorting finds in one pass.
    return sorted(articles, key=lambda item: item.article.sort_key)


def quote_rows(item: LinkedArticle) -> list[tuple[str, Use]]:
    """What one article adds to the quotes of each speaker."""
    return [(quote.by, (item.article.slug, i)) for i, quote in enumerate(item.article.quotes)]


def claim_rows(item: LinkedArticle) -> list[tuple[str, Use]]:
    """What one article adds to the claims by or about each person or topic."""
    slug = item.article.slug
    return [(entity, (slug, i)) for i, claim in enumerate(item.claims) for entity in claim.entities]


def backlink_rows(item: LinkedArticle) -> list[tuple[str, Excerpt]]:
    """What one article adds to the backlinks of each person and topic it names."""
    slug, excerpts, summary = item.article.slug, item.excerpts, item.article.summary
    return [(entity, (slug, excerpts.get(entity) or summary)) for entity in item.entities]


def group_rows(
    articles: Iterable[LinkedArticle], rows: Callable[[LinkedArticle], list[tuple[str, T]]]
) -> dict[str, tuple[T, ...]]:
    """Gather every article's rows by key, newest article first."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for item in _newest_first(articles):
        for key, row in rows(item):
            grouped[key].append(row)
    return {key: tuple(found) for key, found in grouped.items()}


def compute_quotes(articles: Iterable[LinkedArticle]) -> dict[str, tuple[Use, ...]]:
    """Every quote, by speaker, newest article first."""
    return group_rows(articles, quote_rows)


def compute_claims(articles: Iterable[LinkedArticle]) -> dict[str, tuple[Use, ...]]:
    """Every claim made by or about each person or topic, newest article first."""
    return group_rows(articles, claim_rows)


def compute_backlinks(articles: Iterable[LinkedArticle]) -> dict[str, tuple[Excerpt, ...]]:
    """Invert article -> entities into entity -> articles, newest first."""
    return group_rows(articles, backlink_rows)


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
