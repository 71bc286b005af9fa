"""The live job page: a WebSocket that brings the page up to date, then keeps it current."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from importlib import import_module
from typing import Any

from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.http import QueryDict
from django.utils.crypto import constant_time_compare

from generation import metrics
from generation.events import LAYER_TIMEOUT, job_group, user_group
from generation.fragments import (
    changed_html,
    render_fragments,
    seen_element,
    seen_from_token,
    seen_token,
)
from generation.models import Job
from generation.selectors import job_page_context

logger = logging.getLogger(__name__)

# Coalesce bursts of events (a job emits dozens in a second) into one update.
THROTTLE_SECONDS = 0.25
# Close code for "you may not see this job": htmx does not reconnect on it.
POLICY_VIOLATION = 4403
# While the channel layer is down a socket brings its page up to date this often instead.
POLL_SECONDS = 5.0


def job_fragments(job_id: int, csrf_token: str = "") -> dict[str, str]:
    job = Job.objects.select_related("owner").get(pk=job_id)
    return render_fragments({**job_page_context(job), "csrf_token": csrf_token})


def _owned_job_id(user, public_id) -> int | None:
    if not user.is_authenticated:
        return None
    return Job.objects.filter(public_id=public_id, owner=user).values_list("pk", flat=True).first()


def access_holds(*, session_key: str | None, user_id: int, job_id: int) -> bool:
    """Whether the socket's session still signs in its user, still active, who owns the job.

    What django.contrib.auth.get_user checks on every request, read afresh from the session
    store: logout deletes the session, a password change rotates its key and hash.
    """
    if not session_key:
        return False
    engine = import_module(settings.SESSION_ENGINE)
    data = engine.SessionStore(session_key).load()
    if str(data.get(SESSION_KEY, "")) != str(user_id):
        return False
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    ):
        return False
    return Job.objects.filter(pk=job_id, owner_id=user_id).exists()


class JobConsumer(AsyncWebsocketConsumer):
    """On every connect send what differs from what the page shows (htmx never replays missed
    messages; the page says what it shows with `?seen=<token>`), then updates."""

    job_id: int | None = None
    _pending: asyncio.Task | None = None
    _counted = False  # whether this socket is in satgen_websockets_open
    _ended = False  # closed because the session ended: send nothing more

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: dict[str, str] = {}  # what this socket's page shows now (fragments.digests)
        self._layer_receive: Callable[[], Awaitable[dict[str, Any]]] | None = None

    # Channels sets `channel_receive` to the layer's receive and dispatches what it returns;
    # wrapped, a layer that goes down (Redis) turns this socket to polling, not to a crash.
    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict[str, Any]]]:
        return self._receive_or_poll

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._layer_receive = receive

    async def connect(self) -> None:
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        self.job_id = await database_sync_to_async(_owned_job_id)(self.scope["user"], public_id)
        await self.accept()
        metrics.WEBSOCKETS_OPEN.inc()
        self._counted = True
        if self.job_id is None:
            await self.close(code=POLICY_VIOLATION)
            return
        self.group = job_group(public_id)
        self.user_group = user_group(self.scope["user"].pk)
        if not await self._join():
            logger.warning("channel layer down: job %s's socket polls", self.job_id)
        query = QueryDict(self.scope.get("query_string", b"").decode("latin-1"))
        self.shown = seen_from_token(self.job_id, query.get("seen", ""))
        await self.send_state()

    async def disconnect(self, code: int) -> None:
        if self._counted:
            metrics.WEBSOCKETS_OPEN.dec()
            self._counted = False
        if self._pending is not None:
            self._pending.cancel()
        if self.job_id is not None:
            with suppress(Exception):  # a layer that is down forgets the socket anyway
                async with asyncio.timeout(LAYER_TIMEOUT):
                    await self.channel_layer.group_discard(self.group, self.channel_name)
                    await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def _join(self) -> bool:
        """Join the job's group and the user's; return False if the layer does not answer."""
        try:
            async with asyncio.timeout(LAYER_TIMEOUT):
                await self.channel_layer.group_add(self.group, self.channel_name)
                # Logout, a password change or deactivation: told here (generation/signals.py).
                await self.channel_layer.group_add(self.user_group, self.channel_name)
        except Exception:
            return False
        return True

    async def _receive_or_poll(self) -> dict[str, Any]:
        """The layer's next message; while the layer is down, poll the database instead."""
        assert self._layer_receive is not None
        while True:
            try:
                return await self._layer_receive()
            except Exception:
                logger.warning(
                    "channel layer down: job %s's socket polls", self.job_id, exc_info=True
                )
            await asyncio.sleep(POLL_SECONDS)
            if self.job_id is not None and not self._ended:  # connected, and still allowed
                await self.send_state()
                await self._join()  # the layer may be back, having lost its groups

    async def job_changed(self, event: dict[str, Any]) -> None:
        """Schedule one update for a burst of events."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._update_soon())

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The session this socket belongs to logged out: close now."""
        if event.get("session_key") == self._session_key():
            await self._end()

    async def access_changed(self, event: dict[str, Any]) -> None:
        """The user changed (password, deactivated): re-check, as before each send."""
        # Soon, not now: a password change saves the user before it rotates the session.
        await self.job_changed(event)

    def _session_key(self) -> str | None:
        session = self.scope.get("session")
        return session.session_key if session is not None else None

    async def _end(self) -> None:
        """Close as for a job this user may not see: htmx does not reconnect on that code."""
        if not self._ended:
            self._ended = True
            await self.close(code=POLICY_VIOLATION)

    async def _update_soon(self) -> None:
        await asyncio.sleep(THROTTLE_SECONDS)
        await self.send_state()

    async def send_state(self) -> None:
        """Send what differs from what the page shows, and the token of what it then shows."""
        assert self.job_id is not None
        if self._ended:
            return
        await aclose_old_connections()
        allowed = await database_sync_to_async(access_holds)(
            session_key=self._session_key(), user_id=self.scope["user"].pk, job_id=self.job_id
        )
        if not allowed:
            await self._end()
            return
        csrf_token = self.scope.get("cookies", {}).get("csrftoken", "")
        parts = await database_sync_to_async(job_fragments)(self.job_id, csrf_token)
        html = changed_html(self.shown, parts)
        if html:
            await self.send(text_data=html + seen_element(seen_token(self.job_id, self.shown)))
