"""Background tasks of generation, run by the Procrastinate worker."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.exceptions import ProcrastinateException
from procrastinate.jobs import Status

from generation import queue, services
from generation.log_context import bind_job

logger = logging.getLogger(__name__)

# A task that fails before the pipeline catches anything (the database refusing connections
# while the job is claimed, say) is run again after 2, 4, 8, 16 s; after that the recovery
# task shows the job as failed, with Retry. Procrastinate also retries, by this strategy, a
# task it aborted because its worker was stopping (SIGTERM, grace period over): another
# worker then resumes the job at its first unfinished stage.
STARTUP_RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)


@app.task(name=queue.RUN_JOB, queue="jobs", retry=STARTUP_RETRY)
async def run_job(*, job_id: int) -> None:
    """Run a job's pipeline, resuming at its first unfinished stage."""
    # Imported here: Procrastinate's Django app loads this module in every process, web ones
    # too, and only workers run the pipeline.
    from generation.pipeline import runner

    with bind_job(job_id):  # every log line of this job carries its id
        await runner.run_job(job_id)


@app.task(name=queue.REVISE_QUESTION, queue="jobs", retry=STARTUP_RETRY)
async def revise_question(*, question_id: int) -> None:
    """Rewrite one generated question as the tutor asked, and validate it."""
    from generation.pipeline import runner

    with bind_job(question_id=question_id):  # every log line of this revision carries its id
        await runner.run_revision(question_id)


@app.periodic(cron=settings.JOB_RECOVERY_CRON, periodic_id="recover")
@app.task(name="generation.recover_stalled_jobs", queue="maintenance", queueing_lock="recover")
async def recover_stalled_jobs(timestamp: int) -> None:
    """Hand jobs of workers that stopped heart-beating to live workers; settle lost jobs."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WORKER_STALLED_AFTER
    )
    for task in stalled:
        assert task.id is not None  # a job read from the database has one
        # Not task.call_string: through Django's connection task_kwargs arrive as a JSON
        # string, and call_string raises on it. One task's trouble never stops the others.
        try:
            if task.queue == "maintenance":
                # A periodic task: the next run comes anyway, and retrying it could clash
                # with that run's queueing lock.
                await app.job_manager.finish_job_by_id_async(
                    task.id, status=Status.FAILED, delete_job=False
                )
            else:
                logger.warning(
                    "retrying task %s (%s): its worker went silent", task.id, task.task_name
                )
                await app.job_manager.retry_job(task)
        except ProcrastinateException:
            logger.exception("could not recover task %s", task.id)
    await app.job_manager.prune_stalled_workers(settings.WORKER_STALLED_AFTER)
    await sync_to_async(services.jobs_unqueued_enqueue)()
    await sync_to_async(services.jobs_orphaned_fail)()


@app.periodic(cron=settings.TASK_PRUNE_CRON, periodic_id="prune")
@app.task(name="generation.prune_finished_tasks", queue="maintenance", queueing_lock="prune")
async def prune_finished_tasks(timestamp: int) -> None:
    """Delete Procrastinate's records of tasks that ended long ago (our jobs keep theirs)."""
    await app.job_manager.delete_old_jobs(
        nb_hours=settings.TASK_KEEP_HOURS,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )
