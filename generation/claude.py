"""The one module that talks to Claude.

Every stage calls `call_tool`: a forced tool call whose JSON schema is
generated from the stage's pydantic model, streamed, validated by that model,
repaired once if it does not validate. It owns timeouts, retries, usage and
cost, and raises one small family of typed errors. Nothing else imports
anthropic.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import anthropic
import httpx2
from django.conf import settings
from pydantic import BaseModel, ValidationError

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


class ClaudeError(Exception):
    """A stage's call to Claude failed; the message is fit to show a tutor."""

    kind = "error"


class TransientError(ClaudeError):
    """Claude was overloaded, rate-limited, unreachable or too slow, even after retries."""

    kind = "transient"


class RefusedError(ClaudeError):
    """Claude declined to answer."""

    kind = "refused"


class TruncatedError(ClaudeError):
    """The reply was cut off before it was complete."""

    kind = "truncated"


class InvalidOutputError(ClaudeError):
    """The reply did not fit the stage's schema, even after one repair."""

    kind = "invalid_output"


class MisconfiguredError(ClaudeError):
    """Claude refused the request itself: key, model name or request shape is wrong."""

    kind = "misconfigured"


@dataclass(frozen=True)
class Usage:
    """What one request to Claude used and cost."""

    profile: str
    model: str
    outcome: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    duration_ms: int = 0

    @property
    def cost_usd(self) -> Decimal:
        price = settings.CLAUDE_PRICES.get(self.model)
        if price is None:
            logger.warning("no price for model %s; cost recorded as 0", self.model)
            return Decimal(0)
        per_input = Decimal(str(price["input"]))
        per_output = Decimal(str(price["output"]))
        total = (
            per_input * self.input_tokens
            + per_output * self.output_tokens
            + per_input * Decimal("1.25") * self.cache_creation_tokens
            + per_input * Decimal("0.1") * self.cache_read_tokens
        )
        return (total / Decimal(1_000_000)).quantize(Decimal("0.000001"))


UsageSink = Callable[[Usage], Awaitable[None]]


def is_simulated() -> bool:
    """Return whether calls go to the local Claude simulator rather than Claude."""
    return settings.CLAUDE_SIMULATED


# --- schemas -------------------------------------------------------------------


def tool_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the model's JSON schema with references inlined, as tool input schemas want."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[1]])
                extra = {k: v for k, v in node.items() if k != "$ref"}
                return inline({**target, **extra})
            cleaned = {k: inline(v) for k, v in node.items() if k != "title"}
            if cleaned.get("type") == "object":
                cleaned.setdefault("additionalProperties", False)
            return cleaned
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


# --- the client ------------------------------------------------------------------

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, Any]] = (
    weakref.WeakKeyDictionary()
)


def _client() -> anthropic.AsyncAnthropic:
    """Return this event loop's client (its connection pool belongs to the loop)."""
    if settings.CLAUDE_SIMULATED:
        api_key, base_url = "simulator", settings.CLAUDE_SIMULATOR_URL
    else:
        api_key = settings.ANTHROPIC_API_KEY or "none"
        base_url = settings.ANTHROPIC_BASE_URL or None
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    config = (api_key, base_url, settings.CLAUDE_MAX_RETRIES)
    if config not in per_loop:
        per_loop[config] = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=settings.CLAUDE_MAX_RETRIES
        )
    return per_loop[config]


async def call_tool(
    *,
    profile: str,
    tool: str,
    description: str,
    output_model: type[T],
    system: str,
    content: list[dict[str, Any]],
    record: UsageSink,
) -> T:
    """Ask Claude to fill output_model through a forced tool call; return the validated result.

    profile names a CLAUDE_STAGES entry (model, max_tokens, timeout). The stable
    system text is cache-controlled. Every attempt, including a repair and a
    failed one, is passed to record; the SDK's own retries of a failed HTTP
    request (429, 5xx, dropped connections: nothing billed) fold into one attempt.
    """
    config = settings.CLAUDE_STAGES[profile]
    request: dict[str, Any] = {
        "model": config["model"],
        "max_tokens": config["max_tokens"],
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "tools": [
            {"name": tool, "description": description, "input_schema": tool_schema(output_model)}
        ],
        "tool_choice": {"type": "tool", "name": tool},
    }
    messages: list[dict[str, Any]] = [{"role": "user", "content": content}]
    message = await _request(profile, request, messages, config["timeout"], record)
    block = _tool_block(message, tool)
    try:
        return output_model.model_validate(block.input)
    except ValidationError as error:
        problems = _describe(error)
        logger.info("%s reply did not validate (%s); asking for a repair", profile, problems)

    # One repair: show Claude its own reply and what was wrong with it.
    messages += [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True)]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": block.id,
                    "is_error": True,
                    "content": f"The input did not match the schema: {problems}. "
                    f"Call {tool} again with a corrected, complete input.",
                }
            ],
        },
    ]
    message = await _request(profile, request, messages, config["timeout"], record)
    block = _tool_block(message, tool)
    try:
        return output_model.model_validate(block.input)
    except ValidationError as error:
        raise InvalidOutputError(
            f"Claude's reply did not fit the expected format, even after a retry "
            f"({_describe(error)})."
        ) from error


