"""The jobs API, through HTTP: token auth, creating, reading, listing and cancelling jobs."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openapi_spec_validator import validate
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from generation.models import STAGE_NAMES, Job
from generation.pipeline.progress import question_slots, question_store_verdict
from generation.pipeline.schemas import GateResult, ValidationReport
from generation.tests.builders import make_failed_job, make_job, make_user

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs/"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 400), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_request_without_a_token_is_refused(client):
    response = client.get(JOBS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


def test_a_request_with_a_wrong_token_is_refused(client, api):
    assert client.get(JOBS, HTTP_AUTHORIZATION="Bearer sg_not-a-real-token").status_code == 401
    assert client.get(JOBS, HTTP_AUTHORIZATION="Basic dHV0b3I6cHc=").status_code == 401


def test_a_logged_in_session_without_a_token_is_refused(client, tutor):
    # Token-only by design: a cookie-authenticated API would need CSRF on every write.
    client.force_login(tutor)
    assert client.get(JOBS).status_code == 401
    assert client.post(JOBS, {"text": "What is 2 + 2?"}).status_code == 401
    assert not Job.objects.exists()


def test_a_job_from_text_is_queued_and_its_task_deferred(
    api, tutor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(JOBS, {"text": "If 3x + 4 = 19, what is x?", "count": "2"})
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get()
    assert (job.owner, job.status, job.origin, job.count) == (tutor, "queued", "text", 2)
    assert body == {
        "id": str(job.public_id),
        "status": "queued",
        "url": f"/api/v1/jobs/{job.public_id}",
        "page_url": f"/jobs/{job.public_id}/",
        "websocket_url": f"/ws/jobs/{job.public_id}/",
    }
    assert response["Location"] == body["url"]
    task = ProcrastinateJob.objects.get(task_name="generation.run_job")
    assert task.args == {"job_id": job.pk}


def test_a_job_from_a_screenshot_keeps_the_normalised_image(api):
    upload = SimpleUploadedFile("question.png", _png(), content_type="image/png")
    response = api.post(JOBS, {"image": upload, "target": "harder"})
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert job.origin == "image" and job.target == "harder"
    assert job.source_image.media_type in ("image/png", "image/jpeg") and job.source_image.data


def test_a_pdf_named_png_is_refused_naming_pdf(api):
    upload = SimpleUploadedFile("question.png", b"%PDF-1.7\n%fake\n", content_type="image/png")
    response = api.post(JOBS, {"image": upload})
    assert response.status_code == 422
    assert response.json()["field"] == "image"
    assert "PDF" in response.json()["detail"]
    assert not Job.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_decoded(api, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("question.png", _png() + b"\0" * 2048, content_type="image/png")
    response = api.post(JOBS, {"image": upload})
    assert response.status_code == 413
    assert response.json()["field"] == "image"
    assert "limit" in response.json()["detail"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "What is x?", "skill": "circles"}, "", "Give one source"),
        ({}, "", "Give one source"),
        ({"text": "What is x?", "count": "0"}, "count", "1 to 10"),
        ({"text": "What is x?", "count": "eleven"}, "count", "count"),
        ({"text": "What is x?", "instruction": "x" * 501}, "instruction", "500"),
        ({"text": "What is x?", "target": "hardest"}, "target", "target"),
        ({"skill": "knitting"}, "skill", "Choose a skill"),
    ],
)
def test_a_bad_request_is_refused_with_the_field_and_a_message(api, data, field, message):
    response = api.post(JOBS, data)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert message in response.json()["detail"]
    assert not Job.objects.exists()


def test_a_job_from_a_skill_is_queued_with_its_target(api):
    response = api.post(JOBS, {"skill": "circles", "difficulty": "hard", "kind": "spr"})
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert (job.origin, job.skill, job.difficulty, job.kind) == ("skill", "circles", "hard", "spr")


def test_a_job_reads_as_its_whole_state(api, tutor):
    job = make_job(owner=tutor, count=2)
    response = api.get(f"{JOBS}{job.public_id}")
    assert response.status_code == 200
    state = response.json()
    assert state["id"] == str(job.public_id) and state["status"] == "queued"
    assert [stage["name"] for stage in state["stages"]] == list(STAGE_NAMES)
    assert state["options"] == {"count": 2, "target": "same", "instruction": ""}
    assert state["totals"]["cost_usd"] == "0.000000"
    assert state["questions"] == []


def test_a_flagged_question_reads_with_its_failed_checks(api, tutor):
    job = make_job(owner=tutor)
    [question] = question_slots(job=job)
    report = ValidationReport(
        gates=[
            GateResult(name="answer", passed=False, detail="The solver chose C, not B."),
            GateResult(name="format", passed=True),
        ],
        passed=False,
    )
    question_store_verdict(question_id=question.pk, report=report, final=True)
    [state] = api.get(f"{JOBS}{job.public_id}").json()["questions"]
    assert state["status"] == "flagged"
    assert state["validation"]["passed"] is False
    assert state["validation"]["gates"][0] == {
        "name": "answer",
        "passed": False,
        "detail": "The solver chose C, not B.",
        "applies": True,
    }
    assert state["flag_reasons"] == ["answer: The solver chose C, not B."]


def test_another_tutors_job_is_not_found(api):
    job = make_job(owner=make_user("other"))
    assert api.get(f"{JOBS}{job.public_id}").status_code == 404
    assert api.post(f"{JOBS}{job.public_id}/cancel").status_code == 404
    assert Job.objects.get().status == "queued"


def test_an_unknown_or_malformed_id_is_not_found(api):
    assert api.get(f"{JOBS}00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get(f"{JOBS}not-a-uuid").status_code == 404


def test_the_list_shows_only_the_callers_jobs_newest_first_in_pages_of_20(api, tutor):
    jobs = [make_job(owner=tutor) for _ in range(23)]
    make_job(owner=make_user("other"))
    first = api.get(JOBS).json()
    assert first["count"] == 23 and len(first["items"]) == 20
    assert first["items"][0]["id"] == str(jobs[-1].public_id)
    assert set(first["items"][0]) == {
        "id",
        "status",
        "origin",
        "skill",
        "difficulty",
        "count",
        "cost_usd",
        "created_at",
        "simulated",
    }
    second = api.get(JOBS, {"page": 2}).json()
    assert [item["id"] for item in second["items"]] == [str(j.public_id) for j in jobs[2::-1]]


def test_a_job_can_be_cancelled_once(api, tutor):
    job = make_job(owner=tutor)
    response = api.post(f"{JOBS}{job.public_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = api.post(f"{JOBS}{job.public_id}/cancel")
    assert again.status_code == 409
    assert "already finished" in again.json()["detail"]


def test_a_failed_job_is_retried_from_the_stage_it_failed_in(
    api, tutor, django_capture_on_commit_callbacks
):
    job = make_failed_job(owner=tutor)
    state = api.get(f"{JOBS}{job.public_id}").json()
    assert (state["status"], state["retryable"]) == ("failed", True)
    assert "HTTP" not in str(state)  # the raw detail is for staff, not the API's caller

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{JOBS}{job.public_id}/retry")
    assert response.status_code == 202, response.content
    assert (response.json()["status"], response.json()["error"]) == ("queued", "")
    stages = dict(job.stages.values_list("name", "status"))
    assert stages == {
        "extract": "succeeded",
        "classify": "succeeded",
        "retrieve": "succeeded",
        "generate": "pending",
        "validate": "pending",
    }
    assert ProcrastinateJob.objects.filter(task_name="generation.run_job").count() == 1
    again = api.post(f"{JOBS}{job.public_id}/retry")
    assert again.status_code == 409


@pytest.mark.parametrize("kind", ["not_a_question", "refused"])
def test_a_job_a_retry_cannot_change_is_not_retried(api, tutor, kind):
    job = make_failed_job(owner=tutor, kind=kind, stage="extract")
    assert api.get(f"{JOBS}{job.public_id}").json()["retryable"] is False
    response = api.post(f"{JOBS}{job.public_id}/retry")
    assert response.status_code == 409
    assert "cannot be retried" in response.json()["detail"]
    job.refresh_from_db()
    assert job.status == "failed"


def test_another_tutors_job_cannot_be_retried(api):
    job = make_failed_job(owner=make_user("someone-else"))
    assert api.post(f"{JOBS}{job.public_id}/retry").status_code == 404
    job.refresh_from_db()
    assert job.status == "failed"


def test_the_openapi_document_is_valid_and_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    methods = {path: set(operations) for path, operations in document["paths"].items()}
    assert methods["/api/v1/jobs/"] >= {"get", "post"}
    assert methods["/api/v1/jobs/{job_id}"] >= {"get"}
    assert methods["/api/v1/jobs/{job_id}/cancel"] >= {"post"}
    assert methods["/api/v1/jobs/{job_id}/retry"] >= {"post"}
    assert methods["/api/v1/sets/"] >= {"get"}
    assert methods["/api/v1/sets/{set_id}/export"] >= {"get"}
    assert document["components"]["securitySchemes"]["BearerTokenAuth"]["scheme"] == "bearer"


def test_no_interactive_docs_are_served_from_a_cdn(client):
    # django-ninja's Swagger page loads its scripts from a CDN; it is turned off.
    assert client.get("/api/v1/docs").status_code == 404
