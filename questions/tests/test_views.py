from __future__ import annotations

import pytest

from questions.tests.builders import make_question

pytestmark = pytest.mark.django_db


def test_home_page_says_what_satgen_is_and_counts_the_bank(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("tutor"))
    make_question()
    make_question(section="rw", domain="conventions", skill="boundaries")
    make_question(status="retired")
    page = client.get("/").content.decode()
    assert "New SAT practice questions" in page
    assert "1 Math and\n      1 Reading and Writing approved questions" in page


def test_health_endpoints_answer(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
