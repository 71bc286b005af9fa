"""What a worker does, however it runs: `manage.py worker` or inside `serve_local`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

if TYPE_CHECKING:
    from procrastinate import App

logger = logging.getLogger(__name__)


def worker_app() -> App:
    """The Procrastinate app a worker runs: the Django app on a psycopg connector of its own.

    Workers need LISTEN/NOTIFY, which the Django connector lacks; web requests keep using it.
    """
    from procrastinate.contrib.django import app
    from procrastinate.contrib.django.django_connector import DjangoConnector

    return app.with_connector(cast(DjangoConnector, app.connector).get_worker_connector())


async def fresh_connections(
    call_next: Callable[[], Awaitable[Any]], context: Any, worker: Any
) -> Any:
    """A worker middleware: each job starts and ends on a working database connection, as
    each request does.

    The pipeline's ORM calls run on one thread (sync_to_async): without this, a connection
    a database restart cut would stay on that thread and fail every job after it.
    """
    await sync_to_async(close_old_connections)()
    try:
        return await call_next()
    finally:
        await sync_to_async(close_old_connections)()


def warm_embeddings_in_background(*, heartbeat: bool = True) -> None:
    """Load the embedding model on a thread: the process goes on serving meanwhile.

    Then, in a worker, touch WORKER_HEARTBEAT_FILE every WORKER_HEARTBEAT_SECONDS: the pod's
    startup probe waits for the file (the model takes seconds to load), its liveness probe
    for a recent touch. A worker whose event loop hangs is caught the other way: it stops
    heart-beating in the database, and its jobs go to another worker (docs/reliability.md).
    """

    def warm() -> None:
        from questions.embeddings import embed_text

        embed_text("warm up")
        logger.info("embedding model loaded")
        if heartbeat:
            _touch_forever(Path(settings.WORKER_HEARTBEAT_FILE), settings.WORKER_HEARTBEAT_SECONDS)

    threading.Thread(target=warm, name="embedding-warmup", daemon=True).start()


def _touch_forever(path: Path, seconds: float) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        logger.warning("no heartbeat file: cannot create %s", path.parent)
        return
    while True:
        path.touch()
        time.sleep(seconds)
