"""The JSONL line format shared by import, export and the seed bank."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from questions.models import Question
from questions.taxonomy import Difficulty, Domain, Section, Skill
from questions.textinput import text_check

# Fields a record carries, in the order export writes them.
RECORD_FIELDS = (
    "external_id",
    "section",
    "domain",
    "skill",
    "difficulty",
    "kind",
    "passage",
    "passage_b",
    "stem",
    "choices",
    "key",
    "explanation",
    "rationales",
    "figure",
    "source",
    "status",
)


class QuestionRecord(BaseModel):
    """One line of a bank JSONL file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=128)
    section: Section
    domain: Domain
    skill: Skill
    difficulty: Difficulty
    kind: Question.Kind = Question.Kind.MULTIPLE_CHOICE
    passage: str = ""
    passage_b: str = ""
    stem: str = Field(min_length=1)
    choices: list[str] = []
    key: str = Field(min_length=1, max_length=16)
    explanation: str = Field(min_length=1)
    rationales: dict[str, str] = {}
    figure: str = ""
    source: Question.Source = Question.Source.IMPORTED
    status: Question.Status = Question.Status.DRAFT

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        """Refuse NUL and other control characters in any text of the record."""
        if isinstance(value, dict):
            texts = [*value, *value.values()]
        elif isinstance(value, list):
            texts = value
        else:
            texts = [value]
        for text in texts:
            if isinstance(text, str):
                text_check(text)
        return value


def record_from_question(question: Question) -> dict[str, object]:
    """Return the JSONL record of a bank question."""
    return {field: getattr(question, field) for field in RECORD_FIELDS}
