"""What a running job writes: its claim, its stages, its questions and the usage ledger.

Every transition is a conditional UPDATE whose row count says who won, and every write of a
running job is conditioned on the run's token, so a worker that lost its job (declared dead
and replaced) can never overwrite the new run. Only the pipeline (runner.py) and the
commands that call Claude outside a job write through here; tutors' actions go through
generation/services.py.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from generation import metrics
from generation.claude import Usage
from generation.models import GeneratedQuestion, Job, ModelCall, Stage
from generation.pipeline.schemas import DraftQuestion, ValidationReport


class LostJob(Exception):
    """This run no longer owns the job (cancelled, finished, or taken over by another run)."""


def job_claim(*, job_id: int) -> tuple[Job, uuid.UUID] | None:
    """Take the job for this run; return it with the run's token, or None if it is finished."""
    token = uuid.uuid4()
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING], cancel_requested=False
    ).update(status=Job.Status.RUNNING, run_token=token, runs=F("runs") + 1, started_at=now)
    if not claimed:
        return None
    return Job.objects.get(pk=job_id), token


def _running(job_id: int, token: uuid.UUID):
    return Job.objects.filter(
        pk=job_id, run_token=token, status=Job.Status.RUNNING, cancel_requested=False
    )


def job_still_mine(*, job_id: int, token: uuid.UUID) -> bool:
    """Return whether this run still owns the job and it has not been cancelled."""
    return _running(job_id, token).exists()


def stage_start(*, job_id: int, token: uuid.UUID, name: str) -> Stage:
    """Mark a stage running for this run (resuming a stage a dead run left running)."""
    with transaction.atomic():
        if not _running(job_id, token).select_for_update().exists():
            raise LostJob
        updated = Stage.objects.filter(
            job_id=job_id, name=name, status__in=[Stage.Status.PENDING, Stage.Status.RUNNING]
        ).update(
            status=Stage.Status.RUNNING,
            started_at=timezone.now(),
            finished_at=None,
            attempts=F("attempts") + 1,
            error="",
        )
        if not updated:
            raise LostJob
    return Stage.objects.get(job_id=job_id, name=name)


def stage_finish(
    *,
    job_id: int,
    token: uuid.UUID,
    name: str,
    output: Any,
    note: str = "",
    job_fields: dict[str, Any] | None = None,
) -> None:
    """Store a stage's output and mark it done, together with any job fields it sets."""
    with transaction.atomic():
        if not _running(job_id, token).select_for_update().exists():
            raise LostJob
        Stage.objects.filter(job_id=job_id, name=name, status=Stage.Status.RUNNING).update(
            status=Stage.Status.SUCCEEDED, finished_at=timezone.now(), output=output, note=note
        )
        if job_fields:
            Job.objects.filter(pk=job_id).update(**job_fields)
    metrics.stage_observe(job_id=job_id, name=name, outcome=Stage.Status.SUCCEEDED)


def stage_models(*, job_id: int, name: str, model: str) -> None:
    """Note which model served a stage (the last one, when a stage uses several)."""
    Stage.objects.filter(job_id=job_id, name=name).update(model=model)


def job_fail(
    *, job_id: int, token: uuid.UUID, stage: str | None, error: str, kind: str, detail: str = ""
) -> bool:
    """Fail the job (and the stage it failed in) with a reason a tutor can read.

    kind says what went wrong (a ClaudeError kind, "not_a_question", "internal", ...) and
    so whether Retry is offered; detail is the raw account for staff.
    """
    with transaction.atomic():
        failed = Job.objects.filter(pk=job_id, run_token=token, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED,
            error=error,
            error_kind=kind,
            error_detail=detail,
            finished_at=timezone.now(),
        )
        if failed and stage:
            Stage.objects.filter(job_id=job_id, name=stage).update(
                status=Stage.Status.FAILED, error=error, finished_at=timezone.now()
            )
    if failed:
        metrics.job_failed(job_id=job_id, stage=stage, kind=kind)
    return bool(failed)


def job_store_reading(
    *, job_id: int, token: uuid.UUID, text: str, match: float | None, doubtful: bool
) -> None:
    """Keep the screenshot's OCR text with the job, and whether the extraction disagrees."""
    if not _running(job_id, token).update(ocr_text=text, ocr_match=match, check_reading=doubtful):
        raise LostJob


