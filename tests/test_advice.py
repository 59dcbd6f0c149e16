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
