from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from questions.models import Question
from questions.tests.builders import make_question, mcq_record

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:questions_question_changelist")


def test_the_changelist_filters_by_every_taxonomy_level_status_and_source(staff_client):
    make_question(skill="linear_functions", difficulty="hard")
    make_question(skill="linear_inequalities", difficulty="easy", status="retired")

    page = staff_client.get(CHANGELIST).content.decode()
    for parameter in ("section__exact", "domain__exact", "skill__exact", "difficulty__exact"):
        assert parameter in page
    for parameter in ("status__exact", "source__exact", "embedding="):
        assert parameter in page

    hard = staff_client.get(CHANGELIST, {"difficulty__exact": "hard"})
    assert [q.skill for q in hard.context["cl"].result_list] == ["linear_functions"]
    retired = staff_client.get(CHANGELIST, {"status__exact": "retired"})
    assert [q.skill for q in retired.context["cl"].result_list] == ["linear_inequalities"]


def test_search_looks_in_stem_and_passage(staff_client):
    make_question(stem="A question about pelicans?")
    make_question(
        section="rw",
        domain="craft_structure",
        skill="words_in_context",
        passage="The heron waited, ______ as stone.",
        stem="Which choice completes the text?",
    )
    make_question(stem="Nothing to see here?")
    for term, count in (("pelicans", 1), ("heron", 1), ("zebra", 0)):
        response = staff_client.get(CHANGELIST, {"q": term})
        assert len(response.context["cl"].result_list) == count, term


def test_embedding_column_shows_fresh_stale_or_missing_not_numbers(staff_client):
    fresh = make_question(stem="Fresh one?")
    Question.objects.filter(pk=fresh.pk).update(
        embedding=[0.1] * 384, embedding_hash=fresh.content_hash
    )
    stale = make_question(stem="Stale one?")
    Question.objects.filter(pk=stale.pk).update(embedding=[0.1] * 384, embedding_hash="old")
    make_question(stem="Missing one?")

    for state in ("fresh", "stale", "missing"):
        response = staff_client.get(CHANGELIST, {"embedding": state})
        rows = response.context["cl"].result_list
        assert [q.stem for q in rows] == [f"{state.title()} one?"]
        assert f'<td class="field-embedding_state">{state}</td>' in response.content.decode()
    detail = staff_client.get(reverse("admin:questions_question_change", args=[fresh.pk]))
    assert "0.1, 0.1" not in detail.content.decode()


def test_approve_and_retire_actions_change_status(staff_client):
    draft = make_question(status="draft")
    staff_client.post(CHANGELIST, {"action": "approve", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "approved"
    staff_client.post(CHANGELIST, {"action": "retire", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "retired"


def test_reembed_action_queues_a_task_for_the_worker(
    staff_client, django_capture_on_commit_callbacks
):
    questions = [make_question(), make_question()]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CHANGELIST,
            {"action": "reembed", "_selected_action": [q.pk for q in questions]},
            follow=True,
        )
    assert "Queued 2 question(s) for re-embedding." in response.content.decode()
    job = ProcrastinateJob.objects.get(task_name="questions.embed_questions")
    assert job.args == {"question_ids": sorted(q.pk for q in questions)}
    assert job.status == "todo"


def test_editing_a_question_in_admin_queues_its_re_embedding(
    staff_client, django_capture_on_commit_callbacks
):
    question = make_question()
    Question.objects.filter(pk=question.pk).update(
        embedding=[0.1] * 384, embedding_hash=question.content_hash
    )
    data = {
        **mcq_record(),
        "external_id": question.external_id,
        "stem": "An edited stem: what is x?",
        "choices": '["2", "4", "6", "8"]',
        "rationales": '{"A": "a", "C": "c", "D": "d"}',
    }
    url = reverse("admin:questions_question_change", args=[question.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, data)
    assert response.status_code == 302
    job = ProcrastinateJob.objects.get(task_name="questions.embed_questions")
    assert job.args == {"question_ids": [question.pk]}


def test_saving_an_unchanged_question_queues_nothing(
    staff_client, django_capture_on_commit_callbacks
):
    question = make_question()
    Question.objects.filter(pk=question.pk).update(
        embedding=[0.1] * 384, embedding_hash=question.content_hash
    )
    data = {
        **mcq_record(),
        "external_id": question.external_id,
        "stem": question.stem,
        "choices": '["2", "4", "6", "8"]',
        "rationales": '{"A": "Halves twice.", "C": "Adds instead of subtracting.", '
        '"D": "Forgets to divide by 2."}',
    }
    url = reverse("admin:questions_question_change", args=[question.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, data).status_code == 302
    assert not ProcrastinateJob.objects.exists()


def test_saving_in_admin_runs_full_validation(staff_client):
    data = {**mcq_record(skill="circles"), "choices": '["1", "2", "3", "4"]'}
    data["rationales"] = '{"A": "a", "C": "c", "D": "d"}'
    response = staff_client.post(reverse("admin:questions_question_add"), data)
    assert response.status_code == 200
    assert "belongs to Geometry and Trigonometry" in response.content.decode()
    assert not Question.objects.exists()


def test_the_admin_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("tutor", password="pw")
    client.force_login(user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_local_admin_is_announced_on_the_port_serve_local_uses(settings, tmp_path):
    settings.DEBUG, settings.BASE_DIR = True, tmp_path
    out = StringIO()
    call_command("ensure_local_admin", "--port", "8123", stdout=out)
    assert "Log in at http://127.0.0.1:8123/admin/ as 'admin'" in out.getvalue()
    assert (tmp_path / ".data" / "admin-password.txt").stat().st_mode & 0o077 == 0
