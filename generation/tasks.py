"""Background tasks of generation, run by the Procrastinate worker."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate.contrib.django import app

from generation.services import jobs_orphaned_fail

logger = logging.getLogger(__name__)


@app.task(name="generation.run_job", queue="jobs")
async def run_job(*, job_id: int) -> None:
    """Run a job's pipeline, resuming at its first unfinished stage."""
    # Imported here: web processes load this module to defer tasks, and never run them.
    from generation.pipeline import runner

    await runner.run_job(job_id)


@app.task(name="generation.revise_question", queue="jobs")
async def revise_question(*, question_id: int) -> None:
    """Rewrite one generated question as the tutor asked, and validate it."""
    from generation.pipeline import runner

    await runner.run_revision(question_id)


@app.periodic(cron=settings.JOB_RECOVERY_CRON, periodic_id="recover")
@app.task(name="generation.recover_stalled_jobs", queue="maintenance", queueing_lock="recover")
async def recover_stalled_jobs(timestamp: int) -> None:
    """Hand jobs of workers that stopped heart-beating to live workers; fail orphaned jobs."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WORKER_STALLED_AFTER
    )
    for job in stalled:
        logger.warning("retrying %s: its worker stopped heart-beating", job.call_string)
        await app.job_manager.retry_job(job)
    await app.job_manager.prune_stalled_workers(settings.WORKER_STALLED_AFTER)
    await sync_to_async(jobs_orphaned_fail)()
