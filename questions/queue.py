"""Deferring the bank's tasks: the one place the services reach the queue.

By name, so the services never import questions.tasks (which imports them): see
generation/queue.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from procrastinate.contrib.django import app

EMBED_QUESTIONS = "questions.embed_questions"


def embedding_defer(*, question_ids: Sequence[int]) -> int:
    """Queue the embedding of the given questions; return the task's id."""
    task = app.configure_task(EMBED_QUESTIONS, allow_unknown=False)
    return task.defer(question_ids=list(question_ids))
