"""Health checks a kubelet (and a Prometheus scraper) can reach, whatever the Host header.

Probes and scrapers address a pod by its IP, which ALLOWED_HOSTS does not hold: Django's
host validation would answer 400 and a web pod would never become Ready. The middleware
below, first in MIDDLEWARE, answers the paths in HOST_EXEMPT_PATHS itself, with their own
views, before anything reads the Host; every other request goes through the whole stack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

_migrated = False  # once every migration is applied, it stays so for this process


class HostExemptMiddleware:
    """Answer the health and metrics paths before host validation; pass the rest on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in settings.HOST_EXEMPT_PATHS:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                pass
            else:
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers HTTP."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers, every migration is applied, Redis answers.

    503 names each failing part (its error type only: a message could carry a password).
    """
    checks = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "redis": _check(_redis) if settings.REDIS_URL else "not used",
    }
    failing = [name for name, result in checks.items() if result not in ("ok", "not used")]
    if failing:
        logger.warning("not ready: %s", checks)
        return JsonResponse({"status": "unavailable", "failing": failing, **checks}, status=503)
    return JsonResponse({"status": "ok", **checks})


def _check(probe: Callable[[], str]) -> str:
    try:
        return probe()
    except Exception as error:  # a probe reports, it never raises
        return f"error: {type(error).__name__}"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return f"{len(pending)} pending"
        _migrated = True
    return "ok"


def _redis() -> str:
    import redis  # only where a channel layer on Redis is configured

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"
