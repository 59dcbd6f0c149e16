"""One chronology of the site: articles, the start and end of roles, and dated events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from ..content.model import Person
from ..link.linking import LinkedSite


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated thing that happened, linked to its page.

    Made once per build and shown on the main timeline and on the timeline of each
    person it concerns: digested once, by reference (not inline like per-page objects).
    """

    date: dt.date
    kind: str  # 'article', 'role-start', 'role-end', 'event', or one of PARTY_KINDS
    text: str
    url_path: str
    slugs: tuple[str, ...]  # the people and topics it concerns

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.date.toordinal(), ORDER[self.kind], self.text, self.url_path)

    @property
    def label(self) -> str:
        """What kind of entry it is, in a word or two for the list."""
        return LABELS[self.kind]


NO_PARTY = ("independent", "non-partisan", "none")
# Changes of party: joining, leaving, losing the whip and having it restored.
PARTY_KINDS = ("party-leave", "party-join", "whip-withdrawn", "whip-restored")
ORDER = {"role-end": 0, "party-leave": 1, "whip-withdrawn": 2, "role-start": 3, "party-join": 4,
         "whip-restored": 5, "event": 6, "article": 7}
LABELS = {
    "article": "Story",
    "role-start": "Takes office",
    "role-end": "Leaves office",
    "event": "Event",
    "party-join": "Joins party",
    "party-leave": "Leaves party",
    "whip-withdrawn": "Loses whip",
    "whip-restored": "Whip restored",
}


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
        entries.extend(_party_entries(person))
    for topic in linked.site.topics:
        if topic.date is not None and topic.topic_kind == "event":
            entries.append(Entry(topic.date, "event", topic.name, topic.url_path, (topic.slug,)))
    return tuple(sorted(entries, key=lambda e: e.sort_key))


def _party_entries(person: Person) -> list[Entry]:
    """The dated changes of a person's party: joining, leaving, the whip lost and restored."""
    found = []
    for span in person.parties:
        if span.name.casefold() in NO_PARTY:
            joins, leaves = "sits as an independent", "no longer sits as an independent"
        else:
            party = span.name if span.name.casefold().endswith(" party") else f"{span.name} party"
            joins, leaves = f"joins the {party}", f"leaves the {party}"
        changes = (
            (span.start, "party-join", f"{person.name} {joins}"),
            (span.end, "party-leave", f"{person.name} {leaves}"),
            (span.whip_withdrawn, "whip-withdrawn", f"{person.name} loses the {span.name} whip"),
            (span.whip_restored, "whip-restored", f"{person.name} has the {span.name} whip restored"),
        )
        for day, kind, text in changes:
            if day is not None:
                found.append(Entry(day, kind, text, person.url_path, (person.slug,)))
    return found


def stories_only(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    """The stories of a timeline, without the changes of office and party or events."""
    return tuple(e for e in entries if e.kind == "article")


def by_year(entries: Iterable[Entry]) -> list[tuple[int, list[Entry]]]:
    """Group entries by year, keeping their order."""
    return [(year, list(group)) for year, group in groupby(entries, key=lambda e: e.date.year)]
