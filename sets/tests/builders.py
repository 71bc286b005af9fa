"""Builders for sets tests: checked generated questions and bank questions, made with the ORM."""

from __future__ import annotations

from typing import Any

from generation.models import GeneratedQuestion, Job
from questions.models import Question


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


def bank_question(status: str = "approved", **overrides: Any) -> Question:
    """A valid Reading and Writing bank question (key B)."""
    values: dict[str, Any] = {
        "section": "rw",
        "domain": "craft_structure",
        "skill": "words_in_context",
        "difficulty": "medium",
        "kind": "mcq",
        "passage": "The committee's report was notably terse, offering few details.",
        "stem": "As used in the text, what does the word “terse” most nearly mean?",
        "choices": ["Lengthy", "Brief", "Angry", "Unclear"],
        "key": "B",
        "explanation": "Choice B is correct: a terse report offers few details.",
        "rationales": {"A": "The opposite.", "C": "Not implied.", "D": "Not implied."},
        "source": "original",
        "status": status,
    }
    values.update(overrides)
    question = Question(**values)
    question.full_clean()
    question.save()
    return question
