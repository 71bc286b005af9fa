from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import api_token_authenticate, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

PASSWORD = "plum-orchard-lantern-41"
LOGIN = "/accounts/login/"
TOKENS = "/accounts/tokens/"


@pytest.fixture
def tutor(django_user_model):
    return django_user_model.objects.create_user("tutor", password=PASSWORD)


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor)
    return client


def _run_createtutor(*args: str) -> str:
    out = StringIO()
    call_command("createtutor", *args, stdout=out)
    return out.getvalue()


def _password_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "password.txt"
    path.write_text(text)
    return str(path)


# Login, logout, password change


def test_the_login_page_labels_its_fields_and_focuses_the_username(client):
    response = client.get(LOGIN)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in page
    assert '<label for="id_password">' in page
    assert 'name="username" autofocus' in page


def test_a_tutor_logs_in_and_lands_on_the_home_page(client, tutor):
    response = client.post(LOGIN, {"username": "tutor", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_returns_the_tutor_to_the_page_they_asked_for(client, tutor):
    response = client.post(
        LOGIN, {"username": "tutor", "password": PASSWORD, "next": "/accounts/tokens/"}
    )
    assert response["Location"] == "/accounts/tokens/"


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, tutor):
    response = client.post(LOGIN, {"username": "tutor", "password": "not-the-password"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert "Please enter a correct username and password" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_an_anonymous_visit_to_home_redirects_to_login_with_next(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_health_checks_answer_anonymously(client):
    for url in ("/healthz", "/readyz"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.json()["status"] == "ok"


def test_static_files_are_served_anonymously(client):
    response = client.get("/static/css/satgen.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)


def test_logout_is_a_post_that_ends_the_session(tutor_client):
    page = tutor_client.get("/").content.decode()
    assert f'id="logout-form" method="post" action="{reverse("logout")}"' in page

    assert tutor_client.get("/accounts/logout/").status_code == 405
    assert tutor_client.get("/").status_code == 200

    response = tutor_client.post("/accounts/logout/")
    assert response["Location"] == LOGIN
    assert tutor_client.get("/")["Location"] == "/accounts/login/?next=/"


def test_a_tutor_changes_their_password_and_stays_logged_in(tutor_client, tutor):
    new = "quiet-harbour-meadow-88"
    response = tutor_client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == "/accounts/password_change/done/"
    assert "Password changed" in tutor_client.get(response["Location"]).content.decode()
    tutor.refresh_from_db()
    assert tutor.check_password(new)
    assert not tutor.check_password(PASSWORD)


def test_a_wrong_current_password_is_shown_next_to_its_field(tutor_client, tutor):
    response = tutor_client.post(
        "/accounts/password_change/",
        {"old_password": "nope", "new_password1": "x-y-z-123456", "new_password2": "x-y-z-123456"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in page
    assert 'aria-invalid="true" aria-describedby="id_old_password_error"' in page
    tutor.refresh_from_db()
    assert tutor.check_password(PASSWORD)


def test_the_password_change_page_needs_a_login(client):
    response = client.get("/accounts/password_change/")
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


# API tokens


def test_the_tokens_page_needs_a_login(client):
    assert client.get(TOKENS)["Location"] == "/accounts/login/?next=/accounts/tokens/"


def test_creating_a_token_shows_its_secret_once_and_stores_only_its_hash(tutor_client, tutor):
    response = tutor_client.post(TOKENS, {"name": "nightly export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("sg_") and len(secret) > 40
    page = response.content.decode()
    assert secret in page
    assert "Copy it now" in page

    token = ApiToken.objects.get(user=tutor)
    assert token.name == "nightly export"
    assert token.prefix == secret[:8]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert secret not in stored

    again = tutor_client.get(TOKENS).content.decode()
    assert secret not in again
    assert "nightly export" in again
    assert f"{token.prefix}…" in again


def test_a_token_needs_a_name(tutor_client):
    response = tutor_client.post(TOKENS, {"name": ""})
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_authenticate_finds_the_user_and_rejects_wrong_and_revoked_tokens(tutor):
    token, secret = api_token_create(user=tutor, name="script")
    assert api_token_authenticate(secret) == tutor
    assert api_token_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate(token.key_hash) is None

    assert api_token_revoke(token=token, user=tutor)
    assert api_token_authenticate(secret) is None


def test_authenticate_rejects_an_inactive_users_token(tutor):
    _, secret = api_token_create(user=tutor, name="script")
    tutor.is_active = False
    tutor.save()
    assert api_token_authenticate(secret) is None


def test_last_used_is_written_at_most_once_a_minute(tutor):
    token, secret = api_token_create(user=tutor, name="script")
    assert token.last_used_at is None

    api_token_authenticate(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at >= first


def test_a_tutor_revokes_their_token_on_the_page(tutor_client, tutor):
    token, secret = api_token_create(user=tutor, name="script")
    assert tutor_client.get(f"{TOKENS}{token.pk}/revoke/").status_code == 405

    response = tutor_client.post(f"{TOKENS}{token.pk}/revoke/")
    assert response["Location"] == TOKENS
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert api_token_authenticate(secret) is None


def test_a_tutor_cannot_revoke_another_users_token(tutor_client, django_user_model):
    other = django_user_model.objects.create_user("other", password=PASSWORD)
    token, secret = api_token_create(user=other, name="theirs")

    response = tutor_client.post(f"{TOKENS}{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert api_token_authenticate(secret) == other
    assert "theirs" not in tutor_client.get(TOKENS).content.decode()


def test_the_revoke_service_refuses_another_users_token(tutor, django_user_model):
    other = django_user_model.objects.create_user("other")
    token, _ = api_token_create(user=other, name="theirs")
    assert api_token_revoke(token=token, user=tutor) is False
    assert ApiToken.objects.filter(pk=token.pk).exists()


# createtutor


def test_createtutor_with_a_password_file_makes_a_non_staff_tutor_who_can_log_in(client, tmp_path):
    out = _run_createtutor(
        "ada",
        "--email",
        "ada@example.com",
        "--password-file",
        _password_file(tmp_path, f"{PASSWORD}\nignored\n"),
    )
    assert "Created tutor 'ada'." in out
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.com"
    assert not user.is_staff
    assert not user.is_superuser
    assert not ApiToken.objects.exists()

    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response["Location"] == "/"


def test_createtutor_with_api_token_prints_a_secret_that_authenticates(tmp_path):
    out = _run_createtutor(
        "ada", "--password-file", _password_file(tmp_path, PASSWORD), "--api-token"
    )
    user = get_user_model().objects.get(username="ada")
    secret = out.strip().splitlines()[-1]
    assert "will not be shown again" in out
    assert api_token_authenticate(secret) == user


def test_createtutor_prints_only_the_secret_at_verbosity_zero(tmp_path):
    out = _run_createtutor(
        "ada", "--password-file", _password_file(tmp_path, PASSWORD), "--api-token", "-v", "0"
    )
    assert len(out.splitlines()) == 1
    assert api_token_authenticate(out.strip()) == get_user_model().objects.get(username="ada")


def test_createtutor_staff_makes_a_staff_user(tmp_path):
    _run_createtutor("ada", "--password-file", _password_file(tmp_path, PASSWORD), "--staff")
    user = get_user_model().objects.get(username="ada")
    assert user.is_staff
    assert not user.is_superuser


def test_createtutor_prompts_for_the_password_twice(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _run_createtutor("ada")
    assert get_user_model().objects.get(username="ada").check_password(PASSWORD)


def test_createtutor_refuses_passwords_that_do_not_match(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        _run_createtutor("ada")
    assert not get_user_model().objects.filter(username="ada").exists()


def test_createtutor_refuses_an_existing_username(tutor, tmp_path):
    with pytest.raises(CommandError, match="'tutor' already exists"):
        _run_createtutor("tutor", "--password-file", _password_file(tmp_path, "other-pass-4491"))
    tutor.refresh_from_db()
    assert tutor.check_password(PASSWORD)


def test_createtutor_refuses_a_missing_password_file(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        _run_createtutor("ada", "--password-file", str(tmp_path / "nope.txt"))
    assert not get_user_model().objects.filter(username="ada").exists()


def test_createtutor_refuses_an_empty_password_file(tmp_path):
    with pytest.raises(CommandError, match="is empty"):
        _run_createtutor("ada", "--password-file", _password_file(tmp_path, "  \n"))
    assert not get_user_model().objects.filter(username="ada").exists()


def test_createtutor_refuses_a_weak_password(tmp_path):
    with pytest.raises(CommandError, match="too common|too short"):
        _run_createtutor(
            "ada", "--password-file", _password_file(tmp_path, "password"), "--api-token"
        )
    assert not get_user_model().objects.filter(username="ada").exists()
    assert not ApiToken.objects.exists()


# The admin


def test_the_admin_sends_anonymous_visitors_to_its_own_login(client):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/").status_code == 200


def test_the_admin_refuses_a_non_staff_tutor(tutor_client):
    response = tutor_client.get("/admin/", follow=True)
    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert "not authorized to access this page" in response.content.decode()
    changelist = tutor_client.get(reverse("admin:accounts_apitoken_changelist"))
    assert changelist.status_code == 302


def test_the_admin_lists_tokens_but_never_their_hash(staff_client, tutor):
    token, secret = api_token_create(user=tutor, name="script")
    page = staff_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "script" in page and token.prefix in page
    change = staff_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert change.status_code == 200
    for leaked in (token.key_hash, secret):
        assert leaked not in change.content.decode()
    assert staff_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
