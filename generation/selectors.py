"""Reads of jobs: the state a page, an API call or the CLI shows."""

from __future__ import annotations

from typing import Any

from generation.models import GeneratedQuestion, Job


def question_record(question: GeneratedQuestion) -> dict[str, Any]:
    """Return a generated question in the bank's JSONL shape, plus its validation."""
    return {
        "position": question.position,
        "status": question.status,
        "section": question.section,
        "domain": question.domain,
        "skill": question.skill,
        "difficulty": question.difficulty,
        "kind": question.kind,
        "passage": question.passage,
        "passage_b": question.passage_b,
        "figure": question.figure,
        "stem": question.stem,
        "choices": question.choices,
        "key": question.key,
        "explanation": question.explanation,
        "rationales": question.rationales,
        "flag_reasons": question.flag_reasons,
        "validation": question.validation,
    }


def job_state(job: Job) -> dict[str, Any]:
    """Return the whole current state of a job as plain data."""
    return {
        "id": str(job.public_id),
        "status": job.status,
        "origin": job.origin,
        "simulated": job.simulated,
        "error": job.error,
        "retryable": job.retryable,
        "reading": {"ocr_match": job.ocr_match, "check": job.check_reading},
        "options": {"count": job.count, "target": job.target, "instruction": job.instruction},
        "taxonomy": {
            "section": job.section,
            "domain": job.domain,
            "skill": job.skill,
            "difficulty": job.difficulty,
            "kind": job.kind,
        },
        "stages": [
            {
                "name": stage.name,
                "status": stage.status,
                "duration": stage.duration,
                "model": stage.model,
                "input_tokens": stage.input_tokens,
                "output_tokens": stage.output_tokens,
                "cache_creation_tokens": stage.cache_creation_tokens,
                "cache_read_tokens": stage.cache_read_tokens,
                "cost_usd": str(stage.cost_usd),
                "note": stage.note,
                "error": stage.error,
            }
            for stage in job.stages.all()
        ],
        "totals": {
            "input_tokens": job.input_tokens,
            "output_tokens": job.output_tokens,
            "cache_creation_tokens": job.cache_creation_tokens,
            "cache_read_tokens": job.cache_read_tokens,
            "cost_usd": str(job.cost_usd),
        },
        "questions": [
            question_record(q) for q in job.questions.filter(superseded=False).order_by("position")
        ],
    }


def job_for_user(user, public_id) -> Job:
    """Return the user's job, or 404 (another tutor's job does not exist for them)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Job.objects.select_related("owner"), public_id=public_id, owner=user)


def job_page_context(job: Job) -> dict[str, Any]:
    """Return everything the job page and its live fragments render."""
    from questions.models import Question
    from questions.taxonomy import Difficulty, Skill

    stages = list(job.stages.all())
    by_name = {stage.name: stage for stage in stages}
    extract, retrieve = by_name["extract"], by_name["retrieve"]
    example_ids = [item["question_id"] for item in (retrieve.output or [])]
    examples = Question.objects.in_bulk(example_ids)
    questions = list(job.questions.filter(superseded=False).order_by("position"))
    history: dict[int, list[GeneratedQuestion]] = {}  # replaced versions, newest first
    for old in job.questions.filter(superseded=True, status__in=GeneratedQuestion.SHOWN).order_by(
        "position", "-pk"
    ):
        history.setdefault(old.position, []).append(old)
    if job.is_finished:  # a cancelled or failed job leaves no "Drafting…" cards behind
        questions = [q for q in questions if q.status in GeneratedQuestion.SHOWN]
    return {
        "job": job,
        "stages": stages,
        "extraction": extract.output if extract.status == "succeeded" else None,
        "classification": by_name["classify"].output,
        "examples": [examples[pk] for pk in example_ids if pk in examples],
        "questions": questions,
        "history": history,
        "skills": Skill.choices,
        "difficulties": Difficulty.choices,
    }
