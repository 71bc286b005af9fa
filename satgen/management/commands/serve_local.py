"""Serve SATgen for one machine: web (Daphne), a worker and, without a Claude key, the simulator.

One process, so live progress travels through the in-process channel layer and
no Redis is needed. Production runs web and worker pods separately with Redis.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import daphne.server  # first: it installs the asyncio Twisted reactor
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve web, worker and (without ANTHROPIC_API_KEY) the Claude simulator in one process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=10, help="Jobs run at once.")

    def handle(self, *args, host: str, port: int, concurrency: int, **options) -> None:
        from twisted.internet import reactor

        from satgen.asgi import application
        from satgen.worker import fresh_connections, warm_embeddings_in_background, worker_app

        if settings.CLAUDE_SIMULATED:
            from claude_simulator.server import HOST, SimulatorServer

            address = urlsplit(settings.CLAUDE_SIMULATOR_URL)
            if address.hostname not in (HOST, "localhost") or address.port is None:
                raise CommandError(
                    f"CLAUDE_SIMULATOR_URL must be http://{HOST}:<port>: the simulator "
                    "listens on loopback only."
                )
            # Its token comes from CLAUDE_SIMULATOR_TOKEN (a launcher's, e.g. the browser
            # tests') or is made for this run; it is printed for the developer's own scripts.
            simulator = SimulatorServer(port=address.port).start()
            self.stdout.write(
                f"No ANTHROPIC_API_KEY: Claude calls go to the simulator at {simulator.url} "
                f"(jobs are marked simulated); its control token: {simulator.token}"
            )

        async def run_worker() -> None:
            app = worker_app()
            async with app.open_async():
                # Daphne's handlers keep SIGINT/SIGTERM: the worker's own would take them over,
                # so Ctrl+C stopped only the worker and left the web server running without
                # one. Jobs cut off by the stop are resumed by the recovery task after a restart.
                await app.run_worker_async(
                    concurrency=concurrency,
                    install_signal_handlers=False,
                    worker_middleware=[fresh_connections],
                )

        def start_worker() -> None:
            # The worker shares Daphne's event loop, so its events reach the sockets directly.
            asyncio.ensure_future(run_worker()).add_done_callback(_log_worker_exit)

        reactor.callWhenRunning(start_worker)
        warm_embeddings_in_background(heartbeat=False)  # no probes on one machine
        self.stdout.write(f"SATgen at http://{host}:{port}/ (Ctrl+C stops it)")
        daphne.server.Server(
            application=application,
            endpoints=[f"tcp:port={port}:interface={host}"],
            verbosity=options["verbosity"],
        ).run()


def _log_worker_exit(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("the in-process worker stopped", exc_info=task.exception())
