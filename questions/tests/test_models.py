from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from questions.models import Question
from questions.spr import spr_format_error
from questions.taxonomy import DOMAIN_OF_SKILL, SKILLS_BY_DOMAIN, Domain, Skill
from questions.tests.builders import make_question, mcq_record, spr_record


def _errors(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        Question(**mcq_record(**overrides)).full_clean()
    return caught.value.message_dict


def test_taxonomy_lists_every_official_skill_once():
    assert len(Skill.values) == 30
    assert sorted(DOMAIN_OF_SKILL) == sorted(Skill)
    assert sum(len(skills) for skills in SKILLS_BY_DOMAIN.values()) == 30
    assert len(Domain.values) == 8


@pytest.mark.django_db
def test_a_valid_question_passes_clean_and_saves():
    question = make_question()
    assert question.pk and question.external_id


@pytest.mark.django_db
def test_clean_rejects_a_skill_from_another_domain():
    errors = _errors(skill="circles")
    assert "belongs to Geometry and Trigonometry" in errors["skill"][0]


@pytest.mark.django_db
def test_clean_rejects_a_domain_from_another_section():
    errors = _errors(domain="craft_structure", skill="words_in_context")
    assert "not a domain of Math" in errors["domain"][0]


@pytest.mark.django_db
def test_the_database_refuses_a_skill_outside_its_domain():
    with pytest.raises(IntegrityError):
        Question.objects.create(**mcq_record(skill="circles"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"choices": ["1", "2", "3"]}, "choices", "exactly four"),
        ({"choices": ["1", "2", " 2 ", "4"]}, "choices", "distinct"),
        ({"key": "E"}, "key", "one of A, B, C or D"),
        ({"rationales": {"A": "x", "C": "y"}}, "rationales", "wrong choice D"),
        ({"rationales": {"A": "x", "B": "y", "C": "z", "D": "w"}}, "rationales", "B"),
        ({"passage_b": "A second text."}, "passage_b", "Cross-Text"),
    ],
)
def test_clean_explains_what_is_wrong_with_a_multiple_choice_question(overrides, field, message):
    errors = _errors(**overrides)
    assert message in " ".join(errors[field])


@pytest.mark.django_db
def test_cross_text_questions_need_both_passages():
    errors = _errors(
        section="rw",
        domain="craft_structure",
        skill="cross_text_connections",
        passage="Text 1 only.",
    )
    assert "need two passages" in errors["passage_b"][0]


@pytest.mark.django_db
def test_student_response_questions_are_math_only_and_have_no_choices():
    Question(**spr_record(key="-3/4")).full_clean()
    with pytest.raises(ValidationError) as caught:
        Question(
            **spr_record(section="rw", domain="craft_structure", skill="words_in_context")
        ).full_clean()
    assert "only in Math" in caught.value.message_dict["kind"][0]


@pytest.mark.parametrize("answer", ["7", "3/2", "0.75", ".5", "-1/3", "-12.5", "99999", "-9999"])
def test_spr_accepts_answers_that_fit_the_grid(answer):
    assert spr_format_error(answer) is None


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("", "needs an answer"),
        ("1.2345", "fits in 5"),
        ("-1.2345", "fits in 6"),
        ("x=3", "not a grid-in answer"),
        ("1 1/2", "not a grid-in answer"),
        ("3/0", "divides by zero"),
        ("\\frac{1}{2}", "not a grid-in answer"),
    ],
)
def test_spr_refuses_answers_the_grid_cannot_hold(answer, message):
    assert message in (spr_format_error(answer) or "")


@pytest.mark.django_db
def test_editing_the_text_changes_the_content_hash():
    question = make_question()
    before = question.content_hash
    question.stem = "A different stem?"
    question.save(update_fields=["stem"])
    question.refresh_from_db()
    assert question.content_hash != before
