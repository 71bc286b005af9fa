from __future__ import annotations

from django.urls import path

from questions import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("bank/", views.bank, name="bank"),
]
