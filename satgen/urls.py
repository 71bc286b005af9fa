from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from generation import views as generation_views
from satgen import health, metrics
from satgen.api import api

urlpatterns = [
    # Answered by satgen.health.HostExemptMiddleware before host validation (probes).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Prometheus scrapes it from inside the cluster; the Ingress must not route it.
    path("metrics", metrics.metrics, name="metrics"),
    path("", generation_views.job_new, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("jobs/", include("generation.urls")),
    path("sets/", include("sets.urls")),
    path("", include("questions.urls")),
]
