"""A synthetic bank of any size, for retrieval tests and benchmarks."""

from __future__ import annotations

import numpy as np

from questions.models import Question
from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Skill


def synthetic_bank(
    rows: int, rng: np.random.Generator, *, rare_skill: Skill, rare_share: float
) -> tuple[list[Question], list[Skill], np.ndarray]:
    """Return unsaved approved questions with random unit embeddings, their skills and vectors.

    rare_skill gets rare_share of the rows; the other 29 skills share the rest evenly.
    """
    vectors = rng.normal(size=(rows, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    others = [skill for skill in Skill if skill != rare_skill]
    rare = int(rows * rare_share)
    skills = [rare_skill] * rare + [others[i % len(others)] for i in range(rows - rare)]
    rng.shuffle(skills)
    questions = []
    for skill, vector in zip(skills, vectors, strict=True):
        domain = DOMAIN_OF_SKILL[skill]
        questions.append(
            Question(
                section=SECTION_OF_DOMAIN[domain],
                domain=domain,
                skill=skill,
                difficulty="medium",
                stem="synthetic",
                choices=["1", "2", "3", "4"],
                key="A",
                explanation="Choice A is correct.",
                rationales={"B": "b", "C": "c", "D": "d"},
                status="approved",
                embedding=vector.tolist(),
            )
        )
    return questions, skills, vectors
