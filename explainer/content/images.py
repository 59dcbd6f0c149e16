"""The pictures that pages show: each `image:` checked against its file in static/.

A file is looked at once (its bytes hashed, its header read by Pillow, never decoded
whole) and described by a `SourceImage`: what the resized copies depend on. A path to no
file, or to a file Pillow cannot read as a picture, is an error at the `src:` line.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Collector, did_you_mean, display_path
from .model import Article, Image, Person, Site

# The EXIF orientations that turn a picture a quarter: width and height swap.
QUARTER_TURNS = frozenset({5, 6, 7, 8})
EXIF_ORIENTATION = 0x0112
EXIF_GPS = 0x8825
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff", ".bmp")


@dataclass(frozen=True, slots=True)
class SourceImage:
    """A picture file in static/ as the build found it: what its resized copies depend on."""

    src: str  # the path inside static/
    digest: str  # of the file's bytes
    width: int  # as it is shown, its EXIF orientation applied
    height: int
    format: str  # as Pillow names it: JPEG, PNG, GIF, WEBP...
    alpha: bool  # whether it has transparent parts
    located: bool = False  # it records where it was taken (GPS data in its EXIF)


Identity = tuple[int, int, int, int]  # size, modification time, inode, change time
Probe = tuple[Identity | None, SourceImage | str]  # what a look at a file found, or why not


def _identity(path: Path) -> Identity | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def probe_image(static_dir: Path, src: str) -> Probe:
    """Look at static_dir/src: the picture it holds, or what is wrong with it."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    path = static_dir / src
    identity = _identity(path)
    shown = display_path(path)
    if identity is None or not path.is_file():
        return None, _missing(static_dir, src)
    try:
        data = path.read_bytes()
    except OSError as err:
        return identity, f"{shown} cannot be read ({err.strerror or err}); check its permissions"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as picture:
                width, height = picture.size
                exif = picture.getexif()
                orientation = exif.get(EXIF_ORIENTATION)
                located = EXIF_GPS in exif and bool(exif.get_ifd(EXIF_GPS))
                alpha = picture.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
                    "transparency" in picture.info
                )
                kind = picture.format or "unknown"
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        return identity, f"{shown} is too large a picture to resize safely; save a smaller copy"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as err:
        if not data:
            why = "it is empty"
        elif isinstance(err, UnidentifiedImageError):
            why = "Pillow does not know its format"
        else:
            why = str(err) or type(err).__name__
        return identity, (
            f"{shown} is not a picture that can be read ({why}); use a JPEG, PNG, GIF or WebP file"
        )
    if orientation in QUARTER_TURNS:
        width, height = height, width
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return identity, SourceImage(src, digest, width, height, kind, alpha, located)


def _missing(static_dir: Path, src: str) -> str:
    """Say which file was looked for, and the nearest picture that is there."""
    shown = display_path(static_dir / src)
    there = sorted(_pictures(static_dir))
    inner = src.removeprefix("static/")
    if inner != src and inner in there:
        return (
            f"there is no file {shown}; the path is written from inside static/, so "
            f"write src: {inner}"
        )
    hint = did_you_mean(src, there)
    return (
        f"there is no file {shown}{hint}; put the picture there, or write the path of one "
        "that is (from inside static/, like images/story.jpg)"
    )


def _pictures(static_dir: Path) -> Iterable[str]:
    if not static_dir.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(static_dir):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.lower().endswith(PICTURE_SUFFIXES):
                yield (Path(dirpath) / name).relative_to(static_dir).as_posix()


def site_images(site: Site) -> list[tuple[Article | Person, Image]]:
    """Every page with an image, and its image, in the site's order."""
    found: list[tuple[Article | Person, Image]] = []
    pages: tuple[Article | Person, ...] = (*site.articles, *site.people)
    for page in pages:
        if page.image is not None:
            found.append((page, page.image))
    return found


def check_images(
    site: Site,
    static_dir: Path,
    collector: Collector,
    known: Mapping[str, Probe] | None = None,
    look_again: bool = True,
) -> dict[str, Probe]:
    """Look at the file of every image the site uses; report each that is wrong.

    `known` holds what an earlier look found, by src: kept when the file has not changed
    (or, with look_again False, when nothing in static/ can have changed). Return what
    was found, by src.
    """
    probes: dict[str, Probe] = {}
    for page, image in site_images(site):
        src = image.src
        probe = probes.get(src)
        if probe is None:
            before = (known or {}).get(src)
            if before is not None and (
                not look_again
                or (before[0] is not None and before[0] == _identity(static_dir / src))
            ):
                probe = before
            else:
                probe = probe_image(static_dir, src)
            probes[src] = probe
        if isinstance(probe[1], str):
            collector.error(page.src_path, image.line, f"image.src: {probe[1]}")
        elif probe[1].located:
            collector.warn(
                page.src_path,
                image.line,
                f"image.src: {display_path(static_dir / src)} records where it was taken "
                "(GPS data in its EXIF); the resized copies leave it out, but the file itself "
                "is published as it is: if the place should not be public, save a copy without "
                "the location (most photo editors can remove it) and use that",
            )
    return probes


def found_images(probes: Mapping[str, Probe]) -> dict[str, SourceImage]:
    """The pictures that were found, by src."""
    return {src: found for src, (_, found) in probes.items() if isinstance(found, SourceImage)}
