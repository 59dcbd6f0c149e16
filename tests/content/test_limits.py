"""Hostile or accidental inputs that must give a clear error, not a crash or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import JOHNSON, MAY, SITE_YAML, article, snapshot
from core_helpers import run_cli
from figures import record

from explainer.content.load import parse_document
from explainer.core.errors import ContentError


def test_file_over_five_megabytes_is_refused(make_project):
    big = article("word " * (1_100_000))
    project = make_project({"content/articles/huge.md": big})
    done = project.build("check")
    assert done.returncode == 1
    assert (
        "content/articles/huge.md:1: file is 5.2 MB; the limit is 5 MB, so split it" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_deep_nesting_is_refused(make_project):
    nested = (
        "extra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(25)) + "  " * 26 + "v: 1\n"
    )
    text = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n" + nested + "---\nBody.\n"
    project = make_project({"content/articles/deep.md": text})
    done = project.build("check")
    assert done.returncode == 1
    assert "front matter is nested more than 20 levels deep; flatten it" in done.stderr
    assert "Traceback" not in done.stderr


def test_symlink_to_a_file_outside_content_is_refused(make_project, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(MAY, encoding="utf-8")
    project = make_project({})
    link = project.root / "content/people/theresa-may.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    done = project.build("check")
    assert done.returncode == 1
    assert (
        "content/people/theresa-may.md: this is a link to a file outside the content folder; "
        "copy the file in instead"
    ) in done.stderr


def test_symlink_inside_content_is_fine(make_project):
    project = make_project({"content/people/shared/theresa-may-source.md.txt": MAY})
    link = project.root / "content/people/theresa-may.md"
    link.symlink_to(project.root / "content/people/shared/theresa-may-source.md.txt")
    done = project.build("check")
    assert done.returncode == 0, done.stderr


def test_yaml_bomb_is_refused_quickly(make_project):
    bomb = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    bomb += "---\nBody.\n"
    project = make_project({"content/articles/bomb.md": bomb})
    done = project.build("check")
    assert done.returncode == 1
    assert "front matter expands to too many values" in done.stderr


# --- Limits set in site.yaml ------------------------------------------------------------------

BILLION_LAUGHS = (
    "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"  {name}: &{name} [{', '.join([f'*{prev}'] * 10)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nBody.\n"
)  # nine levels of ten: a billion values once the aliases are expanded


def test_a_billion_laughs_is_refused_before_it_is_expanded(make_project):
    # The message comes from counting the values the aliases stand for, which is done
    # before building them; expanding them would take hours and all the memory there is.
    with pytest.raises(ContentError) as refused:
        parse_document(BILLION_LAUGHS.encode(), Path("content/articles/bomb.md"), "articles")
    assert str(refused.value) == (
        "content/articles/bomb.md:1: front matter expands to too many values (YAML anchors "
        "and aliases repeated); write the values out plainly"
    )
    project = make_project({"content/articles/bomb.md": BILLION_LAUGHS})
    done = project.build("check")
    assert done.returncode == 1
    assert "content/articles/bomb.md:1: front matter expands to too many values" in done.stderr
    assert "Traceback" not in done.stderr
    record("limits", limit="max_yaml_values", input="billion laughs (10^9 values)", refused=True)


def test_deep_flow_nesting_is_refused_without_a_crash(make_project):
    deep = (
        "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra: "
        + "[" * 50_000
        + "]" * 50_000
        + "\n---\n"
    )
    project = make_project({"content/articles/deep.md": deep})
    done = project.build("check")
    assert done.returncode == 1
    assert (
        "content/articles/deep.md:5: YAML syntax error: exceeded maximum nesting depth"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def nested(depth: int) -> str:
    """An article whose extra field is nested depth levels deep below `extra`."""
    keys = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth - 1))
    return (
        "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra:\n"
        + keys
        + "  " * depth
        + "v: 1\n---\nBody.\n"
    )


@pytest.mark.parametrize(
    ("settings", "files", "message"),
    [
        (
            "limits:\n  max_file_mb: 0.5\n",
            {"content/articles/big.md": article("word " * 130_000)},
            "content/articles/big.md:1: file is 0.6 MB; the limit is 0.5 MB, so split it into "
            "several articles (or raise limits.max_file_mb in site.yaml)",
        ),
        (
            "limits:\n  max_nesting: 5\n",
            {"content/articles/deep.md": nested(6)},
            "content/articles/deep.md:11: extra.k0.k1.k2.k3.k4: front matter is nested more than "
            "5 levels deep; flatten it (or raise limits.max_nesting in site.yaml)",
        ),
        (
            "limits:\n  max_yaml_values: 50\n",
            {
                "content/articles/many.md": "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n"
                "extra:\n  a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  b: [*a, *a, *a, *a, *a]\n"
                "---\nBody.\n"
            },
            "content/articles/many.md:1: front matter expands to too many values (YAML anchors "
            "and aliases repeated); write the values out plainly",
        ),
        (
            "limits:\n  max_aliases: 4\n",
            {"content/people/theresa-may.md": MAY, "content/people/boris-johnson.md": JOHNSON},
            "site.yaml:4: people and topics have 5 aliases in all (role aliases included); the "
            "limit is 4, so remove aliases no article uses or raise limits.max_aliases in "
            "site.yaml to 5 or more",
        ),
    ],
    ids=["max_file_mb", "max_nesting", "max_yaml_values", "max_aliases"],
)
def test_lowered_limits_are_enforced(make_project, settings, files, message):
    project = make_project({"site.yaml": SITE_YAML + settings, **files})
    done = run_cli(project, "check")
    assert done.returncode == 1
    assert message in done.lines
    record(
        "limits",
        limit=settings.split()[1].rstrip(":"),
        lowered_to=settings.split()[-1],
        refused=True,
    )


@pytest.mark.parametrize(
    ("settings", "files"),
    [
        ("limits:\n  max_nesting: 30\n", {"content/articles/deep.md": nested(26)}),
        (
            "limits:\n  max_aliases: 5\n",
            {"content/people/theresa-may.md": MAY, "content/people/boris-johnson.md": JOHNSON},
        ),
        (
            "limits:\n  max_yaml_values: 200\n",
            {
                "content/articles/many.md": "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra:\n  a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  b: [*a, *a, *a, *a, *a]\n---\nBody.\n"
            },
        ),
    ],
    ids=["max_nesting", "max_aliases", "max_yaml_values"],
)
def test_raised_limits_let_content_through(make_project, settings, files):
    project = make_project({"site.yaml": SITE_YAML + settings, **files})
    done = run_cli(project, "check")
    assert done.returncode == 0, done.stderr


def test_more_than_ten_thousand_aliases_is_refused_by_default(make_project):
    aliases = ", ".join(f"Alias {i}" for i in range(10_001))
    person = f"---\nname: Many Names\nsummary: S.\naliases: [{aliases}]\n---\n"
    project = make_project({"content/people/many-names.md": person})
    done = run_cli(project, "check")
    assert done.returncode == 1
    assert (
        "site.yaml: people and topics have 10,001 aliases in all (role aliases included); the "
        "limit is 10,000, so remove aliases no article uses or raise limits.max_aliases in "
        "site.yaml to 10001 or more"
    ) in done.lines
    record("limits", limit="max_aliases", default=10_000, tried=10_001, refused=True)


def test_a_cached_file_is_checked_again_under_a_lower_limit(make_project):
    project = make_project({"content/articles/deep.md": nested(6)})
    assert run_cli(project, "--no-search").returncode == 0
    project.write("site.yaml", SITE_YAML + "limits:\n  max_nesting: 5\n")
    done = run_cli(project, "--no-search")
    assert done.returncode == 1
    assert "front matter is nested more than 5 levels deep" in done.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            "limits: 5\n",
            "site.yaml:3: limits: expected a mapping like 'max_file_mb: 5', got a number (5)",
        ),
        (
            "limits:\n  max_file_mb: 0\n",
            "site.yaml:4: limits.max_file_mb: expected a number above 0, got a number (0)",
        ),
        (
            "limits:\n  max_file_mb: five\n",
            "site.yaml:4: limits.max_file_mb: expected a number above 0, got 'five'",
        ),
        (
            "limits:\n  max_nesting: 2.5\n",
            "site.yaml:4: limits.max_nesting: expected a whole number of 1 or more, got a number (2.5)",
        ),
        (
            "limits:\n  max_nesting: 500\n",
            "site.yaml:4: limits.max_nesting: at most 100 is allowed, got 500",
        ),
        (
            "limits:\n  max_aliases: yes\n",
            "site.yaml:4: limits.max_aliases: expected a whole number of 1 or more, got yes/true (a true/false value)",
        ),
        (
            "limits:\n  max_yaml_values: -1\n",
            "site.yaml:4: limits.max_yaml_values: expected a whole number of 1 or more, got a number (-1)",
        ),
        (
            "limits:\n  max_alias: 3\n",
            "site.yaml:4: unknown limit 'limits.max_alias' (did you mean 'max_aliases'?)",
        ),
        (
            "limits:\n  speed: 3\n",
            "site.yaml:4: unknown limit 'limits.speed'; the limits are max_file_mb, max_nesting, max_yaml_values, max_aliases",
        ),
    ],
)
def test_bad_limits_are_refused(make_project, settings, message):
    project = make_project({"site.yaml": SITE_YAML + settings})
    done = run_cli(project, "check")
    assert done.returncode == 1
    assert message in done.lines


# --- Links out of the project, and names that differ only by case -----------------------------


def case_sensitive(folder: Path) -> bool:
    probe = folder / "case-probe"
    probe.write_text("x", encoding="utf-8")
    try:
        return not (folder / "CASE-PROBE").exists()
    finally:
        probe.unlink()


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        ("templates/partials/outside.html", "file"),
        ("static/secret.txt", "file"),
        ("static/shared", "folder"),
        ("templates/more", "folder"),
        ("content/articles/archive", "folder"),
    ],
)
def test_links_out_of_the_project_are_refused_before_anything_is_written(
    make_project, tmp_path, link, kind
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("password", encoding="utf-8")
    project = make_project({"content/people/theresa-may.md": MAY})
    assert run_cli(project, "--no-search").returncode == 0
    before = snapshot(project.root / "_site")
    target = outside if kind == "folder" else outside / "secret.txt"
    (project.root / link).parent.mkdir(parents=True, exist_ok=True)
    (project.root / link).symlink_to(target)
    done = run_cli(project, "--no-search", "--no-cache")
    assert done.returncode == 1
    assert (
        f"{link}: this is a link to a {kind} outside the project; copy the {kind} in instead"
        in done.lines
    )
    assert snapshot(project.root / "_site") == before  # the secret was not published
    record("symlinks-case", case=f"link out of the project: {link}", refused=True)


def test_links_inside_the_project_are_fine(make_project):
    project = make_project({"content/people/theresa-may.md": MAY, "shared/extra.css": "p {}\n"})
    (project.root / "static/extra.css").symlink_to(project.root / "shared/extra.css")
    (project.root / "static/icon.svg").symlink_to(project.root / "static/favicon.svg")
    done = run_cli(project, "--no-search")
    assert done.returncode == 0, done.stderr
    assert (project.root / "_site/static/extra.css").read_text(encoding="utf-8") == "p {}\n"


def test_a_loop_of_links_is_refused(make_project):
    project = make_project({"content/people/theresa-may.md": MAY})
    (project.root / "static/loop").symlink_to(project.root / "static/loop")
    done = run_cli(project, "check")
    assert done.returncode == 1
    assert (
        "static/loop: this link cannot be followed; replace it with the file itself" in done.lines
    )


@pytest.mark.parametrize(
    ("first", "second", "extra"),
    [
        (
            "content/people/Theresa-May.md",
            "content/people/theresa-may.md",
            "content/people/Theresa-May.md:1: file name 'Theresa-May.md' is not a valid slug; "
            "rename it to 'theresa-may.md' (lowercase letters, digits and single hyphens)",
        ),
        ("templates/Article.html", "templates/article.html", None),
        ("static/Style.css", "static/style.css", None),
        ("static/IMG/a.png", "static/img/a.png", None),
    ],
)
def test_names_that_differ_only_by_case_are_refused(make_project, first, second, extra):
    project = make_project({"content/people/theresa-may.md": MAY})
    if not case_sensitive(project.root):
        pytest.skip("this file system cannot hold two names that differ only by case")
    for rel in (first, second):
        if not (project.root / rel).exists():
            project.write(rel, MAY if rel.endswith(".md") else "x\n")
    done = run_cli(project, "check")
    assert done.returncode == 1
    a, b = (
        str(Path(p).parent) if Path(p).parent.name.lower() == "img" else p for p in (first, second)
    )
    assert (
        f"{a}:1: this name differs only in letter case from {b}; on macOS and Windows they are one file, so rename or remove one of them"
        in done.lines
    )
    if extra:
        assert extra in done.lines
    record("symlinks-case", case=f"case collision: {first} / {second}", refused=True)
