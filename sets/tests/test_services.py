from __future__ import annotations

import pytest
from django.db import IntegrityError

from sets.models import QuestionSet, SetItem
from sets.services import (
    SetError,
    set_add_bank,
    set_add_generated,
    set_add_question,
    set_create,
    set_delete,
    set_move_item,
    set_remove_item,
    set_rename,
)
from sets.tests.builders import bank_question, generated_question

pytestmark = pytest.mark.django_db


def _positions(question_set: QuestionSet) -> list[tuple[int, int | None]]:
    """Return (position, question id) of each item, in order."""
    return [
        (item.position, item.generated_id or item.bank_id)
        for item in SetItem.objects.filter(set=question_set).order_by("position")
    ]


def test_a_tutor_saves_passed_and_flagged_questions_from_their_own_job(tutor, job):
    question_set = set_create(owner=tutor, name="  Week 3   warm-up ")
    passed = generated_question(job, 1, "passed")
    flagged = generated_question(job, 2, "flagged")

    first, created_first = set_add_generated(question_set=question_set, question=passed)
    second, created_second = set_add_generated(question_set=question_set, question=flagged)

    assert question_set.name == "Week 3 warm-up"
    assert created_first and created_second
    assert (first.position, second.position) == (1, 2)
    assert _positions(question_set) == [(1, passed.pk), (2, flagged.pk)]


def test_another_tutors_generated_question_is_refused(tutor, other_job):
    question_set = set_create(owner=tutor, name="Mine")
    theirs = generated_question(other_job, 1, "passed")

    with pytest.raises(SetError, match="your own jobs"):
        set_add_generated(question_set=question_set, question=theirs)
    assert not SetItem.objects.exists()


@pytest.mark.parametrize(
    ("status", "superseded", "message"),
    [
        ("failed", False, "failed its checks"),
        ("drafting", False, "still being written"),
        ("checking", False, "still being written"),
        ("passed", True, "revised"),
    ],
)
def test_failed_unfinished_and_superseded_questions_are_refused(
    tutor, job, status, superseded, message
):
    question_set = set_create(owner=tutor, name="Set")
    question = generated_question(job, 1, status, superseded=superseded)

    with pytest.raises(SetError, match=message):
        set_add_generated(question_set=question_set, question=question)
    assert not SetItem.objects.exists()


def test_a_question_revised_after_the_page_was_loaded_is_refused(tutor, job):
    question_set = set_create(owner=tutor, name="Set")
    question = generated_question(job, 1, "passed")
    type(question).objects.filter(pk=question.pk).update(superseded=True)

    with pytest.raises(SetError, match="revised"):
        set_add_generated(question_set=question_set, question=question)


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_only_approved_bank_questions_can_be_saved(tutor, status):
    question_set = set_create(owner=tutor, name="Set")

    with pytest.raises(SetError, match="approved bank questions"):
        set_add_bank(question_set=question_set, question=bank_question(status=status))

    approved = bank_question(stem="Which choice best states the main idea?")
    item, created = set_add_bank(question_set=question_set, question=approved)
    assert created and item.bank_id == approved.pk and item.position == 1


def test_adding_the_same_question_twice_is_a_no_op(tutor, job):
    question_set = set_create(owner=tutor, name="Set")
    generated = generated_question(job, 1)
    bank = bank_question()

    first, _ = set_add_generated(question_set=question_set, question=generated)
    again, created = set_add_generated(question_set=question_set, question=generated)
    set_add_bank(question_set=question_set, question=bank)
    _, bank_created = set_add_bank(question_set=question_set, question=bank)

    assert again.pk == first.pk and not created and not bank_created
    assert SetItem.objects.filter(set=question_set).count() == 2


def test_the_same_question_can_be_in_two_sets(tutor, job):
    generated = generated_question(job, 1)
    for name in ("One", "Two"):
        set_add_generated(question_set=set_create(owner=tutor, name=name), question=generated)
    assert SetItem.objects.filter(generated=generated).count() == 2


