"""The tutor's pages over HTTP: new job, job page, history, and the actions on a job."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from generation.models import GeneratedQuestion, Job
from generation.tests.builders import generated_question, make_failed_job, make_job, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tutor_client(client):
    user = make_user("tutor")
    client.force_login(user)
    client.user = user
    return client


def test_pasted_text_starts_a_job_and_opens_its_page(tutor_client):
    response = tutor_client.post(
        reverse("job_new"),
        {
            "text": "If 2x = 10, what is x?",
            "count": 2,
            "target": "harder",
            "difficulty": "medium",
            "kind": "mcq",
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job_detail", args=[job.public_id])
    assert (job.owner, job.count, job.target, job.origin) == (
        tutor_client.user,
        2,
        "harder",
        "text",
    )
    page = tutor_client.get(response.url).content.decode()
    assert f'ws-connect="/ws/jobs/{job.public_id}/"' in page
    assert "Simulated — no Claude key configured" in page
    for stage in ("Extract", "Classify", "Retrieve", "Generate", "Validate"):
        assert f'<span class="stage-name">{stage}</span>' in page


def test_a_bad_upload_is_explained_next_to_the_field(tutor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("question.png", b"%PDF-1.7 a document", content_type="image/png")
    response = tutor_client.post(
        reverse("job_new"),
        {"image": upload, "count": 3, "target": "same", "difficulty": "medium", "kind": "mcq"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="image-error"' in page and "PDF" in page
    assert not Job.objects.exists()


def test_a_request_with_no_source_says_so(tutor_client):
    response = tutor_client.post(
        reverse("job_new"), {"count": 3, "target": "same", "difficulty": "medium", "kind": "mcq"}
    )
    assert "Give one source" in response.content.decode()


def test_another_tutors_job_page_is_not_found(client):
    job = make_job(owner=make_user("owner"))
    client.force_login(make_user("stranger"))
    assert client.get(reverse("job_detail", args=[job.public_id])).status_code == 404
    assert client.post(reverse("job_cancel", args=[job.public_id])).status_code == 404


def test_history_lists_only_my_jobs_newest_first(tutor_client):
    older = make_job(owner=tutor_client.user, skill="circles", difficulty="easy")
    newer = make_job(owner=tutor_client.user, skill="transitions", difficulty="hard")
    make_job(owner=make_user("other"), skill="percentages", difficulty="easy")
    page = tutor_client.get(reverse("job_list")).content.decode()
    assert page.index(str(newer.public_id)) < page.index(str(older.public_id))
    assert "Percentages" not in page


def test_cancel_stops_a_queued_job(tutor_client):
    job = make_job(owner=tutor_client.user)
    tutor_client.post(reverse("job_cancel", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_a_cancelled_job_shows_one_banner_and_no_drafting_cards(tutor_client):
    from generation.services import job_cancel

    job = make_job(owner=tutor_client.user, count=3)
    generated_question(job, position=1)
    generated_question(job, position=2, status="drafting")
    job_cancel(job=job)
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    banners = re.findall(r'class="banner (banner-\w+)', page)
    assert [b for b in banners if b != "banner-simulated"] == ["banner-info"], banners
    assert "You cancelled this job; the questions written before then are below." in page
    assert 'id="question-1"' in page and 'id="question-2"' not in page
    assert "Drafting" not in page and "appear here" not in page


def test_a_busy_claude_shows_a_plain_message_and_a_retry_that_resumes(tutor_client):
    job = make_failed_job(owner=tutor_client.user, error="Claude is busy or unreachable right now.")
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert "Claude is busy or unreachable right now." in page
    assert reverse("job_retry", args=[job.public_id]) in page and ">Retry</button>" in page
    assert "overloaded_error" not in page and "HTTP" not in page

    tutor_client.post(reverse("job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert (job.status, job.error, job.error_detail) == ("queued", "", "")
    assert job.stages.get(name="generate").status == "pending"
    assert job.stages.get(name="retrieve").status == "succeeded"


def test_a_job_that_is_not_a_question_offers_no_retry(tutor_client):
    job = make_failed_job(
        owner=tutor_client.user,
        kind="not_a_question",
        stage="extract",
        error="This doesn't look like an SAT question.",
    )
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert "look like an SAT question." in page
    assert reverse("job_retry", args=[job.public_id]) not in page


def test_correcting_the_classification_reruns_from_retrieve(tutor_client):
    job = make_job(owner=tutor_client.user)
    job.stages.filter(name__in=["extract", "classify", "retrieve", "generate", "validate"]).update(
        status="succeeded"
    )
    Job.objects.filter(pk=job.pk).update(
        status="succeeded",
        skill="linear_functions",
        domain="algebra",
        section="math",
        difficulty="easy",
        kind="mcq",
    )
    old = GeneratedQuestion.objects.create(job=job, position=1, status="passed", stem="Old?")
    tutor_client.post(
        reverse("job_reclassify", args=[job.public_id]),
        {"skill": "systems_linear_equations", "difficulty": "hard"},
    )
    job.refresh_from_db()
    assert (job.status, job.skill, job.difficulty) == ("queued", "systems_linear_equations", "hard")
    stages = dict(job.stages.values_list("name", "status"))
    assert stages == {
        "extract": "succeeded",
        "classify": "succeeded",
        "retrieve": "pending",
        "generate": "pending",
        "validate": "pending",
    }
    old.refresh_from_db()
    assert old.superseded


def test_revise_queues_a_rewrite_of_one_question(tutor_client):
    job = make_job(owner=tutor_client.user)
    question = GeneratedQuestion.objects.create(job=job, position=1, status="passed", stem="Q?")
    tutor_client.post(
        reverse("question_revise", args=[job.public_id, question.pk]),
        {"instruction": "make it harder"},
    )
    revision = GeneratedQuestion.objects.get(revision_of=question)
    assert (revision.status, revision.revision_instruction) == ("drafting", "make it harder")


def test_an_oversized_upload_is_refused_before_it_is_read(tutor_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 2**20
    upload = SimpleUploadedFile("big.png", b"x" * (3 * 2**19), content_type="image/png")
    response = tutor_client.post(
        reverse("job_new"),
        {"image": upload, "count": 3, "target": "same", "difficulty": "medium", "kind": "mcq"},
    )
    page = response.content.decode()
    assert 'id="image-error"' in page
    assert "This file is 1.5 MB; the limit is 1 MB." in page
    assert not Job.objects.exists()


def test_a_simulated_job_says_nothing_was_spent_and_a_real_one_shows_its_cost(tutor_client):
    simulated = make_job(owner=tutor_client.user)
    real = make_job(owner=tutor_client.user)
    Job.objects.filter(pk=real.pk).update(simulated=False, cost_usd="0.0123")
    page = tutor_client.get(reverse("job_detail", args=[simulated.public_id])).content.decode()
    assert "Simulated: nothing was sent to Claude or spent." in page
    page = tutor_client.get(reverse("job_detail", args=[real.public_id])).content.decode()
    assert "$0.0123" in page and "nothing was sent" not in page
    history = tutor_client.get(reverse("job_list")).content.decode()
    assert "none (simulated)" in history and "$0.0123" in history


HTMX = {"HX-Request": "true"}


def test_with_htmx_a_revision_answers_with_its_card_and_the_old_version_stays_reachable(
    tutor_client,
):
    job = make_job(owner=tutor_client.user)
    question = generated_question(job, position=1, stem="The first version?")
    url = reverse("question_revise", args=[job.public_id, question.pk])
    response = tutor_client.post(url, {"regenerate": "1"}, headers=HTMX)
    card = response.content.decode()
    assert response.status_code == 200 and "<html" not in card
    assert card.lstrip().startswith(
        '<article class="question-card question-drafting" id="question-1"'
    )
    assert 'tabindex="-1" autofocus>Drafting…' in card  # focus lands in the new card
    assert "Earlier versions (1)" in card and "The first version?" in card

    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert "Earlier versions (1)" in page and "The first version?" in page
    refused = tutor_client.post(url, {"regenerate": "1"}, headers=HTMX).content.decode()
    assert 'role="alert">This version has already been revised.' in refused


def test_regenerate_asks_first_unless_the_question_is_saved(tutor_client):
    job = make_job(owner=tutor_client.user, count=2)
    saved = generated_question(job, position=1)
    generated_question(job, position=2)
    tutor_client.post(reverse("sets:add"), {"generated_id": saved.pk, "new_set_name": "Week 3"})
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert page.count('hx-confirm="Write a new version of question') == 1
    assert "Write a new version of question 2?" in page


def test_cancelling_tells_the_jobs_socket_once_it_is_committed(
    tutor_client, django_capture_on_commit_callbacks
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from generation.events import job_group

    job = make_job(owner=tutor_client.user)
    layer = get_channel_layer()
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(job_group(job.public_id), listener)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tutor_client.post(reverse("job_cancel", args=[job.public_id]), headers=HTMX)
    assert callbacks, "nothing waited for the commit"
    message = async_to_sync(layer.receive)(listener)
    assert message == {"type": "job.changed", "kind": "job", "status": "cancelled"}


def test_with_htmx_cancel_and_reclassify_leave_the_update_to_the_socket(tutor_client):
    job = make_job(owner=tutor_client.user)
    response = tutor_client.post(reverse("job_cancel", args=[job.public_id]), headers=HTMX)
    assert response.status_code == 204
    job.refresh_from_db()
    assert job.status == "cancelled"
    refused = tutor_client.post(
        reverse("job_reclassify", args=[job.public_id]),
        {"skill": "no_such_skill", "difficulty": "hard"},
        headers=HTMX,
    )
    assert refused["HX-Refresh"] == "true"  # the reloaded page shows why
