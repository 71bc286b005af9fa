"""SATgen settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from satgen.claude_models import check_stages, merge_models
from satgen.embedded_db import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent

# FileAwareEnv reads FOO from the file named by FOO_FILE when that is set
# (Kubernetes secrets mounted as files).
env = environ.FileAwareEnv()

# `make run` writes a git-ignored .env (DEBUG=1 and a generated SECRET_KEY), so manage.py
# works locally without exporting anything. The environment wins over it, an environment
# that turns DEBUG off never reads it, and the image holds none.
ENV_FILE = Path(env.str("SATGEN_ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file() and env.bool("DEBUG", default=True):
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"
# Rotation (docs/security.md): the old key here keeps sessions and signed tokens valid while
# every pod moves to the new one; comma-separated, or a file through SECRET_KEY_FALLBACKS_FILE.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

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
    "axes",  # login lockout (docs/security.md "Login lockout")
    "django_prometheus",  # HTTP metrics on /metrics (satgen/metrics.py)
    "satgen",  # the composition root: serve_local (web + worker + simulator on one machine)
    "accounts",
    "questions",
    "generation",
    "sets",
]

MIDDLEWARE = [
    # First: probes and scrapers address pods by IP, which ALLOWED_HOSTS does not hold.
    "satgen.health.HostExemptMiddleware",
    # Metrics and logs: PrometheusBefore first and PrometheusAfter last (django-prometheus),
    # the request id around everything that logs (satgen/logs.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "satgen.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files too.
    "satgen.headers.ContentSecurityPolicyMiddleware",
    "satgen.headers.PermissionsPolicyMiddleware",
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
    # A full database disk is a 503 in our words, with nothing half saved (satgen/storage.py).
    "satgen.storage.StorageFullMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
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
# A connection pool per process (Django's psycopg pool): a burst of requests waits up to
# DB_POOL_TIMEOUT seconds for a connection instead of failing with "too many clients".
# The sum of DB_POOL_MAX_SIZE over every process at the autoscalers' maximum must stay
# under the server's max_connections (docs/deployment.md). 0 turns the pool off.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=8)
if DB_POOL_MAX_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.float("DB_POOL_TIMEOUT", default=20.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
else:
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
# django-axes first: it refuses a locked-out username and IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (docs/security.md): AXES_FAILURE_LIMIT failed logins for one username from one
# client IP lock that pair out for AXES_COOLOFF_MINUTES; another IP or username is unaffected.
# The client IP is REMOTE_ADDR, which Daphne's --proxy-headers sets from X-Forwarded-For: the
# proxy in front must overwrite that header, not append to it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"  # our page, not axes' plain text
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
# Behind a TLS ingress, which sets X-Forwarded-Proto: plain HTTP is redirected and browsers
# are told to use HTTPS for a year. Probes are answered before the redirect (satgen.health).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a commitment made with the browser vendors, the operator's to make.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
HOST_EXEMPT_PATHS = ["/healthz", "/readyz", "/metrics"]
# The kubelet probes over plain HTTP: should the probes ever reach SecurityMiddleware, they
# must still not be redirected (SECURE_REDIRECT_EXEMPT matches the path without its "/").
SECURE_REDIRECT_EXEMPT = [rf"^{path.lstrip('/')}$" for path in HOST_EXEMPT_PATHS]

# Headers (docs/security.md "Headers"). Every script and style sheet is a file of ours: no
# inline script, style or handler, no eval (htmx's is off in base.html), so no nonce either.
# img-src allows blob: for the new-job page's preview of the chosen screenshot; connect-src
# also gets this host's ws(s):// origin per request (satgen/headers.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"  # frame-ancestors 'none' for browsers that predate it
# Other sites never learn which job, set or question a tutor came from; our own pages
# still get the full URL (Django's CSRF check falls back to it on HTTPS).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Powerful features no page of ours uses, denied to our pages and anything they might embed;
# only names Chromium knows (it logs an error for any other, which the browser tests catch).
# Uploading a screenshot needs none: a file input and a paste event ask for no permission
# (clipboard-read governs only navigator.clipboard.read()).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Logs: one JSON object per line (LOG_FORMAT=json, the default with DEBUG off) carrying the
# request id, or the job and stage; plain text in development (satgen/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT takes json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "satgen.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "satgen.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # a few INFO lines per login otherwise
        "httpx2": {"level": "WARNING"},  # one INFO line per Claude request otherwise
        "procrastinate": {"level": env.str("PROCRASTINATE_LOG_LEVEL", default="WARNING")},
    },
}

# Metrics (README "Metrics and alerts"): web processes serve /metrics, which answers 401
# without "Authorization: Bearer <METRICS_TOKEN>" when that is set; each worker serves its
# own on WORKER_METRICS_PORT (0: none). Neither is for the public ingress.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=9100)

# The bank: embedding model and retrieval.
EMBEDDING_BATCH_SIZE = env.int("EMBEDDING_BATCH_SIZE", default=64)
RETRIEVAL_K = env.int("RETRIEVAL_K", default=5)

# Claude. Without ANTHROPIC_API_KEY (and without ANTHROPIC_BASE_URL) every call
# goes to the local Claude simulator and jobs are marked simulated.
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
CLAUDE_SIMULATOR_URL = env.str("CLAUDE_SIMULATOR_URL", default="http://127.0.0.1:8765")
CLAUDE_SIMULATED = not (ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL)
# In production a blank key is a mistake, not a request for demo questions.
if CLAUDE_SIMULATED and not env.bool("CLAUDE_USE_SIMULATOR", default=DEBUG):
    raise ImproperlyConfigured(
        "ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE) is empty and DEBUG is off. Set the key, "
        "or set CLAUDE_USE_SIMULATOR=1 to serve simulated questions on purpose."
    )
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
# Uploads (docs/security.md "Uploads"). UPLOAD_MAX_BYTES is the one cap on a screenshot; a
# request may carry DATA_UPLOAD_MAX_MEMORY_SIZE more (the other fields, multipart framing).
# satgen/uploads.py refuses a bigger body with 413 while it streams and keeps each file in
# memory only up to the cap; bodies under the cap stay in memory (no temporary files).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
FILE_UPLOAD_HANDLERS = ["satgen.uploads.CappedUploadHandler"]
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)

# Limits on paid work (generation/limits.py, docs/security.md); 0 turns one off. Staff can
# set other values for one tutor in the admin (Allowances).
LIMIT_ACTIONS_PER_MINUTE = env.int("LIMIT_ACTIONS_PER_MINUTE", default=10)  # jobs, revisions...
LIMIT_QUESTIONS_PER_DAY = env.int("LIMIT_QUESTIONS_PER_DAY", default=200)
LIMIT_JOBS_AT_ONCE = env.int("LIMIT_JOBS_AT_ONCE", default=3)  # queued or running, per tutor
LIMIT_SPEND_PER_MONTH_USD = Decimal(env.str("LIMIT_SPEND_PER_MONTH_USD", default="20"))
# For the whole deployment: at this Claude spend in a day (UTC), no new paid work starts.
LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD = Decimal(
    env.str("LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD", default="100")
)

# Workers heartbeat; a job whose worker missed heartbeats for WORKER_STALLED_AFTER
# seconds is handed to another worker by the recovery task (JOB_RECOVERY_CRON,
# with a sixth column for seconds).
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_STALLED_AFTER = env.float("WORKER_STALLED_AFTER", default=30.0)
# Touched every WORKER_HEARTBEAT_SECONDS once a worker's embedding model is loaded: what the
# worker pods' startup and liveness probes look at.
WORKER_HEARTBEAT_FILE = env.str("WORKER_HEARTBEAT_FILE", default="/tmp/satgen/worker-alive")
# The sixth column is seconds: every 15 seconds is "* * * * * */15" ("*/15 * * * * *" would
# mean every second of minutes 0, 15, 30 and 45).
JOB_RECOVERY_CRON = env.str("JOB_RECOVERY_CRON", default="* * * * * */15")
# Procrastinate's records of tasks that ended are deleted after TASK_KEEP_HOURS.
TASK_PRUNE_CRON = env.str("TASK_PRUNE_CRON", default="17 3 * * *")
TASK_KEEP_HOURS = env.int("TASK_KEEP_HOURS", default=168)
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": WORKER_HEARTBEAT_SECONDS,
    "stalled_worker_timeout": WORKER_STALLED_AFTER,
}
