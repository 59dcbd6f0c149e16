"""Render pages from the linked site: pure, no file writes.

`page_data` (in view.py) says which pages exist; `Renderer.render` draws one of
them, reading the site only through a `SiteView`, so that what a page read can be
noted while it is drawn. `render_pages` draws every page of a site in order.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from ..content.model import CLAIM_STATUSES, long_date
from ..core.errors import BuildFailed, Diagnostic, display_path
from ..core.processes import iter_indexed
from ..core.rendered import RenderedPage
from ..core.urls import absolute_url, out_path, relative_url
from ..link.linking import LinkedSite
from . import feeds, jsonld
from .charts import RankChart, TimeChart, draw_rank_chart, draw_time_chart
from .corrections import site_corrections
from .images import page_pictures, picture
from .pictures import (
    Standing,
    Story,
    co_mentions_chart,
    holders_by_title,
    holders_chart,
    moment_chart,
    offices_chart,
    standing_on,
    timeline_chart,
    timeline_offices,
)
from .timeline import by_year, stories_only
from .view import Counts, PageData, PageJob, Reads, SiteView, page_data

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
CARDS_ID = "explainer-cards"
HOME = (("Home", ""),)


@dataclass(frozen=True, slots=True)
class PersonInStory:
    """A person as shown beside an article: their position on the article's date."""

    person: Any  # Person, or its tracked view
    role: str
    party: str
    standing: str = ""  # the office held on the story's date and for how long, or when left


