"""Retrieval on a 10,000-row bank against an exact (non-index) cosine ranking."""

from __future__ import annotations

import numpy as np
import pytest

from questions.models import Question
from questions.selectors import similar_questions
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill
from questions.tests.synthetic import synthetic_bank

BANK_SIZE = 10_000
RARE_SKILL = Skill.CIRCLES  # 3 % of the bank
RARE_SHARE = 0.03


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    """Fill the bank with synthetic rows once for the module; return (ids, skills, vectors)."""
    rows, skills, vectors = synthetic_bank(
        BANK_SIZE, np.random.default_rng(2024), rare_skill=RARE_SKILL, rare_share=RARE_SHARE
    )
    with django_db_blocker.unblock():
        created = Question.objects.bulk_create(rows, batch_size=1000)
        ids = np.array([q.pk for q in created])
        yield ids, np.array(skills), vectors
        Question.objects.all().delete()


def _exact_ranking(bank, query: np.ndarray, mask: np.ndarray, k: int) -> list[int]:
    ids, _, vectors = bank
    distances = 1.0 - vectors[mask].astype(np.float64) @ query.astype(np.float64)
    order = np.argsort(distances, kind="stable")[:k]
    return ids[mask][order].tolist()


def _assert_ranked_exactly(bank, query, found_pks: list[int], mask, k: int) -> None:
    """Assert found_pks is the exact top-k of mask, allowing swaps only between float ties."""
    ids, _, vectors = bank
    expected = _exact_ranking(bank, query, mask, k)
    assert len(found_pks) == len(expected)
    if found_pks == expected:
        return
    distance_of = dict(zip(ids.tolist(), 1.0 - vectors.astype(np.float64) @ query, strict=True))
    found_d = np.array([distance_of[pk] for pk in found_pks])
    expected_d = np.array([distance_of[pk] for pk in expected])
    # float32 in PostgreSQL vs float64 here: neighbours this close may swap places.
    np.testing.assert_allclose(found_d, expected_d, atol=1e-6)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(5))
def test_a_rare_skill_gets_k_results_equal_to_the_exact_ranking(bank, seed):
    ids, skills, vectors = bank
    query = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    query /= np.linalg.norm(query)

    found = similar_questions(skill=RARE_SKILL, embedding=query.tolist(), k=10)

    assert len(found) == 10
    assert {n.scope for n in found} == {"skill"}
    _assert_ranked_exactly(bank, query, [n.question.pk for n in found], skills == RARE_SKILL, 10)


@pytest.mark.django_db
def test_widening_ranks_domain_then_section_rows_exactly(bank):
    ids, skills, vectors = bank
    query = vectors[0]  # a bank row itself: it must be skipped as a near-copy of the query
    geometry = [s for s in Skill if DOMAIN_OF_SKILL[s] == "geometry_trig"]
    math = [s for s in Skill if SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[s]] == "math"]
    not_query = ids != ids[0]
    skill_mask = (skills == RARE_SKILL) & not_query
    domain_mask = np.isin(skills, geometry) & ~skill_mask & not_query
    section_mask = np.isin(skills, math) & ~np.isin(skills, geometry) & not_query
    k = int(skill_mask.sum() + domain_mask.sum()) + 30

    found = similar_questions(skill=RARE_SKILL, embedding=query.tolist(), k=k)

    by_scope = {
        scope: [n.question.pk for n in found if n.scope == scope]
        for scope in ("skill", "domain", "section")
    }
    _assert_ranked_exactly(bank, query, by_scope["skill"], skill_mask, k)
    _assert_ranked_exactly(bank, query, by_scope["domain"], domain_mask, k)
    _assert_ranked_exactly(bank, query, by_scope["section"], section_mask, 30)
    assert [n.scope for n in found] == sorted(
        (n.scope for n in found), key=("skill", "domain", "section").index
    )
