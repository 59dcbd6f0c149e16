"""The charts read as their data says: bars and markers sit at their dates on the axis.

The SVG is read back like any page: each chart carries its axis (first and last day,
and the x of each), so a test can turn a date into x and check where a bar starts and
ends, where a story's marker sits and where the story's date line is drawn.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import (
    MAY,
    SITE_YAML,
    Node,
    article,
    html_pages,
    lay_out,
    page_file,
    parse_html,
    resolve_href,
)

from explainer.pages.charts import Axis, years_between


def chart_in(html: str, chart_id: str) -> Node:
    return parse_html(html).one("svg", id=chart_id)


def axis_of(svg: Node) -> Axis:
    a = svg.attrs
    return Axis(
        dt.date.fromisoformat(a["data-start"]),
        dt.date.fromisoformat(a["data-end"]),
        float(a["data-x0"]),
        float(a["data-x1"]),
    )


def first_x(path: str) -> float:
    """The x of a path's first point: a marker's tip sits on its day."""
    match = re.match(r"M([\d.]+) ", path)
    assert match, path
    return float(match.group(1))


def test_may_as_prime_minister_is_drawn_from_2016_07_13_to_2019_07_24(example_site: Path) -> None:
    html = (example_site / "people/theresa-may/index.html").read_text()
    svg = chart_in(html, "chart-offices")
    axis = axis_of(svg)
    pm = svg.one("rect", data_start="2016-07-13", data_end="2019-07-24")
    x, width = float(pm.attrs["x"]), float(pm.attrs["width"])
    assert x == pytest.approx(axis.x(dt.date(2016, 7, 13)), abs=0.06)
    assert x + width == pytest.approx(axis.x(dt.date(2019, 7, 24)), abs=0.11)
    # the lane the bar is in is titled with the office
    assert "Prime Minister of the United Kingdom" in svg.raw_text
    # the story that mentions her is marked on its day, linked to the story
    marker = svg.one("path", data_day="2017-11-15")
    assert first_x(marker.attrs["d"]) == pytest.approx(axis.x(dt.date(2017, 11, 15)), abs=0.06)
    link = marker.parent
    assert link is not None and link.tag == "a"
    assert link.one("title").text == (
        "Jeremy Corbyn: We need to see more evidence of Russian interference in Western "
        "democracies (15 November 2017)"
    )
    target = resolve_href("people/theresa-may/", link.attrs["href"])
    assert target == "articles/corbyn-russia-evidence/index.html"
    assert (example_site / target).exists()


def test_every_chart_is_an_accessible_image_with_its_links_outside_it(example_site: Path) -> None:
    seen = 0
    for path in sorted(example_site.rglob("*.html")):
        url = path.relative_to(example_site).as_posix().removesuffix("index.html")
        page = parse_html(path.read_text())
        for svg in page.all("svg", cls="chart"):
            seen += 1
            title = svg.one("title", id=f"{svg.attrs['id']}-t")
            desc = svg.one("desc", id=f"{svg.attrs['id']}-d")
            assert title.text and desc.text, url
            image = svg.one("g", role="img")
            assert image.attrs["aria-labelledby"] == f"{title.attrs['id']} {desc.attrs['id']}"
            assert not image.all("a"), (
                f"{url}: a link inside the image is hidden from assistive technology"
            )
            for link in svg.all("a"):
                named = link.attrs.get("aria-label") or link.find("title") is not None
                assert named, f"{url}: a chart link without a name"
                href = link.attrs["href"]
                if href.startswith("#"):
                    assert page.find(id=href[1:]) is not None, f"{url}: {href} is not on the page"
                else:
                    assert (example_site / resolve_href(url, href)).exists(), f"{url}: {href}"
    assert seen >= 10


def test_the_story_moment_marks_the_story_date_and_each_persons_office(example_site: Path) -> None:
    html = (example_site / "articles/corbyn-russia-evidence/index.html").read_text()
    svg = chart_in(html, "chart-moment")
    axis = axis_of(svg)
    line = svg.one("line", cls="moment")
    assert line.attrs["data-day"] == "2017-11-15"
    assert float(line.attrs["x1"]) == pytest.approx(axis.x(dt.date(2017, 11, 15)), abs=0.06)
    assert "This story: 15 November 2017" in svg.raw_text
    pm = svg.one("rect", data_start="2016-07-13", data_end="2019-07-24")
    assert float(pm.attrs["x"]) == pytest.approx(axis.x(dt.date(2016, 7, 13)), abs=0.06)
    # the same facts as words, in the list of people
    people = parse_html(html).one("section", cls="people-in-story")
    assert (
        "Prime Minister of the United Kingdom In office since 13 July 2016, 1 year 4 months by "
        "this story; left 24 July 2019" in people.text
    )
    # Dominic Grieve had left the ISC's chair before the story: shown as former, not as an MP
    assert "Former Chair of the Intelligence andSecurity Committee" in svg.raw_text  # two lines
    assert "Dominic Grieve" in svg.one("desc").text
    assert "Left office 3 May 2017, 6 months before this story" in people.text


def test_the_timeline_chart_has_lanes_of_holders_and_year_anchors(example_site: Path) -> None:
    html = (example_site / "timeline/index.html").read_text()
    page = parse_html(html)
    svg = page.one("svg", id="chart-timeline")
    text = svg.raw_text
    for lane in (
        "Prime Minister of the United Kingdom",
        "Leader of the Labour Party",
        "Chair of the Intelligence and Security Committee",
        "Stories",
        "Changes of party and whip",
    ):
        assert lane in text
    # seats are not offices worth a lane
    assert "Member of Parliament for" not in text
    # each year's label links to its heading in the list below, without script
    years = [a.attrs["href"] for a in svg.all("a") if a.attrs["href"].startswith("#year-")]
    assert "#year-2015" in years and "#year-2020" in years
    for href in years:
        assert page.find("h2", id=href[1:]) is not None
    # the list has a jump to each year and a plain link to the stories only
    jump = page.one("nav", cls="year-jump")
    assert [a.attrs["href"] for a in jump.all("a")][:2] == ["#year-1983", "#year-1987"]
    stories = next(a for a in page.all("a") if a.text == "Show stories only")
    assert resolve_href("timeline/", stories.attrs["href"]) == "timeline/stories/index.html"
    # a member losing the whip is on the timeline
    assert "Jeremy Corbyn loses the Labour whip" in page.text
    assert "Julian Lewis has the Conservative whip restored" in page.text


def test_the_stories_only_timeline_lists_only_stories(example_site: Path) -> None:
    page = parse_html((example_site / "timeline/stories/index.html").read_text())
    kinds = {span.text for span in page.all("span", cls="entry-kind")}
    assert kinds == {"Story"}
    assert len(page.all("li", cls="entry-article")) == 2


def test_an_institution_lists_the_holders_of_its_offices(example_site: Path) -> None:
    page = parse_html(
        (example_site / "topics/intelligence-and-security-committee/index.html").read_text()
    )
    section = page.one("section", cls="office-holders")
    assert "Dominic Grieve 15 September 2015 – 3 May 2017" in section.text
    assert "Julian Lewis 15 July 2020 – 30 May 2024" in section.text
    svg = section.one("svg", id="chart-holders")
    axis = axis_of(svg)
    lewis = svg.one("rect", data_start="2020-07-15", data_end="2024-05-30")
    assert float(lewis.attrs["x"]) == pytest.approx(axis.x(dt.date(2020, 7, 15)), abs=0.06)


def test_who_appears_with_whom_is_ranked_and_linked(example_site: Path) -> None:
    page = parse_html((example_site / "people/theresa-may/index.html").read_text())
    svg = page.one("svg", id="chart-co-mentions")
    bars = [int(r.attrs["data-count"]) for r in svg.all("rect")]
    assert bars == sorted(bars, reverse=True) and bars[0] >= 2
    widths = [float(r.attrs["width"]) for r in svg.all("rect")]
    assert widths == sorted(widths, reverse=True)
    assert widths[0] > widths[-1], "a stronger tie draws a longer bar"
    names = [a.attrs["aria-label"].split(":")[0] for a in svg.all("a")]
    listed = [a.text for a in page.one("details", cls="as-list").all("a")]
    assert names == listed


PERSON_WITHOUT_OFFICE = """\
---
name: Ann Other
summary: A campaigner.
---
"""

ISC_TOPIC = """\
---
name: Intelligence and Security Committee of Parliament
summary: Oversees the intelligence agencies.
kind: institution
aliases: [ISC]
---
"""

CHAIR = """\
---
name: Pat Chair
summary: Chair of the committee.
party:
  - name: Green
    from: 2001-02-03
