"""Link stage: [[refs]], automatic mention links, backlinks; one test per cross-link rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from conftest import JOHNSON, MAY, article, links_in
from core_helpers import (
    ARDERN,
    CAMERON,
    MAY_WITH_MONTH_ALIAS,
    ONEILL,
    Linked,
    link_files,
    site_of,
)

from explainer.core.errors import Collector
from explainer.link.convert import Converter
from explainer.link.linking import link_site
from explainer.link.markup import ConvertContext, Target, sentence_at

PEOPLE = {
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
}

NATO = """\
---
name: North Atlantic Treaty Organization
summary: A military alliance.
kind: organisation
aliases: [Nato]
---
"""


def refs(
    body: str,
    *,
    date: str = "2017-11-15",
    people: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
) -> tuple[list[tuple[str, str]], Linked]:
    """Link one article; return its (data-ref, text) links and the linked site."""
    fields: dict[str, object] = {"date": date}
    if people:
        fields["people"] = list(people)
    files = {**PEOPLE, **(extra or {}), "content/articles/story.md": article(body, **fields)}
    linked = link_files(files)
    return linked.refs("story"), linked


def linked_refs(body: str, **kwargs: Any) -> list[tuple[str, str]]:
    found, _ = refs(body, **kwargs)
    return found


# --- Rule 1: [[slug]] and [[slug|text]] ----------------------------------------------------


def test_ref_to_a_person_uses_their_name():
    assert linked_refs("See [[theresa-may]] now.\n") == [("theresa-may", "Theresa May")]


def test_ref_to_an_article_uses_its_title():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/story.md": article("Background: [[older]].\n"),
            "content/articles/older.md": article("Old.", title="An older story"),
        }
    )
    assert linked.refs("story") == [("older", "An older story")]
    (link,) = [a for a in links_in(linked.body("story")) if a.get("data-ref") == "older"]
    assert link["href"] == "../../articles/older/index.html"


def test_ref_to_a_topic_uses_its_name():
    found = linked_refs("Read about [[nato]].\n", extra={"content/topics/nato.md": NATO})
    assert found == [("nato", "North Atlantic Treaty Organization")]


def test_ref_with_its_own_text():
    assert linked_refs("[[theresa-may|The former PM]] spoke.\n") == [
        ("theresa-may", "The former PM")
    ]


def test_ref_href_is_relative_and_ends_in_index_html():
    _, linked = refs("See [[theresa-may]].\n")
    (link,) = links_in(linked.body("story"))
    assert link["href"] == "../../people/theresa-may/index.html"


def test_broken_ref_names_file_line_and_closest_slug():
    linked = _link_allowing_errors("First paragraph.\n\nSee [[theresa-mya]] here.\n")
    assert linked.errors == [
        "content/articles/story.md:8: broken link [[theresa-mya]]: no article, person or "
        "topic has that slug (did you mean 'theresa-may'?)"
    ]


def test_broken_ref_without_a_close_slug():
    linked = _link_allowing_errors("See [[winston-churchill|Churchill]].\n")
    assert linked.errors == [
        "content/articles/story.md:6: broken link [[winston-churchill]]: no article, person or "
        "topic has that slug; check the slug"
    ]


def test_every_broken_ref_is_reported():
    linked = _link_allowing_errors("See [[nobody]].\n\nAnd [[theresa-mya]].\n")
    assert linked.errors == [
        "content/articles/story.md:6: broken link [[nobody]]: no article, person or topic has "
        "that slug; check the slug",
        "content/articles/story.md:8: broken link [[theresa-mya]]: no article, person or topic "
        "has that slug (did you mean 'theresa-may'?)",
    ]


def test_broken_ref_in_a_related_headline_points_at_the_headline():
    text = (
        "---\ntitle: T\ndate: 2017-11-15\nsummary: S\n"
        "related_headlines:\n"  # 5
        "  - title: '[[theresa-mya]] speaks'\n"  # 6
        "---\nBody.\n"
    )
    linked = _link_allowing_errors(text=text)
    assert linked.errors == [
        "content/articles/story.md:6: broken link [[theresa-mya]]: no article, person or topic "
        "has that slug (did you mean 'theresa-may'?)"
    ]


# --- Rule 2: automatic mentions ------------------------------------------------------------


def test_name_is_linked():
    assert linked_refs("Yesterday Theresa May spoke.\n") == [("theresa-may", "Theresa May")]


def test_alias_is_linked():
    assert linked_refs("Yesterday Mrs May spoke.\n") == [("theresa-may", "Mrs May")]


def test_mention_link_points_at_the_person_page():
    _, linked = refs("Yesterday Theresa May spoke.\n")
    (link,) = links_in(linked.body("story"))
    assert link["href"] == "../../people/theresa-may/index.html"
    assert link["data-ref"] == "theresa-may"


def test_role_alias_is_linked_while_the_role_is_held():
    assert linked_refs("Then the Foreign Secretary spoke.\n", date="2017-11-15") == [
        ("boris-johnson", "the Foreign Secretary")
    ]


def test_role_alias_is_not_linked_before_the_role_starts():
    assert linked_refs("Then the Foreign Secretary spoke.\n", date="2016-07-12") == []


def test_role_alias_is_not_linked_on_the_day_the_role_ends():
    assert linked_refs("Then the Foreign Secretary spoke.\n", date="2018-07-08") == [
        ("boris-johnson", "the Foreign Secretary")
    ]
    assert linked_refs("Then the Foreign Secretary spoke.\n", date="2018-07-09") == []


@pytest.mark.parametrize(
    ("date", "holder"),
    [
        ("2016-07-12", "david-cameron"),
        ("2016-07-13", "theresa-may"),  # handover day: the incoming holder
        ("2019-07-23", "theresa-may"),
        ("2019-07-24", "boris-johnson"),  # handover day again
    ],
)
def test_on_a_handover_day_the_incoming_holder_wins(date, holder):
    found, linked = refs(
        "Then the Prime Minister spoke.\n",
        date=date,
        extra={"content/people/david-cameron.md": CAMERON},
    )
    assert found == [(holder, "the Prime Minister")]
    assert linked.warnings == []


def test_no_links_inside_headings():
    assert linked_refs("## Theresa May\n\nNothing else.\n") == []


def test_no_links_inside_existing_links():
    assert linked_refs("Read [Theresa May's speech](https://example.org/).\n") == []


def test_no_links_inside_inline_code():
    assert linked_refs("Type `Theresa May` to search.\n") == []


def test_no_links_inside_fenced_code():
    assert linked_refs("```\nTheresa May\n```\n\nNothing else.\n") == []


def test_no_links_inside_raw_html_blocks():
    assert linked_refs('<div class="box">\nTheresa May\n</div>\n\nNothing else.\n') == []


def test_no_links_inside_raw_inline_html():
    assert linked_refs('A <span class="name">Theresa May</span> poster.\n') == []


def test_mention_after_a_skipped_one_is_linked():
    assert linked_refs("## Theresa May\n\n`Mrs May`\n\nLater Mrs May spoke.\n") == [
        ("theresa-may", "Mrs May")
    ]


@pytest.mark.parametrize(
    "body",
    ["Mrs Mayhew spoke.", "The Mayor spoke.", "Theresa Mayfield spoke.", "XTheresa May spoke."],
)
def test_names_match_whole_words_only(body):
    assert linked_refs(body + "\n") == []


def test_longest_name_wins():
    jo = "---\nname: Jo Johnson\nsummary: A minister.\naliases: [Johnson]\n---\n"
    found = linked_refs(
        "Boris Johnson spoke, then Johnson replied.\n",
        extra={"content/people/jo-johnson.md": jo},
    )
    assert found == [("boris-johnson", "Boris Johnson"), ("jo-johnson", "Johnson")]


@pytest.mark.parametrize(
    "body",
    [
        "In May 2019 she resigned.",
        "On 3 May 2019 she resigned.",
        "She resigned on 24 May.",
        "She resigned in May.",
        "Talks began in early May.",
        "May 2019 was a bad month.",
        "The vote on May 15 failed.",
    ],
)
def test_a_month_is_never_a_person(body):
    found = linked_refs(body + "\n", extra={"content/people/theresa-may.md": MAY_WITH_MONTH_ALIAS})
    assert found == []


def test_a_month_after_end_of_is_not_a_person():
    found = linked_refs(
        "At the end of May the talks stalled.\n",
        extra={"content/people/theresa-may.md": MAY_WITH_MONTH_ALIAS},
    )
    assert found == []


@pytest.mark.parametrize("body", ["May said no.", "Then May said no.", "It was May's plan."])
def test_an_alias_that_is_also_a_month_still_names_the_person(body):
    found = linked_refs(body + "\n", extra={"content/people/theresa-may.md": MAY_WITH_MONTH_ALIAS})
    assert found == [("theresa-may", "May")]


@pytest.mark.parametrize(
    "body",
    [
        "Then THE FOREIGN SECRETARY spoke.",
        "Then mrs may spoke.",
        "Then theresa may spoke.",
    ],
)
def test_names_are_case_sensitive(body):
    assert linked_refs(body + "\n") == []


def test_capital_first_letter_mid_sentence_is_not_a_mention():
    assert linked_refs("Then The Foreign Secretary spoke.\n") == []


@pytest.mark.parametrize(
    "body",
    [
        "The Foreign Secretary spoke.",  # start of a block
        "> The Foreign Secretary spoke.",  # start of a quoted block
        "- Nothing.\n- The Foreign Secretary spoke.",  # start of a list item
        "It rained. The Foreign Secretary spoke.",
        "It rained! The Foreign Secretary spoke.",
        "It rained? The Foreign Secretary spoke.",
        "He said: The Foreign Secretary spoke.",
        "He said “The Foreign Secretary spoke.”",
        'He said "The Foreign Secretary spoke."',
        "He said ‘The Foreign Secretary spoke.’",
        "It rained. *The Foreign Secretary* spoke.",
    ],
)
def test_alias_may_be_capitalised_at_the_start_of_a_sentence(body):
    assert linked_refs(body + "\n") == [("boris-johnson", "The Foreign Secretary")]


def test_sentence_start_is_found_after_inline_markup_following_a_link():
    assert linked_refs("Theresa May met *Jim*. The Foreign Secretary spoke.\n") == [
        ("theresa-may", "Theresa May"),
        ("boris-johnson", "The Foreign Secretary"),
    ]


@pytest.mark.parametrize(
    ("body", "text"),
    [("Ms O'Neill spoke.", "Ms O'Neill"), ("Then Sinéad O’Neill spoke.", "Sinéad O’Neill")],
)
def test_straight_and_curly_apostrophes_are_the_same(body, text):
    # Her name is written with a straight apostrophe, her alias with a curly one.
    found = linked_refs(body + "\n", extra={"content/people/sinead-oneill.md": ONEILL})
    assert found == [("sinead-oneill", text)]


def test_only_the_first_mention_is_linked():
    found = linked_refs("Theresa May spoke. Mrs May then left.\n\nLater Theresa May returned.\n")
    assert found == [("theresa-may", "Theresa May")]


def test_later_mentions_still_count_as_mentions():
    found, linked = refs("Theresa May spoke.\n\nMrs May left.\n")
    assert found == [("theresa-may", "Theresa May")]
    assert linked.item("story").mentions == ("theresa-may",)
    assert linked.backlinks("theresa-may") == [("story", "Theresa May spoke.")]


def test_ambiguous_alias_links_the_one_listed_person():
    found, linked = refs(
        "Then the Prime Minister spoke.\n",
        people=("theresa-may",),
        extra={"content/people/jacinda-ardern.md": ARDERN},
    )
    assert found == [("theresa-may", "the Prime Minister")]
    assert linked.warnings == []


def test_ambiguous_alias_is_unlinked_with_a_warning_when_nobody_is_listed():
    found, linked = refs(
        "First paragraph.\n\nThen the Prime Minister spoke.\n",
        extra={"content/people/jacinda-ardern.md": ARDERN},
    )
    assert found == []
    assert linked.item("story").mentions == ()
    assert linked.warnings == [
        "content/articles/story.md:8: warning: 'the Prime Minister' could mean jacinda-ardern, "
        "theresa-may; it is left unlinked. List exactly one of them in people (or topics), or "
        "write [[slug|the Prime Minister]]"
    ]


def test_ambiguous_alias_is_unlinked_when_several_are_listed():
    found, linked = refs(
        "Then the Prime Minister spoke.\n",
        people=("theresa-may", "jacinda-ardern"),
        extra={"content/people/jacinda-ardern.md": ARDERN},
    )
    assert found == []
    assert linked.warnings == [
        "content/articles/story.md:7: warning: 'the Prime Minister' could mean jacinda-ardern, "
        "theresa-may; it is left unlinked. List exactly one of them in people (or topics), or "
        "write [[slug|the Prime Minister]]"
    ]


def test_ambiguous_name_alias_follows_the_same_rule():
    jo = "---\nname: Jo Johnson\nsummary: A minister.\naliases: [Mr Johnson]\n---\n"
    boris = JOHNSON.replace("party:", "aliases: [Mr Johnson]\nparty:")
    extra = {"content/people/jo-johnson.md": jo, "content/people/boris-johnson.md": boris}
    found, linked = refs("Then Mr Johnson spoke.\n", extra=extra)
    assert found == []
    assert linked.warnings == [
        "content/articles/story.md:6: warning: 'Mr Johnson' could mean boris-johnson, "
        "jo-johnson; it is left unlinked. List exactly one of them in people (or topics), or "
        "write [[slug|Mr Johnson]]"
    ]
    found, linked = refs("Then Mr Johnson spoke.\n", people=("jo-johnson",), extra=extra)
    assert found == [("jo-johnson", "Mr Johnson")]


def test_alias_held_by_one_person_links_even_if_they_are_not_listed():
    found, linked = refs(
        "Then the Prime Minister spoke.\n",
        people=("boris-johnson",),
        extra={"content/people/jacinda-ardern.md": ARDERN},
        date="2017-10-01",  # before Ardern took office
    )
    assert found == [("theresa-may", "the Prime Minister")]
    assert linked.warnings == []


def test_ref_counts_as_the_first_mention():
    found, linked = refs("[[theresa-may|She]] spoke first. Later Theresa May left.\n")
    assert found == [("theresa-may", "She")]
    assert linked.item("story").mentions == ("theresa-may",)
    assert linked.backlinks("theresa-may") == [("story", "She spoke first.")]


def test_ref_to_a_draft_is_plain_text_with_a_warning():
    files = {
        **PEOPLE,
        "content/articles/story.md": article("Intro.\n\nSee [[secret]] soon.\n"),
        "content/articles/secret.md": article("Hidden.", title="A secret story", draft="true"),
    }
    linked = link_files(files)
    assert linked.refs("story") == []
    assert "<p>See A secret story soon.</p>" in linked.body("story")
    assert linked.warnings == [
        "content/articles/story.md:8: warning: [[secret]] links to a draft article; it is "
        "shown as plain text until the draft is published"
    ]


def test_ref_to_a_draft_links_when_drafts_are_published():
    files = {
        **PEOPLE,
        "content/articles/story.md": article("See [[secret]] soon.\n"),
        "content/articles/secret.md": article("Hidden.", title="A secret story", draft="true"),
    }
    linked = link_files(files, drafts=True)
    assert linked.refs("story") == [("secret", "A secret story")]
    assert linked.warnings == []


def test_broken_ref_in_a_draft_is_still_an_error():
    linked = _link_allowing_errors("See [[nobody]].\n", slug="secret", fields={"draft": "true"})
    assert linked.errors == [
        "content/articles/secret.md:7: broken link [[nobody]]: no article, person or topic "
        "has that slug; check the slug"
    ]


def test_body_links_carry_data_ref():
    found, linked = refs("Theresa May and [[boris-johnson|Boris]] met.\n")
    assert found == [("theresa-may", "Theresa May"), ("boris-johnson", "Boris")]
    assert all(a.get("data-ref") for a in links_in(linked.body("story")))


def test_mentions_in_related_headlines_are_linked_too():
    text = (
        "---\ntitle: T\ndate: 2017-11-15\nsummary: S\n"
        "related_headlines:\n  - title: Theresa May speaks\n---\nBody.\n"
    )
    linked = link_files({**PEOPLE, "content/articles/story.md": text})
    (headline,) = linked.item("story").headlines_html
    assert [(a["data-ref"], a["_text"]) for a in links_in(headline)] == [
        ("theresa-may", "Theresa May")
    ]
    assert linked.backlinks("theresa-may") == [("story", "Theresa May speaks")]


def test_topics_are_mentioned_by_name_too():
    found = linked_refs("The Nato summit opened.\n", extra={"content/topics/nato.md": NATO})
    assert found == [("nato", "Nato")]


# --- Rule 3: backlinks ---------------------------------------------------------------------


def test_backlinks_come_from_people_lists_and_mentions_newest_first():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/listed.md": article(
                "No names here.", title="Listed", date="2016-01-01", people=["theresa-may"]
            ),
            "content/articles/mentioned.md": article(
                "It rained. Theresa May spoke at length. Then she left.",
                title="Mentioned",
                date="2018-01-01",
            ),
            "content/articles/both.md": article(
                "Mrs May agreed.", title="Both", date="2017-01-01", people=["theresa-may"]
            ),
            "content/articles/neither.md": article("Boris Johnson spoke.", title="Neither"),
        }
    )
    assert linked.backlinks("theresa-may") == [
        ("mentioned", "Theresa May spoke at length."),
        ("both", "Mrs May agreed."),
        ("listed", "What happened."),  # listed but never mentioned: the summary stands in
    ]


def test_backlinks_skip_drafts():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/story.md": article("Theresa May spoke."),
            "content/articles/secret.md": article("Theresa May spoke.", draft="true"),
        }
    )
    assert linked.backlinks("theresa-may") == [("story", "Theresa May spoke.")]


def test_backlink_excerpt_is_the_sentence_of_the_first_mention():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/story.md": article(
                "Parliament sat late. Ministers argued. The vote on Brexit, which "
                "Theresa May lost, was close! Then everyone went home.\n\n"
                "Mrs May spoke again the next day.\n"
            ),
        }
    )
    assert linked.backlinks("theresa-may") == [
        ("story", "The vote on Brexit, which Theresa May lost, was close!")
    ]


def test_backlink_excerpt_after_inline_markup_following_a_link():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/story.md": article(
                "Theresa May met the press corps in *London*. Boris Johnson ate. "
                "Third one. Fourth one here.\n"
            ),
        }
    )
    assert linked.backlinks("boris-johnson") == [("story", "Boris Johnson ate.")]


def test_co_mentions_are_counted():
    linked = link_files(
        {
            **PEOPLE,
            "content/people/david-cameron.md": CAMERON,
            "content/articles/a.md": article("Theresa May and Boris Johnson.", title="A"),
            "content/articles/b.md": article("Mrs May.", title="B", people=["boris-johnson"]),
            "content/articles/c.md": article("Mrs May and Mr Cameron.", title="C"),
        }
    )
    assert dict(linked.site.co_mentions) == {
        "theresa-may": (("boris-johnson", 2), ("david-cameron", 1)),
        "boris-johnson": (("theresa-may", 2),),
        "david-cameron": (("theresa-may", 1),),
    }


def test_related_articles_share_people():
    linked = link_files(
        {
            **PEOPLE,
            "content/articles/a.md": article("Theresa May.", title="A", date="2017-01-03"),
            "content/articles/b.md": article(
                "Theresa May and Boris Johnson.", title="B", date="2017-01-02"
            ),
            "content/articles/c.md": article("Boris Johnson.", title="C", date="2017-01-01"),
            "content/articles/d.md": article("Nobody.", title="D", date="2017-01-04"),
        }
    )
    related = {k: list(v) for k, v in linked.site.related.items()}
    assert related == {"a": ["b"], "b": ["a", "c"], "c": ["b"], "d": []}


# --- Lower-level pieces --------------------------------------------------------------------


def test_converter_can_be_used_directly():
    target = Target(
        "theresa-may", "../../people/theresa-may/index.html", "Theresa May", "PM", "person"
    )
    ctx = ConvertContext(resolve={"theresa-may": target}.get, day=dt.date(2017, 11, 15))
    html = Converter().convert("Ask [[theresa-may|her]].", ctx)
    assert html == (
        '<p>Ask <a class="mention" data-ref="theresa-may" '
        'href="../../people/theresa-may/index.html" title="PM">her</a>.</p>'
    )
    assert ctx.ref_slugs == {"theresa-may"}


@pytest.mark.parametrize(
    ("offset", "sentence"),
    [(0, "One two."), (10, "Three four!"), (22, "Five six?"), (40, "Seven.")],
)
def test_sentence_at(offset, sentence):
    text = "One two. Three four! Five six? Then... Seven."
    assert sentence_at(text, offset) == sentence


# --- helpers -------------------------------------------------------------------------------


def _link_allowing_errors(
    body: str = "",
    *,
    text: str | None = None,
    slug: str = "story",
    fields: Mapping[str, object] | None = None,
) -> Linked:
    """Run the link stage on one article and keep its errors instead of raising."""
    files = {**PEOPLE, f"content/articles/{slug}.md": text or article(body, **(fields or {}))}
    collector = Collector()
    site = site_of(files, collector)
    return Linked(link_site(site, collector), collector)
