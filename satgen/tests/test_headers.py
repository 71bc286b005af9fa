"""Security headers, read off real responses: pages, the login page, the admin, the API, probes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from generation.tests.builders import make_job, make_user
from satgen.tests.test_rendered_pages import our_routes, seeded, urls_of
from satgen.tests.test_settings import OFFLINE_DB, _python

pytestmark = pytest.mark.django_db

POD_IP = "10.244.3.17:8000"
DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict_policy(response, *, socket: str = "ws://testserver") -> None:
    """The policy lets nothing inline or evaluated run, and nothing but us load or frame us."""
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "blob:"]
    assert csp["connect-src"] == ["'self'", socket]
    assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    everything = " ".join(response.headers["Content-Security-Policy"].split())
    assert "unsafe-" not in everything and "*" not in everything and "nonce-" not in everything


def assert_security_headers(response) -> None:
    assert_strict_policy(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert all(features[feature] == "()" for feature in DENIED), features


@pytest.fixture
def tutor_client(client):
    user = make_user("tutor")
    client.force_login(user)
    client.user = user
    return client


def test_a_tutors_pages_carry_every_header(tutor_client):
    job = make_job(owner=tutor_client.user)
    for url in (reverse("job_new"), reverse("job_detail", args=[job.public_id])):
        response = tutor_client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)


def test_the_login_page_carries_every_header(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_admin_carries_every_header(staff_client):
    for url in (reverse("admin:index"), reverse("admin:generation_job_changelist")):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert_security_headers(response)


def test_an_api_response_carries_every_header():
    _, secret = api_token_create(user=make_user("script"), name="script")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/jobs/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_request_refused_for_its_host_still_carries_the_policy(client, settings):
    settings.ALLOWED_HOSTS = ["satgen.example.com"]
    response = client.get(reverse("login"), HTTP_HOST=POD_IP)
    assert response.status_code == 400
    assert policy(response)["connect-src"] == ["'self'"]  # no socket origin for a bad host


def test_over_https_the_socket_origin_is_wss_and_browsers_are_told_to_stay(client, settings):
    settings.ALLOWED_HOSTS = ["satgen.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get(reverse("login"), HTTP_HOST="satgen.example.com", secure=True)
    assert response.status_code == 200
    assert_strict_policy(response, socket="wss://satgen.example.com")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_probes_over_plain_http_are_answered_not_redirected(client, settings):
    settings.ALLOWED_HOSTS = ["satgen.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path, HTTP_HOST=POD_IP).status_code == 200, path
    page = client.get(reverse("login"), HTTP_HOST="satgen.example.com")
    assert page.status_code == 301 and page["Location"].startswith("https://")


# What a CSP without 'unsafe-inline' would refuse: a script with no src, a style element or
# attribute, an on* handler, htmx's hx-on (run through eval) or a javascript: URL.
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|\shx-on|javascript:", re.I
)


def test_no_page_of_ours_needs_inline_script_or_style(client):
    data = seeded()
    client.force_login(data["tutor"])
    seen = 0
    for name, pattern in our_routes():
        for url in urls_of(name, pattern, data):
            response = client.get(url)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue  # a POST-only action, or the screenshot itself
            page = response.content.decode()
            assert not INLINE.search(page), (url, INLINE.search(page))
            seen += 1
    assert seen >= 14


def test_htmx_is_configured_to_need_no_eval_and_no_inline_style(tutor_client):
    job = make_job(owner=tutor_client.user)
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert config, "no htmx-config meta on a page that loads htmx"
    assert '"allowEval":false' in config[1]
    assert '"includeIndicatorStyles":false' in config[1]


def test_production_settings_redirect_to_https_but_not_the_probes():
    code = """
import django
django.setup()
from django.test import Client
from django.conf import settings
client = Client()
print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)
print(client.get("/healthz", HTTP_HOST="10.244.3.17:8000").status_code)
print(client.get("/metrics", HTTP_HOST="10.244.3.17:8000").status_code)
page = client.get("/accounts/login/", HTTP_HOST="satgen.example.com")
print(page.status_code, page["Location"])
api = client.get("/api/v1/jobs/", HTTP_HOST="satgen.example.com", secure=True)
print(api.status_code, api["Strict-Transport-Security"])
print("connect-src 'self' wss://satgen.example.com" in api["Content-Security-Policy"])
"""
    result = _python(
        code,
        DEBUG="0",
        SECRET_KEY="a-production-key-of-fifty-or-more-random-characters-0123456789",
        ANTHROPIC_API_KEY="placeholder-not-a-key",
        ALLOWED_HOSTS="satgen.example.com",
        DATABASE_URL=OFFLINE_DB,
    )
    assert result.stdout.splitlines() == [
        "True 31536000",
        "200",
        "200",
        "301 https://satgen.example.com/accounts/login/",
        "401 max-age=31536000; includeSubDomains",
        "True",
    ], result.stderr
