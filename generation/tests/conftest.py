"""Fixtures for generation tests: a seeded, embedded bank (the simulator comes from its plugin),
a tutor and their API client."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from generation.tests.builders import make_user
from questions.management.commands.seed_bank import SEED_FILE
from questions.models import Question
from questions.records import QuestionRecord


@pytest.fixture(scope="session")
def seed_rows() -> list[tuple[dict, list[float]]]:
    """The seed bank's records with their embeddings, computed once per test session."""
    from questions.embeddings import embed_texts

    records = [
        QuestionRecord.model_validate_json(line).model_dump()
        for line in SEED_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    questions = [Question(**record) for record in records]
    vectors = embed_texts([q.embedding_text() for q in questions])
    return list(zip(records, vectors, strict=True))


@pytest.fixture
def seeded_bank(seed_rows, transactional_db) -> None:
    """Fill the (committed) bank with the seed questions and their embeddings."""
    rows = []
    for record, vector in seed_rows:
        question = Question(**record, embedding=vector)
        question.content_hash = question.compute_content_hash()
        question.embedding_hash = question.content_hash
        rows.append(question)
    Question.objects.bulk_create(rows)


def task_log(server, task: str) -> list[dict]:
    """Return the simulator's log entries for one task (extract, generate or solve)."""
    return [entry for entry in server.requests() if entry["task"] == task]


def dumps(value) -> str:
    return json.dumps(value)


@pytest.fixture
def tutor():
    return make_user("tutor")


@pytest.fixture
def api(tutor) -> Client:
    """A client that sends the tutor's API token with every request (and enforces CSRF)."""
    _, secret = api_token_create(user=tutor, name="script")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
