from __future__ import annotations

import pytest
from django.urls import reverse

from generation.models import GeneratedQuestion, Job
from generation.tests.builders import make_job
from questions.models import Question

pytestmark = pytest.mark.django_db


def _question(job, position: int, status: str) -> GeneratedQuestion:
    return GeneratedQuestion.objects.create(
        job=job,
        position=position,
        status=status,
        section="math",
        domain="algebra",
        skill="linear_equations_one_variable",
        difficulty="easy",
        kind="mcq",
        stem=rf"If \(x + {position} = 10\), what is \(x\)?",
        choices=["1", "2", "3", str(10 - position)],
        key="D",
        explanation="Choice D is correct.",
        rationales={"A": "a", "B": "b", "C": "c"},
    )


def test_staff_promote_passed_questions_into_the_bank_as_drafts(
    staff_client, django_capture_on_commit_callbacks
):
    job = make_job(count=2)
    Job.objects.filter(pk=job.pk).update(simulated=False)  # written by Claude
    passed = _question(job, 1, "passed")
    flagged = _question(job, 2, "flagged")
    url = reverse("admin:generation_generatedquestion_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"action": "promote", "_selected_action": [passed.pk, flagged.pk]}, follow=True
        )

    page = response.content.decode()
    assert "Promoted 1 question(s) to the bank as drafts" in page
    assert f"Question {flagged.pk} did not pass validation; not promoted." in page
    bank = Question.objects.get()
    assert (bank.source, bank.status, bank.stem) == ("generated", "draft", passed.stem)
    passed.refresh_from_db()
    assert passed.review == "promoted" and passed.bank_question == bank


def test_a_simulated_question_enters_the_bank_labelled_simulated(staff_client):
    job = make_job()
    assert job.simulated
    passed = _question(job, 1, "passed")
    url = reverse("admin:generation_generatedquestion_changelist")
    staff_client.post(url, {"action": "promote", "_selected_action": [passed.pk]})
    assert Question.objects.get().source == "simulated"

    staff_client.post(url, {"action": "promote", "_selected_action": [passed.pk]})
    assert Question.objects.count() == 1


def test_the_job_admin_shows_stages_and_questions(staff_client):
    job = make_job()
    _question(job, 1, "passed")
    page = staff_client.get(reverse("admin:generation_job_change", args=[job.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "extract" in content and "validate" in content
