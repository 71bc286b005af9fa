"""The simulator's own table of what the Messages API accepts, per model, and its checks.

Written from the published docs (each rule names its source), never read from the app's
settings: a wrong entry there must not make the client and this stand-in wrong together.
`request_problem(body)` returns the error the real API would answer, or None.

Sources (platform.claude.com/docs/en/...), cited by key below and in models.yaml:
  S55W models/sonnet-5-5/whats-new-sonnet-5-5      S55M models/sonnet-5-5/migration-guide
  O55W models/opus-5-5/whats-new-opus-5-5          O55M models/opus-5-5/migration-guide
  H55W models/haiku-5-5/whats-new-haiku-5-5        H55M models/haiku-5-5/migration-guide
  S5W  about-claude/models/whats-new-sonnet-5      S5O  (zh-CN) models/sonnet-5/overview
  TH   build-with-claude/thinking                  THT  build-with-claude/thinking-troubleshooting
  EFF  build-with-claude/effort                    PC   build-with-claude/prompt-caching
  SO   build-with-claude/structured-outputs        VIS  build-with-claude/vision
  ERR  api/errors                                  BAT  build-with-claude/batch-processing
Wording marked "third-party" is the API's message as quoted by public projects that hit it;
wording marked "ours" is not published anywhere we could find.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from claude_simulator.images import raw_image_size, sniff_media_type
from claude_simulator.structured import SchemaError, schema_counts

EFFORTS = ("low", "medium", "high", "xhigh", "max")
MAX_OUTPUT_TOKENS = 128_000  # every model here: 1M context / 128K output (S55O, H55W, S5O)
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # ERR: Messages 32 MB, answered 413 request_too_large
MAX_BATCH_BYTES = 256 * 1024 * 1024  # ERR / BAT: Message Batches 256 MB
MAX_IMAGE_BASE64_BYTES = 10 * 1024 * 1024  # VIS: 10 MB of base64 per image on the API itself
MAX_IMAGE_SIDE = 8000  # VIS
MANY_IMAGES = 20  # VIS: more than 20 images in a request ...
MANY_IMAGES_MAX_SIDE = 2000  # ... and each must be at most 2000 px a side
MAX_IMAGES = 600  # VIS: 600 for models with more than 200k context (all four)
MAX_CACHE_BREAKPOINTS = 4  # PC
CACHE_TTLS = ("5m", "1h")  # PC; a 1h breakpoint may not follow a 5m one
MAX_STRICT_TOOLS = 20  # SO
MAX_OPTIONAL_PARAMETERS = 24  # SO, per request in total
MAX_UNION_PARAMETERS = 16  # SO, per request in total
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")  # VIS

# The request fields the Messages API takes (anthropic 2.14's MessageCreateParams, plus the
# sampling parameters, which exist but are refused per model, and the deprecated
# output_format). Anything else: "<field>: Extra inputs are not permitted".
TOP_LEVEL_FIELDS = frozenset({
    "model", "max_tokens", "messages", "system", "stream", "metadata", "stop_sequences", "tools",
    "tool_choice", "thinking", "output_config", "output_format", "service_tier", "cache_control",
    "container", "inference_geo", "speed", "diagnostics", "temperature", "top_p", "top_k",
})  # fmt: skip
# Content block types and the fields each may carry (anthropic 2.14's *BlockParam types).
BLOCK_FIELDS: dict[str, frozenset[str]] = {
    "text": frozenset({"type", "text", "cache_control", "citations"}),
    "image": frozenset({"type", "source", "cache_control", "transformations"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
    "tool_use": frozenset({"type", "id", "name", "input", "cache_control", "caller",
                           "toolset_name"}),
    "tool_result": frozenset({"type", "tool_use_id", "content", "is_error", "cache_control",
                              "toolset_name"}),
}  # fmt: skip
# Block types the simulator passes through without checking their fields.
OTHER_BLOCK_TYPES = frozenset({
    "document", "search_result", "server_tool_use", "web_search_tool_result",
    "web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result", "tool_search_tool_result", "container_upload",
})  # fmt: skip
BETA_OUTPUT_FORMAT = "structured-outputs-2025-11-13"  # SO: output_format only with this beta
BETA_BLOCK_BINDING = "thinking-binding-controls-2026-08-01"  # S55W
BETA_DISPLAY_UPDATES = "thinking-display-updates-2026-08-18"  # S55M


@dataclass(frozen=True)
class ModelRules:
    """What one model accepts, as its published pages state it (models.yaml cites them)."""

    model: str
    # tool_choice "tool" / "any" accepted; the reply is the tool call and no thinking (H55M
    # for Haiku 5.5; assumed the same for Sonnet 5, whose pages do not say).
    forced_tool_choice: bool
    disabled: str  # thinking "disabled": "never", "up_to_high" (effort <= high) or "always"
    disabled_message: str  # the 400 when "disabled" is refused
    between_tools: bool  # thinking "between_tools" accepted (at effort low..high only)
    default_effort: str
    sampling: str  # "none": temperature/top_p/top_k refused; "haiku": only 1 / 0.99, not both
    cache_min_tokens: int
    image_long_edge: int
    image_max_tokens: int
    binds_conversation: bool  # thinking signatures cover the conversation before the turn
    max_output_tokens: int = MAX_OUTPUT_TOKENS


MODELS: dict[str, ModelRules] = {
    model: ModelRules(model=model, **fields)
    for model, fields in yaml.safe_load((Path(__file__).parent / "models.yaml").read_text()).items()
}


@dataclass(frozen=True)
class Problem:
    """An error answer: HTTP status, error type, message."""

    status: int
    type: str
    message: str


def bad(message: str) -> Problem:
    return Problem(400, "invalid_request_error", message)


class Refused(Exception):
    """A check failed: the request is answered with `problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def fail(message: str) -> Refused:
    return Refused(bad(message))


def only(keys: Iterable[str], allowed: Collection[str], where: str) -> None:
    """Refuse the first key not in `allowed`, as the API's validation does."""
    for key in keys:
        if key not in allowed:
            raise fail(f"{where}{key}: Extra inputs are not permitted")


# --- reading a request --------------------------------------------------------------------


def blocks_of(content: Any) -> list[Any]:
    """Return message (or system) content as a list of blocks (a string is one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def effort_of(body: dict) -> str:
    """Return the request's effort: output_config.effort, else the model's default."""
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    if effort is None:
        rules = MODELS.get(body.get("model", ""))
        return rules.default_effort if rules else "high"
    return str(effort)


def thinking_type(body: dict) -> str:
    """Return the thinking type in force: omitted means adaptive on all four models."""
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and isinstance(thinking.get("type"), str):
        return thinking["type"]
    return "adaptive"


def thinking_display(body: dict) -> str:
    """Return the thinking display: "omitted" unless the request asks for a summary."""
    thinking = body.get("thinking")
    display = thinking.get("display") if isinstance(thinking, dict) else None
    return "summarized" if display in ("summarized", "updates") else "omitted"


def forced_tool(body: dict) -> bool:
    choice = body.get("tool_choice")
    return isinstance(choice, dict) and choice.get("type") in ("tool", "any")


def thinks(body: dict) -> bool:
    """Return whether the reply starts with a thinking block (adaptive, no forced tool)."""
    # TH/H55M: adaptive thinks up front; disabled and between_tools do not; forced tool
    # use answers with the tool call and no thinking (H55M).
    return thinking_type(body) == "adaptive" and not forced_tool(body)


def output_schema(body: dict) -> dict | None:
    """Return output_config.format.schema when the request asks for structured output."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if isinstance(fmt, dict) and isinstance(fmt.get("schema"), dict):
        return fmt["schema"]
    return None


# --- the checks ----------------------------------------------------------------------------


def request_problem(body: Any, *, betas: frozenset[str] = frozenset()) -> Problem | None:
    """Return the error the API answers to this Messages request, or None when it is valid."""
    try:
        _check(body, betas)
    except Refused as refused:
        return refused.problem
    return None


def _check(body: Any, betas: frozenset[str]) -> None:
    if not isinstance(body, dict):
        raise fail("Request body must be a JSON object.")
    only(body, TOP_LEVEL_FIELDS, "")
    for field in ("model", "max_tokens", "messages"):
        if field not in body:
            raise fail(f"{field}: Field required")
    model = body["model"]
    if not isinstance(model, str):
        raise fail("model: Input should be a valid string")
    rules = MODELS.get(model)
    if rules is None:
        raise Refused(Problem(404, "not_found_error", f"model: {model}"))
    _check_max_tokens(body["max_tokens"], rules)
    if "stream" in body and not isinstance(body["stream"], bool):
        raise fail("stream: Input should be a valid boolean")
    _check_sampling(body, rules)
    effort = _check_output_config(body, betas)
    _check_thinking(body.get("thinking"), rules, effort, betas)
    _check_tools(body, rules)
    _check_system(body.get("system"))
    _check_messages(body["messages"])
    # The checks below read a request whose shape the ones above have checked.
    _check_cache_control(body)
    _check_images(body)
    _check_schema_limits(body)
    for field, kind in (("stop_sequences", list), ("metadata", dict)):
        if field in body and not isinstance(body[field], kind):
            raise fail(f"{field}: Input should be a valid {kind.__name__}")
    if body.get("service_tier", "auto") not in ("auto", "standard_only"):
        raise fail("service_tier: Input should be 'auto' or 'standard_only'")


def _check_max_tokens(value: Any, rules: ModelRules) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail("max_tokens: Input should be a valid integer")
    if value < 1:
        raise fail("max_tokens: Input should be greater than or equal to 1")
    if value > rules.max_output_tokens:
        # The API's wording for this limit (third-party quotes).
        raise fail(
            f"max_tokens: {value} > {rules.max_output_tokens}, which is the maximum allowed "
            f"number of output tokens for {rules.model}"
        )


def _check_sampling(body: dict, rules: ModelRules) -> None:
    # S55M, O55M, S5W: refused outright; third-party quotes of the 400 say any value fails,
    # so the simulator refuses even the default rather than risk a false pass.
    present = [name for name in ("temperature", "top_p", "top_k") if name in body]
    if not present:
        return
    if rules.sampling == "none":
        raise fail(f"`{present[0]}` is deprecated for this model.")
    # H55M: temperature must be 1 and top_p 0.99; any top_k, or both together, is a 400.
    if "top_k" in body:
        raise fail("`top_k` is deprecated for this model.")
    if "temperature" in body and "top_p" in body:
        raise fail("`temperature` and `top_p` cannot both be specified for this model.")
    if "temperature" in body and body["temperature"] != 1:
        raise fail("temperature: only 1 is supported for this model.")
    if "top_p" in body and body["top_p"] != 0.99:
        raise fail("top_p: only 0.99 is supported for this model.")


def _check_output_config(body: dict, betas: frozenset[str]) -> str:
    """Check output_config (and the deprecated output_format); return the effort in force."""
    if "output_format" in body:
        # SO: deprecated; a 400 unless sent with its old beta header (wording ours).
        if BETA_OUTPUT_FORMAT not in betas:
            raise fail(
                "output_format: This parameter is deprecated; use output_config.format instead."
            )
        _check_format(body["output_format"], "output_format")
    config = body.get("output_config")
    if config is None:
        return effort_of(body)
    if not isinstance(config, dict):
        raise fail("output_config: Input should be a valid dictionary")
    only(config, ("effort", "format"), "output_config.")
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise fail(
            "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'"
        )
    if config.get("format") is not None:
        if "output_format" in body:
            raise fail("output_format: cannot be combined with output_config.format")
        _check_format(config["format"], "output_config.format")
    return effort_of(body)


def _check_format(fmt: Any, where: str) -> None:
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise fail(f"{where}.type: Input should be 'json_schema'")
    only(fmt, ("type", "schema"), f"{where}.")
    if not isinstance(fmt.get("schema"), dict):
        raise fail(f"{where}.schema: Field required")
    _schema_counts(fmt["schema"], f"{where}.schema")


def _check_thinking(thinking: Any, rules: ModelRules, effort: str, betas: frozenset[str]) -> None:
    if thinking is None:
        return  # adaptive, the default on all four (S55M, O55W, H55W, S5W)
    if not isinstance(thinking, dict) or not isinstance(thinking.get("type"), str):
        raise fail("thinking.type: Field required")
    kind = thinking["type"]
    if kind == "enabled":
        # S55M, O55W, H55M, S5W: manual budgets are gone on all four.
        raise fail(
            '"thinking.type.enabled" is not supported for this model. Use '
            '"thinking.type.adaptive" and "output_config.effort" instead.'
        )
    if kind == "adaptive":
        only(sorted(thinking), ("type", "display", "block_binding"), "thinking.adaptive.")
        display = thinking.get("display")
        allowed = ["summarized", "omitted"] + (["updates"] if BETA_DISPLAY_UPDATES in betas else [])
        if display is not None and display not in allowed:
            raise fail(
                "thinking.adaptive.display: Input should be "
                + " or ".join(f"'{value}'" for value in allowed)
            )
        if "block_binding" in thinking:
            _check_block_binding(thinking["block_binding"], betas)
        return
    if kind == "disabled":
        only(sorted(thinking), ("type",), "thinking.disabled.")
        if rules.disabled == "never" or (
            rules.disabled == "up_to_high" and effort in ("xhigh", "max")
        ):
            raise fail(rules.disabled_message.format(effort=effort))
        return
    if kind == "between_tools":
        if not rules.between_tools:
            raise fail('"thinking.type.between_tools" is not supported for this model.')
        # S55W: display, budget_tokens or block_binding with between_tools -> 400.
        only(sorted(thinking), ("type",), "thinking.between_tools.")
        if effort not in ("low", "medium", "high"):
            raise fail(
                f'"thinking.type.between_tools" is not supported at effort "{effort}". Use '
                'output_config.effort "low", "medium" or "high".'
            )
        return
    raise fail(
        f"thinking.type: Input tag '{kind}' found using 'type' does not match any of the "
        "expected tags: 'adaptive', 'between_tools', 'disabled', 'enabled'"
    )


def _check_block_binding(binding: Any, betas: frozenset[str]) -> None:
    # S55W: thinking.block_binding needs the beta header and works only with adaptive.
    if BETA_BLOCK_BINDING not in betas:
        raise fail(
            f"thinking.adaptive.block_binding: requires the anthropic-beta header "
            f"{BETA_BLOCK_BINDING}"
        )
    if not isinstance(binding, dict) or set(binding) - {"prefix_mismatch_behavior"}:
        raise fail("thinking.adaptive.block_binding: Input should be a valid dictionary")
    if binding.get("prefix_mismatch_behavior", "error") not in ("error", "drop_block"):
        raise fail(
            "thinking.adaptive.block_binding.prefix_mismatch_behavior: Input should be "
            "'error' or 'drop_block'"
        )


def _check_tools(body: dict, rules: ModelRules) -> None:
    tools = body.get("tools")
    names: list[str] = []
    if tools is not None:
        if not isinstance(tools, list):
            raise fail("tools: Input should be a valid list")
        strict = 0
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict):
                raise fail(f"tools.{i}: Input should be a valid dictionary")
            if tool.get("type") not in (None, "custom"):
                names.append(str(tool.get("name", "")))
                continue  # a server tool (web search, ...): not modelled
            name = tool.get("name")
            if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,128}", name):
                raise fail(
                    f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
                )
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                raise fail(f"tools.{i}.input_schema.type: Input should be 'object'")
            if tool.get("strict"):
                strict += 1
                _schema_counts(schema, f"tools.{i}.input_schema")
            names.append(name)
        if len(set(names)) != len(names):
            raise fail("tools: Tool names must be unique.")
        if strict > MAX_STRICT_TOOLS:
            raise fail(f"tools: at most {MAX_STRICT_TOOLS} strict tools are supported per request")
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "tool", "none"):
        raise fail(
            "tool_choice.type: Input tag found using 'type' does not match any of the expected "
            "tags: 'auto', 'any', 'tool', 'none'"
        )
    allowed = {"type"} | ({"disable_parallel_tool_use"} if choice["type"] != "none" else set())
    allowed |= {"name"} if choice["type"] == "tool" else set()
    only(choice, allowed, f"tool_choice.{choice['type']}.")
    if choice["type"] in ("tool", "any") and not rules.forced_tool_choice:
        raise fail('tool_choice: type "tool" and "any" are not supported for this model.')
    if choice["type"] in ("tool", "any") and not names:
        raise fail("tool_choice may only be specified while providing tools.")
    if choice["type"] == "tool":
        if not isinstance(choice.get("name"), str):
            raise fail("tool_choice.tool.name: Field required")
        if choice["name"] not in names:
            raise fail(f"tool_choice.name: Tool '{choice['name']}' not found in tools")


def _check_system(system: Any) -> None:
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise fail("system: Input should be a valid string or list of text blocks")
    for j, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise fail(f"system.{j}.type: Input should be 'text'")
        _check_block_fields(block, f"system.{j}")
        if not block["text"]:
            raise fail("system: text content blocks must be non-empty")


def _check_block_fields(block: dict, where: str) -> None:
    kind = str(block.get("type"))
    only(block, BLOCK_FIELDS[kind], f"{where}.{kind}.")
    if kind == "text" and not isinstance(block.get("text"), str):
        raise fail(f"{where}.text.text: Field required")
    if kind == "thinking":
        for key in ("thinking", "signature"):
            if not isinstance(block.get(key), str):
                raise fail(f"{where}.thinking.{key}: Field required")
    if kind == "redacted_thinking" and not isinstance(block.get("data"), str):
        raise fail(f"{where}.redacted_thinking.data: Field required")


def _check_messages(messages: Any) -> None:
    if not isinstance(messages, list):
        raise fail("messages: Input should be a valid list")
    if not messages:
        raise fail("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise fail(f"messages.{i}: Input should be a valid dictionary")
        only(message, ("role", "content"), f"messages.{i}.")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise fail(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        if isinstance(content, str):
            if not content and (role == "user" or i < len(messages) - 1):
                raise fail("messages: text content blocks must be non-empty")
            continue
        if not isinstance(content, list):
            raise fail(f"messages.{i}.content: Field required")
        if not content and (role == "user" or i < len(messages) - 1):
            # The API's wording (third-party quotes).
            raise fail(
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        for j, block in enumerate(content):
            _check_content_block(block, role, f"messages.{i}.content.{j}")
    # S55M, O55M, H55M, S5W: no prefill on any of the four models.
    if messages[-1].get("role") == "assistant":
        raise fail(
            "This model does not support assistant message prefill. The conversation must end "
            "with a user message."
        )


def _check_content_block(block: Any, role: str, where: str) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise fail(f"{where}.type: Field required")
    kind = block["type"]
    if kind not in BLOCK_FIELDS and kind not in OTHER_BLOCK_TYPES:
        raise fail(
            f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected "
            f"tags: {', '.join(repr(t) for t in [*BLOCK_FIELDS, *sorted(OTHER_BLOCK_TYPES)])}"
        )
    if kind in BLOCK_FIELDS:
        _check_block_fields(block, where)
    if kind == "text" and not block["text"]:
        raise fail("messages: text content blocks must be non-empty")
    if kind in ("thinking", "redacted_thinking") and role != "assistant":
        raise fail(f"{where}: thinking blocks may only appear in assistant messages")
    if kind in ("image", "tool_result", "document") and role != "user":
        raise fail(f"{where}: {kind} blocks may only appear in user messages")
    if kind == "tool_result" and isinstance(block.get("content"), list):
        for k, inner in enumerate(block["content"]):
            if not isinstance(inner, dict) or inner.get("type") not in ("text", "image"):
                raise fail(f"{where}.content.{k}.type: Input should be 'text' or 'image'")
            _check_block_fields(inner, f"{where}.content.{k}")


def _message_blocks(body: dict) -> Iterator[tuple[str, dict]]:
    """Yield (path, block) of every message block, a tool result's own blocks after it."""
    for i, message in enumerate(body["messages"]):
        for j, block in enumerate(blocks_of(message["content"])):
            yield f"messages.{i}.content.{j}", block
            if block["type"] == "tool_result" and isinstance(block.get("content"), list):
                for k, inner in enumerate(block["content"]):
                    yield f"messages.{i}.content.{j}.content.{k}", inner


# --- prompt-cache breakpoints ---------------------------------------------------------------


def _check_cache_control(body: dict) -> None:
    system = body.get("system")
    holders = [  # in prefix order: tools, system, messages
        *((f"tools.{i}", tool) for i, tool in enumerate(body.get("tools") or [])),
        *((f"system.{j}", b) for j, b in enumerate(system if isinstance(system, list) else [])),
        *_message_blocks(body),
        ("cache_control", body),  # the top-level (automatic) one, on the prompt's last block
    ]
    found = [
        (path, item["cache_control"])
        for path, item in holders
        if item.get("cache_control") is not None
    ]
    seen_5m = False
    for path, control in found:
        if not isinstance(control, dict) or control.get("type") != "ephemeral":
            raise fail(f"{path}.cache_control.type: Input should be 'ephemeral'")
        only(control, ("type", "ttl"), f"{path}.cache_control.")
        ttl = control.get("ttl", "5m")
        if ttl not in CACHE_TTLS:
            raise fail(f"{path}.cache_control.ttl: Input should be '5m' or '1h'")
        if ttl == "1h" and seen_5m:
            # The API's wording (third-party quotes); PC: longer TTLs must come first.
            raise fail(
                f"{path}.cache_control.ttl: a ttl='1h' cache_control block must not come after "
                "a ttl='5m' cache_control block. Note that blocks are processed in the "
                "following order: `tools`, `system`, `messages`."
            )
        seen_5m = seen_5m or ttl == "5m"
    if len(found) > MAX_CACHE_BREAKPOINTS:
        # The API's wording (third-party quotes); PC: up to 4 breakpoints.
        raise fail(
            f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {len(found)}."
        )


# --- images ------------------------------------------------------------------------------------


def _check_images(body: dict) -> None:
    images = [(path, block) for path, block in _message_blocks(body) if block["type"] == "image"]
    if len(images) > MAX_IMAGES:
        raise fail(f"messages: Too many images in the request: {len(images)} > {MAX_IMAGES}")
    many = len(images) > MANY_IMAGES
    for path, block in images:
        size = _check_image_source(block.get("source"), f"{path}.image.source")
        if size is None:
            continue
        where = f"{path}.image.source.base64.data"
        if max(size) > MAX_IMAGE_SIDE:
            # The API's wording (third-party quotes).
            raise fail(
                f"{where}: At least one of the image dimensions exceed max allowed size: "
                f"{MAX_IMAGE_SIDE} pixels"
            )
        if many and max(size) > MANY_IMAGES_MAX_SIDE:
            raise fail(
                f"{where}: At least one of the image dimensions exceed max allowed size for "
                f"many-image requests: {MANY_IMAGES_MAX_SIDE} pixels"
            )


def _check_image_source(source: Any, where: str) -> tuple[int, int] | None:
    """Check an image source; return its (width, height) when it is inline base64."""
    if not isinstance(source, dict):
        raise fail(f"{where}: Field required")
    kind = source.get("type")
    if kind in ("url", "file"):
        key = "url" if kind == "url" else "file_id"
        if not isinstance(source.get(key), str):
            raise fail(f"{where}.{kind}.{key}: Field required")
        return None  # the simulator cannot fetch it; the API would
    if kind != "base64":
        raise fail(
            f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected "
            "tags: 'base64', 'url', 'file'"
        )
    only(source, ("type", "media_type", "data"), f"{where}.base64.")
    media_type, data = source.get("media_type"), source.get("data")
    if media_type not in IMAGE_MEDIA_TYPES:
        raise fail(
            f"{where}.base64.media_type: Input should be 'image/jpeg', 'image/png', "
            "'image/gif' or 'image/webp'"
        )
    if not isinstance(data, str) or not data:
        raise fail(f"{where}.base64: image cannot be empty")
    if len(data) > MAX_IMAGE_BASE64_BYTES:
        # The API's wording (third-party quotes), with VIS's 10 MB for the API itself.
        raise fail(
            f"{where}.base64: image exceeds 10 MB maximum: {len(data)} bytes > "
            f"{MAX_IMAGE_BASE64_BYTES} bytes"
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise fail(f"{where}.base64.data: The image data is not valid base64.") from None
    actual = sniff_media_type(raw)
    if actual is None:
        raise fail(f"{where}.base64: Could not process image")
    if actual != media_type:
        raise fail(f"{where}.base64: Image does not match the provided media type {media_type}")
    size = raw_image_size(raw)
    if size is None:
        raise fail(f"{where}.base64: Could not process image")
    return size


# --- structured-output schemas ------------------------------------------------------------


def _schema_counts(schema: dict, where: str) -> tuple[int, int]:
    """Check a schema against the structured-output subset (SO); return its counts."""
    try:
        return schema_counts(schema)
    except SchemaError as error:
        raise fail(f"{where}: {error}") from None


def _check_schema_limits(body: dict) -> None:
    # SO: at most 24 optional and 16 union-typed parameters over every strict schema.
    formats = [body.get("output_format"), (body.get("output_config") or {}).get("format")]
    schemas = [fmt.get("schema") for fmt in formats if isinstance(fmt, dict)]
    schemas += [tool.get("input_schema") for tool in body.get("tools") or [] if tool.get("strict")]
    counts = [_schema_counts(schema, "schema") for schema in schemas if isinstance(schema, dict)]
    optional, unions = sum(c[0] for c in counts), sum(c[1] for c in counts)
    if optional > MAX_OPTIONAL_PARAMETERS:
        # The API's wording (third-party quotes).
        raise fail(
            f"Schemas contains too many optional parameters ({optional}), which would make "
            "grammar compilation inefficient. Reduce the number of optional parameters in your "
            f"tool schemas (limit: {MAX_OPTIONAL_PARAMETERS})."
        )
    if unions > MAX_UNION_PARAMETERS:
        raise fail(
            f"Schemas contains too many parameters with union types ({unions} parameters with "
            "type arrays or anyOf). This causes exponential compilation cost. Reduce the number "
            f"of nullable or union-typed parameters. limit: {MAX_UNION_PARAMETERS}"
        )
