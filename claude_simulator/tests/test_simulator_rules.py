"""The simulator refuses what the published API refuses, per model, through the real SDK."""

from __future__ import annotations

import base64
import json
from typing import Any

import anthropic
import httpx2
import pytest
from pydantic import BaseModel

from claude_simulator import SimulatorServer
from claude_simulator.images import image_size, image_tokens
from claude_simulator.rules import MODELS, effort_of
from claude_simulator.tests.support import (
    MODEL_IDS,
    extraction_output,
    image_block,
    jpeg,
    png,
    stage_request,
    strict_schema,
)
from generation.pipeline.schemas import BlindSolution, DraftQuestion, Extraction

OUTPUTS = {
    "solve": {"answer": "B", "reasoning": "Halve both sides.", "confident": True},
    "extract": extraction_output(),
}
REPLY_MODELS: dict[str, type[BaseModel]] = {
    "extract": Extraction,
    "generate": DraftQuestion,
    "solve": BlindSolution,
}
NOT_FORCED = 'tool_choice: type "tool" and "any" are not supported for this model.'
PREFILL = (
    "This model does not support assistant message prefill. The conversation must end with a "
    "user message."
)


def responder(task: str, body: dict) -> dict:
    if task in OUTPUTS:
        return OUTPUTS[task]
    from claude_simulator import content

    return content.respond(task, body)


@pytest.fixture(scope="module")
def server():
    simulator = SimulatorServer(responder=responder).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def client(server):
    server.reset()
    return anthropic.Anthropic(api_key="test", base_url=server.url, max_retries=0, timeout=5)


def solve(**options) -> dict:
    return stage_request("solve", **options)


def refused(client: anthropic.Anthropic, params: dict, **extra) -> str:
    """Send params; return the 400 message (failing the test if it was accepted)."""
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**params, **extra)
    body = caught.value.body
    assert isinstance(body, dict) and body["error"]["type"] == "invalid_request_error"
    return body["error"]["message"]


def raw_post(server: SimulatorServer, body: dict | bytes) -> httpx2.Response:
    headers = {"x-api-key": "test", "anthropic-version": "2023-06-01"}
    if isinstance(body, bytes):
        return httpx2.post(f"{server.url}/v1/messages", content=body, headers=headers, timeout=30)
    return httpx2.post(f"{server.url}/v1/messages", json=body, headers=headers, timeout=30)


# --- the client's shapes, accepted on every model --------------------------------------------

OFF = {  # the way each model turns up-front thinking off, if it has one (S55W, H55W, THT)
    "claude-sonnet-5-5": {"type": "between_tools"},
    "claude-haiku-5-5": {"type": "disabled"},
    "claude-sonnet-5": {"type": "disabled"},
}
THINKING_CASES: list[tuple[str, dict[str, str] | None]] = [(model, None) for model in MODEL_IDS]
THINKING_CASES += [(model, {"type": "adaptive"}) for model in MODEL_IDS]
THINKING_CASES += list(OFF.items())


@pytest.mark.parametrize("task", ["extract", "generate", "solve"])
@pytest.mark.parametrize(("model", "thinking"), THINKING_CASES)
def test_the_clients_streamed_requests_are_accepted(client, task, model, thinking):
    params = stage_request(task, model=model, thinking=thinking)
    if task == "extract":
        params["messages"][0]["content"][:1] = [image_block(png(1000, 700)) for _ in range(3)]

    with client.messages.stream(**params) as stream:
        message = stream.get_final_message()

    kinds = [block.type for block in message.content]
    assert kinds == (["text"] if thinking in OFF.values() else ["thinking", "text"])
    text = message.content[-1].text
    REPLY_MODELS[task].model_validate_json(text)
    assert message.stop_reason == "end_turn"


@pytest.mark.parametrize("model", MODEL_IDS)
def test_the_model_default_effort_is_used_when_output_config_omits_it(model):
    expected = {"claude-sonnet-5-5": "high", "claude-sonnet-5": "high"}.get(model, "medium")
    assert effort_of(solve(model=model, effort=None)) == expected
    assert effort_of(solve(model=model, effort="low")) == "low"


# --- model, fields, tool_choice ----------------------------------------------------------------


def test_an_unknown_model_is_404_naming_it(client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**solve(model="claude-nope-1"))
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["error"] == {
        "type": "not_found_error",
        "message": "model: claude-nope-1",
    }


def test_an_unknown_top_level_field_is_refused(client):
    message = refused(client, solve(), extra_body={"response_format": {"type": "json"}})
    assert message == "response_format: Extra inputs are not permitted"


