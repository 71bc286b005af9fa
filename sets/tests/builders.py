"""Builders for sets tests: bank questions, and generation's generated questions."""

from __future__ import annotations

from typing import Any

from generation.tests.builders import generated_question, generated_spr
from questions.models import Question

__all__ = ["bank_question", "generated_question", "generated_spr"]


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
