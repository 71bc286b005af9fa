"""What a worker process does when it starts (satgen/management/commands/worker.py)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


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
