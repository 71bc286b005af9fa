from __future__ import annotations

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from pgvector.django import HnswIndex, VectorField

from questions.spr import spr_format_error
from questions.taxonomy import (
    DOMAINS_BY_SECTION,
    SKILLS_BY_DOMAIN,
    Difficulty,
    Domain,
    Section,
    Skill,
    taxonomy_errors,
)

EMBEDDING_DIMENSIONS = 384
CHOICE_LETTERS = ("A", "B", "C", "D")


def new_external_id() -> str:
    """Return a fresh external id, so every row can round-trip through export/import."""
    return f"satgen-{uuid.uuid4().hex[:16]}"


def _taxonomy_constraint() -> Q:
    """Return a condition true only when domain belongs to section and skill to domain."""
    section_ok = Q()
    for section, domains in DOMAINS_BY_SECTION.items():
        section_ok |= Q(section=section, domain__in=domains)
    domain_ok = Q()
    for domain, skills in SKILLS_BY_DOMAIN.items():
        domain_ok |= Q(domain=domain, skill__in=skills)
    return section_ok & domain_ok


class Question(models.Model):
    """One SAT-style question in the curated example bank."""

    class Kind(models.TextChoices):
        MULTIPLE_CHOICE = "mcq", "Multiple choice"
        STUDENT_RESPONSE = "spr", "Student-produced response"

    class Source(models.TextChoices):
        ORIGINAL = "original", "Original"
        IMPORTED = "imported", "Imported"
        GENERATED = "generated", "Generated"
        SIMULATED = "simulated", "Simulated (demo data, not Claude's)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        RETIRED = "retired", "Retired"

    section = models.CharField(max_length=8, choices=Section.choices)
    domain = models.CharField(max_length=32, choices=Domain.choices)
    skill = models.CharField(max_length=48, choices=Skill.choices)
    difficulty = models.CharField(max_length=8, choices=Difficulty.choices)
    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.MULTIPLE_CHOICE)

    passage = models.TextField(blank=True)
    passage_b = models.TextField(
        "second passage", blank=True, help_text="Text 2, for Cross-Text Connections only."
    )
    stem = models.TextField()
    choices = models.JSONField(
        default=list, blank=True, help_text="Four choices A-D in order; empty for SPR."
    )
    key = models.CharField(
        max_length=16, help_text="A-D for multiple choice; the answer (e.g. 3/2) for SPR."
    )
    explanation = models.TextField()
    rationales = models.JSONField(
        default=dict, blank=True, help_text="Why each wrong choice is wrong, by letter."
    )
    figure = models.TextField(
        "figure or table", blank=True, help_text="Text description of a figure or table."
    )

    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ORIGINAL)
    external_id = models.CharField(
        max_length=128, unique=True, null=True, blank=True, default=new_external_id
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)

    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False, default="")
    embedding_hash = models.CharField(max_length=64, editable=False, blank=True, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            HnswIndex(
                name="question_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            models.Index(fields=["status", "skill"], name="question_status_skill"),
            models.Index(fields=["status", "domain"], name="question_status_domain"),
            models.Index(fields=["status", "section"], name="question_status_section"),
        ]
        constraints = [
            models.CheckConstraint(condition=_taxonomy_constraint(), name="question_taxonomy"),
            models.CheckConstraint(
                condition=Q(kind="spr") | Q(key__in=CHOICE_LETTERS),
                name="question_mcq_key_is_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_skill_display()} ({self.get_difficulty_display()})"

    def save(self, *args, **kwargs) -> None:
        # The hash is derived data, kept beside the text so stale embeddings are one query away.
        self.content_hash = self.compute_content_hash()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "content_hash"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        for field, message in taxonomy_errors(self.section, self.domain, self.skill).items():
            add(field, message)

        if self.passage_b and self.skill != Skill.CROSS_TEXT_CONNECTIONS:
            add("passage_b", "A second passage is only used by Cross-Text Connections questions.")
        if self.skill == Skill.CROSS_TEXT_CONNECTIONS and not (self.passage and self.passage_b):
            add("passage_b", "Cross-Text Connections questions need two passages.")

        if self.kind == self.Kind.STUDENT_RESPONSE:
            if self.section != Section.MATH:
                add("kind", "Student-produced responses exist only in Math.")
            if self.choices:
                add("choices", "A student-produced response question has no choices.")
            spr_error = spr_format_error(self.key)
            if spr_error:
                add("key", spr_error)
        else:
            self._clean_multiple_choice(add)

        if errors:
            raise ValidationError(errors)

    def _clean_multiple_choice(self, add) -> None:
        choices = self.choices
        if not isinstance(choices, list) or len(choices) != 4:
            add("choices", "A multiple-choice question needs exactly four choices.")
            return
        if not all(isinstance(c, str) and c.strip() for c in choices):
            add("choices", "Every choice must be non-empty text.")
            return
        normalised = {" ".join(c.split()).casefold() for c in choices}
        if len(normalised) != 4:
            add("choices", "The four choices must be distinct.")
        if self.key not in CHOICE_LETTERS:
            add("key", "The key must be one of A, B, C or D.")
            return
        wrong = set(CHOICE_LETTERS) - {self.key}
        rationales = self.rationales if isinstance(self.rationales, dict) else {}
        missing = sorted(wrong - {k for k, v in rationales.items() if str(v).strip()})
        if missing:
            add("rationales", f"Missing a rationale for wrong choice {', '.join(missing)}.")
        extra = sorted(set(rationales) - wrong)
        if extra:
            add("rationales", f"Rationales for {', '.join(extra)}, which is not a wrong choice.")

    def embedding_text(self) -> str:
        """Return the text we embed: the stem first, since it carries the skill."""
        parts = [self.stem, *self.choices, self.passage, self.passage_b]
        return "\n".join(part for part in parts if part)

    def compute_content_hash(self) -> str:
        return hashlib.sha256(self.embedding_text().encode()).hexdigest()
