"""Deferring generation's tasks: the one place the services reach the queue.

Tasks are deferred by name, so this module imports nothing of ours: importing
generation.tasks here would close a circle (tasks → services → tasks). Procrastinate's
Django app loads every installed app's tasks.py when Django starts, so the names are
registered; allow_unknown=False makes a misspelt one raise rather than queue a task no
worker runs, and generation/tests/test_queue.py checks every name.
"""

from __future__ import annotations

from procrastinate.contrib.django import app

RUN_JOB = "generation.run_job"
REVISE_QUESTION = "generation.revise_question"


def job_defer(*, job_id: int) -> int:
    """Queue a job's pipeline; return the task's id."""
    return app.configure_task(RUN_JOB, allow_unknown=False).defer(job_id=job_id)


def revision_defer(*, question_id: int) -> int:
    """Queue the revision of one generated question; return the task's id."""
    return app.configure_task(REVISE_QUESTION, allow_unknown=False).defer(question_id=question_id)
