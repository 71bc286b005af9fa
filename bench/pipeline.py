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
import resource
import statistics
import time

import harness  # sets Django up: before anything else imports it

# isort: split
from asgiref.sync import sync_to_async
from django.db import connections

from claude_simulator.controls import LATENCY_PROFILES
from generation.models import Job
from generation.pipeline.runner import run_job

make_jobs = harness.make_jobs


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

    with harness.scratch_bank(latency=LATENCY_PROFILES["old-system"]):
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
        durations: list[float] = []
        for job in jobs:
            assert job.finished_at is not None, "run_all runs every job to its end"
            durations.append((job.finished_at - job.created_at).total_seconds())
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


if __name__ == "__main__":
    main()
