"""Picture files: made once into .cache/images/, the same bytes every time, no metadata."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import Project, article, snapshot
from PIL import Image as PILImage

from explainer.api import build
from explainer.core.options import BuildOptions
from explainer.output import images
from explainer.pages.images import Card

MakeProject = Callable[..., Project]


def jpeg(size: tuple[int, int], orientation: int | None = None) -> bytes:
    picture = PILImage.new("RGB", size, (20, 90, 160))
    picture.paste((250, 250, 250), (0, 0, size[0] // 4, size[1] // 8))  # a mark top left
    exif = PILImage.Exif()
    exif[0x010F] = "Camera maker"
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), comment=b"a comment")
    return out.getvalue()


def site(picture: bytes | None = None, title: str = "A story") -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "content/articles/other.md": article(title="Another story", date="2017-11-16"),
    }
    if picture is None:
        files["content/articles/story.md"] = article(title=title)
    else:
        files["content/articles/story.md"] = article(
            title=title, image="\n  src: images/p.jpg\n  alt: A.\n  credit: C."
        )
        files["static/images/p.jpg"] = picture
    return files


def options(root: Path, out: str = "_site", cache: bool = False) -> BuildOptions:
    return BuildOptions(
        config_path=root / "site.yaml",
        out_dir=root / out,
        search=False,
        cache=cache,
        progress=False,
        jobs=1,
    )


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note every file made (rather than taken from the cache), by its output path."""
    noted: list[str] = []
    real = images.make_files

    def counting(recipes: Sequence[Any], static_dir: Path | None) -> list[bytes]:
        noted.extend(r.out_path for r in recipes)
        return real(recipes, static_dir)

    monkeypatch.setattr(images, "make_files", counting)
    return noted


def pictures(out: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(out).items() if k.startswith("static/images/")}


def test_a_file_is_made_once_whatever_builds_follow(
    make_project: MakeProject, made: list[str]
) -> None:
    project = make_project(site(jpeg((1000, 600))))
    build(options(project.root))  # a clean build
    first = sorted(made)
    assert len([p for p in first if p.endswith(".webp")]) == 4  # 320, 640, 960, 1000
    assert len([p for p in first if "card-" in p]) == 1  # the story without a picture
    made.clear()
    build(options(project.root, out="_other"))  # another clean build
    build(options(project.root, out="_cached", cache=True))  # a build with the cache
    build(options(project.root, out="_cached", cache=True))
    assert made == []
    assert pictures(project.root / "_site") == pictures(project.root / "_other")
    assert pictures(project.root / "_site") == pictures(project.root / "_cached")
    kept = sorted(p.name for p in (project.root / ".cache/images").iterdir())
    assert len(kept) == len(first)


def test_an_edited_headline_draws_one_new_card(make_project: MakeProject, made: list[str]) -> None:
    project = make_project(site(title="The first headline"))
    build(options(project.root, cache=True))
    made.clear()
    project.write("content/articles/story.md", article(title="The second headline"))
    build(options(project.root, cache=True))
    assert len(made) == 1 and made[0].startswith("static/images/card-")


def test_the_bytes_depend_only_on_the_picture(tmp_path: Path, make_project: MakeProject) -> None:
    project = make_project(site(jpeg((900, 500))))
    build(options(project.root))
    first = pictures(project.root / "_site")
    for kept in (project.root / ".cache/images").iterdir():
        kept.unlink()
    build(options(project.root, out="_again"))
    assert pictures(project.root / "_again") == first


def test_orientation_is_applied_and_metadata_dropped(make_project: MakeProject) -> None:
    project = make_project(site(jpeg((800, 400), orientation=8)))  # turned a quarter
    build(options(project.root))
    found = pictures(project.root / "_site")
    largest = next(k for k in found if "-400." in k and k.endswith(".jpg"))
    with PILImage.open(io.BytesIO(found[largest])) as opened:
        assert opened.size == (400, 800)
        assert not opened.getexif()
        assert "comment" not in opened.info and "exif" not in opened.info
        # Orientation 8 turns the picture a quarter anticlockwise: the mark, top left when
        # stored, is shown bottom left.
        assert opened.convert("RGB").getpixel((10, 790))[0] > 200
        assert opened.convert("RGB").getpixel((10, 10))[0] < 100


def test_a_picture_that_cannot_be_read_whole_is_reported(make_project: MakeProject) -> None:
    noise = io.BytesIO()
    PILImage.effect_noise((600, 400), 80).convert("RGB").save(noise, "JPEG")
    project = make_project(site(noise.getvalue()[:20_000]))  # cut short: the header reads
    done = project.build("--no-search")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "static/images/p.jpg: this picture could not be read whole (image file is truncated"
    )


def test_without_a_cache_folder_the_files_are_still_made(make_project: MakeProject) -> None:
    project = make_project(site(jpeg((700, 300))))
    project.write(".cache", "not a folder\n")  # nothing can be kept
    done = project.build("--no-search", "--no-cache")
    assert done.returncode == 0, done.stderr
    # the source, 3 widths in 2 formats, the social copy, the other story's card
    assert len(pictures(project.root / "_site")) == 1 + 3 * 2 + 1 + 1


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("Short", ["Short"]),
        ("one two three four five six seven", ["one two three", "four five six", "seven"]),
        (
            "one two three four five six seven eight nine ten eleven twelve",
            ["one two three", "four five six", "seven eight…"],
        ),
        ("abcdefghijklmnopqrstuvwxyz", ["abcdefghijklm", "nopqrstuvwxyz"]),
    ],
)
def test_headlines_wrap_into_three_lines_at_most(title: str, lines: list[str]) -> None:
    def measure(text: str) -> float:
        return float(len(text))  # one unit a character: a line holds 13

    assert images.wrap_headline(title, measure, 13) == lines


@pytest.mark.parametrize("title", ["A headline " * 20, "Short", "x" * 5000, "Ünïcödé — “quoted”"])
def test_a_card_is_a_whole_small_palette_png_of_fixed_size(title: str) -> None:
    data = images.draw_card(Card(title, "The Site"))
    with PILImage.open(io.BytesIO(data)) as opened:
        opened.verify()  # every chunk's checksum
    with PILImage.open(io.BytesIO(data)) as opened:
        assert (opened.format, opened.size, opened.mode) == ("PNG", (1200, 630), "P")
        assert len(opened.getcolors()) <= 16
        ground = opened.convert("RGB").getpixel((5, 5))
        assert ground == images.CARD_GROUND
        assert opened.convert("RGB").getpixel((images.MARGIN + 10, images.MARGIN + 5)) == (
            images.CARD_ACCENT
        )
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    assert len(zlib.decompress(idat)) == 630 * (1 + 600)  # the stream's own checksum holds
    assert data == images.draw_card(Card(title, "The Site"))
    assert len(data) < 40_000
