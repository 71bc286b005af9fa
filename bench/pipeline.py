"""Time whole jobs against the Claude simulator with the old system's latencies.

Run: .venv/bin/python bench/pipeline.py [--jobs 20] [--counts 1,3,5]

The simulator answers every extract call after 2.3 s, generate call after
3.1 s and blind-solve call after 0.8 s (the old system's vision / generate /
classify timings), so the numbers show what the pipeline's structure costs or
saves, not what a model costs. Runs in a scratch test database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgen.settings_test")

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from generation.models import Job  # noqa: E402
from generation.pipeline.runner import run_job  # noqa: E402
from generation.services import JobOptions, job_create  # noqa: E402
from generation.simulator.server import LATENCY_PROFILES, SimulatorServer  # noqa: E402

SOURCE = (
    "A bakery sells muffins for $3 each. On Monday it sold 4 more than twice the number it "
    "sold on Sunday, for a total of 58 muffins on the two days. How many muffins did it sell "
    "on Sunday?\nA) 18\nB) 20\nC) 27\nD) 38"
)


def make_jobs(n: int, count: int) -> list[int]:
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    return [
        job_create(
            owner=owner, options=JobOptions(count=count), simulated=True, defer=False, text=SOURCE
        ).pk
        for _ in range(n)
    ]


async def run_all(job_ids: list[int]) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(run_job(job_id) for job_id in job_ids))
    wall = time.perf_counter() - start
    await sync_to_async(connections.close_all)()  # the ORM thread's connection
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20, help="jobs run concurrently")
    parser.add_argument("--counts", default="1,3,5", help="questions per job, single-job runs")
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = SimulatorServer(latency=LATENCY_PROFILES["old-system"]).start()
    settings.CLAUDE_SIMULATED = True
    settings.CLAUDE_SIMULATOR_URL = server.url
    try:
        call_command("seed_bank", verbosity=0)
        asyncio.run(run_all(make_jobs(1, 1)))  # warm: model load, connections
        print("latency profile:", LATENCY_PROFILES["old-system"])
        for count in [int(c) for c in args.counts.split(",")]:
            ids = make_jobs(1, count)
            wall = asyncio.run(run_all(ids))
            job = Job.objects.get(pk=ids[0])
            stages = {s.name: s.duration for s in job.stages.all()}
            passed = job.questions.filter(status="passed").count()
            print(
                f"1 job, {count} question(s): {wall:.2f} s wall, {passed}/{count} passed; "
                + ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if v is not None)
                + f"; old system: {6.6 * count:.1f} s"
            )
        ids = make_jobs(args.jobs, 3)
        wall = asyncio.run(run_all(ids))
        jobs = Job.objects.filter(pk__in=ids)
        ok = jobs.filter(status="succeeded").count()
        durations = [(j.finished_at - j.created_at).total_seconds() for j in jobs]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        per_stage: dict[str, list[float]] = {}
        for job in jobs:
            for stage in job.stages.all():
                per_stage.setdefault(stage.name, []).append(stage.duration or 0.0)
        print(
            "  median stage durations: "
            + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in per_stage.items())
        )
        print(
            f"{args.jobs} concurrent jobs x 3 questions in one process: {wall:.2f} s wall, "
            f"{ok}/{args.jobs} succeeded, median job {statistics.median(durations):.2f} s, "
            f"max RSS {rss:.0f} MB"
        )
    finally:
        server.stop()
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
