"""The jobs API: start a job, list them, read one's whole state, cancel it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field, WithJsonSchema

from generation.limits import LimitReached
from generation.models import GeneratedQuestion, Job, Stage
from generation.selectors import job_for_user, job_state
from generation.services import JobOptions, SubmissionError, job_cancel, job_retry, job_submit
from questions.textinput import Text

router = Router()


class TokenRequest(HttpRequest):
    """A request satgen.api's token auth let through: request.auth is the token's user."""

    auth: User


# --- schemas ------------------------------------------------------------------------

# The models' choices, inlined in the OpenAPI document: three enums share the name "Status".
JobStatus = Annotated[Job.Status, WithJsonSchema({"type": "string", "enum": Job.Status.values})]
JobOrigin = Annotated[Job.Origin, WithJsonSchema({"type": "string", "enum": Job.Origin.values})]
JobTarget = Annotated[Job.Target, WithJsonSchema({"type": "string", "enum": Job.Target.values})]
StageStatus = Annotated[
    Stage.Status, WithJsonSchema({"type": "string", "enum": Stage.Status.values})
]
QuestionStatus = Annotated[
    GeneratedQuestion.Status,
    WithJsonSchema({"type": "string", "enum": GeneratedQuestion.Status.values}),
]


class Problem(Schema):
    detail: str
    field: str = ""


class Limited(Schema):
    """A limit on paid work was reached; the `Retry-After` header says when to try again."""

    detail: str
    limit: Literal[
        "actions_per_minute",
        "questions_per_day",
        "jobs_at_once",
        "spend_per_month_usd",
        "deployment_spend_per_day_usd",
    ]
    retry_after: int


class JobCreated(Schema):
    id: uuid.UUID
    status: JobStatus
    url: str
    page_url: str
    websocket_url: str


class JobSummary(Schema):
    id: uuid.UUID
    status: JobStatus
    origin: JobOrigin
    skill: str
    difficulty: str
    count: int
    cost_usd: str
    created_at: datetime
    simulated: bool

    @staticmethod
    def resolve_id(job: Job) -> uuid.UUID:
        return job.public_id

    @staticmethod
    def resolve_cost_usd(job: Job) -> str:
        return str(job.cost_usd)


# These mirror generation.selectors.job_state, which builds the data.


class Options(Schema):
    count: int
    target: JobTarget
    instruction: str


class Taxonomy(Schema):
    section: str
    domain: str
    skill: str
    difficulty: str
    kind: str


class Tokens(Schema):
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: str


class StageState(Tokens):
    name: Literal["extract", "classify", "retrieve", "generate", "validate"]
    status: StageStatus
    duration: float | None
    model: str
    note: str
    error: str


class Gate(Schema):
    name: str
    passed: bool
    detail: str = ""
    applies: bool = True  # False: the gate had nothing of this question to check


class Validation(Schema):
    passed: bool
    gates: list[Gate]


class QuestionState(Schema):
    position: int
    status: QuestionStatus
    section: str
    domain: str
    skill: str
    difficulty: str
    kind: str
    passage: str
    passage_b: str
    figure: str
    stem: str
    choices: list[str]
    key: str
    explanation: str
    rationales: dict[str, str]
    flag_reasons: list[str]
    validation: Validation | None


class Reading(Schema):
    """The screenshot's OCR reading against the extraction (none for text and skill jobs)."""

    ocr_match: float | None  # share of the extraction's words the OCR text confirms
    check: bool  # the page asks the tutor to check what we read


class JobState(Schema):
    id: uuid.UUID
    status: JobStatus
    origin: JobOrigin
    simulated: bool
    error: str
    retryable: bool
    reading: Reading
    options: Options
    taxonomy: Taxonomy
    stages: list[StageState]
    totals: Tokens
    questions: list[QuestionState]


# --- endpoints ----------------------------------------------------------------------


def _get_job_for_user(request: TokenRequest, job_id: str) -> Job:
    """Return the caller's job; 404 for another tutor's job, as for one that does not exist."""
    try:
        public_id = uuid.UUID(job_id)
    except ValueError:
        raise Http404 from None
    return job_for_user(request.auth, public_id)


MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100  # django-ninja's own cap on a page's size, said in the document


