"""Recovery means what it says: stalled tasks are retried, lost jobs are never left queued."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from generation.models import Job
from generation.services import jobs_orphaned_fail, jobs_unqueued_enqueue
from generation.tasks import recover_stalled_jobs, run_job
from generation.tests.builders import make_job

pytestmark = pytest.mark.django_db(transaction=True)


def _recover() -> None:
    async_to_sync(recover_stalled_jobs.func)(timestamp=0)


def _task_of_a_dead_worker(job: Job) -> int:
    """Defer the job's task and leave it running on a worker silent for an hour."""
    task_id = run_job.defer(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=task_id, status="running")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (NOW() - INTERVAL '1 hour') RETURNING id"
        )
        (worker,) = cursor.fetchone()
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker, task_id],
        )
    return task_id


def test_a_task_of_a_silent_worker_is_handed_back_to_the_queue():
    job = make_job()
    task_id = _task_of_a_dead_worker(job)
    _recover()
    task = ProcrastinateJob.objects.get(pk=task_id)
    assert (task.status, task.worker_id) == ("todo", None)  # any live worker takes it now
    job.refresh_from_db()
    assert job.status == "running"  # its run resumes at the first unfinished stage


def test_a_job_whose_task_ended_without_finishing_it_fails_with_retry():
    job = make_job()
    task_id = run_job.defer(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=task_id)
    ProcrastinateJob.objects.filter(pk=task_id).update(status="failed")
    _recover()
    job.refresh_from_db()
    assert (job.status, job.error_kind, job.retryable) == ("failed", "interrupted", True)
    assert "Press Retry" in job.error


def test_a_job_whose_task_record_was_pruned_is_not_left_queued():
    job = make_job()
    Job.objects.filter(pk=job.pk).update(task_id=987654)  # no such task any more
    assert jobs_orphaned_fail() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.retryable


def test_a_job_saved_while_the_queue_was_unreachable_is_queued_later():
    job = make_job()  # made without deferring: as when defer failed after the commit
    assert jobs_unqueued_enqueue() == 0  # a fresh job may still be being queued
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=1))
    assert jobs_unqueued_enqueue() == 1
    job.refresh_from_db()
    assert job.task_id is not None
    task = ProcrastinateJob.objects.get(pk=job.task_id)
    assert (task.task_name, task.status, task.args) == (
        "generation.run_job",
        "todo",
        {"job_id": job.pk},
    )
    assert jobs_orphaned_fail() == 0  # a waiting task: not orphaned


def test_recovery_runs_every_15_seconds_not_in_bursts():
    # The schedule as the worker reads it: Procrastinate's own periodic task.
    periodic = app.periodic_registry.periodic_tasks["generation.recover_stalled_jobs", "recover"]
    start = dt.datetime(2026, 12, 3, 12, 0, 0, tzinfo=dt.UTC).timestamp()
    times = []
    for _ in range(8):
        start = periodic.croniter.get_next(ret_type=float, start_time=start)
        times.append(start)
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {15.0}
