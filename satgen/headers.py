"""Response headers that limit what a page of ours may load and do (docs/security.md "Headers").

The Content-Security-Policy is django-csp's, from CONTENT_SECURITY_POLICY, plus the origin of
the job page's WebSocket; Permissions-Policy comes from PERMISSIONS_POLICY. Django itself sends
HSTS, X-Frame-Options, Referrer-Policy, X-Content-Type-Options and Cross-Origin-Opener-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with this host's own WebSocket origin added to connect-src."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = socket_origin(request)
        if origin:
            update = dict(parts.update or {})
            already = update.get("connect-src") or []
            already = [already] if isinstance(already, str) else list(already)
            update["connect-src"] = [*already, origin]
            parts.update = update
        return parts


def socket_origin(request: HttpRequest) -> str | None:
    """Return the ws:// or wss:// origin a page served for this request opens its socket on.

    CSP Level 3 lets 'self' match the page's own host over ws: and wss:, but browsers that
    predate it (WebKit until 2022) block the socket unless its origin is listed. The host
    has passed ALLOWED_HOSTS (and Django's check of its shape) by the time a response exists;
    a request refused for its host gets no origin.
    """
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class PermissionsPolicyMiddleware:
    """Send Permissions-Policy from PERMISSIONS_POLICY, unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def permissions_policy(features: Mapping[str, Sequence[str]]) -> str:
    """Return the header for {feature: allowlist}; an empty allowlist denies the feature.

    An allowlist holds "self" and origins ("https://example.com"), written as the header's
    structured-field syntax wants them: camera=(), fullscreen=(self "https://example.com").
    """

    def member(source: str) -> str:
        return source if source == "self" else f'"{source}"'

    return ", ".join(
        f"{feature}=({' '.join(member(source) for source in allowlist)})"
        for feature, allowlist in features.items()
    )
