"""The checks a tutor sees: plain labels, only those that apply, internal names nowhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from generation.checks import LABELS, tutor_checks
from generation.pipeline.gates import GATES, run_gates
from generation.pipeline.schemas import DraftQuestion, ValidationReport
from generation.tests.builders import generated_question, generated_spr, make_job, math_question
from questions.taxonomy import Section, Skill


def report(draft: DraftQuestion) -> dict:
    gates = run_gates(draft, skill=Skill(draft.skill), section=Section.MATH)
    return ValidationReport(gates=gates, passed=all(g.passed for g in gates)).model_dump()


def test_every_gate_has_a_label():
    assert {gate.__name__ for gate in GATES} <= set(LABELS)


def test_a_grid_in_lists_no_checks_about_choices():
    spr = DraftQuestion.model_validate(
        math_question(kind="spr", choices=[], key="5", rationales=[])
        | {"explanation": "The correct answer is 5. Dividing 10 by 2 gives 5."}
    )
    labels = [check.label for check in tutor_checks(report(spr), kind="spr", simulated=False)]
    assert "Four different choices" not in labels
    assert "Every wrong choice explained" not in labels
    assert "The answer can be entered on the grid" in labels


def test_a_failed_check_is_listed_with_what_went_wrong():
    draft = DraftQuestion.model_validate(math_question())
    validation = report(draft)
    validation["gates"].append(
        {"name": "math_verified", "passed": False, "detail": "SymPy computes 4", "applies": True}
    )
    failed = [c for c in tutor_checks(validation, kind="mcq", simulated=False) if not c.passed]
    assert [(c.label, c.detail) for c in failed] == [
        ("Answer computed and confirmed by SymPy", "SymPy computes 4")
    ]


def test_nothing_to_compute_is_not_shown_as_confirmed():
    validation = {
        "gates": [{"name": "math_verified", "passed": True, "detail": "n/a", "applies": False}]
    }
    assert tutor_checks(validation, kind="mcq", simulated=False) == []


def test_a_simulated_solve_says_so():
    validation = {"gates": [{"name": "blind_solve_agrees", "passed": True, "detail": "B"}]}
    (check,) = tutor_checks(validation, kind="mcq", simulated=True)
    assert check.label == "Answer verified independently (simulated check)"


@pytest.mark.django_db
def test_the_job_page_shows_labels_not_gate_names(client):
    job = make_job()
    client.force_login(job.owner)
    draft = DraftQuestion.model_validate(math_question())
    generated_question(job, position=1, validation=report(draft))
    generated_spr(job, position=2, validation=report(draft.model_copy(update={"kind": "spr"})))
    page = client.get(reverse("job_detail", args=[job.public_id])).content.decode()
    assert "Four different choices" in page and "The key is one of the choices" in page
    assert not [gate.__name__ for gate in GATES if gate.__name__ in page]
