from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from questions.models import Question
from questions.taxonomy import Difficulty, Domain, Section, Skill

STAGE_NAMES = ("extract", "classify", "retrieve", "generate", "validate")
MAX_QUESTIONS = 10


class Job(models.Model):
    """One tutor request: a source question (or a skill) in, verified questions out."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Origin(models.TextChoices):
        IMAGE = "image", "Screenshot"
        TEXT = "text", "Pasted text"
        SKILL = "skill", "Chosen skill"

    class Target(models.TextChoices):
        SAME = "same", "Same difficulty"
        EASIER = "easier", "Easier"
        HARDER = "harder", "Harder"
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    # Failures that another run cannot fix: the input is not a question, or Claude refused it.
    FINAL_ERRORS = ("not_a_question", "refused")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    origin = models.CharField(max_length=8, choices=Origin.choices)

    # The source: a screenshot (SourceImage, below), pasted text, or a skill to start from.
    source_text = models.TextField(blank=True)

    # Options.
    count = models.PositiveSmallIntegerField(default=3)
    target = models.CharField(max_length=8, choices=Target.choices, default=Target.SAME)
    instruction = models.CharField(max_length=500, blank=True)

    # The taxonomy the questions are written for: chosen by the tutor (origin skill),
    # or set by classify and correctable by the tutor.
    section = models.CharField(max_length=8, choices=Section.choices, blank=True)
    domain = models.CharField(max_length=32, choices=Domain.choices, blank=True)
    skill = models.CharField(max_length=48, choices=Skill.choices, blank=True)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices, blank=True)
    kind = models.CharField(max_length=3, choices=Question.Kind.choices, blank=True)

    # The screenshot read a second way (OCR on the worker, generation/pipeline/ocr.py) and
    # the share of the extraction's words that reading confirms; below the threshold the page
    # asks the tutor to check what we read. Empty, null and off without a screenshot or OCR.
    ocr_text = models.TextField(blank=True)
    ocr_match = models.FloatField(null=True, blank=True)
    check_reading = models.BooleanField(
        default=False, help_text="The extraction disagrees with the screenshot's OCR text."
    )

    simulated = models.BooleanField(default=False, help_text="Served by the Claude simulator.")
    # Why the job failed: error is shown to the tutor, error_detail (raw API text, request ids,
    # settings to check) only to staff; error_kind decides whether Retry is offered.
    error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=32, blank=True)
    error_detail = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Each run of the task takes a fresh token; writes of a stale run are refused.
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    runs = models.PositiveSmallIntegerField(default=0)
    task_id = models.BigIntegerField(null=True, blank=True, help_text="The Procrastinate job.")

    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_creation_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal(0))

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1, count__lte=MAX_QUESTIONS), name="job_count_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.public_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def retryable(self) -> bool:
        """Return whether a Retry can resume this failed job at the stage it stopped in."""
        return self.status == self.Status.FAILED and self.error_kind not in self.FINAL_ERRORS


class SourceImage(models.Model):
    """A job's screenshot, kept in the database so that every web and worker pod reads it.

    Pods share no disk: a file one web pod wrote is not there for the worker that runs the
    job. The normalised image (at most a few MB) is what the extract stage fits or slices for
    Claude; the original upload is kept as it came, for audit, and never served.
    """

    job = models.OneToOneField(
        Job, on_delete=models.CASCADE, primary_key=True, related_name="source_image"
    )
    data = models.BinaryField()
    media_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    original = models.BinaryField(blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.width}x{self.height} {self.media_type} of job {self.job_id}"


class Stage(models.Model):
    """The record of one pipeline stage of a job."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    DONE = (Status.SUCCEEDED, Status.SKIPPED)

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=16, choices=[(n, n.title()) for n in STAGE_NAMES])
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    model = models.CharField(max_length=64, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_creation_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal(0))
    output = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="stage_unique_per_job"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ModelCall(models.Model):
    """One request to Claude, billed or not: the ledger every token total is summed from.

    Bulk work outside any job (validate_questions --solve) has no job.
    """

    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    stage = models.CharField(max_length=16, blank=True)
    purpose = models.CharField(max_length=32)
    model = models.CharField(max_length=64)
    outcome = models.CharField(max_length=32)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    thinking_tokens = models.PositiveIntegerField(default=0, help_text="Part of output_tokens.")
    cache_creation_tokens = models.PositiveIntegerField(default=0)
    cache_write_1h_tokens = models.PositiveIntegerField(
        default=0, help_text="Part of cache_creation_tokens written for an hour."
    )
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal(0))
    batch = models.BooleanField(default=False, help_text="Sent through the Message Batches API.")
    duration_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True, help_text="What the API said, for operators.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.purpose} call to {self.model} ({self.outcome})"


