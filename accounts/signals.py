"""Receivers for auth events: a log line per lockout."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

logger = logging.getLogger("accounts.lockout")


@receiver(user_locked_out, dispatch_uid="accounts.log_lockout")
def log_lockout(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    """Log a lockout once, when it starts; later attempts while locked out at INFO."""
    failures = getattr(request, "axes_failures_since_start", 0)
    if failures <= settings.AXES_FAILURE_LIMIT:
        logger.warning(
            "login locked out: username %r from %s after %d failures",
            username,
            ip_address,
            failures,
        )
    else:
        logger.info("login attempt while locked out: username %r from %s", username, ip_address)
