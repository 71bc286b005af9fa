"""A full disk under the database is an outage to tell plainly, not a server error.

Screenshots, questions and sets are rows in PostgreSQL; when its disk is full (SQLSTATE 53100,
`disk_full`) every write fails. The request's transaction is rolled back, so nothing is half
saved; the tutor is told to try again later (503 with Retry-After) and operators get a log
line naming the cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import psycopg.errors
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 300
MESSAGE = "Our storage is full, so nothing was saved. Please try again in a few minutes."


def is_disk_full(error: BaseException) -> bool:
    """Whether `error` is PostgreSQL saying its disk is full."""
    return isinstance(error, OperationalError) and isinstance(
        error.__cause__, psycopg.errors.DiskFull
    )


class StorageFullMiddleware:
    """Answer a request that met a full database disk with 503 and our own words."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_disk_full(exception):
            return None
        logger.error("the database's disk is full: %s %s refused", request.method, request.path)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": MESSAGE}, status=503)
        else:
            response = render(request, "storage_full.html", {"message": MESSAGE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
