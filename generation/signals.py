"""Sessions end everywhere: logout, a password change or deactivation reach the job sockets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from generation.events import publish_to_user


@receiver(user_logged_out, dispatch_uid="generation.close_sockets_on_logout")
def close_sockets_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Close the sockets of the session that logged out (logout flushes it after this)."""
    if user is not None and request.session.session_key:
        publish_to_user(user.pk, type="session.ended", session_key=request.session.session_key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="generation.recheck_sockets")
def recheck_sockets_on_user_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A saved user (new password, deactivated) has every socket re-check its access."""
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # every login saves last_login: nothing a socket depends on changed
    publish_to_user(instance.pk, type="access.changed")
