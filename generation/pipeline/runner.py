"""The story of a job: extract → classify → retrieve → generate → validate.

Each stage's result is stored before the next starts, and an event is
published after each commit. A job retried after a crash resumes at its first
unfinished stage (and, inside generate and validate, at its first unfinished
question): a finished stage is never re-run or re-billed.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap
import uuid
from dataclasses import asdict
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError

from generation.claude import ClaudeError, TransientError, Usage
from generation.events import publish
from generation.log_context import bind_stage
from generation.models import STAGE_NAMES, GeneratedQuestion, Job, SourceImage, Stage
from generation.pipeline import progress
from generation.pipeline.context import Example, Target, question_text, shifted_difficulty
from generation.pipeline.extract import Source, extract, read_screenshot, reading_check
from generation.pipeline.generate import draft_question
from generation.pipeline.retrieve import retrieve
from generation.pipeline.schemas import DraftQuestion, Extraction
from generation.pipeline.validate import Neighbours, validate_draft

logger = logging.getLogger(__name__)

db = sync_to_async  # every ORM call leaves the event loop

MAX_REASON_CHARS = 200
REVISION_BUSY = "Claude was busy, so this revision could not be finished; revise it again."


class JobFailure(Exception):
    """The job cannot go on; the message is stored and shown to the tutor."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = message


async def run_job(job_id: int) -> None:
    """Run (or resume) a job to its end."""
    claim = await db(progress.job_claim)(job_id=job_id)
    if claim is None:
        logger.info("job %s is finished or cancelled; nothing to run", job_id)
        return
    job, token = claim
    await JobRun(job, token).execute()


