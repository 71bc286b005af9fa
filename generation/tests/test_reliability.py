"""Faults of the parts around a job: a full disk, memory running out, a long Claude outage, a
burst of 400 jobs. Each is a row of docs/reliability.md; the Claude faults per stage are in
test_faults.py, dead workers in test_worker_crash.py, Redis down in test_redis_delivery.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.services import api_token_create
from generation.models import Job, ModelCall
from generation.pipeline import mathcheck, runner
from generation.pipeline.runner import run_job
from generation.pipeline.schemas import MathCheck
from generation.services import job_retry
from generation.tests.builders import make_job, make_user
from generation.tests.test_submit import _png
from satgen.storage import MESSAGE as STORAGE_FULL
from satgen.storage import RETRY_AFTER_SECONDS

JOBS = "/api/v1/jobs/"


# --- the database's disk is full ------------------------------------------------------------


@pytest.fixture
def full_disk():
    """Make PostgreSQL itself answer every write of a screenshot or job with `disk_full`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION pg_temp.disk_full() RETURNS trigger AS $$ BEGIN
                RAISE EXCEPTION 'could not extend file: No space left on device'
                    USING ERRCODE = 'disk_full';
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER disk_full BEFORE INSERT ON generation_sourceimage
                FOR EACH ROW EXECUTE FUNCTION pg_temp.disk_full();
            CREATE TRIGGER disk_full BEFORE INSERT ON generation_job
                FOR EACH ROW EXECUTE FUNCTION pg_temp.disk_full();
            """
        )


@pytest.mark.django_db
def test_a_full_disk_under_an_upload_is_a_plain_503_and_saves_nothing(client, full_disk):
    tutor = make_user("tutor")
    client.force_login(tutor)
    upload = SimpleUploadedFile("question.png", _png(), content_type="image/png")
    response = client.post(
        reverse("job_new"),
        {"image": upload, "count": 2, "target": "same", "difficulty": "medium", "kind": "mcq"},
    )

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert STORAGE_FULL in response.content.decode()
    assert "disk_full" not in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_full_disk_under_an_api_request_is_a_plain_503(api, full_disk):
    response = api.post(JOBS, {"text": "If 3x + 4 = 19, what is x?"})

    assert response.status_code == 503
    assert response.json() == {"detail": STORAGE_FULL}
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


# --- memory runs out ------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded_bank")
def test_memory_running_out_in_a_stage_fails_the_job_with_retry(simulator, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    real_retrieve = runner.retrieve
    monkeypatch.setattr(runner, "retrieve", out_of_memory)
    job = make_job(count=1)
    async_to_sync(run_job)(job.pk)
    job.refresh_from_db()

    assert (job.status, job.error_kind, job.retryable) == ("failed", "internal", True)
    assert job.error.startswith("Something went wrong on our side during retrieve")
    assert job.stages.get(name="extract").status == "succeeded"

    monkeypatch.setattr(runner, "retrieve", real_retrieve)
    job_retry(job=job)
    async_to_sync(run_job)(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_detail
    assert [entry["task"] for entry in simulator.requests()].count("extract") == 1


def test_sympy_running_out_of_memory_stays_in_its_own_process():
    # A check's process may use 1 GiB; past that the allocation fails there, not here.
    pool = mathcheck._get_pool()
    with pytest.raises(MemoryError):
        pool.submit(bytearray, 2 * mathcheck._WORKER_MEMORY_BYTES).result(timeout=30)
    # The pool is whole again for the next check.
    two_x = MathCheck(equations=["2*x = 8"], solve_for="x", expression="x")
    assert mathcheck.verify_math(two_x, expected="4").status == "verified"


# --- a long Claude outage, compressed -------------------------------------------------------

OUTAGE_JOBS = 8


@pytest.mark.usefixtures("seeded_bank")
def test_a_long_claude_outage_backs_off_stops_and_retry_recovers_every_job(simulator, settings):
    # A ten-minute outage at the production backoff (0.5 s doubling to 8 s, four tries) is
    # this at a fortieth of the time: every job's calls back off and then stop for good.
    settings.CLAUDE_MAX_RETRIES = 3
    settings.CLAUDE_RETRY_BASE = 0.1
    settings.CLAUDE_RETRY_CAP = 0.4
    settings.GENERATION_MAX_ROUNDS = 0
    simulator.add_fault("overloaded", task="*", count=10_000)
    jobs = [make_job(count=1) for _ in range(OUTAGE_JOBS)]

    async def run_all() -> None:
        await asyncio.gather(*(run_job(job.pk) for job in jobs))

    async_to_sync(run_all)()

    first_gaps = set()
    for job in jobs:
        job.refresh_from_db()
        assert (job.status, job.error_kind, job.retryable) == ("failed", "transient", True)
        attempts = list(ModelCall.objects.filter(job=job).order_by("created_at"))
        # Four tries and no more, each further from the last (the backoff doubles, with at
        # most a quarter taken off at random).
        assert len(attempts) == 1 + settings.CLAUDE_MAX_RETRIES
        gaps = [(b.created_at - a.created_at).total_seconds() for a, b in pairwise(attempts)]
        floors = [0.75 * min(0.1 * 2**n, 0.4) for n in range(len(gaps))]
        assert all(gap >= floor for gap, floor in zip(gaps, floors, strict=True)), gaps
        first_gaps.add(round(gaps[0], 3))
    assert len(simulator.requests()) == OUTAGE_JOBS * (1 + settings.CLAUDE_MAX_RETRIES)
    # The jobs do not retry in step: the random part of the backoff spreads them.
    assert len(first_gaps) > 1

    # Once they have failed nothing calls Claude on its own: no stampede when it comes back.
    before = len(simulator.requests())
    time.sleep(1.0)
    assert len(simulator.requests()) == before

    # Claude is back; each tutor's Retry resumes the job where it stopped.
    simulator.reset()
    for job in jobs:
        job_retry(job=job)
    async_to_sync(run_all)()
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "succeeded", job.error_detail
        assert job.questions.get().status == "passed"


# --- 400 jobs at once -----------------------------------------------------------------------

TUTORS = 100
JOBS_EACH = 4
LIMIT = 3


@pytest.mark.django_db(transaction=True)
def test_400_jobs_at_once_are_each_accepted_or_refused_by_a_limit_and_none_is_lost(
    live_server, settings
):
    # Real concurrent requests against a threaded server, the default cap of jobs at once.
    settings.LIMIT_JOBS_AT_ONCE = LIMIT
    tokens = [api_token_create(user=make_user(f"t{i}"), name="burst")[1] for i in range(TUTORS)]

    def submit(token: str) -> int:
        body = urlencode({"text": "If 3x + 4 = 19, what is x?", "count": 1}).encode()
        request = Request(
            live_server.url + JOBS,
            data=body,
            headers={"Authorization": f"Bearer {token}"},
            method="POST",
        )
        try:
            with urlopen(request, timeout=60) as response:
                return response.status
        except HTTPError as error:
            return error.code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(submit, [t for t in tokens for _ in range(JOBS_EACH)]))
    elapsed = time.monotonic() - started

    assert sorted(set(statuses)) == [202, 429], statuses
    assert statuses.count(202) == TUTORS * LIMIT
    # The cap holds under concurrency: every tutor has exactly three, none more.
    per_tutor = Counter(Job.objects.values_list("owner_id", flat=True))
    assert len(per_tutor) == TUTORS and set(per_tutor.values()) == {LIMIT}
    # Every accepted job is queued with its task: none lost, none doubled. (Tasks outlive a
    # test's flush: look at this test's jobs only.)
    ours = set(Job.objects.values_list("pk", flat=True))
    tasks = ProcrastinateJob.objects.filter(task_name="generation.run_job")
    queued = Counter(task.args["job_id"] for task in tasks if task.args["job_id"] in ours)
    assert queued == dict.fromkeys(ours, 1)
    assert elapsed < 120
