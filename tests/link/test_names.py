"""The name resolver on its own: plain text, a date and the story's list in, mentions out."""

from __future__ import annotations

import datetime as dt

import pytest

from explainer.link.names import (
    AliasUse,
    NameIndex,
    Passage,
    StoryNames,
    resolve_mentions,
    resolve_run,
)

CAMERON_PM = AliasUse("david-cameron", dt.date(2010, 5, 11), dt.date(2016, 7, 13), role=True)
MAY_PM = AliasUse("theresa-may", dt.date(2016, 7, 13), dt.date(2019, 7, 24), role=True)
JOHNSON_PM = AliasUse("boris-johnson", dt.date(2019, 7, 24), dt.date(2022, 9, 6), role=True)
PRIME_MINISTERS = [CAMERON_PM, MAY_PM, JOHNSON_PM]

INDEX = NameIndex.build(
    {
        "Theresa May": [AliasUse("theresa-may")],
        "Mrs May": [AliasUse("theresa-may")],
        "May": [AliasUse("theresa-may")],
        "Boris Johnson": [AliasUse("boris-johnson")],
        "Jo Johnson": [AliasUse("jo-johnson")],
        "Mr Johnson": [AliasUse("boris-johnson"), AliasUse("jo-johnson")],
        "the Prime Minister": PRIME_MINISTERS,
        "the prime minister": PRIME_MINISTERS,  # the house-style form the index adds
        "NATO": [AliasUse("nato", expansion="North Atlantic Treaty Organization")],
    }
)

MAY = [("theresa-may", "Theresa May", True)]
PM = "the Prime Minister"

# id: text, the story's date, the slugs it lists -> (slug, as written, linked) for each
# mention in order, and fragments of the warnings
CASES: dict[str, tuple[str, str, tuple[str, ...], list[tuple[str, str, bool]], list[str]]] = {
    "name": ("Theresa May spoke.", "2017-11-15", (), MAY, []),
    "alias": ("Then Mrs May spoke.", "2017-11-15", (), [("theresa-may", "Mrs May", True)], []),
    "only-the-first-mention-links": (
        "Theresa May met Boris Johnson, and Mrs May spoke.",
        "2017-11-15",
        (),
        [*MAY, ("boris-johnson", "Boris Johnson", True), ("theresa-may", "Mrs May", False)],
        [],
    ),
    "role-alias-on-the-story-date": (
        "Then the Prime Minister spoke.",
        "2017-11-15",
        (),
        [("theresa-may", PM, True)],
        [],
    ),
    "role-alias-on-a-later-story-date": (
        "Then the Prime Minister spoke.",
        "2020-03-01",
        (),
        [("boris-johnson", PM, True)],
        [],
    ),
    "role-alias-in-a-sentence-dated-otherwise": (
        "In March 2019 the Prime Minister told MPs she would stay.",
        "2020-03-01",
        (),
        [("theresa-may", PM, True)],
        [],
    ),
    "a-date-that-only-bounds": (
        "Since 2016 the Prime Minister has said little.",
        "2020-03-01",
        (),
        [("boris-johnson", PM, True)],
        [],
    ),
    "a-date-in-an-aside": (
        "The Prime Minister, in office since 2016, said no.",
        "2017-11-15",
        (),
        [("theresa-may", "The Prime Minister", True)],
        [],
    ),
    "office-changed-hands-in-the-month-given": (
        "In July 2019 the Prime Minister spoke.",
        "2020-03-01",
        (),
        [],
        [
            "'the Prime Minister' could mean boris-johnson or theresa-may, who each held it in "
            "July 2019, the date this sentence gives; it is left unlinked",
            "[[boris-johnson|the Prime Minister]] or [[theresa-may|the Prime Minister]]",
        ],
    ),
    "house-style-lower-case": (
        "Then the prime minister spoke.",
        "2017-11-15",
        (),
        [("theresa-may", "the prime minister", True)],
        [],
    ),
    "house-style-at-a-sentence-start": (
        "The prime minister spoke.",
        "2017-11-15",
        (),
        [("theresa-may", "The prime minister", True)],
        [],
    ),
    "no-capital-mid-sentence": ("Then The prime minister spoke.", "2017-11-15", (), [], []),
    "one-word-alias-keeps-its-case": ("She may resign.", "2017-11-15", (), [], []),
    "one-word-alias": ("May said no.", "2017-11-15", (), [("theresa-may", "May", True)], []),
    "a-month-is-no-one": ("In May 2019 she resigned.", "2017-11-15", (), [], []),
    "ambiguous-surname": (
        "Mr Johnson spoke.",
        "2017-11-15",
        (),
        [],
        ["'Mr Johnson' could mean boris-johnson, jo-johnson; it is left unlinked"],
    ),
    "ambiguous-surname-of-a-listed-person": (
        "Mr Johnson spoke.",
        "2017-11-15",
        ("jo-johnson",),
        [("jo-johnson", "Mr Johnson", True)],
        [],
    ),
    "no-name-inside-a-word": (
        "Mayhew spoke of NATOs and Theresa Mayfield.",
        "2017-11-15",
        (),
        [],
        [],
    ),
}


