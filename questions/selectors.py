"""Reads from the bank: similarity retrieval and the tutors' bank browser."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from pgvector.django import CosineDistance

from questions.models import Question
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

# Cosine distance under which a bank question counts as a near-copy of the
# query itself: bench/near_duplicates.py measured it (docs/retrieval.md).
NEAR_DUPLICATE_DISTANCE = 0.15

SCOPES = ("skill", "domain", "section")


@dataclass(frozen=True)
class Neighbour:
    question: Question
    distance: float
    scope: str  # the taxonomy level that matched: skill, domain or section


def similar_questions(
    *,
    skill: Skill | str,
    embedding: Sequence[float] | None = None,
    text: str | None = None,
    k: int = 5,
    exclude_ids: Collection[int] = (),
    near_duplicate_distance: float = NEAR_DUPLICATE_DISTANCE,
) -> list[Neighbour]:
    """Return the k nearest approved bank questions: same skill, then domain, then section.

    Distances are exact cosine distances: under a taxonomy filter an HNSW scan
    can silently return fewer than k rows (pgvector < 0.8 has no iterative
    scan), so filtered retrieval ranks the filtered rows exactly. Questions
    closer than near_duplicate_distance to the query are skipped as copies of it.
    """
    if (embedding is None) == (text is None):
        raise ValueError("Pass exactly one of embedding or text.")
    if embedding is None:
        from questions.embeddings import embed_text  # loads torch: worker only

        embedding = embed_text(text or "")
    skill = Skill(skill)
    domain = DOMAIN_OF_SKILL[skill]
    scope_values = {"skill": skill, "domain": domain, "section": SECTION_OF_DOMAIN[domain]}

    found: list[Neighbour] = []
    excluded = set(exclude_ids)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # HNSW supports only plain index scans; turning them off makes the
            # planner use the B-tree taxonomy indexes and exact distances.
            cursor.execute("SET LOCAL enable_indexscan = off")
        for scope in SCOPES:
            missing = k - len(found)
            if missing <= 0:
                break
            rows = (
                Question.objects.filter(
                    status=Question.Status.APPROVED,
                    embedding__isnull=False,
                    **{scope: scope_values[scope]},
                )
                .exclude(pk__in=sorted(excluded))
                .annotate(distance=CosineDistance("embedding", embedding))
                .filter(distance__gte=near_duplicate_distance)
                .order_by("distance", "pk")[:missing]
            )
            for question in rows:
                found.append(Neighbour(question, question.distance, scope))
                excluded.add(question.pk)
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_indexscan")
    return found


def nearest_bank_questions(embedding: Sequence[float], *, limit: int = 1) -> list[Neighbour]:
    """Return the bank questions nearest to embedding over the whole bank, any status.

    Unfiltered, so the HNSW index serves it; ef_search is raised for recall.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hnsw.ef_search = 100")
        questions = list(
            Question.objects.filter(embedding__isnull=False)
            .annotate(distance=CosineDistance("embedding", embedding))
            .order_by("distance")
            .defer("embedding")[:limit]
        )
    return [Neighbour(question, question.distance, "bank") for question in questions]


# The bank is English; the english configuration stems words, so "bees" finds "bee".
SEARCH_CONFIG = "english"

# The taxonomy's own order (Algebra's skills first, Conventions' last), not the codes' A-Z.
_SKILL_ORDER = Case(
    *(When(skill=skill, then=Value(position)) for position, skill in enumerate(Skill)),
    default=Value(len(Skill)),
    output_field=IntegerField(),
)


def bank_search(
    *,
    section: str = "",
    domain: str = "",
    skill: str = "",
    difficulty: str = "",
    text: str = "",
) -> QuerySet[Question]:
    """Return the approved bank questions matching every given filter, by skill then id.

    Text matches the passages and the stem in two ways at once: as a web-style full-text
    query (any word order, stemmed, "quoted phrases", -excluded words) or as a literal
    substring, which catches word fragments and math such as "x^2" that full text drops.
    """
    questions = Question.objects.filter(status=Question.Status.APPROVED).defer("embedding")
    taxonomy = {"section": section, "domain": domain, "skill": skill, "difficulty": difficulty}
    questions = questions.filter(**{field: value for field, value in taxonomy.items() if value})
    text = " ".join(text.split())
    if text:
        questions = questions.alias(
            search=SearchVector("stem", "passage", "passage_b", config=SEARCH_CONFIG)
        ).filter(
            Q(search=SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG))
            | Q(stem__icontains=text)
            | Q(passage__icontains=text)
            | Q(passage_b__icontains=text)
        )
    return questions.order_by(_SKILL_ORDER, "id")
