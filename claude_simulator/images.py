"""Read image headers and count image tokens the way the vision docs describe.

https://platform.claude.com/docs/en/build-with-claude/vision: JPEG, PNG, GIF and WebP;
an image costs ceil(w/28) x ceil(h/28) tokens after the API shrinks it (aspect kept) to fit
the model's tier: a long edge and a token limit.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claude_simulator.rules import ModelRules

PATCH = 28


def sniff_media_type(raw: bytes) -> str | None:
    """Return the media type the image bytes are, by their signature."""
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: str) -> tuple[int, int] | None:
    """Read (width, height) of a base64 PNG, GIF, JPEG or WebP, or None when unreadable."""
    try:
        return raw_image_size(base64.b64decode(data))
    except (binascii.Error, ValueError):
        return None


# JPEG start-of-frame markers, which carry the image size (C4, C8 and CC are not frames).
JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def raw_image_size(raw: bytes) -> tuple[int, int] | None:
    """Return (width, height) of PNG, GIF, JPEG or WebP bytes, or None when unreadable."""
    kind = sniff_media_type(raw)
    try:
        if kind == "image/png" and raw[12:16] == b"IHDR":
            return struct.unpack(">II", raw[16:24])
        if kind == "image/gif":
            return struct.unpack("<HH", raw[6:10])
        if kind == "image/jpeg":
            return _jpeg_size(raw)
        if kind == "image/webp":
            return _webp_size(raw)
    except struct.error:
        return None
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    """Walk the JPEG segments to the first frame header and read its size."""
    index = 2
    while index + 9 <= len(raw):
        if raw[index] != 0xFF:
            return None
        marker = raw[index + 1]
        if marker == 0xFF:  # fill byte before a marker
            index += 1
            continue
        if marker in JPEG_FRAME_MARKERS:
            height, width = struct.unpack(">HH", raw[index + 5 : index + 9])
            return width, height
        (length,) = struct.unpack(">H", raw[index + 2 : index + 4])
        index += 2 + length
    return None


def _webp_size(raw: bytes) -> tuple[int, int] | None:
    chunk = raw[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(raw[24:27], "little") + 1
        height = int.from_bytes(raw[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(raw[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", raw[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def image_tokens(width: int, height: int, rules: ModelRules) -> int:
    """Return an image's tokens on this model: 28-px patches after the API's downscaling."""
    if width <= 0 or height <= 0:
        return 1
    scale = min(1.0, rules.image_long_edge / max(width, height))

    def patches(s: float) -> int:
        return math.ceil(round(width * s) / PATCH) * math.ceil(round(height * s) / PATCH)

    if patches(scale) > rules.image_max_tokens:
        scale = min(scale, math.sqrt(rules.image_max_tokens * PATCH * PATCH / (width * height)))
        step = 1 / max(width, height)  # one pixel of the long edge at a time
        while patches(scale) > rules.image_max_tokens and scale > step:
            scale -= step
    return max(1, patches(scale))


def source_tokens(source: dict, rules: ModelRules) -> int:
    """Return an image's tokens; one the simulator cannot measure costs the tier's maximum."""
    # A URL or file it cannot fetch: the most the API would charge for it.
    data = source.get("data")
    size = image_size(data) if source.get("type") == "base64" and isinstance(data, str) else None
    return rules.image_max_tokens if size is None else image_tokens(*size, rules)
