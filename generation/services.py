"""What tutors and staff do to jobs: create, submit, retry, cancel, revise, reclassify, promote.

Each write is a conditional UPDATE whose row count says who won. Tasks are deferred through
generation/queue.py after the commit; what a running job writes is in
generation/pipeline/progress.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generation import queue
from generation.events import publish_on_commit
from generation.images import ORIGINAL_EXTENSIONS
from generation.limits import paid_work_admit
from generation.models import (
    STAGE_NAMES,
    GeneratedQuestion,
    Job,
    PaidRequest,
    SourceImage,
    Stage,
)
from questions.textinput import text_problem

if TYPE_CHECKING:
    from generation.images import NormalisedImage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobOptions:
    count: int = 3
    target: str = Job.Target.SAME
    instruction: str = ""


def job_create(
    *,
    owner,
    options: JobOptions,
    simulated: bool,
    upload: tuple[str, bytes] | None = None,
    image: NormalisedImage | None = None,
    text: str = "",
    skill: str = "",
    difficulty: str = "",
    kind: str = "mcq",
    defer: bool = True,
) -> Job:
    """Create a queued job with its stage records; defer its task after the commit.

    A screenshot job takes the normalised image and, for audit, the upload as it came.
    """
    if image is not None:
        origin = Job.Origin.IMAGE
    elif text:
        origin = Job.Origin.TEXT
    else:
        origin = Job.Origin.SKILL
    with transaction.atomic():
        job = Job(
            owner=owner,
            origin=origin,
            count=options.count,
            target=options.target,
            instruction=options.instruction,
            source_text=text,
            simulated=simulated,
        )
        if origin == Job.Origin.SKILL:
            from generation.pipeline.context import Target

            target = Target.build(skill=skill, difficulty=difficulty, kind=kind)
            job.skill, job.domain, job.section = target.skill, target.domain, target.section
            job.difficulty, job.kind = target.difficulty, target.kind
        job.save()
        if image is not None:
            _, original = upload or ("", b"")
            SourceImage.objects.create(
                job=job,
                data=image.data,
                media_type=image.media_type,
                width=image.width,
                height=image.height,
                original=original,
                # Never the client's name: a PNG/HTML polyglot sent as "poly.html" is kept
                # as what it decoded as, under a name we chose.
                original_name=f"{job.public_id}.{ORIGINAL_EXTENSIONS[image.original_format]}",
            )
        skipped = {"extract", "classify"} if origin == Job.Origin.SKILL else set()
        Stage.objects.bulk_create(
            Stage(
                job=job,
                name=name,
                position=position,
                status=Stage.Status.SKIPPED if name in skipped else Stage.Status.PENDING,
                note="started from a chosen skill" if name in skipped else "",
            )
            for position, name in enumerate(STAGE_NAMES)
        )
        if defer:
            transaction.on_commit(lambda: job_enqueue(job=job))
    return job


class SubmissionError(Exception):
    """A job request that cannot be accepted; the message says why, in plain words."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field  # the form field the message belongs next to


def job_submit(
    *,
    owner,
    options: JobOptions,
    upload: tuple[str, bytes] | None = None,
    text: str = "",
    skill: str = "",
    difficulty: str = "medium",
    kind: str = "mcq",
) -> Job:
    """Validate a tutor's request (one source: a screenshot, text or a skill) and queue its job."""
    from generation.claude import is_simulated
    from generation.images import UploadError, normalise_upload
    from generation.models import MAX_QUESTIONS
    from questions.taxonomy import Difficulty, Skill

    text = text.strip()
    sources = [
        name for name, given in (("image", upload), ("text", text), ("skill", skill)) if given
    ]
    if len(sources) != 1:
        raise SubmissionError(
            "Give one source: a screenshot, the question's text, or a skill to start from."
        )
    if not 1 <= options.count <= MAX_QUESTIONS:
        raise SubmissionError(f"Ask for 1 to {MAX_QUESTIONS} questions.", field="count")
    if options.target not in Job.Target.values:
        raise SubmissionError("Choose a target difficulty from the list.", field="target")
    if len(options.instruction) > 500:
        raise SubmissionError("Keep the instruction under 500 characters.", field="instruction")
    for field, value in (("text", text), ("instruction", options.instruction)):
        if problem := text_problem(value):
            raise SubmissionError(problem, field=field)
    source: dict[str, Any] = {}
    if upload is not None:
        name, data = upload
        try:
            image = normalise_upload(
                data, max_bytes=settings.UPLOAD_MAX_BYTES, max_pixels=settings.UPLOAD_MAX_PIXELS
            )
        except UploadError as error:
            raise SubmissionError(str(error), field="image") from error
        source = {"upload": (name, data), "image": image}
    elif text:
        if len(text) > 20_000:
            raise SubmissionError("That text is too long for one question.", field="text")
        source = {"text": text}
    else:
        if skill not in Skill.values:
            raise SubmissionError("Choose a skill from the list.", field="skill")
        if difficulty not in Difficulty.values:
            raise SubmissionError("Choose easy, medium or hard.", field="difficulty")
        source = {"skill": skill, "difficulty": difficulty, "kind": kind}
    with transaction.atomic():
        paid_work_admit(
            owner=owner, action=PaidRequest.Action.JOB, questions=options.count, queues_job=True
        )
        return job_create(owner=owner, options=options, simulated=is_simulated(), **source)


