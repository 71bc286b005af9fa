"""Tests for model_images(): a stored image in, the image blocks Claude is sent out.

Every input is a synthetic capture built here with Pillow. The tall ones are
made of numbered bands (band i is 40 rows whose red channel is i, with a black
"line of text" across it), so decoding a block's left edge tells which source
rows it shows: the tests check order, overlap and coverage from the pixels, not
only from the geometry model_images() reports.
"""

from __future__ import annotations

import functools
import io
import math
import random
import struct
import zlib
from dataclasses import dataclass

import pytest
from PIL import Image, ImageDraw, ImageFile

from generation.images import ModelImage, StoredImageError, model_images

BAND = 40
MEDIA_TYPE_OF_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg"}

# The published tiers and limits, written out so a wrong constant in the code fails here.
STANDARD = {"long_edge": 1568, "max_tokens": 1568}
HIGH_RES = {"long_edge": 2576, "max_tokens": 4784}  # Sonnet 5.5, Sonnet 5
MAX_RAW_BYTES = 3_750_000  # 5 MB of base64 on Bedrock and Vertex
TIERS = [pytest.param(STANDARD, id="standard"), pytest.param(HIGH_RES, id="high-res")]


# --- helpers --------------------------------------------------------------------


def _png(img: Image.Image) -> bytes:
    """Save as a quickly compressed PNG, as a stored screenshot would be."""
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _numbered_capture(width: int, height: int) -> Image.Image:
    """Return a capture of 40-row bands, band i with red value i and a line of 'text'."""
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for index, top in enumerate(range(0, height, BAND)):
        draw.rectangle((0, top, width - 1, top + BAND - 1), fill=(index % 256, 255, 255))
        draw.rectangle((40, top + 12, width - 40, top + 27), fill=(0, 0, 0))
    return img


def _screenshot(width: int, height: int) -> Image.Image:
    """Return a screenshot-like image: white page, lines of black 'text'."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for top in range(40, height - 40, 60):
        draw.rectangle((40, top, width - 40, top + 20), fill=(0, 0, 0))
    return img


def _decoded(block: ModelImage) -> Image.Image:
    """Decode a block, checking its bytes are what its media type and size claim."""
    img = Image.open(io.BytesIO(block.data))
    assert MEDIA_TYPE_OF_FORMAT.get(img.format or "") == block.media_type
    assert img.size == (block.width, block.height)
    img.load()
    return img.convert("RGB")


def _bands(block: ModelImage) -> list[int]:
    """Return the band number of every row of a block, read from its left edge."""
    img = _decoded(block)
    return [img.getpixel((2, y))[0] for y in range(img.height)]  # type: ignore[index]


def _tokens(width: int, height: int) -> int:
    """Return the published cost of an image: one token per started 28 x 28 patch."""
    return math.ceil(width / 28) * math.ceil(height / 28)


def _assert_within(block: ModelImage, *, long_edge: int, max_tokens: int) -> None:
    """Check a block against a tier's limits and the API's hard limits."""
    assert max(block.width, block.height) <= min(long_edge, 8000)
    assert _tokens(block.width, block.height) <= max_tokens
    assert block.tokens == _tokens(block.width, block.height)
    assert len(block.data) <= MAX_RAW_BYTES


def _assert_cover_in_order(blocks: list[ModelImage], height: int) -> None:
    """Check the blocks' source rows run top to bottom, overlapping, from row 0 to the last."""
    rows = [block.source_rows for block in blocks]
    assert rows[0][0] == 0
    assert rows[-1][1] == height
    for (top, bottom), (next_top, next_bottom) in zip(rows, rows[1:], strict=False):
        assert top < next_top < bottom < next_bottom
        # A line of text cut at one tile's edge is whole in its neighbour.
        assert bottom - next_top >= (bottom - top) / 8 - 1


