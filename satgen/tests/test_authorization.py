"""Authorization by construction: every route of the URLconf, the API and the sockets, tried
as anonymous, the owner, another tutor and staff who do not own the object.

The routes come from the resolvers, not from a list written here: a new view or endpoint
fails this module until it is classified below (public, any tutor, or, when its URL names
an object, owner only), and an owner-only route fails unless strangers get 404, 403 or 405
and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.models import ApiToken
from accounts.services import api_token_create
from generation.models import GeneratedQuestion, Job
from generation.routing import websocket_urlpatterns
from generation.services import JobOptions, job_submit
from generation.tests.builders import generated_question, make_user, question_png
from generation.tests.test_consumers import _session_cookie
from satgen.asgi import application
from sets.models import QuestionSet, SetItem
from sets.services import set_add_generated, set_create

# Answered to anyone (the login and probe pages, the API's schema and its 404 root).
PUBLIC = {"healthz", "readyz", "metrics", "login", "logout", "api:openapi-json", "api:api-root"}
# Any signed-in tutor, each seeing only their own (lists, forms, the bank).
ANY_TUTOR = {
    "home",
    "job_new",
    "job_list",
    "password_change",
    "password_change_done",
    "api_tokens",
    "sets:list",
    "sets:add",
    "bank",
    "api:job_create",
    "api:job_list",
    "api:list_sets",
}
# Every route with an object in its URL is the owner's only; how each parameter is filled.
PARAMETERS = {"public_id", "job_id", "question_id", "set_id", "item_id", "token_id"}
WEBSOCKET_ROUTES = {"ws/jobs/<uuid:public_id>/"}
STRANGER_STATUSES = {403, 404, 405}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    parameters: tuple[str, ...]

    @property
    def api(self) -> bool:
        return self.name.startswith("api:")


def _routes(resolver: URLResolver, namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # test_every_admin_view_is_staff_only
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for route in _routes(entry, inner):
                yield Route(
                    route.name,
                    str(entry.pattern) + route.pattern,
                    tuple(entry.pattern.converters) + route.parameters,
                )
        elif isinstance(entry, URLPattern):
            yield Route(
                f"{namespace}{entry.name or entry.pattern}",
                str(entry.pattern),
                tuple(entry.pattern.converters),
            )


ROUTES = list(_routes(get_resolver()))
OWNER_ONLY = [route for route in ROUTES if route.parameters]


def test_every_route_is_classified():
    unclassified = [
        route.name
        for route in ROUTES
        if not route.parameters and route.name not in PUBLIC | ANY_TUTOR
    ]
    unfillable = [
        f"{route.name} ({', '.join(set(route.parameters) - PARAMETERS)})"
        for route in OWNER_ONLY
        if not set(route.parameters) <= PARAMETERS
    ]
    assert not unclassified, (
        f"Classify these routes in {__name__}: PUBLIC or ANY_TUTOR: {unclassified}"
    )
    assert not unfillable, f"Say how to fill these routes' parameters (PARAMETERS): {unfillable}"


@pytest.fixture
def world(db) -> dict[str, Any]:
    owner, other, staff = make_user("owner"), make_user("other"), make_user("staff")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    job = job_submit(
        owner=owner, options=JobOptions(), upload=("q.png", question_png("If 2x = 8, what is x?"))
    )
    question = generated_question(job)
    question_set = set_create(owner=owner, name="Owner's set")
    item, _ = set_add_generated(question_set=question_set, question=question)
    token, _ = api_token_create(user=owner, name="owner's script")
    values = {
        "public_id": job.public_id,
        "job_id": str(job.public_id),
        "question_id": question.pk,
        "set_id": question_set.pk,
        "item_id": item.pk,
        "token_id": token.pk,
    }
    return {"owner": owner, "other": other, "staff": staff, "values": values}


def _client(user, *, api: bool) -> Client:
    if api:
        if user is None:
            return Client()
        _, secret = api_token_create(user=user, name="matrix")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _state() -> tuple:
    """What a stranger's request must not change: the owner's objects and the queue."""
    return (
        list(Job.objects.order_by("pk").values_list("status", "count", "skill")),
        list(GeneratedQuestion.objects.order_by("pk").values_list("superseded", "status")),
        list(QuestionSet.objects.order_by("pk").values_list("name")),
        list(SetItem.objects.order_by("pk").values_list("position", "set_id")),
        ApiToken.objects.filter(name="owner's script").count(),
        ProcrastinateJob.objects.count(),
    )


@pytest.mark.parametrize("route", OWNER_ONLY, ids=lambda route: route.name)
def test_only_the_owner_reaches_an_object(route, world):
    kwargs = {name: world["values"][name] for name in route.parameters}
    url = reverse(route.name, kwargs=kwargs)
    before = _state()
    for method in ("get", "post"):
        anonymous = getattr(_client(None, api=route.api), method)(url)
        if route.api:
            assert anonymous.status_code in {401, 405}, (method, anonymous.status_code)
        else:
            assert anonymous.status_code == 302, (method, anonymous.status_code)
            assert anonymous["Location"].startswith(reverse("login"))
        for stranger in ("other", "staff"):  # staff own nothing here: the admin is theirs
            answer = getattr(_client(world[stranger], api=route.api), method)(url)
            assert answer.status_code in STRANGER_STATUSES, (stranger, method, answer.status_code)
        assert _state() == before, f"a stranger's {method.upper()} changed something"
    owner = _client(world["owner"], api=route.api).get(url)
    assert owner.status_code not in {401, 403, 404} and owner.status_code < 500


@pytest.mark.parametrize("name", sorted(ANY_TUTOR), ids=str)
def test_a_tutors_page_needs_a_tutor(name, world):
    url = reverse(name)
    api = name.startswith("api:")
    anonymous = _client(None, api=api).get(url)
    assert anonymous.status_code == (401 if api else 302)
    answer = _client(world["other"], api=api).get(url)
    assert answer.status_code < 500
    assert "Owner's set" not in answer.content.decode()  # another tutor's work is not listed


def test_every_admin_view_is_staff_only(world):
    tutor, staff = _client(world["other"], api=False), _client(world["staff"], api=False)
    checked = 0
    urls = admin.site.get_urls()
    models = [
        entry for each in urls if isinstance(each, URLResolver) for entry in each.url_patterns
    ]
    for entry in urls + models:
        if (
            not isinstance(entry, URLPattern)
            or entry.pattern.regex.groups
            or entry.name
            in {
                "login",
                "logout",
                "javascript-catalog",
            }
        ):
            continue
        url = reverse(f"admin:{entry.name}")
        answer = tutor.get(url)
        assert answer.status_code == 302 and "/admin/login/" in answer["Location"], entry.name
        checked += 1
    assert checked > 20  # the index and every model's changelist and add page
    assert staff.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        assert staff.get(reverse(changelist)).status_code == 200, changelist


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_only_the_owner_opens_a_jobs_socket():
    assert {str(route.pattern) for route in websocket_urlpatterns} == WEBSOCKET_ROUTES, (
        "Classify the new WebSocket route in WEBSOCKET_ROUTES and test who may open it here"
    )

    @sync_to_async
    def people():
        owner, other, staff = make_user("owner"), make_user("other"), make_user("staff")
        staff.is_staff = True
        staff.save()
        job = job_submit(owner=owner, options=JobOptions(), text="If 2x = 8, what is x?")
        return job, {who.username: _session_cookie(who) for who in (owner, other, staff)}

    job, cookies = await people()
    for who in ("anonymous", "other", "staff", "owner"):
        headers = [(b"origin", b"http://localhost")]
        if who in cookies:
            headers.append((b"cookie", cookies[who].encode()))
        socket = WebsocketCommunicator(application, f"/ws/jobs/{job.public_id}/", headers)
        await socket.connect()
        first = await socket.receive_output(timeout=5)
        if who == "owner":
            assert first["type"] == "websocket.send", first
        else:
            assert first == {"type": "websocket.close", "code": 4403}, who
        await socket.disconnect()