def job_enqueue(*, job: Job) -> None:
    """Defer the job's task and remember its id (to notice a task that died with the job).

    Runs after the job's commit: if the queue cannot be reached now, the job is committed
    without a task, and the recovery task enqueues it (jobs_unqueued_enqueue).
    """
    try:
        job.task_id = queue.job_defer(job_id=job.pk)
    except Exception:
        logger.exception("job %s is saved but could not be queued yet; recovery will", job.pk)
        return
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


def job_retry(*, job: Job) -> Job:
    """Queue a failed job again; it resumes at the stage it failed in, with nothing re-billed."""
    if not job.retryable:
        raise SubmissionError("This job cannot be retried; start a new one instead.")
    with transaction.atomic():
        paid_work_admit(
            owner=job.owner, action=PaidRequest.Action.RETRY, questions=0, queues_job=True
        )
        retried = (
            Job.objects.filter(pk=job.pk, status=Job.Status.FAILED)
            .exclude(error_kind__in=Job.FINAL_ERRORS)
            .update(
                status=Job.Status.QUEUED, error="", error_kind="", error_detail="", finished_at=None
            )
        )
        if not retried:
            raise SubmissionError("This job is not failed any more.")
        Stage.objects.filter(
            job_id=job.pk, status__in=[Stage.Status.FAILED, Stage.Status.RUNNING]
        ).update(status=Stage.Status.PENDING, error="", finished_at=None)
        job.refresh_from_db()
        transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def job_cancel(*, job: Job) -> bool:
    """Cancel a job that has not finished; return whether it was cancelled."""
    with transaction.atomic():
        cancelled = Job.objects.filter(
            pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).update(
            status=Job.Status.CANCELLED,
            cancel_requested=True,
            finished_at=timezone.now(),
            error="Cancelled.",
        )
        if cancelled:
            Stage.objects.filter(
                job_id=job.pk, status__in=[Stage.Status.PENDING, Stage.Status.RUNNING]
            ).update(status=Stage.Status.SKIPPED, note="cancelled")
            if task_id := job.task_id:
                transaction.on_commit(lambda: _task_abort(task_id))
            # The aborted task says nothing more: tell the job's page itself.
            publish_on_commit(job.public_id, kind="job", status=Job.Status.CANCELLED)
    return bool(cancelled)


def _task_abort(task_id: int) -> None:
    """Stop the job's task: drop it if it waits, ask its worker to abort it if it runs."""
    from procrastinate.contrib.django import app

    app.job_manager.cancel_job_by_id(task_id, abort=True)


