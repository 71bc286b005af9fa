"""Progress crosses processes: a worker process publishes, this process's socket receives.

Uses a real Redis (REDIS_TEST_URL, default the local one, database 15).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection

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


@pytest.fixture
def worker(redis_layer, simulator, tmp_path):
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker", "--concurrency=4"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "satgen.settings_test",
            "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
            "CLAUDE_SIMULATOR_URL": simulator.url,
            "REDIS_URL": redis_layer,
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


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
    @sync_to_async
    def start():
        owner = make_user("owner")
        job = job_create(
            owner=owner, options=JobOptions(), simulated=True, skill="circles", difficulty="easy"
        )
        return owner, job, _session_cookie(owner)

    owner, job, cookie = await start()
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
