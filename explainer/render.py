"""Render the linked site into pages: pure, no file writes."""

from __future__ import annotations

import datetime as dt
import json
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from . import feeds, jsonld
from .corrections import last_corrected, site_corrections
from .errors import BuildFailed, Diagnostic, display_path
from .fingerprint import Fingerprinter
from .link import LinkedArticle, LinkedSite
from .model import CLAIM_STATUSES, Person, Topic
from .parallel import iter_indexed
from .timeline import Entry, build_timeline, by_year
from .urls import absolute_url, out_path, relative_url

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
TOPIC_KIND_TITLES = {
    "organisation": "Organisations",
    "institution": "Institutions",
    "concept": "Concepts",
    "event": "Events",
    "place": "Places",
}
STATUS_LABELS = {
    "asserted": "Asserted",
    "disputed": "Disputed",
    "denied": "Denied",
    "unverified": "Unverified",
    "supported": "Supported by evidence",
    "false": "False",
}
DATA_REF_RE = re.compile(r'data-ref="([a-z0-9-]+)"')
CARDS_ID = "explainer-cards"
# Per page: digest of the template context, the entities its hover cards show, their digest.
PageDigest = tuple[bytes, tuple[str, ...], bytes]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One output file: where it goes and its bytes."""

    url_path: str
    out_path: str
    content: bytes


@dataclass(frozen=True, slots=True)
class _Job:
    """A page waiting to be rendered."""

    template: str
    url_path: str
    day: dt.date | None
    context: dict[str, Any]
    # Made only when the page is rendered; what it reads is in `context` too.
    structured: Callable[[], Markup] | None = None


@dataclass(frozen=True, slots=True)
class PersonInStory:
    """A person as shown beside an article: their position on the article's date."""

    FINGERPRINT_INLINE: ClassVar[bool] = True  # made afresh per page: digest inline

    person: Person
    role: str
    party: str


def long_date(day: dt.date) -> str:
    """Format a date like '15 November 2017'."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """Create the Jinja environment: autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.globals["status_labels"] = STATUS_LABELS
    env.globals["kind_titles"] = TOPIC_KIND_TITLES
    return env


