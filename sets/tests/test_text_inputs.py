"""A NUL byte in a set's name is refused with a message, not a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sets.models import QuestionSet
from sets.services import set_create
from sets.tests.builders import bank_question

pytestmark = pytest.mark.django_db

MESSAGE = "invisible control character (U+0000"


def test_a_new_set_named_with_a_nul_byte_is_refused(tutor_client):
    response = tutor_client.post(reverse("sets:list"), {"name": "Week\x00 3"})
    assert response.status_code == 400 and MESSAGE in response.content.decode()
    assert not QuestionSet.objects.exists()


def test_renaming_a_set_with_a_nul_byte_keeps_its_name(tutor_client, tutor):
    question_set = set_create(owner=tutor, name="Week 3")
    response = tutor_client.post(
        reverse("sets:rename", args=[question_set.pk]), {"name": "Week\x00 4"}, follow=True
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    question_set.refresh_from_db()
    assert question_set.name == "Week 3"


def test_saving_to_a_new_set_named_with_a_nul_byte_is_refused(tutor_client):
    response = tutor_client.post(
        reverse("sets:add"),
        {"new_set_name": "Vocab\x00", "bank_id": bank_question().pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert not QuestionSet.objects.exists()
