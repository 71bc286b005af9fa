"""The digital SAT's rules for student-produced (grid-in) answers."""

from __future__ import annotations

import re

_SPR_PATTERN = re.compile(r"-?(\d+(\.\d*)?|\.\d+|\d+/\d+)")


def spr_format_error(answer: str) -> str | None:
    """Return why answer cannot be entered as an SAT student-produced response, or None."""
    if not answer:
        return "A student-produced response needs an answer."
    if not _SPR_PATTERN.fullmatch(answer):
        return (
            f"{answer!r} is not a grid-in answer: use digits with an optional leading minus, "
            "one decimal point or one fraction bar (e.g. 12, -3/4, 0.25)."
        )
    limit = 6 if answer.startswith("-") else 5
    if len(answer) > limit:
        sign = "negative" if answer.startswith("-") else "positive"
        return f"{answer!r} is {len(answer)} characters; a {sign} answer fits in {limit}."
    if "/" in answer and int(answer.rsplit("/", 1)[1]) == 0:
        return f"{answer!r} divides by zero."
    return None
