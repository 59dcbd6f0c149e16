"""One chronology of the site: articles, the start and end of roles, and dated events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from ..link.linking import LinkedSite


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated thing that happened, linked to its page.

    Made once per build and shown on the main timeline and on the timeline of each
    person it concerns: digested once, by reference (not inline like per-page objects).
    """

    date: dt.date
    kind: str  # 'article', 'role-start', 'role-end', 'event'
    text: str
    url_path: str
    slugs: tuple[str, ...]  # the people and topics it concerns

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        order = {"role-end": 0, "role-start": 1, "event": 2, "article": 3}[self.kind]
        return (self.date.toordinal(), order, self.text, self.url_path)


def build_timeline(linked: LinkedSite) -> tuple[Entry, ...]:
    """Collect every dated entry of the site, oldest first."""
    entries: list[Entry] = []
    for item in linked.articles:
        a = item.article
        entries.append(Entry(a.date, "article", a.title, a.url_path, item.entities))
    for person in linked.site.people:
        for role in person.roles:
            entries.append(
                Entry(
                    role.start,
                    "role-start",
                    f"{person.name} becomes {role.title}",
                    person.url_path,
                    (person.slug,),
                )
            )
            if role.end is not None:
                entries.append(
                    Entry(
                        role.end,
                        "role-end",
                        f"{person.name} leaves office as {role.title}",
                        person.url_path,
                        (person.slug,),
                    )
                )
    for topic in linked.site.topics:
        if topic.date is not None and topic.topic_kind == "event":
            entries.append(Entry(topic.date, "event", topic.name, topic.url_path, (topic.slug,)))
    return tuple(sorted(entries, key=lambda e: e.sort_key))


def by_year(entries: Iterable[Entry]) -> list[tuple[int, list[Entry]]]:
    """Group entries by year, keeping their order."""
    return [(year, list(group)) for year, group in groupby(entries, key=lambda e: e.date.year)]