@pytest.mark.parametrize("model", MODEL_IDS)
@pytest.mark.parametrize("choice", [{"type": "tool", "name": "record"}, {"type": "any"}])
def test_forced_tool_choice_is_refused_on_the_5_5_flagships_only(client, model, choice):
    params = solve(model=model)
    del params["output_config"]["format"]
    schema = strict_schema(BlindSolution)
    params["tools"] = [{"name": "record", "description": "Record it.", "input_schema": schema}]
    params["tool_choice"] = choice

    if model in ("claude-sonnet-5-5", "claude-opus-5-5"):
        assert refused(client, params) == NOT_FORCED
        return
    message = client.messages.create(**params)
    assert message.stop_reason == "tool_use"
    assert [block.type for block in message.content] == ["tool_use"]  # no thinking (H55M)
    assert message.content[0].input == OUTPUTS["solve"]


@pytest.mark.parametrize("model", MODEL_IDS)
def test_tool_choice_auto_and_none_are_accepted_everywhere(client, model):
    params = solve(model=model)
    params["tools"] = [{"name": "note", "input_schema": {"type": "object", "properties": {}}}]
    for kind in ("auto", "none"):
        params["tool_choice"] = {"type": kind}
        assert client.messages.create(**params).stop_reason == "end_turn"


def test_tool_choice_must_name_an_offered_tool(client):
    params = solve(model="claude-haiku-5-5")
    params["tools"] = [{"name": "record", "input_schema": {"type": "object"}}]
    params["tool_choice"] = {"type": "tool", "name": "record_question"}

    assert refused(client, params) == "tool_choice.name: Tool 'record_question' not found in tools"


# --- thinking and effort ------------------------------------------------------------------------

DISABLED = '"thinking.type.disabled" is not supported'
BETWEEN = '"thinking.type.between_tools" is not supported'
THINKING_MATRIX = [
    # (model, thinking, effort, refused with)
    ("claude-sonnet-5-5", {"type": "disabled"}, "low", DISABLED),
    ("claude-opus-5-5", {"type": "disabled"}, "low", DISABLED),
    ("claude-haiku-5-5", {"type": "disabled"}, "high", None),
    ("claude-haiku-5-5", {"type": "disabled"}, "xhigh", DISABLED),
    ("claude-haiku-5-5", {"type": "disabled"}, "max", DISABLED),
    ("claude-sonnet-5", {"type": "disabled"}, "max", None),
    ("claude-sonnet-5-5", {"type": "between_tools"}, "low", None),
    ("claude-sonnet-5-5", {"type": "between_tools"}, "high", None),
    ("claude-sonnet-5-5", {"type": "between_tools"}, "xhigh", BETWEEN),
    ("claude-sonnet-5-5", {"type": "between_tools"}, "max", BETWEEN),
    ("claude-sonnet-5-5", {"type": "between_tools", "display": "summarized"}, "low", "display"),
    ("claude-sonnet-5-5", {"type": "between_tools", "budget_tokens": 1024}, "low", "budget"),
    ("claude-opus-5-5", {"type": "between_tools"}, "low", BETWEEN),
    ("claude-haiku-5-5", {"type": "between_tools"}, "low", BETWEEN),
    ("claude-sonnet-5", {"type": "between_tools"}, "low", BETWEEN),
    *[(model, {"type": "adaptive"}, "max", None) for model in MODEL_IDS],
    *[(m, {"type": "enabled", "budget_tokens": 2048}, "high", "enabled") for m in MODEL_IDS],
    ("claude-sonnet-5-5", {"type": "adaptive", "display": "full"}, "high", "display"),
    ("claude-sonnet-5-5", {"type": "sometimes"}, "high", "Input tag 'sometimes'"),
]


@pytest.mark.parametrize(("model", "thinking", "effort", "problem"), THINKING_MATRIX)
def test_thinking_types_per_model_and_effort(client, model, thinking, effort, problem):
    params = solve(model=model, thinking=thinking, effort=effort)

    if problem is None:
        assert client.messages.create(**params).stop_reason == "end_turn"
    else:
        assert problem in refused(client, params)


def test_a_disabled_haiku_request_at_its_default_effort_is_accepted(client):
    params = solve(model="claude-haiku-5-5", thinking={"type": "disabled"}, effort=None)
    assert client.messages.create(**params).stop_reason == "end_turn"


