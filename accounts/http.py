"""The request our views receive: LoginRequiredMiddleware let it through, so its user signed in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: a signed-in user, and django-htmx's details of the request."""

    user: User
    htmx: HtmxDetails
