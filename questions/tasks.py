"""Background tasks of the bank, run by the Procrastinate worker."""

from __future__ import annotations

from procrastinate.contrib.django import app

from questions import queue
from questions.models import Question
from questions.services import questions_embed


@app.task(name=queue.EMBED_QUESTIONS, queue="embeddings")
def embed_questions(*, question_ids: list[int]) -> int:
    """Embed the given questions, fresh or not (an explicit request from staff)."""
    return questions_embed(queryset=Question.objects.filter(pk__in=question_ids))
