from __future__ import annotations

import numpy as np
import pytest

from questions.models import Question
from questions.selectors import similar_questions
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill

pytestmark = pytest.mark.django_db

RNG = np.random.default_rng(7)


def _unit(vector: np.ndarray) -> list[float]:
    return (vector / np.linalg.norm(vector)).tolist()


def _random_vector() -> list[float]:
    return _unit(RNG.normal(size=384))


def _question(skill: str, *, vector=None, status="approved") -> Question:
    domain = DOMAIN_OF_SKILL[Skill(skill)]
    question = Question(
        section=SECTION_OF_DOMAIN[domain],
        domain=domain,
        skill=skill,
        difficulty="medium",
        stem=f"Question about {skill}",
        choices=["1", "2", "3", "4"],
        key="A",
        explanation="Choice A is correct.",
        rationales={"B": "b", "C": "c", "D": "d"},
        status=status,
        embedding=vector if vector is not None else _random_vector(),
    )
    question.save()
    return question


def test_it_widens_from_skill_to_domain_to_section_in_that_order():
    query = _random_vector()
    same_skill = [_question("transitions") for _ in range(2)]
    same_domain = [_question("rhetorical_synthesis") for _ in range(2)]
    same_section = [_question("boundaries") for _ in range(3)]
    _question("circles")  # other section: never returned
    _question("transitions", status="retired")  # retired: never returned
    _question("transitions", status="draft")

    found = similar_questions(skill="transitions", embedding=query, k=6)

    assert [n.scope for n in found] == ["skill"] * 2 + ["domain"] * 2 + ["section"] * 2
    assert {n.question.pk for n in found[:2]} == {q.pk for q in same_skill}
    assert {n.question.pk for n in found[2:4]} == {q.pk for q in same_domain}
    assert {n.question.pk for n in found[4:]} <= {q.pk for q in same_section}
    for group in (found[:2], found[2:4], found[4:]):
        assert [n.distance for n in group] == sorted(n.distance for n in group)


def test_it_stops_at_the_skill_when_the_skill_has_k():
    for _ in range(5):
        _question("circles")
    _question("area_volume")
    found = similar_questions(skill="circles", embedding=_random_vector(), k=5)
    assert [n.scope for n in found] == ["skill"] * 5


def test_it_returns_fewer_than_k_only_when_the_section_has_fewer():
    _question("circles")
    _question("percentages")
    _question("transitions")
    found = similar_questions(skill="circles", embedding=_random_vector(), k=5)
    assert len(found) == 2


def test_it_skips_excluded_ids_and_near_copies_of_the_query():
    query = RNG.normal(size=384)
    twin = _question("circles", vector=_unit(query + RNG.normal(scale=0.01, size=384)))
    excluded = _question("circles")
    kept = _question("circles")

    found = similar_questions(
        skill="circles", embedding=_unit(query), k=5, exclude_ids=[excluded.pk]
    )

    assert [n.question.pk for n in found] == [kept.pk]
    assert twin.pk not in {n.question.pk for n in found}


def test_it_ignores_questions_without_an_embedding():
    question = _question("circles")
    Question.objects.filter(pk=question.pk).update(embedding=None)
    assert similar_questions(skill="circles", embedding=_random_vector(), k=3) == []


def test_it_needs_exactly_one_of_text_or_embedding():
    with pytest.raises(ValueError):
        similar_questions(skill="circles", k=3)
