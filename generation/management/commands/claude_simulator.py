"""Run the Claude simulator: a strict local stand-in for the Messages API, replies not Claude.

`make run` points the pipeline at it when no ANTHROPIC_API_KEY is set; tests and benchmarks
use it to inject latency and faults per task (extract, generate, solve). Example:

    manage.py claude_simulator --port 8765 --latency old-system --fault rate_limit:generate:2
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandParser

from generation.simulator import FAULT_KINDS, LATENCY_PROFILES, TASK_KEYS, SimulatorServer
from generation.simulator.server import DEFAULT_BATCH_DELAY


def parse_fault(spec: str) -> tuple[str, str, int]:
    """Parse KIND[:TASK[:COUNT]] into (kind, task, count)."""
    kind, _, rest = spec.partition(":")
    task, _, count = rest.partition(":")
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(
            f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
        )
    if task and task not in TASK_KEYS:
        raise argparse.ArgumentTypeError(
            f"unknown task {task!r}; expected one of {', '.join(TASK_KEYS)}"
        )
    try:
        times = int(count) if count else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"fault count {count!r} is not a number") from None
    if times < 1:
        raise argparse.ArgumentTypeError("fault count must be at least 1")
    return kind, task or "*", times


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if number < 0:
        raise argparse.ArgumentTypeError("seconds must not be negative")
    return number


class Command(BaseCommand):
    help = (
        "Serve the Anthropic Messages API locally with simulated replies (not Claude), "
        "enforcing the published per-model rules, for demos, tests and benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--latency",
            choices=sorted(LATENCY_PROFILES),
            default="none",
            help="Per-task delay profile: old-system mimics the old system's timings.",
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            type=parse_fault,
            metavar="KIND[:TASK[:COUNT]]",
            help=f"Inject a fault (repeatable). Kinds: {', '.join(FAULT_KINDS)}. "
            f"Tasks: {', '.join(TASK_KEYS)}.",
        )
        parser.add_argument(
            "--batch-delay",
            type=seconds,
            default=DEFAULT_BATCH_DELAY,
            help="Seconds a message batch stays in progress before it ends.",
        )
        parser.add_argument(
            "--record-bodies",
            action="store_true",
            help="Keep each parsed request body in the request log (GET /_sim/requests).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed for stream chunking.")

    def handle(
        self,
        *args,
        host: str,
        port: int,
        latency: str,
        fault: list[tuple[str, str, int]],
        batch_delay: float,
        record_bodies: bool,
        seed: int,
        verbosity: int,
        **options,
    ) -> None:
        server = SimulatorServer(
            host,
            port,
            latency=LATENCY_PROFILES[latency],
            seed=seed,
            batch_delay=batch_delay,
            record_bodies=record_bodies,
            on_request=self._log_request if verbosity >= 2 else None,
        )
        for kind, task, count in fault:
            server.add_fault(kind, task=task, count=count)
        try:
            server.serve_forever(ready=lambda url: self._announce(url, verbosity))
        except KeyboardInterrupt:
            if verbosity >= 1:
                self.stdout.write("Claude simulator stopped.")

    def _announce(self, url: str, verbosity: int) -> None:
        if verbosity >= 1:
            self.stdout.write(
                f"Claude simulator listening on {url} (simulated responses — not Claude)"
            )
            self.stdout.flush()  # a parent process may be waiting for this line

    def _log_request(self, entry: dict) -> None:
        fault = f" fault={entry['fault']}" if entry["fault"] else ""
        batch = f" batch={entry['batch']}" if entry["batch"] else ""
        error = f" error={entry['error']!r}" if entry["error"] else ""
        self.stdout.write(
            f"{entry['id']} {entry['task'] or '-'} {entry['model']} stream={entry['stream']}"
            f" status={entry['status']}{fault}{batch} in={entry['input_tokens']}"
            f" out={entry['output_tokens']} thinking={entry['thinking_tokens']}"
            f" cache_write={entry['cache_creation_input_tokens']}"
            f" cache_read={entry['cache_read_input_tokens']}"
            f" {entry['duration']:.2f}s{error}"
        )
        self.stdout.flush()
