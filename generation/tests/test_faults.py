"""Claude faults at every stage: a job recovers, or ends with a stored reason a tutor can read.

Whole jobs (one question each) run through the real anthropic SDK against the Claude simulator,
which injects each fault kind into the requests of one tool:

    record_extraction → the extract stage (classify is answered in the same call)
    record_question   → the generate stage
    record_solution   → the validate stage (the blind solve)

Who retries what (observed, anthropic 2.14 / httpx2):

- rate_limit (429), overloaded (529), server_error (500), connection_drop (the connection is
  closed before any reply) and timeout (no reply within the stage's timeout) are retried INSIDE
  the SDK, up to CLAUDE_MAX_RETRIES times (429/529 after the server's retry-after-ms, the others
  after a 0.5 s·2^n backoff with jitter). generation.claude only sees the outcome of the whole
  retry loop, so it records ONE ModelCall covering several HTTP requests: "tool_use" when a retry
  succeeded, "transient" when all of them failed.
- truncated_stream (the stream breaks after the reply has started) is not retried by the SDK:
  generation.claude retries it once itself and records each attempt ("stream_broken", ...).
- invalid_output (a reply that does not fit the schema) is repaired once by generation.claude:
  two billed requests, two ModelCalls ("tool_use", "tool_use").
- max_tokens and refusal are complete, billed replies: never retried, one ModelCall each
  ("max_tokens" / "refusal") with their tokens.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from asgiref.sync import async_to_sync
from django.db.models import Sum

from generation.models import STAGE_NAMES, Job, ModelCall
from generation.pipeline.runner import run_job
from generation.tests.builders import make_job
from generation.tests.conftest import tool_log

pytestmark = pytest.mark.usefixtures("seeded_bank")

run = async_to_sync(run_job)

# tool → (the job stage whose ledger rows it makes, the CLAUDE_STAGES profile it uses)
TOOLS = {
    "record_extraction": ("extract", "extract"),
    "record_question": ("generate", "generate"),
    "record_solution": ("validate", "solve"),
}
STAGE_TIMEOUT = 0.5  # seconds, for the profile under test; a timeout fault waits twice that
PERSISTENT = 20  # more faults than any retry budget here can use up

SDK_RETRIED = ("rate_limit", "overloaded", "server_error", "connection_drop", "timeout")
RECOVERABLE = (*SDK_RETRIED, "truncated_stream", "invalid_output")
ALL_KINDS = (*RECOVERABLE, "max_tokens", "refusal")

REASONS = {
    "rate_limit": "Claude is rate-limiting us; try again in a minute.",
    "overloaded": "Claude is overloaded or failing (HTTP 529); try again shortly.",
    "server_error": "Claude is overloaded or failing (HTTP 500); try again shortly.",
    "connection_drop": "Claude could not be reached (connection failed).",
    "timeout": f"Claude did not answer within {STAGE_TIMEOUT:g} seconds.",
    "truncated_stream": "The connection to Claude broke off in the middle of a reply, twice.",
    "max_tokens": "Claude's reply was cut off before it was complete.",
    "refusal": "Claude declined to work on this request.",
    # invalid_output: a prefix, then the fields that did not validate (see _assert_reason)
    "invalid_output": "Claude's reply did not fit the expected format, even after a retry (",
}

# The ledger rows of the faulty tool when the fault happens once (and the retry succeeds).
RECOVERED_OUTCOMES = {
    **dict.fromkeys(SDK_RETRIED, ["tool_use"]),
    "truncated_stream": ["stream_broken", "tool_use"],
    "invalid_output": ["tool_use", "tool_use"],
}
# ... and when it does not go away (with CLAUDE_MAX_RETRIES = 1).
FAILED_OUTCOMES = {
    **dict.fromkeys(SDK_RETRIED, ["transient"]),
    "truncated_stream": ["stream_broken", "stream_broken"],
    "invalid_output": ["tool_use", "tool_use"],
    "max_tokens": ["max_tokens"],
    "refusal": ["refusal"],
}
# HTTP requests the faulty tool receives when the fault does not go away (CLAUDE_MAX_RETRIES = 1).
FAILED_REQUESTS = {
    **dict.fromkeys(SDK_RETRIED, 2),  # the SDK's first try and its one retry
    "truncated_stream": 2,  # generation.claude's own retry of a broken stream
    "invalid_output": 2,  # the reply and its repair
    "max_tokens": 1,
    "refusal": 1,
}


# --- helpers -------------------------------------------------------------------------------


def _inject(simulator, settings, *, tool: str, kind: str, count: int) -> None:
    """Fault `count` requests for `tool` with `kind`, with a short timeout for its profile."""
    settings.GENERATION_MAX_ROUNDS = 0  # no regeneration: request counts are exact
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages[TOOLS[tool][1]]["timeout"] = STAGE_TIMEOUT
    settings.CLAUDE_STAGES = stages
    options: dict = {}
    if kind in ("rate_limit", "overloaded"):
        options["retry_after"] = 0.01
    if kind == "timeout":
        options["delay"] = 2 * STAGE_TIMEOUT
    simulator.add_fault(kind, tool=tool, count=count, **options)


def _run(job: Job) -> Job:
    """Run the job to its end and return it reloaded; it must never be left running."""
    run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED), job.status
    assert job.finished_at is not None
    assert not job.stages.filter(status="running").exists()
    assert not job.questions.filter(status__in=["drafting", "checking", "regenerating"]).exists()
    return job


def _requests_per_tool(simulator) -> Counter:
    return Counter(entry["tool"] for entry in simulator.requests())


def _outcomes(job: Job, tool: str) -> list[str]:
    stage, profile = TOOLS[tool]
    calls = ModelCall.objects.filter(job=job, stage=stage, purpose=profile)
    return list(calls.values_list("outcome", flat=True))


def _stages(job: Job) -> dict[str, str]:
    return dict(job.stages.values_list("name", "status"))


def _assert_reason(kind: str, text: str) -> None:
    if kind == "invalid_output":
        assert text.startswith(REASONS[kind]), text
        assert "Field required" in text and text.endswith(")."), text
    else:
        assert text == REASONS[kind]


def _assert_totals_add_up(job: Job) -> None:
    """The job's and each stage's token and cost totals are the sums of their ledger rows."""
    fields = ("input_tokens", "output_tokens", "cache_creation_tokens", "cost_usd")
    calls = ModelCall.objects.filter(job=job)
    sums = calls.aggregate(**{f: Sum(f) for f in fields})
    assert {f: getattr(job, f) for f in fields} == {f: sums[f] or 0 for f in fields}
    for stage in job.stages.all():
        mine = calls.filter(stage=stage.name).aggregate(**{f: Sum(f) for f in fields})
        assert {f: getattr(stage, f) for f in fields} == {f: mine[f] or 0 for f in fields}


# --- 1. a fault that happens once is retried and the job succeeds ---------------------------
# One job per kind, with the fault injected once into each of the three tools: every stage
# must recover on its own, and the per-tool counts below show which stage retried what.


@pytest.mark.parametrize("kind", RECOVERABLE)
def test_a_fault_that_happens_once_at_each_stage_is_retried_and_the_job_succeeds(
    simulator, settings, kind
):
    for tool in TOOLS:
        _inject(simulator, settings, tool=tool, kind=kind, count=1)
    job = _run(make_job())

    assert job.status == "succeeded", job.error
    assert job.error == ""
    assert _stages(job) == dict.fromkeys(STAGE_NAMES, "succeeded")
    question = job.questions.get()
    assert question.status == "passed", question.flag_reasons

    # One extra request per tool, the faulty one first.
    assert _requests_per_tool(simulator) == dict.fromkeys(TOOLS, 2)
    for tool in TOOLS:
        assert [entry["fault"] for entry in tool_log(simulator, tool)] == [kind, None], tool
        assert _outcomes(job, tool) == RECOVERED_OUTCOMES[kind], tool

    calls = ModelCall.objects.filter(job=job).count()
    if kind in SDK_RETRIED:
        # The SDK retried inside one call_tool attempt: one ledger row covers two HTTP
        # requests, so each of the three tools has one request more than it has rows.
        assert calls == len(simulator.requests()) - len(TOOLS)
    else:
        # generation.claude made (and recorded) each request itself.
        assert calls == len(simulator.requests())
    _assert_totals_add_up(job)


# --- 2. a fault that does not go away ends with its reason, at every stage ------------------


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_persistent_fault_in_extract_fails_the_job_with_its_reason(simulator, settings, kind):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, tool="record_extraction", kind=kind, count=PERSISTENT)
    job = _run(make_job())

    assert job.status == "failed"
    _assert_reason(kind, job.error)
    extract = job.stages.get(name="extract")
    assert extract.status == "failed"
    assert extract.error == job.error
    assert _stages(job) == {"extract": "failed"} | dict.fromkeys(STAGE_NAMES[1:], "pending")
    assert not job.questions.exists()

    assert _requests_per_tool(simulator) == {"record_extraction": FAILED_REQUESTS[kind]}
    assert _outcomes(job, "record_extraction") == FAILED_OUTCOMES[kind]
    if kind == "timeout":
        # One ledger row covers both timed-out HTTP requests the SDK made.
        assert ModelCall.objects.get(job=job).duration_ms >= 2 * STAGE_TIMEOUT * 1000
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_persistent_fault_in_generate_fails_the_question_and_the_job(simulator, settings, kind):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, tool="record_question", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    question = job.questions.get()
    assert question.status == "failed"
    assert len(question.flag_reasons) == 1
    _assert_reason(kind, question.flag_reasons[0])
    assert not question.stem  # nothing half-written was stored

    # The only question could not be written: the job fails with that question's reason.
    assert job.status == "failed"
    assert job.error == question.flag_reasons[0]
    generate = job.stages.get(name="generate")
    assert (generate.status, generate.error) == ("failed", job.error)
    assert _stages(job) == {
        "extract": "succeeded",
        "classify": "succeeded",
        "retrieve": "succeeded",
        "generate": "failed",
        "validate": "pending",
    }

    assert _requests_per_tool(simulator) == {
        "record_extraction": 1,
        "record_question": FAILED_REQUESTS[kind],
    }
    assert _outcomes(job, "record_question") == FAILED_OUTCOMES[kind]
    _assert_totals_add_up(job)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_persistent_fault_in_the_blind_solve_flags_the_question(simulator, settings, kind):
    settings.CLAUDE_MAX_RETRIES = 1
    _inject(simulator, settings, tool="record_solution", kind=kind, count=PERSISTENT)
    job = _run(make_job(count=1))

    # An unchecked question is not a failed job: it is kept, flagged with the reason.
    assert job.status == "succeeded", job.error
    assert _stages(job) == dict.fromkeys(STAGE_NAMES, "succeeded")
    assert job.stages.get(name="validate").output == {"flagged": 1}
    question = job.questions.get()
    assert question.status == "flagged"
    assert len(question.flag_reasons) == 1
    prefix = "blind_solve_agrees: the blind solve failed: "
    assert question.flag_reasons[0].startswith(prefix), question.flag_reasons
    _assert_reason(kind, question.flag_reasons[0].removeprefix(prefix))
    gates = {gate["name"]: gate["passed"] for gate in question.validation["gates"]}
    assert gates.pop("blind_solve_agrees") is False
    assert all(gates.values()), gates  # the blind solve is the only reason it is flagged

    assert _requests_per_tool(simulator) == {
        "record_extraction": 1,
        "record_question": 1,
        "record_solution": FAILED_REQUESTS[kind],
    }
    assert _outcomes(job, "record_solution") == FAILED_OUTCOMES[kind]
    _assert_totals_add_up(job)


def test_the_sdk_retries_as_often_as_configured(simulator, settings):
    settings.CLAUDE_MAX_RETRIES = 3
    _inject(simulator, settings, tool="record_extraction", kind="rate_limit", count=PERSISTENT)
    job = _run(make_job())

    assert job.status == "failed"
    assert job.error == REASONS["rate_limit"]
    assert _requests_per_tool(simulator) == {"record_extraction": 4}
    assert _outcomes(job, "record_extraction") == ["transient"]


# --- 3. a request Claude rejects as malformed ---------------------------------------------
# The simulator accepts any model name, so an unknown model cannot be told apart from a good
# one; and the SDK always sends an API key (generation.claude sends "simulator", or "none" when
# ANTHROPIC_API_KEY is empty), so bad credentials (401) cannot be reached through settings. An
# empty model name or a max_tokens of 0 (CLAUDE_EXTRACT_MODEL / CLAUDE_EXTRACT_MAX_TOKENS) is
# rejected with a 400, which is what is tested here.


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"model": ""}, "model: Field required"),
        ({"max_tokens": 0}, "max_tokens: Field required (a positive integer)"),
    ],
)
def test_a_request_claude_rejects_fails_the_job_without_retrying(
    simulator, settings, change, problem
):
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages["extract"].update(change)
    settings.CLAUDE_STAGES = stages
    job = _run(make_job())

    assert job.status == "failed"
    assert job.error.startswith("Claude rejected the request (HTTP 400): "), job.error
    assert problem in job.error
    assert job.stages.get(name="extract").error == job.error
    # A 400 is not retried, by the SDK or by us; the attempt is in the ledger.
    assert [entry["status"] for entry in simulator.requests()] == [400]
    assert list(ModelCall.objects.filter(job=job).values_list("outcome", flat=True)) == [
        "misconfigured"
    ]


def test_a_rejected_request_is_explained_without_the_raw_error_body(simulator, settings):
    stages = copy.deepcopy(settings.CLAUDE_STAGES)
    stages["extract"]["max_tokens"] = 0
    settings.CLAUDE_STAGES = stages
    job = _run(make_job())

    assert job.status == "failed"
    assert job.error == (
        "Claude rejected the request (HTTP 400): max_tokens: Field required (a positive integer)"
    )


# --- 4. refused and cut-off replies are billed, so they are in the ledger ------------------


@pytest.mark.parametrize("kind", ["refusal", "max_tokens"])
def test_a_refused_or_cut_off_reply_is_counted_in_the_ledger(simulator, settings, kind):
    _inject(simulator, settings, tool="record_solution", kind=kind, count=1)
    job = _run(make_job())

    assert job.status == "succeeded", job.error
    assert job.questions.get().status == "flagged"
    call = ModelCall.objects.get(job=job, purpose="solve")
    assert (call.stage, call.outcome, call.model) == (
        "validate",
        kind,
        settings.CLAUDE_STAGES["solve"]["model"],
    )
    logged = tool_log(simulator, "record_solution")
    assert len(logged) == 1
    assert call.input_tokens == logged[0]["input_tokens"] > 0
    assert call.output_tokens == logged[0]["output_tokens"] > 0
    if kind == "max_tokens":
        assert call.output_tokens == settings.CLAUDE_STAGES["solve"]["max_tokens"]
    assert call.cost_usd > 0
    _assert_totals_add_up(job)
    validate = job.stages.get(name="validate")
    assert validate.input_tokens == call.input_tokens and validate.cost_usd == call.cost_usd


# --- 5. an error event in the middle of a streamed reply ------------------------------------


def test_an_overload_reported_mid_stream_is_retried_as_a_broken_reply(simulator, settings):
    _inject(simulator, settings, tool="record_extraction", kind="stream_error", count=1)
    job = _run(make_job())
    assert job.status == "succeeded", job.error
    assert len(tool_log(simulator, "record_extraction")) == 2


def test_a_persistent_mid_stream_overload_fails_the_job_as_transient(simulator, settings):
    _inject(simulator, settings, tool="record_extraction", kind="stream_error", count=20)
    job = _run(make_job())
    assert job.status == "failed"
    assert job.error == "The connection to Claude broke off in the middle of a reply, twice."
    assert list(ModelCall.objects.filter(job=job).values_list("outcome", flat=True)) == [
        "stream_broken",
        "stream_broken",
    ]
