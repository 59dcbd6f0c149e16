"""Linking real news: house styles, dates inside sentences, titles over time, honorifics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import pytest
from conftest import MAY, article, lay_out, parse_html, resolve_href
from core_helpers import CAMERON, MAY_WITH_MONTH_ALIAS, Linked, documents, link_files, site_of

from explainer.content.model import SiteConfig
from explainer.content.parse import parse_site
from explainer.core.errors import Collector
from explainer.link.linking import build_name_index, link_site, lower_case_form
from explainer.link.markup import sentence_at
from explainer.link.textdates import sentence_period

JOHNSON = """\
---
name: Boris Johnson
summary: British Prime Minister from 2019 to 2022.
honorific: Mr
roles:
  - title: Foreign Secretary
    from: 2016-07-13
    to: 2018-07-09
    aliases: [the Foreign Secretary]
  - title: Prime Minister
    from: 2019-07-24
    to: 2022-09-06
    aliases: [the Prime Minister, the PM]
---
"""

HAMMOND = """\
---
name: Philip Hammond
summary: Chancellor from 2016 to 2019.
roles:
  - title: Chancellor of the Exchequer
    from: 2016-07-13
    to: 2019-07-24
    aliases: [the Chancellor, the Chancellor of the Exchequer]
---
"""

JAVID = """\
---
name: Sajid Javid
summary: Chancellor from 2019 to 2020.
honorific: Mr
roles:
  - title: Chancellor of the Exchequer
    from: 2019-07-24
    to: 2020-02-13
    aliases: [the Chancellor]
---
"""

SUNAK = """\
---
name: Rishi Sunak
summary: Chancellor from 2020 to 2022.
roles:
  - title: Chancellor of the Exchequer
    from: 2020-02-13
    to: 2022-07-05
    aliases: [the Chancellor]
---
"""

STARMER = """\
---
name: Keir Starmer
summary: Labour leader from 2020.
aliases:
  - Mr Starmer
  - name: Sir Keir
    from: 2014-01-01
roles:
  - title: Leader of the Opposition
    from: 2020-04-04
    aliases: [the Leader of the Opposition]
---
"""

GRIEVE = """\
---
name: Dominic Grieve
summary: Chair of the Intelligence and Security Committee from 2015 to 2019.
roles:
  - title: Chair of the Intelligence and Security Committee
    from: 2015-09-15
    to: 2019-11-06
    aliases: [the Chair of the ISC]
---
"""

DUNCAN_SMITH = """\
---
name: Iain Duncan Smith
summary: Work and Pensions Secretary from 2010 to 2016.
honorific: Mr
surname: Duncan Smith
---
"""

FOX = """\
---
name: Liam Fox
summary: International Trade Secretary from 2016 to 2019.
honorific: Dr
---
"""

JO_JOHNSON = """\
---
name: Jo Johnson
summary: A minister.
honorific: Mr
---
"""

REFORM = """\
---
name: Reform UK
summary: A party, called the Brexit Party until January 2021.
kind: organisation
aliases:
  - name: the Brexit Party
    to: 2021-01-06
