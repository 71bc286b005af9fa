"""Progress events from workers to whichever web process holds the job's socket.

Events only say what changed; a consumer re-reads the database to render, so a
dropped or late event costs nothing (channels_redis drops messages to a full
channel, and a socket may connect at any time).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# A channel layer that does not answer (Redis down or unreachable) must not slow a job: an
# event is given up after LAYER_TIMEOUT seconds, and after a failure this process sends none
# for LAYER_PAUSE seconds. Pages poll meanwhile (generation/consumers.py).
LAYER_TIMEOUT = 2.0
LAYER_PAUSE = 10.0
_paused_until = 0.0


async def send_to_group(group: str, message: dict[str, Any]) -> bool:
    """Send to a group of sockets if the layer answers in time; return whether it did."""
    global _paused_until
    layer = get_channel_layer()
    if layer is None or time.monotonic() < _paused_until:
        return False
    try:
        await asyncio.wait_for(layer.group_send(group, message), LAYER_TIMEOUT)
    except Exception:
        # Events are a courtesy: the database is the record; never fail a job or a logout.
        _paused_until = time.monotonic() + LAYER_PAUSE
        logger.warning(
            "could not send %s to %s; none for %s s", message, group, LAYER_PAUSE, exc_info=True
        )
        return False
    return True


def job_group(public_id: Any) -> str:
    return f"job-{public_id}"


async def publish(public_id: Any, **event: Any) -> None:
    """Tell the job's listeners that something changed (call after the change committed)."""
    await send_to_group(job_group(public_id), {"type": "job.changed", **event})


def publish_on_commit(public_id: Any, **event: Any) -> None:
    """From sync code (a view, a service): publish once the current transaction commits."""
    transaction.on_commit(lambda: async_to_sync(publish)(public_id, **event))


def user_group(user_id: int) -> str:
    """Every job socket of one user: told when that user's sessions may have ended."""
    return f"user-{user_id}"


def publish_to_user(user_id: int, **event: Any) -> None:
    """From sync code: tell the user's sockets once the current transaction commits.

    If the layer is down the sockets are not told, but each re-checks access before it sends.
    """

    def send() -> None:
        try:
            async_to_sync(send_to_group)(user_group(user_id), event)
        except Exception:
            # Saved from a thread with a running loop, say: never fail a logout or a save.
            logger.warning("could not tell the sockets of user %s", user_id, exc_info=True)

    transaction.on_commit(send)