class PageError(Exception):
    """A template failed; carries the diagnostic that says where."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


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


def _pick(view: SiteView, slugs: Any) -> dict[str, Any]:
    """Return the people and topics named by slugs, in a stable order."""
    picked = {}
    for slug in sorted(set(slugs)):
        entity = view.entity(slug)
        if entity is not None:
            picked[slug] = entity
    return picked


def _home_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {
        "articles": view.articles()[:10],
        "people": view.people(),
        "topics": view.topics(),
        "title": view.config.title,
    }


def _articles_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {"crumbs": HOME, "articles": view.articles(), "title": "Articles"}


def _people_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {"crumbs": HOME, "people": view.people(), "title": "People", "counts": Counts(view)}


def _topics_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    topics = view.topics()
    return {
        "crumbs": HOME,
        "title": "Topics",
        "counts": Counts(view),
        "groups": [
            (kind, [t for t in topics if t.topic_kind == kind])
            for kind in TOPIC_KIND_TITLES
            if any(t.topic_kind == kind for t in topics)
        ],
    }


def _claims_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    claims = view.claims()
    by_entity = []
    for entity in (*view.people(), *view.topics()):
        mine = view.claims_of(entity.slug)
        if mine:
            by_entity.append((entity, mine))
    return {
        "crumbs": HOME,
        "title": "Claims",
        "claims": claims,
        "by_status": [
            (status, [c for c in claims if c.claim.status == status]) for status in CLAIM_STATUSES
        ],
        "by_entity": by_entity,
        "entities": _pick(view, (c.by_slug for c in claims)),
    }


def _corrections_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {
        "crumbs": HOME,
        "title": "Corrections",
        "corrections": site_corrections(view.articles()),
    }


def _charted(view: SiteView) -> bool:
    """Whether the site draws its charts (site.yaml's `charts`)."""
    return bool(view.config.charts)


def _stories_of(view: SiteView, slug: str) -> list[Story]:
    """The stories that mention a person or topic, oldest first."""
    stories = [
        Story(b.article.date, b.article.title, b.article.url_path) for b in view.backlinks(slug)
    ]
    return sorted(stories, key=lambda s: (s.day, s.title, s.url_path))


def _timeline_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    stories_path = view.stories_path()
    if job.subject:
        person = view.entity(job.subject)
        entries = view.timeline_of(job.subject)
        return {
            "crumbs": (*HOME, ("Timeline", "timeline/")),
            "title": f"Timeline: {person.name}",
            "years": by_year(entries),
            "person": person,
            "stories_path": stories_path,
            "stories_only": False,
            "timeline_people": (),  # the list of everyone is on the main timeline only
            "page_chart": None,  # the offices chart is on the profile, one link away
        }
    entries = view.timeline()
    if job.kind == "stories-timeline":
        return {
            "crumbs": (*HOME, ("Timeline", "timeline/")),
            "title": "Timeline: stories only",
            "years": by_year(stories_only(entries)),
            "person": None,
            "stories_path": stories_path,
            "stories_only": True,
            "timeline_people": (),
            "page_chart": None,
        }
    return {
        "crumbs": HOME,
        "title": "Timeline",
        "years": by_year(entries),
        "person": None,
        "stories_path": stories_path,
        "stories_only": False,
        "timeline_people": view.timeline_people(),
        "page_chart": _charted(view)
        and timeline_chart(timeline_offices(view.people()), entries, view.horizon(), "year-"),
    }


def _search_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {"crumbs": HOME, "title": "Search"}


def _not_found_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    return {"title": "Page not found", "base_path": urlsplit(view.config.base_url).path or "/"}


def _with_image(data: dict[str, Any], pictures: dict[str, Any]) -> dict[str, Any]:
    """Add the picture a page is shared with to its structured data, if it has one."""
    social = pictures.get("social")
    if social is not None:
        data["image"] = {
            "@type": "ImageObject",
            "url": social["url"],
            "width": social["width"],
            "height": social["height"],
            "caption": social["alt"],
        }
    return data


def _article_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    pictures = _pictures_context(view, job)
    item = view.item(job.subject)
    article = item.article
    day = article.date
    people_in_story = []
    topics_in_story = []
    standings: list[Standing] = []
    for slug in item.entities:
        entity = view.entity(slug)
        if entity is None:
            continue
        if entity.kind == "person":
            standing = standing_on(entity, day)
            if standing is not None:
                standings.append(standing)
            people_in_story.append(
                PersonInStory(
                    entity,
                    entity.role_label_on(day),
                    entity.party_label_on(day),
                    standing.tenure(day) if standing is not None else "",
                )
            )
        else:
            topics_in_story.append(entity)
    claims = [view.claim_entry(c) for c in item.claims]
    return {
        "og_type": "article",
        "crumbs": (*HOME, ("Articles", "articles/")),
        "article": article,
        "title": article.title,
        "body": Markup(item.body_html),
        "headlines": [Markup(h) for h in item.headlines_html],
        "card_refs": item.card_refs,
        "people_in_story": people_in_story,
        "moment_chart": _charted(view) and moment_chart(day, standings, view.horizon()),
        "wide": True,
        "topics_in_story": topics_in_story,
        "related": view.related(job.subject),
        "claims": claims,
        "entities": _pick(
            view,
            [
                *(c.by_slug for c in claims),
                *(s for c in claims for s in c.about),
                *(q.by for q in article.quotes),
            ],
        ),
        **pictures,
        "structured": jsonld.script(_with_image(jsonld.article_data(view, item), pictures)),
    }


def _person_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    pictures = _pictures_context(view, job)
    person = view.entity(job.subject)
    slug = job.subject
    claims = view.claims_of(slug)
    co_mentions = view.co_mentions(slug)[:10]
    return {
        "og_type": "profile",
        "crumbs": (*HOME, ("People", "people/")),
        "person": person,
        "title": person.name,
        "body": Markup(view.body(slug)),
        "card_refs": view.body_refs(slug),
        "roles": sorted(person.roles, key=lambda r: (-r.start.toordinal(), r.title)),
        "appears_in": view.backlinks(slug),
        "co_mentions": co_mentions,
        "co_mentions_chart": _charted(view) and co_mentions_chart(person.name, co_mentions),
        "offices_chart": _charted(view)
        and offices_chart(person, _stories_of(view, slug), view.horizon()),
        "current_party": person.party_on(None),
        "quotes": view.quotes_by(slug),
        "claims": claims,
        "entities": _pick(view, (c.by_slug for c in claims)),
        "has_timeline": bool(view.timeline_of(slug)),
        **pictures,
        "structured": jsonld.script(
            _with_image(jsonld.person_data(view.config.base_url, person), pictures)
        ),
    }


def _topic_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    topic = view.entity(job.subject)
    slug = job.subject
    claims = view.claims_of(slug)
    offices = holders_by_title(
        view.people_holding(view.office_titles(slug)), view.office_titles(slug)
    )
    return {
        "offices": offices,
        "holders_chart": _charted(view)
        and holders_chart("chart-holders", topic.name, offices, view.horizon()),
        "crumbs": (*HOME, ("Topics", "topics/")),
        "topic": topic,
        "title": topic.name,
        "body": Markup(view.body(slug)),
        "card_refs": view.body_refs(slug),
        "appears_in": view.backlinks(slug),
        "claims": claims,
        "entities": _pick(view, (c.by_slug for c in claims)),
        "structured": jsonld.script(jsonld.topic_data(view.config.base_url, topic)),
    }


CONTEXTS: dict[str, Callable[[SiteView, PageJob], dict[str, Any]]] = {
    "home": _home_context,
    "articles": _articles_context,
    "people": _people_context,
    "topics": _topics_context,
    "claims": _claims_context,
    "corrections": _corrections_context,
    "timeline": _timeline_context,
    "person-timeline": _timeline_context,
    "stories-timeline": _timeline_context,
    "search": _search_context,
    "not-found": _not_found_context,
    "article": _article_context,
    "person": _person_context,
    "topic": _topic_context,
}


def _text_file(view: SiteView, job: PageJob) -> str:
    config = view.config
    if job.kind == "feed":
        return feeds.atom_feed(config, view.articles())
    if job.kind == "sitemap":
        return feeds.sitemap(config, dict(view.lastmod()))
    return feeds.robots(config)


def _pictures_context(view: SiteView, job: PageJob) -> dict[str, Any]:
    """An article's lead picture or a person's portrait, and the picture social sites
    show with a link to the page (an article without a picture gets a generated card)."""
    found: dict[str, Any] = {"lead_picture": None, "portrait": None, "social": None}
    if job.kind not in ("article", "person"):
        return found
    page = view.article(job.subject) if job.kind == "article" else view.entity(job.subject)
    image = page.image
    source = view.image(image.src) if image is not None else None
    own, social = page_pictures(page, view.config.title, source)
    found["lead_picture" if job.kind == "article" else "portrait"] = own
    if social is not None:
        found["social"] = {
            "url": absolute_url(view.config.base_url, social.path),
            "width": social.width,
            "height": social.height,
            "alt": social.alt,
            "type": social.mime,
        }
    return found


def card(entity: Any, url_path: str, day: dt.date | None, thumbnail: str = "") -> dict[str, str]:
    """The hover card of a person or topic, as seen from one page on one date.

    `thumbnail` is the site path of the smallest copy of a person's picture, if any.
    """
    data = {
        "name": entity.name,
        "summary": entity.summary,
        "url": relative_url(url_path, entity.url_path),
    }
    if entity.kind == "person":
        data["kind"] = "person"
        data["initials"] = entity.initials
        data["role"] = entity.role_label_on(day) if day else entity.current_label()
        data["party"] = entity.party_label_on(day)
        if thumbnail:
            data["image"] = relative_url(url_path, thumbnail)
    else:
        data["kind"] = entity.topic_kind
    return data


def add_cards(view: SiteView, refs: set[str], html: str, url_path: str, day: dt.date | None) -> str:
    """Give the page the hover-card data of every person and topic it links (refs)."""
    if "</body>" not in html:
        return html
    cards = {}
    for slug in sorted(refs):
        entity = view.entity(slug)
        if entity is None:
            continue
        thumbnail = ""
        image = entity.image if entity.kind == "person" else None
        source = view.image(image.src) if image is not None else None
        if image is not None and source is not None:
            thumbnail = picture(image, source).thumbnail
        cards[slug] = card(entity, url_path, day, thumbnail)
    if not cards:
        return html
    text = json.dumps(cards, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    block = f'<script type="application/json" id="{CARDS_ID}">{text}</script>\n'
    head, _, tail = html.rpartition("</body>")
    return f"{head}{block}</body>{tail}"


class Renderer:
    """Draw pages with one set of templates."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self.env = make_environment(templates_dir)

    def render(self, data: PageData, job: PageJob, reads: Reads | None = None) -> RenderedPage:
        """Draw one page; raise PageError when its template fails."""
        view = SiteView(data, reads)
        if not job.template:
            return RenderedPage(job.url_path, job.url_path, _text_file(view, job).encode("utf-8"))
        url_path = job.url_path
        config = view.config

        def url(target: str) -> str:
            return relative_url(url_path, target)

        def folder_url(target: str) -> str:
            return relative_url(url_path, target, index=False)

        context = CONTEXTS[job.kind](view, job)
        if "social" not in context:  # articles and people have theirs already
            context.update(_pictures_context(view, job))
        refs = set(context.pop("card_refs", ()))  # the links in the bodies it shows

        def card_ref(slug: str) -> Markup:
            """A template's link to a person or topic: its hover card goes on the page."""
            refs.add(slug)
            return Markup('data-ref="{}"').format(slug)

        def chart(drawn: TimeChart | RankChart) -> Markup:
            """Draw a chart with its links made relative to this page."""
            return draw_chart(drawn, url_path)

        context.setdefault("entities", {})
        context.setdefault("wide", False)
        context.setdefault("crumbs", ())
        context.setdefault("og_type", "website")
        context.setdefault("structured", "")
        try:
            html = self.env.get_template(job.template).render(
                site=config,
                url=url,
                folder_url=folder_url,
                card_ref=card_ref,
                chart=chart,
                page_url=url_path,
                canonical=absolute_url(config.base_url, url_path),
                **context,
            )
        except jinja2.TemplateSyntaxError as err:
            raise PageError(_syntax_diagnostic(err, self.templates_dir)) from None
        except Exception as err:  # a template can raise anything: 1 // 0, a bad method call
            raise PageError(_runtime_diagnostic(err, self.templates_dir, url_path)) from None
        day = view.article(job.subject).date if job.kind == "article" else None
        html = add_cards(view, refs, html, url_path, day)
        return RenderedPage(url_path, out_path(url_path), html.encode("utf-8"))


@functools.lru_cache(maxsize=256)
def draw_chart(drawn: TimeChart | RankChart, url_path: str) -> Markup:
    """Draw a chart for the page at url_path. Kept for the next build in the same process
    (the preview, the build daemon): a page drawn again after an edit that left its chart's
    facts alone does not draw the chart again."""

    def link(target: str) -> str:
        return relative_url(url_path, target)

    if isinstance(drawn, RankChart):
        return draw_rank_chart(drawn, link)
    return draw_time_chart(drawn, link)


def iter_pages(
    data: PageData,
    templates_dir: Path,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[RenderedPage]:
    """Yield every page of the site as it is drawn, in order (in up to `jobs` processes).

    Raise BuildFailed with the first template error.
    """
    renderer = Renderer(templates_dir)
    todo = data.jobs

    def draw(i: int) -> RenderedPage | Diagnostic:
        try:
            return renderer.render(data, todo[i])
        except PageError as err:
            return err.diagnostic

    report = (lambda done, total: progress("Rendering pages", done, total)) if progress else None
    results = iter_indexed(draw, len(todo), jobs, report)
    for result in results:
        if isinstance(result, Diagnostic):
            results.close()  # stop the workers before reporting
            raise BuildFailed([result])
        yield result


def render_pages(linked: LinkedSite, templates_dir: Path, jobs: int = 1) -> list[RenderedPage]:
    """Render every page of the site, in a stable order."""
    return list(iter_pages(page_data(linked), templates_dir, jobs))


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
