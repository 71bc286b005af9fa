"""Builders for jobs and for tool inputs the simulator can be scripted with."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from generation.claude import is_simulated
from generation.models import GeneratedQuestion, Job
from generation.services import JobOptions, job_create


def make_user(username: str = "tutor"):
    return get_user_model().objects.get_or_create(username=username)[0]


def make_job(*, count: int = 1, owner=None, target: str = "same", **source: Any) -> Job:
    """Create a job without deferring its task (tests run it directly)."""
    if not source:
        source = {"text": LINEAR_TEXT}
    return job_create(
        owner=owner or make_user(),
        options=JobOptions(count=count, target=target),
        simulated=is_simulated(),
        defer=False,
        **source,
    )


def make_failed_job(
    *, owner=None, kind: str = "transient", stage: str = "generate", error: str = "Claude is busy."
) -> Job:
    """Create a job that failed in `stage` (the stages before it done), as a run leaves it."""
    job = make_job(owner=owner)
    Job.objects.filter(pk=job.pk).update(
        status="failed", error=error, error_kind=kind, error_detail="HTTP 529 overloaded_error"
    )
    done = list(job.stages.order_by("position").values_list("name", flat=True))
    job.stages.filter(name__in=done[: done.index(stage)]).update(status="succeeded")
    job.stages.filter(name=stage).update(status="failed", error=error)
    job.refresh_from_db()
    return job


LINEAR_TEXT = (
    "A bakery sells muffins for $3 each. On Monday it sold 4 more than twice the number it "
    "sold on Sunday, for a total of 58 muffins on the two days. How many muffins did it sell "
    "on Sunday?\nA) 18\nB) 20\nC) 27\nD) 38"
)


def extraction(**overrides: Any) -> dict[str, Any]:
    """A valid record_extraction input for a linear-equation question."""
    value = {
        "is_sat_question": True,
        "not_a_question_reason": "",
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "stem": r"If \(3x + 4 = 19\), what is the value of \(x\)?",
        "choices": ["3", "5", "7", "15"],
        "figure": "",
        "classification": {
            "skill": "linear_equations_one_variable",
            "difficulty": "easy",
            "confidence": 0.9,
        },
    }
    value.update(overrides)
    return value


def math_question(**overrides: Any) -> dict[str, Any]:
    """A valid record_question input (linear equation, key B = 6)."""
    value = {
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "figure": "",
        "stem": r"A plumber charges a \(\$45\) call-out fee plus \(\$30\) per hour. A bill came "
        r"to \(\$225\). For how many hours, \(h\), did the plumber work?",
        "choices": [r"\(5\)", r"\(6\)", r"\(7.5\)", r"\(9\)"],
        "key": "B",
        "explanation": r"Choice B is correct. \(45 + 30h = 225\), so \(30h = 180\) and \(h = 6\).",
        "rationales": [
            {"choice": "A", "why_wrong": "Subtracts the fee twice: (225 - 45 - 30)/30 = 5."},
            {"choice": "C", "why_wrong": "Ignores the call-out fee: 225/30 = 7.5."},
            {"choice": "D", "why_wrong": "Adds the fee instead of subtracting it: 270/30 = 9."},
        ],
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "math_check": {"equations": ["45 + 30*h = 225"], "solve_for": "h", "expression": "h"},
    }
    value.update(overrides)
    return value


def solution(answer: str, *, confident: bool = True) -> dict[str, Any]:
    return {"answer": answer, "reasoning": "Worked it out.", "confident": confident}


def generated_question(
    job: Job, position: int = 1, status: str = "passed", **overrides: Any
) -> GeneratedQuestion:
    """A generated multiple-choice math question with inline LaTeX (key D)."""
    values: dict[str, Any] = {
        "job": job,
        "position": position,
        "status": status,
        "section": "math",
        "domain": "algebra",
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "kind": "mcq",
        "stem": rf"If \(x + {position} = 10\), what is the value of \(x\)?",
        "choices": [r"\(1\)", r"\(2\)", r"\(3\)", rf"\({10 - position}\)"],
        "key": "D",
        "explanation": rf"Choice D is correct. Subtract {position}: \(x = {10 - position}\).",
        "rationales": {
            "A": r"Adds instead of subtracting: \(1\) is too small.",
            "B": "Confuses the sides of the equation.",
            "C": "Stops one step early.",
        },
    }
    values.update(overrides)
    return GeneratedQuestion.objects.create(**values)


def generated_spr(job: Job, position: int = 1, **overrides: Any) -> GeneratedQuestion:
    """A generated student-produced-response question (key 3/2)."""
    values: dict[str, Any] = {
        "kind": "spr",
        "stem": r"What value of \(x\) satisfies \(2x = 3\)?",
        "choices": [],
        "key": "3/2",
        "explanation": r"Divide both sides by 2: \(x = \frac{3}{2}\).",
        "rationales": {},
    }
    values.update(overrides)
    return generated_question(job, position, **values)
