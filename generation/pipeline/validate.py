"""Stage 5: check a draft before any tutor sees it.

Deterministic gates first (free); near-copy checks against the source, the
bank and the job's other questions; SymPy for math answers; then an
independent blind solve by a separate call that never sees the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from asgiref.sync import sync_to_async
from django.db import connections

from generation.claude import ClaudeError, TransientError, UsageSink, call_structured, dumps
from generation.pipeline.context import Target, question_text
from generation.pipeline.gates import run_gates
from generation.pipeline.mathcheck import answer_value, averify_math
from generation.pipeline.prompts import SOLVE_SYSTEM
from generation.pipeline.schemas import BlindSolution, DraftQuestion, GateResult, ValidationReport
from questions.selectors import NEAR_DUPLICATE_DISTANCE, nearest_bank_questions
from questions.taxonomy import Section, Skill


@dataclass(frozen=True)
class Neighbours:
    """Texts a new question must not copy."""

    source: str | None
    siblings: list[str]


def draft_text(draft: DraftQuestion) -> str:
    return question_text(
        stem=draft.stem, choices=draft.choices, passage=draft.passage, passage_b=draft.passage_b
    )


async def validate_draft(
    draft: DraftQuestion, *, target: Target, neighbours: Neighbours, record: UsageSink
) -> ValidationReport:
    """Return the validation report of one draft; it passes only if every check passes."""
    gates = run_gates(draft, skill=Skill(target.skill), section=Section(target.section))
    gates += await sync_to_async(_near_copy_gates, thread_sensitive=False)(draft, neighbours)
    if target.section == "math":
        gates.append(await _math_gate(draft))
    if all(gate.passed for gate in gates):
        # The blind solve costs a call: only a draft that passed everything else earns it.
        gates.append(await _blind_solve_gate(draft, record=record))
    return ValidationReport(gates=gates, passed=all(gate.passed for gate in gates))


def _near_copy_gates(draft: DraftQuestion, neighbours: Neighbours) -> list[GateResult]:
    from questions.embeddings import embed_texts  # torch: worker only

    texts = [draft_text(draft), *([neighbours.source] if neighbours.source else [])]
    vectors = embed_texts(texts + neighbours.siblings)
    mine = vectors[0]

    def distance(other: list[float]) -> float:
        return 1.0 - sum(a * b for a, b in zip(mine, other, strict=True))

    results = []
    if neighbours.source:
        d = distance(vectors[1])
        results.append(
            GateResult(
                name="not_a_copy_of_source",
                passed=d >= NEAR_DUPLICATE_DISTANCE,
                detail=f"cosine distance to the source question {d:.3f}",
            )
        )
    try:
        bank = nearest_bank_questions(mine, limit=1)
    finally:
        # This runs on a pool thread: don't leave its connection open behind us.
        connections.close_all()
    for nearest in bank:
        results.append(
            GateResult(
                name="not_a_copy_of_bank",
                passed=nearest.distance >= NEAR_DUPLICATE_DISTANCE,
                detail=f"nearest bank question #{nearest.question.pk} at {nearest.distance:.3f}",
            )
        )
    sibling_vectors = vectors[len(texts) :]
    if sibling_vectors:
        closest = min(distance(v) for v in sibling_vectors)
        results.append(
            GateResult(
                name="not_a_copy_of_sibling",
                passed=closest >= NEAR_DUPLICATE_DISTANCE,
                detail=f"nearest other question of this job at {closest:.3f}",
            )
        )
    return results


async def _math_gate(draft: DraftQuestion) -> GateResult:
    expected = answer_value(draft)
    if draft.math_check is None or expected is None:
        return GateResult(
            name="math_verified",
            passed=True,
            detail="no machine-checkable answer to verify",
            applies=False,
        )
    verdict = await averify_math(draft.math_check, expected=expected)
    if verdict.status == "mismatch":
        return GateResult(
            name="math_verified",
            passed=False,
            detail=f"SymPy computes {verdict.computed}, but the key says {expected}",
        )
    if verdict.status == "unverifiable":
        return GateResult(name="math_verified", passed=True, detail=verdict.detail, applies=False)
    return GateResult(name="math_verified", passed=True, detail=f"SymPy agrees: {expected}")


def solve_content(draft: DraftQuestion) -> list[dict]:
    """Return what the blind solver is shown: the question, never its key or explanation."""
    question = {
        "kind": draft.kind,
        "passage": draft.passage,
        "passage_b": draft.passage_b,
        "figure": draft.figure,
        "stem": draft.stem,
        "choices": draft.choices,
    }
    return [{"type": "text", "text": f"<question>{dumps(question)}</question>"}]


async def blind_solve(draft: DraftQuestion, *, record: UsageSink) -> BlindSolution:
    """Return an independent answer to the draft, from a call that never sees the key."""
    return await call_structured(
        profile="solve",
        output_model=BlindSolution,
        system=SOLVE_SYSTEM,
        content=solve_content(draft),
        record=record,
    )


async def _blind_solve_gate(draft: DraftQuestion, *, record: UsageSink) -> GateResult:
    try:
        solution = await blind_solve(draft, record=record)
    except TransientError:
        # Claude was busy, not the question wrong: the stage stops (the tutor can retry it),
        # and neither fails the question nor pays for a new draft.
        raise
    except ClaudeError as error:
        # Unchecked is not passed: the question is flagged with the reason, not shown as verified.
        return GateResult(
            name="blind_solve_agrees", passed=False, detail=f"the blind solve failed: {error}"
        )
    return solve_gate(draft, solution)


def solve_gate(draft: DraftQuestion, solution: BlindSolution) -> GateResult:
    """Return the gate a blind solution earns: it must agree with the key, confidently."""
    agrees = same_answer(draft.kind, draft.key, solution.answer)
    if agrees and not solution.confident:
        return GateResult(
            name="blind_solve_agrees",
            passed=False,
            detail=f"the solver chose {solution.answer} but found the question flawed: "
            f"{solution.reasoning}",
        )
    return GateResult(
        name="blind_solve_agrees",
        passed=agrees,
        detail=f"an independent solve answered {solution.answer}"
        + ("" if agrees else f", not {draft.key}: {solution.reasoning}"),
    )


def same_answer(kind: str, key: str, answer: str) -> bool:
    """Return whether a solver's answer matches the key (grid-in values compare by value)."""
    key, answer = key.strip(), answer.strip()
    if kind == "mcq":
        return answer.upper().removeprefix("CHOICE ").strip(" .)") == key.upper()
    try:
        a, b = Fraction(key), Fraction(answer)
    except (ValueError, ZeroDivisionError):
        return key == answer
    if a == b:
        return True
    # The SAT accepts a repeating decimal cut to fit the grid (1/3 as .3333 or .333).
    for value, text in ((a, answer), (b, key)):
        if "." in text:
            places = len(text.split(".")[1])
            if places >= 3 and abs(value - Fraction(text)) < Fraction(1, 10**places):
                return True
    return False