def jobs_unqueued_enqueue(*, older_than: float = 30.0) -> int:
    """Queue the jobs saved without a task (the queue was unreachable when they were made)."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    jobs = list(Job.objects.filter(status=Job.Status.QUEUED, task_id=None, created_at__lt=cutoff))
    for job in jobs:
        logger.warning("job %s had no task; queueing it", job.pk)
        job_enqueue(job=job)
    return len(jobs)


def jobs_orphaned_fail() -> int:
    """Fail jobs whose task is neither waiting nor running, so none stays queued forever.

    Their task ended without finishing them (after its retries), or its record was pruned;
    the tutor sees why and can press Retry.
    """
    from procrastinate.contrib.django.models import ProcrastinateJob

    alive = ProcrastinateJob.objects.filter(status__in=["todo", "doing"]).values("id")
    return (
        Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .exclude(task_id=None)
        .exclude(task_id__in=alive)
        .update(
            status=Job.Status.FAILED,
            error="The worker stopped before finishing this job. Press Retry to continue it.",
            error_kind="interrupted",
            error_detail="its Procrastinate task is neither waiting nor running",
            finished_at=timezone.now(),
        )
    )


class RevisionRefused(Exception):
    """The question cannot be revised (yet, or any more); the message says why."""


def question_revise(*, question: GeneratedQuestion, instruction: str) -> GeneratedQuestion:
    """Start a revision of a finished question; the old version is kept as history."""
    instruction = instruction.strip()
    if not instruction:
        raise RevisionRefused("Say how the question should change.")
    if problem := text_problem(instruction):
        raise RevisionRefused(problem)
    with transaction.atomic():
        current = GeneratedQuestion.objects.select_for_update().get(pk=question.pk)
        if current.superseded:
            raise RevisionRefused("This version has already been revised.")
        if current.status not in (
            GeneratedQuestion.Status.PASSED,
            GeneratedQuestion.Status.FLAGGED,
            GeneratedQuestion.Status.FAILED,
        ):
            raise RevisionRefused("Wait until the question has been checked.")
        depth, ancestor = 0, current.revision_of
        while ancestor is not None:
            depth += 1
            ancestor = ancestor.revision_of
        if depth >= settings.REVISION_MAX_ROUNDS:
            raise RevisionRefused(
                f"This question has been revised {depth} times, the most we allow; "
                "start a new job instead."
            )
        paid_work_admit(
            owner=current.job.owner,
            action=PaidRequest.Action.REVISION,
            questions=1,
            queues_job=False,
        )
        GeneratedQuestion.objects.filter(pk=current.pk).update(superseded=True)
        revision = GeneratedQuestion.objects.create(
            job_id=current.job_id,
            position=current.position,
            status=GeneratedQuestion.Status.DRAFTING,
            section=current.section,
            domain=current.domain,
            skill=current.skill,
            difficulty=current.difficulty,
            kind=current.kind,
            revision_of=current,
            revision_instruction=instruction[:500],
        )
        transaction.on_commit(lambda: queue.revision_defer(question_id=revision.pk))
    return revision


def questions_promote(*, queryset) -> tuple[int, list[str]]:
    """Copy passed generated questions into the bank as drafts; return (count, refusals)."""
    from questions.models import Question
    from questions.services import questions_request_embedding

    promoted: list[int] = []
    refused: list[str] = []
    with transaction.atomic():
        for generated in queryset.select_for_update().select_related("job"):
            if generated.bank_question_id is not None:
                refused.append(f"Question {generated.pk} is already in the bank.")
                continue
            if generated.status != GeneratedQuestion.Status.PASSED:
                refused.append(f"Question {generated.pk} did not pass validation; not promoted.")
                continue
            question = Question(
                section=generated.section,
                domain=generated.domain,
                skill=generated.skill,
                difficulty=generated.difficulty,
                kind=generated.kind,
                passage=generated.passage,
                passage_b=generated.passage_b,
                figure=generated.figure,
                stem=generated.stem,
                choices=generated.choices,
                key=generated.key,
                explanation=generated.explanation,
                rationales=generated.rationales,
                source=Question.Source.SIMULATED
                if generated.job.simulated
                else Question.Source.GENERATED,
                status=Question.Status.DRAFT,
                external_id=f"generated-{generated.job.public_id}-{generated.pk}",
            )
            question.full_clean()
            question.save()
            GeneratedQuestion.objects.filter(pk=generated.pk).update(
                bank_question=question, review=GeneratedQuestion.Review.PROMOTED
            )
            promoted.append(question.pk)
        if promoted:
            questions_request_embedding(queryset=Question.objects.filter(pk__in=promoted))
    return len(promoted), refused


def job_reclassify(*, job: Job, skill: str, difficulty: str) -> Job:
    """Correct a finished job's classification and run it again from retrieve."""
    from generation.pipeline.context import Target
    from questions.taxonomy import Difficulty, Skill

    if skill not in Skill.values or difficulty not in Difficulty.values:
        raise SubmissionError("Choose a skill and a difficulty from the lists.", field="skill")
    if not job.stages.filter(name="classify", status__in=Stage.DONE).exists():
        raise SubmissionError("This job has no classification to correct; start a new job.")
    target = Target.build(skill=skill, difficulty=difficulty, kind=job.kind or "mcq")
    with transaction.atomic():
        paid_work_admit(
            owner=job.owner,
            action=PaidRequest.Action.RECLASSIFY,
            questions=job.count,
            queues_job=True,
        )
        updated = Job.objects.filter(
            pk=job.pk, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]
        ).update(
            status=Job.Status.QUEUED,
            section=target.section,
            domain=target.domain,
            skill=target.skill,
            difficulty=target.difficulty,
            kind=target.kind,
            error="",
            error_kind="",
            error_detail="",
            finished_at=None,
        )
        if not updated:
            raise SubmissionError("Wait until the job has finished before correcting it.")
        Stage.objects.filter(job=job, name__in=["retrieve", "generate", "validate"]).update(
            status=Stage.Status.PENDING, output=None, error="", note=""
        )
        # The old questions stay as history; new ones take their positions.
        job.questions.filter(superseded=False).update(superseded=True)
        job.refresh_from_db()
        transaction.on_commit(lambda: job_enqueue(job=job))
    return job
