from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from questions.models import Question


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    by_section = dict(
        Question.objects.filter(status=Question.Status.APPROVED)
        .values_list("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )
    return render(request, "questions/home.html", {"bank_by_section": by_section})


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers HTTP."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
