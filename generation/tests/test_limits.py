"""Limits on paid work (generation/limits.py): through the API and the pages, as a tutor meets them.

The test settings turn every limit off; each test here sets the ones it is about.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import api_token_create
from generation.models import Allowance, Job, ModelCall, PaidRequest
from generation.services import JobOptions, job_submit
from generation.tests.builders import generated_question, make_job, make_user

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs/"
TEXT = "If 4x - 7 = 21, what is the value of x?\nA) 3.5\nB) 7\nC) 14\nD) 28"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def real_claude(monkeypatch):
    """Work as if a key were set: the spend limits count only real (unsimulated) calls."""
    monkeypatch.setattr("generation.limits.is_simulated", lambda: False)
    monkeypatch.setattr("generation.claude.is_simulated", lambda: False)


def post_job(api: Client, count: int = 10):
    return api.post(JOBS, {"text": TEXT, "count": count})


def finished_job(owner, **fields) -> Job:
    job = make_job(owner=owner, count=2)
    Job.objects.filter(pk=job.pk).update(status="succeeded", **fields)
    job.stages.update(status="succeeded")
    job.refresh_from_db()
    return job


def spend(amount: str, *, job: Job | None = None) -> None:
    ModelCall.objects.create(
        job=job, stage="generate", purpose="generate", model="m", outcome="ok", cost_usd=amount
    )


def test_a_burst_of_paid_jobs_meets_a_429_with_retry_after(api, settings):
    settings.LIMIT_ACTIONS_PER_MINUTE = 10
    statuses = [post_job(api).status_code for _ in range(40)]  # as seen: 40 in 3.6 s
    assert statuses == [202] * 10 + [429] * 30
    refused = post_job(api)
    assert refused.json()["limit"] == "actions_per_minute"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert "10 pieces of work in the last minute" in refused.json()["detail"]
    assert Job.objects.count() == 10  # a refused request starts nothing
    assert PaidRequest.objects.count() == 10

    PaidRequest.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert post_job(api).status_code == 202  # the minute has passed


def test_the_daily_question_quota_says_what_is_left_and_when_it_resets(api, settings):
    settings.LIMIT_QUESTIONS_PER_DAY = 25
    assert post_job(api, count=10).status_code == 202
    assert post_job(api, count=10).status_code == 202
    refused = post_job(api, count=10)
    assert refused.status_code == 429
    assert refused.json()["limit"] == "questions_per_day"
    assert "past your 25 questions a day (5 left today)" in refused.json()["detail"]
    assert "00:00 UTC" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 86_400
    assert post_job(api, count=5).status_code == 202  # what is left can still be used


def test_one_tutor_holds_only_a_few_places_in_the_shared_queue(api, tutor, settings):
    settings.LIMIT_JOBS_AT_ONCE = 3
    assert [post_job(api).status_code for _ in range(4)] == [202, 202, 202, 429]
    assert post_job(api).json()["limit"] == "jobs_at_once"

    other = Client(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=make_user('b'), name='s')[1]}"
    )
    assert post_job(other).status_code == 202  # another tutor is not held up

    first = Job.objects.filter(owner=tutor).earliest("pk")
    Job.objects.filter(pk=first.pk).update(status="succeeded")
    assert post_job(api).status_code == 202  # one finished: a place is free


def test_two_requests_at_once_cannot_both_take_the_last_place(tutor, settings, transactional_db):
    settings.LIMIT_JOBS_AT_ONCE = 1
    results: list[str] = []
    start = threading.Barrier(2)

    def submit() -> None:
        start.wait()
        try:
            job_submit(owner=tutor, options=JobOptions(count=1), text=TEXT)
            results.append("accepted")
        except Exception as error:
            results.append(type(error).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["LimitReached", "accepted"]
    assert Job.objects.filter(owner=tutor).count() == 1


def test_correcting_a_classification_again_and_again_is_rate_limited(client, tutor, settings):
    settings.LIMIT_ACTIONS_PER_MINUTE = 3
    client.force_login(tutor)
    job = finished_job(tutor, skill="linear_equations_one_variable", difficulty="easy")
    url = reverse("job_reclassify", args=[job.public_id])
    for _ in range(3):
        client.post(url, {"skill": "linear_functions", "difficulty": "hard"})
        Job.objects.filter(pk=job.pk).update(status="succeeded")  # as if it ran again
    page = client.post(
        url, {"skill": "systems_linear_equations", "difficulty": "hard"}, follow=True
    )
    assert "3 pieces of work in the last minute" in page.content.decode()
    job.refresh_from_db()
    assert job.skill == "linear_functions"  # the refused correction changed nothing
    assert job.status == "succeeded"
    assert PaidRequest.objects.filter(action="reclassify").count() == 3


def test_a_revision_over_the_limit_is_refused_in_its_card(client, tutor, settings):
    settings.LIMIT_ACTIONS_PER_MINUTE = 1
    client.force_login(tutor)
    job = finished_job(tutor)
    question = generated_question(job, position=1)
    url = reverse("question_revise", args=[job.public_id, question.pk])
    assert client.post(url, {"instruction": "harder"}, headers=HTMX).status_code == 200
    question = job.questions.get(superseded=False)  # the revision, checked at once here
    job.questions.filter(pk=question.pk).update(status="passed")
    card = client.post(
        reverse("question_revise", args=[job.public_id, question.pk]),
        {"instruction": "easier"},
        headers=HTMX,
    ).content.decode()
    assert 'role="alert"' in card and "1 pieces of work in the last minute" in card
    assert job.questions.filter(superseded=False).get().pk == question.pk


def test_the_new_job_page_says_which_limit_and_when(client, tutor, settings):
    settings.LIMIT_JOBS_AT_ONCE = 1
    client.force_login(tutor)
    data = {"text": TEXT, "count": 3, "target": "same", "difficulty": "medium", "kind": "mcq"}
    assert client.post(reverse("job_new"), data).status_code == 302
    refused = client.post(reverse("job_new"), data)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert "You already have 1 jobs waiting or running" in refused.content.decode()
    assert TEXT.splitlines()[0] in refused.content.decode()  # the tutor's text is kept


def test_a_tutor_reaching_the_monthly_spend_is_stopped_and_others_are_not(
    api, tutor, settings, real_claude
):
    settings.LIMIT_SPEND_PER_MONTH_USD = Decimal("20")
    real = make_job(owner=tutor)
    Job.objects.filter(pk=real.pk).update(simulated=False, status="succeeded")
    simulated = make_job(owner=tutor)
    Job.objects.filter(pk=simulated.pk).update(simulated=True, status="succeeded")
    spend("50", job=simulated)  # what a simulated job "would" cost is not spent
    spend("19.99", job=real)
    assert post_job(api).status_code == 202
    spend("0.02", job=real)
    refused = post_job(api)
    assert refused.status_code == 429
    assert refused.json()["limit"] == "spend_per_month_usd"
    assert "cost $20.01, your limit of $20.00" in refused.json()["detail"]

    other = make_user("other")
    job_submit(owner=other, options=JobOptions(count=1), text=TEXT)  # not refused

    Allowance.objects.create(owner=tutor, spend_per_month_usd=Decimal("50"), note="pilot school")
    assert post_job(api).status_code == 202  # staff raised this tutor's limit


def test_the_deployment_cap_stops_everyone_and_shows_in_the_admin(
    api, settings, real_claude, staff_client
):
    settings.LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD = Decimal("100")
    spend("60")  # bulk work outside any job counts too
    spend("40")
    refused = post_job(api)
    assert refused.status_code == 429
    assert refused.json()["limit"] == "deployment_spend_per_day_usd"
    assert "reached its spending limit for today" in refused.json()["detail"]
    changelist = staff_client.get(reverse("admin:generation_job_changelist")).content.decode()
    assert "Claude spend today (UTC): $100.00, at the daily cap of $100.00" in changelist

    ModelCall.objects.update(created_at=timezone.now() - timedelta(days=1))
    assert post_job(api).status_code == 202  # yesterday's spend does not count today


def test_an_allowance_overrides_the_defaults_for_one_tutor(api, tutor, settings):
    settings.LIMIT_JOBS_AT_ONCE = 1
    Allowance.objects.create(owner=tutor, jobs_at_once=0, actions_per_minute=2)
    assert [post_job(api).status_code for _ in range(3)] == [202, 202, 429]
    assert post_job(api).json()["limit"] == "actions_per_minute"


def test_the_openapi_document_describes_the_429(api):
    document = api.get("/api/v1/openapi.json").json()
    for path in (JOBS, JOBS + "{job_id}/retry"):
        operation = next(iter(document["paths"][path].values()))
        schema = operation["responses"]["429"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Limited"}
    limited = document["components"]["schemas"]["Limited"]
    assert "Retry-After" in limited["description"]
    assert "jobs_at_once" in limited["properties"]["limit"]["enum"]