@pytest.mark.parametrize(
    ("text", "story", "listed", "mentions", "warnings"), CASES.values(), ids=CASES.keys()
)
def test_resolve_mentions(
    text: str,
    story: str,
    listed: tuple[str, ...],
    mentions: list[tuple[str, str, bool]],
    warnings: list[str],
) -> None:
    names = StoryNames(INDEX, dt.date.fromisoformat(story), frozenset(listed))
    reading = resolve_mentions(text, names)
    assert [(m.slug, m.written, m.linked) for m in reading.mentions] == mentions
    assert all(text[m.start : m.end] == m.written for m in reading.mentions)
    messages = [p.message for p in reading.problems]
    assert all(p.severity == "warning" for p in reading.problems)
    assert len(messages) == (1 if warnings else 0), messages
    for fragment in warnings:
        assert fragment in messages[0]


def test_first_mentions_carry_their_sentence_and_the_expansion_of_an_abbreviation() -> None:
    text = "It began in 1949. Theresa May praised NATO. Later, NATO met."
    reading = resolve_mentions(text, StoryNames(INDEX, dt.date(2017, 11, 15)))
    assert [(m.slug, m.first, m.sentence, m.expansion) for m in reading.mentions] == [
        ("theresa-may", True, "Theresa May praised NATO.", ""),
        ("nato", True, "Theresa May praised NATO.", "North Atlantic Treaty Organization"),
        ("nato", False, "", "North Atlantic Treaty Organization"),
    ]


def test_names_mentioned_before_or_linked_by_hand_do_not_link() -> None:
    names = StoryNames(INDEX, dt.date(2017, 11, 15))
    reading = resolve_mentions(
        "Theresa May met Boris Johnson and NATO.",
        names,
        mentioned={"boris-johnson"},
        hand_linked={"nato"},
    )
    assert [(m.slug, m.first, m.linked) for m in reading.mentions] == [
        ("theresa-may", True, True),
        ("boris-johnson", False, False),
        ("nato", True, False),
    ]


def test_a_run_is_searched_only_in_its_spans_and_read_in_its_passage() -> None:
    # The caller's markup ("<>") is no part of what a reader reads, and the run stands
    # in the middle of its passage, whose sentence dates the role alias.
    passage = Passage(
        "In March 2019 <>the Prime Minister<> and Theresa May", lambda t: t.replace("<>", "")
    )
    run = "<>the Prime Minister<> and Theresa May"
    names = StoryNames(INDEX, dt.date(2020, 3, 1))
    reading = resolve_run(names, passage, 14, run, [(2, 20)])
    assert [(m.slug, m.written, m.sentence) for m in reading.mentions] == [
        ("theresa-may", "the Prime Minister", "In March 2019 the Prime Minister and Theresa May"),
    ]
