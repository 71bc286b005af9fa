"""Estimate token usage and model the prompt cache for the Claude simulator."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

CHARS_PER_TOKEN = 4
# The API downscales images past these limits, so bigger images cost no more.
IMAGE_LONG_EDGE = 1568
IMAGE_MAX_PIXELS = 1_150_000
CACHE_TTLS = {"5m": 300.0, "1h": 3600.0}
# JPEG start-of-frame markers, which carry the image size (C4, C8 and CC are not frames).
JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def estimate_tokens(value: Any) -> int:
    """Estimate the tokens of a JSON value: ~4 characters a token, images by pixel count."""
    images: list[dict] = []
    text = json.dumps(_without_images(value, images), ensure_ascii=False)
    return math.ceil(len(text) / CHARS_PER_TOKEN) + sum(image_tokens(src) for src in images)


def output_tokens(value: Any) -> int:
    """Estimate the tokens the model wrote to produce `value` (at least 1)."""
    return max(1, math.ceil(len(json.dumps(value, ensure_ascii=False)) / CHARS_PER_TOKEN))


def _without_images(value: Any, found: list[dict]) -> Any:
    """Copy `value` with image blocks emptied, collecting their sources in `found`."""
    if isinstance(value, dict):
        if value.get("type") == "image" and isinstance(value.get("source"), dict):
            found.append(value["source"])
            return {"type": "image"}
        return {key: _without_images(item, found) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_images(item, found) for item in value]
    return value


def image_tokens(source: dict) -> int:
    """Estimate an image's tokens: width*height/750 after the API's downscaling."""
    data = source.get("data")
    if source.get("type") != "base64" or not isinstance(data, str):
        return 0
    size = image_size(data)
    if size is None:
        return max(1, math.ceil(len(data) / 1000))
    width, height = size
    if width <= 0 or height <= 0:
        return 1
    scale = min(
        1.0, IMAGE_LONG_EDGE / max(width, height), math.sqrt(IMAGE_MAX_PIXELS / (width * height))
    )
    return max(1, math.ceil(width * height * scale * scale / 750))


def image_size(data: str) -> tuple[int, int] | None:
    """Read (width, height) of a base64 PNG, GIF or JPEG, or None when it is not readable."""
    try:
        head = base64.b64decode(data[:32])
    except (binascii.Error, ValueError):
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if head.startswith(b"\xff\xd8"):
        try:
            return _jpeg_size(base64.b64decode(data))
        except (binascii.Error, ValueError, struct.error):
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


def cached_prefix(body: dict) -> tuple[dict, float] | None:
    """Return the cacheable prefix (tools + system up to the last breakpoint) and its TTL."""
    system = body.get("system")
    if not isinstance(system, list):
        return None
    marked = [
        i
        for i, block in enumerate(system)
        if isinstance(block, dict) and block.get("cache_control")
    ]
    if not marked:
        return None
    last = marked[-1]
    control = system[last]["cache_control"]
    ttl = (
        CACHE_TTLS.get(control.get("ttl", "5m"), CACHE_TTLS["5m"])
        if isinstance(control, dict)
        else 0
    )
    # The real cache prefix runs tools -> system -> messages, so tools are part of it.
    return {"tools": body.get("tools") or [], "system": system[: last + 1]}, ttl


class PromptCache:
    """Remember cached prompt prefixes for their TTL, as the API's prompt cache does."""

    def __init__(self, *, min_tokens: int = 0, clock: Callable[[], float] = time.monotonic):
        self.min_tokens = min_tokens
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def usage(self, body: dict) -> dict[str, int]:
        """Return the input side of `usage` for a request, writing or reading the cache."""
        total = estimate_tokens({key: body.get(key) for key in ("tools", "system", "messages")})
        created, read = self._lookup(body)
        return {
            # As the API reports it: input_tokens excludes what was written to or read from cache.
            "input_tokens": max(1, total - created - read),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
        }

    def _lookup(self, body: dict) -> tuple[int, int]:
        """Return (tokens written, tokens read) for the request's cached prefix."""
        found = cached_prefix(body)
        if found is None:
            return 0, 0
        prefix, ttl = found
        tokens = estimate_tokens(prefix)
        if tokens < self.min_tokens or ttl <= 0:
            return 0, 0  # the API silently skips caching prefixes below the model's minimum
        key = hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
        with self._lock:
            now = self._clock()
            hit = self._expiry.get(key, 0.0) > now
            self._expiry[key] = now + ttl  # a hit refreshes the entry's lifetime
        return (0, tokens) if hit else (tokens, 0)

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._expiry.clear()
