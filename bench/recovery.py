"""Time how long a job waits after its worker is SIGKILLed, at the default settings.

Run: .venv/bin/python bench/recovery.py [--runs 3]

Real worker processes (heartbeat every 10 s, stalled after 30 s, recovery every 15 s: the
defaults) against a scratch database and the Claude simulator. A job starts on one worker;
once a second worker is up and heart-beating, the first is killed in the middle of
generate. The figure is the time from the kill to the job's generate stage starting again.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import harness  # sets Django up: before anything else imports it

# isort: split
from django.db import connection
from procrastinate.contrib.django.models import ProcrastinateWorker

from generation.models import Job, Stage
from generation.services import job_enqueue

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS_MEASURED = ("WORKER_HEARTBEAT_SECONDS", "WORKER_STALLED_AFTER", "JOB_RECOVERY_CRON")


def start_worker(simulator_url: str) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if k not in DEFAULTS_MEASURED},
        "DJANGO_SETTINGS_MODULE": "satgen.settings_test",
        "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
        "CLAUDE_SIMULATOR_URL": simulator_url,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--concurrency=4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(predicate: Callable[[], bool], timeout: float) -> float:
    """Return the monotonic time at which predicate() first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError


def one_run(server) -> float:
    server.set_latency({"generate": 120.0})  # long enough to kill the worker mid-generate
    victim = start_worker(server.url)
    survivor = None
    try:
        [job_id] = harness.make_jobs(1, 2)
        job_enqueue(job=Job.objects.get(pk=job_id))

        def generate_attempts() -> int:
            stage = Stage.objects.get(job_id=job_id, name="generate")
            return stage.attempts if stage.status == "running" else 0

        wait_for(lambda: generate_attempts() == 1, timeout=120)
        workers = ProcrastinateWorker.objects.count()
        survivor = start_worker(server.url)
        wait_for(lambda: ProcrastinateWorker.objects.count() > workers, timeout=60)
        server.set_latency({})
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        resumed_at = wait_for(lambda: generate_attempts() == 2, timeout=180)
        wait_for(lambda: Job.objects.get(pk=job_id).is_finished, timeout=120)
        assert Job.objects.get(pk=job_id).status == "succeeded"
        return resumed_at - killed_at
    finally:
        for worker in (victim, survivor):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with harness.scratch_bank() as server:
        waits = []
        for run in range(args.runs):
            waits.append(one_run(server))
            print(f"run {run + 1}: picked up again {waits[-1]:.1f} s after the SIGKILL")
        print(
            f"SIGKILL -> resumed: median {statistics.median(waits):.1f} s, max {max(waits):.1f} s "
            f"over {len(waits)} runs (heartbeat 10 s, stalled after 30 s, recovery every 15 s)"
        )


if __name__ == "__main__":
    main()
