"""What each chart shows, taken from the site's data: pure, no drawing.

`charts.py` draws; this module decides the lanes, bars and markers of the offices
chart on a profile, the story's moment beside an article, the site's timeline, the
holders of an institution's offices and who appears with whom. Each function returns
None when there is nothing worth drawing, so no page shows an empty chart.

The end of an office still held is drawn open up to the site's horizon: the latest day
any of its content names. That keeps the same content drawing the same bytes on any
day it is built.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..content.model import MONTH_NAMES, long_date
from .charts import (
    NARROW,
    Bar,
    Lane,
    Marker,
    RankChart,
    RankItem,
    TimeChart,
    span_of,
    year_range,
    years_between,
)
from .timeline import PARTY_KINDS, Entry

MOST_TIMELINE_LANES = 12  # offices with the most holders, on the site's timeline chart
MOST_STORY_MARKERS = 150  # beyond this, stories are drawn as one marker a month
MOST_MOMENT_PEOPLE = 12
MOST_CO_MENTIONS = 10


@dataclass(frozen=True, slots=True)
class Story:
    """A story as a chart marks it."""

    day: dt.date
    title: str
    url_path: str


def _party_lane(person: Any, start: dt.date) -> Lane | None:
    """Party memberships as one band, with any time without the whip drawn over it."""
    bars: list[Bar] = []
    for span in person.parties:
        first = span.start or start
        last = span.end or (person.died if person.died else None)
        dates = year_range(span.start, span.end) if span.start else ""
        bars.append(Bar(first, last, span.name, "party", note=f"{span.name} {dates}".strip()))
        if span.whip_withdrawn is not None:
            bars.append(
                Bar(
                    span.whip_withdrawn,
                    span.whip_restored or span.end or person.died,
                    "whip withdrawn",
                    "whip",
                    note=f"{span.name} whip withdrawn from {long_date(span.whip_withdrawn)}",
                )
            )
    if not bars:
        return None
    return Lane("Party", tuple(bars))


def _story_markers(stories: Sequence[Story], anchor: str = "") -> tuple[Marker, ...]:
    """One marker a story; one a month when there are too many to point at each."""
    if len(stories) <= MOST_STORY_MARKERS:
        return tuple(Marker(s.day, s.title, "story", s.url_path) for s in stories)
    months: dict[tuple[int, int], list[Story]] = {}
    for story in stories:
        months.setdefault((story.day.year, story.day.month), []).append(story)
    markers = []
    for (year, month), group in sorted(months.items()):
        day = dt.date(year, month, 1)
        label = f"{len(group)} stor{'y' if len(group) == 1 else 'ies'} in {MONTH_NAMES[month - 1]} {year}"
        href = f"#{anchor}{year}" if anchor else ""
        markers.append(Marker(day, label, "story", href, dated=False))
    return tuple(markers)


def offices_chart(person: Any, stories: Sequence[Story], horizon: dt.date) -> TimeChart | None:
    """Each office the person held as a bar, their parties as a band, and their stories."""
    roles = list(person.roles)
    if not roles:
        return None
    days = [r.start for r in roles] + [r.end for r in roles if r.end is not None]
    days += [s.day for s in stories]
    for span in person.parties:
        days += [d for d in (span.start, span.end, span.whip_withdrawn, span.whip_restored) if d]
    if person.died is not None:
        days.append(person.died)
    elif any(r.end is None for r in roles):
        days.append(max(horizon, max(days)))
    start, end = span_of(days) or (horizon, horizon)
    lanes: list[Lane] = []
    party = _party_lane(person, start)
    if party is not None:
        lanes.append(party)
    by_title: dict[str, list[Any]] = {}
    for role in sorted(roles, key=lambda r: (r.start, r.title)):
        by_title.setdefault(role.title, []).append(role)
    for title, held in by_title.items():
        spans = ", ".join(year_range(r.start, r.end) for r in held)
        bars = tuple(
            Bar(r.start, ended(person, r), note=f"{title}: {_dates(r.start, ended(person, r))}")
            for r in held
        )
        lanes.append(Lane(title, bars, note=spans))
    if stories:
        count = len(stories)
        lanes.append(
            Lane(
                f"Stories that mention {person.name}",
                markers=_story_markers(stories),
                note=f"{count} stor{'y' if count == 1 else 'ies'} on this site",
            )
        )
    offices = "; ".join(
        f"{title} ({', '.join(year_range(r.start, r.end) for r in held)})"
        for title, held in by_title.items()
    )
    desc = f"Offices held by {person.name}: {offices}."
    if stories:
        desc += f" Stories on this site that mention them: {len(stories)}, from {stories[0].day.year} to {stories[-1].day.year}."
    return TimeChart(
        key="chart-offices",
        title=f"{person.name}: offices held over time",
        desc=desc,
        lanes=tuple(lanes),
        start=start,
        end=end,
    )


def _dates(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return f"since {long_date(start)}"
    return f"{long_date(start)} to {long_date(end)}"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one person stood on a story's date: the office they held or had last left."""

    person: Any
    role: Any  # Role
    held: bool  # False: they had left it before the story
    end: dt.date | None  # the day it ended: its own end, or the holder's death; None: held still

    def tenure(self, day: dt.date) -> str:
        """'In office since 13 July 2016, 1 year 4 months by this story; left 24 July 2019',
        or 'Left office 19 November 2014, 2 years 11 months before this story'."""
        start, end = self.role.start, self.end
        if self.held:
            if start == day:
                text = f"Took office on {long_date(start)}, the day of this story"
            else:
                text = (
                    f"In office since {long_date(start)}, {years_between(start, day)} by this story"
                )
            if end is not None:
                text += f"; left {long_date(end)}"
            return text
        assert end is not None
        if end == day:
            return f"Left office on {long_date(end)}, the day of this story"
        return f"Left office {long_date(end)}, {years_between(end, day)} before this story"

    def bar_label(self, day: dt.date) -> str:
        """How long, beside the bar: 'for 1 year 4 months', 'left 2 years before'."""
        if self.held:
            start = self.role.start
            return "from that day" if start == day else f"for {years_between(start, day)}"
        assert self.end is not None
        return "left that day" if self.end == day else f"left {years_between(self.end, day)} before"


