"""Request bodies bounded while they stream: an ASGI guard and an upload handler.

Django's ASGI handler reads a whole body into memory (spilling to a temporary file) before
any view or size check runs, so a 200 MB POST cost ~635 MB before the 10 MB check refused
it. BodySizeLimit wraps the application (satgen/asgi.py; Daphne and serve_local run the
same one): a Content-Length over REQUEST_MAX_BYTES is answered 413 before a byte of the body
is read, and a body without one (chunked) is counted as it arrives and refused the moment it
passes the cap. CappedUploadHandler then keeps each file in memory only up to one byte past
UPLOAD_MAX_BYTES, which is all a view needs to refuse it with the file's real size.
"""

from __future__ import annotations

import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# Plain shapes rather than asgiref's TypedDicts: the guard only reads a few keys.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    """Raised from receive() once a streamed body passes the cap; BodySizeLimit answers 413."""


def too_large_message() -> str:
    """Return the 413's words: the cap on a screenshot, and what to do instead."""
    return (
        f"This upload is larger than the {settings.UPLOAD_MAX_BYTES / 2**20:g} MB limit. "
        "Crop the screenshot to the question, or save it as a JPEG."
    )


class BodySizeLimit:
    """Refuse an HTTP request whose body passes settings.REQUEST_MAX_BYTES, without reading it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.REQUEST_MAX_BYTES
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send)
            return

        received = 0
        started = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            # Django reads the whole body before it answers, so nothing has been sent yet.
            if not started:
                await _refuse(scope, send)


def _content_length(scope: Scope) -> int | None:
    """Return the declared body length, or None when there is none (or it is not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send) -> None:
    """Answer 413: JSON in the API's error shape under /api/, plain words elsewhere."""
    message = too_large_message()
    if scope.get("path", "").startswith("/api/"):
        body, content_type = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, content_type = message.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body was never read: the connection cannot carry another.
                (b"connection", b"close"),
            ],
            "trailers": False,
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class CappedUploadHandler(FileUploadHandler):
    """Keep an uploaded file in memory up to one byte past UPLOAD_MAX_BYTES; count the rest.

    The file's size is its real size, so the view's check says how big it was; what is kept
    is enough to know it is too big, and never more than the cap (no temporary files).
    """

    buffer: io.BytesIO

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.UPLOAD_MAX_BYTES + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        return None  # no other handler gets the data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
