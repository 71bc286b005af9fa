"""Probes: answered whatever the Host (the kubelet sends the pod IP), and honest about readiness."""

from __future__ import annotations

import pytest
from django.db import connection

from satgen import health

pytestmark = pytest.mark.django_db

POD_IP = "10.244.3.17:8000"


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = ["satgen.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    health._migrated = False


def test_probes_answer_a_pod_ip_host_over_plain_http(client, production_hosts):
    assert client.get("/healthz", HTTP_HOST=POD_IP).json() == {"status": "ok"}
    ready = client.get("/readyz", HTTP_HOST=POD_IP)
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "redis": "not used",
    }


def test_every_other_path_still_validates_the_host(client, production_hosts):
    assert client.get("/accounts/login/", HTTP_HOST=POD_IP).status_code == 400
    assert client.get("/api/v1/jobs/", HTTP_HOST=POD_IP).status_code == 400
    # ...and a real request over plain HTTP is sent to HTTPS.
    response = client.get("/accounts/login/", HTTP_HOST="satgen.example.com")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_readiness_names_an_unreachable_redis(client, production_hosts, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz", HTTP_HOST=POD_IP)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["redis"].startswith("error: ") and "127.0.0.1" not in body["redis"]


def test_readiness_waits_for_pending_migrations(client, production_hosts):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DELETE FROM django_migrations WHERE app = 'generation'")
    body = client.get("/readyz", HTTP_HOST=POD_IP).json()
    assert body["failing"] == ["migrations"]
    assert body["migrations"].endswith(" pending")


def test_a_probe_is_a_get(client, production_hosts):
    assert client.post("/readyz", HTTP_HOST=POD_IP).status_code == 405
