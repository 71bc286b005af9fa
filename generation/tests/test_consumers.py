"""The live job socket, through Channels' WebsocketCommunicator and the real ASGI stack."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from generation.events import job_group
from generation.models import GeneratedQuestion, Stage
from generation.tests.builders import make_job, make_user
from satgen.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    csrf = "abc123csrfsecretabc123csrfsecret"
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}"


async def _connect(job, user) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        headers.append((b"cookie", (await sync_to_async(_session_cookie)(user)).encode()))
    communicator = WebsocketCommunicator(application, f"/ws/jobs/{job.public_id}/", headers)
    return communicator


@sync_to_async
def _job_with_a_passed_question():
    owner = make_user("owner")
    job = make_job(count=2, owner=owner, skill="circles", difficulty="hard")
    GeneratedQuestion.objects.create(
        job=job,
        position=1,
        status="passed",
        skill="circles",
        difficulty="hard",
        kind="mcq",
        stem=r"A circle has radius \(r = 3\). What is its area?",
        choices=[r"\(3\pi\)", r"\(6\pi\)", r"\(9\pi\)", r"\(12\pi\)"],
        key="C",
        explanation=r"Choice C is correct. \(\pi r^2 = 9\pi\).",
        rationales={"A": "a", "B": "b", "D": "d"},
        validation={"gates": [{"name": "blind_solve_agrees", "passed": True, "detail": "C"}]},
    )
    return owner, job


async def test_on_connect_the_owner_gets_the_whole_current_state():
    owner, job = await _job_with_a_passed_question()
    communicator = await _connect(job, owner)
    connected, _ = await communicator.connect()
    assert connected
    html = await communicator.receive_from(timeout=5)
    await communicator.disconnect()

    for fragment_id in (
        "job-banner",
        "job-title",
        "job-status",
        "timeline",
        "classification",
        "questions",
    ):
        assert re.search(rf'<\w+ id="{fragment_id}" hx-swap-oob="(true|innerHTML)"', html), (
            fragment_id
        )
    assert "Simulated — no Claude key configured" in html  # no key in tests: the simulator
    assert re.search(r'<h1 id="job-title" hx-swap-oob="true">Circles</h1>', html)
    assert "<math" in html and "<mfrac" not in html and "Question 1" in html
    assert 'data-stage="extract"' in html and "Skipped" in html
    assert 'name="csrfmiddlewaretoken" value="abc123csrfsecretabc123csrfsecret"' in html


async def test_another_tutor_is_refused_with_a_policy_close():
    _, job = await _job_with_a_passed_question()
    stranger = await sync_to_async(make_user)("stranger")
    communicator = await _connect(job, stranger)
    connected, _ = await communicator.connect()
    assert connected  # accepted, then closed with the policy code so htmx won't retry
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4403}


async def test_an_anonymous_socket_is_refused():
    _, job = await _job_with_a_passed_question()
    communicator = await _connect(job, None)
    await communicator.connect()
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_foreign_origin_is_refused_before_anything_runs():
    owner, job = await _job_with_a_passed_question()
    cookie = (await sync_to_async(_session_cookie)(owner)).encode()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job.public_id}/",
        [(b"origin", b"http://evil.example"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_events_push_the_changed_state_throttled_into_one_update():
    owner, job = await _job_with_a_passed_question()
    communicator = await _connect(job, owner)
    await communicator.connect()
    await communicator.receive_from(timeout=5)  # the state on connect

    await sync_to_async(Stage.objects.filter(job=job, name="retrieve").update)(status="running")
    layer = get_channel_layer()
    for _ in range(5):
        await layer.group_send(job_group(job.public_id), {"type": "job.changed", "kind": "stage"})
    html = await communicator.receive_from(timeout=5)
    assert "Retrieve in progress" in html
    assert await communicator.receive_nothing(timeout=0.6)  # five events, one update
    await communicator.disconnect()


async def test_an_update_sends_only_the_parts_that_changed():
    owner, job = await _job_with_a_passed_question()
    communicator = await _connect(job, owner)
    await communicator.connect()
    first = await communicator.receive_from(timeout=5)
    assert 'id="questions"' in first

    layer = get_channel_layer()
    await layer.group_send(job_group(job.public_id), {"type": "job.changed", "kind": "job"})
    assert await communicator.receive_nothing(timeout=0.6)  # nothing changed: nothing sent

    await sync_to_async(GeneratedQuestion.objects.create)(job=job, position=2, status="drafting")
    await layer.group_send(job_group(job.public_id), {"type": "job.changed", "kind": "question"})
    html = await communicator.receive_from(timeout=5)
    assert 'id="questions"' in html  # a new question: the list is sent again

    await sync_to_async(GeneratedQuestion.objects.filter(job=job, position=2).update)(
        status="checking"
    )
    await layer.group_send(job_group(job.public_id), {"type": "job.changed", "kind": "question"})
    html = await communicator.receive_from(timeout=5)
    # Only question 2's card: question 1's (an answer the tutor may have open) is left alone.
    assert 'id="questions"' not in html and 'id="question-1"' not in html
    assert re.search(r'<article [^>]*id="question-2" hx-swap-oob="true">', html)
    assert "Checking" in html
    await communicator.disconnect()


@sync_to_async
def _page_token(job) -> str:
    """The token the job page as served carries (generation.views.job_detail)."""
    from django.test import Client

    client = Client()
    client.force_login(job.owner)
    page = client.get(f"/jobs/{job.public_id}/").content.decode()
    match = re.search(r'<div id="job-seen" hidden data-seen="([^"]+)"></div>', page)
    assert match, "the page carries no token"
    return match.group(1)


async def _connect_seen(job, user, token: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    headers.append((b"cookie", (await sync_to_async(_session_cookie)(user)).encode()))
    return WebsocketCommunicator(application, f"/ws/jobs/{job.public_id}/?seen={token}", headers)


async def test_a_page_that_shows_the_current_state_gets_nothing_on_connect():
    owner, job = await _job_with_a_passed_question()
    communicator = await _connect_seen(job, owner, await _page_token(job))
    assert (await communicator.connect())[0]
    assert await communicator.receive_nothing(timeout=0.6)  # the cards the tutor uses stay

    await sync_to_async(GeneratedQuestion.objects.create)(job=job, position=2, status="drafting")
    layer = get_channel_layer()
    await layer.group_send(job_group(job.public_id), {"type": "job.changed", "kind": "question"})
    html = await communicator.receive_from(timeout=5)
    assert 'id="questions"' in html and 'id="job-seen"' in html
    token = re.search(r'data-seen="([^"]+)"', html)
    await communicator.disconnect()

    # Reconnecting with the token the last message carried: again nothing to send.
    assert token
    again = await _connect_seen(job, owner, token.group(1))
    await again.connect()
    assert await again.receive_nothing(timeout=0.6)
    await again.disconnect()


async def test_a_stale_page_gets_only_what_changed_and_a_bad_token_gets_everything():
    owner, job = await _job_with_a_passed_question()
    token = await _page_token(job)
    await sync_to_async(Stage.objects.filter(job=job, name="retrieve").update)(status="running")
    stale = await _connect_seen(job, owner, token)
    await stale.connect()
    html = await stale.receive_from(timeout=5)
    assert "Retrieve in progress" in html and 'id="question-1"' not in html
    await stale.disconnect()

    _, other_job = await _job_with_a_passed_question()
    for bad in ("not-a-token", await _page_token(other_job)):
        forged = await _connect_seen(job, owner, bad)
        await forged.connect()
        assert 'id="questions"' in await forged.receive_from(timeout=5)
        await forged.disconnect()