def ended(person: Any, role: Any) -> dt.date | None:
    """The day an office ended: its own end, or else the day its holder died."""
    end: dt.date | None = role.end if role.end is not None else person.died
    return end


def standing_on(person: Any, day: dt.date) -> Standing | None:
    """The office a story's reader needs to know of: held that day, or else the last one left."""
    died = person.died
    held = [r for r in person.roles_on(day) if died is None or r.end is not None or day < died]
    prominent = next((r for r in held if r.is_prominent), None)
    if prominent is not None:
        return Standing(person, prominent, True, ended(person, prominent))
    left = [r for r in person.roles if (end := ended(person, r)) is not None and end <= day]

    def last(roles: list[Any]) -> Standing:
        role = max(roles, key=lambda r: (ended(person, r), r.start))
        return Standing(person, role, False, ended(person, role))

    left_prominent = [r for r in left if r.is_prominent]
    if left_prominent:  # a former minister who still sits as an MP is shown as the former
        return last(left_prominent)
    if held:
        return Standing(person, held[0], True, ended(person, held[0]))
    if not left:
        return None
    return last(left)


def moment_chart(day: dt.date, standings: Sequence[Standing], horizon: dt.date) -> TimeChart | None:
    """The story's people against one axis, with the story's date as a line across them."""
    shown = list(standings)[:MOST_MOMENT_PEOPLE]
    if not shown:
        return None
    days = [day]
    for s in shown:
        days.append(s.role.start)
        days.append(s.end if s.end is not None else max(horizon, day))
    start, end = span_of(days) or (day, day)
    lanes = []
    for s in shown:
        role = s.role
        note = f"{role.title}: {_dates(role.start, s.end)}"
        lanes.append(
            Lane(
                s.person.name,
                (Bar(role.start, s.end, s.bar_label(day), note=note),),
                href=s.person.url_path,
                note=role.title if s.held else f"Former {role.title}",
            )
        )
    names = [s.person.name for s in shown]
    listed = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    more = len(standings) - len(shown)
    desc = (
        f"A bar for the office each of {listed} held on {long_date(day)}, or had last left, "
        "on a time axis with the story's date marked"
        + (f" ({more} more, not drawn, are in the list)" if more else "")
        + "; 'People in this story' gives each in words."
    )
    return TimeChart(
        key="chart-moment",
        title=f"Who held which office on {long_date(day)}",
        desc=desc,
        lanes=tuple(lanes),
        start=start,
        end=end,
        width=NARROW,
        moment=day,
        moment_label=f"This story: {long_date(day)}",
    )


@dataclass(frozen=True, slots=True)
class Tenure:
    """One person's time in an office, as a list of holders shows it."""

    person: Any
    role: Any  # Role


def holders_by_title(
    people: Iterable[Any], titles: Iterable[str] | None = None
) -> dict[str, list[Tenure]]:
    """Each office's holders in the order they took it; only `titles` when given."""
    wanted = None if titles is None else set(titles)
    found: dict[str, list[Tenure]] = {}
    for person in people:
        for role in person.roles:
            if wanted is None or role.title in wanted:
                found.setdefault(role.title, []).append(Tenure(person, role))
    for tenures in found.values():
        tenures.sort(key=lambda t: (t.role.start, t.person.name))
    return dict(sorted(found.items(), key=lambda item: (item[1][0].role.start, item[0])))


