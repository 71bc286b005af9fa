"""Writes to question sets: create, rename, delete, add, remove and reorder.

Every write that touches a set's items first locks the set's row, so two tabs adding or
moving at once are serialised and positions stay 1..n without gaps or duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from generation.models import GeneratedQuestion
from questions.models import Question
from questions.textinput import text_problem
from sets.models import NAME_MAX_LENGTH, QuestionSet, SetItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ADDABLE_GENERATED_STATUSES = (GeneratedQuestion.Status.PASSED, GeneratedQuestion.Status.FLAGGED)


class SetError(Exception):
    """A refused change to a set, with a message a tutor can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    problem = text_problem(name)
    if problem is not None:
        raise SetError(problem)
    if not name:
        raise SetError("Give the set a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise SetError(f"A set name can be at most {NAME_MAX_LENGTH} characters long.")
    return name


def _lock(question_set: QuestionSet) -> QuestionSet:
    return QuestionSet.objects.select_for_update().get(pk=question_set.pk)


def _touch(question_set: QuestionSet) -> None:
    now = timezone.now()
    QuestionSet.objects.filter(pk=question_set.pk).update(updated_at=now)
    question_set.updated_at = now


def _renumber(items: list[SetItem]) -> None:
    """Give the items positions 1..n in list order, writing only the ones that changed."""
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        SetItem.objects.bulk_update(changed, ["position"])


@transaction.atomic
def set_create(*, owner: User, name: str) -> QuestionSet:
    """Create an empty set for owner."""
    return QuestionSet.objects.create(owner=owner, name=_clean_name(name))


@transaction.atomic
def set_rename(*, question_set: QuestionSet, name: str) -> QuestionSet:
    """Give the set a new name."""
    question_set.name = _clean_name(name)
    question_set.save(update_fields=["name", "updated_at"])
    return question_set


@transaction.atomic
def set_delete(*, question_set: QuestionSet) -> None:
    """Delete the set and its items (the questions themselves stay)."""
    question_set.delete()


def _generated_refusal(question_set: QuestionSet, question: GeneratedQuestion) -> str | None:
    if question.job.owner_id != question_set.owner_id:
        return "You can only save questions from your own jobs."
    if question.superseded:
        return "This question has been revised since; save the current version instead."
    if question.status == GeneratedQuestion.Status.FAILED:
        return "This question failed its checks, so it cannot be saved to a set."
    if question.status not in ADDABLE_GENERATED_STATUSES:
        return "This question is still being written; save it once its checks have finished."
    return None


def _append(question_set: QuestionSet, **question: object) -> tuple[SetItem, bool]:
    """Add the question at the end of the locked set, or return its existing item."""
    existing = SetItem.objects.filter(set=question_set, **question).first()
    if existing is not None:
        return existing, False
    last = SetItem.objects.filter(set=question_set).aggregate(last=Max("position"))["last"]
    item = SetItem.objects.create(set=question_set, position=(last or 0) + 1, **question)
    _touch(question_set)
    return item, True


@transaction.atomic
def set_add_generated(
    *, question_set: QuestionSet, question: GeneratedQuestion
) -> tuple[SetItem, bool]:
    """Add one of the owner's checked generated questions; return (item, created)."""
    locked = _lock(question_set)
    # Re-read: the caller's copy may predate a revision or a finished check.
    current = GeneratedQuestion.objects.select_related("job").get(pk=question.pk)
    refusal = _generated_refusal(locked, current)
    if refusal:
        raise SetError(refusal)
    return _append(locked, generated=current)


@transaction.atomic
def set_add_bank(*, question_set: QuestionSet, question: Question) -> tuple[SetItem, bool]:
    """Add an approved bank question; return (item, created)."""
    locked = _lock(question_set)
    status = Question.objects.filter(pk=question.pk).values_list("status", flat=True).first()
    if status != Question.Status.APPROVED:
        raise SetError("Only approved bank questions can be saved to a set.")
    return _append(locked, bank_id=question.pk)


@transaction.atomic
def set_add_question(
    *,
    owner: User,
    question_set: QuestionSet | None = None,
    new_set_name: str = "",
    generated: GeneratedQuestion | None = None,
    bank: Question | None = None,
) -> tuple[QuestionSet, SetItem, bool]:
    """Add a question to owner's set, creating the set first when a new name is given.

    A "new" name the owner already has a set of (other cards on a page that predate the set
    still offer only the name field) saves to that set. All or nothing: a refused question
    leaves no new, empty set behind.
    """
    if (generated is None) == (bank is None):
        raise SetError("Choose one question to save.")
    if question_set is None:
        name = _clean_name(new_set_name)
        same_name = QuestionSet.objects.filter(owner=owner, name__iexact=name)
        question_set = same_name.order_by("-updated_at").first() or set_create(
            owner=owner, name=name
        )
    elif question_set.owner_id != owner.pk:
        raise SetError("You can only save questions to your own sets.")
    if generated is not None:
        item, created = set_add_generated(question_set=question_set, question=generated)
    else:
        assert bank is not None
        item, created = set_add_bank(question_set=question_set, question=bank)
    return question_set, item, created


def _locked_items(item: SetItem) -> tuple[QuestionSet, list[SetItem]]:
    question_set = QuestionSet.objects.select_for_update().get(pk=item.set_id)
    items = list(SetItem.objects.filter(set=question_set).order_by("position", "id"))
    if not any(other.pk == item.pk for other in items):
        raise SetError("That question is no longer in the set.")
    return question_set, items


@transaction.atomic
def set_remove_item(*, item: SetItem) -> None:
    """Remove the item from its set and close the gap it leaves."""
    question_set, items = _locked_items(item)
    SetItem.objects.filter(pk=item.pk).delete()
    _renumber([other for other in items if other.pk != item.pk])
    _touch(question_set)


@transaction.atomic
def set_move_item(*, item: SetItem, to_position: int) -> SetItem:
    """Move the item to a 1-based position (clamped to the set) and renumber the set 1..n."""
    question_set, items = _locked_items(item)
    moving = next(other for other in items if other.pk == item.pk)
    others = [other for other in items if other.pk != item.pk]
    index = min(max(int(to_position), 1), len(items)) - 1
    others.insert(index, moving)
    _renumber(others)
    _touch(question_set)
    item.position = moving.position
    return item
