"""The live job page: a WebSocket that sends the job's whole state, then keeps it current."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from generation.events import job_group
from generation.models import Job
from generation.selectors import job_page_context

# The page's live parts, each a partial of generation/job.html with its own id.
FRAGMENTS = (
    "banner",
    "title",
    "status",
    "timeline",
    "source",
    "classification",
    "examples",
    "questions",
    "totals",
)
# Coalesce bursts of events (a job emits dozens in a second) into one update.
THROTTLE_SECONDS = 0.25
# Close code for "you may not see this job": htmx does not reconnect on it.
POLICY_VIOLATION = 4403


def render_fragments(job_id: int, csrf_token: str = "") -> str:
    """Render every live part of the job page, each swapped out-of-band by its id."""
    job = Job.objects.get(pk=job_id)
    context: dict[str, Any] = {**job_page_context(job), "csrf_token": csrf_token}
    return "".join(render_to_string(f"generation/job.html#{name}", context) for name in FRAGMENTS)


def _owned_job_id(user, public_id) -> int | None:
    if not user.is_authenticated:
        return None
    return Job.objects.filter(public_id=public_id, owner=user).values_list("pk", flat=True).first()


class JobConsumer(AsyncWebsocketConsumer):
    """Send the full state on every connect (htmx never replays missed messages), then updates."""

    job_id: int | None = None
    _pending: asyncio.Task | None = None

    async def connect(self) -> None:
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        self.job_id = await database_sync_to_async(_owned_job_id)(self.scope["user"], public_id)
        await self.accept()
        if self.job_id is None:
            await self.close(code=POLICY_VIOLATION)
            return
        self.group = job_group(public_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_state()

    async def disconnect(self, code: int) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self.job_id is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_changed(self, event: dict[str, Any]) -> None:
        """Schedule one update for a burst of events."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.ensure_future(self._update_soon())

    async def _update_soon(self) -> None:
        await asyncio.sleep(THROTTLE_SECONDS)
        await self.send_state()

    async def send_state(self) -> None:
        await aclose_old_connections()
        csrf_token = self.scope.get("cookies", {}).get("csrftoken", "")
        html = await database_sync_to_async(render_fragments)(self.job_id, csrf_token)
        await self.send(text_data=html)
