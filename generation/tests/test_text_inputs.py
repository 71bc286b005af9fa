"""A NUL byte (or another control character) is a plain 4xx wherever a tutor types text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation.models import GeneratedQuestion, Job
from generation.tests.builders import generated_question, make_job

pytestmark = pytest.mark.django_db

MESSAGE = "invisible control character (U+0000"


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("text", {"text": "What is 2 + 2?\x00"}),
        ("instruction", {"text": "What is 2 + 2?", "instruction": "harder\x00"}),
    ],
)
def test_the_api_refuses_a_nul_byte_with_422_naming_the_field(api, field, data):
    response = api.post("/api/v1/jobs/", data)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and MESSAGE in body["detail"]
    assert not Job.objects.exists()


def test_the_api_keeps_tabs_and_newlines_in_pasted_text(api):
    response = api.post("/api/v1/jobs/", {"text": "Line one\n\tLine two: what is 2 + 2?"})
    assert response.status_code == 202, response.json()
    assert Job.objects.get().source_text == "Line one\n\tLine two: what is 2 + 2?"


def test_the_new_job_form_refuses_a_control_character_next_to_the_field(client, tutor):
    client.force_login(tutor)
    data = {"text": "What is 2 + 2?\x1b[31m", "target": "same", "difficulty": "medium"}
    data.update(kind="mcq", count="3")
    response = client.post(reverse("job_new"), data)
    assert response.status_code == 200
    assert "invisible control character (U+001B" in response.content.decode()
    assert not Job.objects.exists()


def test_a_revise_instruction_with_a_nul_byte_is_refused_with_a_message(client, tutor):
    client.force_login(tutor)
    job = make_job(owner=tutor)
    question = generated_question(job, position=1)
    url = reverse("question_revise", args=[job.public_id, question.pk])
    response = client.post(
        url, {"instruction": "make it\x00 harder"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert not GeneratedQuestion.objects.filter(revision_of=question).exists()
