"""Embedded PostgreSQL 16 + pgvector for local runs and tests (no system service needed)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

logger = logging.getLogger(__name__)


def embedded_database(datadir: Path) -> dict[str, str]:
    """Start (or join) the embedded server in datadir and return Django connection settings.

    The server is shared by every process started from this checkout and stops when the
    last of them exits; its data stays in datadir and is reused by the next run.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        import pgserver  # only imported when no DATABASE_URL is configured

    datadir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(datadir, cleanup_mode="stop")
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    logger.debug("embedded PostgreSQL at %s", socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }
