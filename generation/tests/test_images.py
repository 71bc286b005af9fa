"""Tests for upload normalisation: real awkward files in, the image we store out.

Every input is built here with Pillow (or raw bytes where Pillow will not write
the file), and every test decodes the output and checks what a tutor would
notice: orientation, colours, size, format, metadata, or the refusal message.
"""

from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFile
from PIL.PngImagePlugin import PngInfo

from generation import images
from generation.images import NormalisedImage, UploadError, normalise_upload

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
ORIENTATION_TAG = 0x0112
MAKE_TAG = 0x010F
ACCEPTED_WORDS = "PNG, JPEG, WebP or GIF"
MEDIA_TYPE_OF_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg"}


# --- helpers --------------------------------------------------------------------


def _encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    """Save an image to bytes in the given format."""
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _decoded(result: NormalisedImage) -> Image.Image:
    """Decode the output, checking its bytes really are the format media_type claims."""
    img = Image.open(io.BytesIO(result.data))
    assert MEDIA_TYPE_OF_FORMAT.get(img.format or "") == result.media_type
    assert img.size == (result.width, result.height)
    assert img.mode == "RGB"
    img.load()
    return img


def _pixel(img: Image.Image, position: tuple[int, int]) -> tuple[int, ...]:
    """Return one RGB pixel as a tuple."""
    value = img.getpixel(position)
    assert isinstance(value, tuple)
    return value


def _assert_close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> None:
    """Assert two RGB colours differ by at most tolerance on every channel."""
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (
        f"{actual} is not close to {expected}"
    )


def _noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """Return an RGB image of random noise: the worst case for any compressor."""
    data = random.Random(seed).randbytes(width * height * 3)
    return Image.frombytes("RGB", (width, height), data)