class GeneratedQuestion(models.Model):
    """A question written for a job, with its validation report and review state."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", "Drafting"
        CHECKING = "checking", "Checking"
        REGENERATING = "regenerating", "Regenerating"
        PASSED = "passed", "Passed"
        FLAGGED = "flagged", "Flagged"
        FAILED = "failed", "Failed"

    SHOWN = frozenset({Status.PASSED, Status.FLAGGED, Status.FAILED})  # written, or given up on

    class Review(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        PROMOTED = "promoted", "Promoted to the bank"
        REJECTED = "rejected", "Rejected"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFTING)
    rounds = models.PositiveSmallIntegerField(default=0, help_text="Drafts written so far.")

    section = models.CharField(max_length=8, choices=Section.choices, blank=True)
    domain = models.CharField(max_length=32, choices=Domain.choices, blank=True)
    skill = models.CharField(max_length=48, choices=Skill.choices, blank=True)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices, blank=True)
    kind = models.CharField(max_length=3, choices=Question.Kind.choices, blank=True)
    passage = models.TextField(blank=True)
    passage_b = models.TextField(blank=True)
    figure = models.TextField(blank=True)
    stem = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)
    key = models.CharField(max_length=16, blank=True)
    explanation = models.TextField(blank=True)
    rationales = models.JSONField(default=dict, blank=True)
    math_check = models.JSONField(null=True, blank=True)

    validation = models.JSONField(null=True, blank=True)
    flag_reasons = models.JSONField(default=list, blank=True)
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.UNREVIEWED)
    bank_question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="generated_from"
    )
    revision_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    revision_instruction = models.CharField(max_length=500, blank=True)
    superseded = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "position"],
                condition=Q(superseded=False),
                name="one_current_question_per_position",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.position} of {self.job_id} ({self.status})"


class PaidRequest(models.Model):
    """One action of a tutor's that calls Claude: what the rate limit and the quota count."""

    class Action(models.TextChoices):
        JOB = "job", "New job"
        REVISION = "revision", "Regenerate or revise"
        RECLASSIFY = "reclassify", "Corrected classification"
        RETRY = "retry", "Retry"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paid_requests"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    questions = models.PositiveSmallIntegerField(help_text="How many questions it asks for.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "created_at"], name="paid_request_owner_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.owner_id} at {self.created_at:%Y-%m-%d %H:%M}"


_DEFAULT = "Empty: the deployment's default (the LIMIT_* setting). 0: no limit."


class Allowance(models.Model):
    """One tutor's own limits on paid work, where they differ from the deployment's.

    An empty field takes the setting (LIMIT_*); 0 means no limit for this tutor.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="allowance"
    )
    actions_per_minute = models.PositiveIntegerField(null=True, blank=True, help_text=_DEFAULT)
    questions_per_day = models.PositiveIntegerField(null=True, blank=True, help_text=_DEFAULT)
    jobs_at_once = models.PositiveIntegerField(
        null=True, blank=True, help_text="Queued or running. " + _DEFAULT
    )
    spend_per_month_usd = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text=_DEFAULT
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why this tutor differs.")

    def __str__(self) -> str:
        return f"Allowance of {self.owner}"
