"""The tutor's screenshot on the job page: served to its owner only, with the reading check."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from generation.images import normalise_upload
from generation.models import Job
from generation.tests.builders import MATH_SCREENSHOT, make_job, make_user, question_png

pytestmark = pytest.mark.django_db

NOTE = "Check what we read:"


@pytest.fixture
def screenshot_job() -> Job:
    png = question_png(*MATH_SCREENSHOT)
    return make_job(owner=make_user("tutor"), upload=("shot.png", png), image=normalise_upload(png))


def _url(job: Job) -> str:
    return reverse("job_source_image", args=[job.public_id])


def test_the_owner_gets_the_stored_screenshot(client, screenshot_job):
    client.force_login(screenshot_job.owner)
    response = client.get(_url(screenshot_job))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == bytes(screenshot_job.source_image.data)
    assert response["Cache-Control"] == "private, max-age=86400"


def test_another_tutor_gets_a_404(client, screenshot_job):
    client.force_login(make_user("other"))
    assert client.get(_url(screenshot_job)).status_code == 404


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, screenshot_job):
    response = client.get(_url(screenshot_job))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_job_without_a_screenshot_has_none_to_serve(client):
    job = make_job(owner=make_user("tutor"))
    client.force_login(job.owner)
    assert client.get(_url(job)).status_code == 404


def test_the_partial_shows_the_screenshot_and_asks_to_check_a_doubtful_reading(screenshot_job):
    shown = render_to_string("generation/_source.html", {"job": screenshot_job})
    assert f'src="{_url(screenshot_job)}"' in shown and 'alt="Your screenshot"' in shown
    assert NOTE not in shown
    Job.objects.filter(pk=screenshot_job.pk).update(check_reading=True, ocr_match=0.21)
    screenshot_job.refresh_from_db()
    doubtful = render_to_string("generation/_source.html", {"job": screenshot_job})
    assert NOTE in doubtful and 'data-ocr-match="0.21"' in doubtful


def test_the_partial_shows_nothing_for_pasted_text():
    job = make_job(owner=make_user("tutor"))
    assert render_to_string("generation/_source.html", {"job": job}).strip() == ""
