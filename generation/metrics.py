"""Prometheus instruments of generation (README "Metrics and alerts" says where each is served).

Events are counted in the process where they happen: the pipeline's (stage durations, Claude
calls, tokens, cost, retries, finished jobs) in the worker, which serves them on its own
port; open WebSockets in the web process that holds them. What the database holds (jobs by
status, the task queue, live workers) is read at scrape time by DatabaseCollector, which
only the web processes' /metrics registers. Labels are small, bounded sets, never an id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from generation.claude import Usage

logger = logging.getLogger(__name__)

# A stage takes from well under a second (retrieve) to minutes (generate and validate of ten
# questions, with regenerations and retries).
STAGE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, float("inf"))

STAGE_SECONDS = Histogram(
    "satgen_stage_duration_seconds",
    "Time from a stage's start to its end in this run, by stage and outcome.",
    ["stage", "outcome"],
    buckets=STAGE_BUCKETS,
)
CLAUDE_CALLS = Counter(
    "satgen_claude_calls_total",
    "Requests to Claude (every attempt, as the ledger records it), by model, stage and outcome.",
    ["model", "stage", "outcome"],
)
CLAUDE_TOKENS = Counter(
    "satgen_claude_tokens_total",
    "Tokens Claude reported, by model, stage and kind (input, output, cache_read, cache_write).",
    ["model", "stage", "kind"],
)
CLAUDE_COST = Counter(
    "satgen_claude_cost_usd_total",
    "What Claude requests cost at the published prices, in US dollars, by model and stage.",
    ["model", "stage"],
)
JOBS_FINISHED = Counter(
    "satgen_jobs_finished_total",
    "Jobs a run finished, by status and error kind (empty when it succeeded).",
    ["status", "error_kind"],
)
WEBSOCKETS_OPEN = Gauge("satgen_websockets_open", "Job-page WebSockets this process holds open.")


def call_observe(*, stage: str, usage: Usage) -> None:
    """Count one Claude request with the numbers its ledger row holds."""
    CLAUDE_CALLS.labels(usage.model, stage, usage.outcome).inc()
    for kind, tokens in (
        ("input", usage.input_tokens),
        ("output", usage.output_tokens),
        ("cache_read", usage.cache_read_tokens),
        ("cache_write", usage.cache_creation_tokens),
    ):
        CLAUDE_TOKENS.labels(usage.model, stage, kind).inc(tokens)
    CLAUDE_COST.labels(usage.model, stage).inc(float(usage.cost_usd))


def stage_observe(*, job_id: int, name: str, outcome: str) -> None:
    """Observe how long a stage that has just ended with `outcome` ran, from its row."""
    from generation.models import Stage

    times = (
        Stage.objects.filter(job_id=job_id, name=name, status=outcome)
        .values_list("started_at", "finished_at")
        .first()
    )
    if times and times[0] and times[1]:
        seconds = (times[1] - times[0]).total_seconds()
        STAGE_SECONDS.labels(name, outcome).observe(max(seconds, 0.0))


def job_succeeded() -> None:
    JOBS_FINISHED.labels("succeeded", "").inc()


def job_failed(*, job_id: int, stage: str | None, kind: str) -> None:
    """Count a failed job, and observe the stage it failed in."""
    JOBS_FINISHED.labels("failed", kind).inc()
    if stage:
        stage_observe(job_id=job_id, name=stage, outcome="failed")


# The task queue's unfinished states: what a worker has still to do, and what it is doing.
QUEUE_STATUSES = ("todo", "doing")


class DatabaseCollector:
    """Read, at scrape time, what the database holds: jobs by status, the queue, live workers.

    Three small queries: a GROUP BY over jobs, one over the queue's unfinished tasks (which a
    partial index covers) and a count of recent heartbeats. If the database does not answer,
    these metrics are left out of the scrape and the rest is still served.
    """

    def collect(self) -> Iterator[Metric]:
        from django.db import DatabaseError

        try:
            jobs, queue, workers = self._read()
        except DatabaseError as error:
            logger.warning("database metrics left out of this scrape: %s", type(error).__name__)
            return
        family = GaugeMetricFamily("satgen_jobs", "Jobs by status.", labels=["status"])
        for status, count in jobs.items():
            family.add_metric([status], count)
        yield family
        family = GaugeMetricFamily(
            "satgen_queue_jobs",
            "Procrastinate tasks waiting (todo) or running (doing), by queue.",
            labels=["queue", "status"],
        )
        for (queue_name, status), count in sorted(queue.items()):
            family.add_metric([queue_name, status], count)
        yield family
        yield GaugeMetricFamily(
            "satgen_workers_alive",
            "Workers whose last heartbeat is more recent than WORKER_STALLED_AFTER.",
            value=workers,
        )

    def _read(self) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
        from django.conf import settings
        from django.db.models import Count
        from django.utils import timezone
        from procrastinate.contrib.django import app
        from procrastinate.contrib.django.models import ProcrastinateJob, ProcrastinateWorker

        from generation.models import Job

        # Every status and every known queue appears, at 0 when empty: an alert on a series
        # that is absent never fires.
        jobs = dict.fromkeys(Job.Status.values, 0)
        jobs.update(Job.objects.order_by().values_list("status").annotate(n=Count("pk")))
        queues = {task.queue for task in app.tasks.values()}
        queue = {(name, status): 0 for name in queues for status in QUEUE_STATUSES}
        tasks = (
            ProcrastinateJob.objects.filter(status__in=QUEUE_STATUSES)
            .order_by()
            .values_list("queue_name", "status")
            .annotate(n=Count("id"))
        )
        queue.update({(name, status): n for name, status, n in tasks})
        since = timezone.now() - timedelta(seconds=settings.WORKER_STALLED_AFTER)
        workers = ProcrastinateWorker.objects.filter(last_heartbeat__gte=since).count()
        return jobs, queue, workers
