"""The author warnings: each with file, line and advice, none on a clean site."""

from __future__ import annotations

import json

from conftest import JOHNSON, MAY, article

CORBYN = """\
---
name: Jeremy Corbyn
summary: Labour leader from 2015 to 2020.
aliases: [Mr Corbyn]
---
"""


def warnings_of(project) -> list[dict[str, object]]:
    done = project.build("check", "--format", "json")
    assert done.returncode == 0, done.stderr
    return [d for d in json.loads(done.stdout) if d["severity"] == "warning"]


def messages(project) -> list[str]:
    return [f"{w['file']}:{w['line']}: {w['message']}" for w in warnings_of(project)]


def test_listed_person_never_named(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/story.md": "---\ntitle: A\ndate: 2017-11-15\nsummary: S.\npeople:\n"
            "  - theresa-may\n  - boris-johnson\n---\nTheresa May spoke.\n",
        }
    )
    assert (
        "content/articles/story.md:7: people[1]: Boris Johnson is listed but the text never "
        "names them (by name, alias or role on this date); check the spelling, or add the "
        "form the article uses to their aliases"
    ) in messages(project)


def test_bare_surname_that_is_not_an_alias(make_project):
    project = make_project(
        {
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/articles/story.md": article(
                "Jeremy Corbyn spoke.\n\nLater Corbyn said more.\n", people=["jeremy-corbyn"]
            ),
        }
    )
    found = messages(project)
    assert (
        "content/articles/story.md:9: 'Corbyn' looks like Jeremy Corbyn's surname on its own, "
        "which is not one of their aliases, so it is not linked; add it to the aliases in "
        "jeremy-corbyn.md if it means them"
    ) in found
    # "Jeremy Corbyn" and "Mr Corbyn" are names, not bare surnames
    assert sum("looks like" in m for m in found) == 1


def test_surname_that_is_an_alias_is_fine(make_project):
    project = make_project(
        {
            "content/people/jeremy-corbyn.md": CORBYN.replace("[Mr Corbyn]", "[Mr Corbyn, Corbyn]"),
            "content/articles/story.md": article("Corbyn said more.", people=["jeremy-corbyn"]),
        }
    )
    assert not any("looks like" in m for m in messages(project))


def test_article_with_no_people(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article("The weather was fine."),
            "content/articles/other.md": article("Theresa May spoke.", title="B"),
        }
    )
    found = messages(project)
    assert (
        "content/articles/story.md:1: this article lists no people and names none that the "
        "site knows; add people: [slug, ...] or a profile for whoever it is about"
    ) in found
    assert not any(m.startswith("content/articles/other.md:1: this article") for m in found)


def test_person_no_article_mentions(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/story.md": article("Theresa May spoke.", people=["theresa-may"]),
        }
    )
    assert (
        "content/people/boris-johnson.md:1: no published article mentions Boris Johnson or "
        "lists them in people yet"
    ) in messages(project)


def test_alias_that_is_an_everyday_word(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY.replace(
                "aliases: [Mrs May]", "aliases:\n  - Mrs May\n  - Hope"
            ),
            "content/articles/story.md": article("Theresa May spoke.", people=["theresa-may"]),
        }
    )
    assert (
        "content/people/theresa-may.md:6: aliases[1]: 'Hope' is also an everyday word; at the "
        "start of a sentence it will be linked to Theresa May. Prefer a longer alias"
    ) in messages(project)


def test_strict_turns_warnings_into_failure(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article("The weather was fine."),
        }
    )
    done = project.build("--strict")
    assert done.returncode == 1
    assert "(--strict)" in done.stderr


def test_the_example_site_has_no_warnings(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run(
        [sys.executable, "build.py", "check", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_check_json_lists_errors_with_columns(make_project):
    project = make_project({"content/articles/story.md": article("Text.", titel="x")})
    done = project.build("check", "--format", "json")
    assert done.returncode == 1
    problems = json.loads(done.stdout)
    assert {"file", "line", "column", "severity", "message"} <= set(problems[0])
    assert any(
        p["severity"] == "error" and p["message"].startswith("unknown field 'titel'")
        for p in problems
    )


# --- Quotes given to someone the story does not name ---------------------------------------

QUOTED = """\
---
title: A
date: 2017-11-15
summary: S.
people: [theresa-may]
quotes:
  - by: theresa-may
    text: we will act
  - by: boris-johnson
    text: no evidence
  - text: a fair deal
    by: jeremy-corbyn
---
{body}
"""
UNNAMED = (
    "whom the story never names (by name, alias or role on this date) nor lists in people; "
    "check the slug, or say in the text who is speaking"
)


def test_a_quote_given_to_someone_the_story_never_names_or_lists(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/articles/story.md": QUOTED.format(
                body="She said we will act. He said no evidence. They want a fair deal."
            ),
        }
    )
    found = [m for m in messages(project) if "quotes[" in m]
    assert found == [
        "content/articles/story.md:9: quotes[1].by: the quote is given to Boris Johnson, "
        + UNNAMED,
        "content/articles/story.md:12: quotes[2].by: the quote is given to Jeremy Corbyn, "
        + UNNAMED,
    ]


def test_a_quote_whose_speaker_is_named_by_alias_role_or_ref_is_fine(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/articles/story.md": QUOTED.format(
                body="Theresa May said we will act. The Foreign Secretary said no evidence. "
                "[[jeremy-corbyn|Labour's leader]] wants a fair deal."
            ),
        }
    )
    assert [m for m in messages(project) if "quotes[" in m] == []


