"""Normalise an uploaded screenshot before it is sent to Claude.

Tutors upload whatever their device produced: PNG screenshots, phone JPEGs with
an EXIF rotation, CMYK scans, 16-bit PNGs, WebP and GIF files. Claude should get
one clean image instead: upright, 8-bit RGB, no larger than it can use, no
metadata, and comfortably under its per-image size limit.

normalise_upload() turns the uploaded bytes into that image, or refuses with an
UploadError whose message tells the tutor, in plain words, what was wrong and
what to upload instead. It is pure (bytes in, NormalisedImage out): the caller
keeps the original upload for audit.

Safety: the format is decided from the bytes, never from a filename; oversized
files are refused before Pillow sees them; pixel counts are checked before
anything is decoded, so a small file declaring huge dimensions (a decompression
bomb) is never expanded in memory; truncated files are refused rather than
silently padded (ImageFile.LOAD_TRUNCATED_IMAGES is left at its default, False).
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

ACCEPTED_HINT = "Upload a PNG, JPEG, WebP or GIF screenshot."

# Pillow's names for the formats we accept. Cameras that store a second picture
# (a depth map or preview) write JPEGs that Pillow reports as MPO; the first
# picture is an ordinary JPEG, so MPO is accepted and reported as JPEG.
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "WEBP": "WEBP", "GIF": "GIF"}

MIB = 1024 * 1024
KIB = 1024

DEFAULT_MAX_BYTES = 10 * MIB
DEFAULT_MAX_PIXELS = 40_000_000
# Claude's vision works best at up to 1568 px on the long edge; larger images
# are downscaled on its side anyway, costing upload time and tokens for nothing.
DEFAULT_LONG_EDGE = 1568

# Claude refuses an image whose base64 string exceeds 5 MB. Base64 is 4/3 the
# raw size, so the raw bytes must stay at or under 3,750,000; aim lower for margin.
CLAUDE_MAX_RAW_BYTES = 3_750_000
TARGET_BYTES = 3_500_000

JPEG_QUALITY = 90
FALLBACK_JPEG_QUALITIES = (85, 75, 65)
# When even the lowest quality is too big, shrink by this factor each step, but
# not below this long edge: a smaller image would be unreadable anyway.
SHRINK_FACTOR = 0.75
MIN_LONG_EDGE = 400

WHITE = (255, 255, 255)
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


@dataclass(frozen=True)
class NormalisedImage:
    """The cleaned image to send to Claude."""

    data: bytes  # the re-encoded image to send to Claude
    media_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    original_format: str  # e.g. "PNG", "JPEG", "WEBP", "GIF"


def normalise_upload(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    long_edge: int = DEFAULT_LONG_EDGE,
) -> NormalisedImage:
    """Check, decode, clean and re-encode one uploaded image, or raise UploadError."""
    _check_file_size(data, max_bytes)
    try:
        img, original_format = _decode(data, max_pixels)
        img = _to_rgb(img)
        img = _fit_within(img, long_edge)
        img = _without_metadata(img)
        encoded, media_type, img = _encode(img, TARGET_BYTES)
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


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Open, vet and fully decode the first frame; return it upright with its format."""
    # Pillow only warns about very large images (and errors at twice that size);
    # turning the warning into an error means nothing huge is ever decoded.
    # catch_warnings is process-global, not thread-safe; a race only loses this
    # second line of defence, as _check_pixels runs before any decoding anyway.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                original_format = _check_format(img.format)
                # img.size comes from the header; nothing has been decoded yet.
                _check_pixels(img.size, max_pixels)
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
    """Return a copy rotated as the EXIF Orientation tag says (phones store photos sideways)."""
    try:
        return ImageOps.exif_transpose(img)
    except DECODE_ERRORS:
        # A broken EXIF block only costs the rotation hint; the pixels are fine.
        return img.copy()


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


def _fit_within(img: Image.Image, long_edge: int) -> Image.Image:
    """Downscale so the long edge is at most long_edge, keeping the aspect ratio; never upscale."""
    longest = max(img.size)
    if longest <= long_edge:
        return img
    return _scaled(img, long_edge / longest)


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


def _encode(img: Image.Image, target_bytes: int) -> tuple[bytes, str, Image.Image]:
    """Re-encode as PNG or JPEG under target_bytes; return bytes, media type and final image."""
    png = _save_png(img)
    jpeg = _save_jpeg(img, JPEG_QUALITY)
    # PNG is lossless and usually smallest for screenshots; photos favour JPEG.
    if len(png) <= len(jpeg) and len(png) <= target_bytes:
        return png, "image/png", img
    if len(jpeg) <= target_bytes:
        return jpeg, "image/jpeg", img

    for quality in FALLBACK_JPEG_QUALITIES:
        jpeg = _save_jpeg(img, quality)
        if len(jpeg) <= target_bytes:
            return jpeg, "image/jpeg", img

    lowest_quality = FALLBACK_JPEG_QUALITIES[-1]
    while len(jpeg) > target_bytes and max(img.size) > MIN_LONG_EDGE:
        img = _scaled(img, SHRINK_FACTOR)
        jpeg = _save_jpeg(img, lowest_quality)

    # Should never trigger: a MIN_LONG_EDGE image at quality 65 is far below the
    # limit. It is here so an oversized image can never be sent to Claude.
    if len(jpeg) > CLAUDE_MAX_RAW_BYTES:
        raise UploadError(f"This image could not be made small enough to send. {ACCEPTED_HINT}")
    return jpeg, "image/jpeg", img


def _save_png(img: Image.Image) -> bytes:
    """Encode as an optimised PNG."""
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _save_jpeg(img: Image.Image, quality: int) -> bytes:
    """Encode as a JPEG at the given quality."""
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


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
