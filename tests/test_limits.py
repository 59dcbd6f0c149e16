"""Hostile or accidental inputs that must give a clear error, not a crash or a hang."""

from __future__ import annotations

from conftest import MAY, article


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