@pytest.mark.parametrize("effort", ["minimal", "none", "HIGH"])
def test_an_unknown_effort_is_refused(client, effort):
    message = refused(client, solve(effort=effort))
    assert message.startswith("output_config.effort: Input should be 'low'")


# --- sampling, prefill, max_tokens ------------------------------------------------------------

SAMPLING_CASES = [
    # (model, extra fields, refused with)
    *[
        (model, {name: value}, f"`{name}` is deprecated for this model.")
        for model in ("claude-sonnet-5-5", "claude-opus-5-5", "claude-sonnet-5")
        for name, value in (("temperature", 1), ("temperature", 0), ("top_p", 0.99), ("top_k", 5))
    ],
    ("claude-haiku-5-5", {"temperature": 1}, None),
    ("claude-haiku-5-5", {"top_p": 0.99}, None),
    ("claude-haiku-5-5", {"temperature": 0.5}, "temperature"),
    ("claude-haiku-5-5", {"top_p": 0.9}, "top_p"),
    ("claude-haiku-5-5", {"temperature": 1, "top_p": 0.99}, "cannot both be specified"),
    ("claude-haiku-5-5", {"top_k": 40}, "`top_k` is deprecated"),
]


@pytest.mark.parametrize(("model", "extra", "problem"), SAMPLING_CASES)
def test_sampling_parameters_per_model(client, model, extra, problem):
    params = solve(model=model)
    if problem is None:
        assert client.messages.create(**params, extra_body=extra).stop_reason == "end_turn"
    else:
        assert problem in refused(client, params, extra_body=extra)


@pytest.mark.parametrize("model", MODEL_IDS)
def test_assistant_prefill_is_refused_on_every_model(client, model):
    params = solve(model=model)
    params["messages"].append({"role": "assistant", "content": '{"answer": "'})

    assert refused(client, params) == PREFILL


@pytest.mark.parametrize(("max_tokens", "status"), [(0, 400), (1, 200), (128_000, 200)])
def test_max_tokens_must_be_between_1_and_128000(server, max_tokens, status):
    params = {**solve(effort="low"), "max_tokens": max_tokens}
    assert raw_post(server, params).status_code == status


def test_max_tokens_above_the_models_output_limit_names_the_limit(server):
    response = raw_post(server, {**solve(model="claude-opus-5-5"), "max_tokens": 128_001})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens for "
        "claude-opus-5-5"
    )


def test_a_message_with_no_content_is_refused(client):
    params = solve()
    params["messages"][0]["content"] = []
    assert refused(client, params) == (
        "messages.0: all messages must have non-empty content except for the optional final "
        "assistant message"
    )


def test_an_empty_text_block_is_refused(client):
    params = solve()
    params["messages"][0]["content"].append({"type": "text", "text": ""})
    assert refused(client, params) == "messages: text content blocks must be non-empty"


# --- structured output ---------------------------------------------------------------------------


def with_schema(schema: dict) -> dict:
    params = solve()
    params["output_config"]["format"]["schema"] = schema
    return params