def _bomb_png(width: int, height: int) -> bytes:
    """Build a real, valid 1-bit PNG of width x height, all black, a few KB long."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- a tall capture -------------------------------------------------------------


@functools.cache
def _tall_capture() -> bytes:
    """Return a 1200 x 9000 capture of a long passage, 225 numbered bands (built once)."""
    return _png(_numbered_capture(1200, 9000))


@functools.cache
def _large_capture(width: int, height: int) -> bytes:
    """Return a large screenshot-like capture as PNG (built once per size)."""
    return _png(_screenshot(width, height))


@dataclass(frozen=True)
class Tiled:
    tier: dict[str, int]
    blocks: list[ModelImage]
    bands: list[list[int]]  # the band number of each row of each block


@pytest.fixture(scope="module", params=TIERS)
def tall_tiles(request: pytest.FixtureRequest) -> Tiled:
    """The blocks model_images() makes of a 1200 x 9000 capture (225 bands) for one tier."""
    blocks = model_images(_tall_capture(), **request.param)
    return Tiled(request.param, blocks, [_bands(block) for block in blocks])


def test_tall_capture_is_cut_into_tiles_within_the_tier(tall_tiles: Tiled) -> None:
    tier, blocks = tall_tiles.tier, tall_tiles.blocks

    assert len(blocks) > 2
    for block in blocks:
        _assert_within(block, **tier)
        assert block.media_type == "image/png"  # text stays lossless
        # Readable: far wider than the 209 px a single squashed image would be.
        assert block.width >= 1000
    assert len({(block.width, block.height) for block in blocks}) == 1
    # Standard: 1092 px is the docs' 1:1 frame, 1120 rows keep 39 x 40 = 1560 tokens.
    # High-res: the full 1200 px width, 2576 rows (43 x 92 = 3956 tokens).
    expected = {1568: (9, 1092, 1120), 2576: (4, 1200, 2576)}
    assert (len(blocks), blocks[0].width, blocks[0].height) == expected[tier["long_edge"]]


def test_tall_capture_tiles_run_top_to_bottom_and_overlap(tall_tiles: Tiled) -> None:
    blocks, bands = tall_tiles.blocks, tall_tiles.bands

    for block, tile_bands in zip(blocks, bands, strict=True):
        # What each tile shows is what its source_rows say.
        top, bottom = block.source_rows
        assert abs(tile_bands[0] - top // BAND) <= 1
        assert abs(tile_bands[-1] - (bottom - 1) // BAND) <= 1
        assert tile_bands == sorted(tile_bands)  # not flipped or shuffled
    for upper, lower in zip(bands, bands[1:], strict=False):
        assert upper[0] < lower[0]
        # At least one whole band (a line of text with its margins) is in both.
        assert len(set(upper) & set(lower)) >= 3
    _assert_cover_in_order(blocks, 9000)


def test_tall_capture_tiles_cover_every_row_and_end_at_the_bottom(tall_tiles: Tiled) -> None:
    blocks, bands = tall_tiles.blocks, tall_tiles.bands

    assert set().union(*bands) == set(range(9000 // BAND))
    assert bands[0][0] == 0
    # The last tile ends at the last row: shifted up, not a sliver.
    assert bands[-1][-1] == 9000 // BAND - 1
    assert blocks[-1].height == blocks[0].height


# --- images that are not tall ---------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "size", "expected"),
    [
        pytest.param(STANDARD, (3000, 2000), (1344, 896), id="standard-wide"),
        pytest.param(HIGH_RES, (3000, 2000), (2352, 1568), id="high-res-wide"),
        pytest.param(STANDARD, (2000, 3000), (896, 1344), id="standard-portrait"),
        pytest.param(HIGH_RES, (2000, 3000), (1568, 2352), id="high-res-portrait"),
    ],
)
def test_large_capture_becomes_one_image_within_the_tier(
    tier: dict, size: tuple[int, int], expected: tuple[int, int]
) -> None:
    data = _large_capture(*size)

    blocks = model_images(data, **tier)

    assert len(blocks) == 1
    (block,) = blocks
    _decoded(block)
    _assert_within(block, **tier)
    assert block.width / block.height == pytest.approx(size[0] / size[1], rel=0.01)
    # The largest that fits, not merely something that fits.
    assert block.tokens >= 0.95 * tier["max_tokens"]
    assert block.source_rows == (0, size[1])
    # 48 x 32 = 1536 tokens on standard, 84 x 56 = 4704 on high-res.
    assert (block.width, block.height) == expected


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_small_screenshot_is_sent_unchanged(tier: dict, fmt: str) -> None:
    buffer = io.BytesIO()
    _screenshot(800, 600).save(buffer, format=fmt)
    data = buffer.getvalue()

    blocks = model_images(data, **tier)

    assert len(blocks) == 1
    assert blocks[0].data == data
    assert blocks[0].media_type == MEDIA_TYPE_OF_FORMAT[fmt]
    assert (blocks[0].width, blocks[0].height, blocks[0].source_rows) == (800, 600, (0, 600))


# --- limits on the number of tiles ----------------------------------------------


def test_capture_too_tall_for_max_tiles_is_tiled_narrower() -> None:
    # At full width (150 px, 1568-row tiles) this needs 21 tiles; the limit is 20.
    data = _png(_numbered_capture(150, 28_000))

    blocks = model_images(data, **STANDARD)

    assert len(blocks) <= 20
    for block in blocks:
        _assert_within(block, **STANDARD)
        assert 100 <= block.width < 150
    _assert_cover_in_order(blocks, 28_000)


def test_more_than_twenty_tiles_are_each_at_most_2000_px() -> None:
    # On the high-res tier these tiles would be 2576 rows tall; with more than
    # 20 images in one request the API allows at most 2000 px per side.
    data = _png(_numbered_capture(100, 48_000))

    blocks = model_images(data, **HIGH_RES, max_tiles=30)

    assert 20 < len(blocks) <= 30
    for block in blocks:
        _assert_within(block, **HIGH_RES)
        assert max(block.width, block.height) <= 2000  # the published rule, not our constant
    _assert_cover_in_order(blocks, 48_000)


# --- encoding -------------------------------------------------------------------


def test_noisy_photo_tiles_fall_back_to_jpeg_under_the_size_limit() -> None:
    # A tall photo-like capture: each 600 x 2576 high-res tile is about 4.6 MB as PNG.
    noise = random.Random(7).randbytes(600 * 2700 * 3)
    data = _png(Image.frombytes("RGB", (600, 2700), noise))

    blocks = model_images(data, **HIGH_RES)

    assert len(blocks) == 2
    for block in blocks:
        _assert_within(block, **HIGH_RES)
        assert block.media_type == "image/jpeg"
        _decoded(block)  # really a JPEG
    _assert_cover_in_order(blocks, 2700)


# --- refusals -------------------------------------------------------------------


def test_damaged_stored_image_is_refused() -> None:
    data = _png(_screenshot(400, 300))
    with pytest.raises(StoredImageError, match="damaged"):
        model_images(data[: len(data) // 2], **STANDARD)


def test_stored_image_in_another_format_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="BMP")
    with pytest.raises(StoredImageError, match="not a PNG or JPEG"):
        model_images(buffer.getvalue(), **STANDARD)


def test_huge_stored_image_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bomb_png(8_000, 8_000)  # 64 megapixels in a few KB

    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("a decompression bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)

    with pytest.raises(StoredImageError, match="too large"):
        model_images(data, **STANDARD)
