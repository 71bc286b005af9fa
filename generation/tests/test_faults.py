"""Claude faults at every stage: a job recovers, or ends with a reason a tutor can read.

Whole jobs (one question each) run through the real anthropic SDK against the strict Claude
simulator, which injects each fault kind into the requests of one task:

    extract  → the extract stage (classify is answered in the same call)
    generate → the generate stage
    solve    → the validate stage (the blind solve)

Who retries what: the SDK's own retries are off; generation.claude retries transient failures
(429, 529, 500, a dropped connection, a timeout, a stream that broke or reported an error
mid-reply) CLAUDE_MAX_RETRIES times with backoff, records every attempt in the ledger, then
raises. A transient failure that outlasts the retries stops the stage: the job fails with a
Retry that resumes there. A reply that does not validate is repaired once; a reply cut off by
max_tokens is asked again once with twice the room; a refusal is final.
"""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest
from asgiref.sync import async_to_sync
from django.db.models import Sum

from generation.claude import (
    InvalidOutputError,
    MisconfiguredError,
    RefusedError,
    TransientError,
    TruncatedError,
)
from generation.models import STAGE_NAMES, Job, ModelCall
from generation.pipeline.runner import run_job
from generation.services import job_retry
from generation.tests.builders import make_job
from generation.tests.conftest import task_log

pytestmark = pytest.mark.usefixtures("seeded_bank")

run = async_to_sync(run_job)

# task → (the job stage whose ledger rows it makes, the CLAUDE_STAGES profile it uses)
TASKS = {
    "extract": ("extract", "extract"),
    "generate": ("generate", "generate"),
    "solve": ("validate", "solve"),
}
STAGE_TIMEOUT = 1.5  # seconds, for the profile under test; a timeout fault waits twice that
PERSISTENT = 20  # more faults than any retry budget here can use up

TRANSIENT = (
    "rate_limit",
    "overloaded",
    "server_error",
    "connection_drop",
    "timeout",
    "truncated_stream",
    "stream_error",
)
RECOVERABLE = (*TRANSIENT, "invalid_output", "max_tokens")
ALL_KINDS = (*RECOVERABLE, "refusal")

# The ledger outcome of the faulty attempt.
FAULT_OUTCOME = {
    "rate_limit": "rate_limited",
    "overloaded": "overloaded",
    "server_error": "server_error",
    "connection_drop": "connection_error",
    "timeout": "timeout",
    "truncated_stream": "stream_broken",
    "stream_error": "stream_broken",
    "invalid_output": "end_turn",  # a complete reply, billed, that did not validate
    "max_tokens": "max_tokens",
    "refusal": "refusal",
}
# What a fault that does not go away ends as.
FINAL_ERROR = {
    **dict.fromkeys(TRANSIENT, TransientError),
    "invalid_output": InvalidOutputError,
    "max_tokens": TruncatedError,
    "refusal": RefusedError,
}
# What a tutor must never read: model ids, HTTP or API wording, settings, schema paths.
LEAKS = re.compile(
    r"claude-|HTTP|\d{3}|_error|ANTHROPIC|CLAUDE_|request|schema|max_tokens|"
    r"[a-z]+\.[a-z]+|\bmsg_|\breq_",
)


# --- helpers -------------------------------------------------------------------------------


def _inject(simulator, settings, *, task: str, kind: str, count: int) -> None:
    """Fault `count` requests for `task` with `kind`, with a short backoff (and timeout)."""
    settings.GENERATION_MAX_ROUNDS = 0  # no regeneration: request counts are exact
    settings.CLAUDE_RETRY_BASE = 0.01
    if kind == "timeout":
        # Only the timeout fault needs a short one: on a loaded machine an ordinary reply can
        # take longer than a second.
        stages = copy.deepcopy(settings.CLAUDE_STAGES)
        stages[TASKS[task][1]]["timeout"] = STAGE_TIMEOUT
        settings.CLAUDE_STAGES = stages
    options: dict = {}
    if kind in ("rate_limit", "overloaded"):
        options["retry_after"] = 0.01
    if kind == "timeout":
        options["delay"] = 2 * STAGE_TIMEOUT
    simulator.add_fault(kind, task=task, count=count, **options)


def _run(job: Job) -> Job:
    """Run the job to its end and return it reloaded; it must never be left running."""
    run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED), job.status
    assert job.finished_at is not None
    assert not job.stages.filter(status="running").exists()
    return job


def _requests_per_task(simulator) -> Counter:
    return Counter(entry["task"] for entry in simulator.requests())


def _outcomes(job: Job, task: str) -> list[str]:
    stage, profile = TASKS[task]
    calls = ModelCall.objects.filter(job=job, stage=stage, purpose=profile)
    return list(calls.values_list("outcome", flat=True))


def _stages(job: Job) -> dict[str, str]:
    return dict(job.stages.values_list("name", "status"))


def _assert_fit_for_a_tutor(text: str) -> None:
    assert text and not LEAKS.search(text), text


