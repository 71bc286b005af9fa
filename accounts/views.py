from __future__ import annotations

import math
from typing import TYPE_CHECKING

from axes.helpers import get_cool_off
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ApiTokenForm
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def _get_token_for_user(request: AuthenticatedHttpRequest, token_id: int) -> ApiToken:
    """Return the signed-in user's token, or 404 (also for another user's token)."""
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    return token


@never_cache  # the response to a creation carries the secret
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created: ApiToken | None = None
    secret = ""
    if request.method == "POST" and form.is_valid():
        created, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "created": created, "secret": secret}
    # Rendered, not redirected: the secret must not outlive this one response.
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = _get_token_for_user(request, token_id)
    api_token_revoke(token=token, user=request.user)
    return redirect("api_tokens")


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """Render our lockout page (django-axes' AXES_LOCKOUT_CALLABLE): 429, in plain words."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
