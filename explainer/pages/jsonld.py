"""schema.org structured data (JSON-LD) for articles, people and topics."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..content.model import Person, Topic
from ..core.urls import absolute_url

if TYPE_CHECKING:
    from .view import SiteView

CONTEXT = "https://schema.org"
TOPIC_TYPES = {
    "organisation": "Organization",
    "institution": "Organization",
    "event": "Event",
    "place": "Place",
    "concept": "Thing",
}


def script(data: dict[str, Any]) -> Markup:
    """Serialise data for a <script type="application/ld+json"> block, safe inside HTML."""
    # Compact: with no indent, json's C encoder writes it (several times quicker).
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def topic_type(topic: Topic) -> str:
    """Return the schema.org type of a topic; an event needs its date to be an Event."""
    if topic.topic_kind == "event" and topic.date is None:
        return "Thing"
    return TOPIC_TYPES[topic.topic_kind]


def _ref(base: str, entity: Person | Topic) -> dict[str, Any]:
    kind = "Person" if entity.kind == "person" else topic_type(entity)  # type: ignore[arg-type]
    return {"@type": kind, "name": entity.name, "url": absolute_url(base, entity.url_path)}


def person_data(base: str, person: Person) -> dict[str, Any]:
    """Describe a person: name, current or last position, links elsewhere."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Person",
        "name": person.name,
        "description": person.summary,
        "url": absolute_url(base, person.url_path),
    }
    current = [r for r in person.roles if r.end is None]
    latest = current or sorted(person.roles, key=lambda r: (r.end or r.start, r.start))[-1:]
    if latest:
        data["jobTitle"] = latest[0].title
    if person.aliases:
        data["alternateName"] = list(person.aliases)
    if person.links:
        data["sameAs"] = [link.url for link in person.links]
    if person.born:
        data["birthDate"] = person.born.isoformat()
    if person.died:
        data["deathDate"] = person.died.isoformat()
    party = person.party_on(None)
    if party:
        data["affiliation"] = {"@type": "Organization", "name": party}
    if person.country:
        data["nationality"] = {"@type": "Country", "name": person.country}
    return data


def topic_data(base: str, topic: Topic) -> dict[str, Any]:
    """Describe a topic as an Organization, Event, Place or Thing."""
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": topic_type(topic),
        "name": topic.name,
        "description": topic.summary,
        "url": absolute_url(base, topic.url_path),
    }
    if topic.aliases:
        data["alternateName"] = list(topic.aliases)
    if topic.links:
        data["sameAs"] = [link.url for link in topic.links]
    if topic.date and topic.topic_kind == "event":
        data["startDate"] = topic.date.isoformat()
    return data


def article_data(view: SiteView, item: Any) -> dict[str, Any]:
    """Describe an article with the people and topics it mentions, its claims and quotes.

    `item` is the article's linked form, as the view hands it out.
    """
    config = view.config
    base = config.base_url
    article = item.article
    url = absolute_url(base, article.url_path)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": config.language,
    }
    mentioned = [e for e in map(view.entity, item.entities) if e is not None]
    if mentioned:
        data["mentions"] = [_ref(base, e) for e in mentioned]
    about = [e for e in map(view.entity, article.topics) if e is not None]
    if about:
        data["about"] = [_ref(base, e) for e in about]
    if article.corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": c.text,
                "datePublished": c.date.isoformat(),
            }
            for c in article.corrections_newest_first
        ]
    if article.source and article.source.author:
        data["author"] = {"@type": "Person", "name": article.source.author}
    if article.source and article.source.name:
        data["publisher"] = {"@type": "Organization", "name": article.source.name}
    parts: list[dict[str, Any]] = []
    for claim in item.claims:
        part: dict[str, Any] = {
            "@type": "Claim",
            "text": claim.claim.claim,
            "appearance": url,
        }
        if claim.by_slug:
            part["author"] = _ref(base, view.entity(claim.by_slug))
        elif claim.claim.by:
            part["author"] = {"@type": "Thing", "name": claim.claim.by}
        if claim.about:
            part["about"] = [_ref(base, view.entity(s)) for s in claim.about]
        parts.append(part)
    for quote in article.quotes:
        speaker = view.entity(quote.by)
        part = {"@type": "Quotation", "text": quote.text}
        if speaker is not None:
            part["creator"] = _ref(base, speaker)
        parts.append(part)
    if parts:
        data["hasPart"] = parts
    return data
