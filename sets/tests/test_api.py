from __future__ import annotations

import pytest
from ninja.testing import TestClient

from sets.api import router
from sets.services import set_add_generated, set_create
from sets.tests.builders import generated_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


def test_the_api_lists_only_the_callers_sets(api, tutor, other_tutor, job):
    mine = set_create(owner=tutor, name="Mine")
    set_add_generated(question_set=mine, question=generated_question(job))
    set_create(owner=other_tutor, name="Theirs")

    response = api.get("/", auth=tutor)

    assert response.status_code == 200
    [only] = response.json()
    assert (only["id"], only["name"], only["item_count"]) == (mine.pk, "Mine", 1)
    assert only["updated_at"]


def test_the_api_exports_the_same_bodies_as_the_pages(api, tutor, tutor_client, job):
    question_set = set_create(owner=tutor, name="Week 1")
    set_add_generated(question_set=question_set, question=generated_question(job))

    for fmt, page in (("json", "export.json"), ("csv", "export.csv")):
        response = api.get(f"/{question_set.pk}/export?format={fmt}", auth=tutor)
        from_page = tutor_client.get(f"/sets/{question_set.pk}/{page}")
        assert response.status_code == 200
        assert response.content == from_page.content
        assert response["Content-Disposition"] == from_page["Content-Disposition"]


def test_the_api_hides_another_tutors_set(api, tutor, other_tutor):
    theirs = set_create(owner=other_tutor, name="Theirs")
    assert api.get(f"/{theirs.pk}/export?format=csv", auth=tutor).status_code == 404


def test_the_api_refuses_an_unknown_format_and_a_missing_user(api, tutor):
    question_set = set_create(owner=tutor, name="Set")
    assert api.get(f"/{question_set.pk}/export?format=xml", auth=tutor).status_code == 422
    assert api.get("/").status_code == 401
