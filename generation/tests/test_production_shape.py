"""The production shape on one machine: what an operator's first rollout meets.

Two Daphne processes and two Procrastinate workers, each its own process on the production
settings (DEBUG off, a public host name only, a connection pool, a real Redis channel layer,
its own media folder), the embedded PostgreSQL, the Claude simulator. Probes are sent with a
pod IP as Host. Screenshot jobs are started through one web process while their sockets are
held by the other; a worker is SIGKILLed in the middle of generate. Every job succeeds, every
socket sees it, and no finished stage is run (or billed) twice.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from PIL import Image, ImageDraw
from websockets.asyncio.client import connect

from accounts.services import api_token_create
from generation.models import Job, ModelCall, Stage
from generation.tests.builders import make_user
from generation.tests.conftest import task_log
from generation.tests.test_consumers import _session_cookie

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
HOST = "satgen.test"  # the public name: the only one ALLOWED_HOSTS holds
POD_IP = "10.244.1.23:8000"
JOBS = 3

pytestmark = pytest.mark.usefixtures("seeded_bank")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The web and worker processes of one test, each with its own media folder and log."""

    def __init__(self, tmp_path: Path, simulator_url: str) -> None:
        self.tmp_path = tmp_path
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}},
            "DJANGO_SETTINGS_MODULE": "satgen.settings",
            "DEBUG": "0",
            # The key this process signs its test sessions with (the socket logs in with one).
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "EMBEDDED_DB_NAME": connection.settings_dict["NAME"],
            "DB_POOL_MAX_SIZE": "4",
            "REDIS_URL": REDIS_URL,
            "CLAUDE_USE_SIMULATOR": "1",
            "CLAUDE_SIMULATOR_URL": simulator_url,
            # Faster failure detection than the defaults, with room for five processes on two
            # cores: a busy worker must not be taken for a dead one.
            "WORKER_HEARTBEAT_SECONDS": "1",
            "WORKER_STALLED_AFTER": "10",
            "JOB_RECOVERY_CRON": "* * * * * *",
            "WORKER_METRICS_PORT": "0",  # two workers on one machine would share the port
            "LOG_LEVEL": "WARNING",
        }
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        media = self.tmp_path / f"media-{name}"
        media.mkdir()
        log = (self.tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, "MEDIA_ROOT": str(media)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running[name] = process
        return process

    def web(self, name: str) -> str:
        port = _free_port()
        self.start(
            name,
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--proxy-headers"]
            + ["satgen.asgi:application"],
        )
        return f"127.0.0.1:{port}"

    def worker(self, name: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "worker", "--concurrency=4"]
        self.env["WORKER_HEARTBEAT_FILE"] = str(self.heartbeat(name))
        return self.start(name, command)

    def heartbeat(self, name: str) -> Path:
        """Return the file a worker touches while it lives (its pod's liveness probe)."""
        return self.tmp_path / f"{name}-alive"

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}" for path in self.tmp_path.glob("*.log")
        )

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _request(address: str, path: str, *, host: str = HOST, **options) -> tuple[int, dict]:
    """Send an HTTP request as the ingress would forward it (TLS ended, proto forwarded)."""
    headers = {"Host": host, "X-Forwarded-Proto": "https", **options.pop("headers", {})}
    request = urllib.request.Request(f"http://{address}{path}", headers=headers, **options)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body or b"{}")
    except ValueError:
        return status, {"text": body.decode(errors="replace")}


def _wait_until_ready(address: str, processes: Processes) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, body = _request(address, "/readyz", host=POD_IP)
        except (OSError, ValueError):
            time.sleep(0.3)
            continue
        if status == 200:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{address} never became ready\n{processes.logs()}")


def _wait(predicate, *, what: str, processes: Processes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"no {what}\n{processes.logs()}"
        time.sleep(0.2)


def _screenshot(number: int) -> bytes:
    image = Image.new("RGB", (900, 500), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 40), f"Question {number}: if 3x + {number} = 19, what is x?", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    field, filename, data = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def _watch(address: str, job_id: str, cookie: str) -> list[str]:
    """Hold the job's socket until the job is shown finished; return every message received."""
    received: list[str] = []
    headers = {"Origin": f"https://{HOST}", "Cookie": cookie}
    ip, port = address.split(":")
    # The URI names the public host (the Host header); host and port say where to connect.
    uri = f"ws://{HOST}/ws/jobs/{job_id}/"
    async with connect(uri, additional_headers=headers, host=ip, port=int(port)) as ws:
        while not any("badge-succeeded" in m or "badge-failed" in m for m in received[-1:]):
            received.append(await asyncio.wait_for(ws.recv(decode=True), timeout=120))
    return received


def test_screenshot_jobs_survive_a_dead_worker_across_processes(simulator, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    user = make_user("tutor")
    _, token = api_token_create(user=user, name="production shape")
    cookie = _session_cookie(user)
    simulator.set_latency({"generate": 3.0})
    processes = Processes(tmp_path, simulator.url)
    try:
        web_a, web_b = processes.web("web-a"), processes.web("web-b")
        doomed = processes.worker("worker-1")
        processes.worker("worker-2")
        for address in (web_a, web_b):
            ready = _wait_until_ready(address, processes)  # probed with a pod IP as Host
            assert ready == {"status": "ok", "database": "ok", "migrations": "ok", "redis": "ok"}
        assert _request(web_a, "/accounts/login/", host=POD_IP)[0] == 400  # only probes
        for name in ("worker-1", "worker-2"):  # each worker's liveness file, once warm
            heartbeat = processes.heartbeat(name)
            _wait(heartbeat.exists, what=f"{name}'s heartbeat file", processes=processes)
            assert time.time() - heartbeat.stat().st_mtime < 5

        job_ids = []
        for number in range(1, JOBS + 1):
            body, content_type = _multipart(
                {"count": "2"}, ("image", f"question-{number}.png", _screenshot(number))
            )
            status, created = _request(
                web_a,
                "/api/v1/jobs/",
                method="POST",
                data=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
            )
            assert status == 202, created
            job_ids.append(created["id"])

        async def watch_all() -> list[list[str]]:
            watchers = [asyncio.create_task(_watch(web_b, job, cookie)) for job in job_ids]
            # Kill a worker while a job is in the middle of generate.
            deadline = time.monotonic() + 90
            while not await asyncio.to_thread(
                Stage.objects.filter(name="generate", status="running").exists
            ):
                assert time.monotonic() < deadline, processes.logs()
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)  # its Claude calls are in flight
            doomed.send_signal(signal.SIGKILL)
            return await asyncio.gather(*watchers)

        messages = asyncio.run(watch_all())

        for job_id, received in zip(job_ids, messages, strict=True):
            job = Job.objects.get(public_id=job_id)
            assert job.status == "succeeded", (job.error_detail, processes.logs())
            assert "badge-succeeded" in received[-1]  # seen live, on the other web process
            assert job.source_image.width == 900  # read by a worker from the shared database
            # No finished stage ran twice: one extract call per job, one extract attempt.
            assert ModelCall.objects.filter(job=job, stage="extract").count() == 1
            assert job.stages.get(name="extract").attempts == 1
            assert job.questions.filter(status="passed").count() == 2
        assert len(task_log(simulator, "extract")) == JOBS
        assert doomed.poll() == -signal.SIGKILL
        assert Job.objects.filter(runs__gt=1).exists()  # a job was taken over
        # Nothing was written to any pod's disk: uploads live in the database.
        assert not [p for p in tmp_path.glob("media-*/**/*") if p.is_file()]
    finally:
        processes.stop()
