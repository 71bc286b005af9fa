"""The "Save to set" form that sets places on the bank and job pages (sets_tags)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.tests.builders import make_question
from sets.models import QuestionSet, SetItem
from sets.tests.builders import generated_question

pytestmark = pytest.mark.django_db

BANK_URL = reverse("bank")


def test_the_bank_offers_only_the_tutors_own_sets(tutor_client, tutor, django_user_model):
    make_question()
    mine = QuestionSet.objects.create(owner=tutor, name="Week 3")
    other = django_user_model.objects.create_user("other")
    QuestionSet.objects.create(owner=other, name="Someone else's")
    page = tutor_client.get(BANK_URL).content.decode()
    assert f'<option value="{mine.pk}">Week 3</option>' in page
    assert "Someone else" not in page
    assert 'name="new_set_name"' in page  # a new set can still be started


def test_a_new_set_name_wins_over_the_set_picked(tutor_client, tutor):
    question = make_question()
    QuestionSet.objects.create(owner=tutor, name="Week 3")
    response = tutor_client.post(
        reverse("sets:add"),
        {"bank_id": question.pk, "set_id": tutor.question_sets.get().pk, "new_set_name": "Week 4"},
    )
    assert response.status_code == 302
    assert SetItem.objects.get(bank=question).set.name == "Week 4"


def test_saving_from_the_bank_adds_the_question_and_returns_to_the_results(tutor_client, tutor):
    question = make_question()
    question_set = QuestionSet.objects.create(owner=tutor, name="Week 3")
    back = f"{BANK_URL}?skill={question.skill}&page=1"
    response = tutor_client.post(
        reverse("sets:add"),
        {"bank_id": question.pk, "set_id": question_set.pk, "next": back},
    )
    assert response.status_code == 302 and response.url == back
    assert SetItem.objects.filter(set=question_set, bank=question).exists()


def test_the_sets_are_read_once_per_page_and_the_form_prints_no_template_comment(
    tutor_client, tutor
):
    for number in range(5):
        make_question(external_id=f"save-{number}")
    QuestionSet.objects.create(owner=tutor, name="Week 3")
    with CaptureQueriesContext(connection) as queries:
        page = tutor_client.get(BANK_URL).content.decode()
    assert page.count("Save to set</button>") == 5
    reads = [q["sql"] for q in queries.captured_queries if '"sets_questionset"' in q["sql"]]
    assert len(reads) == 1
    assert "Takes:" not in page and "{#" not in page and "endcomment" not in page


def test_the_job_page_offers_the_owners_sets_for_each_finished_question(tutor_client, tutor, job):
    generated_question(job, position=1)
    generated_question(job, position=2)
    mine = QuestionSet.objects.create(owner=tutor, name="Week 3")
    page = tutor_client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert page.count(f'<option value="{mine.pk}">Week 3</option>') == 2
    assert "Takes:" not in page and "{#" not in page


def test_the_live_fragments_of_a_job_read_the_sets_once(tutor, job):
    from generation.consumers import job_fragments

    for position in (1, 2, 3):
        generated_question(job, position=position)
    QuestionSet.objects.create(owner=tutor, name="Week 3")
    with CaptureQueriesContext(connection) as queries:
        parts = job_fragments(job.pk)
    assert sum(part.count("Save to set</button>") for part in parts.values()) == 6  # list + cards
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'FROM "sets_questionset"' in q]) == 1  # the sets to offer
    assert len([q for q in sql if 'FROM "sets_setitem"' in q]) == 1  # which cards are saved
