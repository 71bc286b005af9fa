"""Prometheus metrics: the web /metrics, the worker's counters, the WebSocket gauge."""

from __future__ import annotations

import socket
import urllib.request
from collections import Counter
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from generation.models import STAGE_NAMES, Job, ModelCall
from generation.pipeline.runner import run_job
from generation.tests.builders import make_job, make_user
from generation.tests.conftest import seed_rows, seeded_bank  # noqa: F401 (fixtures)
from generation.tests.test_consumers import _session_cookie
from satgen.metrics import serve_worker_metrics

run = async_to_sync(run_job)

OUR_METRICS = (
    "satgen_jobs",
    "satgen_queue_jobs",
    "satgen_workers_alive",
    "satgen_websockets_open",
    "satgen_stage_duration_seconds",
    "satgen_claude_calls",
    "satgen_claude_tokens",
    "satgen_claude_cost_usd",
    "satgen_claude_retries",
    "satgen_jobs_finished",
)


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _scrape(client, **headers) -> dict[str, dict[tuple, float]]:
    """GET /metrics; return each sample's value by name and labels."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[key] = sample.value
    return samples


@pytest.fixture
def claude(request):
    """The Claude simulator, reset and in use (generation's `simulator` fixture)."""
    return request.getfixturevalue("simulator")


# --- the web /metrics ---------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_served_in_prometheus_text_without_a_login(client):
    make_job()  # queued
    client.get("/accounts/login/")  # one request for django-prometheus to count

    response = client.get("/metrics")
    assert response.status_code == 200  # not a redirect to the login page
    families = {f.name for f in text_string_to_metric_families(response.content.decode())}
    assert set(OUR_METRICS) <= families
    assert "django_http_responses_total_by_status_view_method" in families

    samples = _scrape(client)
    jobs = {dict(labels)["status"]: value for labels, value in samples["satgen_jobs"].items()}
    # Every status is there, at 0 when empty, so an alert on it can fire.
    assert jobs == {status: 0 for status in Job.Status.values} | {"queued": 1}


@pytest.mark.django_db
def test_the_queue_depth_is_read_from_procrastinate_by_queue_and_status(client):
    from generation.tasks import run_job as run_job_task

    before = _scrape(client)["satgen_queue_jobs"]
    assert before[(("queue", "jobs"), ("status", "todo"))] == 0  # known queues are listed empty
    assert (("queue", "embeddings"), ("status", "doing")) in before
    for job_id in (1, 2):
        run_job_task.defer(job_id=job_id)

    after = _scrape(client)["satgen_queue_jobs"]
    assert after[(("queue", "jobs"), ("status", "todo"))] == 2


@pytest.mark.django_db
def test_live_workers_are_those_with_a_recent_heartbeat(client):
    assert _scrape(client)["satgen_workers_alive"][()] == 0
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour')"
        )
    assert _scrape(client)["satgen_workers_alive"][()] == 1


@pytest.mark.django_db
def test_with_a_token_set_metrics_want_it_as_a_bearer(client, settings):
    settings.METRICS_TOKEN = "metrics-token-for-the-test"

    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert b"satgen_" not in refused.content
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert "satgen_jobs" in _scrape(client, Authorization="Bearer metrics-token-for-the-test")


@pytest.mark.django_db
def test_metrics_are_answered_whatever_the_host_a_scraper_sends(client):
    # Prometheus addresses a pod by its IP, which ALLOWED_HOSTS does not hold.
    response = client.get("/metrics", headers={"Host": "10.1.2.3:8000"})
    assert response.status_code == 200


