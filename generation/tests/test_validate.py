from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync

from generation.pipeline.schemas import DraftQuestion
from generation.pipeline.validate import blind_solve, same_answer
from generation.tests.builders import math_question


@pytest.mark.parametrize(
    ("kind", "key", "answer", "agrees"),
    [
        ("mcq", "B", "B", True),
        ("mcq", "B", "b", True),
        ("mcq", "B", "Choice B", True),
        ("mcq", "B", "C", False),
        ("spr", "3/2", "1.5", True),
        ("spr", "1/3", ".3333", True),
        ("spr", ".333", "1/3", True),
        ("spr", "1/3", "0.3", False),
        ("spr", "-2", "2", False),
        ("spr", "7", "seven", False),
    ],
)
def test_answers_compare_by_letter_or_by_grid_value(kind, key, answer, agrees):
    assert same_answer(kind, key, answer) is agrees


def test_the_blind_solve_never_sees_the_key_or_the_explanation(simulator):
    simulator.script("solve", {"answer": "B", "reasoning": "x", "confident": True})
    draft = DraftQuestion.model_validate(math_question())

    async def record(usage) -> None:
        return None

    solution = async_to_sync(blind_solve)(draft, record=record)

    assert solution.answer == "B"
    seen = [entry["body"] for entry in simulator.requests()]
    [message] = seen[0]["messages"]
    text = message["content"][0]["text"]
    question = json.loads(text.split("<question>")[1].split("</question>")[0])
    assert question == {
        "kind": "mcq",
        "passage": "",
        "passage_b": "",
        "figure": "",
        "stem": draft.stem,
        "choices": draft.choices,
    }
    assert "Choice B is correct" not in text and "Subtracts the fee twice" not in text
    assert seen[0]["model"] == "claude-haiku-5-5"
