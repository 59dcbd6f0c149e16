"""Pictures in incremental builds: the same bytes as a clean build, and no work for others."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MAY, Project, article, snapshot
from PIL import Image as PILImage

from explainer.api import build
from explainer.content import images as content_images
from explainer.core.options import BuildOptions
from explainer.incremental import Session
from explainer.incremental import engine as engine_module
from explainer.output import images as output_images
from explainer.output.write import MARKER

MakeProject = Callable[..., Project]
PERSON = (
    "---\nname: Ann Able\nsummary: A minister.\nimage:\n  src: images/ann.png\n"
    "  alt: Ann Able.\n  credit: The site.\n---\nAnn Able is a minister.\n"
)


def picture(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def lead(title: str, src: str = "images/lead.png") -> str:
    image = f"\n  src: {src}\n  alt: A square.\n  credit: The site."
    return article("Ann Able and Theresa May spoke.", title=title, people="[ann-able]", image=image)


def plain(title: str, n: int) -> str:
    return article(
        "Theresa May spoke.", title=title, date=f"2017-11-{10 + n}", people="[theresa-may]"
    )


def files() -> dict[str, str | bytes]:
    found: dict[str, str | bytes] = {
        "content/people/theresa-may.md": MAY,
        "content/people/ann-able.md": PERSON,
        "content/articles/lead.md": lead("A story with a picture"),
        "static/images/lead.png": picture((900, 600), (200, 0, 0)),
        "static/images/ann.png": picture((400, 500), (0, 150, 0)),
    }
    for n in range(4):
        found[f"content/articles/plain-{n}.md"] = plain(f"Plain story {n}", n)
    return found


def options(root: Path, out: str, cache: bool) -> BuildOptions:
    return BuildOptions(
        config_path=root / "site.yaml",
        out_dir=root / out,
        search=False,
        cache=cache,
        progress=False,
        jobs=1,
    )


def site_of(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(folder).items() if k != MARKER}


def clean(root: Path) -> dict[str, bytes]:
    build(options(root, "_clean", cache=False))
    return site_of(root / "_clean")


def edit(path: Path, data: str | bytes) -> None:
    """Write a file so the change is seen even within one tick of the file system's clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def edits(root: Path) -> list[tuple[str, Callable[[], None]]]:
    content = root / "content"
    return [
        (
            "the lead picture's file",
            lambda: edit(root / "static/images/lead.png", picture((500, 700), (0, 0, 200))),
        ),
        (
            "a person's picture",
            lambda: edit(root / "static/images/ann.png", picture((300, 300), (9, 9, 9))),
        ),
        (
            "a headline (its card)",
            lambda: edit(content / "articles/plain-1.md", plain("A new headline", 1)),
        ),
        (
            "a picture removed from a story",
            lambda: edit(
                content / "articles/lead.md",
                article("Ann Able.", title="Now plain", people="[ann-able]"),
            ),
        ),
        (
            "a picture added to a story",
            lambda: edit(content / "articles/plain-2.md", lead("Plain story 2")),
        ),
        (
            "the site's name (every card)",
            lambda: edit(
                root / "site.yaml", "title: Another Name\nbase_url: https://example.org/news/\n"
            ),
        ),
    ]


def test_cached_builds_after_picture_edits_equal_clean_builds(make_project: MakeProject) -> None:
    project = make_project(files())
    build(options(project.root, "_site", cache=True))
    assert site_of(project.root / "_site") == clean(project.root)
    cards = {k for k in site_of(project.root / "_site") if "/card-" in k}
    for what, change in edits(project.root):
        change()
        build(options(project.root, "_site", cache=True))
        assert site_of(project.root / "_site") == clean(project.root), f"after {what}"
    assert cards.isdisjoint(k for k in site_of(project.root / "_site") if "/card-" in k)


def test_the_preview_serves_what_a_clean_build_writes(make_project: MakeProject) -> None:
    project = make_project(files())
    session = Session(options(project.root, "_site", cache=False))
    session.update()
    assert dict(session.pages) == clean(project.root)
    for what, change in edits(project.root):
        change()
        update = session.update()
        assert dict(session.pages) == clean(project.root), f"after {what}"
        assert set(update.changed) <= set(session.pages)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Note each picture file looked at, each page whose picture files were worked out,
    and each file made."""
    noted: dict[str, list[str]] = {"probed": [], "worked out": [], "made": []}
    probe, page_files, make = (
        content_images.probe_image,
        engine_module.page_files,
        output_images.make_files,
    )

    def probing(static_dir: Path, src: str):  # type: ignore[no-untyped-def]
        noted["probed"].append(src)
        return probe(static_dir, src)

    def working(page, site_title, source):  # type: ignore[no-untyped-def]
        noted["worked out"].append(page.slug)
        return page_files(page, site_title, source)

    def making(recipes, static_dir):  # type: ignore[no-untyped-def]
        noted["made"] += [r.out_path for r in recipes]
        return make(recipes, static_dir)

    monkeypatch.setattr(content_images, "probe_image", probing)
    monkeypatch.setattr(engine_module, "page_files", working)
    monkeypatch.setattr(output_images, "make_files", making)
    return noted


def test_a_one_article_edit_does_no_picture_work_for_the_others(
    make_project: MakeProject, work: dict[str, list[str]]
) -> None:
    project = make_project(files())
    session = Session(options(project.root, "_site", cache=False))
    session.update()
    assert sorted(work["probed"]) == ["images/ann.png", "images/lead.png"]
    for found in work.values():
        found.clear()
    story = project.root / "content/articles/plain-3.md"
    edit(story, plain("Plain story 3", 3).replace("Theresa May spoke.", "Theresa May spoke twice."))
    session.update(touched=[story])
    assert work == {"probed": [], "worked out": ["plain-3"], "made": []}
    edit(story, plain("Plain story 3, retitled", 3))
    session.update(touched=[story])
    assert work["probed"] == [] and work["worked out"] == ["plain-3", "plain-3"]
    assert len(work["made"]) == 1 and work["made"][0].startswith("static/images/card-")


def test_picture_files_are_not_counted_as_pages(make_project: MakeProject) -> None:
    project = make_project(files())
    clean_count = build(options(project.root, "_clean", cache=False)).pages
    assert build(options(project.root, "_site", cache=True)).pages == clean_count
    edit(project.root / "content/articles/plain-3.md", plain("Plain story 3, again", 3))
    again = build(options(project.root, "_site", cache=True))
    assert again.pages == clean_count
    assert again.reused < clean_count
