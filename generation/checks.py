"""The validate stage's checks as a tutor reads them: a plain label, only where one applies.

The gate names (`four_distinct_choices`, `not_a_copy_of_bank` ...) stay in the stored report
and the admin; pages show these labels. A check that does not apply to a question (choices on
a grid-in, SymPy on an answer it cannot compute) is not listed; a failed one always is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LABELS = {
    "kind_fits_section": "The right format for its section",
    "four_distinct_choices": "Four different choices",
    "key_is_a_choice": "The key is one of the choices",
    "no_all_or_none_of_the_above": "No “all” or “none of the above”",
    "explanation_names_key": "The explanation supports the key",
    "rationales_cover_wrong_choices": "Every wrong choice explained",
    "key_not_longest": "The key does not stand out by length",
    "latex_renders": "The math displays correctly",
    "length_limits": "Within the SAT’s length limits",
    "skill_matches": "Written for the skill asked",
    "not_a_copy_of_source": "Not a copy of your question",
    "not_a_copy_of_bank": "Not a copy of a bank question",
    "not_a_copy_of_sibling": "Different from the other new questions",
    "math_verified": "Answer computed and confirmed by SymPy",
    "blind_solve_agrees": "Answer verified independently",
}
GRID_IN_LABELS = {
    "four_distinct_choices": "No choices, as a grid-in has none",
    "key_is_a_choice": "The answer can be entered on the grid",
}
SIMULATED_LABELS = {"blind_solve_agrees": "Answer verified independently (simulated check)"}


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str


def tutor_checks(validation: dict[str, Any] | None, *, kind: str, simulated: bool) -> list[Check]:
    """Return the checks to show for a stored validation report, in the order they ran."""
    labels = LABELS | (GRID_IN_LABELS if kind == "spr" else {})
    labels |= SIMULATED_LABELS if simulated else {}
    checks = []
    for gate in (validation or {}).get("gates", []):
        if gate.get("applies", True) or not gate["passed"]:
            label = labels.get(gate["name"], gate["name"].replace("_", " ").capitalize())
            checks.append(Check(label, gate["passed"], gate.get("detail", "")))
    return checks