def _assert_totals_add_up(job: Job) -> None:
    """The job's and each stage's token and cost totals are the sums of their ledger rows."""
    fields = (
        "input_tokens",
        "output_tokens",
        "cache_creation_tokens",
        "cache_read_tokens",
        "cost_usd",
    )
    calls = ModelCall.objects.filter(job=job)
    sums = calls.aggregate(**{f: Sum(f) for f in fields})
    assert {f: getattr(job, f) for f in fields} == {f: sums[f] or 0 for f in fields}
    for stage in job.stages.all():
        mine = calls.filter(stage=stage.name).aggregate(**{f: Sum(f) for f in fields})
        assert {f: getattr(stage, f) for f in fields} == {f: mine[f] or 0 for f in fields}


# --- 1. a fault that happens once is handled and the job succeeds ---------------------------


@pytest.mark.parametrize("kind", RECOVERABLE)
def test_a_fault_that_happens_once_at_each_stage_is_recovered_and_the_job_succeeds(
    simulator, settings, kind
):
    for task in TASKS:
        _inject(simulator, settings, task=task, kind=kind, count=1)
    job = _run(make_job())

    assert job.status == "succeeded", job.error_detail
    assert (job.error, job.error_kind) == ("", "")
    assert _stages(job) == dict.fromkeys(STAGE_NAMES, "succeeded")
    question = job.questions.get()
    assert question.status == "passed", question.flag_reasons

    # One extra request per task, the faulty one first, and every request in the ledger.
    assert _requests_per_task(simulator) == dict.fromkeys(TASKS, 2)
    for task in TASKS:
        assert [entry["fault"] for entry in task_log(simulator, task)] == [kind, None], task
        assert _outcomes(job, task) == [FAULT_OUTCOME[kind], "end_turn"], task
    assert ModelCall.objects.filter(job=job).count() == len(simulator.requests())
    _assert_totals_add_up(job)


