"""Render the linked site into pages: pure, no file writes."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .errors import BuildFailed, Diagnostic, display_path
from .link import LinkedArticle, LinkedSite
from .model import Person, Topic
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


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One output file: where it goes and its bytes."""

    url_path: str
    out_path: str
    content: bytes


@dataclass(frozen=True, slots=True)
class PersonInStory:
    """A person as shown beside an article: their position on the article's date."""

    person: Person
    role: str
    party: str


def long_date(day: date) -> str:
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
    return env


class _Renderer:
    def __init__(self, linked: LinkedSite, env: jinja2.Environment, templates_dir: Path) -> None:
        self.linked = linked
        self.site = linked.site
        self.env = env
        self.templates_dir = templates_dir
        self.pages: list[RenderedPage] = []

    def render(self, template: str, url_path: str, **context: Any) -> None:
        def url(target: str) -> str:
            return relative_url(url_path, target)

        config = self.site.config
        try:
            html = self.env.get_template(template).render(
                site=config,
                url=url,
                page_url=url_path,
                canonical=absolute_url(config.base_url, url_path),
                **context,
            )
        except jinja2.TemplateSyntaxError as err:
            raise BuildFailed([_template_diagnostic(err, self.templates_dir, err.lineno)]) from None
        except jinja2.TemplateError as err:
            raise BuildFailed([_runtime_diagnostic(err, self.templates_dir, url_path)]) from None
        self.pages.append(RenderedPage(url_path, out_path(url_path), html.encode("utf-8")))

    def people_in_story(self, item: LinkedArticle) -> list[PersonInStory]:
        people = {p.slug: p for p in self.site.people}
        day = item.article.date
        return [
            PersonInStory(people[s], people[s].role_label_on(day), people[s].party_on(day))
            for s in item.entities
            if s in people
        ]

    def topics_in_story(self, item: LinkedArticle) -> list[Topic]:
        topics = {t.slug: t for t in self.site.topics}
        return [topics[s] for s in item.entities if s in topics]

    def run(self) -> list[RenderedPage]:
        linked = self.linked
        articles = [item.article for item in linked.articles]
        people = self.site.people
        self.render(
            "index.html",
            "",
            articles=articles[:10],
            people=people,
            topics=self.site.topics,
            title=self.site.config.title,
        )
        self.render("articles.html", "articles/", articles=articles, title="Articles")
        self.render(
            "people.html",
            "people/",
            people=people,
            title="People",
            counts={p.slug: len(linked.backlinks.get(p.slug, ())) for p in people},
        )
        self.render(
            "topics.html",
            "topics/",
            topics=self.site.topics,
            title="Topics",
            counts={t.slug: len(linked.backlinks.get(t.slug, ())) for t in self.site.topics},
        )
        for item in linked.articles:
            self.render(
                "article.html",
                item.article.url_path,
                article=item.article,
                title=item.article.title,
                body=Markup(item.body_html),
                headlines=[Markup(h) for h in item.headlines_html],
                people_in_story=self.people_in_story(item),
                topics_in_story=self.topics_in_story(item),
                related=linked.related.get(item.article.slug, ()),
            )
        by_slug = linked.entities
        for person in people:
            self.render(
                "person.html",
                person.url_path,
                person=person,
                title=person.name,
                body=Markup(linked.bodies.get(person.slug, "")),
                roles=sorted(person.roles, key=lambda r: (-r.start.toordinal(), r.title)),
                appears_in=linked.backlinks.get(person.slug, ()),
                co_mentions=[(by_slug[s], n) for s, n in linked.co_mentions.get(person.slug, ())][
                    :10
                ],
                current_party=person.party_on(None),
            )
        for topic in self.site.topics:
            self.render(
                "topic.html",
                topic.url_path,
                topic=topic,
                title=topic.name,
                body=Markup(linked.bodies.get(topic.slug, "")),
                appears_in=linked.backlinks.get(topic.slug, ()),
            )
        return self.pages


def _template_diagnostic(
    err: jinja2.TemplateError, templates_dir: Path, line: int | None
) -> Diagnostic:
    name = getattr(err, "name", None) or getattr(err, "filename", None)
    path = display_path(templates_dir / name) if name else display_path(templates_dir)
    return Diagnostic(path, line or 0, f"template error: {err.message or err}")


def _runtime_diagnostic(
    err: jinja2.TemplateError, templates_dir: Path, url_path: str
) -> Diagnostic:
    """Point at the template line that failed, found in the traceback Jinja rewrites."""
    root = str(templates_dir.resolve())
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            return Diagnostic(
                display_path(frame.filename),
                frame.lineno or 0,
                f"template error while rendering /{url_path}: {err}",
            )
    return Diagnostic(
        display_path(templates_dir), 0, f"template error while rendering /{url_path}: {err}"
    )


def render_pages(linked: LinkedSite, templates_dir: Path) -> list[RenderedPage]:
    """Render every page of the site, in a stable order."""
    env = make_environment(templates_dir)
    return _Renderer(linked, env, templates_dir).run()
