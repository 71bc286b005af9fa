"""Reads of question sets: a tutor's sets, one set, and a uniform view of its items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.db.models.enums import TextChoices
from django.shortcuts import get_object_or_404

from generation.models import GeneratedQuestion
from questions.models import CHOICE_LETTERS, Question
from questions.taxonomy import Difficulty, Domain, Section, Skill
from sets.models import QuestionSet, SetItem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

SOURCE_GENERATED = "generated"
SOURCE_BANK = "bank"


def sets_for(user: User | AnonymousUser) -> QuerySet[QuestionSet]:
    """Return the user's sets, most recently changed first, each with its item_count."""
    return (
        QuestionSet.objects.filter(owner_id=user.pk)
        .annotate(item_count=Count("items"))
        .order_by("-updated_at", "-pk")
    )


def set_for_user(user: User | AnonymousUser, set_id: int) -> QuestionSet:
    """Return the user's set, or 404 (another tutor's set does not exist for them)."""
    return get_object_or_404(QuestionSet.objects.filter(owner_id=user.pk), pk=set_id)


def _label(choices: type[TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value


@dataclass(frozen=True)
class SetItemView:
    """One question of a set, the same shape whether it was generated or comes from the bank."""

    item_id: int
    number: int
    source: str
    section: str
    domain: str
    skill: str
    difficulty: str
    kind: str
    passage: str
    passage_b: str
    figure: str
    stem: str
    choices: list[str]
    key: str
    explanation: str
    rationales: dict[str, str]
    generated: GeneratedQuestion | None = field(default=None, repr=False)
    bank: Question | None = field(default=None, repr=False)

    @property
    def section_label(self) -> str:
        return _label(Section, self.section)

    @property
    def domain_label(self) -> str:
        return _label(Domain, self.domain)

    @property
    def skill_label(self) -> str:
        return _label(Skill, self.skill)

    @property
    def difficulty_label(self) -> str:
        return _label(Difficulty, self.difficulty)

    @property
    def kind_label(self) -> str:
        return _label(Question.Kind, self.kind)

    @property
    def is_spr(self) -> bool:
        return self.kind == Question.Kind.STUDENT_RESPONSE

    @property
    def lettered_choices(self) -> list[tuple[str, str]]:
        return list(zip(CHOICE_LETTERS, self.choices, strict=False))

    @property
    def wrong_choice_rationales(self) -> list[tuple[str, str]]:
        """Return (letter, why it is wrong) for each wrong choice that has a rationale."""
        return [
            (letter, self.rationales[letter])
            for letter in CHOICE_LETTERS
            if letter != self.key and str(self.rationales.get(letter, "")).strip()
        ]

    @property
    def superseded(self) -> bool:
        return bool(self.generated is not None and self.generated.superseded)


def _rationales(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(letter): str(text) for letter, text in value.items()}
    return {}


def _view(item: SetItem, number: int) -> SetItemView:
    question: GeneratedQuestion | Question
    if item.generated is not None:
        question, source = item.generated, SOURCE_GENERATED
    else:
        assert item.bank is not None
        question, source = item.bank, SOURCE_BANK
    return SetItemView(
        item_id=item.pk,
        number=number,
        source=source,
        section=question.section,
        domain=question.domain,
        skill=question.skill,
        difficulty=question.difficulty,
        kind=question.kind,
        passage=question.passage,
        passage_b=question.passage_b,
        figure=question.figure,
        stem=question.stem,
        choices=[str(choice) for choice in question.choices or []],
        key=question.key,
        explanation=question.explanation,
        rationales=_rationales(question.rationales),
        generated=item.generated,
        bank=item.bank,
    )


def set_items(question_set: QuestionSet) -> list[SetItemView]:
    """Return the set's questions in order, numbered from 1."""
    items = (
        SetItem.objects.filter(set=question_set)
        .select_related("generated__job", "bank")
        .defer("bank__embedding")
        .order_by("position", "id")
    )
    return [_view(item, number) for number, item in enumerate(items, start=1)]
