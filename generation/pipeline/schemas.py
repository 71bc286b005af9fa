"""Typed inputs and outputs of the pipeline stages.

The JSON schemas Claude is asked to fill are generated from these models
(generation.claude.output_schema), and every reply is validated by them. Bounds
the API's structured output does not support (lengths, ranges) are stated in
the schema's descriptions by that transform and enforced here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from questions.taxonomy import (
    DOMAIN_OF_SKILL,
    SECTION_OF_DOMAIN,
    Difficulty,
    Domain,
    Section,
    Skill,
)

ChoiceLetter = Literal["A", "B", "C", "D"]
QuestionKind = Literal["mcq", "spr"]


class StageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- extract + classify (one Claude call, two stage records) ----------------


class Classification(StageModel):
    """Where the question sits in the official taxonomy."""

    skill: Skill = Field(description="The official digital-SAT skill the question tests.")
    difficulty: Difficulty = Field(description="Easy, medium or hard, as the SAT would rate it.")
    confidence: float = Field(ge=0, le=1, description="How sure the skill and difficulty are.")

    @property
    def domain(self) -> Domain:
        return DOMAIN_OF_SKILL[self.skill]

    @property
    def section(self) -> Section:
        return SECTION_OF_DOMAIN[self.domain]


class Extraction(StageModel):
    """The source question as structured data, plus its classification."""

    is_sat_question: bool = Field(
        description="False when the input is not an SAT-style question at all "
        "(a photo, a shopping list, an unrelated document)."
    )
    not_a_question_reason: str = Field(
        description="When is_sat_question is false: what the input shows instead. Else empty."
    )
    kind: QuestionKind = Field(description="mcq: four choices; spr: student-produced response.")
    passage: str = Field(description="The passage (Text 1 for cross-text), or empty.")
    passage_b: str = Field(description="Text 2 of a cross-text pair, or empty.")
    stem: str = Field(description="The question itself; math in LaTeX between \\( and \\).")
    choices: list[str] = Field(description="The four choices A-D in order; empty for spr.")
    figure: str = Field(description="A text description of any figure or table, or empty.")
    classification: Classification | None = Field(
        description="The taxonomy of the question; null when is_sat_question is false."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Extraction:
        if not self.is_sat_question:
            return self
        if not self.stem.strip():
            raise ValueError("an SAT question needs a stem")
        if self.classification is None:
            raise ValueError("an SAT question needs a classification")
        if self.kind == "mcq" and len(self.choices) != 4:
            raise ValueError("a multiple-choice question has exactly four choices")
        if self.kind == "spr" and self.choices:
            raise ValueError("a student-produced response question has no choices")
        return self


# --- generate ----------------------------------------------------------------


class Rationale(StageModel):
    choice: ChoiceLetter
    why_wrong: str = Field(description="The mistake that leads a student to this choice.")


class MathCheck(StageModel):
    """A machine-checkable form of a math answer, verified with SymPy.

    Written in plain calculator syntax (2*x + 3, x**2 or x^2, sqrt(2), pi, 3/4),
    never LaTeX. Either equations + solve_for (solve, then evaluate expression),
    or just an expression whose value is the answer.
    """

    equations: list[str] = Field(
        description="Equations the problem states, e.g. '2*x + 3 = 11', plus any inequality "
        "that picks the intended solution, e.g. 'x > 0'; may be empty."
    )
    solve_for: str = Field(description="The symbol to solve the equations for, or empty.")
    expression: str = Field(
        description="What the question asks for, exactly (not rounded), in terms of solve_for "
        "or as a pure calculation, e.g. 'x', '3*x + 1', '(180 - 52 - 71)'. Trigonometry in "
        "radians, log is base 10; write products, not function notation like f(3)."
    )


class DraftQuestion(StageModel):
    """One generated question, as the generator writes it."""

    kind: QuestionKind
    passage: str = Field(description="The passage (Text 1 for cross-text), or empty.")
    passage_b: str = Field(description="Text 2 for cross-text questions, or empty.")
    figure: str = Field(description="A text description of any figure or table, or empty.")
    stem: str = Field(description="The question; math in LaTeX between \\( and \\).")
    choices: list[str] = Field(description="Four choices A-D in order; empty for spr.")
    key: str = Field(
        max_length=16,
        description="The correct letter A-D, or the spr answer as gridded (e.g. 3/2).",
    )
    explanation: str = Field(
        description="Worked explanation; for mcq it starts 'Choice <key> is correct.'"
    )
    rationales: list[Rationale] = Field(description="One per wrong choice (mcq); empty for spr.")
    skill: Skill
    difficulty: Difficulty
    math_check: MathCheck | None = Field(
        description="For math with a numeric or algebraic answer: how to verify it. Else null."
    )

    def rationale_map(self) -> dict[str, str]:
        return {r.choice: r.why_wrong for r in self.rationales}

    @classmethod
    def from_stored(cls, stored: Any) -> DraftQuestion:
        """Rebuild a draft from anything with the bank's fields (a stored question, a record)."""
        return cls.model_validate(
            {
                "kind": stored.kind,
                "passage": stored.passage,
                "passage_b": stored.passage_b,
                "figure": stored.figure,
                "stem": stored.stem,
                "choices": stored.choices,
                "key": stored.key,
                "explanation": stored.explanation,
                "rationales": [{"choice": c, "why_wrong": w} for c, w in stored.rationales.items()],
                "skill": stored.skill,
                "difficulty": stored.difficulty,
                "math_check": getattr(stored, "math_check", None),
            }
        )


# --- validate: the blind solve --------------------------------------------------


class BlindSolution(StageModel):
    """An independent answer to a question, written without seeing the key."""

    answer: str = Field(max_length=16, description="The letter A-D, or the spr answer as gridded.")
    reasoning: str = Field(
        max_length=2000, description="A short justification, at most a few sentences."
    )
    confident: bool = Field(description="False when the question seems flawed or ambiguous.")


# --- validation report -------------------------------------------------------------


class GateResult(StageModel):
    name: str
    passed: bool
    detail: str = ""
    applies: bool = True  # False: nothing of this question for the gate to check


class ValidationReport(StageModel):
    gates: list[GateResult]
    passed: bool

    @property
    def failures(self) -> list[GateResult]:
        return [gate for gate in self.gates if not gate.passed]
