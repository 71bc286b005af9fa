"""Procrastinate wiring: what a worker process does when it starts."""

from __future__ import annotations

import logging
import sys
import threading

logger = logging.getLogger(__name__)


def on_app_ready(app) -> None:
    """Warm the embedding model in worker processes, so the first job does not wait for it."""
    if "worker" in sys.argv[2:3]:  # manage.py procrastinate worker
        warm_embeddings_in_background()


def warm_embeddings_in_background() -> None:
    """Load the embedding model on a thread: the process goes on serving meanwhile."""

    def warm() -> None:
        from questions.embeddings import embed_text

        embed_text("warm up")
        logger.info("embedding model loaded")

    threading.Thread(target=warm, name="embedding-warmup", daemon=True).start()