def obj(
    properties: dict,
    required: list[str] | None = None,
    *,
    defs: dict | None = None,
    **extra: Any,
) -> dict:
    """Return an object schema; defs, if given, become its $defs."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }
    if defs is not None:
        schema["$defs"] = defs
    return schema


@pytest.mark.parametrize("task", ["extract", "generate", "solve"])
def test_the_sdk_transform_with_defs_and_refs_kept_is_inside_the_subset(client, task):
    params = stage_request(task)
    params["output_config"]["format"]["schema"] = anthropic.transform_schema(REPLY_MODELS[task])
    assert "$defs" in params["output_config"]["format"]["schema"] or task == "solve"

    assert client.messages.create(**params).stop_reason == "end_turn"


def test_internal_refs_and_min_items_0_or_1_are_accepted(client):
    item = obj({"n": {"type": "integer"}})
    schema = obj(
        {"answer": {"type": "string"}, "confident": {"type": "boolean"}},
        defs={"Item": item},
    )
    schema["properties"]["items"] = {"type": "array", "items": {"$ref": "#/$defs/Item"}}
    schema["properties"]["items"]["minItems"] = 1
    schema["required"].append("items")

    assert client.messages.create(**with_schema(schema)).stop_reason == "end_turn"


SCHEMA_CASES = [
    (
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        "For 'object' type, 'additionalProperties' must be explicitly set to false",
    ),
    (
        obj({"a": obj({"b": {"type": "string"}}, additionalProperties=True)}),
        "'additionalProperties' must be explicitly set to false (at properties.a)",
    ),
    *[
        (obj({"a": {"type": kind, keyword: 3}}), f"For '{kind}' type, property '{keyword}'")
        for kind, keyword in [
            ("number", "minimum"),
            ("number", "maximum"),
            ("number", "exclusiveMinimum"),
            ("number", "exclusiveMaximum"),
            ("integer", "multipleOf"),
            ("string", "minLength"),
            ("string", "maxLength"),
            ("array", "maxItems"),
            ("array", "uniqueItems"),
        ]
    ],
    (obj({"a": {"type": "array", "items": {"type": "string"}, "minItems": 2}}), "'minItems'"),
    (obj({"a": {"$ref": "https://example.com/schema.json"}}), "External $ref"),
    (
        obj(
            {"a": {"$ref": "#/$defs/Node"}},
            defs={"Node": obj({"next": {"$ref": "#/$defs/Node"}})},
        ),
        "Recursive schemas are not supported",
    ),
    (
        obj({f"p{n}": {"type": "string"} for n in range(25)}, required=[]),
        "Schemas contains too many optional parameters (25)",
    ),
    (
        obj({f"p{n}": {"type": ["string", "null"]} for n in range(17)}),
        "Schemas contains too many parameters with union types (17 parameters",
    ),
    (obj({"a": {"type": "string", "format": "phone"}}), "String format 'phone'"),
    (obj({"a": {"type": "string", "pattern": "(a)\\1"}}), "pattern"),
]


@pytest.mark.parametrize(("schema", "problem"), SCHEMA_CASES)
def test_schemas_outside_the_supported_subset_are_refused(client, schema, problem):
    message = refused(client, with_schema(schema))
    assert message.startswith("output_config.format.schema") or "Schemas contains" in message
    assert problem in message


def test_24_optional_and_16_union_parameters_are_the_limits(client):
    optional = obj({f"p{n}": {"type": "string"} for n in range(24)}, required=[])
    unions = obj({f"p{n}": {"anyOf": [{"type": "string"}, {"type": "null"}]} for n in range(16)})

    assert client.messages.create(**with_schema(optional)).stop_reason == "end_turn"
    assert client.messages.create(**with_schema(unions)).stop_reason == "end_turn"


def test_an_output_format_must_be_a_json_schema(client):
    params = solve()
    params["output_config"]["format"] = {"type": "json_object", "schema": {}}
    assert refused(client, params) == "output_config.format.type: Input should be 'json_schema'"


def test_the_deprecated_top_level_output_format_is_refused(client):
    params = solve()
    fmt = params["output_config"].pop("format")
    assert "output_format: This parameter is deprecated" in refused(
        client, params, extra_body={"output_format": fmt}
    )


# --- prompt-cache breakpoints --------------------------------------------------------------------


def with_breakpoints(*ttls: str | None) -> dict:
    params = solve()
    params["system"] = [
        {"type": "text", "text": f"Part {n}.", "cache_control": {"type": "ephemeral", "ttl": ttl}}
        if ttl
        else {"type": "text", "text": f"Part {n}.", "cache_control": {"type": "ephemeral"}}
        for n, ttl in enumerate(ttls)
    ]
    return params


def test_five_breakpoints_are_refused_with_the_apis_message(client):
    message = refused(client, with_breakpoints("1h", "1h", None, None, None))
    assert message == "A maximum of 4 blocks with cache_control may be provided. Found 5."


def test_four_breakpoints_with_1h_before_5m_are_accepted(client):
    params = with_breakpoints("1h", "1h", "5m", None)
    assert client.messages.create(**params).stop_reason == "end_turn"


def test_a_1h_breakpoint_after_a_5m_one_is_refused(client):
    params = solve()
    params["system"][0]["cache_control"] = {"type": "ephemeral", "ttl": "5m"}
    params["messages"][0]["content"][0]["cache_control"] = {"type": "ephemeral", "ttl": "1h"}

    assert refused(client, params) == (
        "messages.0.content.0.cache_control.ttl: a ttl='1h' cache_control block must not come "
        "after a ttl='5m' cache_control block. Note that blocks are processed in the following "
        "order: `tools`, `system`, `messages`."
    )


@pytest.mark.parametrize("control", [{"type": "ephemeral", "ttl": "10m"}, {"type": "persistent"}])
def test_a_bad_cache_control_is_refused(client, control):
    params = solve()
    params["system"][0]["cache_control"] = control
    assert refused(client, params).startswith("system.0.cache_control.")


# --- images ------------------------------------------------------------------------------------


def extract_with(images: list[dict]) -> dict:
    return stage_request("extract", images=images)


IMAGE_CASES = [
    (
        image_block(png(100, 100), "image/bmp"),
        "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg'",
    ),
    (
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "@@"}},
        "messages.0.content.0.image.source.base64.data: The image data is not valid base64.",
    ),
    (
        image_block(jpeg(100, 100), "image/png"),
        "messages.0.content.0.image.source.base64: Image does not match the provided media "
        "type image/png",
    ),
    (
        image_block(b"not an image at all"),
        "messages.0.content.0.image.source.base64: Could not process image",
    ),
    (
        image_block(png(8001, 100)),
        "messages.0.content.0.image.source.base64.data: At least one of the image dimensions "
        "exceed max allowed size: 8000 pixels",
    ),
    (
        image_block(png(10, 10) + bytes(8 * 1024 * 1024)),
        "messages.0.content.0.image.source.base64: image exceeds 10 MB maximum: 11184856 bytes "
        "> 10485760 bytes",
    ),
]


@pytest.mark.parametrize(("image", "problem"), IMAGE_CASES)
def test_bad_images_are_refused(client, image, problem):
    assert refused(client, extract_with([image])).startswith(problem)


def test_jpeg_gif_and_webp_images_up_to_8000_px_are_accepted(client):
    gif = b"GIF89a" + (300).to_bytes(2, "little") + (200).to_bytes(2, "little") + bytes(8)
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + bytes(4)
    webp = b"RIFF" + (30).to_bytes(4, "little") + b"WEBP" + vp8x
    webp += (399).to_bytes(3, "little") + (299).to_bytes(3, "little")
    images = [
        image_block(jpeg(640, 480), "image/jpeg"),
        image_block(gif, "image/gif"),
        image_block(webp, "image/webp"),
        image_block(png(8000, 8000)),
    ]
    assert client.messages.create(**extract_with(images)).stop_reason == "end_turn"


def test_more_than_20_images_must_each_be_at_most_2000_px(client):
    fine = [image_block(png(2000, 1500)) for _ in range(21)]
    too_big = [*fine[:20], image_block(png(2001, 100))]

    assert client.messages.create(**extract_with(fine)).stop_reason == "end_turn"
    assert refused(client, extract_with(too_big)) == (
        "messages.0.content.20.image.source.base64.data: At least one of the image dimensions "
        "exceed max allowed size for many-image requests: 2000 pixels"
    )


def test_more_than_600_images_are_refused(client):
    images = [image_block(png(10, 10)) for _ in range(601)]
    assert refused(client, extract_with(images)) == (
        "messages: Too many images in the request: 601 > 600"
    )


def test_a_request_over_32_mb_is_413_request_too_large(server):
    blob = base64.b64encode(bytes(25 * 1024 * 1024)).decode()  # 33.3 MB of base64
    response = raw_post(server, json.dumps({**solve(), "padding": blob}).encode())

    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"


@pytest.mark.parametrize(
    ("model", "size", "tokens"),
    [
        ("claude-sonnet-5-5", (1075, 1520), 2145),  # VIS's A4 example, under the high tier
        ("claude-opus-5-5", (1075, 1520), 1551),  # resized like VIS's 924x1307
        ("claude-haiku-5-5", (300, 250), 11 * 9),
        ("claude-sonnet-5", (5152, 5152), 69 * 69),
    ],
)
def test_image_tokens_are_28_px_patches_after_the_models_downscaling(
    model: str, size: tuple[int, int], tokens: int
):
    assert image_tokens(*size, MODELS[model]) == tokens
    assert image_tokens(*size, MODELS[model]) <= MODELS[model].image_max_tokens


def test_image_sizes_are_read_from_png_and_jpeg_headers():
    assert image_size(base64.b64encode(png(300, 250)).decode()) == (300, 250)
    assert image_size(base64.b64encode(jpeg(200, 150)).decode()) == (200, 150)
    assert image_size("QUJD") is None


# --- count_tokens --------------------------------------------------------------------------------


def test_count_tokens_applies_the_same_rules(client):
    params = solve()
    del params["max_tokens"]
    counted = client.messages.count_tokens(**params)
    params["tool_choice"] = {"type": "any"}
    params["tools"] = [{"name": "record", "input_schema": {"type": "object"}}]

    assert counted.input_tokens > 0
    with pytest.raises(anthropic.BadRequestError, match="not supported for this model"):
        client.messages.count_tokens(**params)
