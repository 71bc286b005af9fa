"""Normalise an uploaded screenshot, then cut it into the image blocks Claude is sent.

Tutors upload whatever their device produced: PNG screenshots, phone JPEGs with
an EXIF rotation, CMYK scans, 16-bit PNGs, WebP and GIF files, long passages
captured as one very tall image. Two steps turn that into what Claude reads.

normalise_upload() runs when the tutor uploads. It turns the bytes into one clean
image to store: upright, 8-bit RGB, no metadata, and still detailed enough to
tile later (only images beyond 24 megapixels or 2576 px on the short side are
downscaled); or it refuses with an UploadError whose message tells the tutor, in
plain words, what was wrong and what to upload instead. It is pure (bytes in,
NormalisedImage out): the caller keeps the original upload for audit.

model_images() runs when a model is about to read the stored image. It returns
the blocks for that model's image tier: the image itself if it fits, one
downscaled image if it is not tall, or, for a tall capture (a long passage, a
phone screenshot), overlapping tiles top to bottom, each readable at full size.
Squashing a 1200 x 9000 capture into one 209 x 1568 image would make it unreadable.

Safety: the format is decided from the bytes, never from a filename; oversized
files are refused before Pillow sees them; pixel counts are checked before
anything is decoded, so a small file declaring huge dimensions (a decompression
bomb) is never expanded in memory; truncated files are refused rather than
silently padded (ImageFile.LOAD_TRUNCATED_IMAGES is left at its default, False).

Memory: a decoded image costs width x height x bytes per pixel whatever its file size (a
131 KB single-colour PNG of 6300 x 6300 is 119 MB of pixels), so decoding is bounded three
ways. A JPEG is decoded at the smallest scale Pillow's draft mode offers that still covers
the stored size; the pixels are shrunk to the stored size before any conversion copies
them, and nothing is copied that need not be; and at most DECODES_AT_ONCE uploads are
decoded at a time in a process, so eight uploads at once cost one decode's peak, not eight
(docs/benchmarks.md "Upload memory").
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps

ACCEPTED_HINT = "Upload a PNG, JPEG, WebP or GIF screenshot."

# Pillow's names for the formats we accept. Cameras that store a second picture
# (a depth map or preview) write JPEGs that Pillow reports as MPO; the first
# picture is an ordinary JPEG, so MPO is accepted and reported as JPEG.
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "WEBP": "WEBP", "GIF": "GIF"}
# The extension an original is kept under: the format it decoded as, never the client's.
ORIGINAL_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}

MIB = 1024 * 1024
KIB = 1024

DEFAULT_MAX_BYTES = 10 * MIB
DEFAULT_MAX_PIXELS = 40_000_000
# Uploads decoded at once per process; the others wait their turn (a few hundred ms each).
DECODES_AT_ONCE = 1
_decode_slots = threading.BoundedSemaphore(DECODES_AT_ONCE)

# What normalise_upload() stores: enough detail to tile a tall capture at the
# largest tier's width (2576 px) without keeping a camera's full resolution.
STORED_SHORT_EDGE = 2576
STORED_MAX_PIXELS = 24_000_000
# The stored image is re-encoded for every request, so this only bounds storage.
STORED_MAX_BYTES = 12_000_000
# Store a JPEG only when it is much smaller than the PNG: PNG keeps text crisp.
JPEG_PREFERRED_BELOW = 0.5

# Claude's image tiers (platform.claude.com/docs/en/build-with-claude/vision).
# A bigger image is downscaled by the API, which only adds latency.
STANDARD_LONG_EDGE = 1568
STANDARD_MAX_TOKENS = 1568
HIGH_RES_LONG_EDGE = 2576  # Sonnet 5.5 and Sonnet 5
HIGH_RES_MAX_TOKENS = 4784
# An image costs ceil(width / 28) x ceil(height / 28) tokens.
TOKEN_PATCH = 28
# The API's hard limits: pixels per side, and per side again when one request
# carries more than MANY_IMAGES images.
MAX_SIDE = 8000
MANY_IMAGES = 20
MANY_IMAGES_MAX_SIDE = 2000
DEFAULT_MAX_TILES = 20

# Bedrock and Vertex refuse an image whose base64 string exceeds 5 MB (the API
# itself allows 10 MB). Base64 is 4/3 the raw size, so every block we send stays
# at or under 3,750,000 raw bytes and fits everywhere.
CLAUDE_MAX_RAW_BYTES = 3_750_000

# The published frame shapes end at 1:2; anything taller is tiled.
TALL_RATIO = 2
# Consecutive tiles share at least this fraction of a tile, so a line of text
# cut at one tile's edge is whole in its neighbour.
TILE_OVERLAP = 1 / 8

JPEG_QUALITY = 90
FALLBACK_JPEG_QUALITIES = (85, 75, 65)
# When even the lowest quality is too big, shrink by this factor each step, but
# not below this long edge: a smaller image would be unreadable anyway.
SHRINK_FACTOR = 0.75
MIN_LONG_EDGE = 400

# The formats normalise_upload() writes, which model_images() reads back.
STORED_MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}

WHITE = (255, 255, 255)
# Modes Lanczos resizes as they are (a palette image would be resized to its nearest colours).
RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA", "CMYK", "I", "I;16"}
SIXTEEN_BIT_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}

# What Pillow's decoders raise on bad input. Anything in this list means the
# file is damaged, not that our code is wrong, so it becomes an UploadError.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
)

# Formats Pillow can open but we refuse, named the way a tutor would say them.
REFUSED_FORMAT_NAMES = {
    "BMP": "a BMP image",
    "DIB": "a BMP image",
    "TIFF": "a TIFF image",
    "ICO": "a Windows icon",
    "ICNS": "a macOS icon",
    "PSD": "a Photoshop document",
    "AVIF": "an AVIF image",
    "HEIF": "a HEIC photo",
    "JPEG2000": "a JPEG 2000 image",
    "EPS": "a PostScript file",
}

# The leading bytes of each accepted format. If Pillow cannot even identify a
# file that starts like this, the file was cut short or damaged in transit.
ACCEPTED_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")

# ISO media "brands" (bytes 8-12 after "ftyp") used by HEIC/HEIF and AVIF files.
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}


class UploadError(Exception):
    """A specific, plain-words reason an upload was refused (shown next to the field)."""


class StoredImageError(ValueError):
    """The stored image cannot be read back or made into blocks (not a tutor's mistake)."""


@dataclass(frozen=True)
class NormalisedImage:
    """The cleaned image to store; model_images() makes Claude's blocks from its data."""

    data: bytes  # the re-encoded image
    media_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    original_format: str  # e.g. "PNG", "JPEG", "WEBP", "GIF"


@dataclass(frozen=True)
class ModelImage:
    """One image block to send to Claude: the whole image, or one tile of it."""

    data: bytes
    media_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    # The rows of the stored image this block shows: (top, bottom), bottom exclusive.
    source_rows: tuple[int, int]

    @property
    def tokens(self) -> int:
        """Return what the block costs in input tokens."""
        return image_tokens(self.width, self.height)


def normalise_upload(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    short_edge: int = STORED_SHORT_EDGE,
    stored_pixels: int = STORED_MAX_PIXELS,
) -> NormalisedImage:
    """Check, decode, clean and re-encode one uploaded image, or raise UploadError."""
    _check_file_size(data, max_bytes)
    try:
        with _decode_slots:
            img, original_format = _decode(data, max_pixels, short_edge, stored_pixels)
            # Shrink first where resizing keeps the pixels' meaning, so conversions copy the
            # stored size, not the upload's (palette images are converted first; the second
            # fit is then the one that shrinks). Each step rebinds img, so the step before is
            # freed before the next runs: nesting the calls keeps both alive (26-33 MiB more).
            if img.mode in RESIZABLE_MODES:
                img = _fit_for_storage(img, short_edge, stored_pixels)
            img = _to_rgb(img)
            img = _fit_for_storage(img, short_edge, stored_pixels)
            img = _without_metadata(img)
            encoded, media_type, img = _encode(img)
    except DECODE_ERRORS as exc:
        # Safety net: the steps above catch what they expect with a specific
        # message; this only stops an unexpected Pillow error reaching the tutor.
        raise UploadError(
            f"We could not read this image; it may be damaged. {ACCEPTED_HINT}"
        ) from exc
    return NormalisedImage(
        data=encoded,
        media_type=media_type,
        width=img.width,
        height=img.height,
        original_format=original_format,
    )


def model_images(
    data: bytes, *, long_edge: int, max_tokens: int, max_tiles: int = DEFAULT_MAX_TILES
) -> list[ModelImage]:
    """Return the blocks, in reading order, that show a stored image to a model of this tier."""
    if min(long_edge, max_tokens, max_tiles) < 1:
        raise ValueError("long_edge, max_tokens and max_tiles must be positive")
    long_edge = min(long_edge, MAX_SIDE)
    img, media_type = _decode_stored(data)
    width, height = img.size
    whole = (0, height)
    if _fits(width, height, long_edge, max_tokens):
        if len(data) <= CLAUDE_MAX_RAW_BYTES:
            return [ModelImage(data, media_type, width, height, whole)]
        return [_block(img, whole)]
    if height <= TALL_RATIO * width:
        size = _largest_fitting(
            img.size,
            _token_scale(width, height, long_edge, max_tokens),
            lambda w, h: _fits(w, h, long_edge, max_tokens),
        )
        return [_block(_resized(img, size), whole)]
    return _tiles(img, long_edge, max_tokens, max_tiles)


def image_tokens(width: int, height: int) -> int:
    """Return what an image of this size costs in input tokens."""
    return math.ceil(width / TOKEN_PATCH) * math.ceil(height / TOKEN_PATCH)


# --- checks before decoding ---------------------------------------------------


def _check_file_size(data: bytes, max_bytes: int) -> None:
    """Refuse empty and oversized files before Pillow reads a byte."""
    if not data:
        raise UploadError(f"The file is empty. {ACCEPTED_HINT}")
    if len(data) > max_bytes:
        raise UploadError(
            f"This file is {_format_size(len(data), round_up=True)}; "
            f"the limit is {_format_size(max_bytes)}. "
            "Crop the screenshot to the question, or save it as a JPEG."
        )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    """Refuse an image whose declared dimensions exceed the pixel cap."""
    width, height = size
    if width * height > max_pixels:
        raise UploadError(
            f"This image is {width:,} x {height:,} pixels; "
            f"the limit is {_describe_pixel_cap(max_pixels)}. Crop or shrink it and try again."
        )


# --- decoding -------------------------------------------------------------------


def _decode(
    data: bytes, max_pixels: int, short_edge: int, stored_pixels: int
) -> tuple[Image.Image, str]:
    """Open, vet and decode the first frame (a JPEG at reduced size); return it upright."""
    # Pillow only warns about very large images (and errors at twice that size);
    # turning the warning into an error means nothing huge is ever decoded.
    # catch_warnings is process-global, not thread-safe; a race only loses this
    # second line of defence, as _check_pixels runs before any decoding anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Not "with": closing the file would free the pixels, and copying them to keep
            # them would double the peak. The bytes are in memory; there is nothing to leak.
            img = Image.open(io.BytesIO(data))
            original_format = _check_format(img.format)
            # img.size comes from the header; nothing has been decoded yet.
            _check_pixels(img.size, max_pixels)
            if original_format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when that still covers the stored size.
                img.draft(None, _storage_size(img.size, short_edge, stored_pixels))
            # Image.open leaves an animated GIF/WebP on its first frame.
            img.load()
            return _upright(img), original_format
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadError(
                "This image is too large to open safely; "
                f"the limit is {_describe_pixel_cap(max_pixels)}. Crop or shrink it and try again."
            ) from exc
        except Image.UnidentifiedImageError as exc:
            raise UploadError(_unidentified_message(data)) from exc
        except DECODE_ERRORS as exc:
            raise UploadError(_damaged_message()) from exc


def _check_format(pillow_format: str | None) -> str:
    """Return the accepted format's name, or refuse the file naming what it is."""
    if pillow_format in ACCEPTED_FORMATS:
        return ACCEPTED_FORMATS[pillow_format]
    name = REFUSED_FORMAT_NAMES.get(pillow_format or "", f"an image in {pillow_format} format")
    raise UploadError(f"This file is {name}, which isn't accepted. {ACCEPTED_HINT}")


def _upright(img: Image.Image) -> Image.Image:
    """Return the image rotated as the EXIF Orientation tag says (phones store photos sideways)."""
    # In place: an upright image (most are) is not copied. A broken EXIF block only
    # costs the rotation hint; the pixels are fine.
    with contextlib.suppress(*DECODE_ERRORS):
        ImageOps.exif_transpose(img, in_place=True)
    return img


def _unidentified_message(data: bytes) -> str:
    """Explain a file Pillow could not identify, naming what it looks like."""
    if data.startswith(ACCEPTED_SIGNATURES) or _is_webp(data):
        return _damaged_message()
    what = _sniff_non_image(data)
    if what is None:
        return f"This file isn't an image we can read. {ACCEPTED_HINT}"
    return f"This file is {what}. {ACCEPTED_HINT}"


def _sniff_non_image(data: bytes) -> str | None:
    """Name a common non-accepted file type from its first bytes, or return None."""
    head = data[:1024]
    if head.startswith(b"%PDF"):
        return "a PDF document, not an image"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "a HEIC photo (the iPhone camera format), which isn't accepted"
    if head[4:8] == b"ftyp" and head[8:12] in AVIF_BRANDS:
        return "an AVIF image, which isn't accepted"
    if b"<svg" in head.lower():
        return "an SVG drawing, which isn't accepted"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive or Office document, not an image"
    if _looks_like_text(head):
        return "a text file, not an image"
    return None


def _is_webp(data: bytes) -> bool:
    """Say whether the bytes start like a WebP file (RIFF container, WEBP form)."""
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _looks_like_text(head: bytes) -> bool:
    """Say whether the bytes decode as UTF-8 text without control characters."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The 1 KB cut may split a multi-byte character at the very end; only
        # an error before that means the bytes are not text.
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(char.isprintable() or char in "\r\n\t\ufeff" for char in text)


def _damaged_message() -> str:
    """Return the message for a truncated or corrupt file."""
    return (
        "The image file is damaged or incomplete (perhaps it did not finish saving or "
        "uploading). Save the screenshot again and re-upload it."
    )


# --- cleaning -------------------------------------------------------------------


def _to_rgb(img: Image.Image) -> Image.Image:
    """Return the image as 8-bit RGB, with any transparency flattened onto white."""
    if img.mode in SIXTEEN_BIT_MODES:
        img = _sixteen_bit_to_grey(img)
    if img.has_transparency_data:
        return _flatten_on_white(img)
    return img.convert("RGB")


def _sixteen_bit_to_grey(img: Image.Image) -> Image.Image:
    """Scale a 16-bit greyscale image to 8 bits."""
    # A plain convert("L") clips every value above 255 to white; dividing by 256
    # maps 0-65535 onto 0-255 instead. In these formats "I" only holds 16-bit data.
    grey = img.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    # A 16-bit transparent colour key no longer matches the scaled values.
    grey.info.pop("transparency", None)
    return grey


def _flatten_on_white(img: Image.Image) -> Image.Image:
    """Composite a transparent image onto white (a page is white; black would hide text)."""
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (*WHITE, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _storage_scale(size: tuple[int, int], short_edge: int, max_pixels: int) -> float:
    """Return the scale (at most 1) that brings an image within the stored size."""
    width, height = size
    return min(1.0, short_edge / min(width, height), math.sqrt(max_pixels / (width * height)))


def _storage_size(size: tuple[int, int], short_edge: int, max_pixels: int) -> tuple[int, int]:
    """Return the stored size of an image, rounded up (what a JPEG draft must still cover)."""
    scale = _storage_scale(size, short_edge, max_pixels)
    return (math.ceil(size[0] * scale), math.ceil(size[1] * scale))


def _fit_for_storage(img: Image.Image, short_edge: int, max_pixels: int) -> Image.Image:
    """Downscale to at most max_pixels and short_edge on the short side; never upscale."""
    scale = _storage_scale(img.size, short_edge, max_pixels)
    if scale >= 1:
        return img
    size = _largest_fitting(
        img.size, scale, lambda w, h: w * h <= max_pixels and min(w, h) <= short_edge
    )
    return _resized(img, size)


def _largest_fitting(
    size: tuple[int, int], scale: float, fits: Callable[[int, int], bool]
) -> tuple[int, int]:
    """Return size scaled by at most scale, a pixel smaller each try until fits() accepts it."""
    width, height = size
    longest = max(size)
    # Rounding (and the token grid) can push the first guess just over a limit.
    target = max(1, min(longest, round(longest * scale)))
    while True:
        factor = target / longest
        candidate = (max(1, round(width * factor)), max(1, round(height * factor)))
        if fits(*candidate) or target == 1:
            return candidate
        target -= 1


def _resized(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Return the image resized to size with Lanczos resampling (itself if already that size)."""
    if img.size == size:
        return img
    # reducing_gap: shrink by a whole factor first (cheap, little memory), then Lanczos.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _scaled(img: Image.Image, factor: float) -> Image.Image:
    """Return the image resized by factor with Lanczos resampling."""
    # max(1, ...) keeps a very thin strip at least one pixel wide.
    width = max(1, round(img.width * factor))
    height = max(1, round(img.height * factor))
    return img.resize((width, height), Image.Resampling.LANCZOS)


def _without_metadata(img: Image.Image) -> Image.Image:
    """Return a copy that carries pixels only: no EXIF, ICC profile or text chunks."""
    # Pillow's PNG writer copies an ICC profile from img.info by itself, so
    # rebuilding from raw pixels is the sure way to leave everything behind.
    return Image.frombytes(img.mode, img.size, img.tobytes())


# --- encoding -------------------------------------------------------------------


def _encode(img: Image.Image) -> tuple[bytes, str, Image.Image]:
    """Re-encode for storage under STORED_MAX_BYTES; return bytes, media type and final image."""
    limit = STORED_MAX_BYTES
    png = _save_png(img)
    jpeg = _save_jpeg(img, JPEG_QUALITY)
    # PNG is lossless and usually smallest for screenshots; photos favour JPEG.
    if len(png) <= limit and len(jpeg) >= len(png) * JPEG_PREFERRED_BELOW:
        return png, "image/png", img
    if len(jpeg) <= limit:
        return jpeg, "image/jpeg", img

    for quality in FALLBACK_JPEG_QUALITIES:
        jpeg = _save_jpeg(img, quality)
        if len(jpeg) <= limit:
            return jpeg, "image/jpeg", img

    lowest_quality = FALLBACK_JPEG_QUALITIES[-1]
    while len(jpeg) > limit and max(img.size) > MIN_LONG_EDGE:
        img = _scaled(img, SHRINK_FACTOR)
        jpeg = _save_jpeg(img, lowest_quality)

    # Should never trigger: a MIN_LONG_EDGE image at quality 65 is far below the
    # limit. It is here so an oversized image is never stored.
    if len(jpeg) > limit:
        raise UploadError(f"This image could not be made small enough to send. {ACCEPTED_HINT}")
    return jpeg, "image/jpeg", img


def _save_png(img: Image.Image) -> bytes:
    """Encode as a PNG at zlib's default level."""
    # optimize=True saves about 5% but takes five times as long on text, which
    # adds up to seconds for a 24-megapixel upload or a stack of tiles.
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def _save_jpeg(img: Image.Image, quality: int) -> bytes:
    """Encode as a JPEG at the given quality."""
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


# --- model images ---------------------------------------------------------------


def _decode_stored(data: bytes) -> tuple[Image.Image, str]:
    """Decode a stored image as RGB with the upload's safety checks; return it and its type."""
    media_type = None
    size = (0, 0)
    # As in _decode: a huge image is never decoded, and a truncated one is refused.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                media_type = STORED_MEDIA_TYPES.get(img.format or "")
                size = img.size
                if media_type is not None and size[0] * size[1] <= DEFAULT_MAX_PIXELS:
                    img.load()
                    return img.convert("RGB"), media_type
        except (
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            *DECODE_ERRORS,
        ) as exc:
            raise StoredImageError("The stored image is damaged and cannot be read.") from exc
    if media_type is None:
        raise StoredImageError("The stored image is not a PNG or JPEG.")
    raise StoredImageError(f"The stored image is {size[0]:,} x {size[1]:,} pixels; too large.")


def _fits(width: int, height: int, long_edge: int, max_tokens: int) -> bool:
    """Say whether an image of this size is within a tier's long edge and token budget."""
    return max(width, height) <= long_edge and image_tokens(width, height) <= max_tokens


def _token_scale(width: int, height: int, long_edge: int, max_tokens: int) -> float:
    """Return the scale that brings an image near a tier's limits (ignoring the token grid)."""
    by_tokens = math.sqrt(max_tokens * TOKEN_PATCH**2 / (width * height))
    return min(1.0, long_edge / max(width, height), by_tokens)


@dataclass(frozen=True)
class _TileLayout:
    """Where the tiles of one tall image go, in the image scaled to the tile width."""

    width: int  # of every tile, and of the whole image scaled for tiling
    height: int  # of every tile
    scaled_height: int  # of the whole image scaled for tiling
    tops: list[int]  # of each tile, in the scaled image


def _tiles(img: Image.Image, long_edge: int, max_tokens: int, max_tiles: int) -> list[ModelImage]:
    """Cut a tall image into overlapping tiles, top to bottom, each within the tier's limits."""
    layout = _tile_layout(img.width, img.height, long_edge, max_tokens, max_tiles)
    scaled = _resized(img, (layout.width, layout.scaled_height))
    blocks = []
    for top in layout.tops:
        bottom = top + layout.height
        tile = scaled.crop((0, top, layout.width, bottom))
        # Map the scaled rows back onto the stored image, rounding outwards.
        source_top = top * img.height // layout.scaled_height
        source_bottom = min(img.height, -(-bottom * img.height // layout.scaled_height))
        blocks.append(_block(tile, (source_top, source_bottom)))
    return blocks


def _tile_layout(
    width: int, height: int, long_edge: int, max_tokens: int, max_tiles: int
) -> _TileLayout:
    """Choose the widest tiles that cover the image in at most max_tiles tiles."""
    # A square of max_tokens is the widest tile that still leaves room for height
    # (1092 px on the standard tier, its 1:1 frame); narrower means fewer, taller
    # tiles at a smaller scale, so we step down a token column at a time.
    widest = min(width, long_edge, TOKEN_PATCH * math.isqrt(max_tokens))
    narrower = range(TOKEN_PATCH * ((widest - 1) // TOKEN_PATCH), 0, -TOKEN_PATCH)
    for tile_width in (widest, *narrower):
        scaled_height = max(1, round(height * tile_width / width))
        tile_height = _tallest_tile(tile_width, long_edge, max_tokens)
        tops = _tile_tops(scaled_height, tile_height)
        if len(tops) > MANY_IMAGES:
            # A request with this many images allows only MANY_IMAGES_MAX_SIDE per side.
            edge = min(long_edge, MANY_IMAGES_MAX_SIDE)
            if tile_width > edge:
                continue
            tile_height = _tallest_tile(tile_width, edge, max_tokens)
            tops = _tile_tops(scaled_height, tile_height)
        if len(tops) <= max_tiles:
            return _TileLayout(tile_width, min(tile_height, scaled_height), scaled_height, tops)
    raise StoredImageError(f"The stored image is too tall to show in {max_tiles} tiles.")


def _tallest_tile(width: int, long_edge: int, max_tokens: int) -> int:
    """Return the tallest tile of this width within the long edge and the token budget."""
    rows = max_tokens // math.ceil(width / TOKEN_PATCH)
    return min(long_edge, TOKEN_PATCH * rows)


def _tile_tops(total: int, tile: int) -> list[int]:
    """Return the tops of tiles covering total rows, overlapping by at least TILE_OVERLAP."""
    if total <= tile:
        return [0]
    stride = max(1, tile - math.ceil(tile * TILE_OVERLAP))
    count = 1 + math.ceil((total - tile) / stride)
    # Spread the tiles evenly so the last ends exactly at the bottom, instead of
    # leaving a sliver or a last tile that mostly repeats the one before.
    span = total - tile
    return [round(index * span / (count - 1)) for index in range(count)]


def _block(img: Image.Image, source_rows: tuple[int, int]) -> ModelImage:
    """Encode one block as PNG, or as JPEG when the PNG is over Claude's size limit."""
    data, media_type = _save_png(img), "image/png"
    for quality in (JPEG_QUALITY, *FALLBACK_JPEG_QUALITIES):
        if len(data) <= CLAUDE_MAX_RAW_BYTES:
            break
        data, media_type = _save_jpeg(img, quality), "image/jpeg"
    # Should never trigger: within the published tiers, even noise fits as a JPEG at 90.
    if len(data) > CLAUDE_MAX_RAW_BYTES:
        raise StoredImageError("An image block could not be made small enough to send.")
    return ModelImage(data, media_type, img.width, img.height, source_rows)


# --- wording --------------------------------------------------------------------


def _format_size(n_bytes: int, *, round_up: bool = False) -> str:
    """Return a size in words, such as "14.2 MB", "800 KB" or "512 bytes"."""
    for unit, unit_bytes in (("MB", MIB), ("KB", KIB)):
        if n_bytes >= unit_bytes:
            if round_up:
                # Round a received size up, so a file just over the cap never
                # reads as equal to it ("10 MB; the limit is 10 MB").
                tenths = (n_bytes * 10 + unit_bytes - 1) // unit_bytes
            else:
                tenths = round(n_bytes * 10 / unit_bytes)
            return f"{_tenths_to_text(tenths)} {unit}"
    return f"{n_bytes} bytes"


def _tenths_to_text(tenths: int) -> str:
    """Return a count of tenths as "14.2", or "10" when it is whole."""
    whole, tenth = divmod(tenths, 10)
    return str(whole) if tenth == 0 else f"{whole}.{tenth}"


def _describe_pixel_cap(max_pixels: int) -> str:
    """Return the pixel cap in words, such as "40,000,000 pixels (40 megapixels)"."""
    return f"{max_pixels:,} pixels ({max_pixels / 1_000_000:g} megapixels)"