def test_moving_an_item_renumbers_the_set_one_to_n(tutor, job):
    question_set = set_create(owner=tutor, name="Set")
    questions = [generated_question(job, position) for position in range(1, 5)]
    items = [set_add_generated(question_set=question_set, question=q)[0] for q in questions]
    a, b, c, d = (q.pk for q in questions)

    set_move_item(item=items[3], to_position=1)
    assert _positions(question_set) == [(1, d), (2, a), (3, b), (4, c)]

    moved = set_move_item(item=items[3], to_position=99)  # clamped to the end
    assert moved.position == 4
    assert _positions(question_set) == [(1, a), (2, b), (3, c), (4, d)]

    set_move_item(item=items[0], to_position=2)
    assert _positions(question_set) == [(1, b), (2, a), (3, c), (4, d)]


def test_removing_an_item_closes_the_gap(tutor, job):
    question_set = set_create(owner=tutor, name="Set")
    questions = [generated_question(job, position) for position in range(1, 4)]
    items = [set_add_generated(question_set=question_set, question=q)[0] for q in questions]

    set_remove_item(item=items[0])

    assert _positions(question_set) == [(1, questions[1].pk), (2, questions[2].pk)]
    with pytest.raises(SetError, match="no longer in the set"):
        set_move_item(item=items[0], to_position=1)


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_set_needs_a_name_of_at_most_120_characters(tutor, name):
    with pytest.raises(SetError):
        set_create(owner=tutor, name=name)
    question_set = set_create(owner=tutor, name="Fine")
    with pytest.raises(SetError):
        set_rename(question_set=question_set, name=name)
    question_set.refresh_from_db()
    assert question_set.name == "Fine"


def test_rename_and_delete(tutor, job):
    question_set = set_create(owner=tutor, name="Old")
    generated = generated_question(job, 1)
    set_add_generated(question_set=question_set, question=generated)

    set_rename(question_set=question_set, name="New")
    assert QuestionSet.objects.get().name == "New"

    set_delete(question_set=question_set)
    assert not QuestionSet.objects.exists() and not SetItem.objects.exists()
    generated.refresh_from_db()  # the question itself stays


def test_saving_to_a_new_set_leaves_no_empty_set_when_the_question_is_refused(tutor, job):
    failed = generated_question(job, 1, "failed")

    with pytest.raises(SetError):
        set_add_question(owner=tutor, new_set_name="Fresh", generated=failed)
    assert not QuestionSet.objects.exists()

    question_set, item, created = set_add_question(
        owner=tutor, new_set_name="Fresh", generated=generated_question(job, 2)
    )
    assert question_set.name == "Fresh" and created and item.set_id == question_set.pk


def test_saving_to_another_tutors_set_is_refused(tutor, other_tutor, job):
    theirs = set_create(owner=other_tutor, name="Theirs")
    with pytest.raises(SetError, match="your own sets"):
        set_add_question(owner=tutor, question_set=theirs, generated=generated_question(job))


def test_an_item_holds_exactly_one_question(tutor, job):
    question_set = set_create(owner=tutor, name="Set")
    with pytest.raises(IntegrityError):
        SetItem.objects.create(
            set=question_set, position=1, generated=generated_question(job), bank=bank_question()
        )


def test_the_database_refuses_a_duplicate_item(tutor):
    question_set = set_create(owner=tutor, name="Set")
    bank = bank_question()
    SetItem.objects.create(set=question_set, position=1, bank=bank)
    with pytest.raises(IntegrityError):
        SetItem.objects.create(set=question_set, position=2, bank=bank)


def test_a_new_set_name_the_tutor_already_has_saves_to_that_set(tutor, job):
    first, _, _ = set_add_question(
        owner=tutor, new_set_name="Week 3", generated=generated_question(job, 1)
    )
    second, _, created = set_add_question(
        owner=tutor, new_set_name=" week 3 ", generated=generated_question(job, 2)
    )
    assert second == first and created
    assert QuestionSet.objects.filter(owner=tutor).count() == 1
    assert SetItem.objects.filter(set=first).count() == 2
