"""A worker killed mid-job: another worker finishes it without re-running finished stages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from generation.models import Job, Stage
from generation.services import JobOptions, job_create
from generation.tests.builders import make_user
from generation.tests.conftest import task_log

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("seeded_bank")


def _start_worker(
    name: str, simulator_url: str, log: Path, *, grace: float | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "satgen.settings_test",
        "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
        "CLAUDE_SIMULATOR_URL": simulator_url,
        # Fast failure detection for the test: heartbeat twice a second, stalled after 3 s.
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "WORKER_STALLED_AFTER": "3",
        "JOB_RECOVERY_CRON": "* * * * * *",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--concurrency=4",
            f"--name={name}",
            *([f"--shutdown-graceful-timeout={grace}"] if grace is not None else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _wait_for_generate(job: Job) -> None:
    _wait_for(
        lambda: Stage.objects.filter(job=job, name="generate", status="running").exists(),
        timeout=60,
        what="the generate stage to start",
    )


def _queued_job() -> Job:
    """Queue a two-question job from text, for a worker process to take."""
    return job_create(
        owner=make_user(),
        options=JobOptions(count=2),
        simulated=True,
        text="If 4x - 7 = 21, what is the value of x?\nA) 3.5\nB) 7\nC) 14\nD) 28",
    )


def test_a_job_survives_its_worker_being_killed_in_the_middle_of_generate(simulator, tmp_path):
    simulator.set_latency({"generate": 4.0})
    first = _start_worker("first", simulator.url, tmp_path / "first.log")
    second = None
    try:
        job = _queued_job()
        _wait_for_generate(job)
        time.sleep(0.5)  # the generate calls are in flight
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

        second = _start_worker("second", simulator.url, tmp_path / "second.log")
        _wait_for(
            lambda: Job.objects.get(pk=job.pk).is_finished,
            timeout=90,
            what="the job to finish on the second worker",
        )

        job = Job.objects.get(pk=job.pk)
        assert job.status == "succeeded", (job.error, (tmp_path / "second.log").read_text())
        assert job.runs == 2
        attempts = dict(job.stages.values_list("name", "attempts"))
        assert attempts == {
            "extract": 1,
            "classify": 1,
            "retrieve": 1,
            "generate": 2,
            "validate": 1,
        }
        assert len(task_log(simulator, "extract")) == 1
        assert [q.status for q in job.questions.all()] == ["passed", "passed"]
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)


def test_a_job_cut_off_by_a_stopping_worker_is_resumed_by_another(simulator, tmp_path):
    # SIGTERM lets running jobs finish for the grace period, then aborts them: such a job
    # goes back to the queue, and the next worker resumes it at its first unfinished stage.
    simulator.set_latency({"generate": 6.0})
    first = _start_worker("stopping", simulator.url, tmp_path / "first.log", grace=1)
    second = None
    try:
        job = _queued_job()
        _wait_for_generate(job)
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        job.refresh_from_db()
        assert not job.is_finished, (job.status, (tmp_path / "first.log").read_text())

        simulator.set_latency({})
        second = _start_worker("next", simulator.url, tmp_path / "second.log")
        _wait_for(
            lambda: Job.objects.get(pk=job.pk).is_finished,
            timeout=90,
            what="the job to finish on the next worker",
        )
        job.refresh_from_db()
        assert job.status == "succeeded", (job.error_detail, (tmp_path / "second.log").read_text())
        assert job.runs == 2
        assert dict(job.stages.values_list("name", "attempts"))["extract"] == 1
        assert len(task_log(simulator, "extract")) == 1
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)


def _restart_database(down_for: float) -> None:
    """What a PostgreSQL restart does to every client of the test database, on the server
    the suite shares: every other connection is cut, and new ones are refused for a while."""
    name = connection.settings_dict["NAME"]
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            time.sleep(down_for)
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    connection.close()  # this process's connection was cut too


def test_a_job_survives_postgresql_restarting_in_the_middle_of_generate(simulator, tmp_path):
    simulator.set_latency({"generate": 3.0})
    worker = _start_worker("steady", simulator.url, tmp_path / "worker.log")
    try:
        job = _queued_job()
        _wait_for_generate(job)
        _restart_database(down_for=5.0)
        _wait_for(
            lambda: Job.objects.get(pk=job.pk).is_finished,
            timeout=120,
            what="the job to finish after the restart",
        )
        job.refresh_from_db()
        log = (tmp_path / "worker.log").read_text()
        assert job.status == "succeeded", (job.error_detail, log)
        assert worker.poll() is None, log  # the worker lived through it
        assert dict(job.stages.values_list("name", "attempts"))["extract"] == 1
        assert len(task_log(simulator, "extract")) == 1
        assert [q.status for q in job.questions.all()] == ["passed", "passed"]

        # And it takes the next job as if nothing had happened.
        simulator.set_latency({})
        after = _queued_job()
        _wait_for(lambda: Job.objects.get(pk=after.pk).is_finished, timeout=60, what="next job")
        assert Job.objects.get(pk=after.pk).status == "succeeded", log
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
