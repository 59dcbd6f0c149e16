"""Read running text as a reader does: the date a sentence is set on, and its quotations.

"In March 2018 ...", "on 4 June 2017" and "back in 2016" set a sentence's time; "since
2019" and "the 2019 election" do not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from ..content.model import MONTH_NAMES

MONTH_NUMBERS = {name: i for i, name in enumerate(MONTH_NAMES, 1)} | {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Sept": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_FULL = "|".join(MONTH_NAMES)
_SHORT = "|".join(k for k in sorted(MONTH_NUMBERS, key=len, reverse=True) if len(k) <= 4)
_MONTH = rf"(?:{_FULL}|(?:{_SHORT})\b\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
# Not 2019s, 2019-20, 2019/20 or 2019.5 (but 2019's: "in 2017's election")
_YEAR_END = r"(?![\w%-]|['\u2019](?!s\b)|[,.]\d|/\d)"
DATE_RE = re.compile(
    rf"(?<![\w£$€#/.])(?<!\d[-–])(?:"
    rf"(?P<iy>\d{{4}})-(?P<im>\d\d)-(?P<id>\d\d)(?![\w-])"
    rf"|(?P<d1>{_DAY})\s+(?:of\s+)?(?P<m1>{_MONTH}),?\s+(?P<y1>{_YEAR}){_YEAR_END}"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}),?\s+(?P<y2>{_YEAR}){_YEAR_END}"
    rf"|(?P<m3>{_MONTH}),?\s+(?:of\s+)?(?P<y3>{_YEAR}){_YEAR_END}"
    rf"|(?P<d4>{_DAY})\s+(?:of\s+)?(?P<m4>{_MONTH})(?!\w)"
    rf"|(?P<m5>{_MONTH})\s+(?P<d5>{_DAY})(?![\w%]|[,.]\d)"
    rf"|(?P<y6>{_YEAR}){_YEAR_END}"
    r")"
)
_PART = (
    r"(?:(?:the\s+)?(?:very\s+)?(?:early|late|mid|middle|start|end|beginning|close|spring"
    r"|summer|autumn|fall|winter|first\s+half|second\s+half)(?:\s+(?:days|weeks|months))?"
    r"(?:\s+of)?[\s-]*)"
)
# Words before a date that set the time of what the sentence says.
SETTING_RE = re.compile(
    rf"(?:\b(?:in|on|during|throughout|around|as\s+of|as\s+at)\s+{_PART}?"
    rf"|\bat\s+{_PART}|(?:^|[\s(,;:\"“‘—–])(?:early|late|mid)[\s-]+"
    r"|\b(?:in|during|at)\s+the\s+)\Z",  # "in the 2017 election, the Prime Minister ..."
    re.IGNORECASE,
)
# Words before a date that only bound a span: "since 2019", "until", "by", "from" ...
BOUNDING_RE = re.compile(
    rf"(?:\b(?:since|until|till|til|by|from|before|after|to|through|thru|between|and|or|than"
    rf"|prior\s+to|up\s+to|ahead\s+of|starting|beginning|effective)\s+{_PART}?"
    r"|(?:\d\s*|\s)[-–—]\s*)\Z",  # a range, "4-8 June 2017", not "mid-2016"
    re.IGNORECASE,
)
WEEKDAY_RE = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\.?,?\s+\Z"
)
THE_RE = re.compile(r"\bthe\s+\Z", re.IGNORECASE)
SENTENCE_OPENING_RE = re.compile(r"[\s\"“‘'(\[«]*\Z")
# An aside that describes someone: "the Chancellor, appointed in 2019, said" or
# "the Prime Minister, who took office in 2016, said" dates the aside, not the sentence.
ASIDE_OPENER_RE = re.compile(r"[,(—–;]")
RELATIVE_RE = re.compile(r"\s*(?:who|whom|whose|which)\b", re.IGNORECASE)
OFFICE_RE = re.compile(
    r"\b(?:appointed|elected|re-elected|installed|named"
    r"|promoted|sworn\s+in|took\s+(?:over|office|charge|power|the\s+(?:job|post|role))"
    r"|became|came\s+to\s+power|succeeded|replaced|in\s+(?:the\s+)?(?:job|post|office|role)"
    r"|serving|served)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Period:
    """The days a date in a text names, from `start` up to (not including) `end`."""

    start: date
    end: date
    kind: str  # 'day', 'month' or 'year'
    written: str  # as the text has it, to find it again

    @property
    def label(self) -> str:
        """Describe the period as messages do: "4 June 2017", "March 2018" or "2016"."""
        if self.kind == "day":
            return f"{self.start.day} {MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind == "month":
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        return str(self.start.year)


def _day(year: int, month: int, day: int, written: str) -> Period | None:
    try:
        start = date(year, month, day)
    except ValueError:
        return None
    return Period(start, start + timedelta(days=1), "day", written)


def _month(year: int, month: int, written: str) -> Period:
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(date(year, month, 1), end, "month", written)


def _nearest(options: list[Period | None], story: date) -> Period | None:
    """Of the same day in neighbouring years, the one nearest the story's date."""

    def distance(p: Period) -> int:
        if p.start <= story < p.end:
            return 0
        return min(abs((p.start - story).days), abs((p.end - timedelta(days=1) - story).days))

    found = [p for p in options if p is not None]
    return min(found, key=lambda p: (distance(p), p.start)) if found else None


