"""Charts drawn at build time as static SVG: pure, deterministic, no script.

Every chart is one of two shapes:

- a `TimeChart`: lanes of bars (offices, party memberships) and markers (stories,
  events, changes of party) on a shared time axis. The offices on a profile, the story's
  moment beside an article, the site's timeline and the holders of an institution's
  offices are all drawn by `draw_time_chart`.
- a `RankChart`: labelled bars ranked by a count (who appears with whom), drawn by
  `draw_rank_chart`.

The drawing is an accessible image (`<g role="img">` named by the chart's `<title>` and
`<desc>`); what it links to (profiles, stories) is drawn as links beside that image in
the same SVG, so keyboard focus reaches each of them and none is nested in the image.
Colours come from the stylesheet's classes, so the charts follow the light and dark
themes and print in black and white; shapes and words, never colour alone, tell one
kind of mark from another. The same data always draws the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from ..content.model import long_date

WIDE = 720  # the viewBox width of a chart that takes the page's width
NARROW = 320  # the width of a chart in the article's side rail
FONT = 13  # the size of a label, in the viewBox's units (about pixels at full size)
SMALL = 12
CHAR = 0.6  # a generous estimate of a character's width, as a share of the font size
BAR = 12  # the height of a bar
PAD = 8
EDGE = 20  # the axis keeps this far from each side, so the first and last years fit

Link = Callable[[str], str]  # turns a site path into the page's relative URL


@dataclass(frozen=True, slots=True)
class Bar:
    """A span of time: an office held, a party membership, a whip withdrawn."""

    start: dt.date
    end: dt.date | None  # None: still held, drawn open to the end of the axis
    label: str = ""  # drawn under the bar when it differs from the lane's title
    kind: str = "office"  # 'office', 'party' or 'whip'
    href: str = ""  # a site path the label links to
    note: str = ""  # the words a pointer shows over the bar


@dataclass(frozen=True, slots=True)
class Marker:
    """A day something happened: a story, an event, a change of party."""

    day: dt.date
    label: str
    kind: str = "story"  # 'story', 'event' or 'party'
    href: str = ""  # a site path, or '#id' on the same page
    dated: bool = True  # its tooltip ends with its day (not for a month's count)


@dataclass(frozen=True, slots=True)
class Lane:
    """One row of a time chart, with its title above it."""

    title: str
    bars: tuple[Bar, ...] = ()
    markers: tuple[Marker, ...] = ()
    href: str = ""  # the title links here
    note: str = ""  # a second, quieter line under the title


@dataclass(frozen=True, slots=True)
class TimeChart:
    """Lanes on one time axis from `start` to `end`."""

    key: str  # unique on its page: the chart's ids derive from it
    title: str
    desc: str
    lanes: tuple[Lane, ...]
    start: dt.date
    end: dt.date
    width: int = WIDE
    moment: dt.date | None = None  # a day marked across every lane (the story's date)
    moment_label: str = ""
    year_anchor: str = ""  # when set, each year's label links to f"#{year_anchor}{year}"
    anchored_years: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class RankItem:
    label: str
    count: int
    href: str = ""
    note: str = ""  # e.g. "3 articles"


@dataclass(frozen=True, slots=True)
class RankChart:
    key: str
    title: str
    desc: str
    items: tuple[RankItem, ...]
    width: int = WIDE


# ---------------------------------------------------------------------------- time


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def year_after(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1)


def span_of(days: Iterable[dt.date]) -> tuple[dt.date, dt.date] | None:
    """Whole years around the given days, at least two of them; None for no days."""
    days = list(days)
    if not days:
        return None
    start, end = year_start(min(days)), year_after(max(days))
    if end.year - start.year < 2:
        end = dt.date(start.year + 2, 1, 1)
    return start, end


def years_between(start: dt.date, end: dt.date) -> str:
    """How long from start to end, as a reader says it: '3 years 2 months', '12 days'."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months <= 0:
        days = (end - start).days
        return f"{days} day{'' if days == 1 else 's'}"
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'' if years == 1 else 's'}")
    if months:
        parts.append(f"{months} month{'' if months == 1 else 's'}")
    return " ".join(parts)


