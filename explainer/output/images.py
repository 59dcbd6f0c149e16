"""Make the site's picture files with Pillow, keep them in .cache/images/, and put them
in the output folder.

A file's name says what it is made from (pages/images.py), so one made once is never
made again: not by the next build, clean or incremental, nor by the preview. Files are
made in worker processes when there are many (a cold build of thousands of articles has
a card for each), written to the cache under a temporary name and renamed into place,
and copied into the site. A cached file's name carries a digest of its bytes, checked
each time it is read: a damaged one is made again. The bytes depend only on the recipe
and Pillow's version: no metadata (EXIF, comments, colour profiles) is kept, and nothing
of the time or the machine.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import BuildFailed, Diagnostic, display_path
from ..core.processes import iter_indexed
from ..pages.images import CARD_HEIGHT, CARD_WIDTH, Card, Recipe, Resize

# The card: light text on the dark ground of the site's dark theme, with an accent bar.
CARD_GROUND = (0x15, 0x17, 0x1B)
CARD_TEXT = (0xF4, 0xF5, 0xF7)
CARD_ACCENT = (0xF2, 0x8B, 0x82)
RAMP = 14  # shades from the ground to the text: the anti-aliased edges of the letters
ACCENT = RAMP  # the palette entry of the accent bar: 15 entries, so a 4-bit PNG
MARGIN = 80
HEADLINE_SIZES = (72, 64, 56)  # the largest that fits in MOST_LINES lines is used
MOST_LINES = 3
MOST_CHARACTERS = 400  # far more than three lines hold at the smallest size
SITE_SIZE = 34
JPEG_QUALITY = 82
WEBP_QUALITY = 80


def make_files(recipes: Sequence[Recipe], static_dir: Path | None) -> list[bytes]:
    """Make the bytes of each recipe (those of one source picture are decoded once)."""
    decoded: dict[str, Any] = {}
    made = []
    for recipe in recipes:
        if isinstance(recipe, Card):
            made.append(draw_card(recipe))
            continue
        if recipe.digest not in decoded:
            decoded[recipe.digest] = _open(static_dir, recipe)
        made.append(_resized(decoded[recipe.digest], recipe))
    return made


def _open(static_dir: Path | None, recipe: Resize) -> Any:
    """Decode a source picture, turned as its EXIF orientation says, in sRGB."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    path = (static_dir or Path("static")) / recipe.src
    try:
        with PILImage.open(path) as opened:
            opened.seek(0)  # the first frame of an animation
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise BuildFailed(
            [
                Diagnostic(
                    display_path(path),
                    0,
                    f"this picture could not be read whole ({err}); save it again from the "
                    "program that made it",
                )
            ]
        ) from None
    picture = _to_srgb(picture)
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = picture.mode in ("PA", "La", "RGBa") or "transparency" in picture.info
        picture = picture.convert("RGBA" if has_alpha else "RGB")
    return picture


def _to_srgb(picture: Any) -> Any:
    """Turn a picture with a colour profile into sRGB (the profile itself is dropped)."""
    profile = picture.info.get("icc_profile")
    if not profile or picture.mode not in ("RGB", "RGBA", "CMYK"):
        return picture
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except Exception:  # noqa: BLE001 - a damaged profile: the colours as they are
        return picture


def _resized(picture: Any, recipe: Resize) -> bytes:
    from PIL import Image as PILImage

    if picture.size != (recipe.width, recipe.height):
        picture = picture.resize(
            (recipe.width, recipe.height), PILImage.Resampling.LANCZOS, reducing_gap=3.0
        )
    if recipe.format == "jpeg" and picture.mode not in ("RGB", "L"):
        ground = PILImage.new("RGB", picture.size, (255, 255, 255))
        ground.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
        picture = ground
    picture.info = {}  # no metadata: EXIF, comments, profiles
    out = io.BytesIO()
    if recipe.format == "jpeg":
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif recipe.format == "webp":
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue()


@functools.cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def wrap_headline(title: str, measure: Callable[[str], float], width: float) -> list[str]:
    """Break a headline into lines no wider than width, at most MOST_LINES, the last
    ending in an ellipsis when the headline does not fit."""
    lines: list[str] = []
    current = ""
    cut_short = len(title) > MOST_CHARACTERS  # more than could ever fit: the rest is not measured
    for word in title[:MOST_CHARACTERS].split():
        tried = f"{current} {word}" if current else word
        if measure(tried) <= width:
            current = tried
            continue
        if current:
            lines.append(current)
        while measure(word) > width and len(lines) <= MOST_LINES:  # a word longer than a line
            cut = max(1, _fitting(word, measure, width))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
        if len(lines) > MOST_LINES:
            break
    if current:
        lines.append(current)
    if len(lines) <= MOST_LINES and not cut_short:
        return lines
    shown = lines[:MOST_LINES]
    last = shown[-1]
    while last and measure(last + "…") > width:
        last = last[:-1]
    shown[-1] = last.rstrip(" ,;:-–—") + "…"
    return shown


