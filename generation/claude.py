"""The one module that talks to Claude.

Every stage calls `call_structured`: a streamed request whose answer comes back through
structured output (`output_config.format`, a JSON schema generated from the stage's pydantic
model), validated by that model and repaired once if it does not validate. The request is
built for the stage's model from the table in settings (effort, thinking, cache minimums,
prices), so it is one that model accepts. This module owns retries (with backoff, each
attempt in the ledger), timeouts, usage and cost, and raises one small family of typed
errors whose message is fit for a tutor and whose `detail` is for the operator.
`solve_in_batch` sends bulk work through the Message Batches API. Nothing else imports
anthropic. The contract and its sources: docs/claude.md.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import dataclasses
import json
import logging
import math
import random
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import anthropic
import httpx2
from django.conf import settings
from prometheus_client import Counter
from pydantic import BaseModel, ValidationError

logger = logging.getLogger(__name__)

# Here rather than with the other metrics (generation/metrics.py): the client imports
# nothing of ours but the settings.
RETRIES = Counter(
    "satgen_claude_retries_total",
    "Requests to Claude sent again, by why (a transient failure's outcome, max_tokens, repair).",
    ["kind"],
)

T = TypeVar("T", bound=BaseModel)

# Our estimate of a prefix errs high: a breakpoint kept below the minimum is a no-op, one
# dropped above it a missed cache.
CHARS_PER_TOKEN_LOW = 3
IMAGE_TOKENS_AT_MOST = 4784  # the largest image tier's budget


class ClaudeError(Exception):
    """A call to Claude failed. str() is fit to show a tutor; `detail` is for operators."""

    kind = "error"
    default_message = "Claude could not answer."

    def __init__(self, message: str = "", *, detail: str = "") -> None:
        super().__init__(message or self.default_message)
        # What the API (or a proxy before it) said goes to logs, the ledger and the admin:
        # never with a credential in it, whatever the upstream echoed.
        self.detail = redact(detail or str(self))


# A credential by its look, or as the value of a header or field that carries one.
_KEY = re.compile(r"sk-ant-[\w-]{8,}")
_CARRIER = re.compile(
    r"(?i)\b(x-api-key|(?:proxy-)?authorization|api[_-]?key|cookie)(['\"]?\s*[:=]\s*['\"]?)"
    r"[^'\"\n,;}]+"
)


def redact(text: str) -> str:
    """Return `text` with the API key, and anything that looks like a credential, blanked."""
    if key := settings.ANTHROPIC_API_KEY:
        text = text.replace(key, "[redacted]")
    text = _KEY.sub("[redacted]", text)
    return _CARRIER.sub(r"\1\2[redacted]", text)


class TransientError(ClaudeError):
    """Claude was overloaded, rate-limited, unreachable or too slow, even after retries."""

    kind = "transient"
    default_message = (
        "Claude is busy or unreachable right now, so this step could not finish. "
        "Nothing is lost: press Retry to continue from here."
    )


class RefusedError(ClaudeError):
    """Claude declined to answer."""

    kind = "refused"
    default_message = "Claude declined to work on this question."


class TruncatedError(ClaudeError):
    """The reply was cut off before it was complete, even with more room."""

    kind = "truncated"
    default_message = "Claude's answer was too long and was cut off before it was complete."


class InvalidOutputError(ClaudeError):
    """The reply did not fit the stage's model, even after one repair."""

    kind = "invalid_output"
    default_message = "Claude's answer came back in a form we could not use, even after a retry."


class MisconfiguredError(ClaudeError):
    """Claude refused the request itself: key, model name or request shape is wrong."""

    kind = "misconfigured"
    default_message = (
        "SATgen could not use Claude because of a problem on our side; it has been reported. "
        "Please try again later."
    )


@dataclass(frozen=True)
class Usage:
    """What one request to Claude used and cost, as the API reported it."""

    profile: str
    model: str
    outcome: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_write_1h_tokens: int = 0  # the part of cache_creation_tokens written for an hour
    cache_read_tokens: int = 0
    thinking_tokens: int = 0
    duration_ms: int = 0
    batch: bool = False
    request_id: str = ""
    error: str = ""  # the operator's detail when the request failed

    @property
    def cost_usd(self) -> Decimal:
        return cost_usd(self)


