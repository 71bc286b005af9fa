"""Thinking for the simulator: how many tokens a reply thinks, and signed thinking blocks.

Every thinking block the simulator returns carries a signature it can verify when the
block is sent back: an HMAC over the model and the block, and, for the models that bind
blocks to their conversation (Sonnet, Opus and Haiku 5.5), over the canonical JSON of
system, tools and every message before that assistant turn, cache_control keys ignored.
See https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting and
https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import math
import random
from typing import Any

from claude_simulator.outputs import task_of
from claude_simulator.rules import (
    MODELS,
    Problem,
    bad,
    blocks_of,
    effort_of,
    thinking_display,
    thinks,
)
from claude_simulator.tokens import canon, without_cache_control

# --- the thinking-token model ------------------------------------------------------------------
# THE SIMULATOR'S ASSUMPTION, NOT MEASUREMENTS OF CLAUDE: how long adaptive thinking runs.
# Thinking tokens are lognormal, median by effort times a factor by task, deterministic per
# request body (the draw is seeded by a hash of it), so a benchmark gets repeatable numbers.
THINKING_SIGMA = 0.7
THINKING_MEDIAN_TOKENS = {"low": 120, "medium": 450, "high": 1200, "xhigh": 3000, "max": 6000}
THINKING_TASK_FACTOR = {"extract": 0.6, "generate": 1.5, "solve": 1.0}  # other requests: 1.0
# -------------------------------------------------------------------------------------------------

DEFAULT_SIGNING_KEY = b"satgen-claude-simulator"
SIGNATURE_MAGIC = b"sim1"
MAC_BYTES = 16
SUMMARIES = {
    "extract": "Read the source, split it into passage, stem and choices, then classified it.",
    "generate": "Planned a question for the requested skill and difficulty, then checked the key.",
    "solve": "Worked the question through without the key and checked each choice.",
}


def thinking_tokens(body: dict) -> int:
    """Return how many tokens the simulator thinks before answering this request (0: none)."""
    if body.get("model") not in MODELS or not thinks(body):
        return 0
    median = THINKING_MEDIAN_TOKENS[effort_of(body)] * THINKING_TASK_FACTOR.get(
        task_of(body) or "", 1.0
    )
    # Seeded by the body without stream and max_tokens: the same request thinks as long
    # streamed or not, and with more room (a retry after a max_tokens stop).
    unseeded = ("stream", "max_tokens")
    seed = hashlib.sha256(canon({k: v for k, v in body.items() if k not in unseeded})).digest()
    draw = random.Random(int.from_bytes(seed[:8], "big")).gauss(0.0, 1.0)
    return max(1, round(median * math.exp(THINKING_SIGMA * draw)))


def summary(body: dict) -> str:
    """Return the one-line summary a `display: "summarized"` thinking block shows."""
    return SUMMARIES.get(task_of(body) or "", "Considered the request before answering.")


def conversation_prefix(body: dict, upto: int) -> bytes:
    """Return the canonical JSON of system, tools and messages[:upto], cache_control ignored."""
    system = blocks_of(body.get("system"))
    messages = [
        {"role": m.get("role"), "content": blocks_of(m.get("content"))}
        for m in body.get("messages", [])[:upto]
    ]
    prefix = {"system": system, "tools": body.get("tools") or [], "messages": messages}
    return canon(without_cache_control(prefix))


class Signer:
    """Sign the thinking blocks of replies and check the ones sent back."""

    def __init__(self, key: bytes = DEFAULT_SIGNING_KEY) -> None:
        self._key = key

    def _mac(self, *parts: bytes) -> bytes:
        return hmac.new(self._key, b"\x1f".join(parts), hashlib.sha256).digest()[:MAC_BYTES]

    def _block_mac(self, model: str, omitted: bool, text: str, index: int, count: int) -> bytes:
        # An omitted block's text is ignored when sent back (TH), so it is not signed.
        shown = "" if omitted else text
        return self._mac(b"block", model.encode(), canon([omitted, shown, index, count]))

    def _bind_mac(self, model: str, body: dict, upto: int) -> bytes:
        return self._mac(b"bind", model.encode(), conversation_prefix(body, upto))

    def sign(self, body: dict, text: str, *, index: int = 0, count: int = 1) -> str:
        """Return the signature of a thinking block at content[index] of the reply to `body`."""
        model = body["model"]
        omitted = thinking_display(body) == "omitted"
        raw = (
            SIGNATURE_MAGIC
            + bytes([int(omitted), len(model)])
            + model.encode()
            + self._block_mac(model, omitted, text, index, count)
            + self._bind_mac(model, body, len(body["messages"]))
        )
        return base64.b64encode(raw).decode()

    def _decode(self, signature: Any) -> tuple[bool, str, bytes, bytes] | None:
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError, TypeError):
            return None
        if not raw.startswith(SIGNATURE_MAGIC) or len(raw) < 6:
            return None
        omitted, length = bool(raw[4]), raw[5]
        model = raw[6 : 6 + length].decode(errors="replace")
        macs = raw[6 + length :]
        if len(macs) != 2 * MAC_BYTES:
            return None
        return omitted, model, macs[:MAC_BYTES], macs[MAC_BYTES:]

    def check(self, body: dict) -> tuple[Problem | None, dict]:
        """Check every thinking block sent back; return (the 400, or None; the body to answer).

        Blocks signed for another model are dropped silently (S55W: not read, not billed);
        with `block_binding.prefix_mismatch_behavior: "drop_block"` so are blocks whose
        conversation changed.
        """
        model = body["model"]
        messages = body["messages"]
        assistant = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
        binding = (body.get("thinking") or {}).get("block_binding") or {}
        drop_mismatch = binding.get("prefix_mismatch_behavior") == "drop_block"
        dropped: list[tuple[int, int]] = []
        for i in assistant:
            content = messages[i]["content"]
            positions = [
                j
                for j, block in enumerate(blocks_of(content))
                if block["type"] in ("thinking", "redacted_thinking")
            ]
            for j in positions:
                block, where = content[j], f"messages.{i}.content.{j}"
                invalid = f"{where}: Invalid `signature` in `thinking` block."
                modified = (
                    f"{where}: `thinking` or `redacted_thinking` blocks in the latest assistant "
                    "message cannot be modified. These blocks must remain as they were in the "
                    "original response."
                )
                wrong = bad(modified if i == assistant[-1] else invalid)
                redacted = block["type"] == "redacted_thinking"
                decoded = self._decode(block["data"] if redacted else block["signature"])
                if decoded is None:
                    return wrong, body
                omitted, signer_model, block_mac, bind_mac = decoded
                if signer_model != model:
                    dropped.append((i, j))
                    continue
                # Signed with its place in the turn and the turn's count of thinking blocks:
                # a block moved, or one of several dropped, no longer verifies.
                expected = self._block_mac(
                    model, omitted, block.get("thinking", ""), j, len(positions)
                )
                if redacted or not hmac.compare_digest(block_mac, expected):
                    return wrong, body
                if MODELS[model].binds_conversation and not hmac.compare_digest(
                    bind_mac, self._bind_mac(model, body, i)
                ):
                    if not drop_mismatch:
                        return bad(
                            f"{invalid} The block is bound to a different conversation. Remove "
                            "the block, or set `thinking.block_binding.prefix_mismatch_behavior` "
                            'to "drop_block".'
                        ), body
                    dropped.append((i, j))
        if not dropped:
            return None, body
        cleaned = copy.deepcopy(body)
        for i, j in reversed(dropped):  # from the end, so the positions still hold
            del cleaned["messages"][i]["content"][j]
        return None, cleaned