def year_range(start: dt.date, end: dt.date | None) -> str:
    """'2016–2019', '2016' for a span within a year, 'since 2016' for one still held."""
    if end is None:
        return f"since {start.year}"
    if end.year == start.year:
        return str(start.year)
    return f"{start.year}\u2013{end.year}"


class Axis:
    """Maps days to x between x0 and x1."""

    def __init__(self, start: dt.date, end: dt.date, x0: float, x1: float) -> None:
        self.start, self.end, self.x0, self.x1 = start, end, x0, x1
        self._first = start.toordinal()
        self._days = max(1, end.toordinal() - self._first)

    def x(self, day: dt.date) -> float:
        share = (day.toordinal() - self._first) / self._days
        return self.x0 + (self.x1 - self.x0) * min(1.0, max(0.0, share))

    def ticks(self) -> list[int]:
        """The years to label: a round step that leaves room for each label."""
        years = self.end.year - self.start.year
        room = max(1, int((self.x1 - self.x0) // 44))
        step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if years / s <= room), 200)
        first = -(-self.start.year // step) * step
        return [y for y in range(first, self.end.year + 1, step)]

    def attributes(self) -> str:
        return (
            f' data-start="{self.start.isoformat()}" data-end="{self.end.isoformat()}"'
            f' data-x0="{num(self.x0)}" data-x1="{num(self.x1)}"'
        )


def num(value: float) -> str:
    """A coordinate with at most one decimal, the same bytes for the same value."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: int = FONT) -> float:
    return len(text) * size * CHAR


def clip(text: str, room: float, size: int = FONT) -> str:
    """Shorten text with an ellipsis to fit in room (the description holds the full text)."""
    most = max(4, int(room / (size * CHAR) + 1e-6))
    return text if len(text) <= most else text[: most - 1].rstrip() + "\u2026"


def wrap(text: str, room: float, size: int = FONT, lines: int = 2) -> list[str]:
    """Break text at spaces into at most `lines` lines that fit in room; the last is clipped."""
    most = max(4, int(room / (size * CHAR) + 1e-6))
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines - 1 and len(rest) > most:
        cut = rest.rfind(" ", 0, most + 1)
        if cut <= 0:
            break
        out.append(rest[:cut])
        rest = rest[cut + 1 :].lstrip()
    if rest:
        out.append(clip(rest, room, size))
    return out


def _text(
    x: float, y: float, words: str, klass: str = "", size: int = FONT, anchor: str = ""
) -> str:
    """Words at (x, y). Their size comes with their class (the stylesheet draws the small
    classes at SMALL); `size` is what the layout reserves for them."""
    attrs = f' class="{klass}"' if klass else ""
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    return f'<text x="{num(x)}" y="{num(y)}"{attrs}>{escape(words)}</text>'


def _link(url: str, label: str, inner: str) -> str:
    return f'<a href="{escape(url)}" aria-label="{escape(label)}">{inner}</a>'


def _marker_shape(kind: str, x: float, y: float, day: dt.date) -> str:
    """A story is a diamond, an event a circle, a change of party a triangle."""
    on = f' data-day="{day.isoformat()}"'
    if kind == "event":
        return f'<circle class="mark mark-event" cx="{num(x)}" cy="{num(y)}" r="5"{on}/>'
    if kind == "party":
        return f'<path class="mark mark-party" d="M{num(x)} {num(y - 6)}l6 11h-12z"{on}/>'
    return f'<path class="mark mark-story" d="M{num(x)} {num(y - 6)}l6 6-6 6-6-6z"{on}/>'


def _stack(spans: list[tuple[float, float]]) -> list[int]:
    """Give each (x, width) label the first row where it does not touch the one before."""
    row_ends: list[float] = []
    rows = []
    for x, width in spans:
        for row, end in enumerate(row_ends):
            if x >= end + 6:
                row_ends[row] = x + width
                rows.append(row)
                break
        else:
            row_ends.append(x + width)
            rows.append(len(row_ends) - 1)
    return rows


def draw_time_chart(chart: TimeChart, link: Link) -> Markup:
    """Draw a time chart as an inline SVG."""
    width = chart.width
    axis = Axis(chart.start, chart.end, EDGE, width - EDGE)
    key = escape(chart.key)
    picture: list[str] = []  # the image: bars, unlinked words, the axis
    links: list[str] = []  # what the image links to, drawn over it
    y = 4.0
    if chart.moment is not None:
        mx = axis.x(chart.moment)
        label = chart.moment_label or chart.moment.isoformat()
        w = text_width(label, SMALL)
        if mx + 4 + w <= width - PAD:  # to the right of the line, or else to its left
            lx = mx + 4
        elif mx - 4 - w >= PAD:
            lx = mx - 4 - w
        else:
            lx = max(PAD, min(mx - w / 2, width - PAD - w))
        picture.append(_text(lx, y + 11, label, "moment-label", SMALL))
        y += 18
    top = y
    for lane in chart.lanes:
        # The title starts where the lane's first bar or mark does (as far as it fits), so
        # that a chart scrolled to its latest years on a narrow screen still names them.
        starts = [axis.x(b.start) for b in lane.bars] + [axis.x(m.day) for m in lane.markers]
        first = min(starts, default=PAD)
        title_room = width - 2 * PAD
        title = clip(lane.title, title_room)
        notes = wrap(lane.note, title_room, SMALL)
        widest = max([text_width(title)] + [text_width(n, SMALL) for n in notes])
        x = max(PAD, min(first, width - PAD - widest))
        title_svg = _text(x, y + 13, title, "lane-title")
        if lane.href:
            links.append(_link(link(lane.href), lane.title, title_svg))
        else:
            picture.append(title_svg)
        y += 18
        for note in notes:
            picture.append(_text(x, y + 12, note, "muted", SMALL))
            y += 15
        y += 1 if notes else 0
        bar_top = y + 2
        labels: list[tuple[float, float, str, Bar]] = []
        for bar in lane.bars:
            x = axis.x(bar.start)
            end_x = axis.x(bar.end) if bar.end is not None else axis.x1
            bar_width = max(2.0, end_x - x)
            klass = f"bar bar-{bar.kind}" + (" bar-open" if bar.end is None else "")
            dates = f' data-start="{bar.start.isoformat()}"'
            if bar.end is not None:
                dates += f' data-end="{bar.end.isoformat()}"'
            picture.append(
                f'<rect class="{klass}" x="{num(x)}" y="{num(bar_top)}" width="{num(bar_width)}"'
                f' height="{BAR}"{dates}/>'
            )
            if bar.end is None:  # an arrowhead: still held
                picture.append(
                    f'<path class="bar-arrow" d="M{num(end_x)} {num(bar_top - 2)}'
                    f'l6 {num(BAR / 2 + 2)}-6 {num(BAR / 2 + 2)}z"/>'
                )
            if bar.label:
                label = clip(bar.label, axis.x1 - axis.x0, SMALL)
                w = text_width(label, SMALL)
                labels.append((max(PAD, min(x, width - PAD - w)), w, label, bar))
        for marker in lane.markers:
            mx = axis.x(marker.day)
            shape = _marker_shape(marker.kind, mx, bar_top + BAR / 2, marker.day)
            # its <title> is the tooltip, and names the link for assistive technology
            words = f"{marker.label} ({long_date(marker.day)})" if marker.dated else marker.label
            tip = f"<title>{escape(words)}</title>{shape}"
            if marker.href:
                href = marker.href if marker.href.startswith("#") else link(marker.href)
                links.append(f'<a href="{escape(href)}">{tip}</a>')
            else:
                picture.append(f"<g>{tip}</g>")
        y = bar_top + BAR
        rows = _stack([(x, w) for x, w, _, _ in labels])
        for (x, _w, label, bar), row in zip(labels, rows, strict=True):
            words = _text(x, y + 13 + row * 15, label, "bar-label", SMALL)
            if bar.href:
                links.append(_link(link(bar.href), bar.note or bar.label, words))
            else:
                picture.append(words)
        y += (max(rows) + 1) * 15 + 2 if rows else 0
        y += 12
    # the axis: a line, the years, and light gridlines behind everything
    grid: list[str] = []
    lines: list[str] = []
    axis_y = y
    for year in axis.ticks():
        x = axis.x(dt.date(year, 1, 1))
        lines.append(f"M{num(x)} {num(top)}V{num(axis_y)}")
        words = _text(x, axis_y + 16, str(year), "tick", SMALL, "middle")
        if chart.year_anchor and year in chart.anchored_years:
            links.append(_link(f"#{chart.year_anchor}{year}", f"Go to {year} in the list", words))
        else:
            picture.append(words)
    grid.append(f'<path class="grid" d="{"".join(lines)}"/>')
    picture.append(
        f'<line class="axis" x1="{num(axis.x0)}" y1="{num(axis_y)}"'
        f' x2="{num(axis.x1)}" y2="{num(axis_y)}"/>'
    )
    if chart.moment is not None:
        mx = axis.x(chart.moment)
        grid.append(
            f'<line class="moment" x1="{num(mx)}" y1="{num(top - 4)}" x2="{num(mx)}"'
            f' y2="{num(axis_y)}" data-day="{chart.moment.isoformat()}"/>'
        )
    height = axis_y + 24
    return _svg(
        chart.key,
        chart.title,
        chart.desc,
        width,
        height,
        grid + picture,
        links,
        f' data-axis=""{axis.attributes()}',
        key,
    )


def _svg(
    key: str,
    title: str,
    desc: str,
    width: int,
    height: float,
    picture: list[str],
    links: list[str],
    extra: str,
    safe_key: str,
) -> Markup:
    height_text = num(height)
    head = (
        f'<svg class="chart" id="{safe_key}" xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {width} {height_text}" width="{width}" height="{height_text}"'
        f' font-size="{FONT}"'
        f' aria-labelledby="{safe_key}-t"{extra}>'
        f'<title id="{safe_key}-t">{escape(title)}</title>'
        f'<desc id="{safe_key}-d">{escape(desc)}</desc>'
    )
    image = (
        f'<g role="img" aria-labelledby="{safe_key}-t {safe_key}-d">' + "".join(picture) + "</g>"
    )
    linked = f'<g class="chart-links">{"".join(links)}</g>' if links else ""
    return Markup(head + image + linked + "</svg>")


# ---------------------------------------------------------------------------- ranks


def draw_rank_chart(chart: RankChart, link: Link) -> Markup:
    """Draw labelled bars, longest first: the count is written beside each bar."""
    width = chart.width
    most = max((item.count for item in chart.items), default=1) or 1
    label_room = min(240.0, max((text_width(i.label) for i in chart.items), default=0) + 12)
    x0 = PAD + label_room
    count_room = 90.0
    scale = (width - PAD - x0 - count_room) / most
    picture: list[str] = []
    links: list[str] = []
    y = 4.0
    for item in chart.items:
        label = clip(item.label, label_room - 12)
        words = _text(PAD, y + 14, label, "rank-label")
        if item.href:
            links.append(_link(link(item.href), f"{item.label}: {item.note}", words))
        else:
            picture.append(words)
        length = max(2.0, item.count * scale)
        picture.append(
            f'<rect class="bar bar-rank" x="{num(x0)}" y="{num(y + 4)}" width="{num(length)}"'
            f' height="{BAR}" data-count="{item.count}"/>'
        )
        picture.append(_text(x0 + length + 6, y + 14, item.note or str(item.count), "muted", SMALL))
        y += 22
    return _svg(
        chart.key, chart.title, chart.desc, width, y + 4, picture, links, "", escape(chart.key)
    )