async def _request(
    profile: str,
    request: dict[str, Any],
    messages: list[dict[str, Any]],
    timeout: float,
    record: UsageSink,
) -> anthropic.types.Message:
    """Stream one request (retrying once when the stream itself breaks); record its usage."""
    model = request["model"]
    for attempt in (1, 2):
        started = time.monotonic()
        try:
            message = await _stream(request, messages, timeout)
        except _StreamBroken as broken:
            await record(Usage(profile, model, "stream_broken", duration_ms=_ms(started)))
            if attempt == 2:
                raise TransientError(
                    "The connection to Claude broke off in the middle of a reply, twice."
                ) from broken.__cause__
            continue
        except ClaudeError as error:
            await record(Usage(profile, model, error.kind, duration_ms=_ms(started)))
            raise
        usage = message.usage
        outcome = message.stop_reason or "no_stop_reason"
        await record(
            Usage(
                profile,
                model,
                outcome,
                input_tokens=usage.input_tokens or 0,
                output_tokens=usage.output_tokens or 0,
                cache_creation_tokens=usage.cache_creation_input_tokens or 0,
                cache_read_tokens=usage.cache_read_input_tokens or 0,
                duration_ms=_ms(started),
            )
        )
        _check_stop_reason(message)
        return message
    raise AssertionError("unreachable")


class _StreamBroken(Exception):
    """The transport failed after the reply had started (the SDK does not retry these)."""


async def _stream(
    request: dict[str, Any], messages: list[dict[str, Any]], timeout: float
) -> anthropic.types.Message:
    client = _client().with_options(timeout=timeout)
    try:
        async with client.messages.stream(**request, messages=messages) as stream:
            return await stream.get_final_message()
    except anthropic.APITimeoutError as error:
        raise TransientError(f"Claude did not answer within {timeout:g} seconds.") from error
    except anthropic.APIConnectionError as error:
        raise TransientError("Claude could not be reached (connection failed).") from error
    except anthropic.RateLimitError as error:
        raise TransientError("Claude is rate-limiting us; try again in a minute.") from error
    except anthropic.InternalServerError as error:
        # 529 (overloaded) and 5xx, already retried by the SDK with its backoff.
        raise TransientError(
            f"Claude is overloaded or failing (HTTP {error.status_code}); try again shortly."
        ) from error
    except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as error:
        raise MisconfiguredError(
            "Claude refused our credentials: check ANTHROPIC_API_KEY."
        ) from error
    except anthropic.NotFoundError as error:
        detail = error.api_message or "not found"
        raise MisconfiguredError(
            f"Claude answered 'not found' ({detail}): check the model names "
            f"(this call used {request['model']!r}) and ANTHROPIC_BASE_URL."
        ) from error
    except anthropic.APIStatusError as error:
        if error.status_code < 400:
            # An error event in the middle of a streamed reply (e.g. overloaded_error after
            # HTTP 200): the reply broke off, the request itself was fine.
            raise _StreamBroken() from error
        raise MisconfiguredError(
            f"Claude rejected the request (HTTP {error.status_code}): "
            f"{error.api_message or error.message}"
        ) from error
    except httpx2.TransportError as error:
        # A stream cut off mid-way surfaces as the bare transport error.
        raise _StreamBroken() from error


def _check_stop_reason(message: anthropic.types.Message) -> None:
    if message.stop_reason == "refusal":
        raise RefusedError("Claude declined to work on this request.")
    if message.stop_reason in ("max_tokens", "model_context_window_exceeded"):
        raise TruncatedError("Claude's reply was cut off before it was complete.")
    if message.stop_reason is None:
        # The stream ended without message_stop: treat it as cut off.
        raise TruncatedError("Claude's reply ended before it was complete.")


def _tool_block(message: anthropic.types.Message, tool: str) -> anthropic.types.ToolUseBlock:
    for block in message.content:
        if block.type == "tool_use" and block.name == tool:
            return block
    raise InvalidOutputError(f"Claude answered without calling {tool}.")


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in problem['loc']) or 'input'}: {problem['msg']}"
        for problem in error.errors()[:10]
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def dumps(value: Any) -> str:
    """Return compact JSON for embedding data in a prompt."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
