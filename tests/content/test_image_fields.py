"""An image's front matter and its file: every mistake is one line at the file and line."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from conftest import JOHNSON, Project, article
from PIL import Image as PILImage

MakeProject = Callable[..., Project]


def png(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, (30, 60, 90)).save(out, "PNG")
    return out.getvalue()


def person(image: str) -> str:
    return f"---\nname: Ann Able\nsummary: A person.\n{image}---\nBio.\n"


def errors(project: Project) -> list[str]:
    done = project.build("check")
    assert "Traceback" not in done.stderr
    return [line for line in done.stderr.splitlines() if not line.startswith("Build failed")]


def test_a_bare_path_is_refused_with_the_mapping_to_write(make_project: MakeProject) -> None:
    project = make_project(
        {
            "content/people/ann-able.md": person("image: images/ann.jpg\n"),
            "static/images/ann.jpg": png(),
        }
    )
    assert errors(project) == [
        "content/people/ann-able.md:4: image: 'images/ann.jpg' has no alt text or credit, and "
        'every picture needs both; write image: {src: images/ann.jpg, alt: "What the picture '
        'shows", credit: "Who made it"} (licence and licence_url may follow)'
    ]


def test_missing_alt_and_credit_are_each_reported_at_the_image(make_project: MakeProject) -> None:
    story = article(title="A story", image="\n  src: images/a.png")
    project = make_project({"content/articles/story.md": story, "static/images/a.png": png()})
    assert errors(project) == [
        "content/articles/story.md:5: missing required field 'alt' in image: add alt: a few "
        "words that say what the picture shows, for readers who cannot see it",
        "content/articles/story.md:5: missing required field 'credit' in image: add credit: "
        "who made the picture (credit: Jane Smith/Example Agency)",
    ]


@pytest.mark.parametrize(
    ("fields", "line", "message"),
    [
        (
            "  src: pictures/x.jpeg\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: there is no file static/pictures/x.jpeg; put the picture there, or "
            "write the path of one that is (from inside static/, like images/story.jpg)",
        ),
        (
            "  src: images/a.pgn\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: there is no file static/images/a.pgn (did you mean 'images/a.png'?); put "
            "the picture there, or write the path of one that is (from inside static/, like "
            "images/story.jpg)",
        ),
        (
            "  src: static/images/a.png\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: there is no file static/static/images/a.png; the path is written from "
            "inside static/, so write src: images/a.png",
        ),
        (
            "  src: notes.txt\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: static/notes.txt is not a picture that can be read (Pillow does not know "
            "its format); use a JPEG, PNG, GIF or WebP file",
        ),
        (
            "  src: https://example.org/a.jpg\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: 'https://example.org/a.jpg' is an address, and pictures are never fetched "
            "from other sites; save the file in static/images/ and write its path inside "
            "static/, like images/story.jpg",
        ),
        (
            "  src: ../site.yaml\n  alt: A.\n  credit: C.\n",
            5,
            "image.src: expected a path inside static/, like images/story.jpg, got '../site.yaml'",
        ),
        (
            "  src: images/a.png\n  alt: A.\n  credit: C.\n  licence_url: ftp://example.org/l\n",
            8,
            "image.licence_url: expected an http(s) URL like 'https://example.org/', got "
            "'ftp://example.org/l'",
        ),
        (
            "  src: images/a.png\n  alt: A.\n  credit: C.\n  licnce: CC BY 4.0\n",
            8,
            "unknown field 'image.licnce' (did you mean 'licence'?)",
        ),
    ],
)
def test_what_is_wrong_with_an_image_is_said_at_its_line(
    make_project: MakeProject, fields: str, line: int, message: str
) -> None:
    project = make_project(
        {
            "content/people/ann-able.md": person("image:\n" + fields),
            "static/images/a.png": png(),
            "static/notes.txt": "not a picture\n",
        }
    )
    assert errors(project) == [f"content/people/ann-able.md:{line}: {message}"]


def test_an_image_error_in_a_draft_article_is_reported_too(make_project: MakeProject) -> None:
    story = article(draft="true", image="\n  src: images/gone.jpg\n  alt: A.\n  credit: C.")
    project = make_project({"content/articles/story.md": story, "content/people/b.md": JOHNSON})
    assert errors(project) == [
        "content/articles/story.md:7: image.src: there is no file static/images/gone.jpg; put "
        "the picture there, or write the path of one that is (from inside static/, like "
        "images/story.jpg)"
    ]


def test_a_picture_put_in_place_after_the_error_builds(make_project: MakeProject) -> None:
    story = article(image="\n  src: images/late.png\n  alt: A.\n  credit: C.")
    project = make_project({"content/articles/story.md": story})
    assert project.build("--no-search").returncode == 1
    project.write("static/images/late.png", png())
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert "late-640." in project.page("articles/story/")


def located_jpeg() -> bytes:
    """A photo that records where it was taken, as a phone's camera writes it."""
    exif = PILImage.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)
    out = io.BytesIO()
    PILImage.new("RGB", (800, 600), (30, 60, 90)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_that_records_where_it_was_taken_is_pointed_out(make_project: MakeProject) -> None:
    fields = "\n  src: images/a.jpg\n  alt: A street.\n  credit: Jane Smith"
    project = make_project(
        {
            "content/articles/story.md": article(title="A story", image=fields),
            "static/images/a.jpg": located_jpeg(),
            "static/images/b.jpg": png(),
        }
    )
    done = project.build("--no-search")
    assert done.returncode == 0, done.stderr
    assert (
        "content/articles/story.md:6: warning: image.src: static/images/a.jpg records where it "
        "was taken (GPS data in its EXIF); the resized copies leave it out, but the file itself "
        "is published as it is: if the place should not be public, save a copy without the "
        "location (most photo editors can remove it) and use that"
    ) in done.stderr
    # the copies the pages show carry no location
    copies = sorted((project.root / "_site/static/images").glob("a-*.jpg"))
    assert copies
    for copy in copies:
        with PILImage.open(copy) as shown:
            assert 0x8825 not in shown.getexif(), copy.name
    # a picture that records no place is not warned about
    project.write(
        "content/articles/story.md",
        article(title="A story", image=fields.replace("a.jpg", "b.jpg")),
    )
    again = project.build("--no-search")
    assert again.returncode == 0 and "where it was taken" not in again.stderr, again.stderr