class _Renderer:
    def __init__(self, linked: LinkedSite, env: jinja2.Environment, templates_dir: Path) -> None:
        self.linked = linked
        self.site = linked.site
        self.env = env
        self.templates_dir = templates_dir
        self.entities = linked.entities
        self.people = {p.slug: p for p in self.site.people}
        self.topics = {t.slug: t for t in self.site.topics}
        self.jobs: list[_Job] = []
        self.salt = b""
        self.previous: Mapping[str, PageDigest] = {}
        self.reused: list[str] = []
        self.digests: dict[str, PageDigest] = {}
        self.progress: Callable[[str, int, int], None] | None = None
        self.files: list[RenderedPage] = []
        self.lastmod: dict[str, dt.date | None] = {}

    def render(
        self,
        template: str,
        url_path: str,
        day: dt.date | None = None,
        lastmod: dt.date | None = None,
        crumbs: tuple[tuple[str, str], ...] = (),
        og_type: str = "website",
        in_sitemap: bool = True,
        **context: Any,
    ) -> None:
        """Queue a page; pages are rendered together, possibly in several processes.

        Each page gets only the entities it looks up (`entities`), so that its digest
        changes only when something it shows changes.
        """
        context.setdefault("entities", {})
        context.update(crumbs=crumbs, og_type=og_type)
        structured = context.pop("structured", None)
        self.jobs.append(_Job(template, url_path, day, context, structured))
        if in_sitemap:
            self.lastmod[url_path] = lastmod

    def render_job(self, index: int) -> tuple[RenderedPage, tuple[str, ...]] | Diagnostic:
        job = self.jobs[index]
        url_path = job.url_path

        def url(target: str) -> str:
            return relative_url(url_path, target)

        def folder_url(target: str) -> str:
            return relative_url(url_path, target, index=False)

        config = self.site.config
        try:
            html = self.env.get_template(job.template).render(
                site=config,
                url=url,
                folder_url=folder_url,
                page_url=url_path,
                canonical=absolute_url(config.base_url, url_path),
                structured=job.structured() if job.structured else "",
                **job.context,
            )
        except jinja2.TemplateSyntaxError as err:
            return _syntax_diagnostic(err, self.templates_dir)
        except jinja2.TemplateError as err:
            return _runtime_diagnostic(err, self.templates_dir, url_path)
        except Exception as err:  # a template can raise anything: 1 // 0, a bad method call
            return _runtime_diagnostic(err, self.templates_dir, url_path)
        html, slugs = self.add_cards(html, url_path, job.day)
        return RenderedPage(url_path, out_path(url_path), html.encode("utf-8")), slugs

    def add_file(self, url_path: str, text: str) -> None:
        self.files.append(RenderedPage(url_path, url_path, text.encode("utf-8")))

    def add_cards(
        self, html: str, url_path: str, day: dt.date | None
    ) -> tuple[str, tuple[str, ...]]:
        """Give the page the hover-card data of every person and topic it links."""
        slugs = tuple(sorted({s for s in DATA_REF_RE.findall(html) if s in self.entities}))
        if not slugs or "</body>" not in html:
            return html, slugs
        cards = {s: self.card(self.entities[s], url_path, day) for s in slugs}
        text = json.dumps(cards, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        block = f'<script type="application/json" id="{CARDS_ID}">{text}</script>\n'
        head, _, tail = html.rpartition("</body>")
        return f"{head}{block}</body>{tail}", slugs

    def card(self, entity: Person | Topic, url_path: str, day: dt.date | None) -> dict[str, str]:
        card = {
            "name": entity.name,
            "summary": entity.summary,
            "url": relative_url(url_path, entity.url_path),
        }
        if isinstance(entity, Person):
            card["kind"] = "person"
            card["initials"] = entity.initials
            card["role"] = entity.role_label_on(day) if day else entity.current_label()
            card["party"] = entity.party_label_on(day)
            if entity.image:
                card["image"] = relative_url(url_path, f"static/{entity.image}")
        else:
            card["kind"] = entity.topic_kind
        return card

    def page_digest(self, fp: Fingerprinter, salt: bytes, job: _Job) -> bytes:
        """Digest everything a page's template is given."""
        return fp.digest((salt, job.template, job.url_path, job.day, job.context))

    def cards_digest(self, fp: Fingerprinter, job: _Job, slugs: tuple[str, ...]) -> bytes:
        """Digest what the hover cards of a page show: its linked entities, on its date."""
        return fp.digest((job.url_path, job.day, tuple(self.entities.get(s) for s in slugs)))

    def pick(self, slugs: Iterable[str]) -> dict[str, Person | Topic]:
        """Return the entities named by slugs, in a stable order."""
        return {s: self.entities[s] for s in sorted(set(slugs)) if s in self.entities}

    def people_in_story(self, item: LinkedArticle) -> list[PersonInStory]:
        people = self.people
        day = item.article.date
        return [
            PersonInStory(people[s], people[s].role_label_on(day), people[s].party_label_on(day))
            for s in item.entities
            if s in people
        ]

    def topics_in_story(self, item: LinkedArticle) -> list[Topic]:
        topics = self.topics
        return [topics[s] for s in item.entities if s in topics]

    def run(self, jobs: int = 1) -> Iterator[RenderedPage]:
        """Queue every page and digest it; return the pages that need rendering, lazily."""
        linked = self.linked
        site = self.site
        articles = [item.article for item in linked.articles]
        people = site.people
        base = site.config.base_url
        counts = {slug: len(links) for slug, links in linked.backlinks.items()}
        changed = {a.slug: a.modified for a in articles}
        latest = max(changed.values(), default=None)

        def latest_for(slug: str) -> dt.date | None:
            days = [changed[b.article.slug] for b in linked.backlinks.get(slug, ())]
            return max(days, default=None)

        home = (("Home", ""),)
        self.render(
            "index.html",
            "",
            lastmod=latest,
            articles=articles[:10],
            people=people,
            topics=site.topics,
            title=site.config.title,
        )
        self.render(
            "articles.html",
            "articles/",
            lastmod=latest,
            crumbs=home,
            articles=articles,
            title="Articles",
        )
        self.render(
            "people.html",
            "people/",
            lastmod=latest,
            crumbs=home,
            people=people,
            title="People",
            counts=counts,
        )
        self.render(
            "topics.html",
            "topics/",
            lastmod=latest,
            crumbs=home,
            title="Topics",
            counts=counts,
            groups=[
                (kind, [t for t in site.topics if t.topic_kind == kind])
                for kind in TOPIC_KIND_TITLES
                if any(t.topic_kind == kind for t in site.topics)
            ],
        )
        claims = linked.claims
        self.render(
            "claims.html",
            "claims/",
            lastmod=latest,
            crumbs=home,
            title="Claims",
            claims=claims,
            by_status=[
                (status, [c for c in claims if c.claim.status == status])
                for status in CLAIM_STATUSES
            ],
            by_entity=[
                (e, linked.claims_of[e.slug])
                for e in self.entities.values()
                if e.slug in linked.claims_of
            ],
            entities=self.pick(c.by_slug for c in claims),
        )
        corrections = site_corrections(articles)
        self.render(
            "corrections.html",
            "corrections/",
            lastmod=last_corrected(corrections) or latest,
            crumbs=home,
            title="Corrections",
            corrections=corrections,
        )
        timeline = build_timeline(linked)
        entries_of: dict[str, list[Entry]] = {}
        for entry in timeline:
            for slug in entry.slugs:
                entries_of.setdefault(slug, []).append(entry)
        timeline_people = [p for p in people if p.slug in entries_of]
        self.render(
            "timeline.html",
            "timeline/",
            lastmod=latest,
            crumbs=home,
            title="Timeline",
            years=by_year(timeline),
            person=None,
            timeline_people=timeline_people,
        )
        for person in timeline_people:
            mine = entries_of[person.slug]
            self.render(
                "timeline.html",
                f"timeline/{person.slug}/",
                lastmod=latest_for(person.slug),
                crumbs=(*home, ("Timeline", "timeline/")),
                title=f"Timeline: {person.name}",
                years=by_year(mine),
                person=person,
                timeline_people=(),  # the list of everyone is on the main timeline only
            )
        self.render("search.html", "search/", lastmod=latest, crumbs=home, title="Search")
        self.render(
            "404.html",
            "404.html",
            in_sitemap=False,
            title="Page not found",
            base_path=urlsplit(base).path or "/",
        )
        for item in linked.articles:
            article = item.article
            self.render(
                "article.html",
                article.url_path,
                day=article.date,
                og_type="article",
                lastmod=changed[article.slug],
                crumbs=(*home, ("Articles", "articles/")),
                article=article,
                title=article.title,
                body=Markup(item.body_html),
                headlines=[Markup(h) for h in item.headlines_html],
                people_in_story=self.people_in_story(item),
                topics_in_story=self.topics_in_story(item),
                related=linked.related.get(article.slug, ()),
                claims=item.claims,
                entities=self.pick(
                    [
                        *(c.by_slug for c in item.claims),
                        *(s for c in item.claims for s in c.about),
                        *(q.by for q in article.quotes),
                    ]
                ),
                structured=lambda item=item: jsonld.script(jsonld.article_data(linked, item)),
            )
        for person in people:
            self.render(
                "person.html",
                person.url_path,
                og_type="profile",
                lastmod=latest_for(person.slug),
                crumbs=(*home, ("People", "people/")),
                person=person,
                title=person.name,
                body=Markup(linked.bodies.get(person.slug, "")),
                roles=sorted(person.roles, key=lambda r: (-r.start.toordinal(), r.title)),
                appears_in=linked.backlinks.get(person.slug, ()),
                co_mentions=[
                    (self.entities[s], n) for s, n in linked.co_mentions.get(person.slug, ())
                ][:10],
                current_party=person.party_on(None),
                quotes=linked.quotes_by.get(person.slug, ()),
                claims=linked.claims_of.get(person.slug, ()),
                entities=self.pick(c.by_slug for c in linked.claims_of.get(person.slug, ())),
                has_timeline=person in timeline_people,
                structured=lambda person=person: jsonld.script(jsonld.person_data(base, person)),
            )
        for topic in site.topics:
            self.render(
                "topic.html",
                topic.url_path,
                lastmod=latest_for(topic.slug),
                crumbs=(*home, ("Topics", "topics/")),
                topic=topic,
                title=topic.name,
                body=Markup(linked.bodies.get(topic.slug, "")),
                appears_in=linked.backlinks.get(topic.slug, ()),
                claims=linked.claims_of.get(topic.slug, ()),
                entities=self.pick(c.by_slug for c in linked.claims_of.get(topic.slug, ())),
                structured=lambda topic=topic: jsonld.script(jsonld.topic_data(base, topic)),
            )
        self.add_file("feed.xml", feeds.atom_feed(site.config, articles))
        self.add_file("sitemap.xml", feeds.sitemap(site.config, self.lastmod))
        self.add_file("robots.txt", feeds.robots(site.config))
        fp = self.linked.fingerprints  # the articles' digests were taken while linking
        salt = fp.digest((self.salt, self.site.config))
        # With nothing to compare against, every page is rendered: each is digested in the
        # process that renders it, so that work is spread over the workers too.
        cold = not self.previous
        todo: list[int] = []
        for i, job in enumerate(self.jobs):
            if cold:
                todo.append(i)
                continue
            digest = self.page_digest(fp, salt, job)
            before = self.previous.get(job.url_path)
            if before is not None and before[0] == digest:
                slugs = before[1]
                if self.cards_digest(fp, job, slugs) == before[2]:
                    self.reused.append(out_path(job.url_path))
                    self.digests[job.url_path] = before
                    continue
            self.digests[job.url_path] = (digest, (), b"")
            todo.append(i)
        return self._render(todo, fp, salt, cold, jobs)

    def _render(
        self, todo: list[int], fp: Fingerprinter, salt: bytes, cold: bool, jobs: int
    ) -> Iterator[RenderedPage]:
        """Yield each page to render as it is done, then the feed, sitemap and robots.txt.

        Pages are never all held at once: the caller writes each as it comes.
        """
        report = self.progress

        def rendered(done: int, total: int) -> None:
            if report is not None:
                report("Rendering pages", done, total)

        def job_of(n: int) -> tuple[RenderedPage, PageDigest] | Diagnostic:
            job = self.jobs[todo[n]]
            result = self.render_job(todo[n])
            if isinstance(result, Diagnostic):
                return result
            page, slugs = result
            digest = self.page_digest(fp, salt, job) if cold else self.digests[job.url_path][0]
            return page, (digest, slugs, self.cards_digest(fp, job, slugs))

        results = iter_indexed(job_of, len(todo), jobs, rendered)
        for i, result in zip(todo, results, strict=True):
            if isinstance(result, Diagnostic):
                results.close()  # stop the workers before reporting
                raise BuildFailed([result])
            page, self.digests[self.jobs[i].url_path] = result
            yield page
        if cold:  # in the order of the jobs, as a warm build records them
            self.digests = {job.url_path: self.digests[job.url_path] for job in self.jobs}
        yield from self.files


def _syntax_diagnostic(err: jinja2.TemplateSyntaxError, templates_dir: Path) -> Diagnostic:
    name = err.name or err.filename
    path = display_path(templates_dir / name) if name else display_path(templates_dir)
    return Diagnostic(path, err.lineno or 0, f"template syntax error: {err.message or err}")


def _runtime_diagnostic(err: Exception, templates_dir: Path, url_path: str) -> Diagnostic:
    """Point at the template line that failed, found in the traceback Jinja rewrites."""
    root = str(templates_dir.resolve())
    what = str(err) if isinstance(err, jinja2.TemplateError) else f"{type(err).__name__}: {err}"
    where = f"template error while rendering /{url_path}: {what}"
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            return Diagnostic(display_path(frame.filename), frame.lineno or 0, where)
    return Diagnostic(display_path(templates_dir), 0, where)


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """Pages to render now, pages whose previous output still holds, and every page's digest.

    `pages` renders each page as it is taken: iterate it once, writing each page as it
    comes. `digests` is complete only once every page has been taken.
    """

    pages: Iterator[RenderedPage]
    reused: list[str]  # output paths to carry over from the previous build
    renderer: _Renderer = field(repr=False)

    @property
    def digests(self) -> dict[str, PageDigest]:
        """url path -> what its rendering used."""
        return self.renderer.digests


def plan_pages(
    linked: LinkedSite,
    templates_dir: Path,
    jobs: int = 1,
    previous: Mapping[str, PageDigest] | None = None,
    salt: bytes = b"",
    progress: Callable[[str, int, int], None] | None = None,
) -> RenderPlan:
    """Render the pages whose inputs differ from `previous` (url path -> digest)."""
    renderer = _Renderer(linked, make_environment(templates_dir), templates_dir)
    renderer.previous = previous or {}
    renderer.salt = salt
    renderer.progress = progress
    pages = renderer.run(jobs)
    return RenderPlan(pages, renderer.reused, renderer)


def render_pages(linked: LinkedSite, templates_dir: Path, jobs: int = 1) -> list[RenderedPage]:
    """Render every page of the site, in a stable order."""
    return list(plan_pages(linked, templates_dir, jobs).pages)
