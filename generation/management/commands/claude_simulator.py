"""Run the Claude simulator: a local Messages API server with simulated replies, not Claude.

`make run` points the pipeline at it when no ANTHROPIC_API_KEY is set; tests and benchmarks
use it to inject latency and faults. Example:

    manage.py claude_simulator --port 8765 --latency old-system --fault rate_limit:record_question:2
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandParser

from generation.simulator import FAULT_KINDS, LATENCY_PROFILES, SimulatorServer


def parse_fault(spec: str) -> tuple[str, str, int]:
    """Parse KIND[:TOOL[:COUNT]] into (kind, tool, count)."""
    kind, _, rest = spec.partition(":")
    tool, _, count = rest.partition(":")
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(
            f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
        )
    try:
        times = int(count) if count else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"fault count {count!r} is not a number") from None
    if times < 1:
        raise argparse.ArgumentTypeError("fault count must be at least 1")
    return kind, tool or "*", times


class Command(BaseCommand):
    help = (
        "Serve the Anthropic Messages API locally with simulated replies (not Claude), "
        "for demos, tests and benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--latency",
            choices=sorted(LATENCY_PROFILES),
            default="none",
            help="Per-stage delay profile: old-system mimics the old system's timings.",
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            type=parse_fault,
            metavar="KIND[:TOOL[:COUNT]]",
            help=f"Inject a fault (repeatable). Kinds: {', '.join(FAULT_KINDS)}.",
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed for ids and stream chunking.")

    def handle(
        self,
        *args,
        host: str,
        port: int,
        latency: str,
        fault: list[tuple[str, str, int]],
        seed: int,
        verbosity: int,
        **options,
    ) -> None:
        server = SimulatorServer(
            host,
            port,
            latency=LATENCY_PROFILES[latency],
            seed=seed,
            on_request=self._log_request if verbosity >= 2 else None,
        )
        for kind, tool, count in fault:
            server.add_fault(kind, tool=tool, count=count)
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
        self.stdout.write(
            f"{entry['id']} {entry['tool']} stream={entry['stream']} status={entry['status']}"
            f"{fault} in={entry['input_tokens']} out={entry['output_tokens']}"
            f" {entry['duration']:.2f}s"
        )
        self.stdout.flush()
