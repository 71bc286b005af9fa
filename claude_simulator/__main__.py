"""Run the Claude simulator: a strict local stand-in for the Messages API, replies not Claude.

`make run` starts it in-process when no ANTHROPIC_API_KEY is set; on its own, for a demo,
a benchmark or a web and worker pair pointed at it with CLAUDE_USE_SIMULATOR=1, it runs as

    python -m claude_simulator --port 8765 --latency old-system --fault rate_limit:generate:2

and injects latency and faults per task (extract, generate, solve). It answers from the
question bank, so it reads SATgen's database through Django's settings. It listens on
127.0.0.1 only; its control API (/_sim/...) takes the token it prints, or the one its
launcher put in CLAUDE_SIMULATOR_TOKEN, in an X-Simulator-Token header.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from claude_simulator import FAULT_KINDS, LATENCY_PROFILES, TASK_KEYS, SimulatorServer
from claude_simulator.controls import check_fault, check_task
from claude_simulator.server import DEFAULT_BATCH_DELAY


def parse_fault(spec: str) -> tuple[str, str, int]:
    """Parse KIND[:TASK[:COUNT]] into (kind, task, count)."""
    kind, _, rest = spec.partition(":")
    task, _, count = rest.partition(":")
    try:
        check_fault(kind)
        check_task(task or "*")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
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


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m claude_simulator",
        description="Serve the Anthropic Messages API locally with simulated replies (not "
        "Claude), enforcing the published per-model rules, for demos, tests and benchmarks.",
    )
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
    parser.add_argument(
        "-v", "--verbosity", type=int, choices=(0, 1, 2), default=1,
        help="0 silent, 1 announce the address, 2 also log every request.",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()  # the replies come from the question bank
    server = SimulatorServer(
        args.port,
        latency=LATENCY_PROFILES[args.latency],
        seed=args.seed,
        batch_delay=args.batch_delay,
        record_bodies=args.record_bodies,
        on_request=_log_request if args.verbosity >= 2 else None,
    )
    for kind, task, count in args.fault:
        server.add_fault(kind, task=task, count=count)

    def announce(url: str) -> None:
        if args.verbosity >= 1:
            _say(f"Claude simulator listening on {url} (simulated responses — not Claude)")
            _say(f"Control API token (X-Simulator-Token): {server.token}")

    try:
        server.serve_forever(ready=announce)
    except KeyboardInterrupt:
        if args.verbosity >= 1:
            _say("Claude simulator stopped.")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()  # a parent process may be waiting for this line


def _log_request(entry: dict) -> None:
    fault = f" fault={entry['fault']}" if entry["fault"] else ""
    batch = f" batch={entry['batch']}" if entry["batch"] else ""
    error = f" error={entry['error']!r}" if entry["error"] else ""
    _say(
        f"{entry['id']} {entry['task'] or '-'} {entry['model']} stream={entry['stream']}"
        f" status={entry['status']}{fault}{batch} in={entry['input_tokens']}"
        f" out={entry['output_tokens']} thinking={entry['thinking_tokens']}"
        f" cache_write={entry['cache_creation_input_tokens']}"
        f" cache_read={entry['cache_read_input_tokens']}"
        f" {entry['duration']:.2f}s{error}"
    )


if __name__ == "__main__":
    main()
