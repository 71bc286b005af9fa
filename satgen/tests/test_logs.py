"""Logs: JSON lines with the request id, or the job; the request id header; nothing secret."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from PIL import Image

from generation.images import NormalisedImage, normalise_upload
from generation.log_context import bind_job
from generation.models import Job
from generation.tests.builders import make_job, make_user
from generation.tests.conftest import seed_rows, seeded_bank  # noqa: F401 (fixtures)
from satgen.logs import ContextFilter, JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
NEW_ID = re.compile(r"[0-9a-f]{32}")


class Captured:
    """What the root logger wrote, as the production handler writes it, and the raw records."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.records: list[logging.LogRecord] = []

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def raw_text(self) -> str:
        """Every message and exception as logged, before the formatter's scrubbing."""
        formatter = logging.Formatter()
        parts = []
        for record in self.records:
            parts.append(record.getMessage())
            if record.exc_info:
                parts.append(formatter.formatException(record.exc_info))
        return "\n".join(parts)


@pytest.fixture
def captured() -> Iterator[Captured]:
    """A handler on the root logger with the project's filter and JSON formatter."""
    result = Captured()
    handler = logging.StreamHandler(result.stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            result.records.append(record)

    root = logging.getLogger()
    keep = Keep()
    root.addHandler(handler)
    root.addHandler(keep)
    try:
        yield result
    finally:
        root.removeHandler(handler)
        root.removeHandler(keep)


@pytest.fixture
def claude(request):
    """The Claude simulator, reset and in use (generation's `simulator` fixture)."""
    return request.getfixturevalue("simulator")


# --- the request id ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sane_request_id_comes_back_in_the_response(client):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "edge-7f3a.42:b_c"})
    assert response["X-Request-ID"] == "edge-7f3a.42:b_c"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_request_id_round_trips_through_the_async_stack_too(async_client):
    response = await async_client.get("/accounts/login/", headers={"X-Request-ID": "async-1"})
    assert response["X-Request-ID"] == "async-1"


@pytest.mark.django_db
def test_a_request_without_an_id_is_given_a_new_one(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        'abc" level="ERROR',  # quotes and spaces: a forged field in a line
        "x" * 65,  # longer than any real request id
        "id\u2028forged",  # a line separator outside ASCII
        "<script>alert(1)</script>",
        "",
    ],
)
def test_a_hostile_request_id_is_replaced_by_a_new_one(client, captured, hostile):
    response = client.get("/nope/", headers={"X-Request-ID": hostile})
    given = response["X-Request-ID"]
    assert NEW_ID.fullmatch(given)
    lines = [line for line in captured.lines() if line["logger"] == "django.request"]
    assert [line["request_id"] for line in lines] == [given]


