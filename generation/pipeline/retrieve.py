"""Stage 3: the bank questions generation imitates."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import connections

from generation.pipeline.context import Example, Target
from questions.records import record_from_question
from questions.selectors import similar_questions
from questions.taxonomy import Skill

# What a generator needs from an example: no ids, statuses or provenance.
EXAMPLE_FIELDS = (
    "difficulty",
    "kind",
    "passage",
    "passage_b",
    "figure",
    "stem",
    "choices",
    "key",
    "explanation",
    "rationales",
)


def _retrieve(target: Target, query_text: str, k: int) -> list[Example]:
    try:
        neighbours = similar_questions(skill=target.skill, text=query_text, k=k)
    finally:
        # This runs on a pool thread: don't leave its connection open behind us.
        connections.close_all()
    return [
        Example(
            question_id=n.question.pk,
            distance=round(n.distance, 4),
            scope=n.scope,
            record={
                f: v for f, v in record_from_question(n.question).items() if f in EXAMPLE_FIELDS
            },
        )
        for n in neighbours
    ]


async def retrieve(*, target: Target, query_text: str | None, k: int) -> list[Example]:
    """Return the k nearest approved bank questions for the target skill."""
    # Starting from a skill, there is no source: its name is the query.
    text = query_text or f"A question testing {Skill(target.skill).label}."
    # Embedding runs torch: off the event loop, in a thread of its own.
    return await sync_to_async(_retrieve, thread_sensitive=False)(target, text, k)
