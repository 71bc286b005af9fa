"""Estimate token usage and model the prompt cache the way the API documents it.

Token counts are estimates (text ~4 characters a token, images by 28-px patches per model
tier). The cache follows https://platform.claude.com/docs/en/build-with-claude/prompt-caching:
breakpoints in tools, system and message blocks, prefix order tools -> system -> messages,
a per-model minimum, 5m / 1h lifetimes refreshed on a hit, and entries readable only once
the response that wrote them has begun.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from claude_simulator.images import source_tokens
from claude_simulator.rules import MODELS, ModelRules, blocks_of, effort_of, thinking_type

CHARS_PER_TOKEN = 4
CACHE_TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
# PC: "each breakpoint looks back ~20 content blocks" for an earlier cached prefix.
CACHE_LOOKBACK_BLOCKS = 20
MAX_CACHE_ENTRIES = 50_000


def estimate_tokens(value: Any, rules: ModelRules) -> int:
    """Estimate the tokens of a JSON value: ~4 characters a token, images by the model's tier."""
    images: list[dict] = []
    text = json.dumps(_without_images(value, images), ensure_ascii=False)
    return math.ceil(len(text) / CHARS_PER_TOKEN) + sum(source_tokens(s, rules) for s in images)


def output_tokens(value: Any) -> int:
    """Estimate the tokens the model wrote to produce `value` (a str as is, else its JSON)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


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


# --- the prompt cache ----------------------------------------------------------------------


@dataclass
class _Unit:
    """One cacheable unit of the prompt: a tool, a system block or a message block."""

    region: str  # "tools", "system" or "messages"
    key: bytes  # its canonical JSON
    tokens: int
    ttl: str | None  # the TTL of a breakpoint on this unit


@dataclass
class CachePlan:
    """What one request reads from and writes to the cache, decided when it arrives."""

    usage: dict[str, Any]
    writes: list[tuple[str, float]] = field(default_factory=list)


def canon(value: Any) -> bytes:
    """Return the canonical JSON of a value (sorted keys, no spaces), as bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def without_cache_control(value: Any) -> Any:
    """Copy a JSON value without its cache_control keys (they are not part of the prompt)."""
    if isinstance(value, dict):
        return {k: without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [without_cache_control(item) for item in value]
    return value


def _ttl(block: Any) -> str | None:
    if not isinstance(block, dict):
        return None
    control = block.get("cache_control")
    if isinstance(control, dict):
        return str(control.get("ttl", "5m"))
    if block.get("type") == "tool_result" and isinstance(block.get("content"), list):
        # A breakpoint inside a tool result caches through the end of that result.
        inner = [_ttl(item) for item in block["content"]]
        return next((ttl for ttl in reversed(inner) if ttl), None)
    return None


def prompt_units(body: dict, rules: ModelRules) -> list[_Unit]:
    """Return the prompt's units in prefix order tools -> system -> messages."""
    units: list[_Unit] = []

    def add(region: str, value: Any, key: Any) -> None:
        # The markers are no part of the prompt: they neither cost tokens nor change the key.
        plain = without_cache_control(value)
        key = canon(without_cache_control(key))
        units.append(_Unit(region, key, estimate_tokens(plain, rules), _ttl(value)))

    for tool in body.get("tools") or []:
        add("tools", tool, tool)
    # The output format's schema is prompt too, cached with the tools at the head of the prefix:
    # the structured-outputs page says changing it invalidates the cache of the conversation,
    # which only a part of the prefix can do.
    output_format = _mapping(body.get("output_config")).get("format")
    if output_format:
        add("tools", output_format, {"output_format": output_format})
    for block in blocks_of(body.get("system")):
        add("system", block, block)
    for message in body.get("messages") or []:
        for j, block in enumerate(blocks_of(message.get("content"))):
            add("messages", block, {"role": message.get("role"), "first": j == 0, "block": block})
    automatic = body.get("cache_control")
    if isinstance(automatic, dict) and units:
        units[-1].ttl = units[-1].ttl or str(automatic.get("ttl", "5m"))
    return units


def message_context(body: dict) -> bytes:
    """Return what a breakpoint inside messages also depends on (PC's invalidation table).

    Effort, thinking and the output format invalidate message breakpoints; a parameter set
    explicitly to its default is the same as leaving it out (THT), so defaults are filled in.
    """
    config = _mapping(body.get("output_config"))
    thinking = {
        k: v
        for k, v in _mapping(body.get("thinking")).items()
        if not (k == "display" and v == "omitted")
    }
    thinking["type"] = thinking_type(body)
    return canon(
        {
            "effort": effort_of(body),
            "format": config.get("format"),
            "thinking": thinking,
            "tool_choice": body.get("tool_choice"),
        }
    )


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


class PromptCache:
    """Remember cached prompt prefixes for their TTL, as the API's prompt cache does."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # key -> (expiry, ttl seconds); an entry is here only once its writer's reply began.
        self._entries: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def plan(self, body: dict) -> CachePlan:
        """Look the request up as it arrives; return its input usage and the entries it writes.

        The longest readable prefix ending at (or up to 20 blocks before) a breakpoint is read;
        the rest up to the last breakpoint is written, split by the TTL of the breakpoint that
        ends each segment; prefixes below the model's minimum are neither read nor written.
        """
        rules = MODELS[body["model"]]
        units = prompt_units(body, rules)
        context = message_context(body)
        keys: list[str] = []
        cumulative: list[int] = []
        digest = hashlib.sha256(rules.model.encode()).digest()
        total = 0
        for unit in units:
            digest = hashlib.sha256(digest + unit.key).digest()
            suffix = context if unit.region == "messages" else b""
            keys.append(hashlib.sha256(digest + suffix).hexdigest())
            total += unit.tokens
            cumulative.append(total)
        marked = [p for p, unit in enumerate(units) if unit.ttl]

        read_at = -1
        with self._lock:
            now = self._clock()
            for mark in marked:
                for p in range(mark, max(-1, mark - CACHE_LOOKBACK_BLOCKS), -1):
                    entry = self._entries.get(keys[p])
                    if entry is not None and entry[0] > now:
                        read_at = max(read_at, p)
                        break
            if read_at >= 0:
                _, seconds = self._entries[keys[read_at]]
                self._entries[keys[read_at]] = (now + seconds, seconds)  # a hit refreshes it

        read = cumulative[read_at] if read_at >= 0 else 0
        written = {"5m": 0, "1h": 0}
        writes: list[tuple[str, float]] = []
        start = read
        for mark in marked:
            if mark <= read_at or cumulative[mark] < rules.cache_min_tokens:
                continue
            ttl = units[mark].ttl or "5m"
            written[ttl] += cumulative[mark] - start
            start = cumulative[mark]
            writes.append((keys[mark], CACHE_TTL_SECONDS[ttl]))
        creation = written["5m"] + written["1h"]
        usage = {
            # As the API reports it: input_tokens excludes what was read from or written to cache.
            "input_tokens": total - read - creation,
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": written["5m"],
                "ephemeral_1h_input_tokens": written["1h"],
            },
        }
        return CachePlan(usage=usage, writes=writes)

    def commit(self, plan: CachePlan) -> None:
        """Make a plan's entries readable: its response has begun."""
        if not plan.writes:
            return
        with self._lock:
            now = self._clock()
            for key, seconds in plan.writes:
                expiry, _ = self._entries.get(key, (0.0, seconds))
                self._entries[key] = (max(expiry, now + seconds), seconds)
            if len(self._entries) > MAX_CACHE_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._entries.clear()