class JobRun:
    """One run of one job: the stages in order, each stored before the next."""

    def __init__(self, job: Job, token: uuid.UUID | None) -> None:
        self.job = job
        self.token = token
        self.extraction: Extraction | None = None
        self.examples: list[Example] = []
        self.failures: list[str] = []  # why questions could not be written

    async def execute(self) -> None:
        assert self.token is not None, "only a revision runs without a claim on the job"
        stages = {s.name: s async for s in self.job.stages.all()}
        current: str | None = None
        try:
            for name in STAGE_NAMES:
                current = name
                stage = stages[name]
                if stage.status in Stage.DONE:
                    self._restore(stage)
                    continue
                await db(progress.stage_start)(job_id=self.job.pk, token=self.token, name=name)
                await self._publish(kind="stage", stage=name, status="running")
                with bind_stage(name):  # every log line of the stage says which it is
                    output, note, job_fields = await getattr(self, f"_{name}")()
                await db(progress.stage_finish)(
                    job_id=self.job.pk,
                    token=self.token,
                    name=name,
                    output=output,
                    note=note,
                    job_fields=job_fields,
                )
                await self._publish(kind="stage", stage=name, status="succeeded")
            if await db(progress.job_succeed)(job_id=self.job.pk, token=self.token):
                await self._publish(kind="job", status=Job.Status.SUCCEEDED)
        except progress.LostJob:
            logger.info("job %s was cancelled or taken over; this run stops", self.job.pk)
        except (JobFailure, ClaudeError) as error:
            logger.warning("job %s failed in %s: %s", self.job.pk, current, error.detail)
            await self._fail(current, str(error), kind=error.kind, detail=error.detail)
        except (OperationalError, InterfaceError):
            # The database went away (a restart, a failover): not the job's fault, and its
            # state may not be writable now. The task is run again (tasks.STARTUP_RETRY, or
            # the recovery task), and resumes at the first unfinished stage; the worker drops
            # the cut connection after the task (satgen.worker.fresh_connections).
            logger.warning(
                "job %s lost the database in %s; its task runs again", self.job.pk, current
            )
            raise
        except Exception as error:
            logger.exception("job %s crashed in %s", self.job.pk, current)
            await self._fail(
                current,
                f"Something went wrong on our side during {current}; it has been logged. "
                "Press Retry to continue from there.",
                kind="internal",
                detail=repr(error),
            )

    async def _fail(self, stage: str | None, reason: str, *, kind: str, detail: str) -> None:
        assert self.token is not None, "only a job's own run fails it"
        if await db(progress.job_fail)(
            job_id=self.job.pk,
            token=self.token,
            stage=stage,
            error=reason,
            kind=kind,
            detail=detail,
        ):
            await self._publish(kind="job", status=Job.Status.FAILED, error=reason)

    async def _publish(self, **event: Any) -> None:
        await publish(self.job.public_id, **event)

    def _record(self, stage: str):
        async def record(usage: Usage) -> None:
            await db(progress.call_record)(job_id=self.job.pk, stage=stage, usage=usage)

        return record

    def _restore(self, stage: Stage) -> None:
        """Load a finished stage's output instead of running it again."""
        if stage.status == Stage.Status.SKIPPED:
            return
        if stage.name == "extract":
            self.extraction = Extraction.model_validate(stage.output)
        elif stage.name == "retrieve":
            stored = cast(list[dict[str, Any]], stage.output)  # what _retrieve returned
            self.examples = [Example(**item) for item in stored]

    @property
    def target(self) -> Target:
        """What to write for: the job's taxonomy, set at creation or by classify."""
        job = self.job
        return Target.build(skill=job.skill, difficulty=job.difficulty, kind=job.kind or "mcq")

    # --- the stages: each returns (output to store, note, job fields to set) -------

    async def _extract(self):
        job = self.job
        image = await db(_source_image)(job) if job.origin == Job.Origin.IMAGE else None
        source = Source(image=image, text=job.source_text)
        # OCR reads the screenshot while Claude does: a second reading to check the first by.
        ocr_text = asyncio.create_task(read_screenshot(image)) if image is not None else None
        try:
            extraction = await extract(source, record=self._record("extract"))
        except BaseException:
            if ocr_text is not None:
                ocr_text.cancel()
            raise
        if ocr_text is not None and (text := await ocr_text) is not None:
            assert self.token is not None, "only a job's own run reads its screenshot"
            reading = reading_check(text, extraction)
            await db(progress.job_store_reading)(
                job_id=job.pk,
                token=self.token,
                text=reading.text,
                match=reading.match,
                doubtful=reading.doubtful,
            )
        if not extraction.is_sat_question:
            # The model's one line about what the input shows (its only words a tutor reads in
            # an error, docs/security.md): one short line, whatever the input made it write.
            reason = textwrap.shorten(extraction.not_a_question_reason, MAX_REASON_CHARS)
            reason = reason or "it does not show a question"
            raise JobFailure(
                f"This doesn't look like an SAT question: {reason}", kind="not_a_question"
            )
        self.extraction = extraction
        return extraction.model_dump(mode="json"), "", None

    async def _classify(self):
        assert self.extraction is not None and self.extraction.classification is not None
        found = self.extraction.classification
        difficulty = shifted_difficulty(found.difficulty, self.job.target)
        target = Target.build(skill=found.skill, difficulty=difficulty, kind=self.extraction.kind)
        extract_model = settings.CLAUDE_STAGES["extract"]["model"]
        await db(progress.stage_models)(job_id=self.job.pk, name="classify", model=extract_model)
        output = {
            "section": found.section.value,
            "domain": found.domain.value,
            "skill": found.skill.value,
            "difficulty": found.difficulty.value,
            "confidence": found.confidence,
            "target_difficulty": difficulty,
        }
        job_fields = {
            "section": target.section,
            "domain": target.domain,
            "skill": target.skill,
            "difficulty": target.difficulty,
            "kind": target.kind,
        }
        for name, value in job_fields.items():
            setattr(self.job, name, value)
        return output, "answered in the extract call (its tokens are counted there)", job_fields

    async def _retrieve(self):
        self.examples = await retrieve(
            target=self.target, query_text=self._source_text(), k=settings.RETRIEVAL_K
        )
        return [asdict(example) for example in self.examples], "", None

    async def _generate(self):
        slots = await db(progress.question_slots)(job=self.job)
        todo = [slot for slot in slots if not slot.stem]
        limit = asyncio.Semaphore(settings.GENERATION_PARALLEL_CALLS)
        # The drafts share the examples block: its cache entry becomes readable once the first
        # reply has begun, so the others wait for that instead of each writing it again.
        primer = asyncio.Event() if len(todo) > 1 else None

        async def write(index: int, slot: GeneratedQuestion) -> None:
            if primer is not None and index > 0:
                await primer.wait()
            try:
                async with limit:
                    await self._draft(
                        slot, rounds=slot.rounds, started=primer if index == 0 else None
                    )
            finally:
                if primer is not None and index == 0:
                    primer.set()  # never leave the others waiting on a draft that failed

        _raise_first(
            await asyncio.gather(
                *(write(i, slot) for i, slot in enumerate(todo)), return_exceptions=True
            )
        )
        written = await db(self._question_states)()
        if not any(status != GeneratedQuestion.Status.FAILED for status in written.values()):
            raise JobFailure(
                self.failures[0] if self.failures else "No question could be written.",
                kind="no_questions",
            )
        return {"drafted": len(todo)}, "", None

    async def _draft(
        self,
        slot: GeneratedQuestion,
        *,
        rounds: int,
        feedback: list[str] | None = None,
        stage: str = "generate",
        previous: DraftQuestion | None = None,
        instruction: str | None = None,
        started: asyncio.Event | None = None,
    ) -> DraftQuestion | None:
        """Write (or rewrite) one question; store it; None if Claude could not write it.

        A transient failure (Claude busy or unreachable after retries) is raised: the stage
        stops and a Retry writes the question then, instead of marking it failed.
        """
        if self.token and not await db(progress.job_still_mine)(
            job_id=self.job.pk, token=self.token
        ):
            raise progress.LostJob
        status = (
            GeneratedQuestion.Status.REGENERATING if feedback else GeneratedQuestion.Status.DRAFTING
        )
        await db(progress.question_set_status)(question_id=slot.pk, status=status)
        await self._publish(kind="question", position=slot.position, status=status)
        try:
            draft = await draft_question(
                target=self.target,
                examples=self.examples,
                source=self._source_record(),
                variant=slot.position + 10 * rounds,
                avoid=await db(_other_stems)(slot),
                instruction=self.job.instruction if instruction is None else instruction,
                previous=previous.model_dump(mode="json") if previous else None,
                feedback=feedback,
                # Only a job of several questions has other calls to read the examples' cache.
                shared=self.job.count > 1,
                record=self._record(stage),
                started=started,
            )
        except TransientError:
            raise
        except ClaudeError as error:
            self.failures.append(str(error))
            await db(progress.question_fail)(question_id=slot.pk, error=str(error))
            await self._publish(kind="question", position=slot.position, status="failed")
            return None
        await db(progress.question_store_draft)(
            question_id=slot.pk, draft=draft, target=self.target
        )
        await self._publish(kind="question", position=slot.position, status="checking")
        return draft

    def _question_states(self) -> dict[int, str]:
        return dict(self.job.questions.filter(superseded=False).values_list("position", "status"))

    def _source_text(self) -> str | None:
        """Return the source question's text as the bank embeds it (None without a source)."""
        if self.extraction is None:
            return None
        return question_text(
            stem=self.extraction.stem,
            choices=self.extraction.choices,
            passage=self.extraction.passage,
            passage_b=self.extraction.passage_b,
        )

    def _source_record(self) -> dict[str, Any] | None:
        if self.extraction is None:
            return None
        return self.extraction.model_dump(
            include={"kind", "passage", "passage_b", "stem", "choices", "figure"}
        )

    async def _validate(self):
        slots = await db(progress.question_slots)(job=self.job)
        finished = {
            GeneratedQuestion.Status.PASSED,
            GeneratedQuestion.Status.FLAGGED,
            GeneratedQuestion.Status.FAILED,
        }
        limit = asyncio.Semaphore(settings.GENERATION_PARALLEL_CALLS)

        async def check(slot: GeneratedQuestion) -> None:
            async with limit:
                # A retried run resumes a regeneration with the failures that asked for it.
                feedback = (
                    _failures_of(slot)
                    if slot.status == GeneratedQuestion.Status.REGENERATING
                    else None
                )
                await self._check(slot, _draft_of(slot), rounds=slot.rounds, feedback=feedback)

        _raise_first(
            await asyncio.gather(
                *(check(slot) for slot in slots if slot.status not in finished),
                return_exceptions=True,
            )
        )
        states = await db(self._question_states)()
        counts = {status: list(states.values()).count(status) for status in set(states.values())}
        return counts, "", None

    async def _check(
        self,
        slot: GeneratedQuestion,
        draft: DraftQuestion | None,
        *,
        rounds: int,
        feedback: list[str] | None = None,
    ) -> None:
        """Validate a draft; regenerate it (bounded) until it passes, else flag it."""
        max_drafts = 1 + settings.GENERATION_MAX_ROUNDS
        source = self._source_text()
        if feedback and draft is not None:
            draft = await self._draft(slot, rounds=rounds, feedback=feedback, stage="validate")
            rounds += 1
        while draft is not None:
            report = await validate_draft(
                draft,
                target=self.target,
                neighbours=Neighbours(source=source, siblings=await db(_other_texts)(slot)),
                record=self._record("validate"),
            )
            status = await db(progress.question_store_verdict)(
                question_id=slot.pk, report=report, final=rounds >= max_drafts
            )
            await self._publish(kind="question", position=slot.position, status=status)
            if status != GeneratedQuestion.Status.REGENERATING:
                return
            feedback = [f"{g.name}: {g.detail}" for g in report.failures]
            draft = await self._draft(slot, rounds=rounds, feedback=feedback, stage="validate")
            rounds += 1

    async def revise(self, question: GeneratedQuestion) -> None:
        """Rewrite a finished question as the tutor asked, then validate it like any draft."""
        previous = _draft_of(question.revision_of) if question.revision_of else None
        try:
            draft = await self._draft(
                question,
                rounds=0,
                previous=previous,
                instruction=question.revision_instruction,
            )
            await self._check(question, draft, rounds=1)
        except TransientError as error:
            logger.warning("revision %s stopped: %s", question.pk, error.detail)
            await db(progress.question_fail)(question_id=question.pk, error=REVISION_BUSY)
            await self._publish(kind="question", position=question.position, status="failed")


