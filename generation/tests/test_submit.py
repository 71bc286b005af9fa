from __future__ import annotations

import io

import pytest
from PIL import Image
from procrastinate.contrib.django.models import ProcrastinateJob

from generation.services import JobOptions, SubmissionError, job_submit
from generation.tests.builders import make_user

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (6000, 3000), (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_screenshot_is_normalised_and_the_original_kept(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_submit(owner=make_user(), options=JobOptions(count=2), upload=("q.png", _png()))
    assert job.origin == "image" and job.status == "queued"
    assert bytes(job.source_image.original) == _png()
    assert job.source_image.original_name == f"{job.public_id}.png"
    with Image.open(io.BytesIO(job.source_image.data)) as image:
        # Stored upright and flattened, at up to 2576 px on the short side: the extract
        # stage fits or slices it for the model (generation.images.model_images).
        assert image.size == (5152, 2576)
    task = ProcrastinateJob.objects.get(task_name="generation.run_job")
    assert task.args == {"job_id": job.pk} and job.__class__.objects.get().task_id == task.id


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "", "Give one source"),
        ({"text": "x", "skill": "circles"}, "", "Give one source"),
        ({"upload": ("q.png", b"%PDF-1.7 not an image")}, "image", "PDF"),
        ({"text": "q", "options": JobOptions(count=11)}, "count", "1 to 10"),
        ({"skill": "knitting"}, "skill", "Choose a skill"),
        ({"skill": "circles", "difficulty": "extreme"}, "difficulty", "easy, medium or hard"),
    ],
)
def test_a_bad_request_is_refused_with_a_specific_message(kwargs, field, message):
    options = kwargs.pop("options", JobOptions())
    with pytest.raises(SubmissionError) as refused:
        job_submit(owner=make_user(), options=options, **kwargs)
    assert refused.value.field == field
    assert message in str(refused.value)


def test_starting_from_a_skill_sets_the_target_at_once():
    job = job_submit(
        owner=make_user(), options=JobOptions(), skill="transitions", difficulty="hard", kind="spr"
    )
    assert (job.section, job.domain, job.skill, job.difficulty) == (
        "rw",
        "expression_ideas",
        "transitions",
        "hard",
    )
    assert job.kind == "mcq"  # R&W has no student-produced responses
    assert dict(job.stages.values_list("name", "status"))["extract"] == "skipped"


def test_an_original_is_kept_under_our_name_and_its_decoded_format():
    # A PNG whose bytes also read as HTML, sent as "poly.html": kept as what it decoded as.
    polyglot = _png() + b"<html><script>alert(1)</script></html>"
    job = job_submit(owner=make_user(), options=JobOptions(), upload=("poly.html", polyglot))
    assert job.source_image.original_name == f"{job.public_id}.png"
