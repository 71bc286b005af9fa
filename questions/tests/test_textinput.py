"""The one rule for text that comes in: control characters are refused, tabs and newlines kept."""

from __future__ import annotations

import json

import pytest

from questions.services import questions_import
from questions.textinput import ControlCharacterError, text_check, text_problem


def test_tabs_and_line_breaks_are_text():
    assert (
        text_check("A passage\n\twith a tab\r\nand lines.")
        == "A passage\n\twith a tab\r\nand lines."
    )
    assert text_problem("Émile’s café — 10 × 3 ≤ 40 🙂\u200d") is None


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_a_control_character_is_refused_naming_it_and_where_it_is(char):
    with pytest.raises(ControlCharacterError) as refused:
        text_check(f"ab{char}c")
    assert f"U+{ord(char):04X}, character 3" in str(refused.value)
    assert "Remove it" in str(refused.value)


def _line(**overrides) -> str:
    record = {
        "external_id": "nul-1",
        "section": "math",
        "domain": "algebra",
        "skill": "linear_equations_one_variable",
        "difficulty": "easy",
        "stem": "What is x if 2x = 4?",
        "choices": ["1", "2", "3", "4"],
        "key": "B",
        "explanation": "x = 2.",
        "rationales": {"A": "Half of 2.", "C": "2 + 1.", "D": "Twice 2."},
        **overrides,
    }
    return json.dumps(record)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"stem": "What is x\u0000?"},
        {"choices": ["1", "2\u0000", "3", "4"]},
        {"rationales": {"A": "Off by one\u0000.", "C": "2 + 1.", "D": "Twice 2."}},
        {"external_id": "nul\u0000"},
    ],
)
def test_an_import_line_with_a_nul_byte_is_rejected_with_its_reason(overrides):
    report = questions_import(lines=[_line(), _line(**{"external_id": "nul-2", **overrides})])
    assert report.created == ["nul-1"]
    [(number, reason)] = report.rejected
    assert number == 2 and "control character (U+0000" in reason