def _fitting(word: str, measure: Callable[[str], float], width: float) -> int:
    """How many of a word's first characters fit in width (a binary search)."""
    low, high = 0, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


@functools.lru_cache(maxsize=8192)
def _advance(word: str, size: int) -> float:
    """How far the pen moves over a word."""
    return float(_font(size).getlength(word))


@functools.lru_cache(maxsize=2048)
def _word(word: str, size: int) -> tuple[Any, int, int]:
    """A word drawn once (headlines share most of their words): its mask, and where its
    top left corner is from the pen."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    left, top, right, bottom = _font(size).getbbox(word)
    mask = PILImage.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), word, font=_font(size), fill=255)
    return mask, left, top


def _measure(size: int) -> Callable[[str], float]:
    """The width of a line of words, as _draw_line sets them."""

    def measure(line: str) -> float:
        words = line.split(" ")
        return sum(_advance(w, size) for w in words) + _advance(" ", size) * (len(words) - 1)

    return measure


def _draw_line(
    canvas: Any, x: float, y: int, line: str, size: int, shade: int, drawn: list[tuple[int, int]]
) -> None:
    """Set a line word by word, each word's mask drawn once and pasted in the shade; note
    the rows drawn on in `drawn`."""
    space = _advance(" ", size)
    for word in line.split(" "):
        if word:
            mask, left, top = _word(word, size)
            canvas.paste(shade, (round(x) + left, y + top), mask)
            drawn.append((y + top, y + top + mask.height))
        x += _advance(word, size) + space


def draw_card(card: Card) -> bytes:
    """Draw an article's social card: its headline and the site's name, as a 4-bit PNG."""
    from PIL import Image as PILImage

    text_width = CARD_WIDTH - 2 * MARGIN
    for size in HEADLINE_SIZES:
        lines = wrap_headline(card.title, _measure(size), text_width)
        if not lines[-1:] or not lines[-1].endswith("…"):
            break
    # Palette indices, drawn as shades, on a canvas two columns wider than the card: in
    # four bits a pixel, they are the zero byte before each row that PNG wants (see _png).
    canvas = PILImage.new("L", (CARD_WIDTH + 2, CARD_HEIGHT), 0)
    left = MARGIN + 2
    canvas.paste(ACCENT, (left, MARGIN, left + 96, MARGIN + 10))
    drawn = [(MARGIN, MARGIN + 10)]  # rows with something on them
    line_height = round(size * 1.18)
    top = MARGIN + 70
    for i, line in enumerate(lines):
        _draw_line(canvas, left, top + i * line_height, line, size, RAMP - 1, drawn)
    site = wrap_headline(card.site, _measure(SITE_SIZE), text_width)[:1]
    if site:
        y = CARD_HEIGHT - MARGIN - SITE_SIZE
        _draw_line(canvas, left, y, site[0], SITE_SIZE, RAMP - 4, drawn)
    canvas.putpalette(_palette())  # the shades become palette entries: a P image, 15 colours
    return _png(canvas, drawn)


@functools.cache
def _palette() -> tuple[int, ...]:
    palette: list[int] = []
    for shade in range(RAMP):
        t = shade / (RAMP - 1)
        palette += [round(g + (c - g) * t) for g, c in zip(CARD_GROUND, CARD_TEXT, strict=True)]
    return (*palette, *CARD_ACCENT)


def _png(canvas: Any, drawn: Sequence[tuple[int, int]]) -> bytes:
    """Write a 16-colour picture as a 4-bit PNG, quicker than Pillow's own writer.

    The canvas has two columns of index 0 before the picture: packed two pixels a byte,
    each row then starts with the zero byte that says it is unfiltered (the ground is
    flat). Rows are compressed as runs; the rows outside `drawn` (row spans with
    something on them) are all ground, and every card has the same bands of them: each
    band is compressed once, as blocks of their own.
    """
    width, height = canvas.width - 2, canvas.height
    stride = width // 2 + 1  # the filter byte, then two pixels a byte
    rows = canvas.tobytes("raw", "P;4")
    blocks = []
    at = 0
    for start, end in sorted((max(0, a), min(height, b)) for a, b in drawn if b > a):
        if end <= at:
            continue
        if start > at:
            blocks.append(_ground_rows(start - at, stride))
        start = max(start, at)
        squeeze = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
        blocks.append(squeeze.compress(rows[start * stride : end * stride]))
        blocks.append(squeeze.flush(zlib.Z_FULL_FLUSH))
        at = end
    if at < height:
        blocks.append(_ground_rows(height - at, stride))
    blocks.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())  # the last, empty block
    # A zlib stream: its header, the deflate blocks, the checksum of all the rows.
    stream = b"\x78\x01" + b"".join(blocks) + struct.pack(">I", zlib.adler32(rows))
    header = struct.pack(">IIBBBBB", width, height, 4, 3, 0, 0, 0)  # 4 bits, a palette
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(_palette())),
            _chunk(b"IDAT", stream),
            _chunk(b"IEND", b""),
        )
    )


@functools.lru_cache(maxsize=64)
def _ground_rows(count: int, stride: int) -> bytes:
    """Rows of nothing but ground, compressed as deflate blocks that end on a byte."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return squeeze.compress(bytes(count * stride)) + squeeze.flush(zlib.Z_FULL_FLUSH)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _store(cache_dir: Path, recipe: Recipe, data: bytes) -> None:
    """Keep a made file in the cache, named after its recipe and its bytes' digest
    (written whole under another name, then linked to its own); nothing if it cannot be."""
    target = cache_dir / f"{recipe.key}.{_digest(data)}.{_extension(recipe)}"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        ignore = cache_dir.parent / ".gitignore"
        if cache_dir.parent.name == ".cache" and not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(prefix=".made-", dir=cache_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            with contextlib.suppress(FileExistsError):  # made by another build meanwhile
                os.link(tmp, target)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError:
        return


def _extension(recipe: Recipe) -> str:
    return recipe.out_path.rsplit(".", 1)[-1]


def cache_index(cache_dir: Path | None) -> dict[str, Path]:
    """The files kept in the cache, by recipe key."""
    found: dict[str, Path] = {}
    if cache_dir is None:
        return found
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return found
    for entry in entries:
        parts = entry.name.split(".")
        if len(parts) == 3 and not entry.name.startswith("."):
            found[parts[0]] = Path(entry.path)
    return found


def _kept(path: Path | None) -> bytes | None:
    """A cached file's bytes, if they are still those it was stored with."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if _digest(data) == path.name.split(".")[1] else None


def file_bytes(
    recipes: Sequence[Recipe],
    static_dir: Path | None,
    cache_dir: Path | None,
    jobs: int = 1,
) -> Iterator[tuple[Recipe, bytes]]:
    """Yield each recipe with its bytes: from the cache when they are there intact, else
    made now (in up to `jobs` processes, those of one source picture together) and kept.

    A damaged cache file costs the time to make it again, never a wrong file.
    """
    if not recipes:
        return  # nothing asked: the cache is not looked through (it may hold many files)
    index = cache_index(cache_dir)
    missing: dict[str, list[Recipe]] = {}
    for recipe in recipes:
        data = _kept(index.get(recipe.key))
        if data is not None:
            yield recipe, data
            continue
        group = recipe.digest if isinstance(recipe, Resize) else recipe.key
        missing.setdefault(group, []).append(recipe)
    groups = list(missing.values())

    def make(i: int) -> list[bytes] | Diagnostic:
        try:
            made = make_files(groups[i], static_dir)
        except BuildFailed as err:
            return err.diagnostics[0]
        if cache_dir is not None:
            for recipe, data in zip(groups[i], made, strict=True):
                _store(cache_dir, recipe, data)
        return made

    problems: list[Diagnostic] = []
    for batch, result in zip(groups, iter_indexed(make, len(groups), jobs), strict=True):
        if isinstance(result, Diagnostic):
            problems.append(result)
            continue
        yield from zip(batch, result, strict=True)
    if problems:
        raise BuildFailed(problems)


def place_files(
    root: Path,
    files: Mapping[str, Recipe],
    static_dir: Path | None,
    cache_dir: Path | None,
    jobs: int = 1,
) -> int:
    """Write each file (output path -> recipe) into root, from the cache or made now.

    The files are copied, never linked: what happens to the cache later cannot change
    a published site.
    """
    targets: dict[str, list[str]] = {}
    unique: dict[str, Recipe] = {}
    for out_path, recipe in files.items():
        targets.setdefault(recipe.key, []).append(out_path)
        unique.setdefault(recipe.key, recipe)
    folders: set[Path] = set()
    for recipe, data in file_bytes(list(unique.values()), static_dir, cache_dir, jobs):
        for out_path in targets[recipe.key]:
            target = root.joinpath(*out_path.split("/"))
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # a spare's file may be the live site's too (a hard link)
            target.write_bytes(data)
    return len(files)
