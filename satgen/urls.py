from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from generation import views as generation_views
from satgen.api import api

urlpatterns = [
    path("", generation_views.job_new, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("jobs/", include("generation.urls")),
    path("sets/", include("sets.urls")),
    path("", include("questions.urls")),
]
