"""What the pipeline is working on, for its log lines: the job (or revision) and the stage.

A worker runs many jobs at once on one event loop, each in its own asyncio task, so the
context is a ContextVar: a task sees what it bound itself, and the tasks it starts
(asyncio.gather) inherit it. The project's log filter (satgen.logs) copies it onto every
record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_context: ContextVar[dict[str, int | str] | None] = ContextVar("generation_log", default=None)


def current() -> dict[str, int | str]:
    """Return the job id, question id and stage bound here (only those that are known)."""
    return dict(_context.get() or {})


@contextmanager
def bind_job(
    job_id: int | None = None, *, stage: str | None = None, question_id: int | None = None
) -> Iterator[None]:
    """Attach a job (or a revision's question) and optionally a stage to the logs inside."""
    values = {"job_id": job_id, "question_id": question_id, "stage": stage}
    token = _context.set({**current(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def bind_stage(stage: str) -> Iterator[None]:
    """Attach a stage to the logs inside, keeping the job bound around it."""
    with bind_job(stage=stage):
        yield
