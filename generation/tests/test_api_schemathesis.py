"""The API against its own OpenAPI document: property-based requests, not one a server error.

Schemathesis reads /api/v1/openapi.json and sends each operation requests generated from it,
valid and not (wrong types, NUL bytes, huge numbers, unknown ids), in-process through Django's
WSGI handler with a tutor's API token. The check is the one the issue asks for: no 5xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from accounts.services import api_token_create
from generation.tests.builders import make_job, make_user

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_the_test_connection():
    """Django's test client does this too: a request must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_the_test_connection) -> str:
    tutor = make_user("tutor")
    make_job(owner=tutor)  # something of the tutor's for the generated ids to miss or hit
    return api_token_create(user=tutor, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The database fixture is function-scoped on purpose: every example sees the tutor.
    suppress_health_check=list(HealthCheck),
)
def test_no_request_the_document_allows_is_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