async def run_revision(question_id: int) -> None:
    """Run a tutor's revision request on one generated question."""
    question = await db(progress.revision_to_run)(question_id=question_id)
    if question is None:
        return
    run = JobRun(question.job, token=None)
    async for stage in question.job.stages.filter(status=Stage.Status.SUCCEEDED):
        run._restore(stage)
    await run.revise(question)


def _raise_first(results: list[Any]) -> None:
    """Raise what stopped the run after every parallel task has finished, if any did."""
    errors = [r for r in results if isinstance(r, BaseException)]
    for kind in (progress.LostJob, TransientError):
        for error in errors:
            if isinstance(error, kind):
                raise error
    if errors:
        raise errors[0]


def _failures_of(question: GeneratedQuestion) -> list[str] | None:
    """Return the stored failures of a question's last verdict (None if it has none)."""
    return list(question.flag_reasons) or None


def _draft_of(question: GeneratedQuestion) -> DraftQuestion | None:
    """Rebuild the stored draft of a question (None if it was never written)."""
    return DraftQuestion.from_stored(question) if question.stem else None


def _other_stems(question: GeneratedQuestion) -> list[str]:
    """Return the stems of the job's other questions, which a new draft must not repeat."""
    return list(
        GeneratedQuestion.objects.filter(job_id=question.job_id, superseded=False)
        .exclude(pk=question.pk)
        .exclude(stem="")
        .values_list("stem", flat=True)
    )


def _other_texts(question: GeneratedQuestion) -> list[str]:
    """Return the current texts of the job's other questions."""
    others = GeneratedQuestion.objects.filter(job_id=question.job_id, superseded=False).exclude(
        pk=question.pk
    )
    return [
        question_text(stem=q.stem, choices=q.choices, passage=q.passage, passage_b=q.passage_b)
        for q in others
        if q.stem
    ]


def _source_image(job: Job) -> bytes:
    """Return the job's normalised screenshot, from the database every pod shares."""
    return bytes(SourceImage.objects.values_list("data", flat=True).get(job=job))