# --- 2. a fault that does not go away, at every stage --------------------------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_persistent_fault_in_extract_fails_the_job_with_a_plain_reason(simulator, settings, kind):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, task="extract", kind=kind, count=PERSISTENT)
    job = _run(make_job())

    assert job.status == "failed"
    error = FINAL_ERROR[kind]
    assert (job.error, job.error_kind) == (error.default_message, error.kind)
    _assert_fit_for_a_tutor(job.error)
    assert job.error_detail and job.error_detail != job.error  # the raw account, for staff
    assert job.retryable == (kind != "refusal")
    extract = job.stages.get(name="extract")
    assert (extract.status, extract.error) == ("failed", job.error)
    assert _stages(job) == {"extract": "failed"} | dict.fromkeys(STAGE_NAMES[1:], "pending")
    assert not job.questions.exists()

    requests = 1 if kind == "refusal" else 2  # one retry, repair or second try with more room
    assert _requests_per_task(simulator) == {"extract": requests}
    assert _outcomes(job, "extract") == [FAULT_OUTCOME[kind]] * requests
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_busy_claude_in_generate_stops_the_stage_and_retry_resumes_it(simulator, settings, kind):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, task="generate", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    assert (job.status, job.error_kind, job.retryable) == ("failed", "transient", True)
    _assert_fit_for_a_tutor(job.error)
    assert _stages(job) == {
        "extract": "succeeded",
        "classify": "succeeded",
        "retrieve": "succeeded",
        "generate": "failed",
        "validate": "pending",
    }
    question = job.questions.get()
    assert question.status != "failed" and not question.stem  # not given up, not half-written
    assert _requests_per_task(simulator) == {"extract": 1, "generate": 2}

    simulator.reset()
    job_retry(job=job)
    job = _run(job)
    assert job.status == "succeeded", job.error_detail
    assert job.questions.get().status == "passed"
    # The retry resumed at generate: nothing before it was asked (or billed) again.
    assert _requests_per_task(simulator) == {"generate": 1, "solve": 1}
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", ["invalid_output", "max_tokens", "refusal"])
def test_a_question_claude_cannot_write_fails_with_its_reason(simulator, settings, kind):
    _inject(simulator, settings, task="generate", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    question = job.questions.get()
    error = FINAL_ERROR[kind]
    assert (question.status, question.flag_reasons) == ("failed", [error.default_message])
    assert not question.stem
    # The only question could not be written: the job fails with that question's reason.
    assert (job.status, job.error, job.error_kind) == (
        "failed",
        error.default_message,
        "no_questions",
    )
    assert job.retryable
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_busy_claude_in_the_blind_solve_never_fails_the_question_or_pays_a_new_draft(
    simulator, settings, kind
):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, task="solve", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    assert (job.status, job.error_kind) == ("failed", "transient")
    assert job.stages.get(name="validate").status == "failed"
    question = job.questions.get()
    assert question.status == "checking" and question.stem  # the draft waits to be checked
    assert _requests_per_task(simulator) == {"extract": 1, "generate": 1, "solve": 2}

    simulator.reset()
    job_retry(job=job)
    job = _run(job)
    assert job.status == "succeeded", job.error_detail
    assert job.questions.get().status == "passed"
    assert _requests_per_task(simulator) == {"solve": 1}  # the same draft, solved again
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", ["invalid_output", "max_tokens", "refusal"])
def test_a_blind_solve_that_cannot_answer_flags_the_question(simulator, settings, kind):
    _inject(simulator, settings, task="solve", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    # An unchecked question is not a failed job: it is kept, flagged with the reason.
    assert job.status == "succeeded", job.error_detail
    question = job.questions.get()
    assert question.status == "flagged"
    assert question.flag_reasons == [
        f"blind_solve_agrees: the blind solve failed: {FINAL_ERROR[kind].default_message}"
    ]
    assert question.validation is not None
    gates = {gate["name"]: gate["passed"] for gate in question.validation["gates"]}
    assert gates.pop("blind_solve_agrees") is False
    assert all(gates.values()), gates  # the blind solve is the only reason it is flagged
    _assert_totals_add_up(job)


def test_transient_failures_are_retried_as_often_as_configured(simulator, settings):
    settings.CLAUDE_MAX_RETRIES = 3
    _inject(simulator, settings, task="extract", kind="overloaded", count=PERSISTENT)
    job = _run(make_job())

    assert (job.status, job.error_kind) == ("failed", "transient")
    assert _requests_per_task(simulator) == {"extract": 4}
    assert _outcomes(job, "extract") == ["overloaded"] * 4


def test_a_retry_after_longer_than_we_wait_fails_at_once(simulator, settings):
    settings.CLAUDE_RETRY_AFTER_MAX = 1.0
    _inject(simulator, settings, task="extract", kind="rate_limit", count=PERSISTENT)
    simulator.reset()
    simulator.add_fault("rate_limit", task="extract", count=PERSISTENT, retry_after=120)
    job = _run(make_job())

    assert (job.status, job.error_kind) == ("failed", "transient")
    assert _requests_per_task(simulator) == {"extract": 1}  # no stage waits two minutes
    assert "HTTP 429" in job.error_detail


# --- 3. a request Claude rejects: our bug, never retried, explained to staff only ----------


def test_a_wrong_entry_in_the_model_table_is_caught_by_the_api_and_fails_plainly(
    simulator, settings
):
    # Claim Sonnet 5.5 turns thinking off with "disabled": the API (the simulator, whose rules
    # are its own) answers 400, so a wrong table cannot slip through with the suite green.
    models = copy.deepcopy(settings.CLAUDE_MODELS)
    models["claude-sonnet-5-5"]["thinking_off"] = "disabled"
    settings.CLAUDE_MODELS = models
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages["extract"].update(model="claude-sonnet-5-5", thinking="minimal", effort="low")
    settings.CLAUDE_STAGES = stages
    job = _run(make_job())

    assert (job.status, job.error_kind) == ("failed", MisconfiguredError.kind)
    assert job.error == MisconfiguredError.default_message
    _assert_fit_for_a_tutor(job.error)
    assert "HTTP 400" in job.error_detail and "thinking" in job.error_detail
    assert [entry["status"] for entry in simulator.requests()] == [400]
    assert _outcomes(job, "extract") == ["rejected"]


# --- 4. what reached the API is billed, so it is in the ledger -----------------------------


@pytest.mark.parametrize("kind", ["refusal", "truncated_stream"])
def test_a_refused_or_broken_reply_is_counted_in_the_ledger(simulator, settings, kind):
    _inject(simulator, settings, task="solve", kind=kind, count=1)
    job = _run(make_job())

    call = ModelCall.objects.filter(job=job, purpose="solve").earliest("id")
    assert (call.stage, call.outcome) == ("validate", FAULT_OUTCOME[kind])
    logged = task_log(simulator, "solve")[0]
    assert call.input_tokens + call.cache_read_tokens + call.cache_creation_tokens == (
        logged["input_tokens"]
        + logged["cache_read_input_tokens"]
        + logged["cache_creation_input_tokens"]
    )
    assert call.input_tokens > 0 and call.cost_usd > 0
    _assert_totals_add_up(job)


def test_a_reply_cut_off_by_max_tokens_is_asked_again_with_twice_the_room(simulator, settings):
    _inject(simulator, settings, task="solve", kind="max_tokens", count=1)
    job = _run(make_job())

    assert job.status == "succeeded", job.error_detail
    first, second = [entry["body"]["max_tokens"] for entry in task_log(simulator, "solve")]
    assert second == 2 * first == 2 * settings.CLAUDE_STAGES["solve"]["max_tokens"]
    cut = ModelCall.objects.get(job=job, purpose="solve", outcome="max_tokens")
    assert cut.output_tokens == first  # thinking and answer filled the room, and are billed
    _assert_totals_add_up(job)
