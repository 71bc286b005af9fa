"""Procrastinate wiring: what a worker process does when it starts."""

from __future__ import annotations

import logging
import sys
import threading

logger = logging.getLogger(__name__)


def on_app_ready(app) -> None:
    """Warm the embedding model in worker processes, so the first job does not wait for it."""
    if "worker" not in sys.argv[2:3]:  # manage.py procrastinate worker
        return

    def warm() -> None:
        from questions.embeddings import embed_text

        embed_text("warm up")
        logger.info("embedding model loaded")

    # In the background: the worker starts taking jobs at once.
    threading.Thread(target=warm, name="embedding-warmup", daemon=True).start()