def cost_usd(usage: Usage) -> Decimal:
    """Return what a request cost at the model's published prices (docs/claude.md)."""
    prices = _model(usage.model)["prices"]

    def rate(name: str) -> Decimal:
        return Decimal(str(prices[name]))

    write_5m = usage.cache_creation_tokens - usage.cache_write_1h_tokens
    total = (
        rate("input") * usage.input_tokens
        + rate("output") * usage.output_tokens
        + rate("cache_write_5m") * write_5m
        + rate("cache_write_1h") * usage.cache_write_1h_tokens
        + rate("cache_read") * usage.cache_read_tokens
    )
    prompt = usage.input_tokens + usage.cache_creation_tokens + usage.cache_read_tokens
    if "long_context" in prices and prompt > prices["long_context"][0]:
        total *= Decimal(str(prices["long_context"][1]))
    if usage.batch:
        total *= rate("batch")
    return (total / Decimal(1_000_000)).quantize(Decimal("0.000001"))


UsageSink = Callable[[Usage], Awaitable[None]]


def is_simulated() -> bool:
    """Return whether calls go to the local Claude simulator rather than Claude."""
    return settings.CLAUDE_SIMULATED


def _model(model_id: str) -> dict[str, Any]:
    return settings.CLAUDE_MODELS[model_id]


def stage_model(profile: str) -> dict[str, Any]:
    """Return the table entry of the model a stage profile uses."""
    return _model(settings.CLAUDE_STAGES[profile]["model"])


