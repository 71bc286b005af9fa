from __future__ import annotations

from django.urls import path

from questions import views

urlpatterns = [
    path("bank/", views.bank, name="bank"),
]
