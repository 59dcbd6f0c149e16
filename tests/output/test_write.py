"""Write stage: the only module that touches the output folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, article, lay_out, snapshot
from core_helpers import run_cli, settled_siblings, siblings
from figures import record

from explainer.core.errors import BuildFailed
from explainer.core.rendered import RenderedPage
from explainer.output.write import MARKER, check_output_folder, remove_stale, write_site


def page(url_path: str, text: str = "x", out: str | None = None) -> RenderedPage:
    target = (
        out
        if out is not None
        else (url_path + "index.html" if url_path.endswith("/") or not url_path else url_path)
    )
    return RenderedPage(url_path, target, text.encode("utf-8"))


PAGES = [page("", "home"), page("people/", "people"), page("people/theresa-may/", "may")]


@pytest.fixture
def static(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "icons").mkdir(parents=True)
    (folder / "style.css").write_text("body{}", encoding="utf-8")
    (folder / "icons" / "a.svg").write_text("<svg/>", encoding="utf-8")
    (folder / ".DS_Store").write_text("junk", encoding="utf-8")
    return folder


def failure(info: pytest.ExceptionInfo[BuildFailed]) -> list[str]:
    return [str(d) for d in info.value.diagnostics]


def test_pages_and_static_files_are_written(tmp_path, static):
    out = tmp_path / "site"
    count = write_site(PAGES, static, out)
    assert count == 3
    files = snapshot(out)
    assert set(files) == {
        MARKER,
        "index.html",
        "people/index.html",
        "people/theresa-may/index.html",
        "static/style.css",
        "static/icons/a.svg",
    }
    assert files["people/theresa-may/index.html"] == b"may"
    assert files["static/style.css"] == b"body{}"


def test_a_new_build_replaces_the_previous_one_whole(tmp_path, static):
    out = tmp_path / "site"
    write_site([*PAGES, page("people/gone/", "old")], static, out)
    write_site(PAGES, static, out)
    files = snapshot(out)
    assert "people/gone/index.html" not in files
    assert files["index.html"] == b"home"


def test_a_spare_folder_that_cannot_be_looked_through_is_not_published(
    tmp_path, static, monkeypatch
):
    """A folder of the spare its owner may write in but not list (chmod 300) hides what it
    holds from the pruning: the next site is written without the spare, whole."""
    out = tmp_path / "site"
    kept = ["people/index.html", "people/theresa-may/index.html"]
    write_site([*PAGES, page("people/gone/", "old")], static, out)
    write_site([page("", "home 2")], static, out, reuse=kept)  # the first site is the spare
    assert (tmp_path / ".site.spare" / "people" / "gone" / "index.html").is_file()
    real_open = os.open

    def unlistable(path, flags, mode=0o777, *, dir_fd=None):
        if path == "people" and dir_fd is not None:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", unlistable)
    write_site([page("", "home 3")], static, out, reuse=kept)
    monkeypatch.undo()
    files = snapshot(out)
    assert "people/gone/index.html" not in files, "a page of an older site was published"
    assert files["index.html"] == b"home 3" and files["people/theresa-may/index.html"] == b"may"


def test_no_temporary_folders_are_left_behind(tmp_path, static):
    out = tmp_path / "site"
    write_site(PAGES, static, out)
    write_site(PAGES, static, out)
    assert settled_siblings(out) == ["site", "static"]


def test_missing_and_empty_folders_are_fine(tmp_path, static):
    (tmp_path / "empty").mkdir()
    write_site(PAGES, static, tmp_path / "empty")
    write_site(PAGES, static, tmp_path / "new" / "deeper")
    assert snapshot(tmp_path / "empty")["index.html"] == b"home"
    assert snapshot(tmp_path / "new" / "deeper")["index.html"] == b"home"


def test_refuses_a_non_empty_folder_it_did_not_make(tmp_path, monkeypatch, static):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(mine)
    with pytest.raises(BuildFailed) as info:
        write_site(PAGES, static, Path("mine"))
    assert failure(info) == [
        "mine: refusing to replace a folder that was not made by explainer and is not empty; "
        "choose another --out, or empty the folder first"
    ]
    assert snapshot(mine) == before
    assert siblings(mine) == ["mine", "static"]


def test_refuses_a_file(tmp_path, monkeypatch, static):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").write_text("a file", encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        write_site(PAGES, static, Path("site"))
    assert failure(info) == ["site: refusing to build here: it is a file, not a folder"]
    assert (tmp_path / "site").read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "project",
            "project: refusing to build here: the output folder would contain the project "
            "folder (project); choose another --out, such as _site",
        ),
        (
            ".",
            ".: refusing to build here: the output folder would contain the project folder "
            "(project); choose another --out, such as _site",
        ),
        (
            "project/content",
            "project/content: refusing to build here: the output folder would contain the "
            "content folder (project/content); choose another --out, such as _site",
        ),
        (
            "project/content/articles",
            "project/content/articles: refusing to build inside the content folder "
            "(project/content); choose another --out, such as _site",
        ),
        (
            "project/templates",
            "project/templates: refusing to build here: the output folder would contain the "
            "templates folder (project/templates); choose another --out, such as _site",
        ),
        (
            "project/static",
            "project/static: refusing to build here: the output folder would contain the "
            "static folder (project/static); choose another --out, such as _site",
        ),
    ],
)
def test_refuses_the_project_and_its_source_folders(tmp_path, monkeypatch, out, message):
    root = tmp_path / "project"
    for folder in ("content/articles", "templates", "static"):
        (root / folder).mkdir(parents=True)
        (root / folder / "keep.txt").write_text("keep", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    protected = [
        ("project folder", Path("project")),
        ("content folder", Path("project/content")),
        ("templates folder", Path("project/templates")),
        ("static folder", Path("project/static")),
    ]
    with pytest.raises(BuildFailed) as info:
        check_output_folder(Path(out), protected)
    assert failure(info) == [message]
    with pytest.raises(BuildFailed):
        write_site(PAGES, root / "static", Path(out), protected)
    assert snapshot(tmp_path) == before


def test_a_folder_inside_the_project_is_fine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_output_folder(Path("project/_site"), [("project folder", Path("project"))])


def test_two_pages_claiming_one_path_fail_and_keep_the_old_site(tmp_path, monkeypatch, static):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    write_site(PAGES, static, out)
    before = snapshot(out)
    with pytest.raises(BuildFailed) as info:
        write_site([*PAGES, page("people/", "again")], static, out)
    assert failure(info) == [
        f"{_tmp_name(info)}: two pages claim /people/index.html: /people/ and /people/"
    ]
    assert snapshot(out) == before
    assert siblings(out) == ["site", "static"]


def test_a_page_may_not_overwrite_a_static_file(tmp_path, monkeypatch, static):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BuildFailed) as info:
        write_site([page("static/style.css", "css")], static, tmp_path / "site")
    assert failure(info) == [
        f"{_tmp_name(info)}: two pages claim /static/style.css: static file static/style.css "
        "and /static/style.css"
    ]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("target", ["../escape.html", "/etc/escape.html", "a/../../escape.html"])
def test_pages_cannot_be_written_outside_the_output_folder(tmp_path, static, target):
    with pytest.raises(BuildFailed) as info:
        write_site([page("x", out=target)], static, tmp_path / "site")
    (message,) = failure(info)
    assert message.endswith(f"refusing to write '{target}': outside the output folder")
    assert not (tmp_path / "escape.html").exists()
    assert siblings(tmp_path / "site") == ["static"]


def test_stale_temporary_folders_of_killed_builds_are_removed(tmp_path, static):
    out = tmp_path / "site"
    stale = tmp_path / ".site.tmp-abc"
    stale.mkdir()
    (stale / MARKER).write_text("", encoding="utf-8")
    empty_old = tmp_path / ".site.old-xyz"
    empty_old.mkdir()
    foreign = tmp_path / ".site.tmp-foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not ours", encoding="utf-8")
    remove_stale(out)
    assert siblings(out) == [".site.tmp-foreign", "static"]


def test_stale_folders_are_found_beside_the_folder_a_linked_output_leads_to(tmp_path, static):
    """--out may be a link: the build works beside the folder it leads to, under its name."""
    (tmp_path / "www" / "public").mkdir(parents=True)
    out = tmp_path / "site"
    out.symlink_to(tmp_path / "www" / "public")
    stale = tmp_path / "www" / ".public.tmp-abc"  # as a build killed while writing left it
    stale.mkdir()
    (stale / MARKER).write_text("", encoding="utf-8")
    remove_stale(out)
    assert sorted(p.name for p in (tmp_path / "www").iterdir()) == ["public"]


def _tmp_name(info: pytest.ExceptionInfo[BuildFailed]) -> str:
    """The temporary folder the failed write used (its name is random)."""
    path = info.value.diagnostics[0].path
    assert Path(path).name.startswith(".site.tmp-")
    return path


def test_refuses_the_root_and_the_home_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    cases = {
        "/": "/: refusing to build here: it is the root of the file system; choose another "
        "--out, such as _site",
        str(home): f"{home}: refusing to build here: it is your home folder; choose another "
        "--out, such as _site",
        str(tmp_path): f"{tmp_path}: refusing to build here: it contains your home folder; "
        "choose another --out, such as _site",
    }
    for out, message in cases.items():
        with pytest.raises(BuildFailed) as info:
            check_output_folder(Path(out), [])
        assert failure(info) == [message]


# --out values refused by the command line, run in a project inside the home folder,
# and the first words of the reason after "<out>: refusing to build ".
REFUSED = {
    "/": "here: it is the root of the file system",
    "~": "here: it is your home folder",
    "~/..": "here: it contains your home folder",
    ".": "here: the output folder would contain the project folder (.)",
    "..": "here: it is your home folder",
    "content": "here: the output folder would contain the content folder (content)",
    "content/articles": "inside the content folder (content)",
    "templates": "here: the output folder would contain the templates folder (templates)",
    "templates/partials": "inside the templates folder (templates)",
    "static": "here: the output folder would contain the static folder (static)",
    "static/new": "inside the static folder (static)",
}


def test_the_command_line_refuses_output_folders_before_touching_anything(tmp_path, monkeypatch):
    home = tmp_path / "home"
    project = lay_out(home / "project", {"content/articles/story.md": article()})
    (project.root / "templates" / "partials").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    before, root_before = snapshot(tmp_path), sorted(os.listdir("/"))
    for out, reason in REFUSED.items():
        given = out.replace("~", str(home))
        result = run_cli(project, "--out", given)
        assert result.returncode == 1, out
        assert result.lines == [
            f"{given}: refusing to build {reason}; choose another --out, such as _site",
            f"Build failed: 1 error; {given} was left as it was.",
        ], out
        assert snapshot(tmp_path) == before, out
        assert sorted(os.listdir("/")) == root_before, out
    record("out-refusals", cases=len(REFUSED), refused=len(REFUSED), touched=0)


def test_refusing_the_home_folder_shows_no_traceback(tmp_path):
    home = tmp_path / "home"
    project = lay_out(home / "project", {"content/articles/story.md": article()})
    for out in ("/", str(home)):
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--out", out],
            cwd=project.root,
            env={**os.environ, "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1
        assert result.stderr.splitlines()[0].startswith(f"{out}: refusing to build here: it ")
        assert "Traceback" not in result.stderr


def test_a_temporary_folder_removed_during_the_build_is_never_published(
    tmp_path, monkeypatch, static
):
    """Writes after the removal would refill it without the marker and half the pages."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "site"
    write_site(PAGES, static, out)
    before = snapshot(out)

    def removed_midway(folder: Path) -> None:
        shutil.rmtree(folder)
        (folder / "people").mkdir(parents=True)
        (folder / "people" / "index.html").write_text("half", encoding="utf-8")

    with pytest.raises(BuildFailed) as info:
        write_site(PAGES, static, out, finish=removed_midway)
    assert failure(info) == [
        f"{_tmp_name(info)}: the temporary folder was removed while this build was writing "
        "it (by another program?); nothing was published; build again"
    ]
    assert snapshot(out) == before
    assert settled_siblings(out) == ["site", "static"]
