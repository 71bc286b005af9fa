"""Progress events from workers to whichever web process holds the job's socket.

Events only say what changed; a consumer re-reads the database to render, so a
dropped or late event costs nothing (channels_redis drops messages to a full
channel, and a socket may connect at any time).
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def job_group(public_id: Any) -> str:
    return f"job-{public_id}"


async def publish(public_id: Any, **event: Any) -> None:
    """Tell the job's listeners that something changed (call after the change committed)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(job_group(public_id), {"type": "job.changed", **event})
    except Exception:
        # Progress events are a courtesy: the database is the record, never fail a job for one.
        logger.warning("could not publish %s for job %s", event, public_id, exc_info=True)


def publish_on_commit(public_id: Any, **event: Any) -> None:
    """From sync code (a view, a service): publish once the current transaction commits."""
    transaction.on_commit(lambda: async_to_sync(publish)(public_id, **event))


def user_group(user_id: int) -> str:
    """Every job socket of one user: told when that user's sessions may have ended."""
    return f"user-{user_id}"


def publish_to_user(user_id: int, **event: Any) -> None:
    """From sync code: tell the user's sockets once the current transaction commits."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(user_group(user_id), event)
        except Exception:
            # The re-check before each send still closes the socket: never fail a logout for it.
            logger.warning("could not tell the sockets of user %s", user_id, exc_info=True)

    transaction.on_commit(send)
