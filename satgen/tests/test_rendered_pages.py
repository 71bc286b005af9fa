"""Every page, rendered with seeded data, prints no template syntax.

Django's `{# #}` comment is single-line: a multi-line one is printed under every question,
and no test that looked only for the expected text saw it. This walks every URL of the
tutor's pages and the admin pages of our models, with jobs in each state, a set and the
bank, and fails on any template syntax left in the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from generation.models import GeneratedQuestion, Job
from generation.services import job_cancel
from generation.tests.builders import (
    generated_question,
    generated_spr,
    make_failed_job,
    make_job,
    make_user,
)
from sets.models import QuestionSet, SetItem
from sets.tests.builders import bank_question

pytestmark = pytest.mark.django_db

LEFT_OVER = re.compile(r"\{[#%{]|[#%]\}")  # "}}" is also JSON's, in the admin
OUR_APPS = ("generation", "sets", "questions", "accounts")
NOT_PAGES = ("api", "admin", "healthz", "readyz", "metrics", "logout")


def our_routes(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Yield (the name to reverse, route) of every page route but the API, admin and probes."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if str(pattern.pattern).startswith(NOT_PAGES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from our_routes(pattern, inner)
        else:
            yield f"{namespace}{pattern.name}", pattern


def seeded() -> dict[str, Any]:
    """A tutor with a finished, a running, a failed and a cancelled job, a set and a bank."""
    tutor = make_user("tutor")
    done = make_job(owner=tutor, count=3)
    Job.objects.filter(pk=done.pk).update(
        status="succeeded", skill="linear_functions", domain="algebra", section="math"
    )
    done.stages.update(status="succeeded")
    passed = generated_question(done, position=1)
    generated_spr(done, position=2)
    generated_question(done, position=3, status="flagged", flag_reasons=["The solve disagreed."])
    make_job(owner=tutor)
    make_failed_job(owner=tutor, error="Claude is busy or unreachable right now.")
    job_cancel(job=make_job(owner=tutor, count=2))
    question_set = QuestionSet.objects.create(owner=tutor, name="Week 3")
    item = SetItem.objects.create(set=question_set, generated=passed, position=1)
    bank = bank_question()
    SetItem.objects.create(set=question_set, bank=bank, position=2)
    return {"tutor": tutor, "job": done, "set": question_set, "item": item, "question": passed}


def urls_of(name: str, pattern: URLPattern, data: dict[str, Any]) -> list[str]:
    """The URLs a route serves for the seeded data (one per job for the job page)."""
    values = {
        "set_id": data["set"].pk,
        "item_id": data["item"].pk,
        "question_id": data["question"].pk,
        "token_id": 1,
    }
    names = list(pattern.pattern.converters)
    if "public_id" in names:
        jobs = Job.objects.filter(owner=data["tutor"])
        return [
            reverse(name, kwargs={"public_id": job.public_id} | _pick(values, names))
            for job in jobs
        ]
    return [reverse(name, kwargs=_pick(values, names))]


def _pick(values: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {name: values[name] for name in names if name != "public_id"}


def assert_clean(client: Client, url: str) -> bool:
    """Return whether url answered a page (not 405); fail on template syntax in it."""
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        return False
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    assert not LEFT_OVER.search(page), (url, LEFT_OVER.search(page))
    return True


def test_every_tutor_page_renders_without_template_syntax(client):
    data = seeded()
    client.force_login(data["tutor"])
    shown = []
    for name, pattern in our_routes():
        if name == "job_source_image":
            continue  # an image, not a page (generation/tests/test_source_image.py)
        shown += [url for url in urls_of(name, pattern, data) if assert_clean(client, url)]
    assert reverse("sets:delete", args=[data["set"].pk]) in shown
    assert len(shown) >= 14, shown
    client.logout()
    assert assert_clean(client, reverse("login"))


def test_every_admin_page_of_ours_renders_without_template_syntax(admin_client):
    seeded()
    ours = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]
    assert {Job, GeneratedQuestion, QuestionSet} <= set(ours)
    for model in ours:
        info = model._meta.app_label, model._meta.model_name
        assert_clean(admin_client, reverse("admin:{}_{}_changelist".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            assert_clean(admin_client, reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
