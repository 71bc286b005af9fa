"""Settings for the test suite: the real settings with a throwaway key."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("CLAUDE_USE_SIMULATOR", "1")  # every Claude call goes to the simulator
# The suite's many short-lived processes and test databases are simpler without a pool; the
# production-shape test turns it on for its processes.
os.environ.setdefault("DB_POOL_MAX_SIZE", "0")
# The suite and the benchmarks start jobs far faster than a tutor: no limits on paid work,
# except in the tests of the limits (generation/tests/test_limits.py).
for limit in ("ACTIONS_PER_MINUTE", "QUESTIONS_PER_DAY", "JOBS_AT_ONCE", "SPEND_PER_MONTH_USD"):
    os.environ.setdefault(f"LIMIT_{limit}", "0")
os.environ.setdefault("LIMIT_DEPLOYMENT_SPEND_PER_DAY_USD", "0")

from satgen.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the app folders, as runserver does: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Parallel runs on one embedded server need distinct test databases.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405

# The test client's host, and the origin WebSocket tests and the browser use.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test client and the live servers speak plain HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)  # noqa: F405