def _holder_lanes(offices: dict[str, list[Tenure]]) -> tuple[Lane, ...]:
    lanes = []
    for title, tenures in sorted(
        offices.items(), key=lambda item: (item[1][0].role.start, item[0])
    ):
        bars = tuple(
            Bar(
                t.role.start,
                t.role.end,
                t.person.name,
                href=t.person.url_path,
                note=f"{t.person.name}, {title}: {_dates(t.role.start, t.role.end)}",
            )
            for t in tenures
        )
        count = len({t.person.slug for t in tenures})
        lanes.append(Lane(title, bars, note=f"{count} holder{'' if count == 1 else 's'}"))
    return tuple(lanes)


def _holder_days(offices: dict[str, list[Tenure]], horizon: dt.date) -> list[dt.date]:
    days = []
    for tenures in offices.values():
        for t in tenures:
            days.append(t.role.start)
            days.append(t.role.end if t.role.end is not None else horizon)
    return days


def holders_chart(
    key: str, name: str, offices: dict[str, list[Tenure]], horizon: dt.date
) -> TimeChart | None:
    """The holders of an institution's offices over time, one lane an office."""
    if not offices:
        return None
    start, end = span_of(_holder_days(offices, horizon)) or (horizon, horizon)
    desc = " ".join(
        f"{title}: "
        + ", ".join(f"{t.person.name} ({year_range(t.role.start, t.role.end)})" for t in tenures)
        + "."
        for title, tenures in offices.items()
    )
    return TimeChart(
        key=key,
        title=f"Who has held the offices of {name}",
        desc=desc,
        lanes=_holder_lanes(offices),
        start=start,
        end=end,
    )


def timeline_offices(people: Iterable[Any]) -> dict[str, list[Tenure]]:
    """The offices the site's timeline draws: those (not seats) with the most holders."""
    offices = {
        title: tenures
        for title, tenures in holders_by_title(people).items()
        if tenures[0].role.is_prominent
    }
    ranked = sorted(
        offices.items(),
        key=lambda item: (-len({t.person.slug for t in item[1]}), item[1][0].role.start, item[0]),
    )
    return dict(ranked[:MOST_TIMELINE_LANES])


def timeline_chart(
    offices: dict[str, list[Tenure]], entries: Sequence[Entry], horizon: dt.date, anchor: str
) -> TimeChart | None:
    """The site's chronology: offices as lanes of holders; stories, events and changes of party as markers."""
    stories = [Story(e.date, e.text, e.url_path) for e in entries if e.kind == "article"]
    events = [Marker(e.date, e.text, "event", e.url_path) for e in entries if e.kind == "event"]
    party = [Marker(e.date, e.text, "party", e.url_path) for e in entries if e.kind in PARTY_KINDS]
    days = _holder_days(offices, horizon) + [e.date for e in entries]
    span = span_of(days)
    if span is None:
        return None
    lanes = list(_holder_lanes(offices))
    if stories:
        lanes.append(
            Lane(
                "Stories",
                markers=_story_markers(stories, anchor),
                note=f"{len(stories)} on this site",
            )
        )
    if events:
        lanes.append(Lane("Events", markers=tuple(events)))
    if party:
        lanes.append(Lane("Changes of party and whip", markers=tuple(party)))
    years = sorted({e.date.year for e in entries})
    desc = (
        f"A chart of the {len(offices)} offices with the most holders on this site, "
        f"who held them and when, with {len(stories)} stories, {len(events)} events and "
        f"{len(party)} changes of party marked on the same axis"
    )
    desc += f", from {years[0]} to {years[-1]}." if years else "."
    return TimeChart(
        key="chart-timeline",
        title="Timeline: offices, stories and events",
        desc=desc,
        lanes=tuple(lanes),
        start=span[0],
        end=span[1],
        year_anchor=anchor,
        anchored_years=frozenset(years),
    )


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


OFFICE_KINDS = ("organisation", "institution")  # the kinds of topic that have offices


def office_titles_of(topic: Any, titles: Iterable[str]) -> tuple[str, ...]:
    """The office titles that name an organisation or institution (or one of its aliases)
    as whole words; a concept, event or place has no offices."""
    if topic.topic_kind not in OFFICE_KINDS:
        return ()
    names = [_words(n) for n in topic.names if n.strip()]
    if not names:
        return ()
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
    return tuple(sorted(t for t in set(titles) if pattern.search(_words(t))))


def co_mentions_chart(name: str, ties: Sequence[tuple[Any, int]]) -> RankChart | None:
    """The people most often named in the same stories, strongest tie first."""
    shown = [(other, n) for other, n in ties[:MOST_CO_MENTIONS] if other is not None]
    if not shown:
        return None
    items = tuple(
        RankItem(other.name, n, other.url_path, f"{n} stor{'y' if n == 1 else 'ies'}")
        for other, n in shown
    )
    desc = (
        f"Named in the same stories as {name}: "
        + ", ".join(f"{item.label} ({item.note})" for item in items)
        + "."
    )
    return RankChart(
        key="chart-co-mentions",
        title=f"Who appears with {name} most often",
        desc=desc,
        items=items,
    )