# --- what the worker observes -------------------------------------------------------------


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _claude_counters() -> Samples:
    """Return our Claude counters' current values, by metric and labels."""
    values: Samples = {}
    for family in REGISTRY.collect():
        if family.name.startswith("satgen_claude_"):
            for sample in family.samples:
                values[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return values


def _delta(before: dict, after: dict) -> dict:
    return {
        key: after[key] - before.get(key, 0.0)
        for key in after
        if after[key] - before.get(key, 0.0) != 0
    }


def _stage_count(stage: str, outcome: str) -> float:
    return _value("satgen_stage_duration_seconds_count", stage=stage, outcome=outcome)


@pytest.mark.usefixtures("seeded_bank")
def test_a_whole_job_adds_to_the_claude_counters_exactly_what_its_ledger_holds(claude):
    counters = _claude_counters()
    stages = {name: _stage_count(name, "succeeded") for name in STAGE_NAMES}
    finished = _value("satgen_jobs_finished_total", status="succeeded", error_kind="")

    job = make_job(count=2)
    run(job.pk)

    assert Job.objects.get(pk=job.pk).status == "succeeded"
    calls = ModelCall.objects.filter(job=job)
    expected: Counter = Counter()
    for row in calls.values("model", "stage", "outcome"):
        labels = tuple(sorted(row.items()))
        expected["satgen_claude_calls_total", labels] += 1
    tokens = {
        "input": "input_tokens",
        "output": "output_tokens",
        "cache_read": "cache_read_tokens",
        "cache_write": "cache_creation_tokens",
    }
    for call in calls.values("model", "stage", "cost_usd", *tokens.values()):
        where = {"model": call["model"], "stage": call["stage"]}
        for kind, field in tokens.items():
            labels = tuple(sorted({**where, "kind": kind}.items()))
            expected["satgen_claude_tokens_total", labels] += call[field]
        expected["satgen_claude_cost_usd_total", tuple(sorted(where.items()))] += call["cost_usd"]
    expected = Counter({key: value for key, value in expected.items() if value})

    delta = _delta(counters, _claude_counters())
    assert delta.keys() == expected.keys()
    for key, value in expected.items():
        if key[0] == "satgen_claude_cost_usd_total":
            assert Decimal(str(delta[key])).quantize(Decimal("0.000001")) == value, key
        else:
            assert delta[key] == value, key
    assert sum(v for (name, _), v in delta.items() if name == "satgen_claude_calls_total") == (
        calls.count()
    )

    for name in STAGE_NAMES:  # a pasted question runs every stage, each observed once
        assert _stage_count(name, "succeeded") == stages[name] + 1, name
    assert _value("satgen_jobs_finished_total", status="succeeded", error_kind="") == finished + 1


@pytest.mark.usefixtures("seeded_bank")
def test_a_failing_job_counts_its_retries_its_failed_stage_and_its_error_kind(claude, settings):
    settings.CLAUDE_MAX_RETRIES = 2
    claude.add_fault("overloaded", task="extract", count=20, retry_after=0.01)
    retries = _value("satgen_claude_retries_total", kind="overloaded")
    failed = _value("satgen_jobs_finished_total", status="failed", error_kind="transient")
    extract_failed = _stage_count("extract", "failed")

    job = make_job()
    run(job.pk)

    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.error_kind) == ("failed", "transient")
    attempts = ModelCall.objects.filter(job=job, outcome="overloaded").count()
    assert attempts == 3
    assert _value("satgen_claude_retries_total", kind="overloaded") == retries + attempts - 1
    assert _value("satgen_jobs_finished_total", status="failed", error_kind="transient") == (
        failed + 1
    )
    assert _stage_count("extract", "failed") == extract_failed + 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_worker_serves_its_counters_on_its_own_port(settings):
    settings.WORKER_METRICS_PORT = _free_port()
    server = serve_worker_metrics()
    assert server is not None
    try:
        url = f"http://127.0.0.1:{settings.WORKER_METRICS_PORT}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
        names = {family.name for family in text_string_to_metric_families(text)}
        assert {"satgen_claude_calls", "satgen_stage_duration_seconds"} <= names
        assert "satgen_jobs" not in names  # the database's gauges are the web's to serve

        # A second worker on the same machine runs on without a metrics port.
        assert serve_worker_metrics() is None
    finally:
        server.shutdown()
        server.server_close()


def test_a_worker_metrics_port_of_0_serves_nothing(settings):
    settings.WORKER_METRICS_PORT = 0
    assert serve_worker_metrics() is None


# --- the WebSocket gauge --------------------------------------------------------------------


async def _socket(job, user) -> WebsocketCommunicator:
    """A socket to the job's page, through the whole ASGI stack, as `user`."""
    from satgen.asgi import application

    cookie = (await sync_to_async(_session_cookie)(user)).encode()
    headers = [(b"origin", b"http://localhost"), (b"cookie", cookie)]
    return WebsocketCommunicator(application, f"/ws/jobs/{job.public_id}/", headers)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_open_websockets_rise_on_connect_and_fall_on_disconnect():
    owner = await sync_to_async(make_user)("owner")
    job = await sync_to_async(make_job)(owner=owner, skill="circles", difficulty="hard")
    before = _value("satgen_websockets_open")

    first, second = await _socket(job, owner), await _socket(job, owner)
    assert (await first.connect())[0] and (await second.connect())[0]
    await first.receive_from(timeout=5)
    await second.receive_from(timeout=5)
    assert _value("satgen_websockets_open") == before + 2
    await first.disconnect()
    assert _value("satgen_websockets_open") == before + 1
    await second.disconnect()
    assert _value("satgen_websockets_open") == before


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_refused_socket_leaves_the_gauge_where_it_was():
    job = await sync_to_async(make_job)(skill="circles", difficulty="hard")
    before = _value("satgen_websockets_open")
    stranger = await sync_to_async(make_user)("stranger")

    communicator = await _socket(job, stranger)
    await communicator.connect()
    assert (await communicator.receive_output(timeout=5))["code"] == 4403
    await communicator.disconnect()
    assert _value("satgen_websockets_open") == before
