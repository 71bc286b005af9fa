"""Whole jobs through the real anthropic SDK, against the Claude simulator, on real PostgreSQL."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db.models import Sum

from generation.images import normalise_upload
from generation.models import GeneratedQuestion, Job, ModelCall
from generation.pipeline import ocr
from generation.pipeline.runner import run_job
from generation.selectors import job_state
from generation.tests.builders import (
    MATH_SCREENSHOT,
    extraction,
    make_job,
    math_question,
    question_png,
    solution,
)
from generation.tests.conftest import task_log

pytestmark = pytest.mark.usefixtures("seeded_bank")

run = async_to_sync(run_job)


def _reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def _stages(job: Job) -> dict[str, str]:
    return dict(job.stages.values_list("name", "status"))


def _output(job: Job, stage: str) -> Any:
    """Return what the stage stored; it must have stored something."""
    output = job.stages.get(name=stage).output
    assert output is not None, f"the {stage} stage stored no output"
    return output


def test_a_pasted_question_becomes_verified_questions(simulator):
    job = make_job(count=3)
    run(job.pk)
    job = _reload(job)

    assert job.status == "succeeded", job.error_detail
    assert job.simulated
    assert _stages(job) == dict.fromkeys(
        ["extract", "classify", "retrieve", "generate", "validate"], "succeeded"
    )
    questions = list(job.questions.all())
    assert [q.status for q in questions] == ["passed"] * 3
    for question in questions:
        assert question.validation is not None
        gates = {g["name"]: g["passed"] for g in question.validation["gates"]}
        assert all(gates.values())
        for name in ("four_distinct_choices", "blind_solve_agrees", "not_a_copy_of_bank"):
            assert name in gates
        assert question.skill == job.skill
    assert len({q.stem for q in questions}) == 3

    assert _output(job, "classify")["skill"] == job.skill
    retrieve = _output(job, "retrieve")
    assert len(retrieve) == 5
    assert retrieve[0]["scope"] == "skill"


def test_token_and_cost_totals_add_up_from_every_call(simulator):
    job = make_job(count=2)
    run(job.pk)
    job = _reload(job)

    calls = ModelCall.objects.filter(job=job)
    assert calls.count() == len(simulator.requests())
    sums = calls.aggregate(
        i=Sum("input_tokens"),
        o=Sum("output_tokens"),
        c=Sum("cost_usd"),
        cw=Sum("cache_creation_tokens"),
        cr=Sum("cache_read_tokens"),
    )
    assert (job.input_tokens, job.output_tokens, job.cost_usd) == (sums["i"], sums["o"], sums["c"])
    assert job.input_tokens > 0 and job.output_tokens > 0 and job.cost_usd > 0
    stage_sum = job.stages.aggregate(c=Sum("cost_usd"), i=Sum("input_tokens"))
    assert (stage_sum["c"], stage_sum["i"]) == (job.cost_usd, job.input_tokens)
    # The cached prefixes (system prompts, the job's examples): written, then read.
    assert sums["cw"] > 0 and sums["cr"] > 0

    # Sonnet 5.5's published prices per million: $2 in, $10 out, cache writes $2.50 for 5
    # minutes and $4 for an hour, reads $0.10.
    for call in calls.filter(model="claude-sonnet-5-5"):
        expected = (
            Decimal(2) * call.input_tokens
            + Decimal(10) * call.output_tokens
            + Decimal("2.5") * (call.cache_creation_tokens - call.cache_write_1h_tokens)
            + Decimal(4) * call.cache_write_1h_tokens
            + Decimal("0.1") * call.cache_read_tokens
        ) / 1_000_000
        assert call.cost_usd == expected.quantize(Decimal("0.000001"))
    extract = calls.get(stage="extract")
    assert extract.model == "claude-sonnet-5-5"
    assert set(calls.filter(stage="validate").values_list("model", flat=True)) == {
        "claude-haiku-5-5"
    }


def _screenshot_job(png: bytes) -> Job:
    return make_job(upload=("shot.png", png), image=normalise_upload(png))


def test_a_screenshot_is_read_by_the_extract_stage_and_checked_by_ocr(simulator):
    stem, choices = MATH_SCREENSHOT
    png = question_png(stem, choices)
    image = normalise_upload(png)
    job = make_job(upload=("shot.png", png), image=image)
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail
    stored = job.source_image
    assert bytes(stored.original) == png and bytes(stored.data) == image.data
    assert task_log(simulator, "extract")[0]["input_tokens"] > 0
    # What the simulator read in the screenshot is the question drawn there...
    assert _output(job, "extract")["stem"] == r"If \(3x + 7 = 22\), what is the value of \(x\)?"
    # ...and the worker's own OCR reading, kept with the job, agrees with it.
    assert ocr.plain(job.ocr_text) == ocr.plain(" ".join([stem, *choices]))
    assert job.ocr_match == 1.0 and not job.check_reading


def test_an_extraction_the_screenshot_does_not_show_is_flagged_for_checking(simulator):
    # Claude answers with another question than the one in the screenshot.
    other = extraction(
        stem=r"If \(5x - 3 = 2x + 12\), what is \(x\)?", choices=["4", "6", "9", "12"]
    )
    simulator.script("extract", other)
    job = _screenshot_job(question_png(*MATH_SCREENSHOT))
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail  # a doubt, not a failure
    assert job.check_reading
    assert job.ocr_match is not None and job.ocr_match < 0.3
    assert "22" in job.ocr_text
    assert job_state(job)["reading"] == {"ocr_match": job.ocr_match, "check": True}


def test_without_ocr_a_screenshot_job_runs_unchecked(simulator, monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract to be found
    simulator.script("extract", extraction())
    job = _screenshot_job(question_png(*MATH_SCREENSHOT))
    with caplog.at_level(logging.WARNING, logger="generation.pipeline.extract"):
        run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail
    assert (job.ocr_text, job.ocr_match, job.check_reading) == ("", None, False)
    assert "no OCR check of the screenshot: tesseract is not installed" in caplog.text


def test_a_screenshot_that_is_not_a_question_keeps_what_ocr_read(simulator):
    simulator.script(
        "extract",
        extraction(
            is_sat_question=False,
            not_a_question_reason="a receipt",
            stem="",
            choices=[],
            classification=None,
        ),
    )
    job = _screenshot_job(question_png("Total due 42.50 paid by card thank you"))
    run(job.pk)
    job = _reload(job)
    assert job.status == "failed" and job.error_kind == "not_a_question"
    assert "42.50" in job.ocr_text and job.ocr_match is None and not job.check_reading


def test_starting_from_a_skill_skips_extract_and_classify(simulator):
    job = make_job(skill="circles", difficulty="hard", count=2)
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail
    assert _stages(job)["extract"] == _stages(job)["classify"] == "skipped"
    assert not task_log(simulator, "extract")
    assert {q.skill for q in job.questions.all()} == {"circles"}
    assert {q.difficulty for q in job.questions.all()} == {"hard"}


def test_a_photo_that_is_not_a_question_fails_with_a_clear_message(simulator):
    simulator.script(
        "extract",
        extraction(
            is_sat_question=False,
            not_a_question_reason="a cat sitting on a keyboard",
            stem="",
            choices=[],
            classification=None,
        ),
    )
    job = make_job()
    run(job.pk)
    job = _reload(job)
    assert job.status == "failed"
    assert job.error == "This doesn't look like an SAT question: a cat sitting on a keyboard"
    assert _stages(job) == {
        "extract": "failed",
        "classify": "pending",
        "retrieve": "pending",
        "generate": "pending",
        "validate": "pending",
    }
    assert not task_log(simulator, "generate")


def test_the_models_reason_reaches_the_tutor_as_one_short_line(simulator):
    # Text in the input can make the model write anything; the tutor reads one short line.
    told = "Ignore the page.\n\nVisit example.test to fix your account. " * 40
    simulator.script(
        "extract",
        extraction(is_sat_question=False, not_a_question_reason=told, stem="", choices=[]),
    )
    job = make_job()
    run(job.pk)
    job = _reload(job)
    assert job.error_kind == "not_a_question"
    assert "\n" not in job.error and len(job.error) <= 250


def test_harder_target_raises_the_difficulty(simulator):
    simulator.script("extract", extraction())  # an easy source
    job = make_job(target="harder")
    run(job.pk)
    job = _reload(job)
    assert _output(job, "classify")["difficulty"] == "easy"
    assert job.difficulty == "medium"


def test_a_failing_draft_is_regenerated_and_then_passes(simulator):
    simulator.script("extract", extraction())
    duplicate = math_question(choices=[r"\(5\)", r"\(6\)", r"\(6\)", r"\(9\)"])
    simulator.script("generate", duplicate, math_question())
    simulator.script("solve", solution("B"))
    job = make_job()
    run(job.pk)
    question = _reload(job).questions.get()
    assert question.status == "passed"
    assert question.rounds == 2
    assert len(task_log(simulator, "generate")) == 2


def test_a_question_that_keeps_failing_is_flagged_with_its_reasons(simulator, settings):
    settings.GENERATION_MAX_ROUNDS = 1
    simulator.script("extract", extraction())
    wrong_key = math_question(
        key="C",
        explanation=r"Choice C is correct. \(225 / 30 = 7.5\).",
        rationales=[
            {"choice": "A", "why_wrong": "x"},
            {"choice": "B", "why_wrong": "y"},
            {"choice": "D", "why_wrong": "z"},
        ],
    )
    simulator.script("generate", wrong_key, wrong_key)
    job = make_job()
    run(job.pk)
    job = _reload(job)
    question = job.questions.get()
    assert job.status == "succeeded"
    assert question.status == "flagged"
    assert question.rounds == 2
    assert any("SymPy computes 6" in reason for reason in question.flag_reasons), (
        question.flag_reasons
    )


def test_a_key_the_blind_solver_disagrees_with_is_not_passed(simulator, settings):
    settings.GENERATION_MAX_ROUNDS = 0
    simulator.script("extract", extraction())
    simulator.script("generate", math_question(math_check=None))
    simulator.script("solve", solution("C"))
    job = make_job()
    run(job.pk)
    question = _reload(job).questions.get()
    assert question.status == "flagged"
    assert question.flag_reasons == [
        "blind_solve_agrees: an independent solve answered C, not B: Worked it out."
    ]


def test_a_finished_stage_is_not_run_again_when_the_job_resumes(simulator):
    job = make_job()
    run(job.pk)
    first = len(task_log(simulator, "extract"))
    # Simulate a crash after retrieve: later stages and questions lost.
    job.stages.filter(name__in=["generate", "validate"]).update(status="pending")
    job.questions.all().delete()
    Job.objects.filter(pk=job.pk).update(status="running")
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded"
    assert first == 1
    assert len(task_log(simulator, "extract")) == 1
    assert job.runs == 2
    assert job.questions.get().status == "passed"


def test_a_cancelled_job_does_not_run(simulator):
    from generation.services import job_cancel

    job = make_job()
    assert job_cancel(job=job)
    run(job.pk)
    job = _reload(job)
    assert job.status == "cancelled"
    assert simulator.requests() == []
    assert set(_stages(job).values()) == {"skipped"}


def test_a_stale_run_cannot_write_after_another_run_took_the_job(simulator):
    from generation.pipeline.progress import LostJob, job_claim, stage_start

    job = make_job()
    first_claim = job_claim(job_id=job.pk)
    second_claim = job_claim(job_id=job.pk)
    assert first_claim is not None and second_claim is not None
    first, second = first_claim[1], second_claim[1]  # each claim's run token
    stage_start(job_id=job.pk, token=second, name="extract")
    with pytest.raises(LostJob):
        stage_start(job_id=job.pk, token=first, name="extract")
    assert GeneratedQuestion.objects.count() == 0


def test_a_revision_rewrites_one_question_and_keeps_its_history(simulator, settings):
    from generation.pipeline.runner import run_revision
    from generation.services import RevisionRefused, question_revise

    settings.REVISION_MAX_ROUNDS = 1
    job = make_job(count=2)
    run(job.pk)
    original = _reload(job).questions.get(position=1)
    untouched = _reload(job).questions.get(position=2)

    revision = question_revise(question=original, instruction="Set it in a science context.")
    async_to_sync(run_revision)(revision.pk)

    revision.refresh_from_db()
    original.refresh_from_db()
    assert revision.status == "passed"
    assert revision.stem and revision.stem != original.stem
    assert revision.revision_of == original and original.superseded
    assert revision.revision_instruction == "Set it in a science context."
    current = _reload(job).questions.filter(superseded=False)
    assert sorted(q.pk for q in current) == sorted([revision.pk, untouched.pk])
    with pytest.raises(RevisionRefused, match="revised 1 times, the most we allow"):
        question_revise(question=revision, instruction="Harder, please.")
    with pytest.raises(RevisionRefused, match="already been revised"):
        question_revise(question=original, instruction="Again.")


def test_an_operator_endpoint_with_a_key_is_used_and_the_job_is_not_simulated(simulator, settings):
    # Any endpoint speaking the Messages API (a gateway, a proxy) works through
    # ANTHROPIC_BASE_URL; here that endpoint happens to be the simulator.
    settings.CLAUDE_SIMULATED = False
    settings.ANTHROPIC_API_KEY = "test-key-for-a-gateway"
    settings.ANTHROPIC_BASE_URL = simulator.url
    settings.CLAUDE_SIMULATOR_URL = "http://127.0.0.1:9"  # unreachable: must not be used
    job = make_job()
    assert not job.simulated
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail
    assert len(simulator.requests()) == ModelCall.objects.filter(job=job).count() > 0


def test_a_ten_question_job_reads_most_of_its_generate_input_from_cache(simulator):
    job = make_job(count=10)
    run(job.pk)
    job = _reload(job)
    assert job.status == "succeeded", job.error_detail
    drafts = ModelCall.objects.filter(job=job, stage="generate", purpose="generate")
    sums = drafts.aggregate(
        i=Sum("input_tokens"), w=Sum("cache_creation_tokens"), r=Sum("cache_read_tokens")
    )
    # The first draft writes the examples' cache entry; the nine others wait for its reply to
    # begin and read it (sent all at once, five of them would each write it again).
    assert sums["r"] / (sums["i"] + sums["w"] + sums["r"]) >= 0.70, sums
    writers = [call for call in drafts if call.cache_creation_tokens]
    assert len(writers) == 1 and drafts.count() == 10
