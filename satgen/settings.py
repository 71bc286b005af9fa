"""SATgen settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from satgen.claude_models import check_stages, merge_models
from satgen.embedded_db import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent

# FileAwareEnv reads FOO from the file named by FOO_FILE when that is set
# (Kubernetes secrets mounted as files).
env = environ.FileAwareEnv()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "procrastinate.contrib.django",
    "accounts",
    "questions",
    "generation",
    "sets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a logged-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "satgen.urls"
ASGI_APPLICATION = "satgen.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Without DATABASE_URL an embedded PostgreSQL 16 + pgvector runs from a
# git-ignored folder of the checkout, so a fresh clone needs no database service.
EMBEDDED_DB_DIR = Path(env.str("EMBEDDED_DB_DIR", default=str(BASE_DIR / ".data" / "pg")))
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
else:
    DATABASES = {"default": embedded_database(EMBEDDED_DB_DIR)}
    DATABASES["default"]["NAME"] = env.str("EMBEDDED_DB_NAME", default="postgres")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: Redis carries events between worker and web processes; the
# in-memory layer only works when both run in one process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # one INFO line per Claude request otherwise
        "procrastinate": {"level": env.str("PROCRASTINATE_LOG_LEVEL", default="WARNING")},
    },
}

# The bank: embedding model and retrieval.
EMBEDDING_BATCH_SIZE = env.int("EMBEDDING_BATCH_SIZE", default=64)
RETRIEVAL_K = env.int("RETRIEVAL_K", default=5)

# Claude. Without ANTHROPIC_API_KEY (and without ANTHROPIC_BASE_URL) every call
# goes to the local Claude simulator and jobs are marked simulated.
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
CLAUDE_SIMULATOR_URL = env.str("CLAUDE_SIMULATOR_URL", default="http://127.0.0.1:8765")
CLAUDE_SIMULATED = not (ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL)
# What each model accepts and costs (satgen/claude_models.py, docs/claude.md); CLAUDE_MODELS
# (JSON) overrides fields of a listed model or adds a new one.
CLAUDE_MODELS = merge_models(env.json("CLAUDE_MODELS", default={}))


def _stage(name: str, *, model: str, effort: str, thinking: str, max_tokens: int, timeout: float):
    prefix = f"CLAUDE_{name.upper()}_"
    return {
        "model": env.str(prefix + "MODEL", default=model),
        "effort": env.str(prefix + "EFFORT", default=effort),
        "thinking": env.str(prefix + "THINKING", default=thinking),
        # Thinking counts toward max_tokens: room for both (docs/benchmarks.md).
        "max_tokens": env.int(prefix + "MAX_TOKENS", default=max_tokens),
        # The longest silence tolerated within one HTTP attempt (connect: 5 s).
        "timeout": env.float(prefix + "TIMEOUT", default=timeout),
    }


# Per stage: reading a screenshot is perception (little thinking); writing and blind-solving
# a question is reasoning, where thinking is what makes keys right (docs/pipeline.md).
CLAUDE_STAGES = {
    "extract": _stage(
        "extract",
        model="claude-sonnet-5-5",
        effort="low",
        thinking="adaptive",
        max_tokens=8192,
        timeout=90.0,
    ),
    "generate": _stage(
        "generate",
        model="claude-sonnet-5-5",
        effort="medium",
        thinking="adaptive",
        max_tokens=16000,
        timeout=120.0,
    ),
    "solve": _stage(
        "solve",
        model="claude-haiku-5-5",
        effort="medium",
        thinking="adaptive",
        max_tokens=8192,
        timeout=90.0,
    ),
}
check_stages(CLAUDE_STAGES, CLAUDE_MODELS)
# Transient failures (429, 5xx, timeouts, broken streams) are retried CLAUDE_MAX_RETRIES
# times per call, after CLAUDE_RETRY_BASE x 2^n seconds (at most CLAUDE_RETRY_CAP), or after
# the server's retry-after when it is at most CLAUDE_RETRY_AFTER_MAX; then the job stops and
# the tutor can press Retry.
CLAUDE_MAX_RETRIES = env.int("CLAUDE_MAX_RETRIES", default=2)
CLAUDE_RETRY_BASE = env.float("CLAUDE_RETRY_BASE", default=0.5)
CLAUDE_RETRY_CAP = env.float("CLAUDE_RETRY_CAP", default=8.0)
CLAUDE_RETRY_AFTER_MAX = env.float("CLAUDE_RETRY_AFTER_MAX", default=30.0)
# The system prompts every job shares are cached for an hour (it pays as soon as two jobs
# are more than 5 minutes apart); a job's retrieved examples for 5 minutes (docs/claude.md).
CLAUDE_CACHE_TTL = env.str("CLAUDE_CACHE_TTL", default="1h")
CLAUDE_JOB_CACHE_TTL = env.str("CLAUDE_JOB_CACHE_TTL", default="5m")
if {CLAUDE_CACHE_TTL, CLAUDE_JOB_CACHE_TTL} - {"5m", "1h"}:
    raise ImproperlyConfigured("CLAUDE_CACHE_TTL and CLAUDE_JOB_CACHE_TTL take 5m or 1h.")
if (CLAUDE_CACHE_TTL, CLAUDE_JOB_CACHE_TTL) == ("5m", "1h"):
    # The API refuses a 1-hour breakpoint after a 5-minute one.
    raise ImproperlyConfigured("CLAUDE_JOB_CACHE_TTL cannot be longer than CLAUDE_CACHE_TTL.")
# Bulk work (validate_questions --solve) goes through the Message Batches API.
CLAUDE_BATCH_POLL_SECONDS = env.float("CLAUDE_BATCH_POLL_SECONDS", default=30.0)

# Generation.
GENERATION_MAX_ROUNDS = env.int("GENERATION_MAX_ROUNDS", default=2)  # regenerations per question
GENERATION_PARALLEL_CALLS = env.int("GENERATION_PARALLEL_CALLS", default=5)
REVISION_MAX_ROUNDS = env.int("REVISION_MAX_ROUNDS", default=3)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)

# Workers heartbeat; a job whose worker missed heartbeats for WORKER_STALLED_AFTER
# seconds is handed to another worker by the recovery task (JOB_RECOVERY_CRON,
# with a sixth column for seconds).
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_STALLED_AFTER = env.float("WORKER_STALLED_AFTER", default=30.0)
JOB_RECOVERY_CRON = env.str("JOB_RECOVERY_CRON", default="*/15 * * * * *")
PROCRASTINATE_ON_APP_READY = "satgen.worker.on_app_ready"
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": WORKER_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": WORKER_STALLED_AFTER,
}