---
"""

CAST = {
    "content/people/david-cameron.md": CAMERON,
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
    "content/people/philip-hammond.md": HAMMOND,
    "content/people/sajid-javid.md": JAVID,
    "content/people/rishi-sunak.md": SUNAK,
    "content/people/keir-starmer.md": STARMER,
    "content/people/dominic-grieve.md": GRIEVE,
    "content/people/iain-duncan-smith.md": DUNCAN_SMITH,
    "content/people/liam-fox.md": FOX,
    "content/topics/reform-uk.md": REFORM,
}


def link_story(
    body: str,
    date: str,
    people: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
) -> Linked:
    fields: dict[str, object] = {"date": date}
    if people:
        fields["people"] = list(people)
    return link_files(
        {**CAST, **(extra or {}), "content/articles/story.md": article(body, **fields)}
    )


def linked_slugs(
    body: str,
    date: str,
    people: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
) -> list[str]:
    return [slug for slug, _ in link_story(body + "\n", date, people, extra).refs("story")]


# --- The resolver: (text, story date) -> the slugs linked, in order -------------------------

RESOLVER_CASES = [
    # 1. House style: role aliases of several words in lower case after the first word
    ("Then the prime minister spoke.", "2017-11-15", ["theresa-may"]),
    ("The prime minister spoke.", "2017-11-15", ["theresa-may"]),
    ("The Prime Minister spoke.", "2017-11-15", ["theresa-may"]),
    ("Then the prime minister spoke.", "2015-01-01", ["david-cameron"]),
    ("Then the prime minister spoke.", "2020-01-01", ["boris-johnson"]),
    ("Then the chancellor of the exchequer spoke.", "2017-11-15", ["philip-hammond"]),
    ("Then the foreign secretary spoke.", "2017-11-15", ["boris-johnson"]),
    ("Then the foreign secretary spoke.", "2016-07-12", []),  # not yet held
    ("Then the foreign secretary spoke.", "2018-07-09", []),  # no longer held
    ("Then the chair of the ISC spoke.", "2017-11-15", ["dominic-grieve"]),
    ("Then the chair of the isc spoke.", "2017-11-15", []),  # all capitals stay as written
    ("Then the PM spoke.", "2020-01-01", ["boris-johnson"]),
    ("Then the pm spoke.", "2020-01-01", []),
    ("Then the Prime minister spoke.", "2017-11-15", []),  # neither style
    ("Then THE PRIME MINISTER spoke.", "2017-11-15", []),
    ("Then The prime minister spoke.", "2017-11-15", []),  # a capital mid-sentence
    ("Then theresa may spoke.", "2017-11-15", []),  # names stay case-sensitive
    ("Then mrs may spoke.", "2017-11-15", []),
    ("Then sir keir spoke.", "2020-06-01", []),
    # 2. A sentence's own date decides whom a role alias names
    ("In March 2018 the Prime Minister told MPs she would stay.", "2020-06-01", ["theresa-may"]),
    ("In March 2018, the prime minister told MPs she would stay.", "2020-06-01", ["theresa-may"]),
    (
        "The Prime Minister told MPs in March 2018 that she would stay.",
        "2020-06-01",
        ["theresa-may"],
    ),
    ("The Prime Minister, in March 2018, told MPs.", "2020-06-01", ["theresa-may"]),
    # of two dates, the nearer one dates the alias
    (
        "The work ended in March 2019, and the text was sent to the Prime Minister on "
        "17 October 2019.",
        "2020-07-21",
        ["boris-johnson"],
    ),
    (
        "In March 2018 the Prime Minister spoke, and on 17 October 2019 nothing happened.",
        "2020-07-21",
        ["theresa-may"],
    ),
    ("On 4 June 2017 the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("The Prime Minister spoke on 4 June 2017 in Leeds.", "2020-06-01", ["theresa-may"]),
    ("The Prime Minister spoke 4 June 2017 in Leeds.", "2020-06-01", ["theresa-may"]),
    ("The Prime Minister spoke on June 4, 2017, in Leeds.", "2020-06-01", ["theresa-may"]),
    ("On Sunday, June 4, 2017, the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("On the 4th of June 2017 the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("On 2017-06-04 the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("Back in 2017, the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("In 2018 the prime minister spoke.", "2021-06-01", ["theresa-may"]),
    ("In 2012 the Prime Minister spoke.", "2020-06-01", ["david-cameron"]),
    ("In 2012 the Prime Minister spoke.", "2012-06-01", ["david-cameron"]),
    ("In early 2018 the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("In mid-2021 the Prime Minister spoke.", "2017-06-01", ["boris-johnson"]),
    ("In August 2019 the Prime Minister spoke.", "2019-06-01", ["boris-johnson"]),
    ("On 23 July 2019 the Prime Minister spoke.", "2020-06-01", ["theresa-may"]),
    ("On 24 July 2019 the Prime Minister spoke.", "2017-06-01", ["boris-johnson"]),  # handover
    ("The Chancellor spoke in February 2018.", "2021-03-01", ["philip-hammond"]),
    ("On 4 June the Prime Minister spoke.", "2019-07-30", ["theresa-may"]),  # that year's
    ("On 4 August the Prime Minister will speak.", "2019-07-30", ["boris-johnson"]),
    ("In 2005 the Prime Minister spoke.", "2020-06-01", []),  # no profile holds it then
    # ... but only a date that sets the sentence's time: a bound leaves the story's date
    ("The Chancellor, in the job since 2019, said no.", "2021-03-01", ["rishi-sunak"]),
    (
        "The Chancellor, who has been in post since February 2020, said no.",
        "2021-03-01",
        ["rishi-sunak"],
    ),
    ("The Chancellor, appointed in 2019, said no.", "2019-12-01", ["sajid-javid"]),
    ("The Prime Minister, who took office in 2019, said no.", "2021-03-01", ["boris-johnson"]),
    ("Until 2019 the Chancellor had said no.", "2021-03-01", ["rishi-sunak"]),
    ("By 2019 the Prime Minister had said no.", "2021-03-01", ["boris-johnson"]),
    ("From 2016 the Prime Minister pushed for it.", "2021-03-01", ["boris-johnson"]),
    ("Between 2016 and 2018 the Prime Minister pushed for it.", "2021-03-01", ["boris-johnson"]),
    ("The Prime Minister won the 2019 election.", "2021-03-01", ["boris-johnson"]),
    ("The Prime Minister cut the 2016-17 budget.", "2021-03-01", ["boris-johnson"]),
    ("Last year the Prime Minister said no.", "2020-06-01", ["boris-johnson"]),
    ("Two years ago the Prime Minister said no.", "2020-06-01", ["boris-johnson"]),
    # ... and only its own sentence
    (
        "In March 2018 there was a vote. Now the Prime Minister says no.",
        "2020-06-01",
        ["boris-johnson"],
    ),
    (
        "In March 2018 the Prime Minister said she would stay. Now the Prime Minister says no.",
        "2020-06-01",
        ["theresa-may", "boris-johnson"],
    ),
    # ... and a date inside a quotation dates only the quotation
    ("“On 4 June 2017 we won,” the Prime Minister said.", "2020-06-01", ["boris-johnson"]),
    ("“We lost. On 4 June 2017 we won,” the Prime Minister said.", "2020-06-01", ["boris-johnson"]),
    (
        "“In 2018 the Prime Minister lied,” Mr Javid said.",
        "2020-06-01",
        ["theresa-may", "sajid-javid"],
    ),
    (
        "In 2018, Mr Javid said: “The Prime Minister is wrong.”",
        "2020-06-01",
        ["sajid-javid", "theresa-may"],
    ),
    ("In the 2015 election, the Prime Minister won a majority.", "2020-06-01", ["david-cameron"]),
    # names and title aliases keep the story's date whatever the sentence says
    ("In 2012 Theresa May spoke.", "2020-06-01", ["theresa-may"]),
    ("In 2012 Sir Keir spoke.", "2020-06-01", ["keir-starmer"]),
    # 3. Titles change over time: an alias valid from a date, or until one
    ("Then Sir Keir spoke.", "2013-12-31", []),
    ("Then Sir Keir spoke.", "2014-01-01", ["keir-starmer"]),
    ("Then Mr Starmer spoke.", "2013-12-31", ["keir-starmer"]),
    ("Then Keir Starmer spoke.", "2013-12-31", ["keir-starmer"]),
    ("Then the Brexit Party won.", "2019-05-01", ["reform-uk"]),
    ("Then the Brexit Party won.", "2021-01-06", []),
    ("Then Reform UK won.", "2019-05-01", ["reform-uk"]),
    # 4. Honorifics: "<honorific> <surname>"
    ("Then Mr Javid spoke.", "2019-12-01", ["sajid-javid"]),
    ("Then Mr. Javid spoke.", "2019-12-01", ["sajid-javid"]),
    ("Then Dr Fox spoke.", "2017-11-15", ["liam-fox"]),
    ("Then Dr. Fox spoke.", "2017-11-15", ["liam-fox"]),
    ("Then Mr Fox spoke.", "2017-11-15", []),
    ("Then Mr Duncan Smith spoke.", "2015-01-01", ["iain-duncan-smith"]),
    ("Then Mr Smith spoke.", "2015-01-01", []),
    ("Then Mr Johnson spoke.", "2017-11-15", ["boris-johnson"]),
    ("Then Mr Hammond spoke.", "2017-11-15", []),  # no honorific given
]


@pytest.mark.parametrize(("body", "date", "slugs"), RESOLVER_CASES)
def test_resolver(body, date, slugs):
    assert linked_slugs(body, date) == slugs


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_sets_a_sentence_date(month):
    name = dt.date(2000, month, 1).strftime("%B")
    assert linked_slugs(f"In {name} 2018 the Prime Minister spoke.", "2021-01-01") == [
        "theresa-may"
    ]
    assert linked_slugs(f"On 3 {name} 2015 the Prime Minister spoke.", "2021-01-01") == [
        "david-cameron"
    ]
    assert linked_slugs(f"The Prime Minister spoke on {name} 3, 2017.", "2021-01-01") == [
        "theresa-may"
    ]


@pytest.mark.parametrize(
    "body",
    ["She may resign.", "In May 2019 she resigned.", "May 2019 was a bad month.", "may"],
)
def test_the_month_and_the_verb_never_link(body):
    found = link_files(
        {
            "content/people/theresa-may.md": MAY_WITH_MONTH_ALIAS,
            "content/articles/story.md": article(body + "\n"),
        }
    )
    assert found.refs("story") == []


# --- Warnings -------------------------------------------------------------------------------


def test_a_role_alias_in_a_month_when_the_office_changed_hands_stays_unlinked():
    linked = link_story("Intro.\n\nIn July 2019 the prime minister resigned.\n", "2020-06-01")
    assert linked.refs("story") == []
    assert linked.item("story").mentions == ()
    assert linked.warnings == [
        "content/articles/story.md:8: warning: 'the prime minister' could mean boris-johnson or "
        "theresa-may, who each held it in July 2019, the date this sentence gives; it is left "
        "unlinked. Write [[boris-johnson|the prime minister]] or [[theresa-may|the prime "
        "minister]] for the one meant, or give the day"
    ]


def test_a_role_alias_in_a_year_when_the_office_changed_hands_stays_unlinked():
    linked = link_story("Back in 2016, the Prime Minister said no.\n", "2020-06-01")
    assert linked.refs("story") == []
    assert linked.warnings == [
        "content/articles/story.md:6: warning: 'the Prime Minister' could mean david-cameron or "
        "theresa-may, who each held it in 2016, the date this sentence gives; it is left "
        "unlinked. Write [[david-cameron|the Prime Minister]] or [[theresa-may|the Prime "
        "Minister]] for the one meant, or give the day"
    ]


def test_a_holder_for_part_of_the_year_only_is_named_in_the_warning():
    files = {k: v for k, v in CAST.items() if "david-cameron" not in k}
    collector = Collector()
    body = "Back in 2016, the Prime Minister said no.\n"
    site = site_of({**files, "content/articles/story.md": article(body, date="2020-06-01")})
    linked = Linked(link_site(site, collector), collector)
    assert linked.refs("story") == []
    assert linked.warnings == [
        "content/articles/story.md:6: warning: 'the Prime Minister' could mean theresa-may, who "
        "held it for only part of 2016, the date this sentence gives; it is left unlinked. "
        "Write [[theresa-may|the Prime Minister]] if it means them, or give the day"
    ]


def test_the_warning_points_at_the_dated_sentence():
    body = "The Prime Minister spoke.\n\nLater.\n\nIn July 2019 the Prime Minister resigned.\n"
    linked = link_story(body, "2020-06-01")
    assert linked.refs("story") == [("boris-johnson", "The Prime Minister")]
    assert [w.split(": warning")[0] for w in linked.warnings] == ["content/articles/story.md:10"]


def test_the_people_list_settles_a_month_only_when_that_one_held_it_throughout():
    linked = link_story(
        "In July 2019 the Prime Minister resigned.\n", "2020-06-01", ("theresa-may",)
    )
    assert linked.refs("story") == []
    assert linked.warnings == [
        "content/articles/story.md:7: warning: 'the Prime Minister' could mean boris-johnson or "
        "theresa-may, who each held it in July 2019, the date this sentence gives; it is left "
        "unlinked. Write [[boris-johnson|the Prime Minister]] or [[theresa-may|the Prime "
        "Minister]] for the one meant, or give the day"
    ]
    ardern = (
        "---\nname: Jacinda Ardern\nsummary: NZ PM.\nroles:\n  - title: Prime Minister of New "
        "Zealand\n    from: 2017-10-26\n    to: 2023-01-25\n    aliases: [the Prime Minister]\n---\n"
    )
    extra = {"content/people/jacinda-ardern.md": ardern}
    body = "In March 2018 the Prime Minister spoke.\n"
    assert linked_slugs(body, "2020-06-01", people=("theresa-may",), extra=extra) == ["theresa-may"]
    assert linked_slugs(body, "2020-06-01", people=("jacinda-ardern",), extra=extra) == [
        "jacinda-ardern"
    ]


def test_a_shared_honorific_form_is_ambiguous_like_a_shared_alias():
    extra = {"content/people/jo-johnson.md": JO_JOHNSON}
    linked = link_story("Then Mr Johnson spoke.\n", "2017-11-15", extra=extra)
    assert linked.refs("story") == []
    assert linked.warnings == [
        "content/articles/story.md:6: warning: 'Mr Johnson' could mean boris-johnson, "
        "jo-johnson; it is left unlinked. List exactly one of them in people (or topics), or "
        "write [[slug|Mr Johnson]]"
    ]
    linked = link_story("Then Mr Johnson spoke.\n", "2017-11-15", ("jo-johnson",), extra)
    assert linked.refs("story") == [("jo-johnson", "Mr Johnson")]
    assert linked.warnings == []


# --- Excerpts: the sentence a mention puts on a profile -----------------------------------


def test_a_dated_sentence_goes_on_the_profile_of_its_own_date():
    body = "In March 2018 the Prime Minister told MPs she would stay. It rained.\n"
    linked = link_story(body, "2020-06-01")
    assert linked.backlinks("theresa-may") == [
        ("story", "In March 2018 the Prime Minister told MPs she would stay.")
    ]
    assert linked.backlinks("boris-johnson") == []


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "“We tried... But we failed,” Mrs May said. Then she left.",
            "“We tried... But we failed,” Mrs May said.",
        ),
        (
            "“We tried… But we failed,” Mrs May said. Then she left.",
            "“We tried… But we failed,” Mrs May said.",
        ),
        (
            "He said: “We will leave...” Mrs May said nothing.",
            "He said: “We will leave...” Mrs May said nothing.",
        ),
        (
            '"We tried... But we failed," Mrs May said. Then she left.',
            '"We tried... But we failed," Mrs May said.',
        ),
        ("It rained... Mrs May spoke.", "Mrs May spoke."),  # not in a quotation: a sentence end
        ("“We tried.” Mrs May spoke.", "Mrs May spoke."),
        ("Then Mr. Johnson met Mrs May. It rained.", "Then Mr. Johnson met Mrs May."),
        ("On Sept. 4 Mrs May spoke. It rained.", "On Sept. 4 Mrs May spoke."),
        ("The U.S. President met Mrs May. It rained.", "The U.S. President met Mrs May."),
    ],
)
def test_excerpt_sentences(text, sentence):
    assert sentence_at(text, text.index("Mrs May")) == sentence


def test_an_ellipsis_inside_a_quotation_keeps_the_excerpt_whole():
    linked = link_story(
        "“We tried... But we failed,” the Prime Minister said. Nobody agreed.\n", "2018-01-01"
    )
    assert linked.backlinks("theresa-may") == [
        ("story", "“We tried... But we failed,” the Prime Minister said.")
    ]


# --- Pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "form"),
    [
        ("the Prime Minister", "the prime minister"),
        ("the Chair of the ISC", "the chair of the ISC"),
        ("the PM", "the PM"),
        ("Prime Minister", "Prime minister"),
        ("the Leader of the House of Commons", "the leader of the house of commons"),
        ("the Chancellor", "the chancellor"),
        ("Chancellor", "Chancellor"),
        ("the Home Secretary, Mrs May", "the home secretary, Mrs May"),
    ],
)
def test_lower_case_form(alias, form):
    assert lower_case_form(alias, keep={"Mrs", "May"}) == form


def test_lower_case_forms_can_be_turned_off():
    site = site_of({**CAST, "content/articles/story.md": article("x")})
    on = build_name_index(site.people, site.topics)
    off = build_name_index(site.people, site.topics, lower_case_roles=False)
    assert "the prime minister" in on.uses
    assert "the prime minister" not in off.uses
    assert "the Prime Minister" in off.uses


@pytest.mark.parametrize(
    ("sentence", "story", "label"),
    [
        ("In March 2018 the PM spoke", "2020-01-01", "March 2018"),
        ("the PM spoke on 4 June 2017", "2020-01-01", "4 June 2017"),
        ("the PM spoke June 4, 2017", "2020-01-01", "4 June 2017"),
        ("the PM spoke on Sept. 4, 2017", "2020-01-01", "4 September 2017"),
        ("back in 2016 the PM spoke", "2020-01-01", "2016"),
        ("2016 was the year the PM spoke", "2020-01-01", "2016"),
        ("In the summer of 2016 the PM spoke", "2020-01-01", "2016"),
        ("At the end of 2016 the PM spoke", "2020-01-01", "2016"),
        ("On 20 December the PM spoke", "2020-01-10", "20 December 2019"),
        ("In March 2018 and in 2019 the PM spoke", "2020-01-01", "2019"),  # the nearest
        ("the PM spoke in 2019 and in March 2018", "2020-01-01", "2019"),  # else the first after
        ("the PM spoke since 2019", "2020-01-01", None),
        ("the PM spoke until 4 June 2017", "2020-01-01", None),
        ("the PM spoke by the end of 2016", "2020-01-01", None),
        ("from 2016 to 2019 the PM spoke", "2020-01-01", None),
        ("the 2019 election, which the PM won", "2020-01-01", None),
        ("in the 1990s the PM spoke", "2020-01-01", None),
        ("in 2017's election the PM spoke", "2020-01-01", "2017"),
        ("2017's election, which the PM won", "2020-01-01", "2017"),
        ("the PM won 2019 votes", "2020-01-01", None),
        ("the PM spoke in May", "2020-01-01", None),  # a month alone is no date
        ("last year the PM spoke", "2020-01-01", None),
    ],
)
def test_sentence_period(sentence, story, label):
    period = sentence_period(sentence, sentence.index("PM"), dt.date.fromisoformat(story))
    assert (period.label if period else None) == label


# --- Front matter ---------------------------------------------------------------------------


def _errors(files: Mapping[str, str]) -> list[str]:
    collector = Collector()
    parse_site(SiteConfig("T", "https://example.org/"), documents(files), collector)
    return [str(d) for d in collector.errors]


PERSON = "---\nname: Ann Able\nsummary: A person.\n{}---\n"


@pytest.mark.parametrize(
    ("meta", "error"),
    [
        (
            "honorific: Sir\n",
            "content/people/ann-able.md:4: honorific: 'Sir' goes with a first name or a title "
            "('Sir Keir'), not the surname; add the form stories use to aliases, with from: the "
            "day the title was given",
        ),
        (
            "honorific: Mis\n",
            "content/people/ann-able.md:4: honorific: expected one of Mr, Mrs, Ms, Miss, Mx, Dr, "
            "Prof, got 'Mis' (did you mean 'Miss'?); a title that comes with an office "
            "('Senator Warren') belongs in that role's aliases",
        ),
        (
            "honorific: mr\n",
            "content/people/ann-able.md:4: honorific: expected one of Mr, Mrs, Ms, Miss, Mx, Dr, "
            "Prof, got 'mr' (did you mean 'Mr'?); a title that comes with an office "
            "('Senator Warren') belongs in that role's aliases",
        ),
        (
            "aliases: [[Lady Able]]\n",
            "content/people/ann-able.md:4: aliases[0]: expected a name, or a mapping of name, "
            "from and to, got a list",
        ),
        (
            "honorific: [Mr]\n",
            "content/people/ann-able.md:4: honorific: expected text, got a list",
        ),
        (
            "aliases:\n  - name: Lady Able\n    from: 2020-01-01\n    to: 2019-01-01\n",
            "content/people/ann-able.md:7: aliases[0].to: 'Lady Able': to (2019-01-01) must come "
            "after from (2020-01-01); the alias names them in stories dated from 'from' up to, "
            "not including, 'to'",
        ),
        (
            "aliases:\n  - name: Lady Able\n    form: 2020-01-01\n",
            "content/people/ann-able.md:6: unknown field 'aliases[0].form' (did you mean 'from'?)",
        ),
        (
            "aliases:\n  - from: 2020-01-01\n",
            "content/people/ann-able.md:5: missing required field 'name' in aliases[0]",
        ),
        (
            "aliases:\n  - name: Lady Able\n    from: 2020-13-01\n",
            "content/people/ann-able.md:6: aliases[0].from: expected a date like 2016-07-13, got "
            "'2020-13-01'",
        ),
        (
            "aliases:\n  - Lady Able\n  - name: Lady Able\n    from: 2020-01-01\n",
            "content/people/ann-able.md:6: aliases[1]: 'Lady Able' is listed twice",
        ),
        (
            "surname: ''\n",
            "content/people/ann-able.md:4: surname: must not be empty",
        ),
    ],
)
def test_bad_new_fields_are_content_errors(meta, error):
    assert _errors({"content/people/ann-able.md": PERSON.format(meta)}) == [error]


def test_new_fields_are_read():
    text = PERSON.format(
        "honorific: Mrs.\nsurname: Able Baker\naliases:\n  - Annie\n"
        "  - name: Lady Able\n    from: 2020-01-01\n"
    )
    site = site_of({"content/people/ann-able.md": text})
    (person,) = site.people
    assert person.honorific == "Mrs"
    assert person.names == ("Ann Able", "Annie", "Lady Able", "Mrs Able Baker", "Mrs. Able Baker")
    assert [(a.name, a.start, a.end) for a in person.dated_aliases] == [
        ("Lady Able", dt.date(2020, 1, 1), None)
    ]


# --- Built pages and the command line -------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("newsroom") / "project"
    files = {
        **CAST,
        "content/people/jeremy-corbyn.md": (
            "---\nname: Jeremy Corbyn\nsummary: Labour leader.\naliases: [Mr Corbyn]\n---\n"
        ),
        "content/articles/story.md": article(
            "In March 2018 the prime minister told MPs she would stay. Mr Javid agreed.\n\n"
            "Jeremy Corbyn and Mr Corbyn objected.\n\n"
            "The prime minister said today that Sir Keir was wrong, and Corbyn agreed.\n",
            date="2020-06-01",
            people=["jeremy-corbyn"],
        ),
        "content/articles/old.md": article(
            "Then Sir Keir spoke, and the prime minister listened.\n",
            title="Old story",
            date="2013-06-01",
        ),
    }
    project = lay_out(root, files)
    done = project.build("check", "--format", "json")
    assert done.returncode == 0, done.stderr
    problems = json.loads(done.stdout)
    build = project.build()
    assert build.returncode == 0, build.stderr
    return project, problems, build


def _mention_hrefs(project, url_path: str) -> list[str]:
    page = parse_html(project.page(url_path))
    return [
        resolve_href(url_path, a.get("href") or "")
        for a in page.one("div", "prose").all("a", "mention")
    ]


def test_built_story_links_by_the_date_of_each_sentence(built):
    project, _, _ = built
    assert _mention_hrefs(project, "articles/story/") == [
        "people/theresa-may/index.html",
        "people/sajid-javid/index.html",
        "people/jeremy-corbyn/index.html",
        "people/boris-johnson/index.html",
        "people/keir-starmer/index.html",
    ]
    assert _mention_hrefs(project, "articles/old/") == ["people/david-cameron/index.html"]


def test_built_profiles_show_the_sentence_that_names_them(built):
    project, _, _ = built

    def excerpts(slug: str) -> list[str]:
        page = parse_html(project.page(f"people/{slug}/"))
        section = page.one(id="appears-in")
        return [q.text for q in section.all("blockquote", "excerpt")]

    assert excerpts("theresa-may") == ["In March 2018 the prime minister told MPs she would stay."]
    assert excerpts("boris-johnson") == [
        "The prime minister said today that Sir Keir was wrong, and Corbyn agreed."
    ]


def test_bare_surname_warning_points_at_the_bare_surname(built):
    _, problems, build = built
    warnings = [
        (p["file"], p["line"], p["message"]) for p in problems if "looks like" in p["message"]
    ]
    assert warnings == [
        (
            "content/articles/story.md",
            11,
            "'Corbyn' looks like Jeremy Corbyn's surname on its own, which is not one of their "
            "aliases, so it is not linked; add it to the aliases in jeremy-corbyn.md if it means "
            "them",
        )
    ]
    assert (
        "content/articles/story.md:11: warning: 'Corbyn' looks like Jeremy Corbyn's surname"
        in build.stderr
    )


def test_lower_case_role_aliases_can_be_turned_off(make_project):
    project = make_project(
        {
            "site.yaml": "title: T\nbase_url: https://example.org/\nlower_case_role_aliases: false\n",
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article(
                "Then the prime minister spoke. The Prime Minister agreed.\n"
            ),
        }
    )
    done = project.build()
    assert done.returncode == 0, done.stderr
    page = parse_html(project.page("articles/story/"))
    links = page.one("div", "prose").all("a", "mention")
    assert [(a.text, a.get("data-ref")) for a in links] == [("The Prime Minister", "theresa-may")]


def test_a_bad_lower_case_setting_is_an_error(make_project):
    project = make_project(
        {"site.yaml": "title: T\nbase_url: https://example.org/\nlower_case_role_aliases: maybe\n"}
    )
    done = project.build("check")
    assert done.returncode == 1
    assert (
        "site.yaml:3: lower_case_role_aliases: expected true or false, got 'maybe'" in done.stderr
    )
    assert "Traceback" not in done.stderr
