"""The live job page: a WebSocket that sends the job's whole state, then keeps it current."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from generation import metrics
from generation.events import job_group
from generation.models import Job
from generation.selectors import job_page_context

# The page's live parts, each a partial of generation/job.html with its own id. The
# questions list is sent whole only when its questions change; otherwise each card is
# sent alone, and only when it changed, so an answer a tutor opened stays open.
FRAGMENTS = (
    "banner",
    "title",
    "status",
    "actions",
    "timeline",
    "source",
    "classification",
    "examples",
    "totals",
)
# Coalesce bursts of events (a job emits dozens in a second) into one update.
THROTTLE_SECONDS = 0.25
# Close code for "you may not see this job": htmx does not reconnect on it.
POLICY_VIOLATION = 4403


def render_fragments(job_id: int, csrf_token: str = "") -> dict[str, str]:
    """Render every live part of the job page, each an element swapped out-of-band by its id.

    Keys: the FRAGMENTS by name; "list" (the whole questions section) with "list-ids"
    (which questions it holds); "card-<pk>" for each question card on its own.
    """
    job = Job.objects.select_related("owner").get(pk=job_id)
    context: dict[str, Any] = {**job_page_context(job), "csrf_token": csrf_token}
    parts: dict[str, str] = {
        name: render_to_string(f"generation/job.html#{name}", context) for name in FRAGMENTS
    }
    parts["list"] = render_to_string("generation/job.html#questions", context)
    parts["list-ids"] = ",".join(str(q.pk) for q in context["questions"])
    for question in context["questions"]:
        parts[f"card-{question.pk}"] = render_to_string(
            "generation/job.html#question", {**context, "question": question, "oob": True}
        )
    return parts


def changed_html(sent: dict[str, str], parts: dict[str, str]) -> str:
    """Return the HTML of the parts that differ from what this page was sent, noting them."""
    out = []
    if sent.get("list-ids") != parts["list-ids"]:
        # Other questions than the page shows (first connect, a revision): the whole list,
        # which carries every card.
        out.append(parts["list"])
        sent.update({k: v for k, v in parts.items() if k.startswith("card-") or k == "list-ids"})
    for key, html in parts.items():
        if key not in ("list", "list-ids") and sent.get(key) != html:
            out.append(html)
            sent[key] = html
    return "".join(out)


def _owned_job_id(user, public_id) -> int | None:
    if not user.is_authenticated:
        return None
    return Job.objects.filter(public_id=public_id, owner=user).values_list("pk", flat=True).first()


class JobConsumer(AsyncWebsocketConsumer):
    """Send the full state on every connect (htmx never replays missed messages), then updates."""

    job_id: int | None = None
    _pending: asyncio.Task | None = None
    _counted = False  # whether this socket is in satgen_websockets_open

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: dict[str, str] = {}  # what this socket's page shows now

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
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_state()

    async def disconnect(self, code: int) -> None:
        if self._counted:
            metrics.WEBSOCKETS_OPEN.dec()
            self._counted = False
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
        """Send what changed since the last message (everything, on connect)."""
        await aclose_old_connections()
        csrf_token = self.scope.get("cookies", {}).get("csrftoken", "")
        parts = await database_sync_to_async(render_fragments)(self.job_id, csrf_token)
        html = changed_html(self.sent, parts)
        if html:
            await self.send(text_data=html)
