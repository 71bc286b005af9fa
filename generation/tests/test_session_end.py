"""Sessions end everywhere: logout, a password change or deactivation close the job sockets."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client

from generation.events import job_group
from generation.tests.builders import make_job, make_user
from satgen.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long tutor passphrase"
CLOSED_FOR_GOOD = 4403  # htmx does not reconnect on it


def _session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    assert session.session_key
    return session.session_key


@sync_to_async
def _tutor_with_a_job():
    owner = make_user("owner")
    owner.set_password(PASSWORD)
    owner.save()
    return owner, make_job(owner=owner)


async def _open_socket(job, session_key: str) -> WebsocketCommunicator:
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job.public_id}/",
        [(b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_from(timeout=5)  # the state on connect
    return communicator


def _browser(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


async def _closed_code(communicator: WebsocketCommunicator) -> int | None:
    message = await communicator.receive_output(timeout=3)
    return message.get("code") if message["type"] == "websocket.close" else None


async def test_logging_out_closes_the_sockets_of_that_session():
    owner, job = await _tutor_with_a_job()
    session_key = await sync_to_async(_session_for)(owner)
    socket = await _open_socket(job, session_key)

    response = await sync_to_async(_browser(session_key).post)("/accounts/logout/")

    assert response.status_code == 302
    assert await _closed_code(socket) == CLOSED_FOR_GOOD
    await socket.disconnect()


async def test_logging_out_leaves_the_users_other_sessions_open():
    owner, job = await _tutor_with_a_job()
    laptop, phone = [await sync_to_async(_session_for)(owner) for _ in range(2)]
    on_the_phone = await _open_socket(job, phone)

    await sync_to_async(_browser(laptop).post)("/accounts/logout/")

    assert await on_the_phone.receive_nothing(timeout=1)
    await on_the_phone.disconnect()


async def test_changing_the_password_closes_the_users_sockets():
    owner, job = await _tutor_with_a_job()
    here, elsewhere = [await sync_to_async(_session_for)(owner) for _ in range(2)]
    sockets = [await _open_socket(job, key) for key in (here, elsewhere)]

    response = await sync_to_async(_browser(here).post)(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 2",
            "new_password2": "another long passphrase 2",
        },
    )

    assert response.status_code == 302
    for socket in sockets:
        assert await _closed_code(socket) == CLOSED_FOR_GOOD
        await socket.disconnect()


async def test_deactivating_a_tutor_in_the_admin_closes_their_sockets(django_user_model):
    owner, job = await _tutor_with_a_job()
    socket = await _open_socket(job, await sync_to_async(_session_for)(owner))

    @sync_to_async
    def deactivate_in_the_admin() -> int:
        staff = django_user_model.objects.create_superuser("staff", password="pw")
        admin = Client()
        admin.force_login(staff)
        form = admin.get(f"/admin/auth/user/{owner.pk}/change/").context["adminform"].form
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data.update(is_active="", date_joined_0="2026-01-01", date_joined_1="00:00:00")
        data.pop("last_login", None)
        return admin.post(f"/admin/auth/user/{owner.pk}/change/", data).status_code

    assert await deactivate_in_the_admin() == 302
    assert await _closed_code(socket) == CLOSED_FOR_GOOD
    await socket.disconnect()


async def test_a_socket_rechecks_its_session_before_it_sends():
    owner, job = await _tutor_with_a_job()
    session_key = await sync_to_async(_session_for)(owner)
    socket = await _open_socket(job, session_key)
    # Gone without any signal (expired, cleared by an operator): the next send finds out.
    await sync_to_async(Session.objects.filter(session_key=session_key).delete)()

    await get_channel_layer().group_send(job_group(job.public_id), {"type": "job.changed"})

    assert await _closed_code(socket) == CLOSED_FOR_GOOD
    await socket.disconnect()


async def test_a_socket_stops_when_the_job_changes_hands():
    owner, job = await _tutor_with_a_job()
    socket = await _open_socket(job, await sync_to_async(_session_for)(owner))
    other = await sync_to_async(make_user)("other")
    await sync_to_async(type(job).objects.filter(pk=job.pk).update)(owner=other)

    await get_channel_layer().group_send(job_group(job.public_id), {"type": "job.changed"})

    assert await _closed_code(socket) == CLOSED_FOR_GOOD
    await socket.disconnect()
