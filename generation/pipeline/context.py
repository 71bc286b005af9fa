"""Plain data the stages pass along: what to write and what to imitate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from questions.taxonomy import DOMAIN_OF_SKILL, SECTION_OF_DOMAIN, Difficulty, Section, Skill

LEVELS = [Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD]


@dataclass(frozen=True)
class Target:
    """The taxonomy, difficulty and kind new questions are written for."""

    skill: str
    difficulty: str
    kind: str

    @property
    def domain(self) -> str:
        return DOMAIN_OF_SKILL[Skill(self.skill)].value

    @property
    def section(self) -> str:
        return SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(self.skill)]].value

    @classmethod
    def build(cls, *, skill: str, difficulty: str, kind: str) -> Target:
        """Return a target, forcing multiple choice outside Math."""
        section = SECTION_OF_DOMAIN[DOMAIN_OF_SKILL[Skill(skill)]]
        return cls(skill, difficulty, kind if section == Section.MATH else "mcq")


def shifted_difficulty(source: str, option: str) -> str:
    """Return the difficulty to write at, given the source's and the tutor's option."""
    if option in Difficulty.values:
        return option
    index = LEVELS.index(Difficulty(source))
    if option == "easier":
        index = max(index - 1, 0)
    elif option == "harder":
        index = min(index + 1, len(LEVELS) - 1)
    return LEVELS[index].value


@dataclass(frozen=True)
class Example:
    """A bank question shown to the generator."""

    question_id: int
    distance: float
    scope: str
    record: dict[str, Any]


def question_text(*, stem: str, choices: list[str], passage: str, passage_b: str) -> str:
    """Return the text we embed for a question: the stem first, as the bank does."""
    return "\n".join(part for part in [stem, *choices, passage, passage_b] if part)