def job_succeed(*, job_id: int, token: uuid.UUID) -> bool:
    succeeded = bool(
        Job.objects.filter(pk=job_id, run_token=token, status=Job.Status.RUNNING).update(
            status=Job.Status.SUCCEEDED, finished_at=timezone.now()
        )
    )
    if succeeded:
        metrics.job_succeeded()
    return succeeded


def call_record(*, job_id: int | None, stage: str, usage: Usage) -> None:
    """Add one Claude request to the ledger and to its stage's and job's totals."""
    counts: dict[str, int | Decimal] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_creation_tokens": usage.cache_creation_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cost_usd": usage.cost_usd,
    }
    totals = {name: F(name) + value for name, value in counts.items()}
    with transaction.atomic():
        ModelCall.objects.create(
            job_id=job_id,
            stage=stage,
            purpose=usage.profile,
            model=usage.model,
            outcome=usage.outcome,
            thinking_tokens=usage.thinking_tokens,
            cache_write_1h_tokens=usage.cache_write_1h_tokens,
            batch=usage.batch,
            duration_ms=usage.duration_ms,
            request_id=usage.request_id[:64],
            error=usage.error,
            **counts,
        )
        if job_id is not None:
            Stage.objects.filter(job_id=job_id, name=stage).update(model=usage.model, **totals)
            Job.objects.filter(pk=job_id).update(**totals)
    metrics.call_observe(stage=stage, usage=usage)


# --- generated questions ----------------------------------------------------------


def question_slots(*, job: Job) -> list[GeneratedQuestion]:
    """Return the job's current question rows, creating the missing ones as drafting."""
    existing = {q.position: q for q in job.questions.filter(superseded=False)}
    missing = [
        GeneratedQuestion(job=job, position=position)
        for position in range(1, job.count + 1)
        if position not in existing
    ]
    GeneratedQuestion.objects.bulk_create(missing)
    return list(job.questions.filter(superseded=False).order_by("position"))


def question_set_status(*, question_id: int, status: str) -> None:
    GeneratedQuestion.objects.filter(pk=question_id).update(status=status)


def question_store_draft(*, question_id: int, draft: DraftQuestion, target) -> None:
    """Store a new draft of a question, to be checked."""
    GeneratedQuestion.objects.filter(pk=question_id).update(
        status=GeneratedQuestion.Status.CHECKING,
        rounds=F("rounds") + 1,
        section=target.section,
        domain=target.domain,
        skill=draft.skill,
        difficulty=draft.difficulty,
        kind=draft.kind,
        passage=draft.passage,
        passage_b=draft.passage_b,
        figure=draft.figure,
        stem=draft.stem,
        choices=draft.choices,
        key=draft.key,
        explanation=draft.explanation,
        rationales=draft.rationale_map(),
        math_check=draft.math_check.model_dump() if draft.math_check else None,
        validation=None,
        flag_reasons=[],
    )


def question_store_verdict(
    *, question_id: int, report: ValidationReport, final: bool
) -> GeneratedQuestion.Status:
    """Store a draft's validation report; return the question's new status."""
    if report.passed:
        status = GeneratedQuestion.Status.PASSED
    elif final:
        status = GeneratedQuestion.Status.FLAGGED
    else:
        status = GeneratedQuestion.Status.REGENERATING
    GeneratedQuestion.objects.filter(pk=question_id).update(
        status=status,
        validation=report.model_dump(),
        flag_reasons=[f"{g.name}: {g.detail}" for g in report.failures],
    )
    return status


def question_fail(*, question_id: int, error: str) -> None:
    """Mark a question that could not be written at all (its draft call failed)."""
    GeneratedQuestion.objects.filter(pk=question_id).update(
        status=GeneratedQuestion.Status.FAILED, flag_reasons=[error]
    )


def revision_to_run(*, question_id: int) -> GeneratedQuestion | None:
    """Return a revision still waiting to be written, with its job and previous version."""
    return (
        GeneratedQuestion.objects.select_related("job", "revision_of")
        .filter(pk=question_id, status=GeneratedQuestion.Status.DRAFTING, stem="")
        .first()
    )