roles:
  - title: Chair of the ISC
    from: 2010-01-01
---
"""

STORIES_PERSON = """\
---
name: Stories
summary: A person whose slug is the stories-only timeline's name.
roles:
  - title: Mayor of Somewhere
    from: 2012-05-01
    to: 2016-05-01
---
"""


SMALL_SITE = {
    "content/people/theresa-may.md": MAY,
    "content/people/ann-other.md": PERSON_WITHOUT_OFFICE,
    "content/people/pat-chair.md": CHAIR,
    "content/people/stories.md": STORIES_PERSON,
    "content/topics/isc.md": ISC_TOPIC,
    "content/articles/one.md": article("Theresa May and Ann Other met Pat Chair and Stories."),
}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = lay_out(
        tmp_path_factory.mktemp("charts"),
        SMALL_SITE,
    )
    result = project.build("--no-search")
    assert result.returncode == 0, result.stderr
    return dict(html_pages(project))


def test_a_person_with_no_offices_gets_no_chart(small_site: dict[str, str]) -> None:
    page = parse_html(small_site["people/ann-other/"])
    assert page.find("svg", id="chart-offices") is None
    assert page.find("figure", cls="chart-figure") is None or page.find(
        "svg", id="chart-co-mentions"
    )


def test_an_office_still_held_is_drawn_open_to_the_end_of_the_axis(
    small_site: dict[str, str],
) -> None:
    svg = chart_in(small_site["people/pat-chair/"], "chart-offices")
    axis = axis_of(svg)
    chair = svg.one("rect", data_start="2010-01-01")
    assert "data-end" not in chair.attrs and "bar-open" in chair.classes
    assert float(chair.attrs["x"]) + float(chair.attrs["width"]) == pytest.approx(axis.x1, abs=0.11)
    assert len(svg.all("path", cls="bar-arrow")) == 2  # the office and the party
    # the party is a band, its start on the axis; its first day is a change of party
    band = svg.one("rect", cls="bar-party")
    assert band.attrs["data-start"] == "2001-02-03"


def test_an_alias_of_an_institution_finds_its_offices(small_site: dict[str, str]) -> None:
    section = parse_html(small_site["topics/isc/"]).one("section", cls="office-holders")
    assert "Chair of the ISC" in section.text and "Pat Chair" in section.text


def test_the_stories_only_page_moves_aside_for_a_person_of_that_slug(
    small_site: dict[str, str],
) -> None:
    assert "Timeline: Stories" in small_site["timeline/stories/"]
    page = parse_html(small_site["timeline/stories-only/"])
    assert page.one("h1").text == "Timeline: stories only"
    link = next(
        a for a in parse_html(small_site["timeline/"]).all("a") if a.text == "Show stories only"
    )
    assert resolve_href("timeline/", link.attrs["href"]) == page_file("timeline/stories-only/")


def test_charts_are_the_same_bytes_for_the_same_content(
    small_site: dict[str, str], tmp_path: Path
) -> None:
    project = lay_out(
        tmp_path / "again",
        SMALL_SITE,
    )
    assert project.build("--no-search").returncode == 0
    again = dict(html_pages(project))
    for url in ("people/pat-chair/", "timeline/", "topics/isc/", "articles/one/"):
        assert again[url] == small_site[url]


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.date(2016, 7, 13), dt.date(2017, 11, 15), "1 year 4 months"),
        (dt.date(2016, 7, 13), dt.date(2016, 7, 20), "7 days"),
        (dt.date(2016, 7, 13), dt.date(2018, 7, 13), "2 years"),
        (dt.date(2016, 7, 13), dt.date(2016, 8, 13), "1 month"),
        (dt.date(2016, 7, 31), dt.date(2016, 8, 30), "30 days"),
    ],
)
def test_how_long_an_office_was_held_reads_as_a_person_says_it(
    start: dt.date, end: dt.date, words: str
) -> None:
    assert years_between(start, end) == words


def test_a_site_can_leave_the_charts_out_and_keep_the_facts(tmp_path: Path) -> None:
    project = lay_out(
        tmp_path / "plain",
        {
            "site.yaml": SITE_YAML + "charts: false\n",
            "content/people/pat-chair.md": CHAIR,
            "content/topics/isc.md": ISC_TOPIC,
            "content/articles/one.md": article("Pat Chair spoke to the ISC."),
        },
    )
    result = project.build("--no-search")
    assert result.returncode == 0, result.stderr
    pages = dict(html_pages(project))
    assert not any("<svg" in html for html in pages.values())
    assert "In office since 1 January 2010" in parse_html(pages["articles/one/"]).text
    assert "Pat Chair 1 January 2010 – present" in parse_html(pages["topics/isc/"]).text


def test_whip_changes_are_marked_on_the_timeline_chart_and_end_with_the_membership(
    example_site: Path,
) -> None:
    svg = chart_in((example_site / "timeline/index.html").read_text(), "chart-timeline")
    assert svg.find("path", data_day="2020-10-29") is not None  # Corbyn loses the whip
    assert svg.find("path", data_day="2020-12-30") is not None  # Lewis has it back
    profile = chart_in(
        (example_site / "people/jeremy-corbyn/index.html").read_text(), "chart-offices"
    )
    whip = profile.one("rect", cls="bar-whip")
    assert (whip.attrs["data-start"], whip.attrs.get("data-end")) == ("2020-10-29", "2024-05-24")


def test_a_widest_name_is_not_cut_short() -> None:
    from explainer.pages.charts import FONT, clip, text_width

    for name in ("Jeremy Corbyn", "Future Person", "Ab", "A" * 22):
        assert clip(name, text_width(name, FONT), FONT) == name


DIED = """\
---
name: Old Hand
summary: Whip until death.
died: 2018-03-01
party:
  - name: Conservative
    from: 2005-01-01
    whip_withdrawn: 2017-01-01
