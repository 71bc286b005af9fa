"""Writes to accounts: tutors and their API tokens.

A token's secret is returned once, by api_token_create, and only its SHA-256 is
stored: the secret has 256 random bits, so a fast unsalted hash is enough and
lets authentication find the token through the unique index on key_hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "sg_"
PREFIX_LENGTH = 8
# Longer than any secret api_token_create makes; anything longer is not worth hashing.
MAX_TOKEN_LENGTH = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for user and return it with its secret, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=_hash(raw)
    )
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    """Return the active user owning the token with this secret, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Conditional UPDATE: at most one write a minute per token, however busy the script.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    return token.user


def api_token_revoke(*, token: ApiToken, user: User) -> bool:
    """Delete user's token; return False when it was not theirs (or already gone)."""
    deleted, _ = ApiToken.objects.filter(pk=token.pk, user=user).delete()
    return bool(deleted)


def tutor_create(*, username: str, password: str, email: str = "", is_staff: bool = False) -> User:
    """Create a tutor after validating the username and the password.

    Raises django.core.exceptions.ValidationError when either is refused.
    """
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=is_staff)
    user.full_clean(exclude=["password"])  # username rules, uniqueness, email format
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    return user