@pytest.mark.django_db
def test_a_requests_log_lines_are_json_carrying_its_request_id(client, captured):
    client.force_login(make_user())
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 404

    (line,) = [line for line in captured.lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["request_id"] == "req-123"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "job_id" not in line and "stage" not in line  # only what is known
    # Outside the request, the id is gone.
    logging.getLogger("satgen.tests").warning("after the request")
    assert "request_id" not in captured.lines()[-1]


# --- the job context ----------------------------------------------------------------------


def test_a_bound_job_and_stage_are_on_every_line_inside_and_gone_after(captured):
    log = logging.getLogger("generation.tests")
    with bind_job(41):
        log.info("claimed")
        with bind_job(stage="generate"):
            log.info("drafting")
        log.info("done")
    log.info("idle")

    lines = [(line["message"], line.get("job_id"), line.get("stage")) for line in captured.lines()]
    assert lines == [
        ("claimed", 41, None),
        ("drafting", 41, "generate"),
        ("done", 41, None),
        ("idle", None, None),
    ]


@pytest.mark.usefixtures("seeded_bank")
def test_jobs_run_at_once_on_one_loop_each_log_their_own_job_id(claude, captured):
    from generation.tasks import run_job  # the worker's task, which binds the job

    claude.add_fault("overloaded", task="extract", count=20, retry_after=0.01)
    jobs = [make_job(), make_job(), make_job()]

    async def run_all() -> None:
        await asyncio.gather(*(run_job(job_id=job.pk) for job in jobs))

    async_to_sync(run_all)()

    failed = [line for line in captured.lines() if " failed in extract" in line["message"]]
    assert len(failed) == 3
    for line in failed:
        # "job <id> failed in extract: ..." is logged by the job's own run.
        assert line["message"].startswith(f"job {line['job_id']} failed")
        assert line["level"] == "WARNING" and line["logger"] == "generation.pipeline.runner"
    retries = [line for line in captured.lines() if "retrying in" in line["message"]]
    assert retries and {line["job_id"] for line in retries} == {job.pk for job in jobs}


# --- nothing secret, no image, no prompt --------------------------------------------------


def _noise_screenshot() -> tuple[bytes, NormalisedImage]:
    """A screenshot whose base64 appears nowhere by chance."""
    rng = random.Random(9)
    image = Image.frombytes("RGB", (300, 200), bytes(rng.randrange(256) for _ in range(180_000)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), normalise_upload(buffer.getvalue())


@pytest.mark.usefixtures("seeded_bank")
def test_a_failing_claude_call_logs_neither_the_api_key_nor_the_image(claude, settings, captured):
    from generation.tasks import run_job

    # As long as a real key, sent to the simulator as if it were the API.
    key = "test-key-not-a-secret-" + "Zq7" * 30
    settings.ANTHROPIC_API_KEY = key
    settings.ANTHROPIC_BASE_URL = claude.url
    settings.CLAUDE_SIMULATED = False
    claude.add_fault("overloaded", task="extract", count=20, retry_after=0.01)
    upload, image = _noise_screenshot()
    job = make_job(upload=("shot.png", upload), image=image)

    async_to_sync(run_job.func)(job_id=job.pk)

    assert Job.objects.get(pk=job.pk).error_kind == "transient"
    sent = claude.requests()[0]["body"]["messages"][0]["content"]
    encoded = next(block["source"]["data"] for block in sent if block["type"] == "image")
    assert encoded == base64.b64encode(image.data).decode()  # what must not be logged
    lines = captured.stream.getvalue()
    assert "extract call failed" in lines and f"job {job.pk} failed in extract" in lines
    for text in (lines, captured.raw_text()):  # neither written nor even logged
        assert key not in text
        assert encoded[:64] not in text and encoded[-64:] not in text
        assert base64.b64encode(upload).decode()[100:164] not in text


def test_the_formatter_scrubs_secrets_and_data_and_keeps_the_exception(settings):
    settings.ANTHROPIC_API_KEY = "test-key-the-secret-value-0123456789"
    blob = base64.b64encode(bytes(range(256)) * 4).decode()
    try:
        raise ValueError(f"bad request with {settings.ANTHROPIC_API_KEY}")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "sent %s", (blob,), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == f"sent [{len(blob)} characters of base64]"
    assert "ValueError: bad request with [redacted]" in line["exception"]
    assert "the-secret-value" not in json.dumps(line)


def test_a_very_long_message_is_cut(captured):
    logging.getLogger("x").warning("%s", "word " * 10_000)
    (line,) = captured.lines()
    assert len(line["message"]) < 8_100 and line["message"].endswith("more characters]")


# --- the settings -------------------------------------------------------------------------


def _log_once(**env: str) -> str:
    script = (
        "import django, logging; django.setup(); "
        "from generation.log_context import bind_job\n"
        "with bind_job(7, stage='retrieve'): logging.getLogger('generation.x').warning('hi')"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "satgen.settings_test", **env}
    environment.pop("LOG_FORMAT", None)
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr.strip().splitlines()[-1]


def test_logs_are_json_without_debug_and_plain_text_with_it():
    line = json.loads(_log_once(DEBUG="0"))
    assert {k: line[k] for k in ("level", "logger", "message", "job_id", "stage")} == {
        "level": "WARNING",
        "logger": "generation.x",
        "message": "hi",
        "job_id": 7,
        "stage": "retrieve",
    }
    plain = _log_once(DEBUG="1")
    assert plain.endswith("WARNING generation.x hi") and not plain.startswith("{")
