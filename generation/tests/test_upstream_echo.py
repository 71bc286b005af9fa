"""An upstream that echoes what it was sent: nothing secret, nor its wording, reaches a tutor.

A proxy in front of the API (or the API itself) may answer a 4xx whose message repeats the
request's headers, the API key among them. The job fails with our own words; what the
upstream said is kept for operators (the job's detail, the ledger, the logs, the admin), with
every credential blanked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from generation.fragments import render_fragments
from generation.models import Job, ModelCall
from generation.pipeline.runner import run_job
from generation.selectors import job_page_context
from generation.tests.builders import make_job, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_KEY = "sk-ant-api03-" + "Zq7" * 20
UPSTREAM_WORDS = "echo-proxy refused"


class EchoingUpstream(BaseHTTPRequestHandler):
    """Answers every request 400, with the request's headers in the error message."""

    def do_POST(self) -> None:  # noqa: N802 (the http.server interface)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": f"{UPSTREAM_WORDS}; you sent {json.dumps(dict(self.headers))}",
            },
        }
        payload = json.dumps(body).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def upstream(settings) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CLAUDE_SIMULATED = False
    settings.ANTHROPIC_API_KEY = SECRET_KEY
    settings.ANTHROPIC_BASE_URL = url
    yield url
    server.shutdown()


def test_an_echoed_api_key_reaches_no_page_api_socket_or_log(upstream, caplog, admin_client):
    tutor = make_user("tutor")
    job = make_job(owner=tutor, text="If 2x + 3 = 11, what is the value of x?")
    async_to_sync(run_job)(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "failed" and job.error_kind == "misconfigured"

    client = Client()
    client.force_login(tutor)
    page = client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    _, token = api_token_create(user=tutor, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    state = api.get(f"/api/v1/jobs/{job.public_id}").content.decode()
    socket = "".join(render_fragments(job_page_context(job)).values())
    for shown in (job.error, page, state, socket):
        assert SECRET_KEY not in shown
        assert UPSTREAM_WORDS not in shown  # the tutor reads our words, not the proxy's
    assert "problem on our side" in job.error

    # For operators: what the upstream said, credential blanked, where they look.
    kept = [job.error_detail, *ModelCall.objects.values_list("error", flat=True), caplog.text]
    assert all(UPSTREAM_WORDS in text for text in kept), kept
    assert all(SECRET_KEY not in text for text in kept)
    assert "[redacted]" in job.error_detail  # the echoed credential header, blanked
    admin_page = admin_client.get(
        reverse("admin:generation_job_change", args=[job.pk])
    ).content.decode()
    assert UPSTREAM_WORDS in admin_page and SECRET_KEY not in admin_page