# --- schemas and requests ----------------------------------------------------------------


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the model's JSON schema in the subset structured output accepts.

    References are inlined, then the SDK's own transform adds `additionalProperties:
    false` and moves the constraints the API does not support (lengths, bounds) into the
    descriptions; the pydantic model keeps enforcing them on the reply.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[1]])
                extra = {k: v for k, v in node.items() if k != "$ref"}
                return inline({**target, **extra})
            return {k: inline(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return anthropic.transform_schema(inline(schema))


def cache_control(ttl: str) -> dict[str, str]:
    """Return a cache breakpoint marker for a content block."""
    return {"type": "ephemeral", "ttl": ttl}


def thinking_param(model: dict[str, Any], mode: str) -> dict[str, str] | None:
    """Return the thinking field for a stage's mode, or None to leave it out.

    "adaptive" is every current model's default, so it is left out. "minimal" turns
    up-front thinking off the way the model allows (between_tools on Sonnet 5.5, disabled
    on Haiku 5.5 and Sonnet 5) and stays adaptive on a model that always thinks (Opus 5.5).
    """
    if mode == "minimal" and model["thinking_off"]:
        return {"type": model["thinking_off"]}
    return None


def request_params(
    profile: str, *, output_model: type[BaseModel], system: str, content: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return the Messages API parameters for one stage call, valid for the stage's model.

    The system prompt carries a breakpoint with the stable TTL; blocks of `content` may
    carry their own (`cache_control(...)`). A breakpoint whose prefix is shorter than the
    model's minimum is removed: the API would not cache it anyway.
    """
    stage = settings.CLAUDE_STAGES[profile]
    model = _model(stage["model"])
    system_blocks = [
        {"type": "text", "text": system, "cache_control": cache_control(settings.CLAUDE_CACHE_TTL)}
    ]
    blocks = copy.deepcopy(content)
    schema = output_schema(output_model)
    # The output schema is prompt at the head of the prefix, with the tools (docs/claude.md).
    prefix = math.ceil(len(json.dumps(schema)) / CHARS_PER_TOKEN_LOW) + _estimate_tokens(
        system_blocks
    )
    if prefix < model["cache_min_tokens"]:
        del system_blocks[0]["cache_control"]
    for block in blocks:
        prefix += _estimate_tokens([block])
        if "cache_control" in block and prefix < model["cache_min_tokens"]:
            del block["cache_control"]
    params: dict[str, Any] = {
        "model": stage["model"],
        "max_tokens": stage["max_tokens"],
        "system": system_blocks,
        "messages": [{"role": "user", "content": blocks}],
        "output_config": {
            "effort": stage["effort"],
            "format": {"type": "json_schema", "schema": schema},
        },
    }
    thinking = thinking_param(model, stage["thinking"])
    if thinking is not None:
        params["thinking"] = thinking
    return params


def _estimate_tokens(blocks: Sequence[dict[str, Any]]) -> int:
    """Estimate the tokens of content blocks, generously (text ~3 characters a token)."""
    tokens = 0
    for block in blocks:
        if block.get("type") == "image":
            tokens += IMAGE_TOKENS_AT_MOST
        else:
            tokens += math.ceil(len(block.get("text", "")) / CHARS_PER_TOKEN_LOW)
    return tokens


def image_block(data: bytes, media_type: str) -> dict[str, Any]:
    """Return an image content block."""
    return {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": media_type,
            "data": base64.b64encode(data).decode(),
        },
    }


# --- the client ------------------------------------------------------------------------

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
    if (api_key, base_url) not in per_loop:
        # Retries are ours (below): each attempt is in the ledger and waits are capped.
        per_loop[api_key, base_url] = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=0
        )
    return per_loop[api_key, base_url]


REPAIR_PROMPT = (
    "Your reply did not pass our checks: {problems}. Reply again with the complete, corrected "
    "JSON object."
)


async def call_structured(
    *,
    profile: str,
    output_model: type[T],
    system: str,
    content: list[dict[str, Any]],
    record: UsageSink,
    started: asyncio.Event | None = None,
) -> T:
    """Ask Claude for an output_model through structured output; return it validated.

    profile names a CLAUDE_STAGES entry. Every request that reached the API is passed to
    record, failed and repaired ones included. `started` is set once the first reply has
    begun streaming (the moment its cache entries become readable to parallel calls).
    """
    params = request_params(profile, output_model=output_model, system=system, content=content)
    message = await _request(profile, params, record, started)
    try:
        return _parse(message, output_model)
    except ValidationError as error:
        problems = _describe(error)
        logger.info("%s reply did not validate (%s); asking for a repair", profile, problems)
        RETRIES.labels("repair").inc()
    # One repair: the conversation grows append-only, Claude's turn is replayed verbatim
    # (thinking blocks and their signatures included), and it ends with our user turn.
    params = {
        **params,
        "messages": [
            *params["messages"],
            {"role": "assistant", "content": _replayable(message)},
            {
                "role": "user",
                "content": [{"type": "text", "text": REPAIR_PROMPT.format(problems=problems)}],
            },
        ],
    }
    message = await _request(profile, params, record, None)
    try:
        return _parse(message, output_model)
    except ValidationError as error:
        raise InvalidOutputError(
            detail=f"{profile} reply did not validate after a repair: {_describe(error)}"
        ) from error


def _parse(message: anthropic.types.Message, output_model: type[T]) -> T:
    text = "".join(block.text for block in message.content if block.type == "text")
    return output_model.model_validate_json(text or "null")


def _replayable(message: anthropic.types.Message) -> list[dict[str, Any]]:
    return [block.model_dump(exclude_none=True) for block in message.content]


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in problem['loc']) or 'reply'}: {problem['msg']}"
        for problem in error.errors()[:10]
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@dataclass
class _Attempt:
    """What one HTTP attempt saw, for the ledger, whatever became of it."""

    started: float = field(default_factory=time.monotonic)
    usage: Any = None  # the API's usage object, from message_start then message_delta
    text_chars: int = 0
    request_id: str = ""


class _Failed(Exception):
    """One attempt failed; `error` is what to raise if no retry is left or allowed."""

    def __init__(
        self,
        error: ClaudeError,
        *,
        outcome: str,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(error.detail)
        self.error = error
        self.outcome = outcome
        self.retryable = retryable
        self.retry_after = retry_after


async def _request(
    profile: str,
    params: dict[str, Any],
    record: UsageSink,
    started: asyncio.Event | None,
) -> anthropic.types.Message:
    """Send one request, retrying transient failures with backoff; record every attempt.

    A reply cut off by max_tokens (thinking counts toward it) is asked again once with
    twice the room, up to the model's ceiling.
    """
    stage = settings.CLAUDE_STAGES[profile]
    model = params["model"]
    failures = 0
    grown = False
    try:
        while True:
            attempt = _Attempt()
            try:
                message = await _stream(params, stage["timeout"], attempt, started)
            except _Failed as failed:
                await record(
                    _usage(profile, model, failed.outcome, attempt, error=failed.error.detail)
                )
                failures += 1
                delay = _backoff(failures, failed.retry_after) if failed.retryable else None
                if delay is None or failures > settings.CLAUDE_MAX_RETRIES:
                    logger.warning("%s call failed: %s", profile, failed.error.detail)
                    raise failed.error from failed.__cause__
                logger.info("%s call failed (%s); retrying in %.1f s", profile, failed, delay)
                RETRIES.labels(failed.outcome).inc()
                await asyncio.sleep(delay)
                continue
            except asyncio.CancelledError:
                # The job was cancelled or the worker is stopping: what reached the API is billed.
                await asyncio.shield(record(_usage(profile, model, "cancelled", attempt)))
                raise
            await record(_usage(profile, model, message.stop_reason or "no_stop_reason", attempt))
            ceiling = _model(model)["max_output_tokens"]
            if message.stop_reason == "max_tokens" and not grown and params["max_tokens"] < ceiling:
                grown = True
                params = {**params, "max_tokens": min(2 * params["max_tokens"], ceiling)}
                logger.info(
                    "%s reply hit max_tokens; asking again with %s", profile, params["max_tokens"]
                )
                RETRIES.labels("max_tokens").inc()
                continue
            _check_stop_reason(message, params)
            return message
    finally:
        if started is not None:
            started.set()  # waiters never hang on a call that failed before replying


def _usage(profile: str, model: str, outcome: str, attempt: _Attempt, *, error: str = "") -> Usage:
    """Return the ledger entry of an attempt: the usage the API reported, if any."""
    usage = attempt.usage
    if usage is None:
        return Usage(profile, model, outcome, duration_ms=_ms(attempt.started), error=error)
    created = getattr(usage, "cache_creation", None)
    details = getattr(usage, "output_tokens_details", None)
    output = usage.output_tokens or 0
    if outcome in ("stream_broken", "cancelled"):
        # A reply that broke off reported only its start; count what we received of it.
        output = max(output, math.ceil(attempt.text_chars / 4))
    return Usage(
        profile,
        model,
        outcome,
        input_tokens=usage.input_tokens or 0,
        output_tokens=output,
        cache_creation_tokens=usage.cache_creation_input_tokens or 0,
        cache_write_1h_tokens=(created.ephemeral_1h_input_tokens or 0) if created else 0,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
        thinking_tokens=(details.thinking_tokens or 0) if details else 0,
        duration_ms=_ms(attempt.started),
        request_id=attempt.request_id,
        error=error,
    )


def _backoff(failures: int, retry_after: float | None) -> float | None:
    """Return the wait before the next attempt, or None if the server asks for too long."""
    if retry_after is not None and retry_after > 0:
        return retry_after if retry_after <= settings.CLAUDE_RETRY_AFTER_MAX else None
    delay = min(settings.CLAUDE_RETRY_BASE * 2 ** (failures - 1), settings.CLAUDE_RETRY_CAP)
    return delay * (1 - 0.25 * random.random())


async def _stream(
    params: dict[str, Any],
    timeout: float,
    attempt: _Attempt,
    started: asyncio.Event | None,
) -> anthropic.types.Message:
    client = _client().with_options(timeout=timeout)
    model = params["model"]
    try:
        async with client.messages.stream(**params) as stream:
            attempt.request_id = stream.request_id or ""
            async for event in stream:
                if event.type == "message_start":
                    attempt.usage = event.message.usage
                    if started is not None:
                        started.set()
                elif event.type == "message_delta":
                    attempt.usage = _merged_usage(attempt.usage, event.usage)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    attempt.text_chars += len(event.delta.text)
            message = await stream.get_final_message()
    except anthropic.APITimeoutError as error:
        raise _transient("timeout", f"no answer within {timeout:g} s from {model}") from error
    except anthropic.APIConnectionError as error:
        detail = f"connection to the API failed: {error.__cause__ or error}"
        raise _transient("connection_error", detail) from error
    except anthropic.APIStatusError as error:
        raise _status_failure(error, model, attempt) from error
    except httpx2.TransportError as error:
        # A stream cut off mid-way surfaces as the bare transport error.
        detail = f"the reply from {model} broke off mid-stream: {error!r}"
        raise _transient("stream_broken", detail) from error
    if message.stop_reason is None:
        # The stream ended without message_stop: a reply cut short in transit.
        raise _transient("stream_broken", f"the reply from {model} ended without a stop reason")
    return message


def _transient(outcome: str, detail: str, *, retry_after: float | None = None) -> _Failed:
    return _Failed(
        TransientError(detail=detail), outcome=outcome, retryable=True, retry_after=retry_after
    )


def _merged_usage(seen: Any, delta: Any) -> Any:
    """Return message_start's usage updated with a message_delta's (cumulative) counts."""
    if seen is None:
        return delta
    updates = {
        name: getattr(delta, name)
        for name in type(delta).model_fields
        if getattr(delta, name) is not None and name in type(seen).model_fields
    }
    return seen.model_copy(update=updates)


def _status_failure(error: anthropic.APIStatusError, model: str, attempt: _Attempt) -> _Failed:
    """Classify an HTTP error (or an error event mid-stream) from the API."""
    attempt.request_id = attempt.request_id or (error.request_id or "")
    status = error.status_code
    body = error.body if isinstance(error.body, dict) else {}
    error_type = (body.get("error") or {}).get("type", "")
    detail = (
        f"HTTP {status} {error_type} from {model}: {error.message}"
        f" (request {attempt.request_id or 'unknown'})"
    )
    headers = error.response.headers if error.response is not None else {}
    if status < 400:
        # An error event in the middle of a streamed reply (e.g. overloaded after HTTP 200).
        return _transient("stream_broken", detail)
    if status in (408, 409, 429) or status >= 500:
        outcome = {429: "rate_limited", 529: "overloaded"}.get(status, "server_error")
        failure = _transient(outcome, detail, retry_after=_retry_after(headers))
        # The API (and our simulator, for its own bugs) may say a retry cannot help.
        failure.retryable = headers.get("x-should-retry") != "false"
        return failure
    if status in (401, 403):
        detail += " — check ANTHROPIC_API_KEY"
    elif status == 404:
        detail += " — check the CLAUDE_*_MODEL settings and ANTHROPIC_BASE_URL"
    return _Failed(MisconfiguredError(detail=detail), outcome="rejected", retryable=False)


def _retry_after(headers: Any) -> float | None:
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                continue
    return None


def _check_stop_reason(message: anthropic.types.Message, params: dict[str, Any]) -> None:
    reason = message.stop_reason
    if reason == "refusal":
        details = getattr(message, "stop_details", None)
        raise RefusedError(detail=f"{params['model']} refused: {details}")
    if reason in ("max_tokens", "model_context_window_exceeded"):
        raise TruncatedError(
            detail=f"{params['model']} stopped with {reason} at max_tokens={params['max_tokens']}"
        )
    if reason not in ("end_turn", "stop_sequence"):
        raise InvalidOutputError(detail=f"{params['model']} stopped with {reason!r}")


def dumps(value: Any) -> str:
    """Return compact JSON for embedding data in a prompt."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- batches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch: its id (1-64 of [A-Za-z0-9_-]) and what to ask."""

    custom_id: str
    system: str
    content: list[dict[str, Any]]


async def call_structured_batch(
    *,
    profile: str,
    output_model: type[T],
    items: list[BatchItem],
    record: UsageSink,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, T | ClaudeError]:
    """Ask for many output_models through the Message Batches API (half price, no waiting).

    Returns each item's result or the error it ended with. Polls every
    CLAUDE_BATCH_POLL_SECONDS, calling progress(done, total) each time.
    """
    client = _client().with_options(timeout=settings.CLAUDE_STAGES[profile]["timeout"])
    requests: list[Any] = [
        {
            "custom_id": item.custom_id,
            "params": request_params(
                profile, output_model=output_model, system=item.system, content=item.content
            ),
        }
        for item in items
    ]
    model = settings.CLAUDE_STAGES[profile]["model"]
    try:
        batch = await client.messages.batches.create(requests=requests)
        while batch.processing_status != "ended":
            if progress is not None:
                counts = batch.request_counts
                progress(len(items) - counts.processing, len(items))
            await asyncio.sleep(settings.CLAUDE_BATCH_POLL_SECONDS)
            batch = await client.messages.batches.retrieve(batch.id)
        if progress is not None:
            progress(len(items), len(items))
        results: dict[str, T | ClaudeError] = {}
        async for line in await client.messages.batches.results(batch.id):
            results[line.custom_id] = await _batch_result(
                profile, model, line, output_model, record
            )
    except anthropic.APIStatusError as error:
        failure = _status_failure(error, model, _Attempt())
        raise failure.error from error
    except (anthropic.APIConnectionError, httpx2.TransportError) as error:
        raise TransientError(detail=f"the batch API could not be reached: {error!r}") from error
    for item in items:
        results.setdefault(item.custom_id, TransientError(detail="no result in the batch"))
    return results


async def _batch_result(
    profile: str, model: str, line: Any, output_model: type[T], record: UsageSink
) -> T | ClaudeError:
    result = line.result
    if result.type != "succeeded":
        detail = f"batch request {line.custom_id} {result.type}"
        if result.type == "errored":
            detail += f": {result.error.error.type}: {result.error.error.message}"
            error_type = result.error.error.type
            if error_type in ("invalid_request_error", "authentication_error", "not_found_error"):
                return MisconfiguredError(detail=detail)
        return TransientError(detail=detail)
    message = result.message
    attempt = _Attempt(usage=message.usage, request_id=message.id)
    entry = _usage(profile, model, message.stop_reason or "no_stop_reason", attempt)
    await record(dataclasses.replace(entry, batch=True, duration_ms=0))
    try:
        _check_stop_reason(message, {"model": model, "max_tokens": message.usage.output_tokens})
        return _parse(message, output_model)
    except ClaudeError as error:
        return error
    except ValidationError as error:
        return InvalidOutputError(detail=f"batch reply did not validate: {_describe(error)}")
