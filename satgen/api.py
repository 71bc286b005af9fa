"""The JSON API under /api/v1/: bearer-token auth, one error shape, the routers of the apps.

Every request is authenticated by an API token (`Authorization: Bearer sg_...`), never by
the session cookie: scripts hold tokens, and a cookie-authenticated API would need CSRF
checks on every write. Tokens are not sent by browsers on their own, so CSRF cannot forge
them; django-ninja marks its views csrf_exempt and HttpBearer does no CSRF check.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from accounts.services import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """Authenticate a request by its API token; request.auth is then the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_authenticate(token)


class TokenAPI(NinjaAPI):
    """A NinjaAPI whose views LoginRequiredMiddleware lets through: the token is the login."""

    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        # django-ninja builds one view per path (and partials for the OpenAPI views) when
        # its urls are read, so they are marked here rather than by decorating our functions.
        for pattern in patterns:
            if pattern.callback is not None:
                login_not_required(pattern.callback)
        return patterns


api = TokenAPI(
    title="SATgen API",
    version="1",
    description="Generate SAT practice questions through durable jobs. "
    "Authenticate with an API token: `Authorization: Bearer sg_...`.",
    urls_namespace="api",
    auth=BearerTokenAuth(),
    openapi_url="/openapi.json",
    # The interactive docs load Swagger UI from a CDN unless "ninja" is an installed app.
    docs_url=None,
)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Send a valid API token: Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Answer malformed input in the shape of the API's other refusals, with the details."""
    first = exc.errors[0] if exc.errors else {}
    location = [part for part in first.get("loc", ()) if isinstance(part, str)]
    field = location[-1] if len(location) > 1 else ""
    detail = first.get("msg", "Invalid request.")
    if field:
        detail = f"{field}: {detail}"
    return api.create_response(
        request, {"detail": detail, "field": field, "errors": exc.errors}, status=422
    )


api.add_router("/jobs/", "generation.api.router", tags=["jobs"])
api.add_router("/sets/", "sets.api.router")