class BoundedPages(PageNumberPagination):
    """Pages numbered within what PostgreSQL can offset: a huge page is a 422, not a 500."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


@router.post(
    "/",
    response={202: JobCreated, 401: Problem, 413: Problem, 422: Problem, 429: Limited},
    url_name="job_create",
    summary="Start a job",
)
def create_job(
    request: TokenRequest,
    response: HttpResponse,
    image: Annotated[UploadedFile | None, File(description="A screenshot of a question.")] = None,
    # Text refuses control characters. Form("") repeats the default: pydantic keeps only
    # the one given when the field is made, not the one ninja copies from "= ...".
    text: Annotated[Text, Form("", description="The question's text.")] = "",
    skill: Annotated[str, Form(description="A skill to write for, instead of a source.")] = "",
    difficulty: Annotated[Literal["easy", "medium", "hard"], Form()] = "medium",
    kind: Annotated[Literal["mcq", "spr"], Form()] = "mcq",
    count: Annotated[int, Form(description="How many questions to write, 1 to 10.")] = 3,
    target: Annotated[
        Job.Target, Form(description="The difficulty to write at.")
    ] = Job.Target.SAME,
    instruction: Annotated[
        Text, Form("", description="A note for the writer, up to 500 characters.")
    ] = "",
):
    """Queue a job from one source: a screenshot (`image`), its `text`, or a `skill`."""
    upload = None
    if image is not None:
        limit = settings.UPLOAD_MAX_BYTES
        # Read one byte past the limit: enough to know the file is too big, and no more.
        data = image.read(limit + 1)
        if len(data) > limit:
            return Status(
                413,
                {
                    "detail": f"This file is larger than the {limit / 1024 / 1024:g} MB limit. "
                    "Crop the screenshot to the question, or save it as a JPEG.",
                    "field": "image",
                },
            )
        upload = (image.name or "upload", data)
    options = JobOptions(count=count, target=target, instruction=instruction)
    try:
        job = job_submit(
            owner=request.auth,
            options=options,
            upload=upload,
            text=text,
            skill=skill,
            difficulty=difficulty,
            kind=kind,
        )
    except SubmissionError as refused:
        return Status(422, {"detail": str(refused), "field": refused.field})
    except LimitReached as limited:
        return _too_much(response, limited)
    url = reverse("api:job", kwargs={"job_id": job.public_id})
    response["Location"] = url
    return Status(
        202,
        {
            "id": job.public_id,
            "status": job.status,
            "url": url,
            "page_url": reverse("job_detail", kwargs={"public_id": job.public_id}),
            # Channels routes (generation/routing.py) cannot be reversed.
            "websocket_url": f"/ws/jobs/{job.public_id}/",
        },
    )


def _too_much(response: HttpResponse, limited: LimitReached) -> Status:
    response["Retry-After"] = str(limited.retry_after)
    return Status(
        429,
        {"detail": str(limited), "limit": limited.limit, "retry_after": limited.retry_after},
    )


@router.get(
    "/",
    response={200: list[JobSummary], 401: Problem},
    url_name="job_list",
    summary="List your jobs",
)
@paginate(BoundedPages, page_size=20)
def list_jobs(request: TokenRequest):
    """Return the caller's jobs, newest first."""
    return Job.objects.filter(owner=request.auth).order_by("-created_at", "-pk")


@router.get(
    "/{job_id}",
    response={200: JobState, 401: Problem, 404: Problem},
    url_name="job",
    summary="Read a job's state",
)
def get_job(request: TokenRequest, job_id: str):
    """Return the job's whole state: stages, token totals and questions with their checks."""
    return job_state(_get_job_for_user(request, job_id))


@router.post(
    "/{job_id}/cancel",
    response={200: JobState, 401: Problem, 404: Problem, 409: Problem},
    url_name="job_cancel",
    summary="Cancel a job",
)
def cancel_job(request: TokenRequest, job_id: str):
    """Cancel a job that is queued or running; 409 when it has already finished."""
    job = _get_job_for_user(request, job_id)
    if not job_cancel(job=job):
        job.refresh_from_db(fields=["status"])
        return Status(409, {"detail": f"This job has already finished ({job.status})."})
    job.refresh_from_db()
    return job_state(job)


@router.post(
    "/{job_id}/retry",
    response={202: JobState, 401: Problem, 404: Problem, 409: Problem, 429: Limited},
    url_name="job_retry",
    summary="Retry a failed job",
)
def retry_job(request: TokenRequest, response: HttpResponse, job_id: str):
    """Queue a failed job again: it resumes at the stage it failed in, paying nothing twice.

    409 when the job has not failed, or failed in a way a retry cannot change (the input is
    not an SAT question, or Claude refused it).
    """
    job = _get_job_for_user(request, job_id)
    try:
        job = job_retry(job=job)
    except SubmissionError as error:
        return Status(409, {"detail": str(error)})
    except LimitReached as limited:
        return _too_much(response, limited)
    return Status(202, job_state(job))