def _number(text: str) -> int:
    return int(text.rstrip("stndrh"))  # "4th" -> 4


def _period_of(m: re.Match[str], story: date | None) -> Period | None:
    """Read one date as a period; a day without a year is the one nearest story."""
    written = m.group(0)
    g = m.groupdict()
    if g["iy"]:
        return _day(int(g["iy"]), int(g["im"]), int(g["id"]), written)
    for d, mo, y in (("d1", "m1", "y1"), ("d2", "m2", "y2")):
        if g[y]:
            return _day(int(g[y]), MONTH_NUMBERS[g[mo].rstrip(".")], _number(g[d]), written)
    if g["y3"]:
        return _month(int(g["y3"]), MONTH_NUMBERS[g["m3"].rstrip(".")], written)
    if g["y6"]:
        year = int(g["y6"])
        return Period(date(year, 1, 1), date(year + 1, 1, 1), "year", written)
    if story is None:
        return None
    d, mo = ("d4", "m4") if g["d4"] else ("d5", "m5")
    month, day = MONTH_NUMBERS[g[mo].rstrip(".")], _number(g[d])
    years = (story.year - 1, story.year, story.year + 1)
    return _nearest([_day(y, month, day, written) for y in years], story)


TAIL = 80  # characters before a date that can hold the words deciding what it does


@dataclass(frozen=True, slots=True)
class SentenceDate:
    """A date in a sentence that sets the time of what the sentence says."""

    start: int
    end: int
    period: Period
    quotation: tuple[int, int] | None  # the quotation it stands in: it dates only that
    aside: tuple[int, int] | None  # an aside describing someone: it dates only words in it


def _sets_time(m: re.Match[str], text: str, start: int, openers: list[int]) -> tuple[bool, int]:
    """Return whether the date m sets the time of its sentence, which starts at start.

    The second value is -1 unless the date stands in an aside that describes someone
    ("the Chancellor, appointed in 2019, said"), which dates only the aside's own words;
    then it is where the aside starts.
    """
    before = text[max(start, m.start() - TAIL) : m.start()]
    weekday = WEEKDAY_RE.search(before)
    if weekday:  # "on Sunday 4 June 2017"
        before = before[: weekday.start()]
    the = THE_RE.search(before)
    if the and (m.group("d1") or m.group("d4")):  # "on the 4th of June 2017"
        before = before[: the.start()]
    if BOUNDING_RE.search(before):
        return False, -1
    aside = -1
    i = bisect_right(openers, m.start() - 1)
    if i and openers[i - 1] >= start:
        opened = openers[i - 1] + 1
        if RELATIVE_RE.match(text, opened) or OFFICE_RE.search(
            text, max(opened, m.start() - TAIL), m.start()
        ):
            aside = opened
    if SETTING_RE.search(before):
        return True, aside
    if m.group("iy") or m.group("y1") or m.group("y2"):
        return True, aside  # a full date sets the time wherever it stands
    # A month, a year or a day without its year sets the time after "in", "on",
    # "during" ... or opening the sentence ("2016 was ..."); elsewhere it is a label
    # ("the 2019 election", "a March 2018 speech").
    opening = m.start() - start < TAIL and bool(SENTENCE_OPENING_RE.fullmatch(before))
    return opening, aside


