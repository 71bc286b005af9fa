"""Small builders for bank questions and their JSONL records."""

from __future__ import annotations

import json
from typing import Any

from questions.models import Question

_counter = iter(range(1, 10**9))


def mcq_record(**overrides: Any) -> dict[str, Any]:
    """Return a valid multiple-choice JSONL record."""
    n = next(_counter)
    record: dict[str, Any] = {
        "external_id": f"test-{n}",
        "section": "math",
        "domain": "algebra",
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "stem": rf"If \(2x + {n} = {n + 8}\), what is the value of \(x\)?",
        "choices": ["2", "4", "6", "8"],
        "key": "B",
        "explanation": r"Choice B is correct. Subtracting gives \(2x = 8\), so \(x = 4\).",
        "rationales": {
            "A": "Halves twice.",
            "C": "Adds instead of subtracting.",
            "D": "Forgets to divide by 2.",
        },
        "figure": "",
        "source": "original",
        "status": "approved",
    }
    record.update(overrides)
    return record


def spr_record(**overrides: Any) -> dict[str, Any]:
    """Return a valid student-produced-response JSONL record."""
    defaults = {"kind": "spr", "choices": [], "key": "4", "rationales": {}}
    return mcq_record(**{**defaults, **overrides})


def jsonl(*records: dict[str, Any]) -> list[str]:
    return [json.dumps(record) for record in records]


def make_question(**overrides: Any) -> Question:
    """Create and return a valid approved bank question."""
    record = mcq_record(**overrides)
    question = Question(**record)
    question.full_clean()
    question.save()
    return question