roles:
  - title: Chief Whip
    from: 2010-01-01
---
"""

MONTHLY_PERSON = """\
---
name: Busy Person
summary: Named in every story.
roles:
  - title: Speaker of the Assembly
    from: 2015-01-01
---
"""

CONCEPT = """\
---
name: Assembly
summary: A concept, not an institution.
kind: concept
---
"""


@pytest.fixture(scope="module")
def edge_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    files: dict[str, str | bytes] = {
        "content/people/theresa-may.md": MAY,
        "content/people/old-hand.md": DIED,
        "content/people/busy-person.md": MONTHLY_PERSON,
        "content/topics/assembly.md": CONCEPT,
        "content/articles/handover.md": article("Theresa May spoke.", date="2019-07-24"),
        "content/articles/after-death.md": article("Old Hand was remembered.", date="2020-01-01"),
    }
    for i in range(151):
        day = dt.date(2016, 1, 1) + dt.timedelta(days=5 * i)
        files[f"content/articles/s{i:03d}.md"] = article(
            "Busy Person said.", title=f"Story {i}", date=day.isoformat()
        )
    project = lay_out(tmp_path_factory.mktemp("edges"), files)
    result = project.build("--no-search")
    assert result.returncode == 0, result.stderr
    return dict(html_pages(project))


def test_more_than_150_stories_are_marked_by_month_linking_into_the_list(
    edge_site: dict[str, str],
) -> None:
    page = parse_html(edge_site["timeline/"])
    svg = page.one("svg", id="chart-timeline")
    months = [a for a in svg.all("a") if a.find("path", cls="mark-story") is not None]
    assert months and all(a.attrs["href"].startswith("#year-") for a in months)
    for a in months:
        assert page.find("h2", id=a.attrs["href"][1:]) is not None
    assert months[0].one("title").text == "7 stories in January 2016"  # the 1st to the 31st


def test_on_the_day_of_a_handover_the_story_says_so(edge_site: dict[str, str]) -> None:
    people = parse_html(edge_site["articles/handover/"]).one("section", cls="people-in-story")
    assert "Left office on 24 July 2019, the day of this story" in people.text
    assert "0 days" not in edge_site["articles/handover/"]


def test_an_office_held_at_death_ends_then(edge_site: dict[str, str]) -> None:
    people = parse_html(edge_site["articles/after-death/"]).one("section", cls="people-in-story")
    assert "Left office 1 March 2018, 1 year 10 months before this story" in people.text
    svg = chart_in(edge_site["people/old-hand/"], "chart-offices")
    assert svg.one("rect", cls="bar-office").attrs.get("data-end") == "2018-03-01"
    assert svg.one("rect", cls="bar-whip").attrs.get("data-end") == "2018-03-01"
    assert not svg.all("path", cls="bar-arrow")


def test_only_organisations_and_institutions_list_office_holders(edge_site: dict[str, str]) -> None:
    assert "office-holders" not in edge_site["topics/assembly/"]