QUOTE_MARK_RE = re.compile('[“”«»‘’"]')


def quotations(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each quotation in text, quote marks included, in order."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    straight = -1
    for m in QUOTE_MARK_RE.finditer(text):
        i, ch = m.start(), m.group()
        if ch in "“«" or (ch == "‘" and (i == 0 or not text[i - 1].isalnum())):
            opened.append(i)
        elif (
            ch in "”»" or (ch == "’" and (i + 1 == len(text) or not text[i + 1].isalnum()))
        ) and opened:
            start = opened.pop()
            if not opened:
                spans.append((start, i + 1))
        elif ch == '"':
            if straight < 0:
                straight = i
            else:
                spans.append((straight, i + 1))
                straight = -1
    if opened:  # a quotation still open at the end of the text
        spans.append((opened[0], len(text)))
    if straight >= 0:
        spans.append((straight, len(text)))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # "straight" quotes inside “curly” ones are one quotation
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def quotation_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """Return the quotation of spans (as quotations gives them) that contains pos."""
    i = bisect_right(spans, pos, key=lambda span: span[0])
    if i and spans[i - 1][0] <= pos < spans[i - 1][1]:
        return spans[i - 1]
    return None


def sentence_dates(
    text: str,
    story: date | None,
    start: int = 0,
    end: int | None = None,
    quoted: list[tuple[int, int]] | None = None,
) -> tuple[SentenceDate, ...]:
    """Return the dates that set the time of the sentence text[start:end], in order.

    `quoted` is quotations(text), when the caller has it already.
    """
    end = len(text) if end is None else end
    quoted = quotations(text) if quoted is None else quoted
    openers = [m.start() for m in ASIDE_OPENER_RE.finditer(text, start, end)]
    found = []
    for m in DATE_RE.finditer(text, start, end):
        sets, aside = _sets_time(m, text, start, openers)
        if not sets:
            continue
        period = _period_of(m, story)
        if period is None:
            continue
        span = (aside, m.start()) if aside >= 0 else None
        found.append(
            SentenceDate(m.start(), m.end(), period, quotation_at(quoted, m.start()), span)
        )
    return tuple(found)


def pick_period(
    dates: tuple[SentenceDate, ...], quoted: list[tuple[int, int]], at: int
) -> Period | None:
    """Of a sentence's dates, return the one that dates the words at offset `at`, if any.

    The nearest date wins, counted in characters from `at` ("completed in March 2019,
    and sent to the Prime Minister on 17 October 2019" is the October date); of two
    as near, the one before. A date inside a quotation dates only that quotation:
    "“On 4 June 2017 we won,” the Prime Minister said" is said by today's Prime Minister.
    """
    own = quotation_at(quoted, at)

    def counts(found: SentenceDate) -> bool:
        if found.quotation is not None and found.quotation != own:
            return False
        return found.aside is None or found.aside[0] <= at < found.aside[1]

    split = bisect_right(dates, at, key=lambda d: d.start)
    before = next((d for d in reversed(dates[:split]) if d.end <= at and counts(d)), None)
    after = next((d for d in dates[split:] if counts(d)), None)
    if before is None or (after is not None and after.start - at < at - before.end):
        return after.period if after is not None else None
    return before.period


def sentence_period(sentence: str, at: int, story: date | None) -> Period | None:
    """Return the period a sentence's own date sets for the words at offset `at`, if any."""
    quoted = quotations(sentence)
    return pick_period(sentence_dates(sentence, story, quoted=quoted), quoted, at)
