"""Run a Procrastinate worker that outlives a PostgreSQL restart.

Procrastinate 3 stops its worker when the database goes away under it (the listener, the
heartbeat or a fetch fails) and leaves starting it again to whoever started the process. A
pod restart would load the embedding model again and, while PostgreSQL stays down, end in
CrashLoopBackOff, whose delay grows to five minutes. This command starts the worker again in
the same process once the database answers; SIGTERM or Ctrl+C still stops it for good, after
the grace period. docs/reliability.md has the scenarios.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

logger = logging.getLogger(__name__)

RESTART_DELAY = 1.0  # seconds before the first new start; doubled per failure, up to the cap
RESTART_DELAY_CAP = 30.0


class Command(BaseCommand):
    help = "Run a worker: jobs, revisions, embeddings and recovery, surviving database restarts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=10, help="Jobs run at once.")
        parser.add_argument("--name", default="worker", help="The worker's name in its logs.")
        parser.add_argument(
            "--shutdown-graceful-timeout",
            type=float,
            default=None,
            help="Seconds running jobs may take to finish after SIGTERM (default: no limit).",
        )

    def handle(self, *args: Any, concurrency: int, name: str, **options: Any) -> None:
        from satgen.metrics import serve_worker_metrics
        from satgen.worker import warm_embeddings_in_background

        warm_embeddings_in_background()
        serve_worker_metrics()  # the worker's counters on WORKER_METRICS_PORT
        asyncio.run(
            supervise(
                concurrency=concurrency,
                name=name,
                shutdown_graceful_timeout=options["shutdown_graceful_timeout"],
            )
        )


async def supervise(*, concurrency: int, name: str, shutdown_graceful_timeout: float | None):
    """Run the worker until a signal stops it, starting it again whenever it stops alone."""
    from procrastinate.app import WorkerOptions
    from procrastinate.worker import Worker

    from satgen.worker import fresh_connections, worker_app

    app = worker_app()
    stopping = asyncio.Event()
    current: Worker | None = None

    def stop() -> None:
        stopping.set()
        if current is not None:
            current.stop()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)

    delay = RESTART_DELAY
    while not stopping.is_set():
        started = loop.time()
        try:
            async with app.open_async():
                options: WorkerOptions = {
                    **app.worker_defaults,
                    "concurrency": concurrency,
                    "name": name,
                    "install_signal_handlers": False,  # ours, above
                    "worker_middleware": [fresh_connections],
                }
                if shutdown_graceful_timeout is not None:
                    options["shutdown_graceful_timeout"] = shutdown_graceful_timeout
                current = Worker(app=app, **options)
                await current.run()
            if stopping.is_set():
                break
            logger.error("the worker stopped by itself (its database went away?)")
        except Exception:
            if stopping.is_set():
                break
            logger.exception("the worker stopped on an error")
        current = None
        if loop.time() - started > RESTART_DELAY_CAP:
            delay = RESTART_DELAY  # it had been running: not one outage after another
        logger.warning("starting the worker again in %.0f s", delay)
        with suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        delay = min(delay * 2, RESTART_DELAY_CAP)
    logger.info("worker stopped")
