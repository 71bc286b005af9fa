"""Every request SATgen sends is one the API accepts, for every model a deployment may configure.

Each test points every stage at one model of the settings table and drives each call site
through the real SDK against the strict simulator, whose per-model rules (forced tools,
thinking modes, effort, sampling parameters, prefill, schemas, cache breakpoints, images,
thinking-block signatures) are its own, written from the published model pages. A request
the API would refuse is a 400 there, and fails the test.
"""

from __future__ import annotations

import base64
import copy
import io
import json

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from PIL import Image, ImageDraw

from generation.images import normalise_upload
from generation.models import Job
from generation.pipeline.runner import run_job, run_revision
from generation.services import job_reclassify, job_retry, question_revise
from generation.tests.builders import extraction, make_job, math_question
from generation.tests.conftest import task_log
from questions.management.commands.seed_bank import SEED_FILE
from satgen.claude_models import DEFAULT_MODELS

pytestmark = pytest.mark.usefixtures("seeded_bank")

run = async_to_sync(run_job)
MODELS = sorted(DEFAULT_MODELS)


def _use(settings, model: str, *, thinking: str = "adaptive") -> None:
    """Point every stage at one model, with an effort the model accepts in that mode."""
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    for stage in stages.values():
        stage.update(model=model, thinking=thinking)
        if thinking == "minimal":
            stage["effort"] = "low"
    settings.CLAUDE_STAGES = stages


def _assert_all_accepted(simulator) -> None:
    refused = [
        (entry["task"], entry["status"], entry["error"])
        for entry in simulator.requests()
        if entry["status"] != 200
    ]
    assert not refused, refused
    assert simulator.requests()


def _capture(width: int, height: int, *, photo: bool = False) -> tuple[str, bytes]:
    """Return a synthetic capture: text-like rows on white, or a noisy JPEG 'photo'."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for row, y in enumerate(range(20, height - 20, 40)):
        draw.rectangle((20, y, width - 20 - (row * 37) % (width // 3), y + 14), fill="black")
    buffer = io.BytesIO()
    if photo:
        image = image.rotate(1.5, fillcolor="gray")
        image.save(buffer, "JPEG", quality=85)
        return "photo.jpg", buffer.getvalue()
    image.save(buffer, "PNG")
    return "shot.png", buffer.getvalue()


def _image_job(name: str, data: bytes) -> Job:
    image = normalise_upload(data)
    return make_job(upload=(name, data), image=image)


def _sent_images(entry: dict) -> list[tuple[str, int, int]]:
    """Return (media type, width, height) of each image block a request sent, in order."""
    found = []
    for block in entry["body"]["messages"][0]["content"]:
        if block["type"] == "image":
            data = base64.b64decode(block["source"]["data"])
            with Image.open(io.BytesIO(data)) as image:
                found.append((block["source"]["media_type"], image.width, image.height))
    return found


@pytest.mark.parametrize("model", MODELS)
def test_every_job_call_site_is_accepted(simulator, settings, model):
    _use(settings, model)

    # extract (text) → generate (two drafts sharing a cached examples block) → blind solves
    job = make_job(count=2)
    run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_detail

    # a repair turn: the reply is replayed verbatim, thinking blocks and signatures included
    simulator.add_fault("invalid_output", task="extract", count=1)
    repaired = make_job()
    run(repaired.pk)
    repaired.refresh_from_db()
    assert repaired.status == "succeeded", repaired.error_detail
    assert len(task_log(simulator, "extract")) == 3  # job, repaired job's reply and its repair

    # a regeneration after a failed gate, in the validate stage
    simulator.script("extract", extraction())
    duplicate = math_question(choices=[r"\(5\)", r"\(6\)", r"\(6\)", r"\(9\)"])
    simulator.script("generate", duplicate)
    regenerated = make_job()
    run(regenerated.pk)
    assert regenerated.questions.get().rounds == 2

    # a revision, a correction of the classification, a retry after a busy Claude
    revision = question_revise(question=job.questions.get(position=1), instruction="Harder.")
    async_to_sync(run_revision)(revision.pk)
    revision.refresh_from_db()
    assert revision.status in ("passed", "flagged")
    job_reclassify(job=job, skill="linear_functions", difficulty="hard")
    run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_detail
    settings.CLAUDE_MAX_RETRIES = 0
    simulator.add_fault("overloaded", task="generate", count=1)
    busy = make_job()
    run(busy.pk)
    busy.refresh_from_db()
    assert busy.status == "failed"
    job_retry(job=busy)
    run(busy.pk)
    busy.refresh_from_db()
    assert busy.status == "succeeded", busy.error_detail

    # Every request was accepted, but the one overload we injected.
    refused = [e for e in simulator.requests() if e["status"] != 200 and e["fault"] is None]
    assert not refused, [(e["task"], e["status"], e["error"]) for e in refused]


@pytest.mark.parametrize("model", MODELS)
def test_every_screenshot_kind_is_sent_fitted_to_the_model(simulator, settings, model):
    _use(settings, model)
    tier = settings.CLAUDE_MODELS[model]["images"]
    captures = {
        "screenshot": _capture(900, 600),
        "photo": _capture(3000, 2000, photo=True),
        "tall": _capture(1200, 9000),
    }
    for kind, (name, data) in captures.items():
        simulator.reset()
        # The captures are bars, not text: what is read from them is not what is tested here.
        simulator.script("extract", extraction())
        job = _image_job(name, data)
        run(job.pk)
        job.refresh_from_db()
        assert job.status == "succeeded", (kind, job.error_detail)
        _assert_all_accepted(simulator)
        images = _sent_images(task_log(simulator, "extract")[0])
        for _, width, height in images:
            assert max(width, height) <= tier["long_edge"], (kind, width, height)
            assert -(-width // 28) * -(-height // 28) <= tier["max_tokens"], (kind, width, height)
        if kind == "screenshot":
            assert [(w, h) for _, w, h in images] == [(900, 600)]  # small enough: unchanged
        elif kind == "photo":
            ((media_type, width, height),) = images
            assert abs(width / height - 1.5) < 0.015  # one block, aspect ratio kept
            assert media_type in ("image/png", "image/jpeg")
        else:
            assert len(images) > 1  # cut into overlapping slices, never squashed
            assert all(width >= 1000 for _, width, _ in images), images


@pytest.mark.parametrize("model", MODELS)
def test_turning_thinking_down_is_accepted(simulator, settings, model):
    _use(settings, model, thinking="minimal")
    job = make_job()
    run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error_detail
    _assert_all_accepted(simulator)
    sent = {entry["body"].get("thinking", {}).get("type") for entry in simulator.requests()}
    assert sent == {settings.CLAUDE_MODELS[model]["thinking_off"]}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("batch", [True, False], ids=["batch", "direct"])
def test_validate_questions_solves_are_accepted(
    simulator, settings, model, batch, tmp_path, capsys
):
    _use(settings, model)
    settings.CLAUDE_BATCH_POLL_SECONDS = 0.05
    lines = [line for line in SEED_FILE.read_text().splitlines() if line.strip()][:4]
    bank_file = tmp_path / "bank.jsonl"
    bank_file.write_text("\n".join(lines) + "\n")
    args = [str(bank_file), "--solve"] + ([] if batch else ["--no-batch"])
    call_command("validate_questions", *args)  # the seed questions pass, so it exits 0
    _assert_all_accepted(simulator)
    entries = task_log(simulator, "solve")
    assert len(entries) == 4
    assert all((entry["batch"] is not None) == batch for entry in entries)
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(
        any(g["name"] == "blind_solve_agrees" for g in report["gates"]) for report in reports
    )
