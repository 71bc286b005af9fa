"""Text as it comes in: refuse NUL and the other control characters, with one plain message.

PostgreSQL cannot store NUL in a text column (a DataError, so a 500), and no other control
character belongs in a question, a set name or an instruction: they are invisible, and
they come from a bad paste or from someone probing. Tabs and line breaks are text and stay.
Every entry point uses this one rule: the forms' fields (text_validator), the API's fields
(Text), the bank's import records and the services behind the pages (text_check). It lives
in the bank's app, the bottom layer, so that every app can import it.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

KEPT = frozenset("\t\n\r")
# Cc: C0 and C1 controls, NUL among them; Cs: lone surrogates, which no encoder can write.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


class ControlCharacterError(ValueError):
    """The text holds a character it cannot keep; the message says which, in plain words."""


def text_problem(value: str) -> str | None:
    """Return why the text is refused, or None when every character may be stored."""
    for position, char in enumerate(value, start=1):
        if char not in KEPT and unicodedata.category(char) in REFUSED_CATEGORIES:
            return (
                f"The text contains an invisible control character (U+{ord(char):04X}, "
                f"character {position:,}). Remove it, or paste the text again as plain text."
            )
    return None


def text_check(value: str) -> str:
    """Return the text unchanged, or raise ControlCharacterError saying what is wrong."""
    problem = text_problem(value)
    if problem is not None:
        raise ControlCharacterError(problem)
    return value


def text_validator(value: str) -> None:
    """Refuse a form field's text (a Django validator)."""
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="control_character")


def _pydantic_check(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        # A custom error keeps the message as written (a ValueError gets "Value error, ").
        raise PydanticCustomError("control_character", problem)
    return value


# A str field of a pydantic model or a django-ninja parameter that refuses control characters.
Text = Annotated[str, AfterValidator(_pydantic_check)]
