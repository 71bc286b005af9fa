"""Settings and process boundaries, checked in fresh interpreters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# What this test process set for itself (satgen.settings_test) must not leak into the checks.
TEST_ONLY = {"SECRET_KEY", "DEBUG", "CLAUDE_USE_SIMULATOR", "DB_POOL_MAX_SIZE"}


# A developer's .env (written by `make run`) must not change what these checks see.
NO_ENV_FILE = {"SATGEN_ENV_FILE": "/nonexistent/.env"}


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "satgen.settings", **NO_ENV_FILE, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# A DATABASE_URL that is never connected to keeps these checks off the database.
OFFLINE_DB = "postgres://nobody@127.0.0.1:1/none"


def test_production_refuses_to_start_without_a_secret_key():
    result = _python("import satgen.settings", DEBUG="0", DATABASE_URL=OFFLINE_DB)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_a_local_env_file_configures_manage_py_without_exported_variables(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECRET_KEY=from-the-env-file\n")
    code = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    shown = _python(f"import django; django.setup(); {code}", SATGEN_ENV_FILE=str(env_file))
    assert shown.stdout.split() == ["True", "from-the-env-file"], shown.stderr
    # The environment wins, and one that turns DEBUG off never reads the file.
    off = _python(
        "import satgen.settings", SATGEN_ENV_FILE=str(env_file), DEBUG="0", DATABASE_URL=OFFLINE_DB
    )
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in off.stderr


def test_secrets_can_come_from_mounted_files(tmp_path):
    secret, key = tmp_path / "secret", tmp_path / "key"
    secret.write_text("from-a-file")
    key.write_text("claude-key-from-a-file")
    result = _python(
        "from satgen import settings; "
        "print(settings.SECRET_KEY, settings.DEBUG, settings.CLAUDE_SIMULATED)",
        DEBUG="0",
        SECRET_KEY_FILE=str(secret),
        ANTHROPIC_API_KEY_FILE=str(key),
        DATABASE_URL=OFFLINE_DB,
    )
    assert result.stdout.split() == ["from-a-file", "False", "False"], result.stderr


def test_production_refuses_a_blank_claude_key_instead_of_simulating(tmp_path):
    blank = tmp_path / "key"
    blank.write_text("")
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 60, "DATABASE_URL": OFFLINE_DB}
    result = _python("import satgen.settings", ANTHROPIC_API_KEY_FILE=str(blank), **env)
    assert result.returncode != 0
    assert "ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE) is empty and DEBUG is off" in (
        result.stderr
    )
    on_purpose = _python(
        "from satgen import settings; print(settings.CLAUDE_SIMULATED)",
        CLAUDE_USE_SIMULATOR="1",
        **env,
    )
    assert on_purpose.stdout.strip() == "True", on_purpose.stderr


def test_deploy_checks_are_clean_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in TEST_ONLY},
            "DJANGO_SETTINGS_MODULE": "satgen.settings",
            "DEBUG": "0",
            "SECRET_KEY": "a-production-key-of-fifty-or-more-random-characters-0123456789",
            "ANTHROPIC_API_KEY": "placeholder-not-a-key",
            "ALLOWED_HOSTS": "satgen.example.com",
            "DATABASE_URL": OFFLINE_DB,
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_database_url_configures_an_external_database():
    result = _python(
        "from satgen import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])",
        DEBUG="1",
        DATABASE_URL="postgres://u:p@db.internal:6543/satgen",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "6543",
        "satgen",
    ], result.stderr


def test_serving_web_requests_never_imports_torch():
    code = """
import sys
import django
django.setup()
from satgen.asgi import application
from django.test import Client
from django.urls import get_resolver
import questions.admin, questions.views
get_resolver().url_patterns
assert Client().get("/healthz").status_code == 200
print(sorted(m for m in sys.modules if m.split(".")[0] in {"torch", "sentence_transformers"}))
"""
    result = _python(code, DEBUG="1", DATABASE_URL=OFFLINE_DB, ALLOWED_HOSTS="testserver")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_rotated_secret_key_still_reads_what_the_old_one_signed():
    sign = "from django.core import signing; print(signing.dumps('session', salt='rotation'))"
    old = _python(f"import django; django.setup(); {sign}", DEBUG="1", SECRET_KEY="old-key")
    token = old.stdout.strip()
    read = f"from django.core import signing; print(signing.loads({token!r}, salt='rotation'))"
    rotated = _python(
        f"import django; django.setup(); {read}",
        DEBUG="1",
        SECRET_KEY="new-key",
        SECRET_KEY_FALLBACKS="old-key",
    )
    assert rotated.stdout.strip() == "session", rotated.stderr
    gone = _python(f"import django; django.setup(); {read}", DEBUG="1", SECRET_KEY="new-key")
    assert "BadSignature" in gone.stderr
