from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import call_command

from questions.embeddings import embed_texts
from questions.models import Question
from questions.selectors import similar_questions
from questions.services import questions_needing_embedding
from questions.tests.builders import make_question


def test_embeddings_are_384_unit_vectors_that_put_like_questions_together():
    transition_a, transition_b, circle = (
        np.array(v)
        for v in embed_texts(
            [
                "Which choice completes the text with the most logical transition?",
                "Which transition word best connects the two sentences in the text?",
                "What is the area, in square units, of a circle with radius 6?",
            ]
        )
    )
    assert transition_a.shape == (384,)
    assert np.isclose(np.linalg.norm(transition_a), 1.0, atol=1e-5)
    assert transition_a @ transition_b > transition_a @ circle + 0.2


@pytest.mark.django_db
def test_embed_questions_embeds_missing_and_stale_rows_only():
    fresh, stale, missing = make_question(), make_question(), make_question()
    call_command("embed_questions", stdout=io.StringIO())
    fresh.refresh_from_db()
    assert fresh.embedding is not None
    untouched_vector = list(fresh.embedding)
    stale.stem = "A rewritten stem: what is the value of y?"
    stale.save()
    Question.objects.filter(pk=missing.pk).update(embedding=None, embedding_hash="")

    assert set(questions_needing_embedding()) == {stale, missing}
    out = io.StringIO()
    call_command("embed_questions", stdout=out)

    assert out.getvalue().strip() == "Embedded 2 question(s)."
    assert not questions_needing_embedding().exists()
    fresh.refresh_from_db()
    assert fresh.embedding is not None
    assert list(fresh.embedding) == untouched_vector


@pytest.mark.django_db
def test_embed_questions_all_re_embeds_everything():
    make_question()
    make_question()
    out = io.StringIO()
    call_command("embed_questions", "--all", stdout=out)
    call_command("embed_questions", "--all", stdout=out)
    assert out.getvalue().splitlines() == ["Embedded 2 question(s)."] * 2


@pytest.mark.django_db
def test_retrieval_from_text_ranks_the_question_that_asks_the_same_thing_first():
    rw = {"section": "rw", "domain": "expression_ideas", "skill": "rhetorical_synthesis"}
    decoy = make_question(
        **rw, stem="What is the perimeter of the garden described in the notes, in meters?"
    )
    target = make_question(
        **rw,
        stem="The student wants to emphasize a similarity between the two studies. "
        "Which choice most effectively uses relevant information from the notes?",
    )
    call_command("embed_questions", stdout=io.StringIO())

    found = similar_questions(
        skill="rhetorical_synthesis",
        text="The student wants to emphasize a difference between the two studies. "
        "Which choice most effectively uses relevant information from the notes?",
        k=2,
        near_duplicate_distance=0.0,
    )
    assert [n.question for n in found] == [target, decoy]