def _screenshot(width: int, height: int) -> Image.Image:
    """Return a screenshot-like image: white page, lines of black 'text'."""
    img = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(img)
    for top in range(40, height - 40, 60):
        draw.rectangle((40, top, width - 40, top + 20), fill=BLACK)
    return img


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    """Return one PNG chunk: length, type, payload and CRC."""
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _bomb_png(width: int, height: int) -> bytes:
    """Build a real, valid 1-bit PNG of width x height, all black, a few KB long."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = bytes(1 + (width + 7) // 8)  # filter byte, then 8 pixels per byte
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


# --- orientation, modes and colours ---------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "marker_at"),
    [
        # 6: stored sideways, display rotated 90 degrees clockwise: top-left -> top-right.
        (6, "top-right"),
        # 8: display rotated 90 degrees anticlockwise: top-left -> bottom-left.
        (8, "bottom-left"),
    ],
)
def test_exif_rotated_jpeg_comes_out_upright(orientation: int, marker_at: str) -> None:
    stored = Image.new("RGB", (200, 100), RED)
    stored.paste(BLUE, (0, 0, 50, 50))  # marker in the stored top-left corner
    exif = stored.getexif()
    exif[ORIENTATION_TAG] = orientation
    data = _encode(stored, "JPEG", quality=95, exif=exif)

    result = normalise_upload(data)
    out = _decoded(result)

    assert out.size == (100, 200)
    corners = {
        "top-left": (10, 10),
        "top-right": (89, 10),
        "bottom-left": (10, 189),
        "bottom-right": (89, 189),
    }
    for corner, position in corners.items():
        expected = BLUE if corner == marker_at else RED
        _assert_close(_pixel(out, position), expected, tolerance=30)


def test_cmyk_jpeg_becomes_rgb_with_the_right_colours() -> None:
    img = Image.new("CMYK", (64, 64), (0, 255, 255, 0))  # red
    img.paste((255, 255, 0, 0), (32, 0, 64, 64))  # blue
    data = _encode(img, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"

    result = normalise_upload(data)
    out = _decoded(result)

    assert result.original_format == "JPEG"
    _assert_close(_pixel(out, (10, 32)), RED, tolerance=30)
    _assert_close(_pixel(out, (54, 32)), BLUE, tolerance=30)


def test_16_bit_greyscale_png_keeps_its_greys() -> None:
    # Three bands: a quarter, half and three quarters of full scale. Built from raw
    # little-endian samples because Pillow's paste() mangles I;16 values >= 0x8000.
    row = struct.pack("<96H", *([0x4000] * 32 + [0x8000] * 32 + [0xC000] * 32))
    img = Image.frombytes("I;16", (96, 32), row * 32)
    data = _encode(img, "PNG")
    assert Image.open(io.BytesIO(data)).mode in {"I;16", "I"}

    out = _decoded(normalise_upload(data))

    # Clipping (the classic bug) would turn all three bands white.
    _assert_close(_pixel(out, (16, 16)), (64, 64, 64), tolerance=2)
    _assert_close(_pixel(out, (48, 16)), (128, 128, 128), tolerance=2)
    _assert_close(_pixel(out, (80, 16)), (192, 192, 192), tolerance=2)


def test_transparent_png_is_flattened_onto_white() -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # transparent black
    img.paste((0, 0, 255, 255), (25, 25, 75, 75))  # opaque blue square
    img.paste((0, 0, 0, 128), (0, 90, 100, 100))  # half-transparent black strip
    data = _encode(img, "PNG")

    out = _decoded(normalise_upload(data))

    assert _pixel(out, (5, 5)) == WHITE
    assert _pixel(out, (50, 50)) == BLUE
    # Half-transparent black over white is mid-grey, not black and not white.
    _assert_close(_pixel(out, (50, 95)), (127, 127, 127), tolerance=3)


def test_palette_png_with_transparency_gets_a_white_background() -> None:
    img = Image.new("P", (64, 64), 0)
    img.putpalette([0, 0, 0, 255, 0, 0])  # index 0 black (transparent), index 1 red
    img.paste(1, (32, 0, 64, 64))
    data = _encode(img, "PNG", transparency=0)
    reopened = Image.open(io.BytesIO(data))
    assert reopened.mode == "P"
    assert "transparency" in reopened.info

    out = _decoded(normalise_upload(data))

    assert _pixel(out, (10, 32)) == WHITE
    assert _pixel(out, (54, 32)) == RED


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_image_gives_its_first_frame(fmt: str) -> None:
    frames = [Image.new("RGB", (64, 64), colour) for colour in (RED, GREEN, BLUE)]
    data = _encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3

    result = normalise_upload(data)
    out = _decoded(result)

    assert result.original_format == fmt
    _assert_close(_pixel(out, (32, 32)), RED, tolerance=20)


def test_webp_is_accepted() -> None:
    img = Image.new("RGB", (120, 80), GREEN)
    img.paste(BLUE, (60, 0, 120, 80))
    data = _encode(img, "WEBP", quality=90)

    result = normalise_upload(data)
    out = _decoded(result)

    assert result.original_format == "WEBP"
    assert out.size == (120, 80)
    _assert_close(_pixel(out, (20, 40)), GREEN, tolerance=20)
    _assert_close(_pixel(out, (100, 40)), BLUE, tolerance=20)


# --- refusals -------------------------------------------------------------------


@pytest.mark.parametrize("side", [8_000, 20_000])
def test_decompression_bomb_is_refused_without_decoding(
    side: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 8,000^2 = 64 Mpx trips our 40 Mpx cap; 20,000^2 = 400 Mpx also trips Pillow's own.
    data = _bomb_png(side, side)
    assert len(data) < 200_000

    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("a decompression bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)

    with pytest.raises(UploadError, match="the limit is 40,000,000 pixels"):
        normalise_upload(data)


def test_bomb_png_is_a_real_image_under_a_raised_cap() -> None:
    # Guards the test above: the bomb is refused for its size, not for being malformed.
    result = normalise_upload(_bomb_png(2_000, 2_000), max_pixels=5_000_000)
    out = _decoded(result)
    assert out.size == (2000, 2000)
    assert _pixel(out, (100, 100)) == BLACK


def test_pixel_cap_message_states_the_dimensions() -> None:
    data = _encode(Image.new("RGB", (300, 200), WHITE), "PNG")
    with pytest.raises(UploadError) as caught:
        normalise_upload(data, max_pixels=50_000)
    assert "300 x 200 pixels" in str(caught.value)
    assert "50,000 pixels" in str(caught.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_truncated_file_is_refused_as_damaged(fmt: str) -> None:
    data = _encode(_noise(256, 256), fmt)
    with pytest.raises(UploadError, match="damaged or incomplete"):
        normalise_upload(data[: len(data) // 2])


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_file_cut_inside_its_header_is_refused_as_damaged(fmt: str) -> None:
    # Too short for Pillow to identify, but it starts like an image: say damaged,
    # not "this isn't an image".
    data = _encode(_screenshot(200, 200), fmt)
    with pytest.raises(UploadError, match="damaged or incomplete"):
        normalise_upload(data[:12])


def test_corrupted_png_does_not_leak_a_pillow_error() -> None:
    data = bytearray(_encode(_noise(128, 128), "PNG"))
    data[200:400] = bytes(200)  # wipe part of the pixel data; the chunk CRC now fails
    with pytest.raises(UploadError):
        normalise_upload(bytes(data))


@pytest.mark.parametrize(
    ("data", "named"),
    [
        pytest.param(b"Question 12: if 3x + 5 = 20, what is x?\n", "a text file", id="text"),
        pytest.param(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "a PDF document",
            id="pdf",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><rect width="10" height="10"/></svg>',
            "an SVG drawing",
            id="svg",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
            "a HEIC photo",
            id="heic",
        ),
        pytest.param(_encode(Image.new("RGB", (8, 8), RED), "BMP"), "a BMP image", id="bmp"),
        pytest.param(_encode(Image.new("RGB", (8, 8), RED), "TIFF"), "a TIFF image", id="tiff"),
        pytest.param(random.Random(1).randbytes(4096), "isn't an image we can read", id="binary"),
    ],
)
def test_non_images_are_refused_naming_what_was_received(data: bytes, named: str) -> None:
    with pytest.raises(UploadError) as caught:
        normalise_upload(data)
    message = str(caught.value)
    assert named in message
    assert ACCEPTED_WORDS in message


def test_pdf_message_reads_plainly() -> None:
    with pytest.raises(UploadError) as caught:
        normalise_upload(b"%PDF-1.7\n")
    assert str(caught.value) == (
        "This file is a PDF document, not an image. Upload a PNG, JPEG, WebP or GIF screenshot."
    )


def test_empty_file_is_refused() -> None:
    with pytest.raises(UploadError, match="empty") as caught:
        normalise_upload(b"")
    assert ACCEPTED_WORDS in str(caught.value)


def test_oversized_file_is_refused_quoting_the_limit() -> None:
    data = _encode(_noise(64, 64), "PNG")  # about 12 KB
    assert len(data) > 2048
    with pytest.raises(UploadError, match="the limit is 2 KB"):
        normalise_upload(data, max_bytes=2048)


def test_oversized_file_message_at_the_default_limit() -> None:
    data = bytes(int(14.2 * 1024 * 1024))  # never decoded, so its content does not matter
    with pytest.raises(UploadError) as caught:
        normalise_upload(data)
    assert "This file is 14.2 MB; the limit is 10 MB." in str(caught.value)


def test_file_just_over_the_limit_does_not_read_as_equal_to_it() -> None:
    with pytest.raises(UploadError) as caught:
        normalise_upload(bytes(10 * 1024 * 1024 + 1))
    assert "This file is 10.1 MB; the limit is 10 MB." in str(caught.value)


# --- size, scaling, metadata, encoding ------------------------------------------


@pytest.mark.parametrize(
    ("size", "short_edge", "expected"),
    [
        pytest.param((4000, 3000), images.STORED_SHORT_EDGE, (3435, 2576), id="default"),
        pytest.param((1000, 1500), 500, (500, 750), id="portrait"),
    ],
)
def test_screenshot_beyond_the_short_edge_is_downscaled_keeping_its_aspect(
    size: tuple[int, int], short_edge: int, expected: tuple[int, int]
) -> None:
    data = _encode(_screenshot(*size), "PNG")

    result = normalise_upload(data, short_edge=short_edge)
    out = _decoded(result)

    assert out.size == expected
    assert out.width / out.height == pytest.approx(size[0] / size[1], rel=0.002)
    # A screenshot is flat colour: PNG is the smaller, lossless choice.
    assert result.media_type == "image/png"


def test_small_image_is_not_upscaled() -> None:
    result = normalise_upload(_encode(_screenshot(300, 200), "PNG"))
    assert _decoded(result).size == (300, 200)


def test_short_edge_can_be_chosen() -> None:
    result = normalise_upload(_encode(_screenshot(1000, 500), "PNG"), short_edge=200)
    assert _decoded(result).size == (400, 200)


def test_tall_capture_is_stored_at_full_size() -> None:
    # A long passage captured as one image: squashing it into 1568 px (209 x 1568)
    # would make it unreadable; it is kept whole for model_images() to tile.
    source = _screenshot(1200, 9000)
    source.paste(RED, (0, 8960, 1200, 9000))  # marks the bottom rows
    data = _encode(source, "PNG")

    result = normalise_upload(data)
    out = _decoded(result)

    assert out.size == (1200, 9000)
    assert result.media_type == "image/png"
    assert out.tobytes() == source.tobytes()  # lossless: every text row as uploaded


def test_image_over_the_stored_pixel_cap_is_downscaled_to_it() -> None:
    # The default cap is 24 megapixels; a lower one keeps this test small.
    result = normalise_upload(_encode(_screenshot(1200, 9000), "PNG"), stored_pixels=2_700_000)
    out = _decoded(result)
    assert out.size == (600, 4500)


def _with_metadata(img: Image.Image, fmt: str) -> bytes:
    """Save an image carrying EXIF (camera make), an sRGB ICC profile and, for PNG, text."""
    exif = img.getexif()
    exif[MAKE_TAG] = "PhoneCo"
    exif[ORIENTATION_TAG] = 1
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    params: dict[str, object] = {"exif": exif, "icc_profile": icc}
    if fmt == "PNG":
        text = PngInfo()
        text.add_text("Comment", "student: Jane Doe")
        params["pnginfo"] = text
    return _encode(img, fmt, **params)


@pytest.mark.parametrize(
    ("source", "fmt", "expected_media_type"),
    [
        pytest.param(_screenshot(300, 200), "PNG", "image/png", id="png-out"),
        pytest.param(_noise(300, 200), "JPEG", "image/jpeg", id="jpeg-out"),
    ],
)
def test_metadata_is_stripped(source: Image.Image, fmt: str, expected_media_type: str) -> None:
    data = _with_metadata(source, fmt)
    original = Image.open(io.BytesIO(data))
    assert original.getexif()[MAKE_TAG] == "PhoneCo"
    assert original.info.get("icc_profile")

    result = normalise_upload(data)
    out = _decoded(result)

    assert result.media_type == expected_media_type
    assert len(out.getexif()) == 0
    assert "icc_profile" not in out.info
    assert "exif" not in out.info
    assert "Comment" not in out.info
    assert b"PhoneCo" not in result.data
    assert b"Jane Doe" not in result.data


def test_noisy_photo_is_stored_as_jpeg_at_full_size() -> None:
    # Larger than the old 1568 px fit, which is no longer applied on upload.
    data = _encode(_noise(1800, 1200), "PNG", compress_level=1)

    result = normalise_upload(data)
    out = _decoded(result)

    # The PNG is about 6.5 MB; a JPEG at a third of that is the sensible choice.
    assert len(result.data) <= images.STORED_MAX_BYTES
    assert len(result.data) < len(data) / 2
    assert result.media_type == "image/jpeg"
    assert out.format == "JPEG"
    assert out.size == (1800, 1200)


def test_output_over_the_cap_is_shrunk_until_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lower the cap so the fallback steps (lower quality, then smaller) run on a small input.
    monkeypatch.setattr(images, "STORED_MAX_BYTES", 150_000)
    data = _encode(_noise(1000, 750), "PNG", compress_level=1)

    result = normalise_upload(data)
    out = _decoded(result)

    assert len(result.data) <= 150_000
    assert result.media_type == "image/jpeg"
    assert out.width < 1000
    assert out.width / out.height == pytest.approx(4 / 3, rel=0.01)


def test_output_that_cannot_fit_is_refused_rather_than_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(images, "STORED_MAX_BYTES", 500)
    data = _encode(_noise(600, 450), "PNG", compress_level=1)

    with pytest.raises(UploadError, match="could not be made small enough"):
        normalise_upload(data)


# Eight uploads at once of a 165 KiB RGBA PNG of 6300 x 6300, decoded in threads of one fresh
# process (bench/uploads.py's measurement): the rise of its peak memory. Unbounded, they add
# ~2.8 GB (docs/benchmarks.md).
def test_eight_worst_case_uploads_at_once_stay_far_under_a_web_pods_memory():
    bench = Path(__file__).resolve().parents[2] / "bench" / "uploads.py"
    command = [sys.executable, str(bench), "--child", "png-6300-rgba", "--parallel", "8"]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    added_mib = json.loads(out.stdout.splitlines()[-1])["added_mib"]
    assert added_mib < 400  # a web pod's limit is 768 Mi, the app itself ~150
