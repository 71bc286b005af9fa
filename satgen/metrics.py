"""Prometheus metrics: /metrics on the web processes, a port of its own on each worker.

The web /metrics serves django-prometheus' HTTP metrics, the process's own instruments
(open WebSockets) and the gauges read from the database at scrape time (jobs by status, the
task queue, live workers). A worker has no HTTP server of its own: it starts prometheus_client's
on WORKER_METRICS_PORT and serves the pipeline's counters there. Which metric lives where,
and the alerts worth having: README "Metrics and alerts". Neither is for the public ingress.
"""

from __future__ import annotations

import hmac
import logging
from wsgiref.simple_server import WSGIServer

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)

from generation.metrics import DatabaseCollector

logger = logging.getLogger(__name__)

# A _created series beside every counter doubles what is stored for nothing our alerts use.
disable_created_metrics()

# Kept out of the default registry: a worker's port serves that one, and these gauges are
# the same on every pod, so only the web processes read them (each scrape: three queries).
database = CollectorRegistry(auto_describe=False)
database.register(DatabaseCollector())


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve this process's metrics and the database's in Prometheus text format."""
    token = settings.METRICS_TOKEN
    if token and not _bearer_matches(request, token):
        return HttpResponse(
            "A bearer token is required.\n",
            status=401,
            content_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = generate_latest(REGISTRY) + generate_latest(database)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def serve_worker_metrics() -> WSGIServer | None:
    """Serve this worker's metrics on WORKER_METRICS_PORT (0: not at all), on a thread."""
    port = settings.WORKER_METRICS_PORT
    if not port:
        return None
    try:
        server, _ = start_http_server(port)
    except OSError as error:
        # Another worker on this machine has the port (local runs, tests): run without.
        logger.warning("worker metrics are not served: port %s: %s", port, error.strerror)
        return None
    logger.info("worker metrics served on port %s at /metrics", port)
    return server
