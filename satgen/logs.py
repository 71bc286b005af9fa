"""Logs: one JSON object per line, each carrying the request id, or the job and stage.

RequestIdMiddleware gives every HTTP request an id (a sane incoming X-Request-ID, else a new
one), keeps it in a ContextVar while the request runs (and on the request, for the lines
Django logs after it) and returns it as X-Request-ID.
The pipeline binds its job and stage in generation.log_context. ContextFilter copies both
onto every record; JsonFormatter writes them. The formatter also replaces anything that
looks like a secret we hold or like base64 data (an image) before the line is written: the
code never logs one, and a line that would is the wrong place to find out.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from generation import log_context

request_id: ContextVar[str] = ContextVar("request_id", default="")

# Letters, digits and . _ : - only, at most 64 (a UUID, a ULID, nginx's and Envoy's ids fit):
# anything else could forge log lines or fill them.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HEADER = "X-Request-ID"

CONTEXT_FIELDS = ("request_id", "job_id", "question_id", "stage")
MAX_MESSAGE_CHARS = 8_000  # a line is for reading: never a whole prompt or reply
# A run of base64 this long is data (an image, a file), not words.
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
SECRET_SETTINGS = ("ANTHROPIC_API_KEY", "SECRET_KEY", "METRICS_TOKEN")


def incoming_request_id(value: str | None) -> str:
    """Return the caller's request id if it is sane, else a new one."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id for its log lines, and return it in X-Request-ID."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self.__acall__(request)
        value = incoming_request_id(request.headers.get(HEADER))
        request.request_id = value  # type: ignore[attr-defined]
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        value = incoming_request_id(request.headers.get(HEADER))
        request.request_id = value  # type: ignore[attr-defined]
        token = request_id.set(value)
        try:
            response = await self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response


class ContextFilter(logging.Filter):
    """Attach the request id, and the job, question and stage, to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx response after the middleware has returned: its record carries
        # the request, which carries the id.
        current = request_id.get() or getattr(getattr(record, "request", None), "request_id", "")
        context: dict[str, Any] = {"request_id": current, **log_context.current()}
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):  # a value passed in `extra` wins
                setattr(record, name, context.get(name) or "")
        return True


class JsonFormatter(logging.Formatter):
    """Write a record as one JSON object: time, level, logger, message and what is known."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _shorten(record.getMessage()),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, "")
            if value not in ("", None):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        secrets = _secrets()
        for key in ("message", "exception", "stack"):
            if key in entry:
                entry[key] = scrub(entry[key], secrets)
        return json.dumps(entry, ensure_ascii=False, default=str)


def scrub(text: str, secrets: list[str]) -> str:
    """Replace the secrets and any run of base64 data in a text."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return BASE64_RUN.sub(lambda m: f"[{len(m.group())} characters of base64]", text)


def _shorten(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}… [{len(message) - MAX_MESSAGE_CHARS} more characters]"


def _secrets() -> list[str]:
    from django.conf import settings

    if not settings.configured:
        return []
    values = [str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS]
    values.append(str(getattr(settings, "DATABASES", {}).get("default", {}).get("PASSWORD", "")))
    # Short values would match ordinary words; no real key or token is that short.
    return [value for value in values if len(value) >= 8]
