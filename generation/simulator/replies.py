"""Build Messages API bodies and SSE events for the Claude simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REFUSAL_TEXT = "I can't help with that request."
REFUSAL_EXPLANATION = "Simulated refusal: the Claude simulator was told to decline this request."

Event = tuple[str, dict]
Splitter = Callable[[str], list[str]]


@dataclass
class Reply:
    """One simulated assistant reply, renderable as a JSON Message or as SSE events."""

    message_id: str
    model: str
    content: list[dict]
    # Per content block: the text or tool-input JSON the stream sends as deltas.
    streamed: list[str]
    stop_reason: str
    usage: dict[str, int]
    stop_details: dict | None = field(default=None)

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


def tool_use_reply(
    message_id: str, model: str, tool_id: str, tool: str, tool_input: dict, usage: dict[str, int]
) -> Reply:
    """Return a complete forced-tool reply (stop_reason "tool_use")."""
    block = {"type": "tool_use", "id": tool_id, "name": tool, "input": tool_input}
    return Reply(
        message_id,
        model,
        content=[block],
        streamed=[json.dumps(tool_input, ensure_ascii=False)],
        stop_reason="tool_use",
        usage=usage,
    )


def max_tokens_reply(
    message_id: str,
    model: str,
    tool_id: str,
    tool: str,
    tool_input: dict,
    usage: dict[str, int],
    max_tokens: int,
) -> Reply:
    """Return a well-formed reply cut off by max_tokens in the middle of the tool input."""
    text = json.dumps(tool_input, ensure_ascii=False)
    cut_text = text[: max(1, len(text) // 2)]
    # A cut JSON string cannot be parsed, so the non-streaming body keeps the first half of
    # the fields; the SDK's stream accumulator parses the cut JSON itself (jiter, partial mode).
    items = list(tool_input.items())
    partial = dict(items[: len(items) // 2])
    block = {"type": "tool_use", "id": tool_id, "name": tool, "input": partial}
    return Reply(
        message_id,
        model,
        content=[block],
        streamed=[cut_text],
        stop_reason="max_tokens",
        usage={**usage, "output_tokens": max_tokens},
    )


def refusal_reply(message_id: str, model: str, usage: dict[str, int]) -> Reply:
    """Return a reply that declines, with stop_reason "refusal" and stop_details."""
    return Reply(
        message_id,
        model,
        content=[{"type": "text", "text": REFUSAL_TEXT}],
        streamed=[REFUSAL_TEXT],
        stop_reason="refusal",
        usage=usage,
        stop_details={"type": "refusal", "category": None, "explanation": REFUSAL_EXPLANATION},
    )


def break_schema(tool_input: dict, schema: dict | None) -> dict:
    """Return the input minus its first required field (or with an unknown one) so it fails."""
    required = (schema or {}).get("required") or list(tool_input)
    for name in required:
        if name in tool_input:
            return {key: value for key, value in tool_input.items() if key != name}
    return {**tool_input, "unexpected_field": "not in the schema"}


def stream_events(reply: Reply, split: Splitter) -> list[Event]:
    """Return the SSE events the API streams for `reply`, in order."""
    start = {
        **reply.message(),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**reply.usage, "output_tokens": 1},
    }
    start.pop("stop_details", None)
    events: list[Event] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("ping", {"type": "ping"}),
    ]
    for index, (block, text) in enumerate(zip(reply.content, reply.streamed, strict=True)):
        events.extend(_block_events(index, block, text, split))
    delta: dict[str, Any] = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    if reply.stop_details is not None:
        delta["stop_details"] = reply.stop_details
    # message_delta usage is cumulative, so it repeats the input side too, as the API does.
    events.append(
        ("message_delta", {"type": "message_delta", "delta": delta, "usage": reply.usage})
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _block_events(index: int, block: dict, text: str, split: Splitter) -> list[Event]:
    """Return content_block_start, its deltas and content_block_stop for one block."""
    if block["type"] == "tool_use":
        empty = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in split(text)]
    else:
        empty = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in split(text)]
    events: list[Event] = [
        (
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": empty},
        )
    ]
    events.extend(
        ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        for delta in deltas
    )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def cut_short(events: list[Event]) -> list[Event]:
    """Return the events up to the middle delta: a stream that dies mid-reply."""
    deltas = [i for i, (name, _) in enumerate(events) if name == "content_block_delta"]
    if not deltas:
        return events[:2]
    return events[: deltas[len(deltas) // 2]]


def encode_event(name: str, data: dict) -> bytes:
    """Encode one SSE event as the API sends it: an event line, a data line, a blank line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {payload}\n\n".encode()


def error_body(error_type: str, message: str, request_id: str) -> dict:
    """Return the API's error body."""
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }


def request_problem(body: Any) -> str | None:
    """Return why a Messages request is invalid (the 400 message), or None when it is fine."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return "max_tokens: Field required (a positive integer)"
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return "messages: at least one message is required"
    return _tool_problem(body)


def _tool_problem(body: dict) -> str | None:
    """Return why the tools / tool_choice pair cannot force one tool, or None."""
    tools = body.get("tools")
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        return "tools: the simulator needs a list of tools"
    choice = body.get("tool_choice")
    if not isinstance(choice, dict) or choice.get("type") != "tool":
        return 'tool_choice: the simulator needs {"type": "tool", "name": ...}'
    if choice.get("name") not in {tool.get("name") for tool in tools}:
        return f"tool_choice.name: no tool named {choice.get('name')!r} in tools"
    return None


def tool_schema(body: dict, tool: str) -> dict | None:
    """Return the input_schema of the named tool in the request."""
    for candidate in body.get("tools") or []:
        if candidate.get("name") == tool:
            schema = candidate.get("input_schema")
            return schema if isinstance(schema, dict) else None
    return None
