"""Which picture files a site has and how pages show them: pure decisions, no drawing.

Each picture is resized into a few widths (never wider than the file itself), each as
WebP and in a format every browser reads (JPEG, or PNG for PNGs and pictures with
transparent parts), plus a 1200-pixel copy for social cards. An article without a
picture gets a generated card (its headline and the site's name) instead.

Every file is named after what it is made from (the source's bytes, the width, the
format, the version of Pillow and of the recipe), so a name never changes its bytes:
the files can be kept between builds and made once (see output/images.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..content.images import SourceImage
from ..content.model import Article, Image, Person

WIDTHS = (320, 640, 960, 1280)
SOCIAL_WIDTH = 1200  # the width social sites show a card's picture at
CARD_WIDTH, CARD_HEIGHT = 1200, 630
FOLDER = "static/images"
RECIPE = "1"  # bump when the way a file is made changes: every name changes with it
CARD_RECIPE = "2"  # bump when the way a social card is drawn changes: only cards' names change
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}
MIME_TYPES = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}


def _pillow_version() -> str:
    import PIL

    return str(PIL.__version__)


@dataclass(frozen=True, slots=True)
class Resize:
    """A copy of a picture in static/ at one width and in one format."""

    src: str  # inside static/
    digest: str  # of the source file's bytes
    width: int
    height: int
    format: str  # webp, jpeg or png

    @property
    def key(self) -> str:
        return _key("resize", self.digest, str(self.width), str(self.height), self.format)

    @property
    def out_path(self) -> str:
        stem = re.sub(r"[^a-z0-9]+", "-", self.src.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower())
        stem = stem.strip("-")[:60] or "picture"
        return f"{FOLDER}/{stem}-{self.width}.{self.key[:16]}.{EXTENSIONS[self.format]}"


@dataclass(frozen=True, slots=True)
class Card:
    """A generated social card: an article's headline and the site's name."""

    title: str
    site: str

    width = CARD_WIDTH
    height = CARD_HEIGHT
    format = "png"

    @property
    def key(self) -> str:
        return _key("card", CARD_RECIPE, self.title, self.site)

    @property
    def out_path(self) -> str:
        return f"{FOLDER}/card-{self.key[:20]}.png"


Recipe = Resize | Card


def _key(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in (RECIPE, _pillow_version(), *parts):
        h.update(part.encode("utf-8") + b"\0")
    return h.hexdigest()


def widths(source: SourceImage) -> tuple[int, ...]:
    """The widths a picture is resized to: the usual ones below its own, and its own up
    to the largest (a picture is never made larger)."""
    return tuple(sorted({*(w for w in WIDTHS if w < source.width), min(source.width, WIDTHS[-1])}))


def fallback_format(source: SourceImage) -> str:
    """The format every browser reads that suits the picture: JPEG stays JPEG, PNG and
    pictures with transparent parts become PNG, the rest JPEG."""
    if source.format in ("JPEG", "MPO"):
        return "jpeg"
    if source.format == "PNG" or source.alpha:
        return "png"
    return "jpeg"


def resize(source: SourceImage, width: int, fmt: str) -> Resize:
    height = max(1, round(source.height * width / source.width))
    return Resize(source.src, source.digest, width, height, fmt)


def social_resize(source: SourceImage) -> Resize:
    return resize(source, min(source.width, SOCIAL_WIDTH), fallback_format(source))


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture as a page shows it: its files (site paths), size, words and credit."""

    alt: str
    credit: str
    licence: str
    licence_url: str
    width: int  # of the largest copy: with height, the box the browser keeps for it
    height: int
    src: str  # a middle-sized copy in the fallback format, for browsers without srcset
    srcset: tuple[tuple[str, int], ...]  # (path, width) in the fallback format
    webp: tuple[tuple[str, int], ...]  # (path, width) as WebP
    mime: str  # of the fallback format
    thumbnail: str  # the smallest copy, for hover cards


def picture(image: Image, source: SourceImage) -> Picture:
    """How a page shows an image, from the file it found."""
    fallback = fallback_format(source)
    sizes = widths(source)
    plain = tuple(resize(source, w, fallback) for w in sizes)
    webp = tuple(resize(source, w, "webp") for w in sizes)
    middle = next((r for r in plain if r.width >= 640), plain[-1])
    return Picture(
        alt=image.alt,
        credit=image.credit,
        licence=image.licence,
        licence_url=image.licence_url,
        width=plain[-1].width,
        height=plain[-1].height,
        src=middle.out_path,
        srcset=tuple((r.out_path, r.width) for r in plain),
        webp=tuple((r.out_path, r.width) for r in webp),
        mime=MIME_TYPES[fallback],
        thumbnail=plain[0].out_path,
    )


@dataclass(frozen=True, slots=True)
class Social:
    """The picture social sites show with a link to a page (Open Graph, Twitter)."""

    path: str  # inside the site
    width: int
    height: int
    alt: str
    mime: str


def social_picture(image: Image, source: SourceImage) -> Social:
    made = social_resize(source)
    return Social(made.out_path, made.width, made.height, image.alt, MIME_TYPES[made.format])


def social_card(title: str, site: str) -> Social:
    card = Card(title, site)
    return Social(card.out_path, card.width, card.height, f"{title} · {site}", "image/png")


def image_files(source: SourceImage) -> tuple[Recipe, ...]:
    """Every file made from one picture: each width in both formats, and the social copy."""
    fallback = fallback_format(source)
    made: list[Recipe] = []
    for w in widths(source):
        made += [resize(source, w, "webp"), resize(source, w, fallback)]
    social = social_resize(source)
    if social not in made:
        made.append(social)
    return tuple(made)


def page_files(
    page: Article | Person, site_title: str, source: SourceImage | None
) -> tuple[Recipe, ...]:
    """The picture files one article or person needs: its picture's, or an article's card."""
    if page.image is not None and source is not None:
        return image_files(source)
    if isinstance(page, Article):
        return (Card(page.title, site_title),)
    return ()


def site_files(
    pages: Iterable[Article | Person], site_title: str, images: Mapping[str, SourceImage]
) -> dict[str, Recipe]:
    """Every picture file of a site (published articles and people), by output path."""
    found: dict[str, Recipe] = {}
    for page in pages:
        source = images.get(page.image.src) if page.image is not None else None
        for recipe in page_files(page, site_title, source):
            found[recipe.out_path] = recipe
    return found


def page_pictures(
    page: Any, site_title: str, source: SourceImage | None
) -> tuple[Picture | None, Social | None]:
    """A page's own picture and its social card picture (an article's is made when it
    has no picture; a person without one has neither)."""
    image = page.image
    if image is not None and source is not None:
        return picture(image, source), social_picture(image, source)
    if page.kind == "article":
        return None, social_card(page.title, site_title)
    return None, None
