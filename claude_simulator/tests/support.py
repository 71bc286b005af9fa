"""Builders for the simulator's tests: tiny images and requests shaped like SATgen's client.

The requests follow the client's contract (streamed structured output, a 1h system
breakpoint, image tiles for extraction, an examples block for generation); the schemas are
the stage models' JSON schemas with $refs inlined, through the SDK's own transform.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import struct
import zlib
from typing import Any

import anthropic
from pydantic import BaseModel

from generation.pipeline.schemas import BlindSolution, DraftQuestion, Extraction

STAGE_MODELS: dict[str, type[BaseModel]] = {
    "extract": Extraction,
    "generate": DraftQuestion,
    "solve": BlindSolution,
}
MODEL_IDS = ("claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5", "claude-sonnet-5")


def extraction_output(confidence: float = 0.9) -> dict:
    """Return a valid extraction (a one-step linear equation, grid-in) to answer with."""
    return {
        "is_sat_question": True,
        "not_a_question_reason": "",
        "kind": "spr",
        "passage": "",
        "passage_b": "",
        "stem": "What is x?",
        "choices": [],
        "figure": "",
        "classification": {
            "skill": "linear_equations_one_variable",
            "difficulty": "easy",
            "confidence": confidence,
        },
    }


def png(width: int, height: int) -> bytes:
    """Return the header of a PNG of that size: enough for the API's checks and token count."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + crc


def jpeg(width: int, height: int) -> bytes:
    """Return the start of a JPEG of that size (a frame header right after SOI)."""
    return b"\xff\xd8\xff\xc0\x00\x11\x08" + struct.pack(">HH", height, width) + b"\x03" + bytes(9)


def image_block(raw: bytes, media_type: str = "image/png") -> dict:
    """Return a base64 image content block."""
    data = base64.b64encode(raw).decode()
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def inline_refs(schema: dict) -> dict:
    """Return a JSON schema with its internal $refs replaced by their definitions."""
    definitions = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[1]])
                return inline({**target, **{k: v for k, v in node.items() if k != "$ref"}})
            return {k: inline(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def strict_schema(model: type[BaseModel]) -> dict:
    """Return a stage model's schema as the client sends it: refs inlined, SDK-transformed."""
    return copy.deepcopy(_strict_schema(model))


@functools.cache
def _strict_schema(model: type[BaseModel]) -> dict:
    return anthropic.transform_schema(inline_refs(model.model_json_schema()))


def stage_request(
    task: str,
    *,
    model: str = "claude-sonnet-5-5",
    system: str = "You are SATgen's question writer. Follow the rubric exactly. " * 60,
    request: dict | None = None,
    images: list[dict] | None = None,
    examples: str | None = None,
    effort: str | None = "medium",
    thinking: dict | None = None,
    max_tokens: int = 16000,
) -> dict:
    """Return Messages API params shaped like the client's call for a task (without stream)."""
    content: list[dict] = []
    if task == "extract":
        content += images if images is not None else [image_block(png(1200, 800))]
        content.append({"type": "text", "text": "Record the SAT question in these tiles."})
    elif task == "generate":
        request = request or {
            "section": "math",
            "domain": "algebra",
            "skill": "linear_equations_one_variable",
            "difficulty": "medium",
            "kind": "mcq",
            "instruction": "",
            "variant": 0,
            "avoid": [],
        }
        shelf = examples if examples is not None else "<examples>\n" + "Example. " * 400
        content.append(
            {
                "type": "text",
                "text": f"{shelf}</examples><source>x</source>",
                "cache_control": {"type": "ephemeral"},
            }
        )
        content.append(
            {"type": "text", "text": f"Write it. <request>{json.dumps(request)}</request>"}
        )
    else:
        question = request or {"kind": "mcq", "stem": "If 2x + 3 = 11, what is x?", "choices": []}
        content.append({"type": "text", "text": f"<question>{json.dumps(question)}</question>"})
    output_config: dict[str, Any] = {
        "format": {"type": "json_schema", "schema": strict_schema(STAGE_MODELS[task])}
    }
    if effort is not None:
        output_config["effort"] = effort
    params: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        "system": [
            {"type": "text", "text": system, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
        ],
        "messages": [{"role": "user", "content": content}],
        "output_config": output_config,
    }
    if thinking is not None:
        params["thinking"] = thinking
    return params


def replay(params: dict, message: Any, correction: str = "The key field was wrong.") -> dict:
    """Return params for a repair turn: the reply appended verbatim, then a user message."""
    content = [
        block.model_dump(exclude_none=True, exclude={"parsed_output"})
        if hasattr(block, "model_dump")
        else dict(block)
        for block in message.content
    ]
    messages = [
        *copy.deepcopy(params["messages"]),
        {"role": "assistant", "content": content},
        {"role": "user", "content": [{"type": "text", "text": correction}]},
    ]
    return {**params, "messages": messages}