def test_a_quote_by_someone_only_listed_is_fine(make_project):
    text = QUOTED.replace("people: [theresa-may]", "people: [theresa-may, boris-johnson, jeremy-corbyn]")
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/jeremy-corbyn.md": CORBYN,
            "content/articles/story.md": text.format(body="Words: we will act; no evidence; a fair deal."),
        }
    )
    assert [m for m in messages(project) if "quotes[" in m] == []


# --- One office, two holders at once --------------------------------------------------------

OVERLAP = (
    "; check the dates (a role's 'to' is the day the next holder takes over), give different "
    "offices titles that tell them apart, or, if the office is held jointly, add shared: true "
    "to the role in both"
)


def person(name: str, *roles: str) -> str:
    return f"---\nname: {name}\nsummary: S.\nroles:\n" + "".join(roles) + "---\n"


def role(title: str, start: str, end: str = "", extra: str = "") -> str:
    to = f"    to: {end}\n" if end else ""
    return f"  - title: {title}\n    from: {start}\n{to}{extra}"


MENTIONS = "---\ntitle: A\ndate: 2017-11-15\nsummary: S.\n---\n{names}\n"


def office_warnings(make_project, files):
    names = " ".join(t.split("\n", 2)[1].removeprefix("name: ") + "." for t in files.values())
    project = make_project({**files, "content/articles/story.md": MENTIONS.format(names=names)})
    return [m for m in messages(project) if "also holds" in m]


def test_two_holders_of_one_office_at_once_are_named_with_the_overlap(make_project):
    assert office_warnings(
        make_project,
        {
            "content/people/theresa-may.md": MAY,
            # A typo: Prime Minister a year early, and then still in office.
            "content/people/boris-johnson.md": JOHNSON.replace("from: 2019-07-24", "from: 2018-07-24"),
        },
    ) == [
        "content/people/boris-johnson.md:10: roles[1]: Theresa May "
        "(content/people/theresa-may.md:11) also holds 'Prime Minister' from 2018-07-24 to "
        "2019-07-24" + OVERLAP,
    ]


def test_an_office_is_its_title_and_an_open_role_overlaps_on(make_project):
    assert office_warnings(
        make_project,
        {
            "content/people/ann-one.md": person(
                "Ann One", role("Prime Minister of Freedonia", "2016-07-13", extra="    aliases: [the PM]\n")
            ),
            # a different office with a like alias: not the same office
            "content/people/bob-two.md": person(
                "Bob Two", role("Prime Minister of Sylvania", "2020-01-01", extra="    aliases: [the PM]\n")
            ),
            # the same title, written another way
            "content/people/cy-three.md": person(
                "Cy Three", role("the prime minister of  Freedonia", "2021-05-01", "2021-06-01")
            ),
            "content/people/di-four.md": person("Di Four", role("Prime Minister of Freedonia", "2024-02-02")),
        },
    ) == [
        "content/people/cy-three.md:5: roles[0]: Ann One (content/people/ann-one.md:5) also "
        "holds 'the prime minister of  Freedonia' from 2021-05-01 to 2021-06-01" + OVERLAP,
        "content/people/di-four.md:5: roles[0]: Ann One (content/people/ann-one.md:5) also "
        "holds 'Prime Minister of Freedonia' from 2024-02-02 on" + OVERLAP,
    ]


def test_one_person_holding_one_office_twice_at_once(make_project):
    assert office_warnings(
        make_project,
        {
            "content/people/ann-one.md": person(
                "Ann One",
                role("Home Secretary", "2010-05-12", "2016-07-13"),
                role("Home Secretary", "2016-01-01", "2017-01-01"),
            ),
        },
    ) == [
        "content/people/ann-one.md:8: roles[1]: roles[0] of this file (line 5) also holds "
        "'Home Secretary' from 2016-01-01 to 2016-07-13" + OVERLAP,
    ]


def test_handovers_successions_and_shared_offices_are_fine(make_project):
    shared = "    shared: true\n"
    assert office_warnings(
        make_project,
        {
            "content/people/theresa-may.md": MAY,  # hands over to Johnson on 2019-07-24
            "content/people/boris-johnson.md": JOHNSON,
            "content/people/ann-one.md": person("Ann One", role("Co-leader", "2020-01-01", extra=shared)),
            "content/people/bob-two.md": person("Bob Two", role("Co-leader", "2021-01-01", extra=shared)),
        },
    ) == []


def test_an_office_shared_on_one_side_only_is_still_reported(make_project):
    assert office_warnings(
        make_project,
        {
            "content/people/ann-one.md": person(
                "Ann One", role("Co-leader", "2020-01-01", extra="    shared: true\n")
            ),
            "content/people/bob-two.md": person("Bob Two", role("Co-leader", "2021-01-01")),
        },
    ) == [
        "content/people/bob-two.md:5: roles[0]: Ann One (content/people/ann-one.md:5) also "
        "holds 'Co-leader' from 2021-01-01 on" + OVERLAP,
    ]
