"""Progress crosses processes: a worker process publishes, this process's socket receives.

Uses a real Redis (REDIS_TEST_URL, default the local one, database 15), and a Redis server of
the test's own where it is stopped and started again.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connection

from generation import consumers, events
from generation.events import job_group
from generation.models import Job, Stage
from generation.services import JobOptions, job_create
from generation.tests.builders import make_user
from generation.tests.test_consumers import _session_cookie
from satgen.asgi import application

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_bank"),
]


async def _job_socket(job, cookie: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job.public_id}/",
        [(b"origin", b"http://localhost"), (b"cookie", cookie.encode())],
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def redis_layer(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
    return REDIS_URL


class PrivateRedis:
    """A redis-server of the test's own, to stop and start again on the same port."""

    def __init__(self, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(settings, tmp_path, monkeypatch):
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on this machine")
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": server.url, "socket_timeout": 30}]},
        }
    }
    # Quick turns for the test: a socket polls twice a second, a process pauses events 1 s.
    monkeypatch.setattr(consumers, "POLL_SECONDS", 0.5)
    monkeypatch.setattr(events, "LAYER_PAUSE", 1.0)
    monkeypatch.setattr(events, "_paused_until", 0.0)
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


def _start_worker(simulator, redis_url: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--concurrency=4"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "satgen.settings_test",
            "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
            "CLAUDE_SIMULATOR_URL": simulator.url,
            "REDIS_URL": redis_url,
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def worker(redis_layer, simulator, tmp_path):
    process = _start_worker(simulator, redis_layer, tmp_path / "worker.log")
    yield process
    process.terminate()
    process.wait(timeout=30)


@sync_to_async
def _queued_job_and_its_owners_cookie():
    owner = make_user("owner")
    job = job_create(
        owner=owner, options=JobOptions(), simulated=True, skill="circles", difficulty="easy"
    )
    return owner, job, _session_cookie(owner)


async def test_a_job_run_by_a_worker_process_streams_to_the_socket(worker, simulator):
    simulator.set_latency({"generate": 1.0})

    @sync_to_async
    def start():
        owner = make_user("owner")
        job = job_create(
            owner=owner,
            options=JobOptions(count=2),
            simulated=True,
            skill="circles",
            difficulty="medium",
        )
        return owner, job, _session_cookie(owner)

    owner, job, cookie = await start()
    communicator = await _job_socket(job, cookie)
    updates = [await communicator.receive_from(timeout=10)]  # the state on connect
    while 'badge-succeeded">Succeeded</span>' not in updates[-1]:
        updates.append(await communicator.receive_from(timeout=60))
    await communicator.disconnect()

    assert len(updates) >= 3  # connect, then updates pushed by the other process
    assert any(re.search(r"stage-running.*\n.*Generate", html) for html in updates)
    assert updates[-1].count("badge-passed") == 2


async def test_a_tutor_deactivated_in_another_process_loses_the_socket_here(redis_layer):
    # Staff deactivate a tutor through one web pod; the tutor's socket is held by another.
    owner, job, cookie = await _queued_job_and_its_owners_cookie()
    communicator = await _job_socket(job, cookie)
    await communicator.receive_from(timeout=10)  # the state on connect

    deactivate = (
        "import django; django.setup(); from django.contrib.auth import get_user_model; "
        f"user = get_user_model().objects.get(pk={owner.pk}); user.is_active = False; user.save()"
    )
    done = subprocess.run(
        [sys.executable, "-c", deactivate],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "satgen.settings_test",
            "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
            "REDIS_URL": redis_layer,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr

    # Nothing is sent on the socket meanwhile: only the message through Redis can close it.
    message = await communicator.receive_output(timeout=10)
    assert message == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


async def test_with_redis_down_jobs_go_on_and_pages_poll_until_it_is_back(
    private_redis, simulator, tmp_path, monkeypatch
):
    owner, job, cookie = await _queued_job_and_its_owners_cookie()
    open_before = await _job_socket(job, cookie)
    await open_before.receive_from(timeout=10)  # the state on connect
    private_redis.stop()

    # A worker whose Redis is down runs the job as fast as ever: events are given up.
    started = time.monotonic()
    worker = _start_worker(simulator, private_redis.url, tmp_path / "worker.log")
    try:
        while (await sync_to_async(Job.objects.get)(pk=job.pk)).status != Job.Status.SUCCEEDED:
            assert time.monotonic() - started < 90, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.2)
    finally:
        worker.terminate()
        await sync_to_async(worker.wait)(timeout=30)
    assert "could not send" in (tmp_path / "worker.log").read_text()

    # The open page catches up by polling; a page opened now gets the state on connect.
    updates = [await open_before.receive_from(timeout=10)]
    while 'badge-succeeded">Succeeded</span>' not in updates[-1]:
        updates.append(await open_before.receive_from(timeout=10))
    opened_now = await _job_socket(job, cookie)
    assert 'badge-succeeded">Succeeded</span>' in await opened_now.receive_from(timeout=10)

    # Redis is back: within a poll both sockets join their groups again, and events reach
    # them at once (polling now is too slow to pass for one).
    private_redis.start()
    monkeypatch.setattr(consumers, "POLL_SECONDS", 60.0)  # the next poll ends their polling
    await asyncio.sleep(1.5)
    await sync_to_async(Stage.objects.filter(job=job, name="retrieve").update)(status="running")
    await get_channel_layer().group_send(
        job_group(job.public_id), {"type": "job.changed", "kind": "stage"}
    )
    for communicator in (open_before, opened_now):
        html = await communicator.receive_from(timeout=5)
        while "Retrieve in progress" not in html:
            html = await communicator.receive_from(timeout=5)
        await communicator.disconnect()
