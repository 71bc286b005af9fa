"""Login lockout (django-axes): by username and client IP, on our login form and the admin's."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "plum-orchard-lantern-41"
LOGIN_FORMS = ["/accounts/login/", "/admin/login/"]
ATTACKER_IP = "203.0.113.7"


@pytest.fixture
def tutor() -> User:
    return get_user_model().objects.create_user("tutor", password=PASSWORD, is_staff=True)


def _log_in(client: Client, url: str, username: str, password: str, ip: str = ATTACKER_IP):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _hammer(client: Client, url: str, username: str = "tutor", times: int = 30) -> None:
    for _ in range(times):
        _log_in(client, url, username, "wrong password")


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(client, tutor, url):
    _hammer(client, url)

    response = _log_in(client, url, "tutor", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Login paused" in page
    assert "logging in is paused for 15 minutes" in page
    assert "<h1>Login paused</h1>" in page  # our page in our layout, not axes' plain text
    assert "<title>Login paused · SATgen</title>" in page


def test_the_lockout_comes_after_five_failures_not_before(client, tutor):
    for _ in range(4):
        assert _log_in(client, "/accounts/login/", "tutor", "wrong").status_code == 200

    assert _log_in(client, "/accounts/login/", "tutor", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(tutor.pk)


def test_the_same_account_from_another_ip_still_logs_in(client, tutor):
    _hammer(client, "/accounts/login/")

    response = _log_in(Client(), "/accounts/login/", "tutor", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 302


def test_another_account_from_the_same_ip_still_logs_in(client, tutor):
    get_user_model().objects.create_user("other", password=PASSWORD)
    _hammer(client, "/accounts/login/")

    response = _log_in(Client(), "/accounts/login/", "other", PASSWORD)

    assert response.status_code == 302


def test_staff_unlock_the_account_in_the_admin(client, tutor, staff_client):
    _hammer(client, "/accounts/login/")
    attempt = AccessAttempt.objects.get(username="tutor", ip_address=ATTACKER_IP)

    listing = staff_client.get("/admin/axes/accessattempt/")
    assert "tutor" in listing.content.decode()
    staff_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert _log_in(client, "/accounts/login/", "tutor", PASSWORD).status_code == 302


def test_a_lockout_is_logged_once_with_who_and_from_where(client, tutor, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.lockout"):
        _hammer(client, "/accounts/login/", times=8)

    warnings = [
        r for r in caplog.records if r.name == "accounts.lockout" and r.levelname == "WARNING"
    ]
    assert len(warnings) == 1
    assert "'tutor'" in warnings[0].getMessage()
    assert ATTACKER_IP in warnings[0].getMessage()


def test_api_tokens_are_unaffected_by_a_lockout(client, tutor):
    from accounts.services import api_token_create

    _token, secret = api_token_create(user=tutor, name="script")
    _hammer(client, "/accounts/login/")

    response = client.get(
        "/api/v1/jobs/", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=ATTACKER_IP
    )

    assert response.status_code == 200
