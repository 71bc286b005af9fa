"""Build Messages API bodies and SSE events for the Claude simulator."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REFUSAL_TEXT = "I can't help with that request."
REFUSAL_EXPLANATION = "Simulated refusal: the Claude simulator was told to decline this request."
TEXT_REPLY = (
    "This is the Claude simulator, not Claude. It answers structured-output requests "
    "(output_config.format) with simulated data; this request asked for plain text."
)

# The usage fields message_delta repeats: its usage is cumulative, input side included.
DELTA_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
               "output_tokens", "output_tokens_details")  # fmt: skip

Event = tuple[str, dict]
Splitter = Callable[[str], list[str]]


def event(name: str, **fields: Any) -> Event:
    """Return an SSE event: its name, and its data, whose type is the name."""
    return name, {"type": name, **fields}


def new_id(prefix: str) -> str:
    # Random, not seeded: ids must stay unique across restarts (callers may store them).
    return f"{prefix}{uuid.uuid4().hex[:24]}"


@dataclass
class Reply:
    """One simulated assistant reply, renderable as a JSON Message or as SSE events."""

    message_id: str
    model: str
    content: list[dict]
    stop_reason: str
    usage: dict[str, Any]
    stop_details: dict | None = None
    # Per content block index: the tool-input JSON text to stream when it differs from the
    # block's input (a max_tokens cut sends half a JSON document).
    partial_json: dict[int, str] = field(default_factory=dict)

    @property
    def thinking_tokens(self) -> int:
        details = self.usage.get("output_tokens_details") or {}
        return int(details.get("thinking_tokens", 0))

    def message(self) -> dict:
        """Return the reply as a non-streaming Message body."""
        message: dict[str, Any] = {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": self.content,
            "stop_reason": self.stop_reason,
            "stop_sequence": None,
            "usage": self.usage,
        }
        if self.stop_details is not None:
            message["stop_details"] = self.stop_details
        return message


def refusal_stop_details() -> dict:
    """Return the stop_details of a refusal (S55W: category may be null)."""
    return {"type": "refusal", "category": None, "explanation": REFUSAL_EXPLANATION}


def stream_events(reply: Reply, split: Splitter) -> list[Event]:
    """Return the SSE events the API streams for `reply`, in order."""
    start = {
        **reply.message(),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        # The placeholder output count of message_start (the streaming docs show 1).
        "usage": {
            **{k: v for k, v in reply.usage.items() if k != "output_tokens_details"},
            "output_tokens": 1,
        },
    }
    start.pop("stop_details", None)
    events = [event("message_start", message=start), event("ping")]
    for index, block in enumerate(reply.content):
        events.extend(_block_events(index, block, reply.partial_json.get(index), split))
    delta: dict[str, Any] = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    if reply.stop_details is not None:
        delta["stop_details"] = reply.stop_details
    usage = {key: reply.usage[key] for key in DELTA_USAGE if key in reply.usage}
    return [*events, event("message_delta", delta=delta, usage=usage), event("message_stop")]


def _block_events(index: int, block: dict, partial: str | None, split: Splitter) -> list[Event]:
    """Return content_block_start, its deltas and content_block_stop for one block."""
    deltas: list[dict]
    if block["type"] == "tool_use":
        empty = {**block, "input": {}}
        text = partial if partial is not None else json.dumps(block["input"], ensure_ascii=False)
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in split(text)]
    elif block["type"] == "thinking":
        # TH: a thinking block starts empty; display "omitted" sends no thinking_delta, just
        # one signature_delta before the block stops.
        empty = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": p} for p in split(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    else:
        empty = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in split(block["text"])]
    return [
        event("content_block_start", index=index, content_block=empty),
        *(event("content_block_delta", index=index, delta=delta) for delta in deltas),
        event("content_block_stop", index=index),
    ]


def cut_short(events: list[Event]) -> list[Event]:
    """Return the events up to the middle delta: a stream that dies mid-reply."""
    deltas = [i for i, (name, _) in enumerate(events) if name == "content_block_delta"]
    if not deltas:
        return events[:2]
    return events[: max(deltas[len(deltas) // 2], 3)]


def encode_event(name: str, data: dict) -> bytes:
    """Encode one SSE event as the API sends it: an event line, a data line, a blank line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {payload}\n\n".encode()


def error_body(error_type: str, message: str, request_id: str) -> dict:
    """Return the API's error body."""
    error = {"type": error_type, "message": message}
    return {"type": "error", "error": error, "request_id": request_id}
