"""Tasks deferred by name (generation/queue.py, questions/queue.py) reach the task and queue."""

from __future__ import annotations

import pytest
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from generation import queue
from generation.models import GeneratedQuestion
from generation.services import question_revise
from generation.tests.builders import make_job
from questions import queue as bank_queue
from questions.services import questions_request_embedding
from questions.tests.builders import make_question


def test_every_name_deferred_is_a_registered_task_on_its_queue():
    expected = {
        queue.RUN_JOB: "jobs",
        queue.REVISE_QUESTION: "jobs",
        bank_queue.EMBED_QUESTIONS: "embeddings",
    }
    assert {name: app.tasks[name].queue for name in expected} == expected


@pytest.mark.django_db
def test_a_job_a_revision_and_an_embedding_are_queued_as_their_tasks(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        job = make_job()
        queue.job_defer(job_id=job.pk)
        passed = GeneratedQuestion.objects.create(job=job, position=1, status="passed", stem="Q?")
        revision = question_revise(question=passed, instruction="harder")
        bank = make_question()
        questions_request_embedding(queryset=type(bank).objects.filter(pk=bank.pk))
    queued = sorted(ProcrastinateJob.objects.values_list("task_name", "queue_name", "args"))
    assert queued == [
        ("generation.revise_question", "jobs", {"question_id": revision.pk}),
        ("generation.run_job", "jobs", {"job_id": job.pk}),
        ("questions.embed_questions", "embeddings", {"question_ids": [bank.pk]}),
    ]
