"""Writes to the bank: import, embedding and status changes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from pydantic import ValidationError as SchemaError

from questions import queue
from questions.models import Question
from questions.records import RECORD_FIELDS, QuestionRecord

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[str]:
        return self.created + self.updated


def _schema_reason(error: SchemaError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "line"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


def _model_reason(error: ValidationError) -> str:
    return "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
    )


def questions_import(*, lines: Iterable[str], dry_run: bool = False) -> ImportReport:
    """Import JSONL bank records, keyed on external_id; report each rejected line by number.

    Valid lines are imported even when others are rejected; a line whose record
    equals the stored question changes nothing, so re-importing a file is a no-op.
    """
    report = ImportReport()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            outcome = _import_line(line, number, seen, dry_run=dry_run)
            if isinstance(outcome, str):
                report.rejected.append((number, outcome))
            else:
                status, external_id = outcome
                getattr(report, status).append(external_id)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_line(
    line: str, number: int, seen: dict[str, int], *, dry_run: bool
) -> str | tuple[str, str]:
    """Import one line; return a rejection reason or (outcome, external_id)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg} at column {error.colno})"
    if not isinstance(data, dict):
        return "not a JSON object"
    try:
        record = QuestionRecord.model_validate(data)
    except SchemaError as error:
        return _schema_reason(error)

    if record.external_id in seen:
        return f"external_id {record.external_id!r} already used on line {seen[record.external_id]}"
    seen[record.external_id] = number

    values = record.model_dump()
    question = Question.objects.filter(external_id=record.external_id).first()
    if question is not None and all(getattr(question, f) == values[f] for f in RECORD_FIELDS):
        return ("unchanged", record.external_id)
    outcome = "updated" if question is not None else "created"
    question = question or Question()
    for name in RECORD_FIELDS:
        setattr(question, name, values[name])
    try:
        question.full_clean()
    except ValidationError as error:
        return _model_reason(error)
    if not dry_run:
        question.save()
    return (outcome, record.external_id)


def questions_needing_embedding() -> QuerySet[Question]:
    """Return the questions whose embedding is missing or older than their text."""
    return Question.objects.filter(Q(embedding__isnull=True) | ~Q(embedding_hash=F("content_hash")))


def questions_embed(*, queryset: QuerySet[Question] | None = None, batch_size: int = 0) -> int:
    """Embed the given questions (default: every missing or stale one); return how many."""
    from questions.embeddings import embed_texts  # loads torch: worker and commands only

    batch_size = batch_size or settings.EMBEDDING_BATCH_SIZE
    queryset = questions_needing_embedding() if queryset is None else queryset
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        batch = list(
            Question.objects.filter(pk__in=ids[start : start + batch_size]).only(
                "pk", "stem", "choices", "passage", "passage_b", "content_hash"
            )
        )
        vectors = embed_texts([q.embedding_text() for q in batch], batch_size=batch_size)
        for question, vector in zip(batch, vectors, strict=True):
            question.embedding = vector
            # The hash of the text we just embedded, so a concurrent edit still reads as stale.
            question.embedding_hash = question.compute_content_hash()
        Question.objects.bulk_update(batch, ["embedding", "embedding_hash"])
        done += len(batch)
        logger.info("embedded %d of %d questions", done, len(ids))
    return done


def questions_request_embedding(*, queryset: QuerySet[Question]) -> int:
    """Queue the given questions for (re-)embedding by a worker; return how many."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    if ids:
        # After the commit, so the worker finds the rows it is asked to embed.
        transaction.on_commit(lambda: queue.embedding_defer(question_ids=ids))
    return len(ids)


def questions_set_status(*, queryset: QuerySet[Question], status: Question.Status) -> int:
    """Move the given questions to status; return how many changed."""
    return queryset.exclude(status=status).update(status=status)
