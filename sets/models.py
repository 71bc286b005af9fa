from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from generation.models import GeneratedQuestion
from questions.models import Question

NAME_MAX_LENGTH = 120


class QuestionSet(models.Model):
    """A tutor's named, ordered collection of questions: a worksheet in the making."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_sets"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="set_owner_recent")]

    def __str__(self) -> str:
        return self.name


class SetItem(models.Model):
    """One question in a set: either a generated question or a bank question, never both."""

    set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    generated = models.ForeignKey(
        GeneratedQuestion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="set_items",
    )
    bank = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="set_items"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(generated__isnull=False, bank__isnull=True)
                    | Q(generated__isnull=True, bank__isnull=False)
                ),
                name="set_item_exactly_one_question",
            ),
            models.UniqueConstraint(
                fields=["set", "generated"],
                condition=Q(generated__isnull=False),
                name="set_item_generated_once_per_set",
            ),
            models.UniqueConstraint(
                fields=["set", "bank"],
                condition=Q(bank__isnull=False),
                name="set_item_bank_once_per_set",
            ),
        ]

    def __str__(self) -> str:
        source = f"generated #{self.generated_id}" if self.generated_id else f"bank #{self.bank_id}"
        return f"{self.position}. {source}"
