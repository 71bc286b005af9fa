"""Request bodies are refused at the cap while they stream, through the real ASGI application."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from django.conf import settings as live
from django.core.files.uploadhandler import FileUploadHandler

from satgen.asgi import application
from satgen.uploads import CappedUploadHandler

CHUNK = 64 * 1024


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


class Body:
    """A request body of total bytes sent in chunks; it fails the test if read past allowed."""

    def __init__(self, total: int, allowed: int) -> None:
        self.total, self.allowed, self.sent = total, allowed, 0

    async def receive(self) -> dict:
        if self.sent == self.total:
            await asyncio.Event().wait()  # the client waits for the answer (Django listens)
        if self.sent >= self.allowed:
            pytest.fail(f"the body was read past {self.allowed:,} bytes")
        chunk = min(CHUNK, self.total - self.sent)
        self.sent += chunk
        return {"type": "http.request", "body": b"\0" * chunk, "more_body": self.sent < self.total}


async def _call(scope: dict, body: Body) -> tuple[int, dict[bytes, bytes], bytes]:
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    await application(scope, body.receive, send)
    start, *rest = messages
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in rest)


@pytest.mark.asyncio
async def test_a_declared_200_mb_body_is_refused_with_413_before_a_byte_is_read(settings):
    size = 200 * 2**20
    scope = _scope("/jobs/new/", [(b"content-length", str(size).encode())])
    status, headers, body = await _call(scope, Body(size, allowed=0))
    assert status == 413 and headers[b"connection"] == b"close"
    assert body.decode() == (
        "This upload is larger than the 10 MB limit. "
        "Crop the screenshot to the question, or save it as a JPEG."
    )


@pytest.mark.asyncio
async def test_a_chunked_body_is_refused_once_it_passes_the_cap(settings):
    settings.UPLOAD_MAX_BYTES = 2**20
    settings.REQUEST_MAX_BYTES = 2 * 2**20
    scope = _scope("/api/v1/jobs/", [(b"transfer-encoding", b"chunked")])
    stream = Body(200 * 2**20, allowed=2 * 2**20 + CHUNK)
    status, headers, body = await _call(scope, stream)
    assert status == 413 and headers[b"content-type"] == b"application/json"
    assert b'"detail": "This upload is larger than the 1 MB limit.' in body
    assert stream.sent <= 2 * 2**20 + CHUNK


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_body_under_the_cap_reaches_django():
    scope = _scope("/api/v1/jobs/", [(b"content-length", b"4096")])
    status, _, body = await _call(scope, Body(4096, allowed=4096))
    assert status == 401  # the API's own answer: no token


def test_the_upload_handler_keeps_one_byte_past_the_cap_and_the_real_size(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    handler = CappedUploadHandler()
    handler.new_file("image", "big.png", "image/png", None)
    for start in range(0, 5000, 300):
        assert handler.receive_data_chunk(b"x" * 300, start) is None
    upload = handler.file_complete(5100)
    assert upload.size == 5100 and len(upload.read()) == 1001


def test_django_uses_the_capped_handler_and_keeps_bodies_in_memory():
    assert live.FILE_UPLOAD_HANDLERS == ["satgen.uploads.CappedUploadHandler"]
    assert live.REQUEST_MAX_BYTES == live.UPLOAD_MAX_BYTES + live.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert live.FILE_UPLOAD_MAX_MEMORY_SIZE == live.REQUEST_MAX_BYTES
    assert issubclass(CappedUploadHandler, FileUploadHandler)


def test_serve_local_serves_the_guarded_application():
    from satgen.management.commands import serve_local

    source = Path(serve_local.__file__).read_text(encoding="utf-8")
    assert "from satgen.asgi import application" in source
    assert type(application).__name__ == "BodySizeLimit"
