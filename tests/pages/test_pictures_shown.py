"""Pictures on built pages: <picture> with every size, credits, hover cards, social cards."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import Node, Project, article, cards_of, lay_out, parse_html
from PIL import Image as PILImage

from explainer.content.images import SourceImage
from explainer.pages.images import WIDTHS, fallback_format, widths

LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def jpeg(size: tuple[int, int], orientation: int | None = None) -> bytes:
    picture = PILImage.new("RGB", size, (200, 80, 40))
    exif = PILImage.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x010E] = "a description that must not be published"
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGBA", size, (10, 120, 200, 128)).save(out, "PNG")
    return out.getvalue()


PERSON = f"""\
---
name: Ann Able
summary: A minister.
image:
  src: images/ann.jpg
  alt: Ann Able at a lectern
  credit: "Photo: Jo Bloggs"
  licence: CC BY 4.0
  licence_url: {LICENCE}
---
Ann Able is a minister.
"""
NO_IMAGE = "---\nname: Bob Baker\nsummary: An adviser.\n---\nBob Baker advises.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = lay_out(
        tmp_path_factory.mktemp("pictures") / "project",
        {
            "content/people/ann-able.md": PERSON,
            "content/people/bob-baker.md": NO_IMAGE,
            "content/articles/lead.md": article(
                "Ann Able spoke, and Bob Baker listened.",
                title="A story with a picture",
                people=["ann-able", "bob-baker"],
                image='\n  src: images/chart.png\n  alt: A bar chart\n  credit: "Chart: the site"',
            ),
            "content/articles/plain.md": article(
                "Ann Able spoke again.", title="A story without one", date="2017-11-16"
            ),
            # 3000 x 2000 as stored, shown turned a quarter (EXIF orientation 6): 2000 x 3000
            "static/images/ann.jpg": jpeg((3000, 2000), orientation=6),
            "static/images/chart.png": png((700, 350)),
        },
    )
    done = project.build("--no-search", "--no-cache")
    assert done.returncode == 0, done.stderr
    return project


def site_file(project: Project, page_url: str, href: str) -> Path:
    """The file a relative address on a page leads to."""
    base = (project.root / "_site" / page_url).resolve()
    return (base / href).resolve()


def srcset(value: str) -> list[tuple[str, int]]:
    found = []
    for candidate in value.split(","):
        href, width = candidate.split()
        found.append((href, int(width.removesuffix("w"))))
    return found


def check_picture(
    project: Project, page_url: str, figure: Node, shown: tuple[int, int], fallback: str
) -> None:
    """Every copy exists, is of its stated width and format, and none is larger than shown."""
    source = figure.one("source")
    img = figure.one("img")
    assert source.attrs["type"] == "image/webp"
    assert source.attrs["sizes"] == img.attrs["sizes"]
    # at the top of its page: loaded at once (a lazy picture there is slow to show)
    assert "loading" not in img.attrs and img.attrs["decoding"] == "async"
    for value, kind in ((source.attrs["srcset"], "WEBP"), (img.attrs["srcset"], fallback)):
        copies = srcset(value)
        assert [w for _, w in copies] == list(widths_for(shown[0]))
        for href, width in copies:
            path = site_file(project, page_url, href)
            assert path.parent.name == "images" and path.parent.parent.name == "static"
            with PILImage.open(path) as opened:
                assert opened.format == kind
                assert opened.width == width
                assert opened.height == round(shown[1] * width / shown[0])
                assert "exif" not in opened.info and "icc_profile" not in opened.info
    largest = srcset(img.attrs["srcset"])[-1]
    assert (int(img.attrs["width"]), int(img.attrs["height"])) == (
        largest[1],
        round(shown[1] * largest[1] / shown[0]),
    )
    assert site_file(project, page_url, img.attrs["src"]).is_file()


def widths_for(width: int) -> tuple[int, ...]:
    return widths(SourceImage("x", "d", width, 1, "JPEG", False))


def test_widths_are_never_larger_than_the_picture() -> None:
    assert widths_for(3000) == WIDTHS
    assert widths_for(700) == (320, 640, 700)
    assert widths_for(320) == (320,)
    assert widths_for(200) == (200,)


@pytest.mark.parametrize(
    ("kind", "alpha", "fallback"),
    [("JPEG", False, "jpeg"), ("PNG", False, "png"), ("GIF", True, "png"), ("WEBP", False, "jpeg")],
)
def test_the_fallback_format_is_one_every_browser_reads(
    kind: str, alpha: bool, fallback: str
) -> None:
    assert fallback_format(SourceImage("x", "d", 10, 10, kind, alpha)) == fallback


def test_a_portrait_is_shown_turned_upright_with_its_credit_and_licence(built: Project) -> None:
    page = parse_html(built.page("people/ann-able/"))
    header = page.one("header", "profile-header")
    figure = header.one("figure", "portrait")
    check_picture(built, "people/ann-able/", figure, (2000, 3000), "JPEG")
    assert figure.one("img").attrs["alt"] == "Ann Able at a lectern"
    caption = figure.one("figcaption")
    assert caption.text == "Photo: Jo Bloggs · CC BY 4.0 (external)"
    assert caption.one("a").attrs["href"] == LICENCE
    assert header.find_all("span", "avatar") == []


def test_a_person_without_a_picture_keeps_the_initials(built: Project) -> None:
    page = parse_html(built.page("people/bob-baker/"))
    assert page.one("header", "profile-header").one("span", "avatar").text == "BB"
    assert page.find_all("picture") == []
    meta = {
        m.attrs.get("name", m.attrs.get("property")): m.attrs.get("content")
        for m in page.find_all("meta")
    }
    assert meta["twitter:card"] == "summary"
    assert "og:image" not in meta


def test_the_lead_picture_is_at_the_top_of_the_article(built: Project) -> None:
    page = parse_html(built.page("articles/lead/"))
    header = page.one("article").one("header")
    figure = header.one("figure", "lead-picture")
    check_picture(built, "articles/lead/", figure, (700, 350), "PNG")
    assert figure.one("img").attrs["alt"] == "A bar chart"
    assert figure.one("figcaption").text == "Chart: the site"


def test_the_hover_card_shows_the_smallest_copy(built: Project) -> None:
    cards = cards_of(parse_html(built.page("articles/lead/")))
    path = site_file(built, "articles/lead/", cards["ann-able"]["image"])
    with PILImage.open(path) as opened:
        assert (opened.format, opened.size) == ("JPEG", (320, 480))
    assert "image" not in cards["bob-baker"]


def meta_of(page: Node) -> dict[str, str]:
    return {
        m.attrs.get("property", m.attrs.get("name", "")): m.attrs.get("content", "")
        for m in page.find_all("meta")
    }


def social_file(project: Project, url: str) -> Path:
    prefix = "https://example.org/news/"
    assert url.startswith(prefix)
    return project.root / "_site" / url.removeprefix(prefix)


def test_an_article_with_a_picture_is_shared_with_it(built: Project) -> None:
    meta = meta_of(parse_html(built.page("articles/lead/")))
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == meta["twitter:image"]
    assert (meta["og:image:alt"], meta["twitter:image:alt"]) == ("A bar chart", "A bar chart")
    with PILImage.open(social_file(built, meta["og:image"])) as opened:
        assert opened.format == "PNG"
        assert opened.size == (700, 350)  # never made larger than the picture
        assert (meta["og:image:width"], meta["og:image:height"]) == ("700", "350")


def test_an_article_without_one_is_shared_with_a_card_of_its_headline(built: Project) -> None:
    meta = meta_of(parse_html(built.page("articles/plain/")))
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image:alt"] == "A story without one · Test Site"
    assert (meta["og:image:width"], meta["og:image:height"], meta["og:image:type"]) == (
        "1200",
        "630",
        "image/png",
    )
    with PILImage.open(social_file(built, meta["og:image"])) as opened:
        assert (opened.format, opened.size, opened.mode) == ("PNG", (1200, 630), "P")
        assert len(opened.getcolors()) <= 16  # a small palette: a small, quickly made file


def test_a_person_with_a_picture_is_shared_with_a_1200_pixel_copy(built: Project) -> None:
    meta = meta_of(parse_html(built.page("people/ann-able/")))
    assert meta["twitter:card"] == "summary_large_image"
    with PILImage.open(social_file(built, meta["og:image"])) as opened:
        assert (opened.format, opened.size) == ("JPEG", (1200, 1800))


def test_pages_that_are_not_stories_or_people_keep_the_small_card(built: Project) -> None:
    meta = meta_of(parse_html(built.page("")))
    assert meta["twitter:card"] == "summary"
    assert "og:image" not in meta
